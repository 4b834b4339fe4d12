"""The dab painter's texture: strokes sampled as libmypaint lays them, many small hard dabs.

:meth:`DabPainter.sample <paint_gym.painters.dab.DabPainter.sample>` draws one stroke per action with
the brush's texture. The mean head (:meth:`DabPainter.dabs`) says where and how much ink a stroke
lays; this module lays that ink the way libmypaint does, so the speckle of ``classic/dry_brush``
comes out as MyPaint's does, from many small hard dabs rather than a few soft ones:

* **How many dabs** (``mypaint-brush.c``, ``count_dabs_to``): ``dabs_per_actual_radius +
  dabs_per_basic_radius`` per radius travelled (the actual and the base radius are the action's
  radius: :class:`~paint_gym.painters.mypaint.Brush` removes the radius's input mappings), so a
  stroke of length ``L`` and radius ``r`` lays ``N = round(c (dabs_per_actual_radius +
  dabs_per_basic_radius) L / r)`` dabs (at least 1, at most :data:`MAX_DABS`), evenly spaced
  along the curve (interpolated between the mean head's dab centres). ``c`` is
  :attr:`DabPainter.dab_count_scale`, the sampler's one calibrated number (1: libmypaint's count;
  the fitting sets it so that the samples' total variance matches MyPaint's across seeds: more,
  fainter dabs average the jitter out, and the variance falls about as ``1 / c``).
* **Random offsets and radii** (``prepare_and_draw_dab``): each dab's centre moves by
  ``offset_by_random x base radius`` times a unit Gaussian per axis, and its log radius by
  ``radius_by_random`` times another; both settings are evaluated at the dab's pressure. libmypaint's
  Gaussian is the sum of four uniforms scaled to unit variance (``rand_gauss`` in ``helpers.c``);
  so is ours, drawn from the ``generator`` (reparameterised: the sample is differentiable with
  respect to the actions, and the same generator state gives the same sample).
* **The dab's mask** (``mypaint-tiled-surface.c``, ``render_dab_mask``): a piecewise-linear function
  of ``rr = (distance / radius)^2`` with the knee at ``hardness``: ``1 - (1/h - 1) rr`` up to
  ``rr = h``, then ``h / (1 - h) (1 - rr)`` to 0 at ``rr = 1`` (round dabs: ``elliptical_dab_ratio``
  1); below a 3 px radius, libmypaint's anti-aliased ``rr`` (``calculate_rr_antialiased``); brushes
  whose ``anti_aliasing`` exceeds a dab's fade-out soften it keeping its optical radius
  (``prepare_and_draw_dab``). The mask is not separable: it is evaluated on a square patch of
  pixels around each dab (dabs grouped by patch size, :data:`PATCH_SIDES`) and scattered onto
  the canvas.
* **Opacity**: not the brush file's (``opaque``, ``opaque_multiply``, ``opaque_linearize``) but
  the mean head's ink per unit length, spread over the dabs: a dab's opacity is its share of the
  mean head's ink (the density mass ``2 pi sigma^2 w`` of the Gaussian dabs per length, times the
  spacing) over its mask's area ``pi R^2 h`` (the integral of the mask: ``h`` of the disc).
  So the samples keep the mean head's ink, which was fitted to MyPaint's mean. A dab whose
  radius the random draw grows or shrinks keeps its ink (opacity x ``(r / R)^2``; libmypaint
  dims only the dabs that grow).
* **Compositing** as the mean head composites: ``alpha = 1 - exp(-sum_n a_n m_n(x))``, libmypaint's
  "over" (``draw_dab_pixels_BlendMode_Normal``: ``1 - prod_n (1 - a_n m_n(x))``) for faint dabs.
  For opaque dabs libmypaint's product lays more alpha than the mean head's ink accounts for
  (dry_brush's samples had 9% more alpha than the mean head with it, 3% with this), so the
  densities are added as the mean head adds them.

Brushes without randomness (``classic/pen``, ``classic/brush``: the painter's ``random_brush`` is 0)
paint the same stroke for every seed: their sample is either these hard dabs without offsets (a
deterministic stroke with the brush's edge) or the mean, whichever is closer to MyPaint on the
fitting data (:func:`calibrate_dab_count`; :attr:`DabPainter.hard_dabs`).
``dabs_per_second`` (``classic/brush``'s dot while the pen rests) stays the mean head's Gaussian
time dabs. Not modelled: ``slow_tracking``'s lag (the mean head's ink follows it, the dabs' path
does not), the speed inputs of ``hardness`` (``classic/pen``), smudging and colour dynamics.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from .. import actions as act

if TYPE_CHECKING:
    from .dab import DabPainter

#: Most dabs laid along one stroke (uniformly random 64 px strokes lay up to about 2,400 with dry_brush).
MAX_DABS = 4096
#: Patch sides (px) in which dabs are evaluated: a dab of radius ``R`` takes the smallest side of at
#: least ``2 R + 3``, from the column ``floor(x - R - 1)`` (every pixel whose mask can be nonzero:
#: centres within ``R + 1/2`` px, anti-aliasing included).
PATCH_SIDES = (*range(3, 25), 28, 32, 40, 48, 56, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024)
#: libmypaint's radius bounds (``ACTUAL_RADIUS_MIN``, ``ACTUAL_RADIUS_MAX`` in mypaint-brush.c), px.
RADIUS_MIN, RADIUS_MAX = 0.2, 1000.0
#: libmypaint's defaults for settings a brush file leaves out (brushsettings.json).
DEFAULTS = {
    "hardness": 0.8,
    "offset_by_random": 0.0,
    "radius_by_random": 0.0,
    "anti_aliasing": 1.0,
    "dabs_per_actual_radius": 2.0,
    "dabs_per_basic_radius": 0.0,
}
_RAD_AREA_1 = math.sqrt(1.0 / math.pi)  # radius of a circle of area 1 px^2 (calculate_rr_antialiased)


@dataclass(frozen=True)
class Curve:
    """A libmypaint setting as a function of pressure: ``base_value`` plus the pressure input's
    piecewise-linear mapping (points ``(x, y)``, x in [0, 1]); other inputs are not modelled."""

    base: float
    points: tuple[tuple[float, float], ...] = ()

    def __call__(self, pressure: torch.Tensor) -> torch.Tensor:
        """The setting at ``pressure`` (any shape, in [0, 1]), as ``mypaint_mapping_calculate``:
        linear within each segment; a vertical step (two points at one x) takes the lower side."""
        if not self.points:
            return torch.full_like(pressure, self.base)
        xs = torch.tensor([p[0] for p in self.points], dtype=pressure.dtype, device=pressure.device)
        ys = torch.tensor([p[1] for p in self.points], dtype=pressure.dtype, device=pressure.device)
        i = torch.searchsorted(xs[1:-1].contiguous(), pressure.detach().contiguous())  # segment (0..n-2)
        x0, x1, y0, y1 = xs[i], xs[i + 1], ys[i], ys[i + 1]
        flat = (x1 - x0).abs() < 1e-9
        y = y0 + (y1 - y0) * (pressure - x0) / torch.where(flat, torch.ones_like(x0), x1 - x0)
        return self.base + torch.where(flat, y0, y)


@dataclass(frozen=True)
class BrushTexture:
    """The settings of a ``.myb`` brush that shape its dabs (:func:`brush_texture`)."""

    hardness: Curve
    offset_by_random: Curve
    radius_by_random: Curve
    anti_aliasing: float
    dabs_per_radius: float
    """``dabs_per_actual_radius + dabs_per_basic_radius`` (both radii are the action's)."""


@functools.lru_cache(maxsize=32)
def brush_texture(brush: str) -> BrushTexture:
    """The texture settings of a MyPaint brush, read from its ``.myb`` file (``FileNotFoundError``
    naming the brush folders when it is not installed; :func:`paint_gym.painters.mypaint.resolve_brush`)."""
    from .mypaint import resolve_brush

    settings = json.loads(resolve_brush(brush).read_text())["settings"]

    def curve(name: str) -> Curve:
        s = settings.get(name, {"base_value": DEFAULTS[name], "inputs": {}})
        points = (s.get("inputs") or {}).get("pressure", [])
        return Curve(float(s["base_value"]), tuple((float(x), float(y)) for x, y in points))

    def base(name: str) -> float:
        return float(settings.get(name, {"base_value": DEFAULTS[name]})["base_value"])

    return BrushTexture(
        hardness=curve("hardness"),
        offset_by_random=curve("offset_by_random"),
        radius_by_random=curve("radius_by_random"),
        anti_aliasing=base("anti_aliasing"),
        dabs_per_radius=base("dabs_per_actual_radius") + base("dabs_per_basic_radius"),
    )


def rand_gauss(shape: tuple[int, ...], like: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """libmypaint's Gaussian (``helpers.c``): four uniforms summed and scaled to mean 0, variance 1
    (so within +-2 sqrt 3), ``shape``, on ``like``'s device and dtype."""
    u = torch.rand((4, *shape), device=like.device, dtype=like.dtype, generator=generator)
    return u.sum(0) * math.sqrt(3.0) - 2 * math.sqrt(3.0)


def _interpolate(values: torch.Tensor, stroke: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """``values`` ``(B, K)`` at fractional dab indices ``f`` ``(T,)`` of strokes ``stroke`` ``(T,)``
    (linear, extrapolated half a spacing beyond the first and last dab)."""
    k = values.shape[1]
    lo = f.detach().floor().clamp(0, k - 2).long()
    t = f - lo
    return values[stroke, lo] + (values[stroke, lo + 1] - values[stroke, lo]) * t


def lay_dabs(
    painter: DabPainter, d: dict[str, torch.Tensor], generator: torch.Generator | None
) -> dict[str, torch.Tensor]:
    """libmypaint's dabs for the mean head's dabs ``d`` (:meth:`DabPainter.dabs`, without its time
    dabs), flattened over the batch: ``stroke`` ``(T,)`` (index of each dab's stroke), centres ``x, y``
    px, radius ``R`` px, hardness ``h`` and opacity ``a`` (each ``(T,)``)."""
    tex = brush_texture(painter.config.brush)
    x, y, sigma, w, p, r = d["x"], d["y"], d["sigma"], d["w"], d["p"], d["r"]
    batch, k = x.shape
    step = torch.sqrt((x[:, 1:] - x[:, :-1]).pow(2) + (y[:, 1:] - y[:, :-1]).pow(2) + 1e-12)
    length = step.sum(1) * k / (k - 1)  # the dabs sit at (j + 1/2) L / K
    per_radius = tex.dabs_per_radius * float(painter.dab_count_scale)
    count = (per_radius * length.detach() / r[:, 0].detach()).round().clamp(1, MAX_DABS).long()  # (B,)
    stroke = torch.repeat_interleave(torch.arange(batch, device=x.device), count)  # (T,)
    start = torch.cumsum(count, 0) - count
    n = torch.arange(len(stroke), device=x.device) - start[stroke]  # the dab's index in its stroke
    f = (n.to(x.dtype) + 0.5) / count[stroke].to(x.dtype) * k - 0.5  # its place among the head's dabs
    mass = _interpolate(2 * math.pi * sigma * sigma * w, stroke, f) * k / count[stroke].to(x.dtype)
    cx, cy, pd = _interpolate(x, stroke, f), _interpolate(y, stroke, f), _interpolate(p, stroke, f)
    pressure = (pd / act.MAX_PRESSURE).clamp(0, 1)
    base_r = r[stroke, 0]
    random = painter.random_brush
    noise = rand_gauss((3, len(stroke)), x, generator) * random
    amp = tex.offset_by_random(pressure).clamp(min=0) * base_r
    radius = (base_r * torch.exp(tex.radius_by_random(pressure) * noise[2])).clamp(RADIUS_MIN, RADIUS_MAX)
    hardness = tex.hardness(pressure).clamp(1e-3, 1.0)
    opacity = mass / (math.pi * base_r * base_r * hardness)  # the head's ink, spread
    # anti-aliasing (prepare_and_draw_dab): a fade-out thinner than `anti_aliasing` px is softened,
    # keeping the optical radius; the mask's area (pi R^2 h) changes, so the opacity keeps the ink
    fade = radius * (1 - hardness)
    soften = fade < tex.anti_aliasing
    optical = radius - (1 - hardness) * radius / 2
    h_new = (optical - tex.anti_aliasing / 2) / (optical + tex.anti_aliasing / 2)
    h_new = h_new.clamp(1e-3, 1 - 1e-3)
    r_new = tex.anti_aliasing / (1 - h_new)
    area = (radius * radius * hardness) / torch.where(soften, r_new * r_new * h_new, radius * radius * hardness)
    return {
        "stroke": stroke,
        "x": cx + amp * noise[0],
        "y": cy + amp * noise[1],
        "R": torch.where(soften, r_new, radius),
        "h": torch.where(soften, h_new, hardness).clamp(max=1 - 1e-4),
        "a": opacity * (base_r / radius).pow(2) * area,
    }


def dab_rr(dx: torch.Tensor, dy: torch.Tensor, radius: torch.Tensor) -> torch.Tensor:
    """libmypaint's ``rr`` (squared distance over squared radius) of pixels whose centres lie ``dx,
    dy`` px from a round dab of ``radius`` px (broadcast): plain from 3 px up, and for smaller
    dabs ``calculate_rr_antialiased`` (dab angle 90 degrees, libmypaint's default: the near point
    keeps the pixel centre's ``y`` and clamps ``x`` to the pixel, the far point lies ``sqrt(1/pi)``
    px further out in ``x``)."""
    r2 = radius * radius
    plain = (dx * dx + dy * dy) / r2
    if not bool((radius < 3.0).any()):
        return plain
    inside = (dx.abs() < 0.5) & (dy.abs() < 0.5)
    nx = torch.where(inside, torch.zeros_like(dx), (dx.abs() - 0.5).clamp(min=0))
    ny = torch.where(inside, torch.zeros_like(dy), dy)
    near = (nx * nx + ny * ny) / r2
    far_sq = (nx + _RAD_AREA_1).pow(2) + ny * ny
    far = far_sq / r2
    aa_start = (radius - 1).clamp(min=0).pow(2)
    smooth = torch.where(far_sq < aa_start, 0.5 * (near + far), 1 - (1 - near) / (1 + far - near))
    aa = torch.where(near > 1, near, smooth)
    return torch.where(radius < 3.0, aa, plain)


def dab_mask(rr: torch.Tensor, hardness: torch.Tensor) -> torch.Tensor:
    """libmypaint's dab opacity mask (``calculate_opa``) at ``rr``: ``1 - (1/h - 1) rr`` up to the
    knee ``rr = h``, then ``h / (1 - h) (1 - rr)``, 0 beyond ``rr = 1``; ``hardness`` in (0, 1)."""
    inner = 1 - (1 / hardness - 1) * rr
    outer = hardness / (1 - hardness) * (1 - rr)
    return torch.where(rr <= hardness, inner, outer) * (rr <= 1)


def composite(dabs: dict[str, torch.Tensor], batch: int, size: int) -> torch.Tensor:
    """Ink density ``(B, H, W)`` of the dabs (:func:`lay_dabs`), ``sum_n a_n m_n(x)``, each dab
    evaluated on its patch of pixels and added onto the canvas."""
    stroke, x, y, radius, hardness, opacity = (dabs[k] for k in ("stroke", "x", "y", "R", "h", "a"))
    total = x.new_zeros(batch * size * size)
    sides = torch.tensor(PATCH_SIDES, device=x.device)
    need = torch.ceil(2 * radius.detach() + 3).long()
    which = torch.searchsorted(sides, need).clamp(max=len(PATCH_SIDES) - 1)
    for b in torch.unique(which).tolist():
        idx = torch.nonzero(which == b).squeeze(1)
        side = PATCH_SIDES[b]
        grid = torch.arange(side, device=x.device)
        reach = radius[idx].detach() + 1
        x0 = torch.floor(x[idx].detach() - reach).long()  # (n,)
        y0 = torch.floor(y[idx].detach() - reach).long()
        px, py = x0[:, None] + grid, y0[:, None] + grid  # (n, P) pixel columns and rows
        dx = (px.to(x.dtype) + 0.5 - x[idx, None])[:, None, :]  # (n, 1, P)
        dy = (py.to(x.dtype) + 0.5 - y[idx, None])[:, :, None]  # (n, P, 1)
        rr = dab_rr(dx, dy, radius[idx, None, None])
        alpha = opacity[idx, None, None] * dab_mask(rr, hardness[idx, None, None])
        inside = ((px >= 0) & (px < size))[:, None, :] & ((py >= 0) & (py < size))[:, :, None]
        flat = stroke[idx, None, None] * size * size + py.clamp(0, size - 1)[:, :, None] * size
        flat = flat + px.clamp(0, size - 1)[:, None, :]
        total = total.index_add(0, flat.reshape(-1), (alpha * inside).reshape(-1))
    return total.view(batch, size, size)


def sample_dabs(
    painter: DabPainter, d: dict[str, torch.Tensor], generator: torch.Generator | None = None, time_dabs: int = 0
) -> torch.Tensor:
    """One textured stroke ``(B, H, W)`` in [0, 1] from the mean head's dabs ``d`` (:meth:`DabPainter.dabs`);
    its first ``time_dabs`` (``dabs_per_second``) are laid as the mean head's Gaussians."""
    size = painter.canvas_size
    # a diverged network's NaN strokes: laid as blank strokes, returned as NaN maps (their own only)
    bad = ~torch.stack([d[key].isfinite().all(1) for key in ("x", "y", "sigma", "w", "p", "r")]).all(0)
    chain = {
        key: (torch.where(bad[:, None], torch.zeros_like(v), v)[:, time_dabs:] if key != "r" else v.nan_to_num(1.0))
        for key, v in d.items()
        if v.dim() == 2
    }
    density = composite(lay_dabs(painter, chain, generator), len(d["x"]), size)
    if time_dabs:
        density = density + painter.density(*(d[key][:, :time_dabs] for key in ("x", "y", "sigma", "w")))
    alpha = -torch.expm1(-density)
    return torch.where(bad[:, None, None], torch.full_like(alpha, float("nan")), alpha)


@torch.no_grad()
def calibrate_dab_count(
    painter: DabPainter,
    actions: torch.Tensor,
    variance: torch.Tensor,
    generator: torch.Generator | None = None,
    iterations: int = 4,
    chunk: int = 256,
    mean: torch.Tensor | None = None,
) -> float:
    """Set :attr:`DabPainter.dab_count_scale` so that the samples' total per-pixel variance over
    ``actions`` ``(N, 12)`` equals ``variance`` ``(N, H, W)`` (MyPaint's across seeds), and return
    the last measured ratio (samples / MyPaint) before the last update. The variance falls about as
    ``1 / scale`` (more, fainter dabs), so each of ``iterations`` steps multiplies the scale by the
    measured ratio (each step within 4x, the scale within [0.05, 20]). The samples' variance is
    measured without bias from two samples per action, ``(s1 - s2)^2 / 2``.

    Brushes without randomness (``random_brush`` 0): with MyPaint's ``mean`` ``(N, H, W)`` given,
    :attr:`DabPainter.hard_dabs` is set to 1 when the hard dabs are closer to it (MSE) than the mean
    head, else 0; returns 1."""
    target = float(variance.sum())
    if not bool(painter.random_brush > 0):
        if mean is not None:
            painter.hard_dabs.zero_()
            head = sum(
                float((painter.render_alpha(actions[i : i + chunk]) - mean[i : i + chunk]).pow(2).sum())
                for i in range(0, len(actions), chunk)
            )
            d = [painter.dabs(actions[i : i + chunk]) for i in range(0, len(actions), chunk)]
            time_dabs = painter.time_dabs
            hard = sum(
                float((sample_dabs(painter, di, generator, time_dabs) - mean[i * chunk : (i + 1) * chunk]).pow(2).sum())
                for i, di in enumerate(d)
            )
            painter.hard_dabs.fill_(float(hard < head))
        return 1.0
    if target <= 0:
        return 1.0
    ratio = 1.0
    for _ in range(iterations):
        total = 0.0
        for i in range(0, len(actions), chunk):
            d = painter.dabs(actions[i : i + chunk])
            s1, s2 = painter.sample_dabs(d, generator), painter.sample_dabs(d, generator)
            total += 0.5 * float((s1 - s2).pow(2).sum())
        ratio = total / target
        scale = float(painter.dab_count_scale) * min(max(ratio, 0.25), 4.0)
        painter.dab_count_scale.fill_(min(max(scale, 0.05), 20.0))
    return ratio


__all__ = [
    "MAX_DABS",
    "BrushTexture",
    "Curve",
    "brush_texture",
    "calibrate_dab_count",
    "composite",
    "dab_mask",
    "lay_dabs",
    "sample_dabs",
]
