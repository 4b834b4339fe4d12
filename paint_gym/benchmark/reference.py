"""Per-image direct optimisation of strokes through a neural painter: the evaluation's reference.

Not an agent (it learns nothing that transfers to the next image), but the best an amortised
agent with the same number of strokes can hope for through the same painter, at the cost of an
optimisation per image. It needs only the library (painter, compositing, the metric), so it
lives with the benchmark's rules rather than beside any competitor.
"""

from __future__ import annotations

import numpy as np
import torch
from tqdm import trange

from ..canvas import expected_mse, mse, paint_differentiable, to_float_tensor
from ..errors import check_finite
from ..painters.base import DEFAULT_PAINTER, DifferentiablePainter
from ..painters.load import PainterLike, load_painter
from ..validation import check_float, check_int
from .protocol import check_targets

OBJECTIVES = ("expected", "mse")
#: Adam's step on the free parameters when refining an agent's strokes (smaller than direct
#: optimisation's 0.05 from a random start: the start is already close).
REFINE_LR = 0.02


def direct_optimisation(
    targets: np.ndarray,
    strokes: int,
    painter: PainterLike = DEFAULT_PAINTER,
    steps: int = 400,
    restarts: int = 4,
    objective: str = "expected",
    lr: float = 0.05,
    seed: int = 0,
    progress: bool = True,
) -> np.ndarray:
    """Per-image optimisation of ``strokes`` strokes through the neural painter with Adam.

    Each image of ``targets`` (uint8 ``(B, H, W, 3)``) gets ``restarts`` random initialisations,
    optimised together in one batch; the strokes of the lowest loss seen (over restarts and
    steps) are kept. Actions are
    ``tanh`` of free parameters, so they stay in the action box. ``objective`` is
    ``"expected"`` (expected MSE over brush seeds) or ``"mse"`` (the neural canvas). Returns
    ``(B, T, 12)`` float32. Raises ``ValueError`` for bad targets or settings and
    :class:`paint_gym.errors.TrainingDivergedError` for a NaN or inf loss or gradient.
    """
    _check_objective(objective)
    strokes, steps, restarts = (
        check_int("strokes", strokes, 1),
        check_int("steps", steps, 0),
        check_int("restarts", restarts, 1),
    )
    lr = check_float("lr", lr, 0.0, open_low=True)
    targets = check_targets(targets)
    net = load_painter(painter, targets.shape[1])
    b = len(targets)
    gen = torch.Generator().manual_seed(seed)
    z = (torch.rand(b * restarts, strokes, 12, generator=gen) * 2 - 1).mul(1.5)
    tgt = to_float_tensor(np.repeat(targets, restarts, axis=0))  # (B * restarts, 3, H, W)
    desc = f"direct optimisation ({b} images x {restarts})"
    actions, final = _optimise(z, tgt, net, steps, lr, objective, desc, progress)
    best = final.view(b, restarts).argmin(dim=1)
    return actions.view(b, restarts, strokes, 12)[torch.arange(b), best].numpy().astype(np.float32)


def refine_strokes(
    actions: np.ndarray,
    targets: np.ndarray,
    painter: PainterLike = DEFAULT_PAINTER,
    steps: int = 50,
    objective: str = "expected",
    lr: float = REFINE_LR,
    progress: bool = False,
) -> np.ndarray:
    """Test-time refinement: ``steps`` Adam steps per image starting from given strokes (an agent's).

    ``actions`` ``(B, T, 12)`` in [-1, 1] (clipped to +-0.999 so that ``atanh`` is finite) are the
    starting point of :func:`direct_optimisation`'s loop (the same ``tanh`` parameterisation and
    ``objective``), for all images at once; each image keeps the strokes of its lowest loss seen,
    so refinement never ends worse than its start through ``painter``. ``targets`` uint8
    ``(B, H, W, 3)``. Returns ``(B, T, 12)`` float32; ``steps=0`` returns the strokes unchanged.
    Raises ``ValueError`` for mismatched shapes or bad settings and
    :class:`paint_gym.errors.TrainingDivergedError` for a NaN or inf loss or gradient.
    """
    _check_objective(objective)
    steps = check_int("steps", steps, 0)
    lr = check_float("lr", lr, 0.0, open_low=True)
    targets = check_targets(targets)
    start = np.asarray(actions, dtype=np.float32)
    if start.ndim != 3 or start.shape[0] != len(targets) or start.shape[2] != 12:
        raise ValueError(f"actions must be (B, T, 12) with B = {len(targets)} targets; got {start.shape}")
    if not np.isfinite(start).all():
        raise ValueError("actions contain NaN or inf")
    if steps == 0:
        return start.copy()
    net = load_painter(painter, targets.shape[1])
    z = torch.atanh(torch.as_tensor(start).clamp(-0.999, 0.999))
    refined, _ = _optimise(z, to_float_tensor(targets), net, steps, lr, objective, "refinement", progress)
    return refined.numpy().astype(np.float32)


def _check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}; got {objective!r}")


def _optimise(
    z: torch.Tensor,
    tgt: torch.Tensor,
    net: DifferentiablePainter,
    steps: int,
    lr: float,
    objective: str,
    desc: str,
    progress: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Adam on free parameters ``z`` ``(N, T, 12)`` (strokes ``tanh(z)``) against ``tgt``
    ``(N, 3, H, W)``; returns each row's best strokes seen and their loss ``(N,)``."""
    device = getattr(net, "device", torch.device("cpu"))  # where the painter runs (an agent's may be a GPU)
    z, tgt = z.detach().to(device).clone().requires_grad_(True), tgt.to(device)
    opt = torch.optim.Adam([z], lr=lr)

    def loss_of(actions: torch.Tensor) -> torch.Tensor:
        if objective == "expected":
            return expected_mse(actions, tgt, net)
        return mse(paint_differentiable(net, actions), tgt)

    best_loss = torch.full((len(z),), float("inf"), device=device)
    best = torch.tanh(z).detach().clone()
    for step in trange(steps + 1, desc=desc, disable=not progress, leave=False):
        actions = torch.tanh(z)
        loss = loss_of(actions)
        check_finite(loss.sum(), step=step, lr=lr, trainer=desc)
        with torch.no_grad():
            better = loss < best_loss
            best_loss = torch.where(better, loss, best_loss)
            best[better] = actions[better]
        if step == steps:  # the last evaluation only scores the last update
            break
        opt.zero_grad()
        loss.sum().backward()
        check_finite(torch.linalg.vector_norm(z.grad), step=step + 1, lr=lr, what="gradient norm", trainer=desc)
        opt.step()
    return best.cpu(), best_loss.cpu()


__all__ = ["OBJECTIVES", "REFINE_LR", "direct_optimisation", "refine_strokes"]
