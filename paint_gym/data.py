"""Target images: MNIST, KMNIST and CelebA (local archives or real downloads) and Strokes.

Archives are found in this order (ARCHITECTURE.md): the explicit ``data_dir`` argument, the
folder in ``PAINT_GYM_DATA``, the user cache (``~/.cache/paint_gym`` or ``PAINT_GYM_CACHE``),
then a download from the official source (:mod:`paint_gym.downloads`), verified by checksum
and built into the cache. An archive is an ``.npz`` file in the layout of the project's shared copies
(``mnist.npz``: ``x_train, y_train, x_test, y_test``; ``kmnist.npz``: ``x_test, y_test``;
``celeba64.npz``: ``x, ids``). Every archive is checked when it is read (:func:`load_arrays`:
readable, the arrays present, uint8 images of the right rank, integer labels one per image and
in range) and every raw file when an archive is built from it; a file that fails says which
file, what it holds and what is expected (:class:`DataArchiveError`).

Targets are uint8 RGB canvases: MNIST/KMNIST become dark ink on white (inverted and resized
bilinearly over the whole canvas), CelebA is 64x64 RGB (resized when the canvas differs).
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PIL import Image

from .downloads import ChecksumError, RemoteFile, fetch, fetch_any, md5_of  # noqa: F401  (re-exported)
from .outputs import Output, check_all

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


class DataArchiveError(ValueError):
    """A data file (an archive, or a raw file an archive is built from) cannot be read or is not
    in the expected layout; the message names the file, what it holds and what is expected."""


# ----------------------------------------------------------------------------------------
# Official sources and how their files become the project's archives
# ----------------------------------------------------------------------------------------


def read_idx(path: Path) -> np.ndarray:
    """Read a (gzipped when the name ends in ``.gz``) IDX file, the format of the official
    MNIST/KMNIST releases: uint8 array of the shape its header gives. Raises
    :class:`DataArchiveError` (a ``ValueError``) naming the file when it cannot be read or
    decompressed, is not an unsigned-byte IDX file, or holds another number of bytes than its
    header says."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; a cut gzip stream an EOFError
        raise DataArchiveError(
            f"{path} is not a readable {'gzipped ' if opener is gzip.open else ''}IDX file "
            f"({type(exc).__name__}: {exc}); delete it so that it is downloaded again"
        ) from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataArchiveError(f"{path} is not an unsigned-byte IDX file (its first bytes are {raw[:4]!r})")
    ndim = raw[3]
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise DataArchiveError(f"{path}: its IDX header is cut short or declares {ndim} dimensions")
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DataArchiveError(f"{path}: header says {tuple(dims)} but holds {data.size} bytes")
    return data.reshape(dims)


def _build_idx(pairs: dict[str, tuple[str, str]]) -> Callable[[dict[str, Path]], dict[str, np.ndarray]]:
    def build(files: dict[str, Path]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for split, (images, labels) in pairs.items():
            x, y = read_idx(files[images]), read_idx(files[labels])
            if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
                raise DataArchiveError(
                    f"{files[images]} holds images {x.shape} and {files[labels]} labels {y.shape}: expected "
                    "images (N, h, w) and labels (N,), one per image; delete both so that they are downloaded again"
                )
            out[f"x_{split}"], out[f"y_{split}"] = x, y.astype(np.int64)
        return out

    return build


def _build_celeba(files: dict[str, Path], limit: int = CELEBA_IMAGES) -> dict[str, np.ndarray]:
    """Aligned 178x218 CelebA JPEGs -> centre 178x178 crop (rows 20..197) -> 64x64 bicubic."""
    from tqdm.auto import tqdm

    path = files["img_align_celeba.zip"]
    redo = "delete it so that it is downloaded again"
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if n.lower().endswith(".jpg"))[:limit]
            if not names or not all(Path(n).stem.isdigit() for n in names):
                raise DataArchiveError(
                    f"{path} holds no aligned CelebA images (expected JPEGs named 000001.jpg, ...); {redo}"
                )
            x = np.empty((len(names), 64, 64, 3), np.uint8)
            for i, name in enumerate(tqdm(names, desc="building celeba64", leave=False)):
                img = Image.open(io.BytesIO(zf.read(name))).convert("RGB")
                if img.size != (178, 218):
                    raise DataArchiveError(
                        f"{path}: {name} is {img.size[0]}x{img.size[1]}, not aligned CelebA's 178x218"
                    )
                img = img.crop((0, 20, 178, 198)).resize((64, 64), Image.Resampling.BICUBIC)
                x[i] = np.asarray(img)
    except DataArchiveError:
        raise
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:  # a cut zip, a broken JPEG
        raise DataArchiveError(f"{path} is not a readable CelebA zip ({type(exc).__name__}: {exc}); {redo}") from exc
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


def download_outputs(
    name: str, folder: str | os.PathLike | None = None, label: str = "folder", source: Source | None = None
) -> list[Output]:
    """The paths :func:`download` writes for data set ``name``: ``folder`` (None: the cache),
    the archive in it and the folder of its raw downloads (``raw/NAME``), for
    :func:`paint_gym.outputs.check_all` (``label``: how messages call the folder)."""
    archive = (source or SOURCES[_check_name(name)]).archive
    folder = Path(folder or cache_dir())
    return [
        Output(label, "folder", folder),
        Output(f"{label}'s {archive}", "arrays", folder / archive, derived=True),
        Output(f"{label}'s raw/{name}", "folder", folder / "raw" / name),
    ]


def download(name: str, folder: Path | None = None, *, source: Source | None = None, progress: bool = True) -> Path:
    """Download a data set from its official source and build its archive in ``folder``.

    Raw downloads stay in ``folder/raw`` (checksummed, reused); the archive is written
    atomically. ``source`` overrides the official one (tests serve small files locally).
    ``ValueError`` before any download for a path that cannot be written (:func:`download_outputs`).
    """
    src = source or SOURCES[_check_name(name)]
    folder = Path(folder or cache_dir())
    check_all(download_outputs(name, folder, source=src))
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


@dataclass(frozen=True)
class ArchiveLayout:
    """What a data set's archive must hold: pairs of an image array and its labels, by name.

    Images are uint8 (0..255) ``(N, h, w)`` greyscale (``channels`` None) or ``(N, h, w, 3)``
    RGB, N >= ``min_images``; labels are integers ``(N,)``, one per image, class indices
    ``0..classes - 1`` (``classes`` None: any integers, CelebA's image numbers).
    """

    pairs: tuple[tuple[str, str], ...]
    channels: int | None
    classes: int | None
    min_images: int = 1
    splits: str = ""
    """Where the train and eval splits come from, and so why ``min_images`` (for messages)."""

    def describe(self) -> str:
        """The layout in words, for error messages."""
        shape = "(N, h, w)" if self.channels is None else f"(N, h, w, {self.channels})"
        labels = "integers" if self.classes is None else f"integers 0..{self.classes - 1}"
        need = f", N >= {self.min_images:,}" if self.min_images > 1 else ", N >= 1"
        arrays = "; ".join(f"{x} uint8 {shape} in 0..255 and {y} (N,) {labels}{need}" for x, y in self.pairs)
        return f"{arrays} ({self.splits})" if self.splits else arrays


#: The layout of each data set's archive (the project's shared copies; /work/shared/data/README.md).
#: KMNIST's splits are images 0-7999 and 8000-9999 of its test file, so it needs all 10,000;
#: CelebA's are its first 90% and last 10% (rounded), so it needs 10 images for one in each.
LAYOUTS: dict[str, ArchiveLayout] = {
    "mnist": ArchiveLayout(
        (("x_train", "y_train"), ("x_test", "y_test")),
        None,
        10,
        splits="the train split is x_train and the eval split x_test: each needs at least one image",
    ),
    "kmnist": ArchiveLayout(
        (("x_test", "y_test"),),
        None,
        10,
        min_images=10000,
        splits="the train split is images 0-7999 of x_test and the eval split 8000-9999, so it needs 10,000",
    ),
    "celeba": ArchiveLayout(
        (("x", "ids"),),
        3,
        None,
        min_images=10,
        splits="the train split is the first 90% of x and the eval split the last 10%: "
        "at least 10 images give each split one",
    ),
}


def check_archive(name: str, arrays: dict[str, np.ndarray], path: str | os.PathLike) -> None:
    """Check ``arrays`` read from ``path`` against the layout of data set ``name``
    (:data:`LAYOUTS`). Raises :class:`DataArchiveError` naming the file, the first array that
    differs, what it holds and what is expected (floats in [0, 1] are named as such: they would
    otherwise become blank targets)."""
    layout = LAYOUTS[_check_name(name)]

    def fail(problem: str) -> DataArchiveError:
        return DataArchiveError(
            f"{path}: {problem}. The {name} archive holds {layout.describe()}; "
            "replace the file (or delete it: a data set in the user cache is downloaded again)"
        )

    missing = [k for pair in layout.pairs for k in pair if k not in arrays]
    if missing:
        held = ", ".join(sorted(arrays)) or "none"
        raise fail(f"lacks {', '.join(missing)} (it holds {held})")
    for key in (k for pair in layout.pairs for k in pair):
        if not isinstance(arrays[key], np.ndarray):
            held = arrays[key]
            what = f"{len(held):,} raw bytes" if isinstance(held, bytes) else f"a {type(held).__name__}"
            raise fail(f"its member {key!r} is {what}, not a .npy array (save the archive with np.savez)")
    rank = 3 if layout.channels is None else 4
    for x_key, y_key in layout.pairs:
        x, y = arrays[x_key], arrays[y_key]
        if x.dtype != np.uint8:
            span = f" with values {x.min():.4g}..{x.max():.4g}" if x.size and x.dtype.kind in "fiu" else ""
            fix = " (floats in [0, 1]: save (x * 255).round().astype(np.uint8))" if x.dtype.kind == "f" else ""
            raise fail(f"{x_key} is {x.dtype}{span}, not uint8 0..255{fix}")
        if x.ndim != rank or (layout.channels is not None and x.shape[-1] != layout.channels) or 0 in x.shape[1:]:
            raise fail(f"{x_key} has shape {x.shape}")
        if len(x) < layout.min_images:
            raise fail(f"{x_key} holds {len(x):,} images")
        if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(x):
            raise fail(f"{y_key} is {y.dtype} {y.shape} for {len(x):,} images in {x_key}")
        if layout.classes is not None and len(y) and (y.min() < 0 or y.max() >= layout.classes):
            raise fail(f"{y_key} holds labels {y.min()}..{y.max()}")


def load_arrays(
    name: str, data_dir: str | os.PathLike | None = None, *, allow_download: bool = True
) -> dict[str, np.ndarray]:
    """All arrays of a data set's archive, loaded into memory and checked
    (:func:`check_archive`). Raises :class:`DataNotFoundError` when no archive is found
    (:func:`find_archive`) and :class:`DataArchiveError` naming the file when it is not a
    readable ``.npz`` archive (empty, cut short, another format) or not in the layout."""
    path = find_archive(name, data_dir, allow_download=allow_download)
    redo = "replace the file (or delete it: a data set in the user cache is downloaded again)"
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as exc:  # empty (EOFError), not a zip, pickled objects, unreadable: all "not an archive"
        size = path.stat().st_size if path.is_file() else 0
        raise DataArchiveError(
            f"{path} ({size:,} bytes) is not a readable .npz archive ({type(exc).__name__}: {exc}); "
            f"expected {LAYOUTS[_check_name(name)].describe()}; {redo}"
        ) from exc
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise DataArchiveError(
            f"{path} holds one unnamed array {getattr(loaded, 'shape', '')} (a .npy file), not a readable .npz archive "
            f"of named arrays; expected {LAYOUTS[_check_name(name)].describe()}; {redo}"
        )
    with loaded as z:
        try:
            arrays = {k: z[k] for k in z.files}
        except Exception as exc:  # a damaged member: bad CRC, cut stream, object arrays
            raise DataArchiveError(
                f"{path} is not a readable .npz archive: an array could not be read "
                f"({type(exc).__name__}: {exc}); expected {LAYOUTS[_check_name(name)].describe()}; {redo}"
            ) from exc
    check_archive(name, arrays, path)
    return arrays


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

    def check_index(self, index: Any, name: str = "index") -> int:
        """``index`` as an ``int`` if it is a whole number in ``0..len(self) - 1``; else
        ``ValueError`` naming ``name``, the split and its size."""
        n = len(self)
        whole = isinstance(index, (int, np.integer)) and not isinstance(index, (bool, np.bool_))
        if not whole or not 0 <= index < n:
            raise ValueError(
                f"{name} must be an integer in 0..{n - 1}: the {self.split} split of {self.name} holds "
                f"{n:,} images; got {index!r}"
            )
        return int(index)

    def __getitem__(self, index: int) -> np.ndarray:
        """The target of image ``index`` (negative counts from the end, as for a list);
        ``IndexError`` naming the split's size beyond it."""
        if isinstance(index, (int, np.integer)) and not -len(self) <= index < len(self):
            raise IndexError(
                f"image {index} is out of range: the {self.split} split of {self.name} holds {len(self):,} images "
                f"(indices 0..{len(self) - 1})"
            )
        return to_target(self.images[index], self.canvas_size)

    def batch(self, indices: Sequence[int]) -> np.ndarray:
        """Targets ``(B, H, W, 3)`` uint8 for the given indices (``IndexError`` naming the
        split's size for one beyond it; none: ``ValueError``)."""
        if len(indices) == 0:
            raise ValueError(f"batch needs at least one index into the {self.split} split of {self.name}")
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

    Returns a new uint8 array ``(canvas_size, canvas_size, 3)`` (never a view of ``image``:
    changing a target cannot change the data set). Raises ``ValueError`` for another dtype
    (float images in [0, 1] would silently become blank targets) or shape. Pillow infers the
    image mode from the uint8 array ("L" or "RGB"); its ``mode=`` argument is deprecated
    (Pillow 11.3) and not used.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] == 3)):
        raise ValueError(
            f"a data set image must be uint8 (h, w) greyscale or (h, w, 3) RGB in 0..255; got {image.dtype} "
            f"{image.shape} (floats in [0, 1]: (x * 255).round().astype(np.uint8))"
        )
    if image.ndim == 2:
        pil = Image.fromarray(255 - image).resize((canvas_size, canvas_size), Image.Resampling.BILINEAR)
        return np.repeat(np.asarray(pil)[..., None], 3, axis=-1)
    if image.shape[:2] == (canvas_size, canvas_size):
        return np.array(image, order="C")  # a copy
    return np.array(Image.fromarray(image).resize((canvas_size, canvas_size), Image.Resampling.BICUBIC))


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
