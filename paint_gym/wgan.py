"""WGAN-GP's gradient penalty, the one the library's critics share.

The GAN painter's critic (:class:`paint_gym.painters.train.Critic`, on (stroke, action) pairs)
and the adversarial agents' pair critic (``paint_gym_agents.discriminator.PairCritic``, on
(canvas, target) pairs) both regularise with it (Gulrajani et al., 2017, "Improved Training of
Wasserstein GANs"; their lambda is ``gp_lambda``, 10 by default).
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def gradient_penalty(
    critic: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    condition: torch.Tensor,
) -> torch.Tensor:
    """WGAN-GP's term ``(||grad_x D(x, condition)|| - 1)^2`` at one random interpolation point
    ``x = eps real + (1 - eps) fake`` per sample (each sample draws its own ``eps`` in [0, 1)),
    averaged over the batch: a scalar tensor that keeps its graph (``create_graph``).

    ``real`` and ``fake``: ``(B, ...)`` of one shape (strokes ``(B, H, W)``, canvases
    ``(B, 3, H, W)``); ``condition``: what the critic is conditioned on (the actions' geometry,
    the target), passed through unchanged; ``critic(x, condition)`` returns ``(B,)`` scores.
    """
    eps = torch.rand((real.shape[0],) + (1,) * (real.ndim - 1), device=real.device)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad = torch.autograd.grad(critic(mixed, condition).sum(), mixed, create_graph=True)[0]
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


__all__ = ["gradient_penalty"]
