"""``paint-gym demo``: the shipped agents paint evaluation images; MyPaint replays the strokes.

:func:`run_demo` writes one PNG with, per task, rows of ``target | neural painter | MyPaint``
(the paper's Figure 7) and prints each agent's MSEs. No data set image is stored in the package:
the targets come from the user's data (``PAINT_GYM_DATA``, the cache or a download).
:func:`random_demo` (``--random``) plays one MyPaint env episode of random strokes instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import gymnasium as gym
import numpy as np

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.benchmark.evaluation import (
    REPLAY_SEEDS,
    blank_row,
    eval_targets,
    evaluate_agent,
    figure7_array,
    figure_row,
    save_png,
)
from paint_gym.canvas import mse_uint8
from paint_gym.data import DataNotFoundError
from paint_gym.outputs import IMAGE_SUFFIXES, check_output_file
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.painters.load import replay
from paint_gym.validation import check_int

from .zoo import available_agents, load_agent, shipped_agents


def run_demo(
    tasks: Sequence[str] | None = None,
    images: int = 8,
    out: str | os.PathLike = "demo.png",
    first: int = 0,
    data_dir: str | os.PathLike | None = None,
    scale: int = 3,
) -> list[dict[str, float]]:
    """Paint ``images`` evaluation images (from index ``first``) of each task with its shipped
    agent, print neural/MyPaint MSEs and write the figure. Returns one dict per task.
    ``FileNotFoundError`` if a task asked for has no shipped agent; without ``tasks``, a
    task whose images are neither local nor downloadable is skipped with a note
    (``DataNotFoundError`` if none is left). ``ValueError``, before any work, for a count out of
    range (``images`` >= 1, ``first`` >= 0, ``scale`` >= 1) or an ``out`` that cannot be written
    (:func:`paint_gym.outputs.check_output_file`: an image extension, a creatable folder), and
    before painting, for a ``first`` past the end of an evaluation split (the message names its size)."""
    images, first, scale = check_int("images", images, 1), check_int("first", first, 0), check_int("scale", scale, 1)
    check_output_file(out, IMAGE_SUFFIXES, "out")
    shipped, present = shipped_agents(), available_agents()
    names = list(tasks) if tasks else [d for d in ("mnist", "kmnist", "celeba") if d in present]
    missing = [d for d in names if d not in shipped]
    if missing or not names:
        raise FileNotFoundError(
            f"no shipped agent for {', '.join(missing) or 'any task'}; shipped: {', '.join(shipped) or 'none'}"
        )
    work = []  # every task's targets first: a --first past one split's end stops the demo before any painting
    for name in names:
        agent = load_agent(name)
        try:
            targets = eval_targets(agent.config.task, images, agent.config.canvas_size, data_dir, first=first)
        except DataNotFoundError as err:
            if tasks:  # asked for by name: say why it cannot be painted
                raise
            print(f"(skipped {name}: {str(err).splitlines()[0]}; pass --data-dir or set PAINT_GYM_DATA)")
            continue
        work.append((name, agent, targets))
    blocks, results = [], []
    print(
        f"{'task':8s} {'strokes':>7s} {'blank':>7s} {'neural':>7s} {'MyPaint':>8s} {'gap':>8s}   "
        f"(MSE on {images} evaluation images; MyPaint mean of seeds {list(REPLAY_SEEDS)})"
    )
    for name, agent, targets in work:
        painter = getattr(agent, "painter", DEFAULT_PAINTER)  # its neural canvas: the painter it trained through
        row, actions = evaluate_agent(agent, targets, name, painter, strokes=agent.n_strokes)
        blank = blank_row(targets, agent.config.background).mypaint
        print(f"{name:8s} {agent.n_strokes:7d} {blank:7.4f} {row.neural:7.4f} {row.mypaint:8.4f} {row.gap:+8.4f}")
        blocks.append(figure7_array(targets, actions, painter))  # rows of target | neural | MyPaint
        results.append({"dataset": name, "strokes": agent.n_strokes, "blank": blank, **row.as_dict()})
    if not blocks:
        raise DataNotFoundError(f"no evaluation images for {', '.join(names)}: pass --data-dir or set PAINT_GYM_DATA")
    labelled = [
        label_block(np.repeat(np.repeat(b, scale, 0), scale, 1), name)
        for b, (name, _, _) in zip(blocks, work, strict=True)
    ]
    save_png(figure_row(labelled, pad=12 * scale), out, 1)
    print(f"wrote {out}: per task, rows of target | neural painter | MyPaint replay (brush seed 0), labelled")
    return results


#: Column labels of a Figure 7 block (each a third of its width).
COLUMNS = ("target", "neural painter", "MyPaint")


def label_block(block: np.ndarray, title: str) -> np.ndarray:
    """``block`` (uint8 ``(H, W, 3)``, columns target | neural | MyPaint) under a white header
    naming the data set (``title``) and each of its three columns: uint8 ``(H + 30, W, 3)``."""
    from PIL import Image, ImageDraw

    header = Image.new("RGB", (block.shape[1], 30), "white")
    draw = ImageDraw.Draw(header)
    draw.text((2, 1), title, fill="black")
    third = block.shape[1] / 3
    for i, name in enumerate(COLUMNS):
        draw.text((int(i * third) + 2, 16), name, fill=(80, 80, 80))
    return np.concatenate([np.asarray(header), block], axis=0)


def random_demo(
    task: str = "MNIST",
    seed: int = 0,
    painter: str = DEFAULT_PAINTER,
    out: str | os.PathLike = "demo.png",
    scale: int = 3,
    data_dir: str | os.PathLike | None = None,
) -> dict[str, float]:
    """Play one ``MyPaint-<task>-v0`` episode with random strokes (seeded); write
    ``target | MyPaint canvas | neural canvas`` as a PNG and print the MSEs. Returns the L2
    before and after and the neural canvas's MSE to MyPaint's and to the target. ``ValueError``,
    before any work, for a negative ``seed``, a ``scale`` below 1 or an ``out`` that cannot be
    written."""
    seed, scale = check_int("seed", seed, 0), check_int("scale", scale, 1)
    check_output_file(out, IMAGE_SUFFIXES, "out")
    env = gym.make(f"MyPaint-{task}-v0", render_mode="rgb_array", data_dir=data_dir)
    obs, info = env.reset(seed=seed)
    env.action_space.seed(seed)  # the random strokes too are reproducible
    start = info["l2"]
    strokes, terminated = [], False
    while not terminated:
        obs, _, terminated, _, info = env.step(env.action_space.sample())
        strokes.append(info["stroke"])
    frame = env.render()
    env.close()
    neural = replay(np.stack(strokes)[None], painter)[0]
    save_png(np.concatenate([frame, neural], axis=1), out, scale)
    gap, to_target = mse_uint8(neural, obs["canvas"]), mse_uint8(neural, obs["target"])
    print(f"painted {info['step']} random MyPaint strokes on a {task} target: L2 {start:.4f} -> {info['l2']:.4f}")
    print(
        f"the {painter} painter's canvas differs from MyPaint's "
        f"by MSE {gap:.4f}; its L2 to the target is {to_target:.4f}"
    )
    print(f"wrote {out} (target | MyPaint canvas | the same strokes by the {painter} painter)")
    return {
        "l2_start": float(start),
        "l2_end": float(info["l2"]),
        "neural_vs_mypaint": gap,
        "neural_vs_target": to_target,
    }


__all__ = ["random_demo", "run_demo"]
