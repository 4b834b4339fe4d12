"""Where the strokes of a painting lie: on one canvas painted natively, or on stitched tiles.

Two layouts paint an image of any ``height`` x ``width`` px:

* ``"tiles"`` (:class:`GridLayout`): an overlapping grid of small canvases (64 px, the size the
  VAE and GAN were trained at), each with its own strokes, blended where they overlap. Any
  painter works; strokes are as small as on a 64 px canvas, wherever the image is large.
* ``"native"`` (:class:`NativeLayout`): one canvas for the whole image, rendered at its full
  size by a painter that draws any canvas size natively (the dab painter's ``at_size``). No
  seams; a stroke can cross the whole image, and strokes scale with the canvas as the action
  mapping says (radius 1-8 px on 64 px is 4-32 px on 256 px).

``"tiles"`` is the default everywhere (measured better and faster on a CPU: docs/param.md);
``"auto"`` is ``"native"`` for a painter with ``at_size`` and ``"tiles"`` otherwise (:func:`choose_layout`).
A layout object has the same face either way: ``shape``, ``tile`` (the side of the canvases the
painter renders), ``count`` (canvases) and ``stitch`` (canvases -> image).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, ClassVar, Literal

import torch
from torch.nn import functional as F

from ..validation import MAX_CANVAS_SIZE, Check, check_int

#: The layouts a config may name; ``"auto"`` resolves to one of the other two.
LAYOUTS = ("auto", "native", "tiles")


def _axis(length: int, tile: int, overlap: int) -> tuple[int, int]:
    """Canvases and stride along one side of ``length`` px: the fewest ``tile`` px canvases whose
    neighbours share at least ``overlap`` px, spread over the side."""
    if length == tile:
        return 1, tile
    n = math.ceil((length - tile) / (tile - overlap)) + 1
    return n, math.ceil((length - tile) / (n - 1))


def _pixels(name: str, value: object) -> int:
    """A whole number of pixels (``64.0`` is 64; ``64.5``, bools and non-numbers raise ``ValueError``)."""
    return check_int(f"{name} (pixels)", value, low=0)


def check_layout(value: object) -> str:
    """``value`` if it names a layout (:data:`LAYOUTS`), else ``ValueError`` naming the choices."""
    if not isinstance(value, str) or value not in LAYOUTS:
        raise ValueError(
            f"layout must be 'auto', 'native' or 'tiles'; got {value!r} ('native': one canvas painted at full "
            "size by a painter with at_size, such as the dab painter; 'tiles': stitched 64 px canvases, any painter)"
        )
    return value


#: A config field naming a layout, checked by :func:`check_layout`.
Layout = Annotated[Literal[LAYOUTS], Check(lambda name, value: check_layout(value))]


def choose_layout(layout: str, native: bool, painter_name: str = "the painter") -> str:
    """Resolve ``layout`` (:data:`LAYOUTS`) for a painter that can (``native``) or cannot render
    any canvas size: ``"auto"`` is ``"native"`` when it can, ``"tiles"`` otherwise. Asking for
    ``"native"`` with a painter that cannot raises ``ValueError`` with the fix."""
    layout = check_layout(layout)
    if layout == "auto":
        return "native" if native else "tiles"
    if layout == "native" and not native:
        raise ValueError(
            f"layout='native' needs a painter that renders any canvas size (one with at_size, such as the dab "
            f"painter); {painter_name} renders 64 px only: use layout='tiles' (or 'auto'), or painter='dab'"
        )
    return layout


class ImageSides:
    """The image's two sides, from ``size`` (height) and ``width`` (None: square), for both layouts."""

    size: int
    width: int | None

    @property
    def height(self) -> int:
        """Image height in px (``size``)."""
        return int(self.size)

    @property
    def image_width(self) -> int:
        """Image width in px (``width``, or ``size`` for a square image)."""
        return int(self.size if self.width is None else self.width)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` of the image in px."""
        return self.height, self.image_width

    @property
    def square(self) -> bool:
        return self.height == self.image_width


@dataclass(frozen=True)
class GridLayout(ImageSides):
    """Where the canvases lie: ``rows`` x ``cols`` canvases of ``tile`` px, neighbours sharing at
    least ``overlap`` px, covering ``full`` >= the image; the centre ``height`` x ``width`` px are
    the image.

    ``size`` is the image's height, and its width too unless ``width`` is given (a non-square
    image, e.g. a landscape photo: ``GridLayout(256, width=384)``). Both sides must hold one
    canvas (>= ``tile``). The fewest canvases that keep the minimum overlap are spread over each
    side (so the real overlap can be larger: at 128 px three 64 px canvases overlap by 32 px),
    wasting fewer than ``n`` pixels beyond the image. Raises ``ValueError`` naming the field for
    non-integer sizes, a side smaller than a tile or larger than 8192 px
    (:data:`~paint_gym.validation.MAX_CANVAS_SIZE`) or an overlap above half a tile.
    """

    size: int
    tile: int = 64
    overlap: int = 16
    width: int | None = None
    kind: ClassVar[str] = "tiles"

    def __post_init__(self) -> None:
        for name in ("size", "tile", "overlap"):
            object.__setattr__(self, name, _pixels(name, getattr(self, name)))
        if self.width is not None:
            object.__setattr__(self, "width", _pixels("width", self.width))
        if self.tile < 8:
            raise ValueError(f"tile must be at least 8 px; got {self.tile}")
        for name, side in (("size", self.size), ("width", self.width)):
            if side is not None and side < self.tile:
                raise ValueError(
                    f"{name} {side} px is too small: an image holds at least one {self.tile} px canvas; "
                    f"use a {name} of {self.tile} px or more (or a smaller tile)"
                )
            if side is not None and side > MAX_CANVAS_SIZE:
                raise ValueError(
                    f"{name} {side:,} px is too large: a painting is at most {MAX_CANVAS_SIZE} px a side "
                    "(paint_gym.validation.MAX_CANVAS_SIZE); use a smaller size"
                )
        if not 0 <= self.overlap <= self.tile // 2:
            raise ValueError(f"overlap must be in 0..{self.tile // 2} px (half a tile); got {self.overlap}")

    # -- the two sides ------------------------------------------------------------------------
    @property
    def rows(self) -> int:
        """Canvases down the image."""
        return _axis(self.height, self.tile, self.overlap)[0]

    @property
    def cols(self) -> int:
        """Canvases across the image."""
        return _axis(self.image_width, self.tile, self.overlap)[0]

    @property
    def strides(self) -> tuple[int, int]:
        """Pixels between neighbouring canvases down and across (each at most ``tile - overlap``)."""
        return _axis(self.height, self.tile, self.overlap)[1], _axis(self.image_width, self.tile, self.overlap)[1]

    @property
    def full_shape(self) -> tuple[int, int]:
        """``(height, width)`` of the area the canvases cover."""
        (sy, sx), t = self.strides, self.tile
        return (self.rows - 1) * sy + t, (self.cols - 1) * sx + t

    @property
    def offsets(self) -> tuple[int, int]:
        """Pixels cropped on the top and on the left of the covered area."""
        fh, fw = self.full_shape
        return (fh - self.height) // 2, (fw - self.image_width) // 2

    # -- a square image's single numbers (the rows) ---------------------------------------------
    @property
    def n(self) -> int:
        """Canvases per side (of a square image; down the image otherwise)."""
        return self.rows

    @property
    def stride(self) -> int:
        """Pixels between neighbouring canvases (at most ``tile - overlap``; down the image)."""
        return self.strides[0]

    @property
    def count(self) -> int:
        """Canvases in the grid (row-major)."""
        return self.rows * self.cols

    @property
    def full(self) -> int:
        return self.full_shape[0]

    @property
    def offset(self) -> int:
        """Pixels cropped on the top (and, for a square image, the left) of the covered area."""
        return self.offsets[0]

    # -- blending ---------------------------------------------------------------------------------
    def _ramp(self, stride: int) -> torch.Tensor:
        width = min(self.tile - stride, self.tile // 2)  # the real overlap, at most half a tile
        i = torch.arange(self.tile, dtype=torch.float32) + 0.5
        return torch.ones(self.tile) if width == 0 else torch.clamp(torch.minimum(i, self.tile - i) / width, max=1.0)

    @cached_property
    def window(self) -> torch.Tensor:
        """Blend weight ``(tile, tile)`` of one canvas: 1 inside, a linear ramp over the overlap."""
        sy, sx = self.strides
        return self._ramp(sy)[:, None] * self._ramp(sx)[None, :]

    @cached_property
    def _norm(self) -> torch.Tensor:
        """Sum of the windows at every covered pixel ``(1, 1, full_h, full_w)`` (> 0 everywhere)."""
        cols = self.window.reshape(1, -1, 1).expand(1, -1, self.count)
        return self._fold(cols)

    def _fold(self, cols: torch.Tensor) -> torch.Tensor:
        return F.fold(cols, output_size=self.full_shape, kernel_size=self.tile, stride=self.strides)

    def stitch(self, canvases: torch.Tensor) -> torch.Tensor:
        """Blend canvases ``(B, count, 3, tile, tile)`` (channels first, [0, 1], row-major) into
        images ``(B, 3, height, width)``: a window-weighted average where canvases overlap.
        Differentiable; raises ``ValueError`` for canvases of another shape."""
        _check_canvases(canvases, self.count, self.tile)
        b, k, t = canvases.shape[0], canvases.shape[1], canvases.shape[-1]
        weighted = canvases * self.window.to(canvases)
        cols = weighted.permute(0, 2, 3, 4, 1).reshape(b, 3 * t * t, k)  # (B, C*kh*kw, L) as fold wants
        image = self._fold(cols) / self._norm.to(canvases)
        oy, ox = self.offsets
        return image[..., oy : oy + self.height, ox : ox + self.image_width]


@dataclass(frozen=True)
class NativeLayout(ImageSides):
    """One square canvas of side ``tile = max(height, width)`` px holding the whole image,
    painted natively at that size; the image is its centre ``height`` x ``width`` px.

    A square image is the canvas itself. For a non-square one the strokes' points are kept in
    the image's band of the canvas (:meth:`coordinate_bounds`), so no stroke is spent outside
    it; painting the square costs ``max/min`` times the pixels of the image (1.5x at 3:2).
    ``size`` is the height (and the width unless ``width`` is given), at least 8 px a side.
    """

    size: int
    width: int | None = None
    kind: ClassVar[str] = "native"
    count: ClassVar[int] = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", check_int("size (pixels)", self.size, low=8))
        if self.width is not None:
            object.__setattr__(self, "width", check_int("width (pixels)", self.width, low=8))

    @property
    def tile(self) -> int:
        """Side of the one canvas the painter renders, px (the longer side of the image)."""
        return max(self.shape)

    @property
    def offsets(self) -> tuple[int, int]:
        """Pixels of the canvas above and left of the image."""
        return (self.tile - self.height) // 2, (self.tile - self.image_width) // 2

    def coordinate_bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """``((x_lo, x_hi), (y_lo, y_hi))``: the range of the x and y action fields (in [-1, 1])
        whose points lie on the image. A quadratic Bezier stays in the box of its three points, so
        strokes with their points in this box stay on the image (but for their radius)."""
        oy, ox = self.offsets
        s = self.tile
        return (2 * ox / s - 1, 2 * (ox + self.image_width) / s - 1), (2 * oy / s - 1, 2 * (oy + self.height) / s - 1)

    def stitch(self, canvases: torch.Tensor) -> torch.Tensor:
        """The image ``(B, 3, height, width)`` of canvases ``(B, 1, 3, tile, tile)``: the centre
        crop (the whole canvas for a square image). Raises ``ValueError`` for another shape."""
        _check_canvases(canvases, 1, self.tile)
        oy, ox = self.offsets
        return canvases[:, 0, :, oy : oy + self.height, ox : ox + self.image_width]


def _check_canvases(canvases: torch.Tensor, count: int, tile: int) -> None:
    if canvases.ndim != 5 or canvases.shape[1] != count or canvases.shape[2:] != (3, tile, tile):
        raise ValueError(f"canvases must be (B, {count}, 3, {tile}, {tile}); got {tuple(canvases.shape)}")


__all__ = ["LAYOUTS", "GridLayout", "NativeLayout", "check_layout", "choose_layout"]
