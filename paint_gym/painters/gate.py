"""The ink gate of the paper's neural painters: no paint where MyPaint lays none.

The VAE and GAN painters are convolutional decoders trained on uniformly random actions, in
which near-zero pressure and very short strokes are rare; left alone they paint a soft blob of
about 35 alpha-pixels for a zero-pressure stroke (max alpha 0.44) and about 80 for a stroke
whose points coincide, where MyPaint's ``classic/dry_brush`` paints exactly nothing. Two facts
of the brush engine say how paint falls off near those limits, and the gate multiplies the
decoder's output by both:

* **Pressure.** dry_brush maps pressure onto its opacity (``opaque_multiply``'s pressure
  input), so ink goes to zero linearly with pressure. Measured on strokes of uniform pressure
  at 64 px, MyPaint's alpha mass over the painters' is 0.28, 0.60 and 0.89 at pressures 0.008,
  0.02 and 0.04 (of 0.8), i.e. ``min(1, mean_pressure / 0.03)``; above 0.04 the painters
  already match it and the gate is 1.
* **Length.** libmypaint emits dabs as the brush travels (``dabs_per_actual_radius``): a stroke
  of arc length ``L`` and radius ``r`` lays about ``L / r`` dabs' worth of paint, and none when
  the brush does not move. The ratio of MyPaint's alpha mass to the painters' follows
  ``1 - exp(-(L / r) / 1.5)`` for ``L / r`` up to 3 (measured on 1,500 strokes of 0-16 px).

On uniformly random actions (where ``L / r`` is above 5 for 99% of strokes) the gate changes
the held-out alpha MSE by less than 1e-5; on strokes of 0-2 px it cuts the painters' error about
4x, and zero pressure or coincident points give exactly zero alpha. Both factors are smooth
functions of the action with finite gradients everywhere (the segment lengths are
``sqrt(d^2 + eps) - sqrt(eps)``), and have no data-dependent branches, so the painters stay
traceable by ``torch.func.vmap`` and ``torch.compile``.

Gradients. Where the gate is exactly 0 the product ``alpha * g`` has exactly zero gradient:
``d(alpha g) = g d(alpha) + alpha d(g)``, with ``g = 0`` and, at coincident points, ``d(g) = 0``
too (any smooth function of a length has a zero gradient at length 0, by symmetry). Strokes
initialised with ``torch.zeros`` (all three points at the centre) would then never move under
``expected_mse`` or ``paint_differentiable``. So the gate lets a straight-through fraction
``GRADIENT_LEAK * (1 - g)`` of the decoder's own gradient pass (:func:`leaky_scale`): the
forward pass is unchanged (exactly 0 alpha at the limits), and the backward pass of a dead
stroke is the ungated painter's, scaled by the leak. The leak is 0.02: with Adam (the optimiser
of every trainer here) the step size does not depend on the gradient's scale, so any nonzero
leak revives a dead stroke at the full learning rate; with plain SGD it is 50x slower than a
live stroke. It adds at most 2% of the ungated gradient to the true one (``0.02 (1 - g)``
against ``g``) and vanishes as ``g`` approaches 1: for 95% of uniformly random strokes ``g`` is
above 0.9, so their gradient changes by less than 0.2% of the ungated one. Larger leaks (0.05)
revive dead strokes no faster under Adam and bias short strokes more; much smaller ones come
close to Adam's epsilon (1e-8): a ``torch.zeros`` stroke against a black target gets about 7e-5
per action entry at 0.02, which would be 3.5e-7 at 1e-4.
"""

from __future__ import annotations

import torch

from .. import actions as act

#: Mean physical pressure below which ink falls off linearly to zero (dry_brush, measured).
PRESSURE_SCALE = 0.03
#: Arc length over radius at which a stroke has laid 1 - 1/e of a long stroke's ink.
LENGTH_SCALE = 1.5
#: Points along the curve used to measure its arc length.
ARC_POINTS = 16
#: Canvas on which lengths and radii are measured (their ratio does not depend on it).
REFERENCE_CANVAS = 64
_EPS = 1e-6  # px^2: keeps the length's gradient finite when points coincide
#: Fraction of the ungated gradient that reaches the decoder's output where the gate is below 1
#: (straight through; the forward pass is exact). See "Gradients" in the module docstring.
GRADIENT_LEAK = 0.02
#: Weights ``(ARC_POINTS, 3)`` of start, through-point and end along the curve (the action
#: mapping's), a tensor constant so that ``torch.compile`` traces no numpy.
_ARC_WEIGHTS = torch.tensor(act._curve_basis(ARC_POINTS)[1].copy())


def ink_gate(actions: torch.Tensor) -> torch.Tensor:
    """Fraction ``(B,)`` in [0, 1] of a stroke's ink that MyPaint lays, from actions ``(B, 12)``.

    ``actions`` are clipped to [-1, 1] here (callers validate them at the boundary). The gate is
    0 for zero mean pressure and for strokes whose points coincide, 1 for ordinary strokes; see
    the module docstring for the libmypaint settings it follows and how it was measured.
    Differentiable, on the actions' device and dtype; the length over radius ratio does not
    depend on the canvas size.
    """
    a = actions.clamp(-1, 1)
    u = (a + 1) * 0.5
    pressure = act.MAX_PRESSURE * 0.5 * (u[:, act.START_PRESSURE] + u[:, act.END_PRESSURE])
    pressure_gate = (pressure / PRESSURE_SCALE).clamp(max=1.0)
    anchors = (u[:, act.START_X :] * REFERENCE_CANVAS).reshape(-1, 3, 2)  # start, through, end
    anchors = anchors - anchors[:, :1]  # relative to the start: coincident points give exactly 0
    points = _ARC_WEIGHTS.to(a) @ anchors
    step2 = (points[:, 1:] - points[:, :-1]).pow(2).sum(-1)
    length = (torch.sqrt(step2 + _EPS) - _EPS**0.5).sum(-1)
    r_min, r_max = act.radius_range(REFERENCE_CANVAS)
    radius = r_min * (r_max / r_min) ** u[:, act.SIZE]
    length_gate = 1 - torch.exp(-length / (radius * LENGTH_SCALE))
    return pressure_gate * length_gate


def leaky_scale(x: torch.Tensor, scale: torch.Tensor, leak: float | None = None) -> torch.Tensor:
    """``x * scale`` in the forward pass, exactly; in the backward pass ``x`` also receives
    ``leak * (1 - scale)`` of its gradient (straight through, :data:`GRADIENT_LEAK`).

    ``x * scale + leak * (1 - scale).detach() * (x - x.detach())``: the added term is exactly 0
    forward (``x - x.detach()`` is 0 for finite ``x``), so a gated-off stroke still paints
    exactly nothing, but gradients reach the decoder's output, and through it the actions, where
    the gate is below 1. No data-dependent branch: traceable by vmap and torch.compile.
    """
    leak = GRADIENT_LEAK if leak is None else leak
    return x * scale + leak * (1 - scale).detach() * (x - x.detach())


def gate_moments(actions: torch.Tensor, mean: torch.Tensor, var: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale a painter's alpha mean ``(B, H, W)`` by the gate ``g`` and its variance by ``g^2``,
    exactly in the forward pass, with a straight-through gradient leak (:func:`leaky_scale`)."""
    g = ink_gate(actions).to(mean.dtype)[:, None, None]
    return leaky_scale(mean, g), leaky_scale(var, g * g)
