"""What the SPIRAL-style trainer plays and learns from: its envs, the rollout, GAE advantages.

:func:`make_envs` builds the training envs (the batched ``NeuralPaintVectorEnv``, or MyPaint in
``AsyncVectorEnv`` worker processes); :class:`Rollout` holds a batch of full episodes,
time-major; :func:`advantages` is GAE over the strokes; :func:`silent_fraction` counts strokes
that lay no paint. The update itself is :meth:`paint_gym_agents.spiral.SpiralTrainer.train_once`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import gymnasium as gym
import numpy as np
import torch

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.actions import PRESSURE
from paint_gym.envs.task import task_spec

if TYPE_CHECKING:
    from .spiral import SpiralConfig


def make_envs(config: SpiralConfig, data_dir: str | os.PathLike | None = None) -> gym.vector.VectorEnv:
    """The training envs: the batched neural vector env, or MyPaint envs in worker processes."""
    task = task_spec(config.task).name
    kwargs = {
        "episode_length": config.strokes,
        "reward": "dense" if config.dense_l2 > 0 else "none",
        "canvas_size": config.canvas_size,
        "background": config.background,
        "data_dir": data_dir,
    }
    if config.env == "neural":
        return gym.make_vec(f"NeuralPaint-{task}-v0", num_envs=config.num_envs, painter=config.painter, **kwargs)
    return gym.make_vec(f"MyPaint-{task}-v0", num_envs=config.num_envs, vectorization_mode="async", **kwargs)


@dataclass
class Rollout:
    """``episodes`` full episodes, time-major: ``images`` ``(T, E, 6, H, W)`` uint8, ``prev``
    ``(T, E, 12)``, ``raw`` policy outputs, ``logp``/``values``/``rewards`` ``(T, E)``; the final
    canvases and targets ``(E, H, W, 3)`` uint8, the final MSE ``(E,)`` of each episode and the
    strokes the env painted ``(T, E, 12)``."""

    images: torch.Tensor
    prev: torch.Tensor
    raw: torch.Tensor
    logp: torch.Tensor
    values: torch.Tensor
    rewards: torch.Tensor
    final_canvas: np.ndarray
    final_target: np.ndarray
    final_l2: np.ndarray
    strokes: torch.Tensor


def advantages(
    rewards: torch.Tensor, values: torch.Tensor, gamma: float, lam: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE advantages and returns ``(T, E)`` of episodes that all end after the last step."""
    adv = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        next_value = values[t + 1] if t + 1 < len(rewards) else torch.zeros_like(values[t])
        delta = rewards[t] + gamma * next_value - values[t]
        running = delta + gamma * lam * running
        adv[t] = running
    return adv, adv + values


def silent_fraction(roll: Rollout) -> float:
    """Fraction of the rollout's strokes that lay no paint: both pressures at the box's floor (-1,
    zero pressure; discrete lifts too). A policy collapsing to a blank canvas shows it rising to 1."""
    return float((roll.strokes[..., PRESSURE] <= -1.0).all(-1).float().mean())


__all__ = ["Rollout", "advantages", "make_envs", "silent_fraction"]
