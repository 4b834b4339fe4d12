"""``paint-gym demo``: the shipped agents paint evaluation images; MyPaint replays the strokes.

Writes one PNG with, per data set, rows of ``target | neural painter | MyPaint`` (the paper's
Figure 7) and prints each agent's MSEs. No data set image is stored in the package: the
targets come from the user's data (``PAINT_GYM_DATA``, the cache or a download).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .evaluate import REPLAY_SEEDS, blank_row, eval_targets, evaluate_agent, figure7_array, save_png, side_by_side
from .zoo import available_agents, load_agent, shipped_agents


def run_demo(datasets: Sequence[str] | None = None, images: int = 8, out: str | os.PathLike = "demo.png", first: int = 0,
             data_dir: str | os.PathLike | None = None, scale: int = 3) -> list[dict[str, float]]:
    """Paint ``images`` evaluation images (from index ``first``) of each data set with its shipped
    agent, print neural/MyPaint MSEs and write the figure. Returns one dict per data set."""
    shipped, present = shipped_agents(), available_agents()
    names = list(datasets) if datasets else [d for d in ("mnist", "kmnist", "celeba") if d in present]
    missing = [d for d in names if d not in shipped]
    if missing or not names:
        raise FileNotFoundError(f"no shipped agent for {', '.join(missing) or 'any data set'}; shipped: {', '.join(shipped) or 'none'}")
    for d in ("celeba",):
        if not datasets and d in shipped and d not in present:
            print(f"(no {d} agent on this machine: its data's licence keeps it out of the package; `paint-gym eval --agent {d}` says how to train it)")
    blocks, results = [], []
    print(f"{'data set':8s} {'strokes':>7s} {'blank':>7s} {'neural':>7s} {'MyPaint':>8s} {'gap':>8s}   (MSE on {images} evaluation images; MyPaint mean of seeds {list(REPLAY_SEEDS)})")
    for name in names:
        agent = load_agent(name)
        targets = eval_targets(name, first + images, agent.config.canvas_size, data_dir)[first:]
        row, actions = evaluate_agent(agent, targets, name)
        blank = blank_row(targets, agent.config.background).mypaint
        print(f"{name:8s} {agent.n_strokes:7d} {blank:7.4f} {row.neural:7.4f} {row.mypaint:8.4f} {row.gap:+8.4f}")
        blocks.append(figure7_array(targets, actions))
        results.append({"dataset": name, "strokes": agent.n_strokes, "blank": blank, **row.as_dict()})
    save_png(side_by_side(blocks, pad=12), out, scale)
    print(f"wrote {out}: per data set, rows of target | neural painter | MyPaint replay (brush seed 0)")
    return results


__all__ = ["run_demo"]
