"""Preconditioning toward human stroke order (paper section 4).

Hand-made pen paths for the ten MNIST digits live in ``templates/mnist.json`` (data, not
code). :func:`load_templates` cuts each digit's paths into T consecutive strokes, so a
template exists for any stroke count. Training in two stages (see
:class:`paint_gym_agents.backprop.BackpropConfig`): stage 1 fits the template of each image's class with an
MSE on actions only; stage 2 turns the pixel/adversarial loss back on while the template
weight decays. :func:`stroke_order_agreement` measures whether an agent's first stroke starts
where, and runs the way, a person's would.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from paint_gym import actions as act
from paint_gym.painters.load import replay

TEMPLATE_FILE = Path(__file__).resolve().parent / "templates" / "mnist.json"


@lru_cache(maxsize=1)
def _template_data() -> dict[str, Any]:
    return json.loads(TEMPLATE_FILE.read_text())


def _allocate(lengths: np.ndarray, total: int) -> np.ndarray:
    """Strokes per pen path, proportional to length (largest remainder), at least one each."""
    if total < len(lengths):
        raise ValueError(f"{total} strokes cannot draw {len(lengths)} separate pen paths")
    share = lengths / lengths.sum() * (total - len(lengths))
    counts = 1 + np.floor(share).astype(int)
    for i in np.argsort(-(share - np.floor(share)))[: total - counts.sum()]:
        counts[i] += 1
    return counts


def _point_at(path: np.ndarray, cumulative: np.ndarray, s: float) -> np.ndarray:
    i = int(np.clip(np.searchsorted(cumulative, s) - 1, 0, len(path) - 2))
    seg = cumulative[i + 1] - cumulative[i]
    w = 0.0 if seg == 0 else (s - cumulative[i]) / seg
    return path[i] + w * (path[i + 1] - path[i])


def template_strokes(paths: list[list[list[float]]], strokes: int, style: dict[str, Any]) -> np.ndarray:
    """Cut pen ``paths`` (canvas fractions) into ``strokes`` actions ``(T, 12)`` in order."""
    arrays = [np.asarray(p, dtype=np.float64) for p in paths]
    lengths = np.array([np.linalg.norm(np.diff(p, axis=0), axis=1).sum() for p in arrays])
    out = np.zeros((strokes, act.ACTION_DIM), np.float32)
    out[:, [act.START_PRESSURE, act.END_PRESSURE]] = style["pressure"]
    out[:, act.SIZE] = style["size"]
    out[:, act.COLOR] = style["color"]
    k = 0
    for path, length, count in zip(arrays, lengths, _allocate(lengths, strokes), strict=True):
        cumulative = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
        for j in range(count):
            s0, s1 = length * j / count, length * (j + 1) / count
            pts = [_point_at(path, cumulative, s) for s in (s0, (s0 + s1) / 2, s1)]
            out[k, act.START_X :] = np.concatenate(pts) * 2 - 1
            k += 1
    return out


def load_templates(strokes: int = 8) -> np.ndarray:
    """Templates ``(10, T, 12)`` float32, indexed by digit."""
    data = _template_data()
    return np.stack([template_strokes(data["digits"][str(d)], strokes, data["style"]) for d in range(10)])


def _direction(actions: np.ndarray) -> np.ndarray:
    vec = actions[..., [act.END_X, act.END_Y]] - actions[..., [act.START_X, act.START_Y]]
    return vec / np.maximum(np.linalg.norm(vec, axis=-1, keepdims=True), 1e-6)


def stroke_order_agreement(
    actions: np.ndarray,
    labels: np.ndarray,
    strokes: int | None = None,
    max_distance: float = 0.3,
    min_cosine: float = 0.5,
) -> dict[str, float]:
    """How often an agent's first stroke matches the human template's first stroke.

    A first stroke *agrees* when it starts within ``max_distance`` (in action units, where the
    canvas spans 2) of the template's start and runs in its direction (cosine of the two
    start-to-end directions at least ``min_cosine``). Returns the fraction that agree and the
    two parts separately (``start_near``, ``direction``).
    """
    actions = np.asarray(actions, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    if actions.ndim != 3 or len(actions) != len(labels):
        raise ValueError(
            f"actions must be (B, T, 12) with one label per sequence; got {actions.shape} and {labels.shape}"
        )
    first = load_templates(strokes or actions.shape[1])[labels, 0]
    agent = actions[:, 0]
    near = (
        np.linalg.norm(agent[:, [act.START_X, act.START_Y]] - first[:, [act.START_X, act.START_Y]], axis=1)
        <= max_distance
    )
    aligned = (_direction(agent) * _direction(first)).sum(axis=1) >= min_cosine
    return {
        "agree": float((near & aligned).mean()),
        "start_near": float(near.mean()),
        "direction": float(aligned.mean()),
    }


def stroke_order_figure(targets: np.ndarray, rows: dict[str, np.ndarray], out: str, scale: int = 3) -> str:
    """Targets and, per agent, its strokes painted by MyPaint in colours from red (first) to
    blue (last), each with its number at its start point: the stroke order at a glance."""
    import matplotlib  # lazy: matplotlib takes ~0.5 s to import and needs the Agg backend chosen first

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: after the backend is chosen

    n = len(targets)
    fig, axes = plt.subplots(len(rows) + 1, n, figsize=(1.3 * n, 1.4 * (len(rows) + 1)), squeeze=False)
    for j in range(n):
        axes[0, j].imshow(targets[j])
    for i, (name, actions) in enumerate(rows.items(), start=1):
        coloured = np.array(actions, dtype=np.float32, copy=True)
        t = coloured.shape[1]
        cmap = plt.get_cmap("coolwarm_r")
        for k in range(t):
            coloured[:, k, act.COLOR] = np.asarray(cmap(k / max(t - 1, 1))[:3]) * 2 - 1
        pics = replay(coloured, "mypaint", seed=0, canvas_size=targets.shape[1])
        for j in range(n):
            axes[i, j].imshow(pics[j])
            size = targets.shape[1]
            for k in range(t):
                x, y = (coloured[j, k, [act.START_X, act.START_Y]] + 1) / 2 * size
                axes[i, j].text(x, y, str(k + 1), fontsize=6, color="black", ha="center", va="center")
        axes[i, 0].set_ylabel(name, fontsize=8)
    axes[0, 0].set_ylabel("target", fontsize=8)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("stroke order: first stroke red, last blue; numbers at stroke starts", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
