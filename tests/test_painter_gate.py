"""The ink gate of the VAE and GAN: exactly no paint where MyPaint lays none (zero pressure,
points that coincide), ordinary strokes left alone, and a gradient leak that revives dead strokes.

What the gate buys - zero pressure and coincident points paint nothing, short strokes stay within
MyPaint's seed-to-seed spread, finite gradients at the box's bounds - is the contract every painter
passes, checked against real libmypaint in ``test_painter_contract.py``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym import actions as act
from paint_gym.canvas import expected_mse
from paint_gym.painters.gate import ink_gate
from paint_gym.painters.load import load_painter
from tests.helpers import random_actions
from tests.test_painter_contract import short_strokes, zero_pressure


def test_gate_leaves_ordinary_strokes_alone(rng: np.random.Generator) -> None:
    gate = ink_gate(torch.as_tensor(random_actions(rng, 2000)))
    assert float(gate.mean()) > 0.97
    assert float(torch.quantile(gate, 0.05)) > 0.9


def test_gate_is_exactly_zero_at_the_limits_and_one_for_long_firm_strokes() -> None:
    long_firm = torch.tensor([[1, 1, -1, 0, 0, 0, -0.8, 0, 0, 0, 0.8, 0]], dtype=torch.float32)
    no_pressure = long_firm.clone()
    no_pressure[0, act.PRESSURE] = -1
    dot = long_firm.clone()
    dot[0, act.START_X :] = 0.3
    gate = ink_gate(torch.cat([long_firm, no_pressure, dot]))
    assert gate[0] == pytest.approx(1.0, abs=1e-6)
    assert gate[1] == 0.0 and gate[2] == 0.0


@pytest.mark.parametrize("name", ["gan", "vae"])
def test_the_gated_forward_is_exactly_zero_at_the_limits(name: str, rng: np.random.Generator) -> None:
    """The gradient leak adds nothing forward: zero pressure and coincident points give 0.0 alpha,
    0.0 variance and 0.0 samples, exactly, also for a tensor that requires grad."""
    a = torch.as_tensor(np.concatenate([zero_pressure(rng, 8), short_strokes(rng, 0.0, n=8)])).requires_grad_(True)
    painter = load_painter(name)
    mean, var = painter.render_alpha(a, return_var=True)
    assert mean.max().item() == 0.0 and var.max().item() == 0.0
    sample = painter.sample(a, torch.Generator().manual_seed(0))  # mean + sqrt(var) * noise: 0 where var is
    assert sample.max().item() == 0.0
    sample.sum().backward()
    assert torch.isfinite(a.grad).all()


@pytest.mark.parametrize("name", ["gan", "vae"])
def test_zero_initialised_strokes_get_a_gradient_and_move_under_adam(name: str) -> None:
    """``torch.zeros`` strokes (all points at the centre: the gate and its own gradient are 0)
    receive the straight-through leak, so a few Adam steps separate their points and lower the
    expected MSE against a black target."""
    painter = load_painter(name)
    x = torch.zeros(2, 3, 12, requires_grad=True)
    target = torch.zeros(2, 3, 64, 64)
    loss = expected_mse(x, target, painter).sum()
    loss.backward()
    assert x.grad.abs().sum() > 0
    opt = torch.optim.Adam([x], lr=0.05)
    losses = []
    for _ in range(6):
        loss = expected_mse(x, target, painter).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.02
    with torch.no_grad():
        assert (ink_gate(x.reshape(-1, 12)) > 0).all()  # no stroke is left with coincident points
