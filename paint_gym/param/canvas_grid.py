"""Stroke canvases of any size: the neural painter as a Lucid-style image parameterization.

A painter paints one small canvas (64 px for the shipped ones). An image of any resolution is
made of many such canvases on an overlapping grid, each with its own ``N`` strokes, blended
where they overlap (a linear cross-fade, normalised so every pixel is a convex mix of the
canvases covering it). The optimised parameters are unconstrained tensors; constraints are
built into the map from parameters to stroke actions, so any optimiser keeps them:

* ``grayscale``: one grey value per stroke, so the image has R = G = B exactly;
* ``palette``: each stroke picks one colour of a fixed palette (straight-through: the forward
  pass uses exactly the chosen colour, gradients flow through a softmax over the palette);
* ``max_radius``: brush radius at most this many pixels (on the 64 px canvas scale, 1-8).

``stroke_canvases`` returns ``(params, grid)`` as Lucid's parameterizations return ``(params,
image_f)``: ``grid()`` is the differentiable image ``(B, 3, H, W)`` in [0, 1] (square, or any
``(height, width)`` of at least one canvas a side), and
``grid.render_mypaint()`` paints the same strokes in the real program (canvas by canvas, then
stitched the same way), so every result can be checked outside the neural painter.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.checkpoint import checkpoint

from .. import actions as act
from ..canvas import background_rgb, paint_differentiable, to_float_tensor, to_uint8_array
from ..errors import TrainingDivergedError, check_finite_tensors
from ..painters.base import CanvasPainter, DifferentiablePainter
from ..painters.load import PainterLike, as_numpy, load_painter
from ..painters.mypaint import MyPaintPainter
from ..painters.neural import GEOMETRY
from ..validation import check_float, check_int

#: Order that puts ``cat([geometry (9), colour (3)])`` into the action layout.
_ORDER = torch.as_tensor(np.argsort(np.array([*GEOMETRY, *range(act.RED, act.BLUE + 1)])))
_SIZE_IN_GEOMETRY = GEOMETRY.index(act.SIZE)
_INIT_RANGE = 0.9  # initial actions uniform in [-0.9, 0.9]: away from tanh's flat tails
#: Above this many strokes the painter's activations (about 1.2 MB a stroke) are recomputed in
#: the backward pass rather than stored.
AUTO_CHECKPOINT_STROKES = 1024


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


@dataclass(frozen=True)
class GridLayout:
    """Where the canvases lie: ``rows`` x ``cols`` canvases of ``tile`` px, neighbours sharing at
    least ``overlap`` px, covering ``full`` >= the image; the centre ``height`` x ``width`` px are
    the image.

    ``size`` is the image's height, and its width too unless ``width`` is given (a non-square
    image, e.g. a landscape photo: ``GridLayout(256, width=384)``). Both sides must hold one
    canvas (>= ``tile``). The fewest canvases that keep the minimum overlap are spread over each
    side (so the real overlap can be larger: at 128 px three 64 px canvases overlap by 32 px),
    wasting fewer than ``n`` pixels beyond the image. Raises ``ValueError`` naming the field for
    non-integer sizes, a side smaller than a tile or an overlap above half a tile.
    """

    size: int
    tile: int = 64
    overlap: int = 16
    width: int | None = None

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
        if not 0 <= self.overlap <= self.tile // 2:
            raise ValueError(f"overlap must be in 0..{self.tile // 2} px (half a tile); got {self.overlap}")

    # -- the two sides ------------------------------------------------------------------------
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
        if canvases.ndim != 5 or canvases.shape[1] != self.count or canvases.shape[2:] != (3, self.tile, self.tile):
            raise ValueError(
                f"canvases must be (B, {self.count}, 3, {self.tile}, {self.tile}); got {tuple(canvases.shape)}"
            )
        b, k, t = canvases.shape[0], canvases.shape[1], canvases.shape[-1]
        weighted = canvases * self.window.to(canvases)
        cols = weighted.permute(0, 2, 3, 4, 1).reshape(b, 3 * t * t, k)  # (B, C*kh*kw, L) as fold wants
        image = self._fold(cols) / self._norm.to(canvases)
        oy, ox = self.offsets
        return image[..., oy : oy + self.height, ox : ox + self.image_width]


def size_bound(max_radius: float) -> float:
    """The largest ``size`` action whose radius is ``max_radius`` px on the 64 px scale (1-8)."""
    lo, hi = act.MIN_RADIUS_64, act.MAX_RADIUS_64
    if (
        isinstance(max_radius, bool)
        or not (isinstance(max_radius, numbers.Real) and math.isfinite(max_radius))
        or not lo <= max_radius <= hi
    ):
        raise ValueError(
            f"max_radius must be a brush radius in [{lo:g}, {hi:g}] px (on the 64 px canvas); got {max_radius!r}"
        )
    return 2.0 * math.log(max_radius / lo) / math.log(hi / lo) - 1.0


def check_palette(palette: Sequence[Sequence[float]] | np.ndarray | torch.Tensor) -> torch.Tensor:
    """A palette as float32 ``(P, 3)`` RGB in [0, 1] (P >= 1; numpy, lists or torch, detached),
    or ``ValueError``."""
    if isinstance(palette, torch.Tensor):
        palette = palette.detach().cpu().numpy()
    try:
        p = torch.as_tensor(np.asarray(palette, dtype=np.float32))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"palette must be a list of RGB triples (P, 3) in [0, 1]; got {palette!r}") from exc
    if p.ndim != 2 or p.shape[1] != 3 or p.shape[0] < 1:
        raise ValueError(f"palette must be a list of RGB triples (P, 3); got shape {tuple(p.shape)}")
    if not torch.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise ValueError("palette colours must be finite RGB values in [0, 1] (divide 0-255 values by 255)")
    return p


def parse_palette(text: str) -> np.ndarray:
    """``"#1b1b1b,#e63946,f1faee"`` -> float32 ``(P, 3)`` in [0, 1]."""
    colours = []
    for item in text.split(","):
        h = item.strip().lstrip("#")
        if len(h) != 6 or any(c not in "0123456789abcdefABCDEF" for c in h):
            raise ValueError(
                f"palette entry {item.strip()!r} is not a hex colour like #e63946; give comma-separated hex colours"
            )
        colours.append([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])
    return np.asarray(colours, dtype=np.float32)


class StrokeGrid:
    """``N`` strokes on each canvas of a :class:`GridLayout`, for a batch of ``B`` images.

    Calling the grid paints it with the neural painter: ``(B, 3, size, size)`` in [0, 1],
    differentiable with respect to :attr:`params`. See the module docstring for the constraints.

    Args:
        size: image side in pixels (at least ``tile``), or ``(height, width)`` for a non-square
            image (each side at least ``tile``).
        strokes: strokes per canvas.
        tile: canvas side in the image (px); the 64 px painter's output is resized to it, while
            MyPaint paints natively at that size (strokes scale with the canvas).
        overlap: pixels shared by neighbouring canvases (blended).
        painter: ``"gan"``, ``"vae"``, a checkpoint path or a loaded neural painter.
        checkpoint: recompute each chunk of canvases in the backward pass instead of storing
            the painter's activations (about 1.2 MB a stroke): a 512 px grid of 30 strokes a
            canvas then fits in well under 1 GB, for about a third more time. ``None`` (default)
            turns it on for grids of more than ``AUTO_CHECKPOINT_STROKES`` strokes.
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        strokes: int = 30,
        *,
        tile: int = 64,
        overlap: int = 16,
        painter: PainterLike = "gan",
        grayscale: bool = False,
        palette: Sequence[Sequence[float]] | np.ndarray | None = None,
        max_radius: float | None = None,
        background: str | Sequence[float] = "white",
        batch: int = 1,
        seed: int = 0,
        device: str | torch.device = "cpu",
        checkpoint: bool | None = None,
        chunk_strokes: int = 256,
    ) -> None:
        if isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"size must be one side in px or (height, width); got {size!r}")
            self.layout = GridLayout(size[0], tile, overlap, width=size[1])
        else:
            self.layout = GridLayout(size, tile, overlap)
        strokes, batch = check_int("strokes (per canvas)", strokes, 1), check_int("batch", batch, 1)
        if grayscale and palette is not None:
            raise ValueError("choose grayscale or a palette, not both (a grey palette gives both)")
        self.strokes, self.batch, self.grayscale = int(strokes), int(batch), bool(grayscale)
        self.palette = None if palette is None else check_palette(palette).to(device)
        self.max_radius = max_radius
        self.size_max = 1.0 if max_radius is None else size_bound(max_radius)
        self.background = background
        background_rgb(background)  # validate early
        total = self.batch * self.layout.count * self.strokes
        self.checkpoint = total > AUTO_CHECKPOINT_STROKES if checkpoint is None else bool(checkpoint)
        self.chunk_strokes = check_int("chunk_strokes", chunk_strokes, 1)
        loaded = load_painter(painter, canvas_size=tile, device=device)
        if isinstance(loaded, CanvasPainter):  # MyPaintPainter: numpy, no gradients
            raise ValueError(  # noqa: TRY004  (a bad argument value, as every argument check here)
                "the painter must be a neural painter ('gan', 'vae' or a checkpoint); MyPaint is not differentiable "
                "(use render_mypaint to check a result in it)"
            )
        self.painter: DifferentiablePainter = loaded
        self.params = self._init_params(torch.Generator().manual_seed(int(seed)), torch.device(device))

    # -- parameters -> actions ------------------------------------------------------------
    def _init_params(self, gen: torch.Generator, device: torch.device) -> list[torch.Tensor]:
        shape = (self.batch, self.layout.count, self.strokes)

        def uniform(*s: int) -> torch.Tensor:
            return (torch.rand(*s, generator=gen) * 2 - 1) * _INIT_RANGE

        geometry = torch.atanh(uniform(*shape, len(GEOMETRY)))
        if self.palette is not None:
            colour = 0.1 * torch.randn(*shape, len(self.palette), generator=gen)
        else:
            colour = torch.atanh(uniform(*shape, 1 if self.grayscale else 3))
        return [geometry.to(device).requires_grad_(), colour.to(device).requires_grad_()]

    def colours(self) -> torch.Tensor:
        """Stroke colours ``(B, K, N, 3)`` in [0, 1] under the colour constraint."""
        raw = self.params[1]
        if self.palette is not None:
            soft = raw.softmax(dim=-1)
            hard = F.one_hot(soft.argmax(dim=-1), len(self.palette)).to(soft)
            return (hard + soft - soft.detach()) @ self.palette  # exactly a palette colour forward
        rgb = (torch.tanh(raw) + 1) * 0.5
        return rgb.expand(*rgb.shape[:-1], 3) if self.grayscale else rgb

    def actions(self) -> torch.Tensor:
        """Stroke actions ``(B, K, N, 12)`` in [-1, 1], K canvases of N strokes (row-major grid)."""
        geometry = torch.tanh(self.params[0])
        if self.max_radius is not None:  # squeeze the size field into [-1, size_max]
            size = -1 + (self.size_max + 1) * (geometry[..., _SIZE_IN_GEOMETRY : _SIZE_IN_GEOMETRY + 1] + 1) * 0.5
            geometry = torch.cat(
                [geometry[..., :_SIZE_IN_GEOMETRY], size, geometry[..., _SIZE_IN_GEOMETRY + 1 :]], dim=-1
            )
        full = torch.cat([geometry, self.colours() * 2 - 1], dim=-1)
        return full[..., _ORDER.to(full.device)]

    # -- painting ---------------------------------------------------------------------------
    def _paint_canvases(self, actions: torch.Tensor) -> torch.Tensor:
        return paint_differentiable(self.painter, actions, background=self.background)

    def paint_canvases(self, actions: torch.Tensor | None = None) -> torch.Tensor:
        """Every canvas ``(B, K, 3, tile, tile)`` painted by the neural painter, in chunks of
        about ``chunk_strokes`` strokes (checkpointed when gradients are needed)."""
        a = self.actions() if actions is None else actions
        if (
            not isinstance(a, torch.Tensor)
            or a.ndim != 4
            or a.shape[1:] != (self.layout.count, self.strokes, act.ACTION_DIM)
        ):
            raise ValueError(
                f"actions must be a tensor (B, {self.layout.count}, {self.strokes}, 12) "
                f"for this grid; got {tuple(getattr(a, 'shape', ()))}"
            )
        b, k = a.shape[:2]
        flat = a.reshape(b * k, self.strokes, act.ACTION_DIM)
        step = max(1, self.chunk_strokes // self.strokes)
        parts = []
        for i in range(0, len(flat), step):
            chunk = flat[i : i + step]
            if self.checkpoint and torch.is_grad_enabled() and chunk.requires_grad:
                parts.append(checkpoint(self._paint_canvases, chunk, use_reentrant=False))
            else:
                parts.append(self._paint_canvases(chunk))
        t = self.layout.tile
        return torch.cat(parts).reshape(b, k, 3, t, t)

    def __call__(self) -> torch.Tensor:
        """The painting ``(B, 3, height, width)`` in [0, 1], differentiable w.r.t. :attr:`params`."""
        return self.layout.stitch(self.paint_canvases())

    def _actions_or_own(self, actions: np.ndarray | torch.Tensor | None) -> torch.Tensor:
        """This grid's actions, or given ones ``(B, K, N, 12)`` (numpy or torch, also a tensor that
        requires grad; clipped to [-1, 1]) as float32 on the grid's device. ``ValueError`` for NaN
        or inf, a non-numeric dtype or a shape that does not fit this grid."""
        if actions is None:
            return self.actions().detach()
        arr = np.asarray(as_numpy(actions))
        if arr.ndim != 4 or arr.shape[1:] != (self.layout.count, self.strokes, act.ACTION_DIM):
            raise ValueError(
                f"actions must be (B, {self.layout.count}, {self.strokes}, 12) for this grid; got {tuple(arr.shape)}"
            )
        return torch.as_tensor(act.validate_actions(arr, batch_ndim=4), device=self.params[0].device)

    def render_mypaint(
        self, seed: int = 0, brush: str = "classic/dry_brush", actions: np.ndarray | torch.Tensor | None = None
    ) -> np.ndarray:
        """The same strokes (or saved ``actions`` ``(B, K, N, 12)``) painted by MyPaint, canvas by
        canvas at ``tile`` px, then stitched with the same blend: uint8 ``(B, height, width, 3)``."""
        t = self.layout.tile
        a = self._actions_or_own(actions)
        canvases = MyPaintPainter(t, brush=brush, seed=seed).paint(
            a.cpu().numpy().reshape(-1, self.strokes, act.ACTION_DIM), background=self.background
        )
        stacked = to_float_tensor(canvases).reshape(len(a), self.layout.count, 3, t, t)
        return to_uint8_array(self.layout.stitch(stacked))

    def image_uint8(self, actions: np.ndarray | torch.Tensor | None = None) -> np.ndarray:
        """The neural painting of these strokes (or of saved ``actions``) as uint8 ``(B, height, width, 3)``."""
        with torch.no_grad():
            a = self._actions_or_own(actions)
            return to_uint8_array(self.layout.stitch(self.paint_canvases(a)))

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The stroke parameters and actions (to save a result and repaint it later)."""
        return {
            "geometry": self.params[0].detach().cpu(),
            "colour": self.params[1].detach().cpu(),
            "actions": self.actions().detach().cpu(),
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore parameters saved by :meth:`state_dict` (same size, strokes and constraints).
        ``ValueError`` for missing keys, other shapes or non-finite values."""
        for p, key in zip(self.params, ("geometry", "colour"), strict=True):
            if key not in state:
                raise ValueError(f"the state has no {key!r} parameters; pass what StrokeGrid.state_dict() returned")
            if not torch.isfinite(torch.as_tensor(state[key])).all():
                raise ValueError(f"the saved {key} parameters contain NaN or inf")
            if tuple(state[key].shape) != tuple(p.shape):
                raise ValueError(
                    f"saved {key} parameters have shape {tuple(state[key].shape)}, this grid {tuple(p.shape)}; "
                    "build the grid with the same size, strokes, tile, overlap and colour constraint"
                )
            with torch.no_grad():
                p.copy_(state[key])


def checked_loss(loss: torch.Tensor, step: int, lr: float, task: str) -> float:
    """The loss of optimisation step ``step`` (0-based) as a float, if finite.

    A NaN or inf loss before any update means the judge (classifier, content image) gives it
    for this painting: ``ValueError``. After updates it is divergence:
    :class:`paint_gym.errors.TrainingDivergedError` naming the step, the loss and ``lr``.
    """
    value = float(loss.detach())
    if not math.isfinite(value):
        if step == 0:
            raise ValueError(
                f"the {task} loss is {value} before any update: the model judging the painting returns "
                "NaN or inf for it; check the model (and the content image) on a plain image first"
            )
        raise TrainingDivergedError(step=step, loss=value, lr=lr, what="loss", trainer=task)
    return value


def check_gradients(grid: StrokeGrid, step: int, lr: float, task: str) -> None:
    """Stop before an optimiser step would write NaN or inf into the stroke parameters
    (:class:`paint_gym.errors.TrainingDivergedError`)."""
    grads = [(name, p.grad) for name, p in zip(("geometry", "colour"), grid.params, strict=True) if p.grad is not None]
    check_finite_tensors(grads, step=step + 1, lr=lr, what="gradient of the stroke parameters", trainer=task)


#: Largest magnitude a stroke parameter reaches in a sane optimisation. The parameters are
#: squashed by ``tanh`` (saturated in float32 beyond about 9) or a softmax; Adam moves each by
#: about ``lr`` a step, so only a blown-up learning rate gets beyond this. There every stroke is
#: pinned to the box's edge with zero gradient and the loss freezes at a finite value.
MAX_PARAMETER = 1e6


def check_parameters(grid: StrokeGrid, step: int, lr: float, task: str, loss: float) -> None:
    """After the optimiser step of step ``step`` (0-based): raise
    :class:`paint_gym.errors.TrainingDivergedError` (naming the step, the loss and ``lr``) if a
    stroke parameter is NaN, inf or beyond :data:`MAX_PARAMETER` in magnitude (the optimisation
    blew up; the painting would be frozen and blank, the loss finite but stuck)."""
    with torch.no_grad():
        largest = max(float(p.detach().abs().max()) for p in grid.params)
    if not math.isfinite(largest) or largest > MAX_PARAMETER:
        raise TrainingDivergedError(
            step=step,
            loss=largest,
            lr=lr,
            trainer=task,
            what=f"largest stroke parameter |p| after its update (loss {loss:.6g}, limit {MAX_PARAMETER:g})",
        )


def stroke_canvases(
    size: int | tuple[int, int], strokes: int = 30, **options: object
) -> tuple[list[torch.Tensor], StrokeGrid]:
    """Lucid-style: ``params, image_f = stroke_canvases(256, 30)``; ``image_f()`` is the image
    ``(B, 3, 256, 256)`` and ``image_f.render_mypaint()`` the MyPaint check. Options are those of
    :class:`StrokeGrid`."""
    grid = StrokeGrid(size, strokes, **options)
    return grid.params, grid


def check_grid_config(config: Any, extra: Sequence[tuple[str, int]] = ()) -> None:
    """Validate, in place, the fields every stroke-grid config has (``size``, ``strokes``,
    ``steps``, ``extra`` whole numbers with their lower bounds, ``tile``, ``overlap``, ``seed``,
    ``mypaint_seed``, ``lr``): ``ValueError`` naming the field, or a ``size`` below ``tile``."""
    for name, low in (
        ("size", 8),
        ("strokes", 1),
        ("steps", 0),
        *extra,
        ("tile", 8),
        ("overlap", 0),
        ("seed", 0),
        ("mypaint_seed", 0),
    ):
        setattr(config, name, check_int(name, getattr(config, name), low=low))  # 64.0 is 64; 64.5 raises
    config.lr = check_float("lr", config.lr, 0.0, open_low=True)
    if config.size < config.tile:
        raise ValueError(
            f"size {config.size} px is smaller than one {config.tile} px canvas; use size >= tile (or a smaller tile)"
        )


def grid_for(config: Any, size: int | tuple[int, int] | None = None) -> StrokeGrid:
    """A fresh :class:`StrokeGrid` from any settings object with the grid's fields (``size``,
    ``strokes``, ``tile``, ``overlap``, ``painter``, ``grayscale``, ``palette``, ``max_radius``,
    ``seed``): the configs of class visualization and style transfer share them. ``size``
    overrides ``config.size`` (e.g. ``(height, width)`` for a non-square painting)."""
    return StrokeGrid(
        config.size if size is None else size,
        config.strokes,
        tile=config.tile,
        overlap=config.overlap,
        painter=config.painter,
        grayscale=config.grayscale,
        palette=config.palette,
        max_radius=config.max_radius,
        seed=config.seed,
    )
