"""Target images: MNIST, KMNIST and CelebA (local archives or real downloads) and Strokes.

Archives are found in this order (ARCHITECTURE.md): the explicit ``data_dir`` argument, the
folder in ``PAINT_GYM_DATA``, the user cache (``~/.cache/paint_gym`` or ``PAINT_GYM_CACHE``),
then a download from the official source, verified by checksum and built into the cache.
An archive is an ``.npz`` file in the layout of the project's shared copies
(``mnist.npz``: ``x_train, y_train, x_test, y_test``; ``kmnist.npz``: ``x_test, y_test``;
``celeba64.npz``: ``x, ids``).

Targets are uint8 RGB canvases: MNIST/KMNIST become dark ink on white (inverted and resized
bilinearly over the whole canvas), CelebA is 64x64 RGB (resized when the canvas differs).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from .painters.base import CanvasPainter

ENV_DATA = "PAINT_GYM_DATA"
ENV_CACHE = "PAINT_GYM_CACHE"
DATASETS = ("mnist", "kmnist", "celeba")
SPLITS = ("train", "eval")
#: CelebA images kept when building from the official archive: the first 4,000 aligned faces,
#: the same images as the project's shared copy, so benchmark splits agree on every machine.
CELEBA_IMAGES = 4000


class DataNotFoundError(FileNotFoundError):
    """No local copy of a data set and no way to download it; the message names every option."""


class ChecksumError(ValueError):
    """A downloaded file's checksum differs from the official one (the file was discarded)."""


# ----------------------------------------------------------------------------------------
# Downloads
# ----------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------
# Official sources and how their files become the project's archives
# ----------------------------------------------------------------------------------------


def read_idx(path: Path) -> np.ndarray:
    """Read a (gzipped) IDX file, the format of the official MNIST/KMNIST releases."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {tuple(dims)} but holds {data.size} bytes")
    return data.reshape(dims)


def _build_idx(pairs: dict[str, tuple[str, str]]) -> Callable[[dict[str, Path]], dict[str, np.ndarray]]:
    def build(files: dict[str, Path]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for split, (images, labels) in pairs.items():
            out[f"x_{split}"] = read_idx(files[images])
            out[f"y_{split}"] = read_idx(files[labels]).astype(np.int64)
        return out

    return build


def _build_celeba(files: dict[str, Path], limit: int = CELEBA_IMAGES) -> dict[str, np.ndarray]:
    """Aligned 178x218 CelebA JPEGs -> centre 178x178 crop (rows 20..197) -> 64x64 bicubic."""
    from tqdm.auto import tqdm

    with zipfile.ZipFile(files["img_align_celeba.zip"]) as zf:
        names = sorted(n for n in zf.namelist() if n.lower().endswith(".jpg"))[:limit]
        x = np.empty((len(names), 64, 64, 3), np.uint8)
        for i, name in enumerate(tqdm(names, desc="building celeba64", leave=False)):
            img = Image.open(io.BytesIO(zf.read(name))).convert("RGB")
            img = img.crop((0, 20, 178, 198)).resize((64, 64), Image.Resampling.BICUBIC)
            x[i] = np.asarray(img)
        ids = np.array([int(Path(n).stem) for n in names], np.int32)
    return {"x": x, "ids": ids}


@dataclass(frozen=True)
class Source:
    """Where a data set comes from online and how its files become the local archive."""

    archive: str
    files: tuple[RemoteFile, ...]
    build: Callable[[dict[str, Path]], dict[str, np.ndarray]] = field(compare=False)


_MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
_KMNIST_MIRRORS = ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",)
_CELEBA_DRIVE = (
    "https://drive.usercontent.google.com/download?id=0B7EVK8r0v71pZjFTYXZWM3FlRnM&export=download&confirm=t"
)

SOURCES: dict[str, Source] = {
    "mnist": Source(
        "mnist.npz",
        (
            RemoteFile("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", _MNIST_MIRRORS),
            RemoteFile("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", _MNIST_MIRRORS),
            RemoteFile("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", _MNIST_MIRRORS),
            RemoteFile("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", _MNIST_MIRRORS),
        ),
        _build_idx(
            {
                "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
            }
        ),
    ),
    # Only the official test split is used (train = images 0-7999, eval = 8000-9999), so that
    # every machine trains and evaluates on the same images as the project's offline copy.
    "kmnist": Source(
        "kmnist.npz",
        (
            RemoteFile("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7", _KMNIST_MIRRORS),
            RemoteFile("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134", _KMNIST_MIRRORS),
        ),
        _build_idx({"test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}),
    ),
    "celeba": Source(
        "celeba64.npz",
        (RemoteFile("img_align_celeba.zip", "00d2c5bc6d35e252742224ab0c1e8fcb", (_CELEBA_DRIVE,)),),
        _build_celeba,
    ),
}


def cache_dir() -> Path:
    """The user cache: ``PAINT_GYM_CACHE`` or ``~/.cache/paint_gym``."""
    return Path(os.environ.get(ENV_CACHE) or Path.home() / ".cache" / "paint_gym")


def download(name: str, folder: Path | None = None, *, source: Source | None = None, progress: bool = True) -> Path:
    """Download a data set from its official source and build its archive in ``folder``.

    Raw downloads stay in ``folder/raw`` (checksummed, reused); the archive is written
    atomically. ``source`` overrides the official one (tests serve small files locally).
    """
    src = source or SOURCES[_check_name(name)]
    folder = Path(folder or cache_dir())
    raw = folder / "raw" / name
    files = {f.name: fetch_any(f, raw, progress=progress) for f in src.files}
    arrays = src.build(files)
    dest = folder / src.archive
    fd, tmp = tempfile.mkstemp(prefix=f".{src.archive}.", suffix=".npz", dir=folder)
    os.close(fd)
    try:
        np.savez_compressed(tmp, **arrays)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def _check_name(name: str) -> str:
    key = name.lower()
    if key not in SOURCES:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    return key


def find_archive(name: str, data_dir: str | os.PathLike | None = None, *, allow_download: bool = True) -> Path:
    """Path of a data set's archive, following the resolution order of the module docstring."""
    key = _check_name(name)
    archive = SOURCES[key].archive
    looked: list[str] = []
    places = [("data_dir argument", data_dir), (ENV_DATA, os.environ.get(ENV_DATA)), ("user cache", cache_dir())]
    for label, folder in places:
        if not folder:
            looked.append(f"{label}: not set")
            continue
        path = Path(folder).expanduser() / archive
        if path.is_file():
            return path
        looked.append(f"{label}: no {path}")
    if allow_download:
        try:
            return download(key)
        except OSError as exc:
            looked.append(f"download from the official source failed: {exc}")
    else:
        looked.append("download: not allowed")
    raise DataNotFoundError(
        f"data set {name!r} ({archive}) not found. Looked in:\n  "
        + "\n  ".join(looked)
        + f"\nPass data_dir=, set {ENV_DATA} to a folder holding {archive}, or go online so it can be downloaded."
    )


def load_arrays(
    name: str, data_dir: str | os.PathLike | None = None, *, allow_download: bool = True
) -> dict[str, np.ndarray]:
    """All arrays of a data set's archive, loaded into memory."""
    path = find_archive(name, data_dir, allow_download=allow_download)
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path} is not a readable .npz archive ({exc}); delete it and retry") from exc


def split_arrays(name: str, split: str, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
    """Images and labels (or None) of a split: MNIST train/test, KMNIST 0-7999/8000-9999 of its
    test file, CelebA first 90% / last 10%."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; got {split!r}")
    key = _check_name(name)
    try:
        if key == "mnist":
            s = "train" if split == "train" else "test"
            return arrays[f"x_{s}"], arrays[f"y_{s}"]
        if key == "kmnist":
            part = slice(0, 8000) if split == "train" else slice(8000, 10000)
            return arrays["x_test"][part], arrays["y_test"][part]
        x = arrays["x"]
        cut = round(0.9 * len(x))
        return (x[:cut], None) if split == "train" else (x[cut:], None)
    except KeyError as exc:
        raise ValueError(f"the {name} archive lacks the array {exc}; it is not in the expected layout") from exc


# ----------------------------------------------------------------------------------------
# Target sources used by the envs
# ----------------------------------------------------------------------------------------


class TargetSource(Protocol):
    """Something that draws target images (uint8 ``(H, W, 3)``) with the env's generator."""

    canvas_size: int

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]: ...


class ImageTargets:
    """Targets from MNIST, KMNIST or CelebA at ``canvas_size`` pixels, converted lazily."""

    def __init__(
        self, name: str, split: str = "train", canvas_size: int = 64, data_dir: str | os.PathLike | None = None
    ) -> None:
        self.name = _check_name(name)
        self.split = split
        self.canvas_size = int(canvas_size)
        self.images, self.labels = split_arrays(self.name, split, load_arrays(self.name, data_dir))
        if len(self.images) == 0:
            raise ValueError(f"the {split} split of {name} is empty")

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> np.ndarray:
        return to_target(self.images[index], self.canvas_size)

    def batch(self, indices: Sequence[int]) -> np.ndarray:
        """Targets ``(B, H, W, 3)`` uint8 for the given indices."""
        return np.stack([self[int(i)] for i in indices])

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        i = int(rng.integers(len(self)))
        info: dict[str, Any] = {"target_index": i}
        if self.labels is not None:
            info["target_label"] = int(self.labels[i])
        return self[i], info


def to_target(image: np.ndarray, canvas_size: int) -> np.ndarray:
    """A data set image -> uint8 RGB target ``(S, S, 3)``.

    Grayscale digits (white ink on black) are inverted to dark ink on white and resized
    bilinearly over the whole canvas; RGB images are resized bicubically when needed.

    Args:
        image: uint8 ``(h, w)`` grayscale or ``(h, w, 3)`` RGB.
        canvas_size: side of the square target in pixels.

    Returns uint8 ``(canvas_size, canvas_size, 3)``. Pillow infers the image mode from the uint8
    array ("L" or "RGB"); its ``mode=`` argument is deprecated (Pillow 11.3) and not used.
    """
    if image.ndim == 2:
        ink = 255 - np.asarray(image, dtype=np.uint8)
        pil = Image.fromarray(ink).resize((canvas_size, canvas_size), Image.Resampling.BILINEAR)
        return np.repeat(np.asarray(pil)[..., None], 3, axis=-1)
    if image.shape[:2] == (canvas_size, canvas_size):
        return np.ascontiguousarray(image)
    pil = Image.fromarray(np.asarray(image, dtype=np.uint8)).resize(
        (canvas_size, canvas_size), Image.Resampling.BICUBIC
    )
    return np.asarray(pil)


class StrokeTargets:
    """Targets painted from seeded random actions; ``info`` holds the actions and brush seed.

    ``painter`` is a :class:`~paint_gym.painters.base.CanvasPainter` (``paint(actions (T, 12))
    -> uint8 (H, W, 3)`` and ``reseed(seed)``, e.g. :class:`~paint_gym.MyPaintPainter`), so this
    needs no data at all.
    """

    def __init__(self, painter: CanvasPainter, n_strokes: int = 8) -> None:
        self.painter = painter
        self.canvas_size = int(painter.canvas_size)
        self.n_strokes = int(n_strokes)

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        actions = rng.uniform(-1.0, 1.0, (self.n_strokes, 12)).astype(np.float32)
        seed = int(rng.integers(1 << 31))
        self.painter.reseed(seed)
        return self.painter.paint(actions), {"target_actions": actions, "target_seed": seed}
