"""One image metric: every MSE the library, the benchmark and the agents report is canvas.mse's."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

import paint_gym  # noqa: F401  (registers the ids)
from paint_gym.benchmark.evaluation import blank_row, neural_mse, replay_mse
from paint_gym.canvas import (
    expected_mse,
    mse,
    mse_of_moments,
    mse_uint8,
    paint_differentiable,
    to_float,
    to_float_tensor,
)
from paint_gym.painters.load import load_painter, replay
from paint_gym_agents.backprop import pixel_loss

from .helpers import random_actions


def close_to_mse(value: object, reference: object) -> None:
    """float32 means of [0, 1] images agree with the exact one to ~1e-6 relative."""
    np.testing.assert_allclose(np.asarray(value, np.float64), np.asarray(reference, np.float64), rtol=2e-5, atol=1e-7)


@pytest.fixture
def images(rng) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8), rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)


def test_mse_is_one_number_for_numpy_torch_and_uint8(images):
    a, b = images
    reference = mse(to_float(a), to_float(b))
    assert reference.shape == (4,)
    close_to_mse(mse(to_float_tensor(a), to_float_tensor(b)).numpy(), reference)
    close_to_mse(mse_uint8(a, b), reference)
    assert mse_uint8(a[0], b[0]) == pytest.approx(float(mse_uint8(a, b)[0]), rel=1e-15)
    assert isinstance(mse_uint8(a[0], b[0]), float)
    with pytest.raises(ValueError, match="mse_uint8"):
        mse(a, b)  # uint8 differences would wrap around


def test_the_envs_l2_is_the_mse_of_what_they_show(rng):
    for env_id in ("MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"):
        env = gym.make(env_id)
        obs, info = env.reset(seed=1)
        assert info["l2"] == mse_uint8(obs["canvas"], obs["target"])
        for action in random_actions(rng, 3):
            obs, _, _, _, info = env.step(action)
            assert info["l2"] == mse_uint8(obs["canvas"], obs["target"])
            close_to_mse(info["l2"], mse(to_float(obs["canvas"]), to_float(obs["target"])))
        env.close()
    vec = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=3)
    obs, info = vec.reset(seed=2)
    obs, *_, info = vec.step(random_actions(rng, 3))
    np.testing.assert_array_equal(info["l2"], mse_uint8(obs["canvas"], obs["target"]))
    vec.close()


def test_the_benchmarks_scores_are_the_mse_of_the_replays(images, rng):
    _, targets = images
    actions = random_actions(rng, 4, 3)
    mypaint = load_painter("mypaint", 16)
    per_seed = [mse(to_float(replay(actions, mypaint, seed=s)), to_float(targets)) for s in (0, 1)]
    close_to_mse(replay_mse(actions, targets, seeds=(0, 1)), np.mean(per_seed, axis=0))
    neural = replay(actions, "gan", canvas_size=16)
    close_to_mse(neural_mse(actions, targets, "gan"), mse(to_float(neural), to_float(targets)))
    white = np.full_like(targets, 255)
    close_to_mse(blank_row(targets).mypaint, mse(to_float(white), to_float(targets)).mean())


def test_the_agents_pixel_losses_are_the_mse_and_its_expectation(rng):
    mean = torch.rand(2, 8, 8, 3)
    target = torch.rand(2, 8, 8, 3)
    torch.testing.assert_close(pixel_loss("mse", mean, mean**2, target), mse(mean, target))
    second = mean**2 + 0.01
    torch.testing.assert_close(pixel_loss("expected", mean, second, target), mse(mean, target) + 0.01)
    torch.testing.assert_close(mse_of_moments(mean, mean**2, target), mse(mean, target))


def test_expected_mse_without_brush_noise_is_the_mse_of_the_neural_canvas(rng):
    gan = load_painter("gan")

    class NoiselessPainter:  # the real GAN with its variance head set to zero
        canvas_size = gan.canvas_size

        def render_alpha(self, actions: torch.Tensor, return_var: bool = False):
            mean = gan.render_alpha(actions)
            return (mean, torch.zeros_like(mean)) if return_var else mean

    actions = torch.as_tensor(random_actions(rng, 2, 4))
    target = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        expected = expected_mse(actions, target, NoiselessPainter())
        torch.testing.assert_close(expected, mse(paint_differentiable(gan, actions), target), rtol=1e-5, atol=1e-6)
