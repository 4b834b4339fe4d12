"""Hyperparameters of the SPIRAL-style agent (:class:`SpiralConfig`) and how its checkpoints' configs read.

Every checkpoint stores its config as JSON; :func:`config_of` reads it back, with the fields a
checkpoint predates set to what its run did (:data:`LEGACY_FIELDS`) and old field names read as
the new ones (:data:`RENAMED_FIELDS`). Only the fields in :data:`RESUME_MAY_CHANGE` may differ
when a run resumes. The agent and its trainer are in :mod:`paint_gym_agents.spiral`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from paint_gym.benchmark.evaluation import REPLAY_SEEDS
from paint_gym.checkpoint import config_from_json
from paint_gym.data import DATASETS
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.validation import (
    Background,
    Bound,
    CanvasSize,
    NonNegativeFloat,
    NonNegativeInt,
    OneOf,
    PositiveFloat,
    PositiveInt,
    Seeds,
    ValidatedConfig,
)

ENVS = ("neural", "mypaint")
ACTION_MODES = ("continuous", "discrete")
#: SpiralConfig fields that may change when a run resumes (the step budget, learning rates,
#: bookkeeping; a wall-clock budget is an argument of :meth:`paint_gym_agents.spiral.SpiralTrainer.run`); any other
#: difference is refused.
RESUME_MAY_CHANGE = frozenset({"steps", "lr", "critic_lr", "threads", "run_dir"})
#: Values of the SpiralConfig fields added after runs were written, for their checkpoints (what
#: those runs did): they load, paint and resume as they were trained.
LEGACY_FIELDS: dict[str, Any] = {"bounded_mean": False, "reward_norm": False}
#: SpiralConfig fields renamed after runs were written, ``{old: new}`` (docs/glossary.md): the old
#: name still loads from a checkpoint and is still taken as a keyword and a flag.
RENAMED_FIELDS: dict[str, str] = {"dataset": "task", "init_log_std": "log_std_init"}


@dataclass
class SpiralConfig(ValidatedConfig):
    """Hyperparameters of a SPIRAL-style run (saved as JSON in every checkpoint; old field names:
    :data:`RENAMED_FIELDS`). Each field's range is declared in its type."""

    renamed: ClassVar[dict[str, str]] = RENAMED_FIELDS

    task: Annotated[str, OneOf(DATASETS)] = "mnist"
    """task painted: its data set's targets (:data:`paint_gym.data.DATASETS`; docs/glossary.md)"""
    strokes: PositiveInt = 8
    """strokes per painting (the env's episode length), T"""
    env: Annotated[str, OneOf(ENVS)] = "neural"
    (
        'training env: "neural" (the batched NeuralPaintVectorEnv) or "mypaint" (MyPaintEnv in AsyncVectorEnv worker '
        "processes)"
    )
    painter: str = DEFAULT_PAINTER
    """the neural env's painter: "dab" (default), "gan", "vae" or the path of a painter checkpoint"""
    action_mode: Annotated[str, OneOf(ACTION_MODES)] = "continuous"
    (
        'stroke outputs: "continuous" (12 numbers per stroke) or "discrete" '
        "(SPIRAL's choices, paint_gym.DiscreteActions defaults)"
    )
    canvas_size: CanvasSize = 64
    """canvas side in pixels"""
    background: Background = "white"
    """canvas background"""
    num_envs: PositiveInt = 16
    """sub-envs stepped together (for "mypaint", worker processes)"""
    episodes_per_env: PositiveInt = 1
    """episodes each sub-env plays per update (episodes per update = num_envs x this)"""
    adversarial: NonNegativeFloat = 1.0
    """weight of the critic's final reward D(canvas, target) - D(target, target); it or dense_l2 above 0"""
    dense_l2: NonNegativeFloat = 0.0
    """weight of the env's dense reward (the MSE decrease per stroke; about 0.1 in total on MNIST)"""
    gp_lambda: NonNegativeFloat = 10.0
    """weight of the critic's gradient penalty"""
    critic_lr: PositiveFloat = 1e-4
    """critic's Adam learning rate"""
    critic_steps: PositiveInt = 1
    """critic updates per policy update"""
    critic_width: PositiveInt = 32
    """channels of the critic's first convolution"""
    lr: PositiveFloat = 3e-4
    """policy's Adam learning rate"""
    gamma: Annotated[float, Bound(0, 1, open_low=True)] = 1.0
    """discount per stroke (1: fixed-length episodes whose reward comes at the end)"""
    gae_lambda: Annotated[float, Bound(0, 1)] = 0.95
    """GAE lambda"""
    update_epochs: PositiveInt = 4
    """PPO epochs over each update's episodes (1 with a wide clip is A2C)"""
    minibatches: PositiveInt = 2
    """minibatches (of whole episodes) per epoch, at most the episodes per update"""
    clip_coef: PositiveFloat = 0.2
    """PPO's ratio clip"""
    ent_coef: NonNegativeFloat = 0.01
    """entropy bonus weight"""
    vf_coef: NonNegativeFloat = 0.5
    """value loss weight"""
    max_grad_norm: PositiveFloat = 0.5
    """gradient-norm clip of the policy's update"""
    log_std_init: Annotated[float, Bound(-20, 2)] = -0.5
    """continuous mode: initial log standard deviation of the strokes (-0.5: 0.6 in action units)"""
    reward_norm: bool = True
    (
        "divide the rewards by a running root-mean-square of the episode returns (EMA, rate 0.1) before the "
        "advantages and value targets, so a drifting critic's score cannot swamp the policy's gradient in the "
        "shared network (why: docs/agents.md)"
    )
    bounded_mean: bool = True
    (
        "continuous mode: the Gaussian's mean is tanh of the network's output, inside the action box. False lets "
        "it leave the box, where the env's clip makes nearby samples one stroke and the gradient vanishes (a "
        "pressure mean below -1 paints nothing; why it is a guard: docs/agents.md)"
    )
    width: PositiveInt = 16
    """channels of the policy's first convolution (doubling per halving, capped at 2 x width)"""
    hidden: PositiveInt = 128
    """LSTM and code size"""
    steps: NonNegativeInt = 1000
    """updates to train for, in total over resumes, when no wall-clock budget is given"""
    eval_images: PositiveInt = 64
    """evaluation images (the first of the evaluation split)"""
    replay_seeds: Seeds = REPLAY_SEEDS
    """MyPaint brush seeds the evaluation replay averages over"""
    seed: NonNegativeInt = 0
    """seed of the initialisation, the env resets and the sampled strokes"""
    threads: NonNegativeInt = 0
    """torch threads (0: torch's default)"""
    run_dir: str = "runs/spiral"
    """run folder: checkpoint.pt (resumes), agent.pt (best evaluation), log.csv, curves.png"""

    def __post_init__(self) -> None:
        """Check every field (``ValueError`` naming the field), so a run that starts can finish."""
        super().__post_init__()
        if self.minibatches > self.num_envs * self.episodes_per_env:
            raise ValueError(
                f"minibatches ({self.minibatches}) cannot exceed the episodes "
                f"per update ({self.num_envs * self.episodes_per_env})"
            )
        if self.adversarial + self.dense_l2 == 0:
            raise ValueError(
                "rewards: adversarial and dense_l2 must be >= 0 and "
                f"not both 0; got {self.adversarial}, {self.dense_l2}"
            )


def config_of(saved: str | dict[str, Any]) -> SpiralConfig:
    """The :class:`SpiralConfig` a checkpoint stores (JSON text or dict), with the fields it
    predates set to what its run did (:data:`LEGACY_FIELDS`) and its old field names read as the new
    ones (:data:`RENAMED_FIELDS`)."""
    return config_from_json(SpiralConfig, saved, LEGACY_FIELDS)


__all__ = [
    "ACTION_MODES",
    "ENVS",
    "LEGACY_FIELDS",
    "RENAMED_FIELDS",
    "RESUME_MAY_CHANGE",
    "SpiralConfig",
    "config_of",
]
