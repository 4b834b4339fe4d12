"""The conditional WGAN-GP critic of the adversarial agents: it scores (canvas, target) pairs.

A real pair is (target, target): the painting the agent should have made. A fake pair is
(canvas, target). Conditioning on the target makes the critic judge *this* reconstruction, not
whether the canvas looks like any digit or face. No BatchNorm (the gradient penalty is per
sample, and batch statistics would couple samples); LeakyReLU and strided convolutions only.
"""

from __future__ import annotations

import torch
from torch import nn

from paint_gym.wgan import gradient_penalty


class PairCritic(nn.Module):
    """``critic(canvas, target)`` -> ``(B,)`` scores; both ``(B, 3, H, W)`` in [0, 1]."""

    def __init__(self, canvas_size: int = 64, width: int = 32) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c, size = 6, canvas_size
        while size > 4:
            c2 = min(width * 2 ** len(layers[::2]), 8 * width)
            layers += [nn.Conv2d(c, c2, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c, size = c2, size // 2
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c * size * size, 1)

    def forward(self, canvas: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        x = torch.cat([canvas, target], dim=1) * 2 - 1
        return self.head(self.features(x).flatten(1)).squeeze(1)


def critic_loss(
    critic: PairCritic, canvas: torch.Tensor, target: torch.Tensor, gp_lambda: float = 10.0
) -> tuple[torch.Tensor, float]:
    """The critic's WGAN-GP loss on a batch (``canvas`` is detached here) and its Wasserstein
    estimate ``D(real) - D(fake)`` (a number to log: it falls as the agent improves)."""
    fake = canvas.detach()
    d_real, d_fake = critic(target, target), critic(fake, target)
    wasserstein = d_real.mean() - d_fake.mean()
    loss = -wasserstein + gp_lambda * gradient_penalty(critic, target, fake, target)
    return loss, float(wasserstein.detach())
