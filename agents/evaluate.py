"""``paint-gym eval``: a trained agent against the reference points, printed as a table.

The scoring itself is the benchmark's (:mod:`paint_gym.benchmark.evaluation`: replay in
MyPaint over fixed brush seeds, the evaluation images); this module only lines up the rows: the
agent, a blank canvas, the random agent and per-image direct optimisation
(:mod:`paint_gym.benchmark.reference`), and writes Figure 7.
"""

from __future__ import annotations

import os
import time
from typing import Any

from paint_gym.benchmark.evaluation import (
    REPLAY_SEEDS,
    Row,
    blank_row,
    eval_targets,
    evaluate_actions,
    evaluate_agent,
    figure7,
)
from paint_gym.benchmark.reference import direct_optimisation
from paint_gym.outputs import IMAGE_SUFFIXES, check_output_file
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.validation import check_int

from .base import label_of
from .random_agent import RandomAgent
from .zoo import load_agent


def evaluate_table(
    agent: str,
    task: str | None = None,
    images: int = 200,
    direct_steps: int = 400,
    direct_images: int = 20,
    figure: str | None = "figure7.png",
    data_dir: str | os.PathLike | None = None,
    painter: str = DEFAULT_PAINTER,
    progress: bool = True,
) -> dict[str, Any]:
    """Score the agent ``agent`` (a shipped name or a checkpoint path of any agent kind) on
    ``images`` evaluation images of ``task`` (default: its own) against the reference points;
    prints the table.

    Rows: the agent; blank canvas; the random agent; and per-image direct optimisation of the
    same number of strokes (``direct_steps`` Adam steps x 4 restarts on the first
    ``direct_images`` images; the agent is scored on those same images too, for a fair pair).
    Writes the paper's Figure 7 (first 8 images) when ``figure`` is set. Returns the table as a
    JSON-ready dict (``rows``: one :meth:`Row.as_dict` each).

    Raises ``ValueError``, before any work, for ``images`` below 1, a negative ``direct_steps``
    or ``direct_images``, or a ``figure`` that cannot be written
    (:func:`paint_gym.outputs.check_output_file`: an image extension, a creatable folder).
    """
    images = check_int("images", images, 1)
    direct_steps = check_int("direct_steps", direct_steps, 0)
    direct_images = check_int("direct_images", direct_images, 0)
    if figure is not None:
        check_output_file(figure, IMAGE_SUFFIXES, "figure")
    painting_agent = load_agent(agent)
    cfg = painting_agent.config
    task = task or getattr(cfg, "task", None)
    if task is None:
        raise ValueError(
            f"{agent} records no task (it is a {label_of(painting_agent)}): give the task to evaluate on (--task)"
        )
    canvas_size, background = getattr(cfg, "canvas_size", 64), getattr(cfg, "background", "white")
    strokes, label = painting_agent.n_strokes, label_of(painting_agent)
    targets = eval_targets(task, images, canvas_size, data_dir)
    rows: list[Row] = []
    agent_row, actions = evaluate_agent(painting_agent, targets, f"{label} ({agent})", painter, strokes=strokes)
    rows += [
        agent_row,
        blank_row(targets, background),
        evaluate_agent(RandomAgent(strokes, seed=0), targets, "random agent", painter, strokes=strokes)[0],
    ]
    subset = {}
    if direct_steps > 0 and direct_images > 0:
        few = targets[:direct_images]
        t0 = time.perf_counter()
        direct = direct_optimisation(few, strokes, painter, steps=direct_steps, progress=progress)
        rows.append(
            evaluate_actions(
                f"direct optimisation ({direct_steps} Adam steps x 4 restarts)",
                direct,
                few,
                time.perf_counter() - t0,
                painter,
            )
        )
        rows.append(
            evaluate_actions(f"{label}, same {len(few)} images", actions[: len(few)], few, float("nan"), painter)
        )
        subset = {"direct_images": len(few)}
    print(
        f"{task}, {strokes} strokes, {len(targets)} evaluation images; "
        f"MyPaint replay averaged over brush seeds {list(REPLAY_SEEDS)}"
    )
    print(f"{'method':58s} {'neural':>8s} {'MyPaint':>8s} {'gap':>8s} {'seconds':>8s}")
    for r in rows:
        print(f"{r.method:58s} {r.neural:8.4f} {r.mypaint:8.4f} {r.gap:+8.4f} {r.seconds:8.1f}")
    if figure is not None:
        figure7(targets[:8], actions[:8], figure, painter)
        print(f"wrote {figure} (target | {painter} painter | MyPaint, seed 0)")
    return {
        "dataset": task,  # the key results files hold
        "strokes": strokes,
        "images": len(targets),
        "replay_seeds": list(REPLAY_SEEDS),
        **subset,
        "rows": [r.as_dict() for r in rows],
    }


__all__ = ["evaluate_table"]
