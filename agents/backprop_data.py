"""The backprop agent's training data: the training targets, the evaluation images and the
MNIST stroke templates of preconditioning (:class:`paint_gym_agents.backprop.BackpropTrainer`).

With ``eval_split="validation"`` the evaluation images are the last ``eval_images`` of the
training split, held out of training, so the evaluation split stays unseen until the agent is
scored; with ``"eval"`` they are the first ``eval_images`` of the evaluation split.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import torch
from tqdm import tqdm

from paint_gym.data import ImageTargets

from .precondition import load_templates

if TYPE_CHECKING:
    from .backprop_config import BackpropConfig


def training_data(
    config: BackpropConfig, data_dir: str | os.PathLike | None, needs_templates: bool
) -> tuple[torch.Tensor, torch.Tensor | None, np.ndarray, torch.Tensor | None]:
    """``(train_images, train_labels, eval_targets, templates)``: the training targets, uint8
    ``(N, H, W, 3)``; their class labels (int64, only when ``needs_templates`` and the data set has
    labels, else None); the evaluation images, uint8 ``(E, H, W, 3)``; the class templates
    ``(classes, T, 12)`` when ``needs_templates`` (MNIST only: ``ValueError`` otherwise), else None.
    ``ValueError`` if the held-out evaluation images leave no training image."""
    train_set = ImageTargets(config.task, "train", config.canvas_size, data_dir)
    images = _target_tensor(config.task, config.canvas_size, None if data_dir is None else str(data_dir))
    n_train = len(images)
    if config.eval_split == "validation":  # the last eval_images training images, held out
        if config.eval_images >= len(images):
            raise ValueError(
                f"eval_images={config.eval_images} leaves no {config.task} training image to train on "
                f"(its training split has {len(images)}): hold out fewer"
            )
        n_train = len(images) - config.eval_images
        eval_targets = images[n_train:].numpy()
    else:
        eval_set = ImageTargets(config.task, "eval", config.canvas_size, data_dir)
        eval_targets = eval_set.batch(range(min(config.eval_images, len(eval_set))))
    train_images = images[:n_train]
    train_labels = (
        torch.as_tensor(train_set.labels[:n_train].astype(np.int64))
        if needs_templates and train_set.labels is not None
        else None
    )
    templates = _load_templates(config) if needs_templates else None
    return train_images, train_labels, eval_targets, templates


@lru_cache(maxsize=2)
def _target_tensor(dataset: str, canvas_size: int, data_dir: str | None) -> torch.Tensor:
    """All training targets as one uint8 tensor ``(N, H, W, 3)``, converted once per process."""
    targets = ImageTargets(dataset, "train", canvas_size, data_dir)
    out = np.empty((len(targets), targets.canvas_size, targets.canvas_size, 3), np.uint8)
    for i in tqdm(range(len(targets)), desc=f"{targets.name} targets", disable=len(targets) < 5000, leave=False):
        out[i] = targets[i]
    return torch.from_numpy(out)


def _load_templates(config: BackpropConfig) -> torch.Tensor:
    if config.task != "mnist":
        raise ValueError(f"stroke templates exist for MNIST only; got task {config.task!r}")
    return torch.as_tensor(load_templates(config.strokes))


__all__ = ["training_data"]
