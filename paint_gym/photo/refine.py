"""Refinement of a batch of tiles: Adam on the strokes against the expected error in MyPaint.

Each tile is a window of the canvas at ``r x r`` px with its target and the canvas painted so
far under it (what MyPaint painted there: the earlier levels and groups). Its strokes are
optimised through the dab painter against the expected squared error over brush seeds
(:func:`paint_gym.canvas.composite_moments`, :func:`paint_gym.canvas.mse_of_moments`: the
objective of :func:`paint_gym.benchmark.reference.refine_strokes`, here over a canvas rather
than a blank one), with actions ``tanh`` of free parameters as there; each tile keeps the
strokes of its lowest loss seen. Tiles may hold fewer strokes than the batch's longest: a mask
zeroes the alpha of the padding strokes.
"""

from __future__ import annotations

import time

import torch

from ..canvas import composite, composite_moments, mse_of_moments
from ..errors import check_finite
from ..painters.base import DifferentiablePainter

#: Adam's step on the free stroke parameters.
LR = 0.1


def expected_tile_error(
    actions: torch.Tensor,
    targets: torch.Tensor,
    canvases: torch.Tensor,
    painter: DifferentiablePainter,
    mask: torch.Tensor | None = None,
    random: bool = True,
) -> torch.Tensor:
    """Expected MSE ``(B,)`` over brush seeds of painting ``actions`` ``(B, T, 12)`` over
    ``canvases`` against ``targets`` (both ``(B, r, r, 3)`` in [0, 1], channels last), with
    ``painter`` at ``r`` px; ``mask`` ``(B, T)`` (1: a stroke, 0: padding). ``random=False``
    (a brush that paints the same stroke for every seed: the dab painter's variance is 0) takes
    the exact shortcut of compositing the mean alone."""
    b, t = actions.shape[:2]
    mean_a, var_a = painter.render_alpha(actions.reshape(b * t, 12), return_var=True)
    r = mean_a.shape[-1]
    mean_a, var_a = mean_a.view(b, t, r, r), var_a.view(b, t, r, r)
    if mask is not None:
        mean_a = mean_a * mask[..., None, None]
        var_a = var_a * mask[..., None, None]
    colors = (actions[..., 3:6] + 1) * 0.5
    mean = canvases
    if not random:
        for k in range(t):
            mean = composite(mean, mean_a[:, k], colors[:, k])
        return (mean - targets).pow(2).mean(dim=(-3, -2, -1))
    second = mean * mean
    for k in range(t):
        mean, second = composite_moments(mean, second, mean_a[:, k], var_a[:, k], colors[:, k])
    return mse_of_moments(mean, second, targets)


def refine_tiles(
    start: torch.Tensor,
    targets: torch.Tensor,
    canvases: torch.Tensor,
    painter: DifferentiablePainter,
    steps: int,
    seconds: float | None = None,
    mask: torch.Tensor | None = None,
    lr: float = LR,
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Adam from ``start`` ``(B, T, 12)`` for at most ``steps`` steps and ``seconds`` seconds
    (None: no limit); returns each tile's best strokes seen ``(B, T, 12)``, their loss ``(B,)``
    (see :func:`expected_tile_error`) and the steps taken. Raises
    :class:`~paint_gym.errors.TrainingDivergedError` for a NaN or inf loss."""
    random = bool(getattr(painter, "random_brush", torch.tensor(1.0)) > 0)
    z = torch.atanh(start.clamp(-0.999, 0.999)).requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    best = torch.tanh(z).detach().clone()
    best_loss = torch.full((len(z),), float("inf"))
    deadline = None if seconds is None else time.perf_counter() + seconds
    step = 0
    while True:
        actions = torch.tanh(z)
        loss = expected_tile_error(actions, targets, canvases, painter, mask, random)
        check_finite(loss.sum(), step=step, lr=lr, trainer="photo refinement")
        with torch.no_grad():
            better = loss < best_loss
            best_loss = torch.where(better, loss.detach(), best_loss)
            best[better] = actions.detach()[better]
        if step >= steps or (deadline is not None and time.perf_counter() >= deadline):
            break
        opt.zero_grad()
        loss.sum().backward()
        opt.step()
        step += 1
    return best, best_loss, step


__all__ = ["LR", "expected_tile_error", "refine_tiles"]
