"""Downloads of the official data files: over HTTP, from the first mirror that serves them, each
verified by its published MD5 and written atomically (:func:`fetch`, :func:`fetch_any`). The data
sets built from them are :mod:`paint_gym.data`'s (which re-exports these names).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ChecksumError(ValueError):
    """A downloaded file's checksum differs from the official one (the file was discarded)."""


@dataclass(frozen=True)
class RemoteFile:
    """One official file: its name, MD5 (as published) and the mirrors that serve it."""

    name: str
    md5: str
    mirrors: tuple[str, ...]

    def urls(self) -> list[str]:
        return [m if "{name}" in m else m.rstrip("/") + "/" + self.name for m in self.mirrors]


def md5_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def fetch(url: str, dest: Path, md5: str | None, *, timeout: float = 60.0, progress: bool = True) -> Path:
    """Download ``url`` to ``dest`` atomically, verifying the MD5 when given.

    The bytes go to a temporary file beside ``dest`` and are renamed into place only after the
    checksum matched, so a failed, interrupted or corrupt download never leaves a partial file.
    Raises :class:`ChecksumError` on a mismatch and ``OSError``/``urllib.error.URLError`` on
    network failure.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            bar = _progress_bar(total, f"downloading {dest.name}", progress)
            for block in iter(lambda: resp.read(1 << 20), b""):
                out.write(block)
                bar.update(len(block))
            bar.close()
        if md5 is not None:
            got = md5_of(tmp)
            if got != md5:
                raise ChecksumError(f"{url}: MD5 {got} differs from the official {md5}; the download was discarded")
        os.replace(tmp, dest)
        return dest
    finally:
        tmp.unlink(missing_ok=True)


def _progress_bar(total: int | None, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, disable=not enabled, leave=False)


def fetch_any(remote: RemoteFile, folder: Path, progress: bool = True) -> Path:
    """Download ``remote`` from the first mirror that serves it with the right checksum."""
    dest = Path(folder) / remote.name
    if dest.is_file() and md5_of(dest) == remote.md5:
        return dest
    errors = []
    for url in remote.urls():
        try:
            return fetch(url, dest, remote.md5, progress=progress)
        except (OSError, urllib.error.URLError, ChecksumError) as exc:
            errors.append(f"{url}: {exc}")
    raise OSError(f"could not download {remote.name}:\n  " + "\n  ".join(errors))


__all__ = ["ChecksumError", "RemoteFile", "fetch", "fetch_any", "md5_of"]
