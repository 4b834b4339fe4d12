"""The backprop agent's network: a conv encoder and an LSTM over strokes, painting through a painter.

:class:`BackpropPolicy` paints a whole sequence of strokes through a differentiable painter
(the canvas's mean and second moment over brush seeds travel with it), so a loss on the final
canvas trains it by backpropagation. The agent and its trainer are in
:mod:`paint_gym_agents.backprop`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from paint_gym.actions import ACTION_DIM, colors_of
from paint_gym.canvas import background_rgb, composite_moments
from paint_gym.painters.base import DifferentiablePainter

if TYPE_CHECKING:
    from .backprop_config import BackpropConfig


class BackpropPolicy(nn.Module):
    """Conv encoder of (target, canvas, x/y coordinates) + LSTM over strokes -> 12-d strokes.

    ``forward(target, painter, strokes)`` paints the whole sequence through ``painter`` and
    returns the actions ``(B, T, 12)`` with the canvas's mean and second moment over brush
    seeds (channels last, ``(B, H, W, 3)``); :meth:`paint_step` is one stroke of it (what
    :meth:`BackpropAgent.act` runs). Coordinate channels (CoordConv) make regressing stroke
    positions from a convolutional code easy.

    The encoder's first convolution is linear in its 8 input channels, so
    ``conv([target, canvas, xy]) = conv_t(target) + conv_xy(xy) + bias + conv_c(canvas)``: the
    first three terms are the same at every stroke of a painting, so :meth:`encode_target`
    computes them once per image and each stroke convolves only its canvas (3 channels). The
    weights are those of one convolution of the concatenation (checkpoints are unchanged) and
    the strokes equal its strokes up to float rounding.
    """

    def __init__(self, canvas_size: int = 64, width: int = 32, hidden: int = 256, background: str = "white") -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c, c2, size = 8, max(width // 2, 8), canvas_size
        while size > 4:  # halve the resolution, double the channels (capped at 4 * width)
            layers += [nn.Conv2d(c, c2, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c, c2, size = c2, min(2 * c2, 4 * width), size // 2
        self.encoder = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * size * size, hidden), nn.LeakyReLU(0.2))
        self.lstm = nn.LSTMCell(hidden + ACTION_DIM, hidden)
        self.head = nn.Linear(hidden, ACTION_DIM)  # default init: strokes depend on the input from the start
        ramp = torch.linspace(-1, 1, canvas_size)
        self.register_buffer("coords", torch.stack(torch.meshgrid(ramp, ramp, indexing="xy"))[None], persistent=False)
        self.register_buffer(
            "background", torch.tensor(background_rgb(background), dtype=torch.float32), persistent=False
        )
        self.canvas_size = canvas_size
        self.hidden = hidden

    @classmethod
    def from_config(cls, config: BackpropConfig) -> BackpropPolicy:
        return cls(config.canvas_size, config.width, config.hidden, config.background)

    def initial_state(self, batch: int) -> tuple[torch.Tensor, ...]:
        """(h, c, previous action, canvas mean, canvas second moment) before the first stroke."""
        z = self.head.weight.new_zeros
        bg = self.background.expand(batch, self.canvas_size, self.canvas_size, 3)
        return z(batch, self.hidden), z(batch, self.hidden), z(batch, ACTION_DIM), bg, bg**2

    def _first_conv(self, x: torch.Tensor, channels: slice, bias: bool = False) -> torch.Tensor:
        """The encoder's first convolution of ``x`` in [0, 1] over its input ``channels`` alone."""
        conv = self.encoder[0]
        b = conv.bias if bias else None
        return nn.functional.conv2d(x * 2 - 1, conv.weight[:, channels], b, conv.stride, conv.padding)

    def encode_target(self, target: torch.Tensor) -> torch.Tensor:
        """What the first convolution makes of ``target`` ``(B, 3, H, W)`` and the coordinates
        (with its bias): ``(B, C, H/2, W/2)``, computed once per painting, reused at every stroke."""
        return self._first_conv(target, slice(0, 3)) + self._first_conv(self.coords, slice(6, 8), bias=True)

    def step(
        self, features: torch.Tensor, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """One stroke from the target's ``features`` (:meth:`encode_target`) and the state;
        returns it and the new (h, c)."""
        h, c, prev, mean, _ = state
        x = features + self._first_conv(mean.permute(0, 3, 1, 2), slice(3, 6))
        for layer in self.encoder[1:]:
            x = layer(x)
        h, c = self.lstm(torch.cat([x, prev], dim=1), (h, c))
        return torch.tanh(self.head(h)), (h, c)

    def paint_step(
        self, features: torch.Tensor, painter: DifferentiablePainter, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """One stroke ``(B, 12)`` painted through ``painter`` (``features``: :meth:`encode_target`
        of the targets); returns it and the next state."""
        action, (h, c) = self.step(features, state)
        alpha, var = painter.render_alpha(action, return_var=True)
        mean, second = composite_moments(state[3], state[4], alpha, var, colors_of(action))
        return action, (h, c, action, mean, second)

    def forward(
        self, target: torch.Tensor, painter: DifferentiablePainter, strokes: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self.encode_target(target)
        state = self.initial_state(len(target))
        actions = []
        for _ in range(strokes):
            action, state = self.paint_step(features, painter, state)
            actions.append(action)
        return torch.stack(actions, dim=1), state[3], state[4]


__all__ = ["BackpropPolicy"]
