"""Compositing and image metrics: one rule for numpy arrays and torch tensors alike.

A painter predicts where and how much paint lands (alpha); the stroke's colour is applied
here exactly, with the "over" rule ``canvas' = canvas * (1 - alpha) + colour * alpha``.
Canvases are channels-last floats in [0, 1] (``(..., H, W, 3)``); images on the env boundary
are uint8.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

Array = TypeVar("Array")  # np.ndarray or torch.Tensor

_NAMED_BACKGROUNDS = {"white": (1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0)}


def composite(canvas: Array, alpha: Array, color: Array) -> Array:
    """Lay a stroke over a canvas: ``canvas * (1 - alpha) + color * alpha``.

    Args:
        canvas: ``(..., H, W, 3)`` in [0, 1].
        alpha: ``(..., H, W)`` in [0, 1], the stroke's coverage.
        color: ``(..., 3)`` in [0, 1], one colour per stroke.

    Works unchanged on numpy arrays and (differentiably) on torch tensors.
    """
    a = alpha[..., None]
    return canvas * (1 - a) + color[..., None, None, :] * a


def composite_sequence(canvas: Array, alphas: Array, colors: Array) -> Array:
    """Composite T strokes in order: ``alphas`` ``(..., T, H, W)``, ``colors`` ``(..., T, 3)``."""
    for t in range(alphas.shape[-3]):
        canvas = composite(canvas, alphas[..., t, :, :], colors[..., t, :])
    return canvas


def background_rgb(background: str | Sequence[float] | np.ndarray) -> np.ndarray:
    """RGB ``(3,)`` float32 in [0, 1] of a background given by name or by value."""
    if isinstance(background, str):
        if background not in _NAMED_BACKGROUNDS:
            raise ValueError(f"unknown background {background!r}; use one of {sorted(_NAMED_BACKGROUNDS)} or an RGB triple in [0, 1]")
        return np.array(_NAMED_BACKGROUNDS[background], np.float32)
    rgb = np.asarray(background, dtype=np.float32)
    if rgb.shape != (3,) or not np.isfinite(rgb).all() or (rgb < 0).any() or (rgb > 1).any():
        raise ValueError(f"background must be 'white', 'black' or an RGB triple in [0, 1]; got {background!r}")
    return rgb


def blank_canvas(size: int, background: str | Sequence[float] = "white", batch: tuple[int, ...] = ()) -> np.ndarray:
    """A float32 canvas ``(*batch, size, size, 3)`` filled with the background colour."""
    return np.broadcast_to(background_rgb(background), (*batch, size, size, 3)).astype(np.float32)


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 image in 0..255 -> float32 in [0, 1]."""
    return np.asarray(image, dtype=np.float32) * np.float32(1.0 / 255.0)


def to_uint8(canvas: np.ndarray) -> np.ndarray:
    """Float canvas in [0, 1] -> uint8 in 0..255 (rounded, clipped)."""
    return np.clip(np.asarray(canvas) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def mse(a: Array, b: Array) -> Array:
    """Mean squared error over the last three axes ``(H, W, C)`` of images in [0, 1]."""
    d = (a - b) ** 2
    return d.mean(axis=(-3, -2, -1)) if isinstance(d, np.ndarray) else d.mean(dim=(-3, -2, -1))


def squared_error_sum(a: np.ndarray, b: np.ndarray) -> int:
    """Exact sum of squared differences of two uint8 images (in 0..255 units).

    Integer, so envs can update it region by region without drift.
    """
    d = (a.astype(np.int32) - b.astype(np.int32)).ravel()
    return int(np.dot(d, d))


def mse_uint8(a: np.ndarray, b: np.ndarray) -> float:
    """MSE on [0, 1] of two uint8 images ``(H, W, C)``."""
    return squared_error_sum(a, b) / (a.size * 255.0**2)
