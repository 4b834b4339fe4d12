"""Compositing and image metrics: one rule for numpy arrays and torch tensors alike.

A painter predicts where and how much paint lands (alpha); the stroke's colour is applied
here exactly, with the "over" rule ``canvas' = canvas * (1 - alpha) + colour * alpha``.
Canvases are channels-last floats in [0, 1] (``(..., H, W, 3)``); images on the env boundary
are uint8.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

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
    """Exact sum of squared differences of two uint8 images of one shape (in 0..255 units).

    Args:
        a, b: uint8 arrays of the same shape (any number of axes), e.g. ``(H, W, 3)``.

    Returns a Python ``int`` (unbounded), so envs can update it region by region without
    drift. Each term is at most ``255**2``, so the sum is accumulated in int64: an int32 sum
    overflows from about 33,000 maximal differences on (e.g. a 128 px RGB canvas), which once
    made rewards and ``info["l2"]`` wrong on larger canvases. int64 is exact up to ~1.4e14
    elements. Raises ``ValueError`` when the shapes differ or the dtype is not uint8.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"squared_error_sum needs two images of one shape; got {a.shape} and {b.shape}")
    if a.dtype != np.uint8 or b.dtype != np.uint8:
        raise ValueError(f"squared_error_sum needs uint8 images (0..255); got {a.dtype} and {b.dtype}: convert with to_uint8")
    d = (a.astype(np.int64) - b.astype(np.int64)).ravel()
    return int(np.dot(d, d))


def mse_uint8(a: np.ndarray, b: np.ndarray) -> float:
    """MSE on [0, 1] of two uint8 images of one shape ``(H, W, C)``; exact at any size.

    Returns a Python float in [0, 1]; raises ``ValueError`` as :func:`squared_error_sum`.
    """
    return squared_error_sum(a, b) / (np.asarray(a).size * 255.0**2)


def composite_moments(mean: Array, second: Array, alpha_mean: Array, alpha_var: Array, color: Array) -> tuple[Array, Array]:
    """Propagate a canvas pixel's first two moments through one random stroke.

    With the stroke's alpha ``a`` independent of the canvas ``c`` (strokes are painted with
    independent brush seeds), ``c' = c (1 - a) + color a`` gives exactly
    ``E[c'] = E[c] (1 - E[a]) + color E[a]`` and
    ``E[c'^2] = E[c^2] E[(1 - a)^2] + 2 color E[c] E[a (1 - a)] + color^2 E[a^2]``.

    Shapes as in :func:`composite`: ``mean``/``second`` ``(..., H, W, 3)``, alpha moments
    ``(..., H, W)``, ``color`` ``(..., 3)``.
    """
    m_a = alpha_mean[..., None]
    e_a2 = alpha_var[..., None] + m_a**2  # E[a^2]
    col = color[..., None, None, :]
    new_mean = mean * (1 - m_a) + col * m_a
    new_second = second * (1 - 2 * m_a + e_a2) + 2 * col * mean * (m_a - e_a2) + col**2 * e_a2
    return new_mean, new_second


def expected_mse(actions: Any, target: Any, painter: Any, background: str | Sequence[float] = "white") -> Any:
    """Expected MSE, over brush seeds, of painting ``actions`` with the real program.

    ``actions`` ``(B, T, 12)`` torch tensor; ``target`` ``(B, 3, H, W)`` float tensor in [0, 1]
    (the layout of ``NeuralPaintEnv.paint``) or uint8 numpy ``(B, H, W, 3)``; ``painter`` a
    neural painter with ``render_alpha(actions, return_var=True)``. Returns ``(B,)``,
    differentiable with respect to the actions: ``E[(c - t)^2] = E[c^2] - 2 t E[c] + t^2``.
    The seed-to-seed variance of the brush is priced in, so optimising this avoids strokes that
    look smooth in the neural canvas but come out speckled in MyPaint.
    """
    import torch

    if not isinstance(actions, torch.Tensor) or actions.ndim != 3 or actions.shape[-1] != 12:
        raise ValueError(f"actions must be a torch tensor (B, T, 12); got {type(actions).__name__} {tuple(getattr(actions, 'shape', ()))}")
    if not actions.is_floating_point() or not torch.isfinite(actions).all():  # the boundary: painters no longer check values
        raise ValueError("actions must be finite floats (no NaN or inf)")
    b, t = actions.shape[:2]
    alpha, var, colors = _render_sequence(painter, actions, return_var=True)
    size = alpha.shape[-1]
    tgt = _target_channels_last(target, alpha.device)
    if tgt.shape != (b, size, size, 3):
        raise ValueError(f"target must hold {b} images of {size}x{size}; got {tuple(tgt.shape)} (channels last)")
    bg = torch.as_tensor(background_rgb(background), device=alpha.device)
    mean = bg.expand(b, size, size, 3)
    second = mean**2
    for k in range(t):
        mean, second = composite_moments(mean, second, alpha[:, k], var[:, k], colors[:, k])
    return (second - 2 * tgt * mean + tgt**2).mean(dim=(1, 2, 3))


def _target_channels_last(target: Any, device: Any) -> Any:
    import torch

    if isinstance(target, np.ndarray):
        if target.dtype != np.uint8 or target.ndim != 4 or target.shape[-1] != 3:
            raise ValueError(f"a numpy target must be uint8 (B, H, W, 3); got {target.dtype} {target.shape}")
        return torch.as_tensor(to_float(target), device=device)
    if not isinstance(target, torch.Tensor) or target.ndim != 4 or target.shape[1] != 3 or not target.is_floating_point():
        raise ValueError(f"a torch target must be float (B, 3, H, W) in [0, 1]; got {getattr(target, 'dtype', type(target))} {tuple(getattr(target, 'shape', ()))}")
    return target.to(device).permute(0, 2, 3, 1)


def paint_differentiable(painter: Any, actions: Any, canvas: Any = None, background: str | Sequence[float] = "white") -> Any:
    """Paint ``actions`` ``(B, T, 12)`` (torch) with a torch painter onto canvases, differentiably.

    ``canvas`` is ``(B, H, W, 3)`` in [0, 1] or None for a blank ``background``. All T strokes
    are rendered in one batch, then composited in order. Returns ``(B, H, W, 3)``.
    """
    import torch

    if not isinstance(actions, torch.Tensor) or actions.ndim != 3 or actions.shape[-1] != 12:
        raise ValueError(f"actions must be a torch tensor (B, T, 12); got {type(actions).__name__} {tuple(getattr(actions, 'shape', ()))}")
    if not actions.is_floating_point() or not torch.isfinite(actions).all():
        raise ValueError("actions must be finite floats (no NaN or inf)")
    b, t, size = actions.shape[0], actions.shape[1], painter.canvas_size
    if canvas is None:
        canvas = torch.as_tensor(background_rgb(background), device=actions.device).expand(b, size, size, 3)
    elif tuple(canvas.shape) != (b, size, size, 3):
        raise ValueError(f"canvas must be (B, H, W, 3) = {(b, size, size, 3)}; got {tuple(canvas.shape)}")
    if t == 0:
        return canvas
    alpha, colors = _render_sequence(painter, actions)
    return composite_sequence(canvas.to(alpha.device), alpha, colors)


def _render_sequence(painter: Any, actions: Any, return_var: bool = False) -> tuple[Any, ...]:
    """Render all strokes of ``(B, T, 12)`` in one batch: alpha ``(B, T, H, W)`` (and its
    variance) plus the colours ``(B, T, 3)`` on the same device and dtype."""
    from .actions import colors_of

    b, t = actions.shape[:2]
    out = painter.render_alpha(actions.reshape(b * t, 12), return_var=return_var)
    maps = out if return_var else (out,)
    size = maps[0].shape[-1]
    maps = tuple(m.view(b, t, size, size) for m in maps)
    colors = colors_of(actions.clamp(-1, 1)).to(maps[0].device, maps[0].dtype)
    return (*maps, colors)
