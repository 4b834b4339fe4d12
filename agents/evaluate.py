"""Evaluation and transfer: how well an agent's strokes reconstruct targets in MyPaint.

The number that counts is the MSE of the agent's strokes *replayed in the real program*,
averaged over a fixed set of brush seeds (:data:`REPLAY_SEEDS`); the neural canvas's MSE and
their difference (the transfer gap) say how much of it the neural painter predicted.
Reference points: a blank canvas, the random agent, and per-image direct optimisation of the
strokes through the painter (slow, but the best an amortised agent can hope for).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from paint_gym.canvas import background_rgb
from paint_gym.data import ImageTargets
from paint_gym.painters.load import load_painter, replay

from .protocol import PaintingAgent, check_targets

#: Brush seeds every replay is averaged over (fixed, so tables are comparable).
REPLAY_SEEDS: tuple[int, ...] = (0, 1, 2, 3)


def per_image_mse(canvases: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """MSE ``(B,)`` of uint8 canvases against uint8 targets, on [0, 1] images."""
    diff = canvases.astype(np.float32) / 255 - targets.astype(np.float32) / 255
    return (diff**2).mean(axis=(1, 2, 3))


def _actions_for(actions: Any, targets: np.ndarray) -> np.ndarray:
    """Strokes ``(B, T, 12)`` (numpy or torch, detached) for ``targets`` ``(B, H, W, 3)``."""
    from paint_gym.actions import validate_actions
    from paint_gym.painters.load import as_numpy

    a = validate_actions(as_numpy(actions), batch_ndim=3)
    if len(a) != len(targets):
        raise ValueError(f"{len(a)} stroke sequences for {len(targets)} targets: give one (T, 12) sequence per target")
    return a


def replay_mse(actions: np.ndarray, targets: np.ndarray, seeds: Sequence[int] = REPLAY_SEEDS, background: str = "white") -> np.ndarray:
    """MSE ``(B,)`` of strokes ``(B, T, 12)`` (numpy or torch) replayed in MyPaint, averaged over
    brush ``seeds``; ``targets`` uint8 ``(B, H, W, 3)``. ``ValueError`` for mismatched batches."""
    targets = check_targets(targets)
    actions = _actions_for(actions, targets)
    size = targets.shape[1]
    return np.mean([per_image_mse(replay(actions, "mypaint", seed=s, canvas_size=size, background=background), targets) for s in seeds], axis=0)


def neural_mse(actions: np.ndarray, targets: np.ndarray, painter: str = "gan") -> np.ndarray:
    """MSE ``(B,)`` of strokes ``(B, T, 12)`` (numpy or torch) painted by a neural painter."""
    targets = check_targets(targets)
    actions = _actions_for(actions, targets)
    return per_image_mse(replay(actions, painter, canvas_size=targets.shape[1]), targets)


def eval_targets(dataset: str, n: int, canvas_size: int = 64, data_dir: str | os.PathLike | None = None) -> np.ndarray:
    """The first ``n`` images of a data set's evaluation split (the same for every method)."""
    images = ImageTargets(dataset, "eval", canvas_size, data_dir)
    return images.batch(range(min(n, len(images))))


@dataclass
class Row:
    """One method's line in the evaluation table."""

    method: str
    neural: float  # MSE of the neural canvas (nan for methods without one)
    mypaint: float  # MSE of the MyPaint replay, mean over REPLAY_SEEDS
    seconds: float  # wall-clock to produce the strokes for all images

    @property
    def gap(self) -> float:
        return self.mypaint - self.neural

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "neural_mse": self.neural, "mypaint_mse": self.mypaint, "transfer_gap": self.gap, "seconds": self.seconds}


def evaluate_actions(method: str, actions: np.ndarray, targets: np.ndarray, seconds: float, painter: str = "gan", seeds: Sequence[int] = REPLAY_SEEDS) -> Row:
    return Row(method, float(neural_mse(actions, targets, painter).mean()), float(replay_mse(actions, targets, seeds).mean()), seconds)


def evaluate_agent(agent: PaintingAgent, targets: np.ndarray, method: str = "agent", painter: str = "gan", seeds: Sequence[int] = REPLAY_SEEDS) -> tuple[Row, np.ndarray]:
    """Paint ``targets`` with ``agent`` and score the strokes; returns the row and the strokes."""
    import time

    t0 = time.perf_counter()
    from paint_gym.painters.load import as_numpy

    actions = np.asarray(as_numpy(agent.paint(targets)), dtype=np.float32)
    seconds = time.perf_counter() - t0
    if actions.ndim != 3 or actions.shape[0] != len(targets) or actions.shape[2] != 12:
        raise ValueError(f"{method}.paint returned {actions.shape}; expected ({len(targets)}, T, 12)")
    return evaluate_actions(method, actions, targets, seconds, painter, seeds), actions


def blank_row(targets: np.ndarray, background: str = "white") -> Row:
    """The blank canvas: what painting nothing scores."""
    canvas = np.broadcast_to(np.round(np.asarray(background_rgb(background)) * 255).astype(np.uint8), targets.shape)
    mse = float(per_image_mse(canvas, targets).mean())
    return Row("blank canvas", mse, mse, 0.0)


def direct_optimisation(targets: np.ndarray, strokes: int, painter: str = "gan", steps: int = 400, restarts: int = 4, objective: str = "expected",
                        lr: float = 0.05, seed: int = 0, progress: bool = True) -> np.ndarray:
    """Per-image optimisation of ``strokes`` strokes through the neural painter with Adam.

    Each image gets ``restarts`` random initialisations, optimised together in one batch; the
    restart with the lowest final loss is kept. Actions are ``tanh`` of free parameters, so they
    stay in the action box. ``objective`` is ``"expected"`` (expected MSE over brush seeds) or
    ``"mse"`` (the neural canvas). Returns ``(B, T, 12)`` float32. Raises ``ValueError`` for
    bad targets or settings and :class:`paint_gym.errors.TrainingDivergedError` for a NaN or inf
    loss or gradient.
    """
    from tqdm import trange

    from paint_gym.canvas import expected_mse, paint_differentiable
    from paint_gym.errors import check_finite
    from paint_gym.validation import check_float, check_int

    if objective not in ("expected", "mse"):
        raise ValueError(f"objective must be 'expected' or 'mse'; got {objective!r}")
    strokes, steps, restarts = check_int("strokes", strokes, 1), check_int("steps", steps, 0), check_int("restarts", restarts, 1)
    lr = check_float("lr", lr, 0.0, open_low=True)
    targets = check_targets(targets)
    net = load_painter(painter, targets.shape[1])
    b = len(targets)
    gen = torch.Generator().manual_seed(seed)
    z = (torch.rand(b * restarts, strokes, 12, generator=gen) * 2 - 1).mul(1.5).requires_grad_(True)
    tgt = torch.from_numpy(np.repeat(targets, restarts, axis=0)).float().permute(0, 3, 1, 2) / 255
    opt = torch.optim.Adam([z], lr=lr)

    def loss_of(actions: torch.Tensor) -> torch.Tensor:
        if objective == "expected":
            return expected_mse(actions, tgt, net)
        canvas = paint_differentiable(net, actions)
        return ((canvas - tgt.permute(0, 2, 3, 1)) ** 2).mean(dim=(1, 2, 3))

    for step in trange(steps, desc=f"direct optimisation ({b} images x {restarts})", disable=not progress, leave=False):
        loss = loss_of(torch.tanh(z)).sum()
        check_finite(loss, step=step, lr=lr, trainer="direct optimisation")
        opt.zero_grad()
        loss.backward()
        check_finite(torch.linalg.vector_norm(z.grad), step=step + 1, lr=lr, what="gradient norm", trainer="direct optimisation")
        opt.step()
    with torch.no_grad():
        final = loss_of(torch.tanh(z)).view(b, restarts)
        best = final.argmin(dim=1)
        actions = torch.tanh(z).view(b, restarts, strokes, 12)[torch.arange(b), best]
    return actions.numpy().astype(np.float32)


def figure7_array(targets: np.ndarray, actions: np.ndarray, painter: str = "gan", seed: int = 0) -> np.ndarray:
    """The paper's Figure 7 as a uint8 image: one row ``target | neural painter | MyPaint``
    (brush seed ``seed``) per target, separated by white lines."""
    targets = check_targets(targets)
    size = targets.shape[1]
    neural = replay(actions, painter, canvas_size=size)
    real = replay(actions, "mypaint", seed=seed, canvas_size=size)
    gap = np.full((size, 2, 3), 255, np.uint8)
    rows = [np.concatenate([t, gap, n, gap, r], axis=1) for t, n, r in zip(targets, neural, real)]
    sep = np.full((2, rows[0].shape[1], 3), 255, np.uint8)
    return np.concatenate([x for r in rows for x in (r, sep)][:-1], axis=0)


def side_by_side(blocks: Sequence[np.ndarray], pad: int = 8) -> np.ndarray:
    """Blocks of equal height next to each other with white gaps."""
    height = max(b.shape[0] for b in blocks)
    framed = [np.pad(b, ((0, height - b.shape[0]), (0, 0), (0, 0)), constant_values=255) for b in blocks]
    gap = np.full((height, pad, 3), 255, np.uint8)
    return np.concatenate([x for b in framed for x in (b, gap)][:-1], axis=1)


def save_png(image: np.ndarray, out: str | os.PathLike, scale: int = 2) -> str:
    from PIL import Image

    Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale), Image.Resampling.NEAREST).save(out)
    return str(out)


def figure7(targets: np.ndarray, actions: np.ndarray, out: str | os.PathLike, painter: str = "gan", seed: int = 0, scale: int = 2, columns: int = 1) -> str:
    """Write Figure 7 (:func:`figure7_array`) as a PNG, split into ``columns`` side by side."""
    per_col = -(-len(targets) // columns)
    blocks = [figure7_array(targets[i : i + per_col], actions[i : i + per_col], painter, seed) for i in range(0, len(targets), per_col)]
    return save_png(side_by_side(blocks), out, scale)


__all__ = [
    "REPLAY_SEEDS",
    "Row",
    "blank_row",
    "direct_optimisation",
    "eval_targets",
    "evaluate_actions",
    "evaluate_agent",
    "evaluate_table",
    "figure7",
    "figure7_array",
    "neural_mse",
    "per_image_mse",
    "replay_mse",
    "save_png",
    "side_by_side",
]


def evaluate_table(agent: str, dataset: str | None = None, images: int = 200, direct_steps: int = 400, direct_images: int = 20,
                   figure: str | None = "figure7.png", data_dir: str | os.PathLike | None = None, painter: str = "gan",
                   progress: bool = True) -> dict[str, Any]:
    """``paint-gym eval``: the agent against the reference points, printed as a table.

    Rows: the agent; blank canvas; the random agent; and per-image direct optimisation of the
    same number of strokes (``direct_steps`` Adam steps x 4 restarts on the first
    ``direct_images`` images; the agent is scored on those same images too, for a fair pair).
    Writes the paper's Figure 7 (first 8 images) when ``figure`` is set.
    """
    import time

    from .random_agent import RandomAgent
    from .zoo import load_agent

    painting_agent = load_agent(agent)
    cfg = painting_agent.config
    dataset = dataset or cfg.dataset
    targets = eval_targets(dataset, images, cfg.canvas_size, data_dir)
    rows: list[Row] = []
    agent_row, actions = evaluate_agent(painting_agent, targets, f"backprop agent ({agent})", painter)
    rows += [agent_row, blank_row(targets, cfg.background), evaluate_agent(RandomAgent(cfg.strokes, seed=0), targets, "random agent", painter)[0]]
    subset = {}
    if direct_steps > 0 and direct_images > 0:
        few = targets[:direct_images]
        t0 = time.perf_counter()
        direct = direct_optimisation(few, cfg.strokes, painter, steps=direct_steps, progress=progress)
        rows.append(evaluate_actions(f"direct optimisation ({direct_steps} Adam steps x 4 restarts)", direct, few, time.perf_counter() - t0, painter))
        rows.append(evaluate_actions(f"backprop agent, same {len(few)} images", actions[: len(few)], few, float("nan"), painter))
        subset = {"direct_images": len(few)}
    print(f"{dataset}, {cfg.strokes} strokes, {len(targets)} evaluation images; MyPaint replay averaged over brush seeds {list(REPLAY_SEEDS)}")
    print(f"{'method':58s} {'neural':>8s} {'MyPaint':>8s} {'gap':>8s} {'seconds':>8s}")
    for r in rows:
        print(f"{r.method:58s} {r.neural:8.4f} {r.mypaint:8.4f} {r.gap:+8.4f} {r.seconds:8.1f}")
    if figure:
        figure7(targets[:8], actions[:8], figure, painter)
        print(f"wrote {figure} (target | {painter} painter | MyPaint, seed 0)")
    return {"dataset": dataset, "strokes": cfg.strokes, "images": len(targets), "replay_seeds": list(REPLAY_SEEDS), **subset, "rows": [r.as_dict() for r in rows]}
