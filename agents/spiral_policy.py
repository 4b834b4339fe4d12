"""The SPIRAL-style agent's network: a recurrent actor-critic over strokes.

:class:`SpiralPolicy` encodes (target, canvas, x/y coordinates) with a small CNN, runs an LSTM
over the strokes (with the previous stroke and the episode's clock as inputs) and outputs the
next stroke's distribution (:class:`DiagGaussian` over the 12 continuous fields, or
:class:`MultiCategorical` over :class:`paint_gym.DiscreteActions`' choices) and the value.
The agent and its trainer are in :mod:`paint_gym_agents.spiral`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical, Normal

from paint_gym.actions import ACTION_DIM, DiscreteActions

if TYPE_CHECKING:
    from .spiral_config import SpiralConfig


class DiagGaussian:
    """Continuous strokes: independent Normals over the 12 fields (the env clips to [-1, 1]).

    ``raw`` is the policy's output the distribution was built from (checked for NaN by the
    trainer and the agent, which name the cause, rather than by torch's argument validation).
    """

    def __init__(self, mean: torch.Tensor, log_std: torch.Tensor) -> None:
        self.raw = mean
        self.normal = Normal(mean, log_std.exp().expand_as(mean), validate_args=False)

    def sample(self) -> torch.Tensor:
        return self.normal.sample()

    def mode(self) -> torch.Tensor:
        return self.normal.mean

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        return self.normal.log_prob(x).sum(-1)

    def entropy(self) -> torch.Tensor:
        return self.normal.entropy().sum(-1)


class MultiCategorical:
    """Discrete strokes: one categorical per field of :class:`paint_gym.DiscreteActions`."""

    def __init__(self, logits: torch.Tensor, nvec: list[int]) -> None:
        self.raw = logits
        self.cats = [Categorical(logits=chunk, validate_args=False) for chunk in logits.split(nvec, dim=-1)]

    def sample(self) -> torch.Tensor:
        return torch.stack([c.sample() for c in self.cats], dim=-1)

    def mode(self) -> torch.Tensor:
        return torch.stack([c.probs.argmax(-1) for c in self.cats], dim=-1)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        return sum(c.log_prob(x[..., i]) for i, c in enumerate(self.cats))

    def entropy(self) -> torch.Tensor:
        return sum(c.entropy() for c in self.cats)


def obs_images(canvas: np.ndarray, target: np.ndarray) -> torch.Tensor:
    """uint8 canvases and targets ``(B, H, W, 3)`` -> the policy's uint8 input ``(B, 6, H, W)``."""
    return torch.from_numpy(np.concatenate([target, canvas], axis=-1)).permute(0, 3, 1, 2).contiguous()


class SpiralPolicy(nn.Module):
    """Conv encoder of (target, canvas, x/y) + LSTM over strokes -> stroke distribution and value.

    ``step(images uint8 (B, 6, H, W), previous stroke (B, 12), t, state)`` returns the
    distribution of the next stroke, the value ``(B,)`` and the new LSTM state.
    """

    def __init__(
        self,
        canvas_size: int = 64,
        width: int = 16,
        hidden: int = 128,
        action_mode: str = "continuous",
        strokes: int = 8,
        init_log_std: float = -0.5,
        bounded_mean: bool = True,
    ) -> None:
        super().__init__()
        self.bounded_mean = bounded_mean
        layers: list[nn.Module] = []
        c, c2, size = 8, width, canvas_size
        while size > 4:  # halve the resolution, double the channels (capped at 2 * width)
            layers += [nn.Conv2d(c, c2, 4, stride=2, padding=1), nn.ReLU()]
            c, c2, size = c2, min(2 * c2, 2 * width), size // 2
        self.encoder = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * size * size, hidden), nn.ReLU())
        self.lstm = nn.LSTMCell(hidden + ACTION_DIM + 1, hidden)
        self.action_mode = action_mode
        self.strokes = strokes
        self.nvec = [int(n) for n in DiscreteActions().nvec]
        if action_mode == "continuous":
            self.head = nn.Linear(hidden, ACTION_DIM)
            self.log_std = nn.Parameter(torch.full((ACTION_DIM,), float(init_log_std)))
        else:
            self.head = nn.Linear(hidden, sum(self.nvec))
        nn.init.normal_(self.head.weight, std=0.01)  # near-uniform choices / centred strokes at the start
        nn.init.zeros_(self.head.bias)
        self.value = nn.Linear(hidden, 1)
        ramp = torch.linspace(-1, 1, canvas_size)
        self.register_buffer("coords", torch.stack(torch.meshgrid(ramp, ramp, indexing="xy"))[None], persistent=False)
        self.hidden = hidden

    @classmethod
    def from_config(cls, config: SpiralConfig) -> SpiralPolicy:
        return cls(
            config.canvas_size,
            config.width,
            config.hidden,
            config.action_mode,
            config.strokes,
            config.log_std_init,
            config.bounded_mean,
        )

    def initial_state(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.value.weight.new_zeros(batch, self.hidden)
        return z, z.clone()

    def step(
        self, images: torch.Tensor, prev: torch.Tensor, t: int, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[DiagGaussian | MultiCategorical, torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        x = torch.cat([images.float() / 255, self.coords.expand(len(images), -1, -1, -1)], dim=1) * 2 - 1
        clock = prev.new_full((len(images), 1), t / self.strokes)
        h, c = self.lstm(torch.cat([self.encoder(x), prev, clock], dim=1), state)
        out = self.head(h)
        if self.action_mode == "continuous" and self.bounded_mean:
            out = torch.tanh(out)
        dist = DiagGaussian(out, self.log_std) if self.action_mode == "continuous" else MultiCategorical(out, self.nvec)
        return dist, self.value(h).squeeze(1), (h, c)

    def evaluate_sequence(
        self, images: torch.Tensor, prev: torch.Tensor, raw: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Log-probabilities, entropies and values ``(T, B)`` of recorded episodes
        (``images`` ``(T, B, 6, H, W)``, ``prev`` ``(T, B, 12)``, ``raw`` the sampled outputs)."""
        state = self.initial_state(images.shape[1])
        logp, ent, values = [], [], []
        for t in range(images.shape[0]):
            dist, value, state = self.step(images[t], prev[t], t, state)
            logp.append(dist.log_prob(raw[t]))
            ent.append(dist.entropy())
            values.append(value)
        return torch.stack(logp), torch.stack(ent), torch.stack(values)


__all__ = ["DiagGaussian", "MultiCategorical", "SpiralPolicy", "obs_images"]
