"""Errors shared by every trainer: training that diverged, and networks whose outputs are not finite.

A learning rate that is too large makes the parameters overflow; the next forward pass then
gives NaN or inf. Without a check that surfaces far away, e.g. as "actions contain NaN or inf"
about strokes the user never gave. Every trainer (the neural painters, the backprop agent, the
Stable-Baselines3 wrapper, the image-parameterization optimisers) instead
stops with :class:`TrainingDivergedError`, naming the step, the value and the learning rate,
and writes no checkpoint after it: the last good one stays on disk untouched.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def _lr_text(lr: float | Sequence[float]) -> str:
    if isinstance(lr, (list, tuple)):
        return ", ".join(f"{float(x):g}" for x in lr)
    return f"{float(lr):g}"


class TrainingDivergedError(RuntimeError):
    """Training diverged: a loss, a gradient, the parameters or the model's outputs are NaN or inf.

    Attributes: ``step`` (the optimisation step at which it was detected), ``loss`` (the
    offending value as a float, NaN or inf), ``lr`` (the learning rate in use), ``what`` (which
    quantity), ``checkpoint`` (the last good checkpoint, left untouched, or None).
    The message suggests the fix: lower the learning rate and resume from that checkpoint.
    """

    def __init__(
        self,
        *,
        step: int,
        loss: float,
        lr: float | Sequence[float],
        what: str = "loss",
        checkpoint: str | os.PathLike | None = None,
        trainer: str = "training",
    ) -> None:
        self.step, self.loss, self.lr, self.what = int(step), float(loss), lr, what
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        first = lr[0] if isinstance(lr, (list, tuple)) and lr else lr
        lower = (
            f"{float(first) / 10:g}"
            if isinstance(first, (int, float)) and math.isfinite(first) and first > 0
            else "a smaller value"
        )
        if self.checkpoint is not None and self.checkpoint.is_file():
            resume = (
                f"resume from the last good checkpoint {self.checkpoint} "
                "(written before the divergence and left untouched)"
            )
        else:
            resume = "train again (no checkpoint had been written yet, so nothing was overwritten)"
        super().__init__(
            f"{trainer} diverged at step {self.step}: the {what} is {self.loss} with learning rate {_lr_text(lr)}. "
            f"The optimisation blew up, not your inputs: lower the learning rate (e.g. lr={lower}) and {resume}."
        )


class NonFiniteOutputError(ValueError):
    """A trained network produced NaN or inf (its weights are corrupt or overflow), e.g. an
    agent's policy painting strokes from the weights of a diverged run. Trainers turn it into
    :class:`TrainingDivergedError`."""


def finite_value(value: Any) -> float:
    """``value`` (a Python number or a one-element tensor/array) as a float."""
    return float(value.detach().item()) if hasattr(value, "detach") else float(value)


def check_finite(
    value: Any,
    *,
    step: int,
    lr: float | Sequence[float],
    what: str = "loss",
    checkpoint: str | os.PathLike | None = None,
    trainer: str = "training",
) -> float:
    """``value`` as a float if it is finite, else raise :class:`TrainingDivergedError`.

    ``value`` is a number or a one-element tensor (this synchronises with the device once).
    """
    number = finite_value(value)
    if not math.isfinite(number):
        raise TrainingDivergedError(step=step, loss=number, lr=lr, what=what, checkpoint=checkpoint, trainer=trainer)
    return number


def first_non_finite(named_tensors: Iterable[tuple[str, Any]]) -> tuple[str, float] | None:
    """The name and one offending value of the first floating tensor holding NaN or inf, or None.

    Works on ``module.named_parameters()``, ``state_dict().items()`` and the like.
    """
    import torch  # lazy: `import paint_gym` (which loads this module for its error classes) must not load torch

    for name, tensor in named_tensors:
        if isinstance(tensor, torch.Tensor) and tensor.is_floating_point():
            bad = ~torch.isfinite(tensor.detach())
            if bool(bad.any()):
                return name, float(tensor.detach()[bad].flatten()[0])
    return None


def check_finite_tensors(
    named_tensors: Iterable[tuple[str, Any]],
    *,
    step: int,
    lr: float | Sequence[float],
    what: str,
    checkpoint: str | os.PathLike | None = None,
    trainer: str = "training",
) -> None:
    """Raise :class:`TrainingDivergedError` if any floating tensor holds NaN or inf (its name is
    put in the message after ``what`` unless ``what`` already says it)."""
    found = first_non_finite(named_tensors)
    if found is not None:
        name, value = found
        label = what if name.lower() in what.lower() else f"{what} ({name})"
        raise TrainingDivergedError(step=step, loss=value, lr=lr, what=label, checkpoint=checkpoint, trainer=trainer)


class DivergenceChecks:
    """A trainer's ``_check``: :func:`check_finite` for its next optimisation step, naming its
    learning rate, its last good checkpoint and ``trainer_name``. The trainer has ``step``,
    ``cfg.lr`` and ``checkpoint_path``."""

    trainer_name: str = "training"
    step: int
    cfg: Any
    checkpoint_path: str | os.PathLike | None

    def _check(self, value: Any, what: str = "loss", lr: float | None = None) -> float:
        """``value`` as a float, or :class:`TrainingDivergedError` naming the next step and ``lr``
        (default the config's ``lr``) if it is NaN or inf."""
        return check_finite(
            value,
            step=self.step + 1,
            lr=self.cfg.lr if lr is None else lr,
            what=what,
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )

    def _diverged(self, what: str, step: int | None = None) -> TrainingDivergedError:
        """The :class:`TrainingDivergedError` of ``what`` that came out NaN or inf (no loss to
        report), at ``step`` (default the trainer's ``step``), naming the config's ``lr``."""
        return TrainingDivergedError(
            step=self.step if step is None else step,
            loss=math.nan,
            lr=self.cfg.lr,
            what=what,
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )


__all__ = [
    "DivergenceChecks",
    "NonFiniteOutputError",
    "TrainingDivergedError",
    "check_finite",
    "check_finite_tensors",
    "finite_value",
    "first_non_finite",
]
