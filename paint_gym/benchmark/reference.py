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
from ..painters.load import PainterLike, load_painter
from ..validation import check_float, check_int
from .protocol import check_targets

OBJECTIVES = ("expected", "mse")


def direct_optimisation(
    targets: np.ndarray,
    strokes: int,
    painter: PainterLike = "gan",
    steps: int = 400,
    restarts: int = 4,
    objective: str = "expected",
    lr: float = 0.05,
    seed: int = 0,
    progress: bool = True,
) -> np.ndarray:
    """Per-image optimisation of ``strokes`` strokes through the neural painter with Adam.

    Each image of ``targets`` (uint8 ``(B, H, W, 3)``) gets ``restarts`` random initialisations,
    optimised together in one batch; the restart with the lowest final loss is kept. Actions are
    ``tanh`` of free parameters, so they stay in the action box. ``objective`` is
    ``"expected"`` (expected MSE over brush seeds) or ``"mse"`` (the neural canvas). Returns
    ``(B, T, 12)`` float32. Raises ``ValueError`` for bad targets or settings and
    :class:`paint_gym.errors.TrainingDivergedError` for a NaN or inf loss or gradient.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}; got {objective!r}")
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
    z = (torch.rand(b * restarts, strokes, 12, generator=gen) * 2 - 1).mul(1.5).requires_grad_(True)
    tgt = to_float_tensor(np.repeat(targets, restarts, axis=0))  # (B * restarts, 3, H, W)
    opt = torch.optim.Adam([z], lr=lr)

    def loss_of(actions: torch.Tensor) -> torch.Tensor:
        if objective == "expected":
            return expected_mse(actions, tgt, net)
        return mse(paint_differentiable(net, actions), tgt)

    for step in trange(steps, desc=f"direct optimisation ({b} images x {restarts})", disable=not progress, leave=False):
        loss = loss_of(torch.tanh(z)).sum()
        check_finite(loss, step=step, lr=lr, trainer="direct optimisation")
        opt.zero_grad()
        loss.backward()
        check_finite(
            torch.linalg.vector_norm(z.grad), step=step + 1, lr=lr, what="gradient norm", trainer="direct optimisation"
        )
        opt.step()
    with torch.no_grad():
        final = loss_of(torch.tanh(z)).view(b, restarts)
        best = final.argmin(dim=1)
        actions = torch.tanh(z).view(b, restarts, strokes, 12)[torch.arange(b), best]
    return actions.numpy().astype(np.float32)


__all__ = ["OBJECTIVES", "direct_optimisation"]
