"""The dab painter: a stroke rendered the way libmypaint renders it, with small learned functions.

libmypaint paints a stroke as a chain of round *dabs* along the pen's path: it emits
``dabs_per_actual_radius`` dabs per radius travelled (6 for ``classic/dry_brush``), each with an
opacity (``opaque`` x ``opaque_multiply``, functions of pressure), a radius
(``radius_logarithmic``, its pressure and speed inputs) and a hardness (``hardness``), jittered
by ``offset_by_random`` (radii, times the base radius) and ``radius_by_random`` (log radius), and
composites them "over" each other: ``alpha = 1 - prod_k (1 - a_k m_k(x))``.

:class:`DabPainter` keeps that structure and learns only what the brush file's curves and the
engine's details make hard to write down:

* **Placement** (exact, no learning): the stroke's points come from
  :func:`paint_gym.actions.to_physical` (the one definition of a stroke), filtered as libmypaint's
  ``slow_tracking`` filters the pen's events (:func:`tracking_filter`, read from the ``.myb`` file:
  ``classic/brush``'s 4.47 trails the pen by about four events, cutting corners and stopping short
  of the end point; a model that put its dabs on the curve itself missed exactly there) and, for brushes
  with ``slow_tracking_per_dab``, filtered again per dab (:meth:`DabPainter._trail`: classic/kabura's
  dabs trail the pen by about ten of them), its arc length ``L``
  from :data:`ARC_POINTS` points along the curve, and ``K`` dabs sit at arc lengths
  ``(k + 1/2) L / K``, ``K`` = :attr:`DabConfig.n_dabs` (96) at every canvas size: lengths and
  radii scale together with the canvas, so ``L / K`` stays the same fraction of the dabs' width
  (how little more dabs change, and what they cost: docs/painters.md).
* **Ink and width** (learned, about 1,300 parameters): a two-layer MLP of the pressure, log
  radius, position along the stroke and ``log(1 + L / r)`` (evaluated at :data:`MLP_POINTS`
  points along the stroke and interpolated to the dabs) (the brush's speed inputs and
  ``slow_tracking``'s lag at the ends depend on these) gives each dab's ink per radius travelled
  and its Gaussian width in radii, and a per-stroke variance factor. Ink is the exponential of
  the MLP's output (:attr:`DabConfig.ink_link`; a softplus before 2026-12-06) times the pressure,
  so **zero pressure paints exactly nothing**, and the dense ink of a hard-edged brush is in reach:
  ``1 - exp(-D)`` over a Gaussian cross-section of peak ``A`` has an edge about ``2r / ln A`` wide,
  so a pen's one-pixel edge needs ``A`` in the thousands, which a softplus reaches only after
  thousands of steps; ink per dab is proportional
  to ``L / K`` (paint per distance travelled, as ``dabs_per_actual_radius`` lays it), so a
  stroke whose points coincide paints nothing - except for brushes whose ``dabs_per_second``
  lays paint while the pen rests (``classic/brush``): for them :attr:`DabConfig.dot` adds
  :data:`TIME_DABS` dabs evenly spaced in time (the events are), of learned ink and width, which
  pile up into a dot when the points coincide.
* **Compositing**: many soft dabs composited "over" each other give ``1 - exp(-D)``, ``D`` the
  sum of the dabs' ink densities (``-log(1 - a m) ~ a m`` for small ``a``): the mean alpha.
  Written as Gaussians, ``D`` is separable, ``sum_k w_k g(y - y_k) g(x - x_k)``, so a batch is one
  batched matrix product ``(B, H, K) x (B, K, W)``. Gaussian tails are floored at ``exp(-30)`` (about
  1e-13; far pixels get a density below 1e-25), so no denormal floats reach the products (why:
  docs/painters.md).
* **Variance across brush seeds**: ``kappa * mean * (1 - mean)``, ``kappa`` in (0, 1) per stroke
  (the largest variance a [0, 1] quantity of that mean can have, scaled).
* **Samples**: :meth:`DabPainter.sample` lays the mean head's ink as libmypaint lays it: its own
  number of dabs per radius, each with the brush's hardness mask and random offset and radius
  (:mod:`paint_gym.painters.dab_texture`), reparameterised (noise from a generator,
  differentiable with respect to the actions). The dab count's scale is the sampler's one
  fitted number (:attr:`DabPainter.dab_count_scale`): calibrated so that the samples' total
  per-pixel variance matches MyPaint's across seeds.

Every length is in pixels of the canvas being painted and every learned input is relative to it
(radius over the 64 px radius range, ``L / r``), so the same weights paint any canvas size
natively (:meth:`DabPainter.at_size`).

**Cost.** ``K`` stays 96 at every size, so a stroke costs ``K (H + W)`` exponentials and ``K H W``
multiply-adds: it grows with the canvas's pixels (a canvas 4x wider costs about 16x, not 64x as when ``K``
grew with the canvas). Every stroke is rendered over the whole canvas (rendering only each stroke's
box was measured slower: docs/painters.md).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import Annotated, Any

import torch
from torch import nn

from .. import actions as act
from ..canvas import action_tensor
from ..checkpoint import float_state, write_painter_checkpoint
from ..validation import Bound, CanvasSize, OneOf, PositiveInt, ValidatedConfig
from . import dab_texture
from .mypaint import DEFAULT_BRUSH, EVENT_DTIME

#: Points along the curve over which the arc length is measured and the dabs are placed.
ARC_POINTS = 48
#: Points along the stroke (in the curve's parameter) where the ink-and-width MLP is evaluated.
MLP_POINTS = 16
#: Dabs a stroke's length must reach before it lays ink, and the width of that step (in dabs):
#: chosen on 0.5-4 px strokes of the five brushes against MyPaint (the pen, 2.2 opaque dabs per radius,
#: is the sharpest); see tests/test_painter_contract.py.
DAB_COUNT_THRESHOLD = 1.25
DAB_COUNT_WIDTH = 0.2
#: For the exponential-ink painters the step's tail is cut: no ink below 0.75 dabs' spacing, the
#: sigmoid's from 1.25 on (a smoothstep between).
DAB_COUNT_START = 0.75
DAB_COUNT_FULL = 1.25
#: Dabs laid evenly in time along the stroke for brushes that paint while the pen rests
#: (``dabs_per_second``; :attr:`DabConfig.dot`).
TIME_DABS = 16
#: Gaussian tails are floored at exp(-TAIL_CUT) (no denormal floats in the products).
TAIL_CUT = 30.0
#: State of the jittered-Gaussian sampler that dab_texture replaced, ignored in older checkpoints.
LEGACY_SAMPLER_KEYS = ("jitter_gain", "ink_noise")
_EPS = 1e-6  # px^2: keeps the segment lengths' gradients finite where points coincide
_LOG_RADIUS_SPAN = math.log(act.MAX_RADIUS_64 / act.MIN_RADIUS_64)
_LOG_LENGTH_SPAN = math.log1p(200.0)  # L / r reaches about 200 for the longest, thinnest strokes


@dataclass(frozen=True)
class DabConfig(ValidatedConfig):
    """What defines a dab painter (saved in its checkpoint); each field's range is declared in its type."""

    kind: str = "dab"
    canvas_size: CanvasSize = 64
    """Canvas side in pixels it renders at (any size: :meth:`DabPainter.at_size`)."""
    brush: str = DEFAULT_BRUSH
    """The MyPaint brush it imitates (its random settings drive :meth:`DabPainter.sample`)."""
    n_dabs: PositiveInt = 96
    """Dabs per stroke, at every canvas size (lengths and radii scale together)."""
    hidden: PositiveInt = 32
    """Width of the ink-and-width MLP."""
    dot: bool = False
    """Whether the brush paints where the pen rests (``dabs_per_second`` > 0): a start dab."""
    offset_by_random: tuple[float, float] = (0.0, 1.4)
    """libmypaint ``offset_by_random``: base value and slope over pressure, in radii."""
    radius_by_random: float = 0.1
    """libmypaint ``radius_by_random``: standard deviation of the log radius."""
    dabs_per_radius: float = 6.0
    """libmypaint ``dabs_per_actual_radius`` + ``dabs_per_basic_radius``: dabs laid per radius travelled."""
    slow_tracking: Annotated[float, Bound(0)] = 0.0
    """libmypaint ``slow_tracking``: the position filter over the stroke's events (0: none), which makes
    the painted path lag behind the pen (cut corners, a stroke that stops short): applied exactly."""
    slow_tracking_per_dab: Annotated[float, Bound(0)] = 0.0
    """libmypaint ``slow_tracking_per_dab``: a second position filter, per dab laid (0: none), so the
    dabs trail the filtered pen by about this many dabs (classic/kabura: 10)."""
    ink_link: Annotated[str, OneOf(("exp", "softplus"))] = "exp"
    """How the MLP's first output becomes ink: ``exp`` (log-ink: the dense ink of hard-edged brushes
    is in reach) or ``softplus`` (painters fitted before 2026-12-06)."""
    min_width: Annotated[float, Bound(0, open_low=True)] = 0.15
    """Smallest Gaussian width of a dab, in radii (0.05 was measured worse on classic/brush)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "offset_by_random", tuple(float(v) for v in self.offset_by_random))
        if self.kind != "dab":
            raise ValueError(f"DabConfig.kind must be 'dab'; got {self.kind!r}")


def brush_randomness(brush: str) -> dict[str, Any]:
    """``offset_by_random`` (base, pressure slope) and ``radius_by_random`` of a ``.myb`` brush,
    whether it paints while the pen rests (``dabs_per_second`` > 0), its dabs per radius and its
    ``slow_tracking`` (base values: the classic brushes give these settings no inputs that matter here)."""
    from .mypaint import resolve_brush

    settings = json.loads(resolve_brush(brush).read_text())["settings"]

    def linear(name: str) -> tuple[float, float]:
        s = settings.get(name, {"base_value": 0.0, "inputs": {}})
        curve = (s.get("inputs") or {}).get("pressure", [[0.0, 0.0], [1.0, 0.0]])
        slope = (curve[-1][1] - curve[0][1]) / max(curve[-1][0] - curve[0][0], 1e-6)
        return float(s["base_value"]), float(slope)

    return {
        "offset_by_random": linear("offset_by_random"),
        "radius_by_random": linear("radius_by_random")[0],
        "dot": settings.get("dabs_per_second", {}).get("base_value", 0.0) > 0,
        "dabs_per_radius": linear("dabs_per_actual_radius")[0] + linear("dabs_per_basic_radius")[0],
        "slow_tracking": max(linear("slow_tracking")[0], 0.0),
        "slow_tracking_per_dab": max(linear("slow_tracking_per_dab")[0], 0.0),
    }


class DabPainter(nn.Module):
    """Stroke actions ``(B, 12)`` -> alpha ``(B, H, W)`` (and its variance across brush seeds) as a
    chain of learned soft dabs; see the module docstring for the model and the libmypaint
    settings it mirrors. Same contract as :class:`~paint_gym.painters.neural.GANPainter`:
    float32, batched, differentiable with respect to the actions, any device."""

    def __init__(self, config: DabConfig = DabConfig()) -> None:
        super().__init__()
        self.config = config
        h = config.hidden
        self.mlp = nn.Sequential(nn.Linear(4, h), nn.SiLU(), nn.Linear(h, h), nn.SiLU(), nn.Linear(h, 3))
        with torch.no_grad():  # start near a plausible brush: ink ~1 per radius, width ~0.5 radii
            self.mlp[-1].weight.mul_(0.1)
            ink0 = 0.0 if config.ink_link == "exp" else 0.5  # ink ~1 either way
            self.mlp[-1].bias.copy_(torch.tensor([ink0, -0.4, -2.0]))
        # time dabs' ink: the MLP's at the events times exp(dot_ink), starting at 1 (their sum: one
        # TIME_DABS-th of a dab's ink per radius; ``softplus`` painters: one learned ink, starting low)
        self.dot_ink = nn.Parameter(torch.tensor(0.0 if config.ink_link == "exp" else -2.0))
        self.dot_width = nn.Parameter(torch.tensor(-0.4))
        # 1 for random brushes, 0 for brushes that paint the same stroke for every seed (pen,
        # brush): their variance is exactly 0 and their samples equal the mean (set when fitting)
        self.register_buffer("random_brush", torch.tensor(1.0))
        # the sampler's one calibrated number: libmypaint's dab count is multiplied by it, each dab
        # carrying its share of the ink (paint_gym/painters/dab_texture.py; set when fitting)
        self.register_buffer("dab_count_scale", torch.tensor(1.0))
        # brushes without randomness: 1 if their samples are the hard dabs (closer to MyPaint than
        # the mean when fitted), 0 if the mean (set when fitting)
        self.register_buffer("hard_dabs", torch.tensor(0.0))

    # -- the contract -----------------------------------------------------------------------
    @property
    def canvas_size(self) -> int:
        return self.config.canvas_size

    @property
    def device(self) -> torch.device:
        return self.dot_ink.device

    @property
    def time_dabs(self) -> int:
        """How many of :meth:`dabs`'s dabs come first as time dabs (:data:`TIME_DABS` with
        :attr:`DabConfig.dot`, else 0)."""
        return TIME_DABS if self.config.dot else 0

    def at_size(self, canvas_size: int) -> DabPainter:
        """The same painter (shared weights, not a copy) rendering ``canvas_size`` px canvases
        (checked by :class:`DabConfig`: ``ValueError`` outside 8..8192)."""
        config = dataclasses.replace(self.config, canvas_size=canvas_size)
        view = copy.copy(self)
        view.__dict__ = dict(self.__dict__)  # own attributes, shared parameters and submodules
        view.config = config
        return view

    def dabs(self, actions: torch.Tensor) -> dict[str, torch.Tensor]:
        """The stroke's dabs: centres ``x, y`` ``(B, K)`` px, Gaussian widths ``sigma`` ``(B, K)`` px,
        ink ``w`` ``(B, K)`` (peak density), pressures ``p`` ``(B, K)``, radius ``r`` ``(B, 1)`` px,
        and the per-stroke variance factor ``kappa`` ``(B,)``; with :attr:`DabConfig.dot`,
        :data:`TIME_DABS` more, evenly spaced in time (K + TIME_DABS)."""
        a = action_tensor(actions, 2, self.device, values=False).float().clamp(-1, 1)  # values: at the doors
        size = self.canvas_size
        if self.config.slow_tracking > 0:  # the path libmypaint paints: its events, filtered
            stroke = act.to_physical(a, size)  # the STROKE_POINTS events MyPaintPainter sends
            pts = tracking_filter(self.config.slow_tracking, stroke.points.shape[1], a) @ stroke.points
        else:
            stroke = act.to_physical(a, size, n_points=ARC_POINTS)
            pts = stroke.points
        pressures = stroke.pressures  # (B, P, 2), (B, P)
        n_pts = pts.shape[1]
        r = stroke.radius[:, None]  # (B, 1)
        seg = torch.sqrt((pts[:, 1:] - pts[:, :-1]).pow(2).sum(-1) + _EPS) - _EPS**0.5
        cum = torch.cat([seg.new_zeros(len(a), 1), seg.cumsum(1)], 1)  # (B, P)
        length = cum[:, -1:]  # (B, 1)
        k = self.config.n_dabs
        s = (torch.arange(k, device=a.device, dtype=a.dtype) + 0.5) / k * length  # (B, K)
        hi = torch.searchsorted(cum.contiguous(), s.contiguous()).clamp(1, n_pts - 1)
        lo = hi - 1
        c_lo, c_hi = cum.gather(1, lo), cum.gather(1, hi)
        frac = ((s - c_lo) / (c_hi - c_lo).clamp_min(1e-6)).clamp(0, 1)
        centre = torch.lerp(
            pts.gather(1, lo[..., None].expand(-1, -1, 2)),
            pts.gather(1, hi[..., None].expand(-1, -1, 2)),
            frac[..., None],
        )
        p = torch.lerp(pressures.gather(1, lo), pressures.gather(1, hi), frac)  # (B, K)
        t = (lo + frac) / (n_pts - 1)  # the curve's parameter at each dab, (B, K)
        out = self._ink_and_width(pressures, r * (64.0 / size), length / r, t)  # (B, K, 3)
        ink = p * self._ink(out[..., 0])  # exactly 0 at zero pressure
        sigma = r * (self.config.min_width + nn.functional.softplus(out[..., 1]))
        w = ink * (length / k) / r * self._dab_count_factor(length / r)  # ink per radius travelled
        kappa = torch.sigmoid(out[..., 2].mean(1)) * self.random_brush
        if self.config.slow_tracking_per_dab > 0:
            centre = self._trail(centre, pts[:, 0], length / k, r)
        x, y = centre[..., 0], centre[..., 1]
        if self.config.dot:  # dabs_per_second: paint laid in time, wherever the pen is (a dot if it rests)
            idx = torch.linspace(0, n_pts - 1, TIME_DABS, device=a.device).round().long()
            p_t = pressures[:, idx]  # (B, TIME_DABS): the events are evenly spaced in time, i.e. in t
            at = pts[:, idx]  # (B, TIME_DABS, 2)
            if self.config.slow_tracking_per_dab > 0:  # they trail too: the trailed dab nearest in t
                t_events = idx.to(t.dtype)[None].expand(len(t), -1) / (n_pts - 1)
                near = torch.searchsorted(t.contiguous(), t_events.contiguous()).clamp(max=k - 1)
                at = torch.stack([x.gather(1, near), y.gather(1, near)], -1)
            x = torch.cat([at[..., 0], x], 1)
            y = torch.cat([at[..., 1], y], 1)
            width = self.config.min_width + nn.functional.softplus(self.dot_width)
            sigma = torch.cat([(r * width).expand(-1, TIME_DABS), sigma], 1)
            if self.config.ink_link == "exp":  # the MLP's ink at the events, scaled: its pressure curve too
                t_events = (idx.to(t.dtype) / (n_pts - 1))[None].expand(len(t), -1)
                raw = self._ink_and_width(pressures, r * (64.0 / size), length / r, t_events)[..., 0]
                dot_ink = self._ink(raw + self.dot_ink)
            else:  # painters fitted before 2026-12-06: one learned ink for every time dab
                dot_ink = nn.functional.softplus(self.dot_ink)
            w = torch.cat([p_t * dot_ink / TIME_DABS, w], 1)
            p = torch.cat([p_t, p], 1)
        return {"x": x, "y": y, "sigma": sigma, "w": w, "p": p, "r": r, "kappa": kappa}

    def _trail(self, centre: torch.Tensor, start: torch.Tensor, step: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """libmypaint's per-dab position filter (``slow_tracking_per_dab``, mypaint-brush.c: each dab
        moves ``1 - exp(-1 / slow_tracking_per_dab)`` of the way to the pen) over our dab centres
        ``(B, K, 2)``, ``step`` px apart ``(B, 1)``: between two of them libmypaint lays
        ``step x dabs_per_radius / r`` dabs, so ``exp(-step dabs_per_radius / (r slow_tracking_per_dab))``
        of the lag is kept; the filter starts at the stroke's first point ``start`` ``(B, 2)``."""
        k = centre.shape[1]
        keep_log = -step * self.config.dabs_per_radius / (r * self.config.slow_tracking_per_dab)  # (B, 1)
        i = torch.arange(k, device=centre.device, dtype=centre.dtype)
        lag = (i[:, None] - i[None, :]).clamp(min=0)  # (K, K)
        weights = torch.exp(keep_log[..., None] * lag) * (1 - torch.exp(keep_log))[..., None]  # (B, K, K)
        weights = torch.tril(weights)
        first = torch.exp(keep_log * (i + 1))  # (B, K): what is left of the start
        return weights @ centre + first[..., None] * start[:, None, :]

    def _ink(self, raw: torch.Tensor) -> torch.Tensor:
        """Ink per radius travelled from the MLP's first output (:attr:`DabConfig.ink_link`); the
        exponent is capped at 30 (an alpha of 1 long before), so no overflow reaches the products."""
        if self.config.ink_link == "exp":
            return torch.exp(raw.clamp(max=30.0))
        return nn.functional.softplus(raw)

    def _dab_count_factor(self, length_over_r: torch.Tensor) -> torch.Tensor:
        """Fraction ``(B, 1)`` of the ink a stroke lays for its length: libmypaint emits a dab each
        time ``dabs_per_radius x L / r`` passes a whole number, so a stroke that travels less than
        about one dab's spacing (times ``slow_tracking``'s lag) lays none: a smooth step at
        :data:`DAB_COUNT_THRESHOLD` dabs. It is 1 to within 1e-3 from 2.7 dabs on, i.e. for 99.99%
        of uniformly random strokes (it was added after fitting, which therefore saw it as 1).

        With the exponential ink (:attr:`DabConfig.ink_link`) a hard-edged brush's ink runs to the
        thousands, so a sigmoid's tail still painted a dot for a 0.5 px pen stroke (11x MyPaint's
        mass): the sigmoid is then cut by a smoothstep, exactly 0 below :data:`DAB_COUNT_START`
        dabs and 1 from :data:`DAB_COUNT_FULL` on."""
        n = length_over_r * self.config.dabs_per_radius
        step = torch.sigmoid((n - DAB_COUNT_THRESHOLD) / DAB_COUNT_WIDTH)
        if self.config.ink_link == "exp":
            u = ((n - DAB_COUNT_START) / (DAB_COUNT_FULL - DAB_COUNT_START)).clamp(0.0, 1.0)
            return step * u * u * (3.0 - 2.0 * u)
        return step

    def _ink_and_width(
        self, pressures: torch.Tensor, r64: torch.Tensor, length_over_r: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        """The MLP's outputs ``(B, K, 3)`` at the dabs' curve parameters ``t`` ``(B, K)``.

        Within a stroke the MLP's inputs depend on ``t`` alone (pressure is linear in ``t``, the
        radius and ``L / r`` are constants), so it is evaluated on :data:`MLP_POINTS` values of
        ``t`` and interpolated linearly to the dabs: a sixth of the work of one evaluation per dab,
        for a function that is smooth along the stroke (docs/painters.md)."""
        m = MLP_POINTS
        grid = torch.linspace(0.0, 1.0, m, device=t.device, dtype=t.dtype).expand(len(t), m)  # (B, M)
        p0, p1 = pressures[:, :1], pressures[:, -1:]
        features = torch.stack(
            [
                (p0 + (p1 - p0) * grid) / act.MAX_PRESSURE,
                (torch.log(r64 / act.MIN_RADIUS_64) / _LOG_RADIUS_SPAN).expand(-1, m),
                grid,
                (torch.log1p(length_over_r) / _LOG_LENGTH_SPAN).expand(-1, m),
            ],
            -1,
        )
        out = self.mlp(features)  # (B, M, 3)
        f = t * (m - 1)
        # NaN actions (a diverged agent) give NaN alpha for the divergence checks, not an index error
        i = torch.nan_to_num(f.detach(), nan=0.0).floor().clamp(0, m - 2).long()
        w = (f - i)[..., None]
        lo = out.gather(1, i[..., None].expand(-1, -1, 3))
        hi = out.gather(1, (i + 1)[..., None].expand(-1, -1, 3))
        return lo + (hi - lo) * w

    def density(self, x: torch.Tensor, y: torch.Tensor, sigma: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """Ink density ``D`` ``(B, H, W)`` of Gaussian dabs ``(B, K)`` (centres and widths in px):
        ``sum_k w_k g(y - y_k) g(x - x_k)`` as one batched matrix product."""
        c = self.canvas_size / 2  # coordinates centred on the canvas: smaller squares, less rounding
        grid = torch.arange(self.canvas_size, device=x.device, dtype=x.dtype) + 0.5 - c  # pixel centres
        basis = torch.stack([torch.ones_like(grid), grid, grid * grid])  # (3, H)
        inv = 0.5 / (sigma * sigma)  # (B, K)
        xc, yc = x - c, y - c
        # -(g - y)^2 / (2 sigma^2) as a quadratic in g: one small matrix product instead of four
        # elementwise passes over (B, K, H) (faster; the same alpha to 1e-5: docs/painters.md)
        gy = torch.exp((torch.stack([-inv * yc * yc, 2 * inv * yc, -inv], -1) @ basis).clamp(min=-TAIL_CUT))
        gx = torch.exp((torch.stack([-inv * xc * xc, 2 * inv * xc, -inv], -1) @ basis).clamp(min=-TAIL_CUT))
        return torch.bmm((gy * w[..., None]).transpose(1, 2), gx)

    def forward(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        d = self.dabs(actions)
        mean = -torch.expm1(-self.density(d["x"], d["y"], d["sigma"], d["w"]))
        var = d["kappa"][:, None, None] * mean * (1 - mean)
        return mean, var

    def render_alpha(
        self, actions: torch.Tensor, return_var: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Mean alpha ``(B, H, W)`` float32 in [0, 1] of strokes ``(B, 12)`` (clipped to [-1, 1]);
        with ``return_var`` also the per-pixel variance across brush seeds. Differentiable with
        respect to the actions; shape and dtype errors raise ``ValueError`` (values are checked
        at the public entry points, so this path stays traceable)."""
        mean, var = self(actions)
        return (mean, var) if return_var else mean

    def sample(self, actions: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """One random stroke ``(B, H, W)`` in [0, 1] per action, with the brush's texture: the mean
        head's ink laid as libmypaint lays it, many small dabs of the brush's hardness, count and
        random offsets and radii (:mod:`paint_gym.painters.dab_texture`). Reparameterised:
        differentiable with respect to the actions; the same ``generator`` state gives the same
        sample. Brushes without randomness (``random_brush`` 0: pen, brush) return the mean."""
        return self.sample_dabs(self.dabs(actions), generator)

    def sample_dabs(self, d: dict[str, torch.Tensor], generator: torch.Generator | None = None) -> torch.Tensor:
        """:meth:`sample` from dabs already placed by :meth:`dabs` (the fitting calibrates
        :attr:`dab_count_scale` through this with the dabs fixed)."""
        if not bool(self.random_brush > 0) and not bool(self.hard_dabs > 0):  # see dab_texture's docstring
            return -torch.expm1(-self.density(d["x"], d["y"], d["sigma"], d["w"]))
        return dab_texture.sample_dabs(self, d, generator, self.time_dabs)

    # -- saving -------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike, half: bool = False, extra: dict[str, Any] | None = None) -> str:
        """Write an inference checkpoint (float32 by default: it is a few KB); returns its SHA-256."""
        return write_painter_checkpoint(self.config, self.state_dict(), path, half, extra)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DabPainter:
        """Rebuild a painter from a checkpoint payload (see :meth:`save`)."""
        config = dict(payload["config"])
        if "dabs_per_64px" in config:  # checkpoints before 2026-11-29 (fitted at 64 px: the same count)
            config["n_dabs"] = config.pop("dabs_per_64px")
        config["offset_by_random"] = tuple(config["offset_by_random"])
        for name, value in LEGACY_CONFIG.items():  # painters fitted before these fields existed
            config.setdefault(name, value)
        painter = cls(DabConfig(**config))
        state = {k: v for k, v in float_state(payload["state_dict"]).items() if k not in LEGACY_SAMPLER_KEYS}
        state.setdefault("dab_count_scale", painter.dab_count_scale)  # before 2026-12: libmypaint's count
        state.setdefault("hard_dabs", painter.hard_dabs)  # and the mean for pen and brush
        painter.load_state_dict(state)
        return painter


#: DabConfig values of checkpoints saved before the field existed (fitted before 2026-12-06).
LEGACY_CONFIG: dict[str, Any] = {
    "ink_link": "softplus",
    "min_width": 0.15,
    "slow_tracking": 0.0,
    "slow_tracking_per_dab": 0.0,
}


def tracking_filter(slow_tracking: float, n: int, like: torch.Tensor) -> torch.Tensor:
    """The ``(n, n)`` matrix of libmypaint's position filter over ``n`` events: the brush moves
    ``fac = 1 - exp(-100 dt / slow_tracking)`` of the way to each new event (mypaint-brush.c,
    ``stroke_to``: ``x += (x_event - x) * fac``; ``dt`` = :data:`~paint_gym.painters.mypaint.EVENT_DTIME`)
    from the stroke's first point, where :meth:`MyPaintPainter` puts it. Rows: filtered points."""
    fac = 1.0 - math.exp(-100.0 * EVENT_DTIME / slow_tracking)
    i = torch.arange(n, device=like.device, dtype=like.dtype)
    lag = (i[:, None] - i[None, :]).clamp(min=0)
    weights = torch.tril(fac * (1.0 - fac) ** lag)
    weights[:, 0] = (1.0 - fac) ** i  # the filter starts at the first point
    return weights


def dab_painter_for(brush: str = DEFAULT_BRUSH, canvas_size: int = 64, **overrides: Any) -> DabPainter:
    """An unfitted dab painter for ``brush`` with its random settings read from the ``.myb`` file."""
    return DabPainter(DabConfig(canvas_size=canvas_size, brush=brush, **{**brush_randomness(brush), **overrides}))


__all__ = [
    "ARC_POINTS",
    "LEGACY_CONFIG",
    "MLP_POINTS",
    "DabConfig",
    "DabPainter",
    "brush_randomness",
    "dab_painter_for",
    "tracking_filter",
]
