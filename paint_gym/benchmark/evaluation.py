"""How a painting is scored: the agent's strokes replayed in the real program.

The number that counts is the MSE (on [0, 1] images, :func:`paint_gym.canvas.mse_uint8`) of an
agent's strokes *replayed in MyPaint*, averaged over a fixed set of brush seeds
(:data:`REPLAY_SEEDS`), on the first images of a data set's evaluation split
(:func:`eval_targets`). The neural canvas's MSE and their difference (the transfer gap) say how
much of it the neural painter predicted. A blank canvas (:func:`blank_row`) is the floor every
method must beat; Figure 7 of the paper (:func:`figure7`) shows target | neural | MyPaint rows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..actions import validate_actions
from ..canvas import background_rgb, mse_uint8, to_uint8
from ..data import ImageTargets
from ..outputs import write_image
from ..painters.base import DEFAULT_PAINTER
from ..painters.load import PainterLike, as_numpy, load_painter, replay
from ..validation import check_int
from .protocol import PaintingAgent, check_targets

#: Brush seeds every replay is averaged over (fixed, so tables are comparable).
REPLAY_SEEDS: tuple[int, ...] = (0, 1, 2, 3)


def _actions_for(actions: Any, targets: np.ndarray) -> np.ndarray:
    """Strokes ``(B, T, 12)`` float32 (numpy or torch, detached) for ``targets`` ``(B, H, W, 3)``;
    ``ValueError`` for NaN/inf, a wrong shape or one sequence per target missing."""
    a = validate_actions(as_numpy(actions), batch_ndim=3)
    if len(a) != len(targets):
        raise ValueError(f"{len(a)} stroke sequences for {len(targets)} targets: give one (T, 12) sequence per target")
    return a


def replay_mse(
    actions: np.ndarray, targets: np.ndarray, seeds: Sequence[int] = REPLAY_SEEDS, background: str = "white"
) -> np.ndarray:
    """MSE ``(B,)`` of strokes ``(B, T, 12)`` (numpy or torch) replayed in MyPaint, averaged over
    brush ``seeds``; ``targets`` uint8 ``(B, H, W, 3)``. ``ValueError`` for mismatched batches."""
    targets = check_targets(targets)
    actions = _actions_for(actions, targets)
    mypaint = load_painter("mypaint", targets.shape[1])  # one painter, reseeded by every replay
    replays = (replay(actions, mypaint, seed=s, background=background) for s in seeds)
    return np.mean([mse_uint8(r, targets) for r in replays], axis=0)


def neural_mse(actions: np.ndarray, targets: np.ndarray, painter: PainterLike = DEFAULT_PAINTER) -> np.ndarray:
    """MSE ``(B,)`` of strokes ``(B, T, 12)`` (numpy or torch) painted by a neural painter."""
    targets = check_targets(targets)
    actions = _actions_for(actions, targets)
    return mse_uint8(replay(actions, painter, canvas_size=targets.shape[1]), targets)


def eval_targets(
    dataset: str, n: int, canvas_size: int = 64, data_dir: str | os.PathLike | None = None, first: int = 0
) -> np.ndarray:
    """``n`` images of a data set's evaluation split from index ``first`` (default: the first
    ``n``, the same for every method), uint8 ``(n, H, W, 3)``; all of them from ``first`` on when
    the split holds fewer. Raises ``ValueError`` unless ``n`` is a whole number >= 1 and
    ``first`` an index into the split (``0 <= first < `` its size, which the message names),
    :class:`paint_gym.data.DataNotFoundError` without the data."""
    n = check_int("the number of evaluation images", n, low=1)
    first = check_int("first (the index of the first evaluation image)", first, low=0)
    images = ImageTargets(dataset, "eval", canvas_size, data_dir)
    images.check_index(first, "first (the index of the first evaluation image)")
    return images.batch(range(first, min(first + n, len(images))))


@dataclass
class Row:
    """One method's line in the evaluation table (MSEs on [0, 1] images)."""

    method: str
    neural: float  # MSE of the neural canvas (nan for methods without one)
    mypaint: float  # MSE of the MyPaint replay, mean over REPLAY_SEEDS
    seconds: float  # wall-clock to produce the strokes for all images

    @property
    def gap(self) -> float:
        """The transfer gap: MyPaint MSE minus neural MSE."""
        return self.mypaint - self.neural

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "neural_mse": self.neural,
            "mypaint_mse": self.mypaint,
            "transfer_gap": self.gap,
            "seconds": self.seconds,
        }


def evaluate_actions(
    method: str,
    actions: np.ndarray,
    targets: np.ndarray,
    seconds: float,
    painter: PainterLike = DEFAULT_PAINTER,
    seeds: Sequence[int] = REPLAY_SEEDS,
) -> Row:
    """Score strokes ``(B, T, 12)`` for ``targets`` uint8 ``(B, H, W, 3)``: the neural canvas of
    ``painter`` and the MyPaint replay over ``seeds``; ``seconds`` is what painting them took."""
    return Row(
        method,
        float(neural_mse(actions, targets, painter).mean()),
        float(replay_mse(actions, targets, seeds).mean()),
        seconds,
    )


def evaluate_agent(
    agent: PaintingAgent,
    targets: np.ndarray,
    method: str = "agent",
    painter: PainterLike = DEFAULT_PAINTER,
    seeds: Sequence[int] = REPLAY_SEEDS,
    strokes: int | None = None,
) -> tuple[Row, np.ndarray]:
    """Paint ``targets`` uint8 ``(B, H, W, 3)`` with ``agent`` (timed) and score the strokes;
    returns the row and the strokes ``(B, T, 12)`` float32 in [-1, 1].

    The agent paints a private copy of the targets, so whatever it does to the array it is
    given (normalising or inverting it in place, say), its score depends only on its strokes:
    they are scored against ``targets`` as they were. ``strokes``, when given, is the number of
    strokes per image the task allows (the benchmark's tables compare methods at one count).
    Raises ``ValueError`` naming ``method`` when ``paint`` returns anything but one sequence of
    ``strokes`` (at least one) finite real 12-vectors per target: another shape or count,
    NaN/inf, or a non-numeric dtype (out-of-range values are clipped, as everywhere).
    """
    targets = check_targets(targets)
    given = targets.copy()  # the agent's own: the targets scored below stay as they were
    t0 = time.perf_counter()
    painted = agent.paint(given)
    seconds = time.perf_counter() - t0
    actions = agent_strokes(painted, len(targets), method, strokes)
    return evaluate_actions(method, actions, targets, seconds, painter, seeds), actions


def agent_strokes(painted: Any, n_targets: int, method: str = "agent", strokes: int | None = None) -> np.ndarray:
    """What an agent's ``paint`` returned (numpy, torch or nested lists) as strokes
    ``(n_targets, T, 12)`` float32 clipped to [-1, 1]; ``ValueError`` naming ``method`` and what
    was expected for another shape, a stroke count other than ``strokes`` (when given) or none,
    NaN/inf or a non-numeric dtype."""
    expected = f"({n_targets}, {strokes if strokes is not None else 'T'}, 12)"
    try:
        actions = validate_actions(as_numpy(painted), batch_ndim=3)
    except ValueError as exc:
        raise ValueError(f"{method}.paint(targets) must return strokes {expected} in [-1, 1]: {exc}") from exc
    if len(actions) != n_targets:
        raise ValueError(
            f"{method}.paint(targets) returned strokes for {len(actions)} images, given {n_targets}: "
            f"return {expected}, one stroke sequence per target"
        )
    if strokes is not None and actions.shape[1] != strokes:
        raise ValueError(
            f"{method}.paint(targets) returned {actions.shape[1]} strokes per image; this task paints {strokes}: "
            f"return {expected} (a plug-in whose constructor takes n_strokes= is given the count)"
        )
    if actions.shape[1] == 0:
        raise ValueError(f"{method}.paint(targets) returned no strokes: return {expected} with T >= 1")
    return actions


def blank_row(targets: np.ndarray, background: str = "white") -> Row:
    """The blank canvas: what painting nothing scores on ``targets`` uint8 ``(B, H, W, 3)``."""
    canvas = np.broadcast_to(to_uint8(background_rgb(background)), targets.shape)
    score = float(mse_uint8(canvas, targets).mean())
    return Row("blank canvas", score, score, 0.0)


# ----------------------------------------------------------------------------------------
# Figure 7: target | neural painter | MyPaint
# ----------------------------------------------------------------------------------------


def figure7_array(
    targets: np.ndarray, actions: np.ndarray, painter: PainterLike = DEFAULT_PAINTER, seed: int = 0
) -> np.ndarray:
    """The paper's Figure 7 as a uint8 image: one row ``target | neural painter | MyPaint``
    (brush seed ``seed``) per target, separated by white lines."""
    targets = check_targets(targets)
    size = targets.shape[1]
    neural = replay(actions, painter, canvas_size=size)
    real = replay(actions, "mypaint", seed=seed, canvas_size=size)
    gap = np.full((size, 2, 3), 255, np.uint8)
    rows = [np.concatenate([t, gap, n, gap, r], axis=1) for t, n, r in zip(targets, neural, real, strict=True)]
    sep = np.full((2, rows[0].shape[1], 3), 255, np.uint8)
    return np.concatenate([x for r in rows for x in (r, sep)][:-1], axis=0)


def figure_row(blocks: Sequence[np.ndarray], pad: int = 8) -> np.ndarray:
    """uint8 image blocks ``(H_i, W_i, 3)`` next to each other, top-aligned, with white gaps of
    ``pad`` px: ``(max H_i, sum W_i + gaps, 3)`` (a figure's columns; an env's ``target | canvas``
    is :func:`paint_gym.envs.task.side_by_side`)."""
    height = max(b.shape[0] for b in blocks)
    framed = [np.pad(b, ((0, height - b.shape[0]), (0, 0), (0, 0)), constant_values=255) for b in blocks]
    gap = np.full((height, pad, 3), 255, np.uint8)
    return np.concatenate([x for b in framed for x in (b, gap)][:-1], axis=1)


def save_png(image: np.ndarray, out: str | os.PathLike, scale: int = 2) -> str:
    """Write a uint8 image ``(H, W, 3)`` enlarged ``scale`` times (nearest pixel) in the format
    ``out``'s extension names (a PNG for ``.png``): :func:`paint_gym.outputs.write_image`."""
    return str(write_image(image, out, scale))


def figure7(
    targets: np.ndarray,
    actions: np.ndarray,
    out: str | os.PathLike,
    painter: PainterLike = DEFAULT_PAINTER,
    seed: int = 0,
    scale: int = 2,
    columns: int = 1,
) -> str:
    """Write Figure 7 (:func:`figure7_array`) as a PNG, split into ``columns`` side by side."""
    per_col = -(-len(targets) // columns)
    blocks = [
        figure7_array(targets[i : i + per_col], actions[i : i + per_col], painter, seed)
        for i in range(0, len(targets), per_col)
    ]
    return save_png(figure_row(blocks), out, scale)


__all__ = [
    "REPLAY_SEEDS",
    "Row",
    "agent_strokes",
    "blank_row",
    "eval_targets",
    "evaluate_actions",
    "evaluate_agent",
    "figure7",
    "figure7_array",
    "figure_row",
    "neural_mse",
    "replay_mse",
    "save_png",
]
