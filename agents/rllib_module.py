"""paint-gym's RLModule parts for RLlib: the stacked canvas|target encoder and the catalog that uses it.

RLlib's default RLModules of PPO, APPO and IMPALA build their encoder from a Catalog;
:class:`PaintCatalog` gives them :class:`StackedCNNEncoder` for paint-gym's stacked observation
(uint8 ``(H, W, 6)``, canvas then target): the network the Stable-Baselines3 search chose
(:func:`paint_gym_agents.cnn.image_cnn`, then a linear layer and ReLU), reading uint8 and dividing
by 255 itself. Used by :func:`paint_gym_agents.rllib.algorithm_config`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import torch
from ray.rllib.algorithms.ppo.ppo_catalog import PPOCatalog
from ray.rllib.core.columns import Columns
from ray.rllib.core.models.base import ENCODER_OUT, Encoder, Model
from ray.rllib.core.models.configs import ModelConfig
from ray.rllib.core.models.torch.base import TorchModel
from torch import nn

from .cnn import image_cnn


@dataclass
class StackedCNNEncoderConfig(ModelConfig):
    """RLlib model config of :class:`StackedCNNEncoder`: ``input_dims`` ``(H, W, C)`` of the
    stacked observation, ``features`` the width of its output ``(B, features)``."""

    input_dims: tuple[int, ...] = (64, 64, 6)
    features: int = 512

    @property
    def output_dims(self) -> tuple[int]:
        return (self.features,)

    def build(self, framework: str = "torch") -> StackedCNNEncoder:
        if framework != "torch":
            raise ValueError(f"paint-gym's RLlib encoder is torch only; got framework={framework!r}")
        return StackedCNNEncoder(self)


class StackedCNNEncoder(TorchModel, Encoder):
    """Encoder of the stacked observation: ``{"obs": (B, H, W, C)}`` uint8 (or float on the same
    0-255 scale) -> ``{"encoder_out": (B, features)}`` float32. The image is divided by 255 here,
    so env runners ship uint8 (4x smaller batches) and nothing upstream must convert it; then
    :func:`paint_gym_agents.cnn.image_cnn` (NatureCNN from 36 px, 3x3 convolutions below), a
    linear layer and ReLU: the Stable-Baselines3 search's ``StackedCanvasExtractor``."""

    def __init__(self, config: StackedCNNEncoderConfig) -> None:
        TorchModel.__init__(self, config)
        Encoder.__init__(self, config)
        height, width, channels = config.input_dims
        cnn = image_cnn(channels, min(height, width))
        with torch.no_grad():
            n_flat = cnn(torch.zeros(1, channels, height, width)).shape[1]
        self.net = nn.Sequential(cnn, nn.Linear(n_flat, config.features), nn.ReLU())

    def _forward(self, inputs: dict, **kwargs: Any) -> dict:
        obs = inputs[Columns.OBS]
        x = obs.to(torch.float32).permute(0, 3, 1, 2) / 255.0
        return {ENCODER_OUT: self.net(x)}


def soft_upper_bound(x: torch.Tensor, bound: float) -> torch.Tensor:
    """``bound - softplus(bound - x)``: below ``bound`` everywhere, ``x`` itself well below it
    (within 0.007 at 5 under), and with a gradient that never vanishes (a hard clamp's is 0 above
    the bound, where a log std would then stay for good)."""
    return bound - nn.functional.softplus(bound - x)


class PaintCatalog(PPOCatalog):
    """PPO's catalog (also APPO's and IMPALA's default RLModules') with :class:`StackedCNNEncoder`
    for an image observation ``(H, W, C)``; any other space gets RLlib's own encoder. The
    encoder's width is ``model_config["features"]`` (default 512); the policy head's log-std
    outputs start at ``model_config["log_std_init"]`` (default 0, RLlib's) and stay below
    ``model_config["log_std_max"]`` (None: RLlib's own clamp at 20)."""

    def build_pi_head(self, framework: str) -> Model:
        """RLlib's policy head (mean and log std of each action field), its log-std biases set
        to ``log_std_init`` (RLlib's output layer starts near zero, so that is the initial log std)
        and its log-std outputs bounded by ``log_std_max`` (:func:`soft_upper_bound`), if given."""
        head = super().build_pi_head(framework)
        log_std_init = float(self._model_config_dict.get("log_std_init", 0.0))
        log_std_max = self._model_config_dict.get("log_std_max")
        last = [m for m in head.modules() if isinstance(m, nn.Linear)][-1]
        with torch.no_grad():
            last.bias[last.out_features // 2 :] = log_std_init
        if log_std_max is not None:
            half, bound = last.out_features // 2, float(log_std_max)
            last.register_forward_hook(
                lambda _module, _inputs, out: torch.cat([out[..., :half], soft_upper_bound(out[..., half:], bound)], -1)
            )
        return head

    @classmethod
    def _get_encoder_config(
        cls, observation_space: gym.Space, model_config_dict: dict, action_space: gym.Space | None = None
    ) -> ModelConfig:
        if isinstance(observation_space, gym.spaces.Box) and len(observation_space.shape) == 3:
            features = int(model_config_dict.get("features", 512))
            return StackedCNNEncoderConfig(input_dims=tuple(observation_space.shape), features=features)
        return super()._get_encoder_config(observation_space, model_config_dict, action_space)


__all__ = ["PaintCatalog", "StackedCNNEncoder", "StackedCNNEncoderConfig", "soft_upper_bound"]
