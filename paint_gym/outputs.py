"""Where a command writes: output paths checked before any work is done.

A painting that takes minutes must not be lost to a path that could never be written. Every
``paint-gym`` command declares the fields of its config that name files or folders it writes
(``cli_outputs``, see :mod:`paint_gym.command`), and each is checked here at the command's door;
library functions that write (e.g. the agents' ``run_demo``) call the same checks first. A path
is refused, with a ``ValueError`` naming it and the fix, when:

* a file's extension is not one its writer knows (an image: one whose format holds the 8-bit RGB
  painting under that name, :data:`IMAGE_SUFFIXES`; a table: ``.json``; a checkpoint: ``.pt``),
  or it is an existing folder;
* its folder cannot be created (a part of it is a file, or the nearest existing folder is not
  writable), or a run folder is an existing file;
* it would be written at the filesystem root: a file directly in ``/`` (``--out /painting.png``),
  a folder created there (``--run-dir /myrun``), or anything inside the operating system's own
  folders there (:data:`SYSTEM_FOLDERS`: a run folder ``/run``, ``/etc/out.png``). That is nearly
  always a slip (a missing ``.`` or ``~``), and needs administrator rights anyway; folders of
  yours at the root (``/data``, ``/tmp``, ``/home/...``) are fine.

Every path is checked, not only the flags: a command also writes files whose names it derives
(``OUT_mypaint.png`` and ``OUT.npz`` beside ``--out``, the ``checkpoint.pt``, ``log.csv`` and
``curves.png`` of a run folder, a default folder chosen when a flag is None). A config lists
those in a ``derived_outputs()`` method (:class:`Output` each, :func:`run_folder_outputs` for a
run folder's files), and :func:`declared_outputs` gives the flags' paths and the derived ones
together, so one check covers all of them before any work. Images are written by
:func:`write_image`, the one image writer of the commands.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image

#: The image formats the library writes paintings and figures as (8-bit RGB), where this
#: machine's Pillow can save them. Each holds the RGB painting: PNG, TIFF, BMP, PPM, TGA,
#: JPEG 2000 and QOI exactly, the lossy JPEG, WebP and AVIF up to their compression
#: (:data:`LOSSY_FORMATS`). GIF is not one: it keeps a palette of 256 colours, not the painting.
IMAGE_FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "BMP", "PPM", "TGA", "JPEG2000", "AVIF", "QOI")
#: The formats of :data:`IMAGE_FORMATS` that compress with loss (the painting's pixels change slightly).
LOSSY_FORMATS = ("JPEG", "WEBP", "AVIF")
#: Extensions Pillow registers for a format of :data:`IMAGE_FORMATS` but would write another file
#: under: Netpbm's ``.pbm`` (1-bit), ``.pgm`` (grey) and ``.pfm`` (float) would hold a colour
#: ``P6`` pixmap, JPEG 2000's codestream names ``.j2c`` and ``.jpc`` a JP2 container. Other
#: programs read such a file by its extension and fail, so these are refused.
MISNAMED_SUFFIXES = frozenset({".pbm", ".pgm", ".pfm", ".j2c", ".jpc"})


def _image_suffixes() -> tuple[str, ...]:
    """The extensions of :data:`IMAGE_FORMATS` this Pillow saves, by format (``.png`` first),
    less :data:`MISNAMED_SUFFIXES`."""
    Image.init()
    found = [
        (f, e)
        for e, f in Image.registered_extensions().items()
        if f in IMAGE_FORMATS and f in Image.SAVE and e not in MISNAMED_SUFFIXES
    ]
    return tuple(e for f, e in sorted(found, key=lambda fe: (IMAGE_FORMATS.index(fe[0]), fe[1] != ".png", fe[1])))


#: File extensions an image may be written with (lower case, with the dot): ``.png``, ``.jpg``, ...
IMAGE_SUFFIXES: tuple[str, ...] = _image_suffixes()
#: What each kind of output is: the extensions of a file kind, None for a folder.
OUTPUT_KINDS: dict[str, tuple[str, ...] | None] = {
    "image": IMAGE_SUFFIXES,
    "json": (".json",),
    "checkpoint": (".pt",),
    "arrays": (".npz",),
    "table": (".csv",),
    "svg": (".svg",),
    "openraster": (".ora",),
    "animation": (".gif",),
    "folder": None,
}
OutputKind = Literal["image", "json", "checkpoint", "arrays", "table", "svg", "openraster", "animation", "folder"]
#: The kind of a file a run folder holds, by its extension (for :func:`run_folder_outputs`).
_KIND_OF_SUFFIX: dict[str, OutputKind] = {
    ".png": "image",
    ".json": "json",
    ".pt": "checkpoint",
    ".npz": "arrays",
    ".csv": "table",
}


@dataclass(frozen=True)
class Output:
    """One path a command writes: how messages name it (``--out``, ``--run-dir's log.csv``),
    its kind (a key of :data:`OUTPUT_KINDS`), the path, and whether its name is ``derived``
    from another (a file the user cannot name: a folder in its way is moved, not renamed)."""

    name: str
    kind: OutputKind
    path: str | os.PathLike
    derived: bool = False


def run_folder_outputs(folder: str | os.PathLike, name: str, files: Sequence[str]) -> list[Output]:
    """A run folder and the fixed-name ``files`` its trainer writes in it (``checkpoint.pt``,
    ``log.csv``, ...; their kinds by extension): a file name that is an existing folder there
    would fail only at the first checkpoint, so each is checked too."""
    out = [Output(name, "folder", folder)]
    return out + [
        Output(f"{name}'s {f}", _KIND_OF_SUFFIX[Path(f).suffix.lower()], Path(folder) / f, derived=True) for f in files
    ]


#: The operating system's own folders at the filesystem root (Linux, macOS, Windows): no output
#: is written in them, even by an administrator (``/run`` is not a run folder).
SYSTEM_FOLDERS = frozenset(
    {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys", "usr"}
    | {"System", "Windows"}
)


def check_output_file(
    path: str | os.PathLike, suffixes: Sequence[str], name: str = "output file", *, derived: bool = False
) -> Path:
    """``path`` as a ``Path`` if a file can be written there with one of ``suffixes``
    (e.g. ``(".png", ".jpg")``, compared case-insensitively); creates nothing.

    Raises ``ValueError`` naming ``name``, the path and the fix: an empty path, an unknown or
    missing extension, an existing folder, a folder that cannot be created or written, a file
    directly at the filesystem root or in an operating system folder (:data:`SYSTEM_FOLDERS`).
    ``derived``: the name is derived from another path, so the fix for a folder in its way is
    to move that folder.
    """
    p = _non_empty(path, name)
    suffix = p.suffix.lower()
    if suffix not in {s.lower() for s in suffixes}:
        first = suffixes[0] if suffixes else ""
        got = f"its extension {p.suffix!r} is not one" if p.suffix else "it has no extension, so not one"
        raise ValueError(
            f"{name} {str(path)!r}: {got} the writer knows ({', '.join(suffixes)}); "
            f"give a file name such as {p.with_suffix(first) if p.name else 'out' + first}"
        )
    if p.is_dir():
        if derived:
            raise ValueError(
                f"{name} {str(path)!r} is a folder, but the command writes a file there; "
                "move or rename that folder, or choose another output path"
            )
        raise ValueError(f"{name} {str(path)!r} is a folder; give a file name in it, e.g. {p / ('out' + suffix)}")
    _check_creatable(Path(os.path.abspath(p)).parent, path, name)
    return p


def check_output_folder(path: str | os.PathLike, name: str = "output folder") -> Path:
    """``path`` as a ``Path`` if files can be written in it (it is a folder, or can be
    created); creates nothing.

    Raises ``ValueError`` naming ``name``, the path and the fix: an empty path, an existing
    file, a folder that cannot be created or written, the filesystem root itself, a new
    folder created directly at the root (``/myrun``), or a folder inside an operating system
    folder (:data:`SYSTEM_FOLDERS`, e.g. ``/run``).
    """
    p = _non_empty(path, name)
    if p.exists() and not p.is_dir():
        raise ValueError(f"{name} {str(path)!r} is a file, not a folder; give a folder path (e.g. {p}_run)")
    _check_creatable(Path(os.path.abspath(p)), path, name)
    return p


def check_output(kind: OutputKind, path: str | os.PathLike, name: str, *, derived: bool = False) -> Path:
    """``path`` checked as an output of ``kind`` (a key of :data:`OUTPUT_KINDS`; ``derived``
    as in :func:`check_output_file`)."""
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"unknown output kind {kind!r}; use one of {sorted(OUTPUT_KINDS)}")
    suffixes = OUTPUT_KINDS[kind]
    if suffixes is None:
        return check_output_folder(path, name)
    return check_output_file(path, suffixes, name, derived=derived)


def declared_outputs(config: Any) -> list[Output]:
    """Every path the command of ``config`` writes: the fields its ``cli_outputs`` class
    variable names (field name -> :data:`OUTPUT_KINDS` key, named by flag: ``--run-dir``;
    fields set to None, a default chosen later, are skipped), then whatever its optional
    ``derived_outputs()`` method lists (:class:`Output` each: companions of ``--out``, the
    files of a run folder, the default folder a None stands for)."""
    outputs = [
        Output(f"--{field.replace('_', '-')}", kind, getattr(config, field))
        for field, kind in getattr(config, "cli_outputs", {}).items()
        if getattr(config, field) is not None
    ]
    derived = getattr(config, "derived_outputs", None)
    seen, unique = set(), []
    for o in outputs + (list(derived()) if callable(derived) else []):  # a flag's path once, by its flag
        key = os.path.abspath(os.path.expanduser(os.fspath(o.path)))
        if key not in seen:
            seen.add(key)
            unique.append(o)
    return unique


def check_all(outputs: Iterable[Output]) -> None:
    """Check each of ``outputs`` (:func:`check_output`); the first bad one raises
    ``ValueError`` naming it. Library functions that write several files call this first."""
    for o in outputs:
        check_output(o.kind, o.path, o.name, derived=o.derived)


def check_outputs(config: Any) -> None:
    """Check every path a command's config writes (:func:`declared_outputs`: its flags and the
    paths derived from them) before the command runs. ``ValueError`` naming the flag
    (``--run-dir``) or the derived file (``OUT_mypaint.png``) for a bad one."""
    check_all(declared_outputs(config))


def write_image(image: np.ndarray, path: str | os.PathLike, scale: int = 1) -> Path:
    """Write a uint8 RGB image ``(H, W, 3)`` to ``path`` in the format its extension names (one
    of :data:`IMAGE_SUFFIXES`), enlarged ``scale`` times (nearest pixel); creates the folder.
    The one image writer of the commands (paintings, figures). Returns the path."""
    path = Path(path)
    out = Image.fromarray(np.asarray(image, np.uint8))
    if scale > 1:
        out = out.resize((out.width * scale, out.height * scale), Image.Resampling.NEAREST)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)
    return path


def _non_empty(path: Any, name: str) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(os.fspath(path)).strip():
        raise ValueError(f"{name} must be a non-empty path; got {path!r}")
    return Path(path).expanduser()


def _check_creatable(folder: Path, given: Any, name: str) -> None:
    """Files can be written in ``folder`` (absolute): it is not the root, not in an operating
    system folder, not a new folder at the root, and it exists as a writable folder or its
    nearest existing ancestor is one."""
    anchor = Path(folder.anchor)
    if folder == anchor:
        raise ValueError(
            f"{name} {str(given)!r} would be written at the filesystem root {anchor}; "
            "give a path in a folder of yours (e.g. under . or ~)"
        )
    top = anchor / folder.relative_to(anchor).parts[0]
    if top.name in SYSTEM_FOLDERS:
        raise ValueError(
            f"{name} {str(given)!r} is {'' if folder == top else 'inside '}{top}, a folder of the operating system; "
            "give a path in a folder of yours (e.g. under . or ~)"
        )
    if not top.exists():
        raise ValueError(
            f"{name} {str(given)!r} would create the folder {top} at the filesystem root; "
            f"give a path in a folder of yours, e.g. ./{folder.relative_to(anchor)}"
        )
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(
            f"{name} {str(given)!r} cannot be created: {existing} is a file, not a folder; choose another path"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {str(given)!r} cannot be written: {existing} is not writable; choose another folder")


__all__ = [
    "IMAGE_FORMATS",
    "IMAGE_SUFFIXES",
    "LOSSY_FORMATS",
    "MISNAMED_SUFFIXES",
    "OUTPUT_KINDS",
    "SYSTEM_FOLDERS",
    "Output",
    "check_all",
    "check_output",
    "check_output_file",
    "check_output_folder",
    "check_outputs",
    "declared_outputs",
    "run_folder_outputs",
    "write_image",
]
