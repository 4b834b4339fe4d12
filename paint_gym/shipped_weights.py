"""The shipped weights: ``paint_gym/weights/MANIFEST`` and verified paths of the files it lists.

The MANIFEST holds one JSON object per line, per shipped file: ``name``, ``file``, ``sha256``,
``bytes``, the ``command`` that produced it, how long it trained and its figures. This module
only reads it: the painters' loader, the agents' zoo and the MNIST classifier ask it for the
verified path of a file by name. Writing entries is a maintainer's job
(``scripts/ship_weights.py``); an installed package never writes into its own folder.

An entry with ``"location": "cache"`` (weights trained on data whose licence forbids
redistribution, e.g. CelebA agents) is not in the package: its file lives in the user cache
(``PAINT_GYM_CACHE`` or ``~/.cache/paint_gym``, folder ``agents/``) of whoever trained it, and its
hash is of the maintainer's file only, so it is not checked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .checkpoint import CheckpointError, verified_file
from .data import cache_dir

#: The package's weights folder (read-only at run time).
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MANIFEST = "MANIFEST"
#: Sub-folder of the user cache for local-only weights.
CACHE_FOLDER = "agents"


def read_manifest(weights_dir: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """Entries of ``weights_dir/MANIFEST`` (default: the package's :data:`WEIGHTS_DIR`) by name,
    in file order; empty without a MANIFEST.

    Raises :class:`paint_gym.checkpoint.CheckpointError` for a line that is not a JSON object
    with ``name`` and ``file``.
    """
    path = Path(WEIGHTS_DIR if weights_dir is None else weights_dir) / MANIFEST
    if not path.is_file():
        return {}
    entries: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise CheckpointError(f"{path}, line {number}, is not JSON ({exc}); reinstall paint-gym") from exc
        if not isinstance(entry, dict) or not {"name", "file"} <= set(entry):
            raise CheckpointError(
                f"{path}, line {number}, is not a MANIFEST entry (an object with name and file); reinstall paint-gym"
            )
        entries[entry["name"]] = entry
    return entries


def file_of(entry: dict[str, Any]) -> Path:
    """Where an entry's file lives: the package's weights folder, or the user cache for
    ``"location": "cache"`` entries (which may not exist on this machine)."""
    if entry.get("location") == "cache":
        return cache_dir() / CACHE_FOLDER / entry["file"]
    return WEIGHTS_DIR / entry["file"]


def is_present(entry: dict[str, Any]) -> bool:
    """Whether an entry's file is on this machine (always, for a complete install, unless cache)."""
    return file_of(entry).is_file()


def verified_path(name: str, missing: str | None = None) -> Path:
    """The path of the shipped file ``name`` (a MANIFEST name, e.g. ``"gan_painter"``), checked
    against its SHA-256 (cache entries: present only).

    ``missing`` is the message when the entry or its file is absent (say how to make it).
    Raises ``FileNotFoundError`` for an unknown name or an absent file and
    :class:`paint_gym.checkpoint.CheckpointError` for a file that does not match its hash.
    """
    entry = read_manifest().get(name)
    if entry is None:
        raise FileNotFoundError(missing or f"no shipped file named {name!r} in {WEIGHTS_DIR / MANIFEST}")
    path = file_of(entry)
    local = entry.get("location") == "cache"
    return verified_file(path, None if local else entry["sha256"], missing or f"{path} is missing: reinstall paint-gym")


__all__ = ["CACHE_FOLDER", "MANIFEST", "WEIGHTS_DIR", "file_of", "is_present", "read_manifest", "verified_path"]
