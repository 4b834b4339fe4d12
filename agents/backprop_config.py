"""Hyperparameters of the backprop agent (:class:`BackpropConfig`), its pixel objectives (:func:`pixel_loss`)
and how its checkpoints' configs read.

Every checkpoint stores its config as JSON; :func:`config_of` reads it back, with the fields a
checkpoint predates set to what its run did (:data:`LEGACY_FIELDS`) and old field names read as
the new ones (:data:`RENAMED_FIELDS`). Only the fields in :data:`RESUME_MAY_CHANGE` may differ
when a run resumes. The agent and its trainer are in :mod:`paint_gym_agents.backprop`.

Objectives (combine with weights):

* ``pixel="expected"`` - the expected MSE over brush seeds of painting the strokes with the real
  program (:func:`paint_gym.expected_mse`): the painter's variance head prices in the brush's
  randomness, so the agent avoids strokes that only look right in the noise-free neural canvas.
* ``pixel="mse"`` - MSE of the neural (mean) canvas; ``pixel="none"`` with ``adversarial > 0``
  is the pure adversarial agent of the paper.
* ``adversarial`` - weight of the conditional WGAN-GP critic's score of (canvas, target)
  (:mod:`paint_gym_agents.discriminator`).
* ``template`` - weight of the action-space MSE to a per-class stroke template (preconditioning,
  paper section 4; :mod:`paint_gym_agents.precondition`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import torch

from paint_gym.canvas import mse, mse_of_moments
from paint_gym.checkpoint import config_from_json
from paint_gym.data import DATASETS
from paint_gym.devices import check_device
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.validation import (
    Background,
    CanvasSize,
    NonNegativeFloat,
    NonNegativeInt,
    OneOf,
    PositiveFloat,
    PositiveInt,
    Seeds,
    ValidatedConfig,
)

PIXEL_OBJECTIVES = ("expected", "mse", "none")
#: Where training's evaluation images come from (see :attr:`BackpropConfig.eval_split`).
EVAL_SPLITS = ("validation", "eval")
#: BackpropConfig fields that may change when a run resumes (budget, learning rates, bookkeeping);
#: a checkpoint trained with any other setting is refused.
RESUME_MAY_CHANGE = frozenset(
    {
        "steps",
        "minutes",
        "lr",
        "critic_lr",
        "eval_every",
        "eval_minutes",
        "checkpoint_minutes",
        "threads",
        "device",
        "run_dir",
        "init",
    }
)
#: Values of the BackpropConfig fields added after agents were shipped, for checkpoints written
#: before them (what those runs did): they load, paint and resume as they were trained.
LEGACY_FIELDS: dict[str, Any] = {"eval_split": "eval", "eval_minutes": 0.0, "init": ""}
#: BackpropConfig fields renamed after agents were shipped, ``{old: new}`` (docs/glossary.md): the old
#: name still loads from a checkpoint and is still taken as a keyword and a flag.
RENAMED_FIELDS: dict[str, str] = {"dataset": "task"}


@dataclass
class BackpropConfig(ValidatedConfig):
    """Hyperparameters of a backprop agent run (saved as JSON in every checkpoint; shipped agents
    store these field names, or the old names in :data:`RENAMED_FIELDS`, so they keep loading).
    Each field's range is declared in its type."""

    renamed: ClassVar[dict[str, str]] = RENAMED_FIELDS

    task: Annotated[str, OneOf(DATASETS)] = "mnist"
    """task painted: its data set's targets (:data:`paint_gym.data.DATASETS`; docs/glossary.md)"""
    strokes: PositiveInt = 8
    """strokes per painting, T"""
    painter: str = DEFAULT_PAINTER
    """neural painter to train through: "dab" (default), "gan", "vae" or the path of a painter checkpoint"""
    canvas_size: CanvasSize = 64
    """canvas side in pixels"""
    background: Background = "white"
    """canvas background"""
    pixel: Annotated[str, OneOf(PIXEL_OBJECTIVES, label="pixel objective")] = "expected"
    (
        'pixel objective: "expected" (expected MSE over brush seeds), "mse" (MSE of the neural canvas) or "none" '
        "(critic or template only)"
    )
    pixel_weight: NonNegativeFloat = 1.0
    """weight of the pixel objective"""
    adversarial: NonNegativeFloat = 0.0
    """weight of -critic(canvas, target), the conditional WGAN-GP critic's loss (0: no critic)"""
    gp_lambda: NonNegativeFloat = 10.0
    """weight of the critic's gradient penalty"""
    critic_lr: PositiveFloat = 1e-4
    """critic's Adam learning rate"""
    template: NonNegativeFloat = 0.0
    (
        "preconditioning (MNIST): weight of the action MSE to the class template at the start of stage 2; decays "
        "linearly to 0"
    )
    template_only_steps: NonNegativeInt = 0
    """preconditioning stage 1: optimisation steps of template loss alone (no pixel or critic loss)"""
    template_decay_steps: PositiveInt = 2000
    """preconditioning stage 2: optimisation steps over which the template weight decays to 0"""
    width: PositiveInt = 32
    """channels of the first convolution (doubling per halving, capped at 4 x width)"""
    hidden: PositiveInt = 256
    """LSTM and code size"""
    batch_size: PositiveInt = 32
    """targets per optimisation step (per process under torchrun)"""
    lr: PositiveFloat = 1e-3
    """agent's Adam learning rate"""
    grad_clip: PositiveFloat = 1.0
    """gradient-norm clip of the agent's update"""
    steps: NonNegativeInt = 20_000
    """optimisation steps to train for, in total over resumes (without a wall-clock budget)"""
    minutes: NonNegativeFloat = 0.0
    (
        "wall-clock training budget in minutes over resumes (0: none); training stops at whichever of steps and "
        "minutes comes first"
    )
    eval_every: PositiveInt = 250
    """optimisation steps between evaluations (without a wall-clock budget)"""
    eval_images: PositiveInt = 64
    """images evaluated during training (MyPaint replay), by which agent.pt is chosen"""
    eval_split: Annotated[str, OneOf(EVAL_SPLITS)] = "validation"
    (
        'where the evaluated images come from: "validation" (the last eval_images of the training split, held out '
        'of training) or "eval" (the first eval_images of the evaluation split, which agents are scored on: agents '
        "trained before this field existed chose their checkpoint so)"
    )
    eval_minutes: NonNegativeFloat = 0.0
    """training minutes between evaluations (0: every eval_every steps), for runs whose step time depends on
    the device"""
    replay_seeds: Seeds = (0, 1, 2, 3)
    """MyPaint brush seeds the evaluation replay averages over"""
    checkpoint_minutes: NonNegativeFloat = 2.0
    """minutes between checkpoints (also written at the end)"""
    init: str = ""
    (
        "start a new run from an agent's weights: a shipped agent's name (\"mnist\") or an agent file (fine-tuning, "
        'e.g. an agent trained through another painter); "" starts from random weights; unused on resume'
    )
    seed: NonNegativeInt = 0
    """seed of the network's initialisation and of the batches"""
    threads: NonNegativeInt = 0
    """torch threads per process (0: torch's default)"""
    device: str = "cpu"
    """device to train on: "cpu" or "cuda" (one GPU per process under torchrun, via LOCAL_RANK); not meta"""
    run_dir: str = "runs/agent"
    """run folder: checkpoint.pt (resumes), agent.pt (best evaluation), log.csv, curves.png"""

    def __post_init__(self) -> None:
        """Check every field (``ValueError`` naming the field), so a run that starts can finish."""
        super().__post_init__()
        check_device(self.device, here=False)  # a GPU this machine lacks: checked where training starts
        if self.pixel == "none" and self.adversarial <= 0 and self.template <= 0 and self.template_only_steps <= 0:
            raise ValueError("nothing to train: set a pixel objective, adversarial > 0 or a template weight")


def config_of(saved: str | dict[str, Any]) -> BackpropConfig:
    """The :class:`BackpropConfig` a checkpoint stores (JSON text or dict), with the fields it
    predates set to what its run did (:data:`LEGACY_FIELDS`) and its old field names read as the new
    ones (:data:`RENAMED_FIELDS`)."""
    return config_from_json(BackpropConfig, saved, LEGACY_FIELDS)


def pixel_loss(kind: str, mean: torch.Tensor, second: torch.Tensor, target_last: torch.Tensor) -> torch.Tensor:
    """Per-image pixel objective ``(B,)``: expected MSE over brush seeds, or MSE of the mean canvas."""
    if kind == "expected":
        return mse_of_moments(mean, second, target_last)
    return mse(mean, target_last)


__all__ = [
    "EVAL_SPLITS",
    "LEGACY_FIELDS",
    "PIXEL_OBJECTIVES",
    "RENAMED_FIELDS",
    "RESUME_MAY_CHANGE",
    "BackpropConfig",
    "config_of",
    "pixel_loss",
]
