"""``paint-gym demo``: the shipped agents paint evaluation images; MyPaint replays the strokes.

:func:`run_demo` writes one PNG with, per task, rows of ``target | neural painter | MyPaint``
(the paper's Figure 7) and prints each agent's MSEs; when RL agents are shipped for a task it
painted, it says so in one line and leaves them to ``--compare``. No data set image is stored in
the package: the targets come from the user's data (``PAINT_GYM_DATA``, the cache or a download).

:func:`run_compare` (``--compare``) writes the comparison instead, to the same ``--out``: per
task (default: the tasks with shipped RL agents, else MNIST), rows of ``target | backprop agent |
PPO agent | SPIRAL agent`` on the same evaluation images, each column the agent's strokes
replayed in MyPaint (brush seed 0), and prints each agent's MyPaint replay MSE (mean over
:data:`~paint_gym.benchmark.evaluation.REPLAY_SEEDS`). The RL agents are the shipped
``<task>_ppo`` and ``<task>_spiral`` (:data:`RL_AGENTS`; ``scripts/ship_weights.py agent``); one that is
not shipped, whose file is absent, or that needs a library this environment lacks (the PPO
agent needs Stable-Baselines3, the optional ``rl`` extra) is left out with a printed note. An
agent trained on another canvas size paints the same images at its own size; its column is
enlarged to the figure's.

:func:`random_demo` (``--random``) plays one MyPaint env episode of random strokes instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.benchmark.evaluation import (
    REPLAY_SEEDS,
    agent_strokes,
    blank_row,
    eval_targets,
    evaluate_agent,
    figure7_array,
    figure_row,
    replay_mse,
    save_png,
)
from paint_gym.canvas import mse_uint8
from paint_gym.data import DataNotFoundError
from paint_gym.outputs import IMAGE_SUFFIXES, check_output_file
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.painters.load import replay
from paint_gym.validation import check_int

from .base import label_of
from .zoo import PREFIX, available_agents, load_agent, shipped_agents

#: Tasks the demos paint when none is asked for, in this order.
DEMO_TASKS = ("mnist", "kmnist", "celeba")
#: The RL agents ``--compare`` paints beside a task's backprop agent: the suffix of their shipped
#: name (``mnist_ppo`` loads as ``load_agent("mnist_ppo")``), their column's header and their name.
RL_AGENTS = (("ppo", "PPO", "PPO agent"), ("spiral", "SPIRAL", "SPIRAL agent"))


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
    names = list(tasks) if tasks else [d for d in DEMO_TASKS if d in present]
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
    for name, _, _ in work:
        if rl := rl_agents_of(name, present):
            print(f"(RL agents shipped for {name}: {', '.join(rl)}; `paint-gym demo --compare` paints them beside it)")
    return results


#: Column labels of a Figure 7 block (each a third of its width).
COLUMNS = ("target", "neural painter", "MyPaint")


def label_block(block: np.ndarray, title: str, columns: Sequence[str] = COLUMNS) -> np.ndarray:
    """``block`` (uint8 ``(H, W, 3)`` of ``len(columns)`` equal columns, by default Figure 7's
    target | neural | MyPaint) under a white header naming the data set (``title``) and each
    column: uint8 ``(H + 30, W, 3)``."""
    from PIL import Image, ImageDraw

    header = Image.new("RGB", (block.shape[1], 30), "white")
    draw = ImageDraw.Draw(header)
    draw.text((2, 1), title, fill="black")
    width = block.shape[1] / len(columns)
    for i, name in enumerate(columns):
        draw.text((int(i * width) + 2, 16), name, fill=(80, 80, 80))
    return np.concatenate([np.asarray(header), block], axis=0)


# ----------------------------------------------------------------------------------------
# --compare: the backprop agent and the RL agents on the same images
# ----------------------------------------------------------------------------------------


def rl_agents_of(task: str, present: dict[str, Any]) -> list[str]:
    """Shipped names of ``task``'s RL agents (:data:`RL_AGENTS`) among ``present`` (shipped
    agents whose weights are on this machine, :func:`paint_gym_agents.zoo.available_agents`)."""
    return [f"{task}_{suffix}" for suffix, _, _ in RL_AGENTS if f"{task}_{suffix}" in present]


def compare_agents(task: str, data_dir: str | os.PathLike | None = None) -> list[tuple[str, str, str, Any]]:
    """The agents ``--compare`` paints for ``task``, as ``(shipped name, column header, name in
    the table, agent)``: its shipped agent first (the backprop agent), then each RL agent of
    :data:`RL_AGENTS` that loads, trained on ``task``; a note is printed for each one left out
    (not shipped, file absent, a library missing, another task). ``data_dir`` goes to an SB3
    agent (it paints in an env). ``FileNotFoundError`` if ``task`` has no shipped agent of its own."""
    shipped, present = shipped_agents(), available_agents()
    if task not in shipped:
        raise FileNotFoundError(f"no shipped agent for {task}; shipped: {', '.join(shipped) or 'none'}")
    agent = load_agent(task)
    own = label_of(agent)
    chosen = [(task, own.removesuffix(" agent"), own, agent)]
    for suffix, header, label in RL_AGENTS:
        name = f"{task}_{suffix}"
        if name not in shipped:
            print(f"(no {label} for {task}: {PREFIX}{name} is not shipped; its column is left out)")
            continue
        if name not in present:
            print(f"(the {label} {name} is not on this machine ({shipped[name]['file']}); its column is left out)")
            continue
        try:
            rl = load_agent(name, **({"data_dir": data_dir} if shipped[name].get("kind") == "sb3_agent" else {}))
        except ModuleNotFoundError as exc:  # SB3 is an optional extra; Ray lives in its own venv
            print(f"(the {label} {name} cannot load here: {exc}; its column is left out)")
            continue
        trained_on = getattr(getattr(rl, "config", None), "task", task)
        if trained_on != task:
            print(f"(the {label} {name} paints {trained_on}, not {task}; its column is left out)")
            continue
        chosen.append((name, header, label, rl))
    return chosen


def _enlarged(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 images ``(B, h, w, 3)`` enlarged (or reduced) to ``(B, size, size, 3)``: nearest
    pixel for a whole factor, bilinear otherwise."""
    if images.shape[1] == size:
        return images
    if size % images.shape[1] == 0:
        factor = size // images.shape[1]
        return np.repeat(np.repeat(images, factor, 1), factor, 2)
    from PIL import Image

    resized = (Image.fromarray(im).resize((size, size), Image.Resampling.BILINEAR) for im in images)
    return np.stack([np.asarray(im) for im in resized])


def compare_block(columns: Sequence[np.ndarray]) -> np.ndarray:
    """One row per image of ``columns`` (each uint8 ``(B, S, S, 3)``: the targets, then each
    agent's MyPaint replay), images separated by white lines 2 px wide: uint8
    ``(B * (S + 2) - 2, C * (S + 2) - 2, 3)`` for ``C`` columns."""
    size = columns[0].shape[1]
    gap = np.full((size, 2, 3), 255, np.uint8)
    rows = [np.concatenate([x for c in columns for x in (c[i], gap)][:-1], axis=1) for i in range(len(columns[0]))]
    sep = np.full((2, rows[0].shape[1], 3), 255, np.uint8)
    return np.concatenate([x for r in rows for x in (r, sep)][:-1], axis=0)


def _paint_column(agent: Any, name: str, targets: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``agent``'s strokes for ``targets`` uint8 ``(B, S, S, 3)`` (its canvas size) replayed in
    MyPaint: the brush-seed-0 canvases uint8 ``(B, S, S, 3)``, the replay MSE (mean over
    :data:`REPLAY_SEEDS`) and the seconds ``paint`` took."""
    t0 = time.perf_counter()
    painted = agent.paint(targets.copy())  # the agent's own copy: the score uses the targets as they are
    seconds = time.perf_counter() - t0
    actions = agent_strokes(painted, len(targets), name, agent.n_strokes)
    background = getattr(agent.config, "background", "white")
    mse = float(replay_mse(actions, targets, REPLAY_SEEDS, background).mean())
    canvases = replay(actions, "mypaint", seed=0, canvas_size=targets.shape[1], background=background)
    return canvases, mse, seconds


def run_compare(
    tasks: Sequence[str] | None = None,
    images: int = 8,
    out: str | os.PathLike = "demo.png",
    first: int = 0,
    data_dir: str | os.PathLike | None = None,
    scale: int = 3,
) -> list[dict[str, Any]]:
    """``paint-gym demo --compare``: the backprop agent and the shipped RL agents paint the same
    ``images`` evaluation images (from index ``first``) of each task; print each one's MyPaint
    replay MSE and write one PNG: per task, rows of ``target | backprop | PPO | SPIRAL`` (the
    strokes replayed in MyPaint, brush seed 0; absent RL agents' columns left out with a note,
    :func:`compare_agents`), the tasks side by side, each under a header.

    ``tasks`` default: those of :data:`DEMO_TASKS` with a shipped agent and shipped RL agents on
    this machine, else MNIST alone. Returns one dict per agent painted: ``dataset``, ``agent``
    (its shipped name), ``label``, ``kind``, ``strokes``, ``mypaint_mse``, ``seconds``. Errors as
    :func:`run_demo`'s: ``ValueError`` before any work for a count out of range or an ``out``
    that cannot be written; ``FileNotFoundError`` for a task without a shipped agent;
    :class:`~paint_gym.data.DataNotFoundError` for a task asked for whose images cannot be read
    (without ``tasks``, such a task is skipped with a note).
    """
    images, first, scale = check_int("images", images, 1), check_int("first", first, 0), check_int("scale", scale, 1)
    check_output_file(out, IMAGE_SUFFIXES, "out")
    shipped, present = shipped_agents(), available_agents()
    names = list(tasks) if tasks else [t for t in DEMO_TASKS if t in present and rl_agents_of(t, present)]
    names = names or [t for t in DEMO_TASKS[:1] if t in present]
    missing = [t for t in names if t not in shipped]
    if missing or not names:
        raise FileNotFoundError(
            f"no shipped agent for {', '.join(missing) or DEMO_TASKS[0]}; shipped: {', '.join(shipped) or 'none'}"
        )
    work = []  # every task's agents and targets first: a --first past a split's end stops before any painting
    for task in names:
        try:
            agents = compare_agents(task, data_dir)
            targets = {
                size: eval_targets(task, images, size, data_dir, first=first)
                for size in sorted({a.config.canvas_size for *_, a in agents})
            }
        except DataNotFoundError as err:
            if tasks:
                raise
            print(f"(skipped {task}: {str(err).splitlines()[0]}; pass --data-dir or set PAINT_GYM_DATA)")
            continue
        work.append((task, agents, targets))
    if not work:
        raise DataNotFoundError(f"no evaluation images for {', '.join(names)}: pass --data-dir or set PAINT_GYM_DATA")
    print(
        f"{'task':8s} {'agent':16s} {'':20s} {'strokes':>7s} {'MyPaint':>8s} {'seconds':>8s}   "
        f"(MyPaint replay MSE on {images} evaluation images, mean of seeds {list(REPLAY_SEEDS)})"
    )
    blocks, results = [], []
    for task, agents, targets in work:
        size = max(targets)
        columns = [targets[size]]
        for name, _, label, agent in agents:
            canvases, mse, seconds = _paint_column(agent, name, targets[agent.config.canvas_size])
            getattr(agent, "close", lambda: None)()  # SB3's envs
            print(f"{task:8s} {name:16s} {label:20s} {agent.n_strokes:7d} {mse:8.4f} {seconds:8.2f}")
            columns.append(_enlarged(canvases, size))
            results.append(
                {
                    "dataset": task,
                    "agent": name,
                    "label": label,
                    "kind": getattr(agent, "KIND", type(agent).__name__),
                    "strokes": agent.n_strokes,
                    "mypaint_mse": mse,
                    "seconds": seconds,
                }
            )
        block = np.repeat(np.repeat(compare_block(columns), scale, 0), scale, 1)
        blocks.append(label_block(block, f"{task}: MyPaint replays", ("target", *(a[1] for a in agents))))
    save_png(figure_row(blocks, pad=12 * scale), out, 1)
    print(f"wrote {out}: per task, rows of target | each agent's strokes replayed in MyPaint (brush seed 0), labelled")
    return results


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


__all__ = ["RL_AGENTS", "compare_agents", "random_demo", "run_compare", "run_demo"]
