"""Divergence of a Stable-Baselines3 model: named at the first NaN or inf, never checkpointed.

:class:`DivergenceGuard` watches the policy's output layers (forward hooks), SB3's logged
training losses and the parameters; :class:`DivergenceCallback` runs its check after every
update. While training a failure is :class:`paint_gym.errors.TrainingDivergedError` (step,
value, learning rate, the last good checkpoint), otherwise
:class:`paint_gym.errors.NonFiniteOutputError`. Used by :mod:`paint_gym_agents.sb3`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback

from paint_gym.errors import NonFiniteOutputError, TrainingDivergedError, check_finite_tensors

if TYPE_CHECKING:
    from .sb3 import SB3Config


class DivergenceGuard:
    """Stops an SB3 model at the first NaN or inf in its outputs, losses or parameters.

    As a context manager it puts forward hooks on the policy's output layers (PPO:
    ``action_net``, ``value_net``; SAC: ``actor.mu``, ``actor.log_std`` and the critics'
    Q-networks), which run before SB3 builds a distribution from them, so a diverged policy is
    named here instead of failing inside ``torch.distributions`` (or painting NaN strokes).
    :meth:`check` reads SB3's logged training losses and the parameters. While ``training``, a
    failure raises :class:`paint_gym.errors.TrainingDivergedError` (step = environment steps so
    far, the value, the learning rate, the last good checkpoint); otherwise
    :class:`paint_gym.errors.NonFiniteOutputError`.
    """

    LAYERS = ("action_net", "value_net", "actor.mu", "actor.log_std", "critic.q_networks")

    def __init__(
        self, model: Any, config: SB3Config, checkpoint: str | os.PathLike | None = None, training: bool = True
    ) -> None:
        self.model, self.config, self.checkpoint, self.training = model, config, checkpoint, training
        self._handles: list[Any] = []

    def _layers(self) -> list[tuple[str, torch.nn.Module]]:
        found = []
        for dotted in self.LAYERS:
            obj: Any = self.model.policy
            for part in dotted.split("."):
                obj = getattr(obj, part, None)
            if isinstance(obj, torch.nn.ModuleList):
                found += [(f"{dotted}[{i}]", m) for i, m in enumerate(obj)]
            elif isinstance(obj, torch.nn.Module):
                found.append((dotted, obj))
        return found

    def fail(self, what: str, value: float) -> None:
        if self.training:
            raise TrainingDivergedError(
                step=int(self.model.num_timesteps),
                loss=value,
                lr=self.config.lr,
                what=what,
                checkpoint=self.checkpoint,
                trainer=f"SB3 {self.config.algo.upper()} training (steps are environment steps)",
            )
        raise NonFiniteOutputError(
            f"the SB3 {self.config.algo.upper()} policy's {what} is {value}: its weights are not finite or overflow "
            "(a diverged training run?); load a checkpoint from before the divergence"
        )

    def __enter__(self) -> DivergenceGuard:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        for name, module in self._layers():

            def hook(_module: Any, _inputs: Any, output: Any, name: str = name) -> None:
                if isinstance(output, torch.Tensor) and not bool(torch.isfinite(output).all()):
                    self.fail(f"{name} output", float(output.detach()[~torch.isfinite(output.detach())].flatten()[0]))

            self._handles.append(module.register_forward_hook(hook))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def check(self) -> None:
        """Check SB3's last logged training losses (``train/*loss*``, ``train/std``,
        ``train/ent_coef``) and every parameter (and SAC's entropy coefficient)."""
        logger = getattr(self.model, "_logger", None)  # set up by learn(); absent before the first call
        for key, value in dict(getattr(logger, "name_to_value", {})).items():
            watched = key.startswith("train/") and ("loss" in key or key in ("train/std", "train/ent_coef"))
            if watched and isinstance(value, (int, float, np.floating)) and not np.isfinite(value):
                self.fail(key, float(value))
        named = list(self.model.policy.state_dict().items())
        if getattr(self.model, "log_ent_coef", None) is not None:
            named.append(("log_ent_coef", self.model.log_ent_coef))
        try:
            check_finite_tensors(
                named,
                step=int(self.model.num_timesteps),
                lr=self.config.lr,
                what="policy's parameters",
                checkpoint=self.checkpoint,
                trainer=f"SB3 {self.config.algo.upper()} training (steps are environment steps)",
            )
        except TrainingDivergedError as exc:
            if self.training:
                raise
            self.fail(exc.what, exc.loss)


class DivergenceCallback(BaseCallback):
    """Runs :meth:`DivergenceGuard.check` after every update (at each rollout's start)."""

    def __init__(self, guard: DivergenceGuard) -> None:
        super().__init__()
        self.guard = guard

    def _on_rollout_start(self) -> None:
        self.guard.check()

    def _on_step(self) -> bool:
        return True


__all__ = ["DivergenceCallback", "DivergenceGuard"]
