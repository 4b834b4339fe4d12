"""Carry the training images to a machine that cannot see the data folder, small enough to travel.

A GPU machine lent for a few minutes gets a copy of the repository and nothing beside it, at most
64 MiB in all; the three archives (58 MB) and the repository (20 MB) do not fit. Only the images
training may see travel (the evaluation images never do), in the tightest lossless form found:

* ``pack SRC DEST`` (here): for each data set, the rows of each array that hold training images
  (:func:`paint_gym.data.split_arrays`' training split: MNIST's 60,000, KMNIST's 0-7999, CelebA's
  first 3,600) go to ``DEST/NAME.npz``, a zip of ``.npy`` members compressed with LZMA (which
  ``np.load`` reads; 7.8 MB for MNIST against 9.6 with zlib); CelebA's images go to
  ``DEST/celeba64.webp``, one lossless WebP mosaic (20 MB against 39 MB as a zlib npz).
  ``DEST/MANIFEST.json`` records each array's shape, dtype, rows kept and the SHA-256 of the
  array as unpacked.
* ``unpack SRC DEST`` (there): rebuilds ``DEST/{mnist,kmnist,celeba64}.npz`` (uncompressed) in the
  layout :mod:`paint_gym.data` reads, the rows that did not travel (evaluation images) set to 0,
  and checks every array's SHA-256. Point ``PAINT_GYM_DATA`` at ``DEST``.

    python scripts/gpu_data.py pack /work/shared/data .gpu/data
    python scripts/gpu_data.py unpack .gpu/data /tmp/paint_gym_data
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

#: Archive of each data set (as :mod:`paint_gym.data` names them) and how many leading rows of
#: each of its arrays hold training images; the other rows are evaluation images and stay behind.
KEEP: dict[str, dict[str, int]] = {
    "mnist": {"x_train": 60000, "y_train": 60000, "x_test": 0, "y_test": 0},
    "kmnist": {"x_test": 8000, "y_test": 8000},
    "celeba64": {"x": 3600, "ids": 3600},
}
DATASET = {"mnist": "mnist", "kmnist": "kmnist", "celeba64": "celeba"}
#: Arrays stored as a lossless WebP mosaic (colour photographs: WebP halves zlib's size).
MOSAIC = {("celeba64", "x")}
MOSAIC_COLUMNS = 60


def sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def mosaic(images: np.ndarray, columns: int = MOSAIC_COLUMNS) -> np.ndarray:
    """Images ``(N, h, w, 3)`` -> one image ``(rows * h, columns * w, 3)``, row-major, zero-padded."""
    n, h, w = images.shape[:3]
    rows = -(-n // columns)
    padded = np.zeros((rows * columns, *images.shape[1:]), images.dtype)
    padded[:n] = images
    return padded.reshape(rows, columns, h, w, -1).swapaxes(1, 2).reshape(rows * h, columns * w, -1)


def unmosaic(grid: np.ndarray, n: int, h: int, w: int) -> np.ndarray:
    """The inverse of :func:`mosaic`: the first ``n`` images ``(n, h, w, 3)``."""
    rows, columns = grid.shape[0] // h, grid.shape[1] // w
    return grid.reshape(rows, h, columns, w, -1).swapaxes(1, 2).reshape(rows * columns, h, w, -1)[:n]


def full_arrays(name: str, kept: dict[str, np.ndarray], manifest: dict) -> dict[str, np.ndarray]:
    """The archive's arrays at their full shapes: kept rows first, zeros after."""
    out = {}
    for key, spec in manifest[name].items():
        arr = np.zeros(spec["shape"], spec["dtype"])
        arr[: spec["rows"]] = kept[key]
        out[key] = arr
    return out


def pack(src: Path, dest: Path) -> None:
    """Write the training rows of ``src``'s archives to ``dest`` (see the module docstring)."""
    from paint_gym.data import split_arrays

    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    for name, keep in KEEP.items():
        with np.load(src / f"{name}.npz") as z:
            arrays = {k: z[k] for k in z.files}
        if set(arrays) != set(keep):
            raise ValueError(f"{name}.npz holds {sorted(arrays)}; expected {sorted(keep)}")
        kept = {k: arrays[k][:rows] for k, rows in keep.items()}
        manifest[name] = {
            k: {"shape": list(a.shape), "dtype": str(a.dtype), "rows": keep[k]} for k, a in arrays.items()
        }
        restored = full_arrays(name, kept, manifest)
        travels, _ = split_arrays(DATASET[name], "train", restored)
        original, _ = split_arrays(DATASET[name], "train", arrays)
        if not np.array_equal(travels, original):  # the rows kept hold the whole training split
            raise ValueError(f"{name}: the rows kept do not hold its training split")
        with zipfile.ZipFile(dest / f"{name}.npz", "w", compression=zipfile.ZIP_LZMA) as zf:
            for k, part in kept.items():
                if (name, k) in MOSAIC:
                    Image.fromarray(mosaic(part)).save(dest / f"{name}.webp", "WEBP", lossless=True, quality=100)
                    continue
                buf = io.BytesIO()
                np.save(buf, part)
                zf.writestr(f"{k}.npy", buf.getvalue())
        for k, arr in restored.items():
            manifest[name][k]["sha256"] = sha256(arr)
        print(f"{name}: kept the leading rows {keep}")
    (dest / "MANIFEST.json").write_text(json.dumps(manifest, indent=1))
    total = sum(p.stat().st_size for p in dest.iterdir())
    print(f"wrote {dest}: {total / 2**20:.1f} MiB")


def unpack(src: Path, dest: Path) -> None:
    """Rebuild the archives in ``dest`` from a :func:`pack` folder, checking every array's SHA-256."""
    manifest = json.loads((src / "MANIFEST.json").read_text())
    dest.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in manifest:
        try:
            unpack_one(src, dest, name, manifest)
        except Exception as exc:  # noqa: BLE001  (one data set that fails must not stop the others)
            print(f"{name}: could not unpack: {type(exc).__name__}: {exc}")
            failed.append(name)
    if failed:
        raise SystemExit(f"could not unpack {', '.join(failed)}")


def unpack_one(src: Path, dest: Path, name: str, manifest: dict) -> None:
    """Rebuild ``dest/NAME.npz`` (see :func:`unpack`)."""
    specs = manifest[name]
    with np.load(src / f"{name}.npz") as z:
        kept = {k: z[k] for k in z.files}
    for key, spec in specs.items():
        if (name, key) in MOSAIC:
            with Image.open(src / f"{name}.webp") as im:
                grid = np.asarray(im.convert("RGB"))
            kept[key] = unmosaic(grid, spec["rows"], *spec["shape"][1:3])
    arrays = full_arrays(name, kept, manifest)
    bad = [k for k, arr in arrays.items() if sha256(arr) != specs[k]["sha256"]]
    if bad:
        raise ValueError(f"arrays {bad} do not match their SHA-256 in {src / 'MANIFEST.json'}")
    np.savez(dest / f"{name}.npz", **arrays)
    print(f"{name}: {', '.join(f'{k} {tuple(a.shape)}' for k, a in arrays.items())} (checked)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("pack", "unpack"))
    parser.add_argument("src", type=Path)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    (pack if args.action == "pack" else unpack)(args.src, args.dest)


if __name__ == "__main__":
    main()
