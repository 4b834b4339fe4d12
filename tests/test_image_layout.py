"""One image layout per library: numpy uint8 (B, H, W, 3), torch float (B, 3, H, W)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym.canvas import (
    expected_mse,
    paint_differentiable,
    to_float,
    to_float_tensor,
    to_uint8,
    to_uint8_array,
)
from paint_gym.envs.neural_env import NeuralPaintEnv
from paint_gym.painters.load import load_painter, replay
from paint_gym.param.canvas_grid import GridLayout, StrokeGrid

from .helpers import random_actions


@pytest.fixture(scope="module")
def gan() -> torch.nn.Module:
    return load_painter("gan")


def test_paint_differentiable_takes_and_returns_channels_first_canvases(gan, rng):
    actions = torch.as_tensor(random_actions(rng, 2, 3), dtype=torch.float32)
    painted = paint_differentiable(gan, actions)
    assert painted.shape == (2, 3, 64, 64)
    over = paint_differentiable(gan, actions[:, 2:], canvas=paint_differentiable(gan, actions[:, :2]))
    torch.testing.assert_close(over, painted)
    start = torch.rand(2, 3, 64, 64, requires_grad=True)
    assert paint_differentiable(gan, actions[:, :0], canvas=start).shape == (2, 3, 64, 64)
    paint_differentiable(gan, actions, canvas=start).sum().backward()
    assert start.grad is not None and start.grad.shape == (2, 3, 64, 64)
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        paint_differentiable(gan, actions, canvas=torch.rand(2, 64, 64, 3))


def test_the_torch_and_numpy_layouts_meet_only_in_the_conversions(gan, rng):
    actions = random_actions(rng, 3, 4)
    painted = paint_differentiable(gan, torch.as_tensor(actions))
    np.testing.assert_array_equal(to_uint8_array(painted), replay(actions, gan))
    env = NeuralPaintEnv("MNIST", painter=gan)
    torch.testing.assert_close(env.paint(actions), painted)
    target = replay(actions, "mypaint", seed=0)  # uint8 (B, H, W, 3), an observation's layout
    strokes = torch.as_tensor(actions)
    torch.testing.assert_close(expected_mse(strokes, target, gan), expected_mse(strokes, to_float_tensor(target), gan))


def test_conversions_round_trip_and_match_the_numpy_ones_exactly(rng):
    images = rng.integers(0, 256, (2, 5, 7, 3), dtype=np.uint8)
    as_tensor = to_float_tensor(images)
    assert as_tensor.shape == (2, 3, 5, 7) and as_tensor.dtype == torch.float32
    np.testing.assert_array_equal(as_tensor.permute(0, 2, 3, 1).numpy(), to_float(images))
    np.testing.assert_array_equal(to_uint8_array(as_tensor), images)
    np.testing.assert_array_equal(to_uint8(to_float(images)), images)
    halves = np.arange(256) / 255 + 0.5 / 255  # the rounding ties
    floats = np.concatenate([rng.uniform(-0.5, 1.5, 4000), halves, [0.0, 1.0]]).astype(np.float32)
    canvas = floats[: len(floats) // 3 * 3].reshape(1, -1, 1, 3)
    np.testing.assert_array_equal(to_uint8_array(torch.from_numpy(canvas).permute(0, 3, 1, 2)), to_uint8(canvas))
    assert to_float_tensor(images[0]).shape == (3, 5, 7)
    with pytest.raises(ValueError, match="uint8"):
        to_float_tensor(images.astype(np.float32))
    with pytest.raises(ValueError, match=r"\(\.\.\., 3, H, W\)"):
        to_uint8_array(torch.rand(2, 5, 7, 4))


def test_the_stroke_grid_paints_and_stitches_channels_first():
    grid = StrokeGrid(96, 2, seed=0)
    with torch.no_grad():
        canvases = grid.paint_canvases()
        image = grid()
    assert canvases.shape == (1, grid.layout.count, 3, 64, 64) and image.shape == (1, 3, 96, 96)
    torch.testing.assert_close(grid.layout.stitch(canvases), image)
    np.testing.assert_array_equal(grid.image_uint8(), to_uint8_array(image))
    with pytest.raises(ValueError, match=r"3, 64, 64\)"):
        GridLayout(96).stitch(canvases.permute(0, 1, 3, 4, 2))
