"""The convolutional trunk of the agents that read the stacked canvas|target image.

One definition for every library: Stable-Baselines3's extractors
(:mod:`paint_gym_agents.sb3_extractors`) and RLlib's encoder (:mod:`paint_gym_agents.rllib`)
build their CNN with :func:`image_cnn`, so "the CNN the SB3 search chose" is the same network in
both. Needs only torch.
"""

from __future__ import annotations

from torch import nn

#: Smallest image SB3's NatureCNN reads (8x8 stride 4, 4x4 stride 2, 3x3: 36 px -> 1 px).
NATURE_CNN_MIN = 36


def image_cnn(channels: int, size: int) -> nn.Sequential:
    """The convolutional trunk for ``(channels, size, size)`` images, ending flattened: NatureCNN's
    (Mnih et al. 2015; 8x8/4, 4x4/2, 3x3/1 convolutions, 32-64-64 channels) from 36 px up, below
    that 3x3 convolutions (32, 64, 64 channels; strides 2, 2, 1; padded, so any size >= 1 px works)."""
    if size >= NATURE_CNN_MIN:
        layers = [nn.Conv2d(channels, 32, 8, stride=4), nn.ReLU(), nn.Conv2d(32, 64, 4, stride=2), nn.ReLU()]
        layers += [nn.Conv2d(64, 64, 3, stride=1), nn.ReLU()]
    else:
        layers = [nn.Conv2d(channels, 32, 3, stride=2, padding=1), nn.ReLU()]
        layers += [nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, stride=1, padding=1)]
        layers += [nn.ReLU()]
    return nn.Sequential(*layers, nn.Flatten())


__all__ = ["NATURE_CNN_MIN", "image_cnn"]
