"""Rewards and info["l2"] are the exact MSE at every canvas size, for every env and task.

The reference is float64 arithmetic on the observed uint8 images (exact for these sizes).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import paint_gym  # noqa: F401  (registers the ids)
from paint_gym.envs.task import TASKS

#: The reported stroke: black, full pressure, largest size, across the upper half.
BLACK_STROKE = np.array([1, 1, 1, -1, -1, -1, -0.5, 0, 0, 0, 0.5, 0], np.float32)


def reference_mse(canvas: np.ndarray, target: np.ndarray) -> float:
    return float(((canvas.astype(np.float64) - target.astype(np.float64)) ** 2).mean() / 255.0**2)


def check_episode(env: gym.Env, size: int, rng: np.random.Generator, steps: int = 3) -> None:
    obs, info = env.reset(seed=1)
    assert info["l2"] == pytest.approx(reference_mse(obs["canvas"], obs["target"]), rel=1e-12, abs=1e-15)
    for a in [BLACK_STROKE, *rng.uniform(-1, 1, (steps - 1, 12)).astype(np.float32)]:
        previous = info["l2"]
        obs, reward, _, _, info = env.step(a)
        l2 = reference_mse(obs["canvas"], obs["target"])
        assert info["l2"] == pytest.approx(l2, rel=1e-12, abs=1e-15)
        assert reward == pytest.approx(previous - l2, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("size", [128, 256])
def test_black_target_gives_l2_one_and_a_positive_reward_for_a_black_stroke(size):
    """The reported case: at 128 px the int32 sum gave l2 = -0.344 and a reward of -0.87."""
    env = gym.make("MyPaint-MNIST-v0", canvas_size=size)
    obs, info = env.reset(seed=0, options={"target": np.zeros((size, size, 3), np.uint8)})
    assert info["l2"] == 1.0
    obs, reward, *_, info = env.step(BLACK_STROKE)
    expected_l2 = reference_mse(obs["canvas"], obs["target"])
    assert info["l2"] == pytest.approx(expected_l2, rel=1e-12)
    assert reward == pytest.approx(1.0 - expected_l2, rel=1e-12)
    assert 0.1 < reward < 0.6  # the stroke covers a part of the canvas with black
    env.close()


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("size", [128, 256])
def test_mypaint_env_reports_the_exact_mse_at_large_sizes(task, size, rng):
    env = gym.make(f"MyPaint-{task}-v0", canvas_size=size)
    check_episode(env, size, rng)
    env.close()


@pytest.mark.parametrize("task, size", [(task, 128) for task in TASKS] + [("MNIST", 256)])
def test_neural_env_reports_the_exact_mse_at_large_sizes(task, size, rng):
    env = gym.make(f"NeuralPaint-{task}-v0", canvas_size=size)
    check_episode(env, size, rng)
    env.close()


def test_neural_vector_env_reports_the_exact_mse_at_large_sizes():
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, canvas_size=128)
    black = np.zeros((2, 128, 128, 3), np.uint8)
    obs, info = envs.reset(seed=0, options={"target": black})
    np.testing.assert_array_equal(info["l2"], [1.0, 1.0])
    obs, reward, *_, info = envs.step(np.stack([BLACK_STROKE, BLACK_STROKE]))
    expected = [reference_mse(c, t) for c, t in zip(obs["canvas"], obs["target"], strict=True)]
    np.testing.assert_allclose(info["l2"], expected, rtol=1e-12)
    np.testing.assert_allclose(reward, 1.0 - np.asarray(expected), rtol=1e-12)
    envs.close()
