"""Stable-Baselines3 features extractors for the ``{"canvas", "target"}`` observation.

:class:`StackedCanvasExtractor` reads canvas and target stacked as 6 channels with one CNN (the
default: the first convolution can subtract them pixel by pixel); :class:`SmallCanvasExtractor`
is SB3's one-CNN-per-image on canvases too small for NatureCNN (< :data:`NATURE_CNN_MIN` px).
:func:`image_cnn` (:mod:`paint_gym_agents.cnn`, shared with RLlib's encoder) is the
convolutional trunk of both. Chosen by
:func:`paint_gym_agents.sb3.policy_kwargs`. Needs Stable-Baselines3 (the ``rl`` extra).
"""

from __future__ import annotations

import torch
from gymnasium import spaces
from stable_baselines3.common.preprocessing import get_flattened_obs_dim, is_image_space
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from .cnn import NATURE_CNN_MIN, image_cnn


def _with_head(cnn: nn.Sequential, shape: tuple[int, ...], features: int) -> tuple[nn.Sequential, int]:
    with torch.no_grad():
        n_flat = cnn(torch.zeros(1, *shape)).shape[1]
    return nn.Sequential(cnn, nn.Linear(n_flat, features), nn.ReLU()), features


class SmallCanvasExtractor(BaseFeaturesExtractor):
    """SB3 features extractor for the ``{"canvas", "target"}`` observation on canvases too small
    for NatureCNN (< 36 px): per image ``(C, H, W)``, :func:`image_cnn`'s 3x3 convolutions and a
    linear layer to ``cnn_output_dim`` features, concatenated as SB3's ``CombinedExtractor``
    does with NatureCNN (``extractor="separate"`` below 36 px)."""

    def __init__(self, observation_space: spaces.Dict, cnn_output_dim: int = 256) -> None:
        super().__init__(observation_space, features_dim=1)
        extractors: dict[str, nn.Module] = {}
        total = 0
        for key, sub in observation_space.spaces.items():
            if is_image_space(sub):
                extractors[key], n = _with_head(image_cnn(sub.shape[0], min(sub.shape[1:])), sub.shape, cnn_output_dim)
            else:
                extractors[key], n = nn.Flatten(), get_flattened_obs_dim(sub)
            total += n
        self.extractors = nn.ModuleDict(extractors)
        self._features_dim = total

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.cat([extractor(observations[key]) for key, extractor in self.extractors.items()], dim=1)


class StackedCanvasExtractor(BaseFeaturesExtractor):
    """SB3 features extractor that reads all image keys of a Dict observation (``canvas`` and
    ``target``: ``(3, H, W)`` each after SB3's transpose, scaled to [0, 1]) *stacked* along the
    channels, ``(6, H, W)``, with one :func:`image_cnn` and a linear layer to ``features_dim``
    features; other keys are flattened and appended.

    Why: what a stroke should do depends on where canvas and target differ; with one CNN per
    image (SB3's ``CombinedExtractor``) that difference can only be formed after each image is
    flattened to 256 features, while stacked channels let the first convolution subtract them
    pixel by pixel (as SPIRAL's and the backprop agent's encoders do). Images of one size only.
    """

    def __init__(self, observation_space: spaces.Dict, features_dim: int = 512) -> None:
        super().__init__(observation_space, features_dim=1)
        self.image_keys = [k for k, sub in observation_space.spaces.items() if is_image_space(sub)]
        self.other_keys = [k for k in observation_space.spaces if k not in self.image_keys]
        if not self.image_keys:
            raise ValueError("StackedCanvasExtractor needs at least one image in the observation")
        shapes = {observation_space.spaces[k].shape[1:] for k in self.image_keys}
        if len(shapes) != 1:
            raise ValueError(f"StackedCanvasExtractor stacks images of one size; got sizes {sorted(shapes)}")
        (hw,) = shapes
        channels = sum(observation_space.spaces[k].shape[0] for k in self.image_keys)
        self.cnn, n = _with_head(image_cnn(channels, min(hw)), (channels, *hw), features_dim)
        self._features_dim = n + sum(get_flattened_obs_dim(observation_space.spaces[k]) for k in self.other_keys)

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        stacked = torch.cat([observations[k] for k in self.image_keys], dim=1)
        others = [observations[k].flatten(1) for k in self.other_keys]
        return torch.cat([self.cnn(stacked), *others], dim=1)


__all__ = ["NATURE_CNN_MIN", "SmallCanvasExtractor", "StackedCanvasExtractor", "image_cnn"]
