"""Training for a wall-clock budget, and the (seconds, strokes, MSE) points it records.

Every trainable method of the reconstruction benchmark is driven the same way: train until the
*training* clock reaches the budget, pausing the clock to evaluate the MyPaint-replay MSE of the
same evaluation images on a geometric schedule (many early points, so "how soon does it reach
MSE x" is measured at every scale, then at most ``every`` seconds apart). Evaluation time is not
charged to the budget, so a method is not penalised for how often we look at it.

:func:`run_for_budget` is the loop for trainers with a ``train_once`` step (any
:class:`BudgetedRun`: the SPIRAL-style and the backprop agents' trainers); the
Stable-Baselines3 callback uses :class:`EvalSchedule` directly.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from tqdm import tqdm

#: First evaluation after this many training seconds, then each gap grows by EVAL_RATIO.
FIRST_EVAL_SECONDS = 1.0
EVAL_RATIO = 1.5


@dataclass(frozen=True)
class Point:
    """One evaluation during training.

    ``seconds``: training wall-clock so far (evaluation excluded); ``strokes``: strokes painted
    so far, by an env or through a painter; ``mse``: MyPaint-replay MSE on [0, 1] images of the
    evaluation targets, averaged over :data:`paint_gym.benchmark.evaluation.REPLAY_SEEDS`.
    """

    seconds: float
    strokes: int
    mse: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Point:
        return cls(float(data["seconds"]), int(data["strokes"]), float(data["mse"]))


def points_to_json(points: list[Point]) -> str:
    """Points as a JSON list of ``{"seconds", "strokes", "mse"}`` objects."""
    return json.dumps([p.as_dict() for p in points])


def points_from_json(text: str) -> list[Point]:
    """The inverse of :func:`points_to_json`."""
    return [Point.from_dict(d) for d in json.loads(text)]


@dataclass
class EvalSchedule:
    """When to evaluate: at ``first`` seconds, then gaps growing by ``ratio``, capped at ``every``.

    With the defaults and a 15-minute budget that is about 27 evaluations (1, 1.5, 2.3, 3.4, ...,
    then every ``every`` seconds): a fast method's time to a threshold is read to within 50%
    instead of being clamped at the first evaluation, which is what a 10x comparison needs.
    """

    every: float = 60.0
    first: float = FIRST_EVAL_SECONDS
    ratio: float = EVAL_RATIO

    def __post_init__(self) -> None:
        if self.every <= 0 or self.first <= 0 or self.ratio < 1:
            raise ValueError(
                "evaluation schedule needs every > 0, first > 0, ratio "
                f">= 1; got {self.every}, {self.first}, {self.ratio}"
            )

    def next_after(self, last: float) -> float:
        """The training time of the next evaluation after one at ``last`` seconds."""
        if last <= 0:
            return min(self.first, self.every)
        return min(last * self.ratio, last + self.every)


class BudgetedRun(Protocol):
    """What :func:`run_for_budget` needs from a trainer (resumable: it restores these)."""

    elapsed: float  # training seconds so far, over resumes
    points: list[Point]

    @property
    def strokes(self) -> int: ...

    def train_once(self) -> dict[str, float]: ...

    def evaluate(self) -> float: ...

    def save_checkpoint(self) -> None: ...


def mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    """Per-key means of training rows (keys missing from some rows average over the others)."""
    keys = {k for r in rows for k in r}
    return {k: sum(r[k] for r in rows if k in r) / sum(k in r for r in rows) for k in keys}


def record_point(run: BudgetedRun) -> Point:
    """Evaluate now, append the point and checkpoint (the clock is paused by the caller)."""
    point = Point(run.elapsed, int(run.strokes), float(run.evaluate()))
    run.points.append(point)
    run.save_checkpoint()
    return point


def run_for_budget(
    run: BudgetedRun,
    budget_seconds: float | None,
    schedule: EvalSchedule,
    progress: bool = True,
    desc: str = "training",
    *,
    stop: Callable[[], bool] | None = None,
) -> list[Point]:
    """Train ``run`` until its training clock reaches ``budget_seconds`` (in total, over resumes).

    Evaluates at the start (untrained, 0 s) unless resuming, on ``schedule``, and once training
    stops, so the last point is the method's final MSE. Returns all points. ``stop`` ends training
    earlier when it returns True before an update (a trainer's step count); with
    ``budget_seconds=None`` it is the only limit.
    """
    if budget_seconds is None and stop is None:
        raise ValueError("give a budget_seconds or a stop condition: training would never end")
    if budget_seconds is not None and budget_seconds <= 0:
        raise ValueError(f"budget_seconds must be positive; got {budget_seconds}")
    budget = math.inf if budget_seconds is None else budget_seconds
    done = stop or (lambda: False)
    if not run.points:
        record_point(run)
    next_eval = schedule.next_after(run.points[-1].seconds)
    fmt = (
        "{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}" if budget_seconds is not None else "{desc}: {n:.0f} s {postfix}"
    )
    bar = tqdm(
        total=None if budget_seconds is None else round(budget, 1),
        initial=round(min(run.elapsed, budget), 1),
        unit="s",
        desc=desc,
        disable=not progress,
        dynamic_ncols=True,
        bar_format=fmt,
    )
    while run.elapsed < budget and not done():
        t0 = time.monotonic()
        row = run.train_once()
        dt = time.monotonic() - t0
        run.elapsed += dt
        bar.update(min(dt, budget - bar.n))
        if run.elapsed >= next_eval or run.elapsed >= budget or done():
            point = record_point(run)
            next_eval = schedule.next_after(point.seconds)
            bar.set_postfix_str(
                f"eval MSE {point.mse:.4f}, {point.strokes:,} strokes"
                + (f", loss {row['loss']:.4g}" if "loss" in row else "")
            )
    bar.close()
    return list(run.points)


__all__ = [
    "EVAL_RATIO",
    "FIRST_EVAL_SECONDS",
    "BudgetedRun",
    "EvalSchedule",
    "Point",
    "mean_rows",
    "points_from_json",
    "points_to_json",
    "record_point",
    "run_for_budget",
]
