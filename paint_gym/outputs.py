"""Where a command writes: output paths checked before any work is done.

A painting that takes minutes must not be lost to a path that could never be written. Every
``paint-gym`` command declares the fields of its config that name files or folders it writes
(``cli_outputs``, see :mod:`paint_gym.command`), and each is checked here at the command's door;
library functions that write (e.g. the agents' ``run_demo``) call the same checks first. A path
is refused, with a ``ValueError`` naming it and the fix, when:

* a file's extension is not one its writer knows (an image: one Pillow saves RGB images as,
  :data:`IMAGE_SUFFIXES`; a table: ``.json``; a checkpoint: ``.pt``), or it is an existing folder;
* its folder cannot be created (a part of it is a file, or the nearest existing folder is not
  writable), or a run folder is an existing file;
* it would be written at the filesystem root: a file directly in ``/`` (``--out /painting.png``),
  a folder created there (``--run-dir /myrun``), or anything inside the operating system's own
  folders there (:data:`SYSTEM_FOLDERS`: a run folder ``/run``, ``/etc/out.png``). That is nearly
  always a slip (a missing ``.`` or ``~``), and needs administrator rights anyway; folders of
  yours at the root (``/data``, ``/tmp``, ``/home/...``) are fine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from PIL import Image

#: The image formats the library writes paintings and figures as (8-bit RGB), where this
#: machine's Pillow can save them.
IMAGE_FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "BMP", "GIF", "PPM", "TGA", "JPEG2000", "AVIF", "QOI")


def _image_suffixes() -> tuple[str, ...]:
    """The extensions of :data:`IMAGE_FORMATS` this Pillow saves, by format (``.png`` first)."""
    Image.init()
    found = [(f, e) for e, f in Image.registered_extensions().items() if f in IMAGE_FORMATS and f in Image.SAVE]
    return tuple(e for f, e in sorted(found, key=lambda fe: (IMAGE_FORMATS.index(fe[0]), fe[1] != ".png", fe[1])))


#: File extensions an image may be written with (lower case, with the dot): ``.png``, ``.jpg``, ...
IMAGE_SUFFIXES: tuple[str, ...] = _image_suffixes()
#: What each kind of output is: the extensions of a file kind, None for a folder.
OUTPUT_KINDS: dict[str, tuple[str, ...] | None] = {
    "image": IMAGE_SUFFIXES,
    "json": (".json",),
    "checkpoint": (".pt",),
    "folder": None,
}
OutputKind = Literal["image", "json", "checkpoint", "folder"]
#: The operating system's own folders at the filesystem root (Linux, macOS, Windows): no output
#: is written in them, even by an administrator (``/run`` is not a run folder).
SYSTEM_FOLDERS = frozenset(
    {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys", "usr"}
    | {"System", "Windows"}
)


def check_output_file(path: str | os.PathLike, suffixes: Sequence[str], name: str = "output file") -> Path:
    """``path`` as a ``Path`` if a file can be written there with one of ``suffixes``
    (e.g. ``(".png", ".jpg")``, compared case-insensitively); creates nothing.

    Raises ``ValueError`` naming ``name``, the path and the fix: an empty path, an unknown or
    missing extension, an existing folder, a folder that cannot be created or written, a file
    directly at the filesystem root or in an operating system folder (:data:`SYSTEM_FOLDERS`).
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


def check_output(kind: OutputKind, path: str | os.PathLike, name: str) -> Path:
    """``path`` checked as an output of ``kind`` (a key of :data:`OUTPUT_KINDS`)."""
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"unknown output kind {kind!r}; use one of {sorted(OUTPUT_KINDS)}")
    suffixes = OUTPUT_KINDS[kind]
    return check_output_folder(path, name) if suffixes is None else check_output_file(path, suffixes, name)


def check_outputs(config: Any) -> None:
    """Check every output path a command's config declares in its ``cli_outputs`` class
    variable (field name -> :data:`OUTPUT_KINDS` key); fields set to None (a default chosen
    later) are skipped. ``ValueError`` naming the flag (``--run-dir``) for a bad one."""
    for field, kind in getattr(config, "cli_outputs", {}).items():
        value = getattr(config, field)
        if value is not None:
            check_output(kind, value, f"--{field.replace('_', '-')}")


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
    "OUTPUT_KINDS",
    "SYSTEM_FOLDERS",
    "check_output",
    "check_output_file",
    "check_output_folder",
    "check_outputs",
]
