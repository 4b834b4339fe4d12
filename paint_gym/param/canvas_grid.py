"""Strokes on a painting of any size: the neural painter as a Lucid-style image parameterization.

Where the strokes lie is the :mod:`.layout`:

* ``"tiles"``: an overlapping grid of small canvases (64 px, the size the shipped VAE and GAN
  paint), each with its own ``N`` strokes, blended where they overlap (a linear cross-fade,
  normalised so every pixel is a convex mix of the canvases covering it). Any neural painter.
* ``"native"``: one canvas for the whole image, painted at its full size by a painter that
  renders any canvas size (the dab painter, ``at_size``), with as many strokes in all as the
  tiles would have (``N`` x the grid's canvases), spread over the whole image.
* ``"auto"``: native when the painter can render natively, tiles otherwise.
* ``"tiles"`` is the default: on a CPU the native canvas is slower per step (every stroke is
  rendered over the whole image, not over a 64 px tile) and ended at a higher content loss, its
  strokes scaling with the canvas (``benchmarks/style_speed.py --layouts``; the figures: docs/param.md).

The optimised parameters are unconstrained tensors; constraints are built into the map from
parameters to stroke actions, so any optimiser keeps them:

* ``grayscale``: one grey value per stroke, so the image has R = G = B exactly;
* ``palette``: each stroke picks one colour of a fixed palette (straight-through: the forward
  pass uses exactly the chosen colour, gradients flow through a softmax over the palette);
* ``max_radius``: brush radius at most this many pixels on the 64 px canvas scale (1-8; a
  canvas of side ``s`` scales it by ``s / 64``, so natively at 256 px it is 4x this);
* (native, non-square) the strokes' points stay on the image's band of the square canvas.

``stroke_canvases`` returns ``(params, grid)`` as Lucid's parameterizations return ``(params,
image_f)``: ``grid()`` is the differentiable image ``(B, 3, H, W)`` in [0, 1] (square, or any
``(height, width)`` of at least one tile a side), and
``grid.render_mypaint()`` paints the same strokes in the real program (canvas by canvas at the
same size, then stitched or cropped the same way), so every result can be checked outside the
neural painter.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.checkpoint import checkpoint

from .. import actions as act
from ..canvas import background_rgb, composite_sequence, paint_differentiable, to_float_tensor, to_uint8_array
from ..errors import TrainingDivergedError, check_finite_tensors
from ..painters.base import DEFAULT_PAINTER, CanvasPainter, DifferentiablePainter
from ..painters.load import PainterLike, as_numpy, load_painter
from ..painters.mypaint import DEFAULT_BRUSH, MyPaintPainter
from ..painters.neural import GEOMETRY
from ..validation import check_int
from .grid_config import StrokeGridConfig
from .layout import GridLayout, NativeLayout, check_layout, choose_layout

#: Order that puts ``cat([geometry (9), colour (3)])`` into the action layout.
_ORDER = torch.as_tensor(np.argsort(np.array([*GEOMETRY, *range(act.RED, act.BLUE + 1)])))
_SIZE_IN_GEOMETRY = GEOMETRY.index(act.SIZE)
_X_IN_GEOMETRY = [GEOMETRY.index(i) for i in (act.START_X, act.CONTROL_X, act.END_X)]
_Y_IN_GEOMETRY = [GEOMETRY.index(i) for i in (act.START_Y, act.CONTROL_Y, act.END_Y)]
_INIT_RANGE = 0.9  # initial actions uniform in [-0.9, 0.9]: away from tanh's flat tails
#: Above this many strokes, counted at 64 px (a stroke on a canvas of side ``s`` counts
#: ``(s / 64)^2``), the painter's activations (about 1.2 MB a 64 px stroke for the GAN) are
#: recomputed in the backward pass rather than stored.
AUTO_CHECKPOINT_STROKES = 1024


def stroke_weight(canvas_side: int) -> float:
    """What one stroke on a ``canvas_side`` px canvas counts in strokes at 64 px: its pixels
    over a 64 px canvas's (the memory and chunking budgets are in these units)."""
    return (canvas_side / 64.0) ** 2


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


def painter_at(painter: DifferentiablePainter, side: int) -> DifferentiablePainter:
    """``painter`` rendering ``side`` px canvases: itself at its own size, its native view
    (``at_size``: the dab painter, shared weights) or a 64 px VAE or GAN resized bilinearly
    (:func:`~paint_gym.painters.load.load_painter`; other painters of another size raise
    ``ValueError``)."""
    if painter.canvas_size == side:
        return painter
    if callable(getattr(painter, "at_size", None)):
        return painter.at_size(side)
    return load_painter(painter, canvas_size=side)


class StrokeGrid:
    """Strokes on a painting of any size, for a batch of ``B`` images: ``N`` strokes on each
    canvas of :attr:`layout` (:mod:`.layout`).

    Calling the grid paints it with the neural painter: ``(B, 3, height, width)`` in [0, 1],
    differentiable with respect to :attr:`params`. See the module docstring for the layouts and
    the constraints. :attr:`layout` is what is painted (a :class:`GridLayout` of tiles or a
    :class:`NativeLayout`), :attr:`tiles` the grid of ``size``, ``tile`` and ``overlap`` (which
    sets the stroke count in both layouts), :attr:`strokes` the strokes on each canvas of
    :attr:`layout` (``strokes`` as given for tiles, ``strokes x tiles.count`` natively).

    Args:
        size: image side in pixels (at least ``tile``), or ``(height, width)`` for a non-square
            image (each side at least ``tile``).
        strokes: strokes per tile; the native layout paints the same total on its one canvas.
        layout: ``"auto"`` (native if the painter has ``at_size``, tiles otherwise), ``"native"``
            or ``"tiles"`` (:data:`.layout.LAYOUTS`).
        tile: tile side in the image (px); a dab painter renders it natively, a 64 px VAE or
            GAN's output is resized to it, MyPaint paints natively at that size (strokes scale
            with the canvas).
        overlap: pixels shared by neighbouring tiles (blended).
        painter: ``"gan"``, ``"vae"``, ``"dab"``, a checkpoint path or a loaded neural painter.
        checkpoint: recompute each chunk of strokes in the backward pass instead of storing the
            painter's activations (about 1.2 MB a 64 px stroke for the GAN): a 512 px grid of 30
            strokes a tile then fits in well under 1 GB, for about a third more time. ``None``
            (default) turns it on above ``AUTO_CHECKPOINT_STROKES`` strokes counted at 64 px
            (:func:`stroke_weight`: a stroke on a 256 px canvas counts 16).
        chunk_strokes: strokes rendered in one batch, counted at 64 px (whole tiles per chunk; the
            native canvas's strokes in order, each chunk composited over the last).
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        strokes: int = 30,
        *,
        layout: str = "tiles",
        tile: int = 64,
        overlap: int = 16,
        painter: PainterLike = DEFAULT_PAINTER,
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
            self.tiles = GridLayout(size[0], tile, overlap, width=size[1])
        else:
            self.tiles = GridLayout(size, tile, overlap)
        check_layout(layout)
        strokes, batch = check_int("strokes (per tile)", strokes, 1), check_int("batch", batch, 1)
        if grayscale and palette is not None:
            raise ValueError("choose grayscale or a palette, not both (a grey palette gives both)")
        self.batch, self.grayscale = int(batch), bool(grayscale)
        self.palette = None if palette is None else check_palette(palette).to(device)
        self.max_radius = max_radius
        self.size_max = 1.0 if max_radius is None else size_bound(max_radius)
        self.background = background
        background_rgb(background)  # validate early
        loaded = load_painter(painter, device=device)
        if isinstance(loaded, CanvasPainter):  # MyPaintPainter: numpy, no gradients
            raise ValueError(  # noqa: TRY004  (a bad argument value, as every argument check here)
                "the painter must be a neural painter ('gan', 'vae', 'dab' or a checkpoint); MyPaint is not "
                "differentiable (use render_mypaint to check a result in it)"
            )
        name = str(painter) if isinstance(painter, (str, os.PathLike)) else type(loaded).__name__
        if choose_layout(layout, callable(getattr(loaded, "at_size", None)), repr(name)) == "native":
            self.layout: GridLayout | NativeLayout = NativeLayout(self.tiles.size, self.tiles.width)
            self.strokes = int(strokes) * self.tiles.count
        else:
            self.layout, self.strokes = self.tiles, int(strokes)
        self.painter: DifferentiablePainter = painter_at(loaded, self.layout.tile)
        total = self.batch * self.layout.count * self.strokes * stroke_weight(self.layout.tile)
        self.checkpoint = total > AUTO_CHECKPOINT_STROKES if checkpoint is None else bool(checkpoint)
        self.chunk_strokes = check_int("chunk_strokes", chunk_strokes, 1)
        self._bounds = self._geometry_bounds(torch.device(device))
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

    def _geometry_bounds(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
        """``(lo, hi, squeezed)`` ``(9,)`` each: the range of every geometry field (``size`` up to
        ``max_radius``'s bound; natively on a non-square image, the points on the image) and
        which fields are narrower than [-1, 1]; None if none is."""
        lo, hi = torch.full((len(GEOMETRY),), -1.0), torch.ones(len(GEOMETRY))
        hi[_SIZE_IN_GEOMETRY] = self.size_max
        if isinstance(self.layout, NativeLayout):
            (x_lo, x_hi), (y_lo, y_hi) = self.layout.coordinate_bounds()
            lo[_X_IN_GEOMETRY], hi[_X_IN_GEOMETRY] = x_lo, x_hi
            lo[_Y_IN_GEOMETRY], hi[_Y_IN_GEOMETRY] = y_lo, y_hi
        squeezed = (lo != -1) | (hi != 1)
        return (lo.to(device), hi.to(device), squeezed.to(device)) if bool(squeezed.any()) else None

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
        if self._bounds is not None:  # squeeze the bounded fields (size, natively the points) into their range
            lo, hi, squeezed = self._bounds
            geometry = torch.where(squeezed, lo + (hi - lo) * (geometry + 1) * 0.5, geometry)
        full = torch.cat([geometry, self.colours() * 2 - 1], dim=-1)
        return full[..., _ORDER.to(full.device)]

    # -- painting ---------------------------------------------------------------------------
    def _paint_tiles(self, actions: torch.Tensor) -> torch.Tensor:
        """Tiles ``(C, N, 12)`` -> ``(C, 3, tile, tile)``, each on a blank canvas."""
        return paint_differentiable(self.painter, actions, background=self.background)

    def _paint_over(self, actions: torch.Tensor, canvas: torch.Tensor) -> torch.Tensor:
        """Strokes ``(B, T, 12)`` composited in order over ``canvas`` ``(B, S, S, 3)`` (channels
        last, as :func:`~paint_gym.canvas.composite_sequence` takes it) -> the same shape."""
        b, t, s = actions.shape[0], actions.shape[1], self.layout.tile
        alpha = self.painter.render_alpha(actions.reshape(b * t, act.ACTION_DIM)).view(b, t, s, s)
        return composite_sequence(canvas, alpha, act.colors_of(actions.clamp(-1, 1)).to(alpha))

    def _chunk(self, fn: Any, *args: torch.Tensor) -> torch.Tensor:
        """``fn(*args)``, recomputed in the backward pass when :attr:`checkpoint` is on."""
        if self.checkpoint and torch.is_grad_enabled() and args[0].requires_grad:
            return checkpoint(fn, *args, use_reentrant=False)
        return fn(*args)

    def paint_canvases(self, actions: torch.Tensor | None = None) -> torch.Tensor:
        """Every canvas ``(B, K, 3, tile, tile)`` painted by the neural painter, in chunks of
        about ``chunk_strokes`` strokes counted at 64 px (checkpointed when gradients are
        needed): whole tiles, or the native canvas's strokes in order."""
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
        b, k, t = a.shape[0], a.shape[1], self.layout.tile
        per_chunk = max(1, int(self.chunk_strokes / stroke_weight(t)))
        flat = a.reshape(b * k, self.strokes, act.ACTION_DIM)
        if isinstance(self.layout, NativeLayout):
            canvas = torch.as_tensor(background_rgb(self.background), device=a.device).expand(b, t, t, 3)
            for i in range(0, self.strokes, per_chunk):
                canvas = self._chunk(self._paint_over, flat[:, i : i + per_chunk], canvas)
            return canvas.permute(0, 3, 1, 2)[:, None]
        step = max(1, per_chunk // self.strokes)
        parts = [self._chunk(self._paint_tiles, flat[i : i + step]) for i in range(0, len(flat), step)]
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
        self, seed: int = 0, brush: str | None = None, actions: np.ndarray | torch.Tensor | None = None
    ) -> np.ndarray:
        """The same strokes (or saved ``actions`` ``(B, K, N, 12)``) painted by MyPaint with
        ``brush`` (default: the one the painter imitates, ``classic/dry_brush`` for the VAE and
        GAN), canvas by canvas at the size the painter renders (each tile, or the one native
        canvas), then stitched or cropped the same way: uint8 ``(B, height, width, 3)``."""
        t = self.layout.tile
        a = self._actions_or_own(actions)
        brush = brush or getattr(getattr(self.painter, "config", None), "brush", DEFAULT_BRUSH)
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
                    "build the grid with the same size, strokes, layout, tile, overlap and colour constraint"
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


def grid_for(config: StrokeGridConfig, size: int | tuple[int, int] | None = None) -> StrokeGrid:
    """A fresh :class:`StrokeGrid` from a :class:`~paint_gym.param.grid_config.StrokeGridConfig`
    (the base of the configs of class visualization and style transfer). ``size`` overrides
    ``config.size`` (e.g. ``(height, width)`` for a non-square painting)."""
    return StrokeGrid(
        config.size if size is None else size,
        config.strokes_per_tile,
        layout=config.layout,
        tile=config.tile,
        overlap=config.overlap,
        painter=config.painter,
        grayscale=config.grayscale,
        palette=config.palette,
        max_radius=config.max_radius,
        seed=config.seed,
    )
