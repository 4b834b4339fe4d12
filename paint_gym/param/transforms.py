"""Lucid-style random transforms: small composable callables ``(images, generator) -> images``.

Feature visualisation without them finds high-frequency patterns that excite a classifier at
one exact position and scale; asking the painting to work under random jitter, scale,
rotation and tiling makes it work as a picture (Olah et al., 2017, "transformation
robustness"). Every transform is vectorised over the batch, with an independent draw per image
``(B, 3, H, W)``; areas moved in from outside the image are filled with paper white (``fill``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import torch
from torch.nn import functional as F

from ..validation import check_int

Transform = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


def _uniform(n: int, lo: float, hi: float, gen: torch.Generator) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=gen)


def affine(images: torch.Tensor, theta: torch.Tensor, fill: float = 1.0) -> torch.Tensor:
    """Resample ``(B, C, H, W)`` by affine maps ``theta`` ``(B, 2, 3)`` (output -> input, in
    [-1, 1] coordinates), bilinear, filling outside with ``fill``. Differentiable."""
    grid = F.affine_grid(theta.to(images), list(images.shape), align_corners=False)
    return F.grid_sample(images - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill


def _theta(scale: torch.Tensor, angle: torch.Tensor, tx: torch.Tensor, ty: torch.Tensor) -> torch.Tensor:
    """Maps that zoom by ``scale``, rotate by ``angle`` (radians) and shift by (tx, ty) [-1, 1] units."""
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    return torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)


def pad(px: int, fill: float = 1.0) -> Transform:
    """Pad every side by ``px`` pixels of ``fill`` (so jitter and rotation don't cut the painting).
    ``px`` is an integer >= 0 (``ValueError`` otherwise)."""
    px = check_int("pad (pixels)", px, low=0)

    def apply(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        return F.pad(x, (int(px),) * 4, value=fill)

    return apply


def jitter(px: float, fill: float = 1.0) -> Transform:
    """Shift each image by up to ``px`` pixels (a finite number >= 0) in x and y."""
    if isinstance(px, bool) or not isinstance(px, numbers.Real) or not math.isfinite(px) or px < 0:
        raise ValueError(f"jitter needs a finite number of pixels >= 0; got {px!r}")

    def apply(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        b, h, w = x.shape[0], x.shape[-2], x.shape[-1]
        one, zero = torch.ones(b), torch.zeros(b)
        tx, ty = _uniform(b, -1, 1, gen) * 2 * px / w, _uniform(b, -1, 1, gen) * 2 * px / h
        return affine(x, _theta(one, zero, tx, ty), fill)

    return apply


def random_scale(scales: Sequence[float], fill: float = 1.0) -> Transform:
    """Zoom each image by a factor drawn uniformly from ``[min(scales), max(scales)]`` (positive)."""
    if len(scales) == 0 or not all(isinstance(x, numbers.Real) and math.isfinite(x) and x > 0 for x in scales):
        raise ValueError(f"random_scale needs one or more positive zoom factors; got {scales!r}")
    lo, hi = min(scales), max(scales)

    def apply(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        b = x.shape[0]
        zero = torch.zeros(b)
        return affine(x, _theta(_uniform(b, lo, hi, gen), zero, zero, zero), fill)

    return apply


def random_rotate(degrees: float, fill: float = 1.0) -> Transform:
    """Rotate each image by an angle uniform in ``[-degrees, degrees]``."""

    def apply(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        b = x.shape[0]
        one, zero = torch.ones(b), torch.zeros(b)
        return affine(x, _theta(one, _uniform(b, -1, 1, gen) * math.radians(degrees), zero, zero), fill)

    return apply


def random_tile(fraction: float) -> Transform:
    """Show each classifier a random square tile covering ``fraction`` of the image's side,
    enlarged to the full size: large paintings are then judged piece by piece, so every
    region of the painting has to show the class, not only the middle."""
    if not 0 < fraction <= 1:
        raise ValueError(f"tile fraction must be in (0, 1]; got {fraction}")

    def apply(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        b = x.shape[0]
        zero, f = torch.zeros(b), torch.full((b,), float(fraction))
        slack = 1 - fraction
        theta = _theta(1 / f, zero, _uniform(b, -slack, slack, gen), _uniform(b, -slack, slack, gen))
        return affine(x, theta)

    return apply


def compose(transforms: Sequence[Transform]) -> Transform:
    """Apply ``transforms`` in order."""

    def apply(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        for t in transforms:
            x = t(x, gen)
        return x

    return apply


def standard_transforms(size: int, tile: float = 1.0) -> Transform:
    """Lucid's default robustness set, scaled to an image of ``size`` px (its values are for 224
    px): pad 12, jitter 8, scale 0.9-1.1, rotate +-10 degrees, jitter 4; with ``tile`` < 1,
    first a random tile of that fraction of the side."""
    k = size / 224
    steps: list[Transform] = [random_tile(tile)] if tile < 1 else []
    steps += [pad(round(12 * k)), jitter(8 * k), random_scale((0.9, 1.1)), random_rotate(10), jitter(4 * k)]
    return compose(steps)
