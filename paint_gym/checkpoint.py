"""One checkpoint path for every trainer and every shipped file.

* Atomic writes: :func:`atomic_path` (a temporary file beside the destination, renamed over it
  with ``os.replace`` only once it is complete), :func:`write_text_atomic` and
  :func:`write_checkpoint` (``torch.save``). An interrupted run never leaves a half-written
  checkpoint, log or result.
* Safe reads: :func:`read_checkpoint` loads with ``torch.load(weights_only=True)`` (no code is
  unpickled) and turns a missing, corrupt or tampered file into a clear error;
  :func:`verified_file` checks a SHA-256 (:func:`sha256_of`).
* Weights: :func:`half_state` / :func:`float_state` store floating tensors in float16 and bring
  them back to float32.
* Configs: :func:`config_to_json` / :func:`config_from_json` round-trip a dataclass; unknown or
  missing fields are an error, not silently dropped or defaulted.
* Resume: :func:`check_resume` compares the config saved in a run's checkpoint with the one
  asked for: only the fields a trainer names (its budget, learning rates, bookkeeping) may change.

torch is imported only by the two functions that call ``torch.save``/``torch.load``, so the
data, run-log and results modules can write atomically without loading torch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import typing
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class CheckpointError(ValueError):
    """A checkpoint is missing pieces, corrupt, or does not match its recorded SHA-256."""


class ResumeError(ValueError):
    """A run folder holds a checkpoint trained with settings that may not change on resume."""


# ----------------------------------------------------------------------------------------
# Atomic writes and hashes
# ----------------------------------------------------------------------------------------


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; renamed over ``path`` on success.

    The temporary name is in the same folder (so ``os.replace`` is atomic), hidden and unique
    per writer (``.NAME.tmp-<random>.SUFFIX``: it keeps the suffix, so ``np.savez`` and
    ``savefig`` pick the right format); the block creates the file (with the usual permissions)
    and it is removed if the block raises. The folder must exist.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp-{uuid.uuid4().hex[:12]}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (creating its folder); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return path


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verified_file(path: str | os.PathLike, sha256: str | None, missing: str) -> Path:
    """``path`` if it exists (else ``FileNotFoundError(missing)``: say how to get the file) and,
    when ``sha256`` is given, matches it (else :class:`CheckpointError`)."""
    path = Path(path)
    if path.is_dir():
        inside = ", ".join(sorted(p.name for p in path.glob("*.pt"))) or "no .pt file"
        raise FileNotFoundError(f"{missing}: {path} is a folder (holding {inside}); give the file itself")
    if not path.is_file():
        raise FileNotFoundError(missing)
    if sha256 is not None and sha256_of(path) != sha256:
        raise CheckpointError(
            f"{path} does not match its recorded SHA-256 ({sha256}); the file is corrupt or was replaced: "
            "reinstall paint-gym or restore the file"
        )
    return path


# ----------------------------------------------------------------------------------------
# torch checkpoints
# ----------------------------------------------------------------------------------------


def write_checkpoint(payload: Mapping[str, Any], path: str | os.PathLike) -> str:
    """``torch.save`` ``payload`` (tensors, numbers, strings, lists and dicts of them) to ``path``
    atomically, creating its folder; returns the file's SHA-256."""
    import torch  # lazy: keeps torch out of `import paint_gym` (data, envs and logs write atomically too)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save(dict(payload), tmp)
    return sha256_of(path)


def read_checkpoint(
    path: str | os.PathLike,
    what: str = "checkpoint",
    build: Callable[[dict[str, Any]], T] | None = None,
    *,
    sha256: str | None = None,
    missing: str | None = None,
    map_location: Any = "cpu",
) -> Any:
    """Load ``path`` with ``torch.load(weights_only=True)`` and, if given, ``build`` the result.

    Args:
        what: what the file should be ("agent checkpoint"), for the messages.
        build: turns the payload dict into the object wanted (a network, a config); an error it
            raises (a missing key, a wrong shape) becomes a :class:`CheckpointError`, except
            ``FileNotFoundError`` (something else it needs is missing, e.g. data), which passes.
        sha256: the file must match it (shipped weights always are checked).
        missing: the ``FileNotFoundError`` message when there is no file (say how to make one).

    Returns ``build(payload)``, or the payload dict without ``build``. Raises
    ``FileNotFoundError`` and :class:`CheckpointError` (not a torch file, not a dict, tampered,
    or ``build`` failed), naming the file.
    """
    import torch  # lazy: keeps torch out of `import paint_gym` (see write_checkpoint)

    path = verified_file(path, sha256, missing or f"no {what} at {path}")
    fix = "give the right file, or retrain or restore it"
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # empty, cut short, another format, pickled objects: not a torch checkpoint
        raise CheckpointError(
            f"{path} is not a readable {what}: it is {describe_file(path)}, not a torch checkpoint "
            f"({type(exc).__name__}: {_first_line(exc)}); {fix}"
        ) from exc
    if not isinstance(payload, dict):
        raise CheckpointError(
            f"{path} is not a readable {what}: it holds {describe_payload(payload)}, not a dict of tensors and "
            f"settings; {fix}"
        )
    if build is None:
        return payload
    try:
        return build(payload)
    except (CheckpointError, FileNotFoundError):  # FileNotFoundError: something ``build`` needs (data), not this file
        raise
    except Exception as exc:  # missing keys, wrong types or shapes: all mean "not this kind of file"
        raise CheckpointError(
            f"{path} is not a readable {what}: it holds {describe_payload(payload)} "
            f"({type(exc).__name__}: {_first_line(exc, 600, whole=True)}); {fix}"
        ) from exc


def _first_line(exc: BaseException, limit: int = 200, *, whole: bool = False) -> str:
    """An exception's message, its first line only (torch's unpickling errors run to
    paragraphs) or, ``whole``, all of it on one line (a state dict's size mismatches), cut at
    ``limit`` characters."""
    text = str(exc).strip() or "no message"
    text = " ".join(text.split()) if whole else text.splitlines()[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_file(path: str | os.PathLike) -> str:
    """What a file that torch cannot load looks like, from its size and first bytes: empty, a
    zip (torch's format) cut short or damaged, a NumPy file, a pickle, text, or other bytes."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(64)
    if size == 0:
        return "an empty file (0 bytes)"
    if head.startswith(b"PK"):
        return f"a zip file of {size:,} bytes that torch cannot read (cut short, damaged, or another program's)"
    if head.startswith(b"\x93NUMPY"):
        return f"a NumPy .npy file ({size:,} bytes)"
    if head[:1] == b"\x80":
        return f"a pickle of {size:,} bytes holding more than tensors and settings (e.g. whole Python objects)"
    if all(32 <= b < 127 or b in b"\t\n\r" for b in head):
        return f"a text file ({size:,} bytes, starting {head[:32].decode()!r})"
    return f"{size:,} bytes of another format (starting {head[:8]!r})"


def describe_payload(payload: Any) -> str:
    """What a loaded checkpoint holds, in words, for messages about the wrong kind of file: an
    agent checkpoint (a ``kind`` string: ``backprop_agent``, ...), a painter checkpoint (a
    ``config`` with a painter ``kind``: ``gan``, ``vae``, ``dab``), a bare state dict (tensors
    only), another dict (its first keys) or another type."""
    if not isinstance(payload, dict):
        return f"a {type(payload).__name__}"
    kind, config = payload.get("kind"), payload.get("config")
    if isinstance(kind, str):
        return f"a {kind.replace('_', ' ')} checkpoint"
    if isinstance(config, dict) and isinstance(config.get("kind"), str):
        return f"a {config['kind']} painter checkpoint"
    keys = sorted(map(str, payload))
    shown = ", ".join(keys[:6]) + (", ..." if len(keys) > 6 else "")
    if not keys:
        return "an empty dict"
    if all(hasattr(v, "shape") and hasattr(v, "dtype") for v in payload.values()):
        return f"a bare state dict of {len(keys)} tensors ({shown}), no config or kind"
    return f"a dict with keys {shown}"


def half_state(state: Mapping[str, Any], half: bool = True) -> dict[str, Any]:
    """A state dict with floating tensors in float16 when ``half`` (shipped weights: half the
    bytes); other tensors (integer buffers) unchanged."""
    return {k: (v.half() if half and v.is_floating_point() else v) for k, v in state.items()}


def float_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """A loaded state dict with floating tensors back in float32 (the inverse of :func:`half_state`)."""
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


# ----------------------------------------------------------------------------------------
# Configs
# ----------------------------------------------------------------------------------------


def config_to_json(config: Any) -> str:
    """A dataclass config as JSON (tuples become lists; :func:`config_from_json` restores them)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"config_to_json needs a dataclass instance; got {type(config).__name__}")
    return json.dumps(dataclasses.asdict(config))


def config_from_json(cls: type[T], text: str | Mapping[str, Any], legacy: Mapping[str, Any] | None = None) -> T:
    """The dataclass ``cls`` from JSON text (or an already parsed dict).

    Fields annotated as tuples get tuples back. Every field must be present and nothing else:
    a ``CheckpointError`` names unknown and missing fields (a checkpoint of another kind or
    version); ``cls``'s own checks (``__post_init__``) still run. A field saved under its old
    name (``cls.renamed``, ``{old: new}``: a config's ``RENAMED_FIELDS``) is read as its new
    name; ``legacy`` gives the values of fields added after older checkpoints were written (what
    those runs did), used when absent.
    """
    data = json.loads(text) if isinstance(text, str) else dict(text)
    if not isinstance(data, dict):
        raise CheckpointError(f"a {cls.__name__} is a JSON object; got {type(data).__name__}")
    for old, new in getattr(cls, "renamed", {}).items():
        if old in data and new not in data:
            data[new] = data.pop(old)
    data = {**(legacy or {}), **data}
    names = [f.name for f in dataclasses.fields(cls)]
    unknown, missing = sorted(set(data) - set(names)), [n for n in names if n not in data]
    if unknown or missing:
        raise CheckpointError(
            f"saved {cls.__name__} does not match this version of paint-gym: "
            f"unknown fields {unknown}, missing fields {missing}; it was written by another version or kind of run"
        )
    hints = typing.get_type_hints(cls)
    tuples = {n for n in names if typing.get_origin(hints.get(n)) is tuple}
    return cls(**{k: tuple(v) if k in tuples and isinstance(v, list) else v for k, v in data.items()})


def check_resume(saved: Any, requested: Any, may_change: Collection[str], checkpoint: str | os.PathLike) -> list[str]:
    """Check that a run may resume: ``saved`` and ``requested`` (dataclass configs of one type)
    agree on every field not in ``may_change`` (typically the budget, learning rates and
    bookkeeping such as threads or the run folder).

    Returns the names of the fields that changed (all allowed). Raises :class:`ResumeError`
    naming each other field with its saved and requested value, and the fix.
    """
    if type(saved) is not type(requested):
        raise ResumeError(
            f"{checkpoint} holds a {type(saved).__name__}, not a {type(requested).__name__}: use another run folder"
        )
    changed = [f.name for f in dataclasses.fields(requested) if getattr(saved, f.name) != getattr(requested, f.name)]
    fixed = [name for name in changed if name not in may_change]
    if fixed:
        diffs = ", ".join(f"{n}={getattr(saved, n)!r} (asked for {getattr(requested, n)!r})" for n in fixed)
        raise ResumeError(
            f"{checkpoint} was trained with {diffs}; these cannot change when a run resumes "
            f"(only {', '.join(sorted(may_change))} can): use another run folder, or ask for the saved values"
        )
    return changed


__all__ = [
    "CheckpointError",
    "ResumeError",
    "atomic_path",
    "check_resume",
    "config_from_json",
    "config_to_json",
    "describe_file",
    "describe_payload",
    "float_state",
    "half_state",
    "read_checkpoint",
    "sha256_of",
    "verified_file",
    "write_checkpoint",
    "write_text_atomic",
]


def write_painter_checkpoint(
    config: Any, state: Mapping[str, Any], path: str | os.PathLike, half: bool, extra: Mapping[str, Any] | None
) -> str:
    """Write a painter's inference checkpoint: its config dataclass, its weights (float16 when
    ``half``) and ``extra`` as JSON; returns the file's SHA-256 (:func:`write_checkpoint`)."""
    import dataclasses
    import json

    payload = {
        "config": dataclasses.asdict(config),
        "state_dict": half_state(state, half),
        "extra": json.dumps(extra or {}),
    }
    return write_checkpoint(payload, path)
