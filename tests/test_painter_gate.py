"""Neural painters lay no paint where MyPaint lays none (zero pressure, points that coincide),
and short strokes stay within MyPaint's own seed-to-seed spread. Checked against real libmypaint."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym import actions as act
from paint_gym.canvas import expected_mse
from paint_gym.painters.gate import ink_gate
from paint_gym.painters.load import load_painter
from paint_gym.painters.mypaint import MyPaintPainter
from tests.helpers import random_actions

NEURAL = [("gan", 64), ("vae", 64), ("gan", 128)]


def zero_pressure(rng: np.random.Generator, n: int = 32) -> np.ndarray:
    a = random_actions(rng, n)
    a[:, act.START_PRESSURE] = a[:, act.END_PRESSURE] = -1.0
    return a


def short_strokes(rng: np.random.Generator, length_px: float, n: int = 48) -> np.ndarray:
    """Straight strokes of ``length_px`` on a 64 px canvas, centred away from the border."""
    a = random_actions(rng, n)
    centre = rng.uniform(-0.6, 0.6, (n, 2))
    direction = rng.normal(size=(n, 2))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    half = direction * (length_px / 2) / 32.0  # 64 px span 2 action units
    a[:, act.START_X : act.START_Y + 1] = centre - half
    a[:, act.CONTROL_X : act.CONTROL_Y + 1] = centre
    a[:, act.END_X : act.END_Y + 1] = centre + half
    return a.astype(np.float32)


def neural_alpha(name: str, size: int, actions: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return load_painter(name, canvas_size=size).render_alpha(torch.as_tensor(actions)).numpy()


@pytest.mark.parametrize(("name", "size"), NEURAL)
def test_zero_pressure_paints_nothing_as_in_mypaint(name: str, size: int, rng: np.random.Generator) -> None:
    a = zero_pressure(rng)
    assert MyPaintPainter(size, seed=0).render_alpha(a).max() == 0.0
    assert neural_alpha(name, size, a).max() <= 1e-3


@pytest.mark.parametrize(("name", "size"), NEURAL)
def test_coincident_points_paint_nothing_as_in_dry_brush(name: str, size: int, rng: np.random.Generator) -> None:
    a = short_strokes(rng, 0.0)
    assert MyPaintPainter(size, seed=0).render_alpha(a).max() == 0.0
    assert neural_alpha(name, size, a).max() <= 1e-3


@pytest.mark.parametrize("name", ["gan", "vae"])
@pytest.mark.parametrize("length_px", [0.5, 1.0, 2.0])
def test_short_strokes_are_within_mypaints_seed_to_seed_floor(
    name: str, length_px: float, rng: np.random.Generator
) -> None:
    a = short_strokes(rng, length_px)
    real = MyPaintPainter(64, seed=0)
    renders = []
    for seed in range(3):
        real.reseed(seed)
        renders.append(real.render_alpha(a))
    floor = np.mean([((renders[i] - renders[j]) ** 2).mean() for i, j in ((0, 1), (0, 2), (1, 2))])
    error = np.mean([((neural_alpha(name, 64, a) - r) ** 2).mean() for r in renders])
    assert error <= floor


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
def test_gradients_are_finite_at_the_box_corners_and_for_dots(name: str, rng: np.random.Generator) -> None:
    corners = np.array([[s * 1.0] * 12 for s in (-1, 1)], np.float32)
    a = np.concatenate([corners, short_strokes(rng, 0.0, n=4), zero_pressure(rng, n=4)])
    x = torch.as_tensor(a).requires_grad_(True)
    load_painter(name).render_alpha(x).sum().backward()
    assert torch.isfinite(x.grad).all()


@pytest.mark.parametrize("name", ["gan", "vae"])
def test_the_gated_forward_is_exactly_zero_at_the_limits(name: str, rng: np.random.Generator) -> None:
    """The gradient leak adds nothing forward: zero pressure and coincident points give 0.0 alpha
    and 0.0 variance, exactly, also for a tensor that requires grad."""
    a = torch.as_tensor(np.concatenate([zero_pressure(rng, 8), short_strokes(rng, 0.0, 8)])).requires_grad_(True)
    mean, var = load_painter(name).render_alpha(a, return_var=True)
    assert mean.max().item() == 0.0 and var.max().item() == 0.0


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
