"""What the SPIRAL-style agent plays and learns from: its envs, its strokes, the rollout, GAE advantages.

:class:`ActionDecoder` turns the policy's outputs into continuous strokes (a discrete lift
paints :data:`LIFT_STROKE`); :func:`make_envs` builds the training envs (the batched
``NeuralPaintVectorEnv``, or MyPaint in ``AsyncVectorEnv`` worker processes); :class:`Rollout`
holds a batch of full episodes, time-major; :func:`advantages` is GAE over the strokes;
:func:`silent_fraction` counts strokes that lay no paint. The update itself is
:meth:`paint_gym_agents.spiral.SpiralTrainer.train_once`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import gymnasium as gym
import numpy as np
import torch

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.actions import ACTION_DIM, COLOR, PRESSURE, SIZE, START_X, DiscreteActions
from paint_gym.envs.episode import pen_after, pen_strokes
from paint_gym.envs.task import task_spec

if TYPE_CHECKING:
    from .spiral_config import SpiralConfig


def _lift_stroke() -> np.ndarray:
    """Zero pressure and the smallest size, at the bottom-right corner, in the background white:
    MyPaint lays no paint at zero pressure, and the shipped GAN painter none there either."""
    stroke = np.ones(ACTION_DIM, np.float32)
    stroke[PRESSURE] = -1.0
    stroke[SIZE] = -1.0
    stroke[COLOR] = 1.0
    stroke[START_X:] = 1.0
    return stroke


#: The continuous stroke a discrete lift (a pen move without paint) is painted as.
LIFT_STROKE = _lift_stroke()


class ActionDecoder:
    """SPIRAL's action decoder: turns the policy's outputs into continuous strokes ``(B, 12)`` (and
    tracks the pens). Not the painters' ``StrokeDecoder`` network (docs/glossary.md).

    Continuous: clip to [-1, 1]. Discrete: the envs' pen rule
    (:func:`paint_gym.envs.episode.pen_strokes`: a stroke starts where the pen rests, which is
    then the stroke's end point); a lift moves the pen and paints :data:`LIFT_STROKE`.
    """

    def __init__(self, action_mode: str, discrete: DiscreteActions | None = None) -> None:
        self.action_mode = action_mode
        self.discrete = discrete or DiscreteActions()

    def __call__(self, raw: torch.Tensor, pens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = raw.detach().cpu().numpy()
        if self.action_mode == "continuous":
            return np.clip(values, -1.0, 1.0).astype(np.float32), pens
        actions = np.stack([self.discrete.validate(choice) for choice in values])
        strokes, paints = pen_strokes(self.discrete, actions, pens)
        pens = pen_after(strokes)
        strokes[~paints] = LIFT_STROKE
        return strokes, pens


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


__all__ = ["LIFT_STROKE", "ActionDecoder", "Rollout", "advantages", "make_envs", "silent_fraction"]
