"""Training for a wall-clock budget, and the (seconds, strokes, MSE) points it records.

Every trainable method of the reconstruction benchmark is driven the same way: train until the
*training* clock reaches the budget, pausing the clock to evaluate the MyPaint-replay MSE of the
same evaluation images on a geometric schedule (many early points, so "how soon does it reach
MSE x" is measured at every scale, then at most ``every`` seconds apart). Evaluation time is not
charged to the budget, so a method is not penalised for how often we look at it.

That rule is the default :class:`paint_gym.training.Schedule` of the one training loop,
:meth:`paint_gym.training.Trainer.fit`, which every trainer uses (the Stable-Baselines3 callback
through :class:`paint_gym.training.Pacer`); :func:`run_for_budget` applies it to a trainer. The
points and the schedule are defined in :mod:`paint_gym.training` and named here too.
"""

from __future__ import annotations

from ..training import (
    EVAL_RATIO,
    FIRST_EVAL_SECONDS,
    EvalSchedule,
    Limits,
    Point,
    Schedule,
    Trainer,
    mean_rows,
    points_from_json,
    points_to_json,
)


def run_for_budget(
    run: Trainer,
    budget_seconds: float,
    schedule: EvalSchedule | None = None,
    progress: bool = True,
    desc: str = "training",
) -> list[Point]:
    """Train ``run`` until its training clock reaches ``budget_seconds`` (in total, over resumes).

    Evaluates at the start (untrained, 0 s) unless resuming, on ``schedule`` (default
    :class:`EvalSchedule`) and once training stops, so the last point is the method's final MSE;
    checkpoints at each evaluation. Returns all points. ``ValueError`` for a budget that is not
    positive.
    """
    if budget_seconds is None or not budget_seconds > 0:
        raise ValueError(f"budget_seconds must be positive; got {budget_seconds}")
    return run.fit(
        Limits(seconds=float(budget_seconds)), Schedule(eval_clock=schedule or EvalSchedule()), progress, desc
    )


__all__ = [
    "EVAL_RATIO",
    "FIRST_EVAL_SECONDS",
    "EvalSchedule",
    "Point",
    "mean_rows",
    "points_from_json",
    "points_to_json",
    "run_for_budget",
]
