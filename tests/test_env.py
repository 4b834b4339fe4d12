"""MyPaintEnv: registration, checkers, episodes, rewards, seeding, bad input, vector envs."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import paint_gym
from paint_gym.envs import MyPaintEnv
from paint_gym.envs.task import TASKS

from .helpers import random_actions


@pytest.fixture
def env():
    e = MyPaintEnv("MNIST", render_mode="rgb_array")
    yield e
    e.close()


@pytest.mark.parametrize("task", list(TASKS))
def test_every_task_id_is_registered_and_plays(task):
    env = gym.make(f"MyPaint-{task}-v0")
    obs, _ = env.reset(seed=0)
    assert obs["canvas"].shape == obs["target"].shape == (64, 64, 3)
    assert obs["canvas"].dtype == np.uint8 and (obs["canvas"] == 255).all()
    obs, reward, _, truncated, _ = env.step(env.action_space.sample())
    assert isinstance(reward, float) and not truncated
    assert env.unwrapped.episode_length == TASKS[task].episode_length
    env.close()


def test_unversioned_id_resolves_to_v0():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gymnasium says which version it picked
        env = gym.make("MyPaint-MNIST")
    assert env.spec.id == "MyPaint-MNIST-v0"
    env.close()


def test_passes_gymnasium_and_sb3_env_checkers_without_warnings():
    from gymnasium.utils.env_checker import check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    for mode in ("continuous", "discrete"):
        env = gym.make("MyPaint-MNIST-v0", render_mode="rgb_array", action_mode=mode).unwrapped
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(env)
            sb3_check_env(env, warn=True)
        env.close()


def test_strokes_change_the_canvas_and_episode_terminates_after_t_steps(env, rng):
    obs, _ = env.reset(seed=3)
    for t in range(1, 9):
        obs, _, terminated, truncated, info = env.step(random_actions(rng))
        assert info["step"] == t and terminated == (t == 8) and not truncated
    assert (obs["canvas"] < 250).mean() > 0.01
    with pytest.raises(RuntimeError, match="reset"):
        env.step(random_actions(rng))


def test_step_before_reset_is_an_error(rng):
    env = MyPaintEnv("Strokes")
    with pytest.raises(RuntimeError, match="reset"):
        env.step(random_actions(rng))


def test_same_seed_and_actions_give_identical_pixels(rng):
    acts = random_actions(rng, 8)
    runs = []
    for _ in range(2):
        env = MyPaintEnv("CelebA", episode_length=8)
        obs, _ = env.reset(seed=11)
        for a in acts:
            obs, *_ = env.step(a)
        runs.append(obs)
        env.close()
    np.testing.assert_array_equal(runs[0]["canvas"], runs[1]["canvas"])
    np.testing.assert_array_equal(runs[0]["target"], runs[1]["target"])


def test_dense_rewards_sum_to_the_total_l2_improvement(env, rng):
    _, info = env.reset(seed=0)
    start, total = info["l2"], 0.0
    for a in random_actions(rng, 8):
        _, reward, _, _, info = env.step(a)
        total += reward
    assert total == pytest.approx(start - info["l2"], abs=1e-9)
    assert info["l2"] == pytest.approx(paint_gym.canvas.mse_uint8(env._canvas, env._target))


def test_final_none_and_callable_rewards(rng):
    acts = random_actions(rng, 8)
    final = MyPaintEnv("MNIST", reward="final")
    final.reset(seed=0)
    rewards = [final.step(a)[1] for a in acts]
    assert rewards[:-1] == [0.0] * 7 and rewards[-1] < 0
    none = MyPaintEnv("MNIST", reward="none")
    none.reset(seed=0)
    assert all(none.step(a)[1] == 0.0 for a in acts)
    calls = []
    custom = MyPaintEnv("MNIST", reward=lambda canvas, target, done: calls.append(done) or float(canvas.mean()))
    custom.reset(seed=0)
    assert custom.step(acts[0])[1] > 0 and calls == [False]
    with pytest.raises(ValueError, match="reward"):
        MyPaintEnv("MNIST", reward="sparse")


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.full(12, np.nan, np.float32), "NaN"),
        (np.full(12, np.inf, np.float32), "inf"),
        (np.zeros(11, np.float32), "shape"),
        (np.zeros((2, 12), np.float32), "shape"),
        (np.array(["x"] * 12), "real numbers"),
        ("paint!", "real numbers"),
    ],
)
def test_bad_actions_raise_and_leave_the_episode_unchanged(env, rng, bad, match):
    env.reset(seed=0)
    env.step(random_actions(rng))
    before = env._canvas.copy(), env._steps, env._l2
    with pytest.raises(ValueError, match=match):
        env.step(bad)
    assert (env._canvas == before[0]).all() and env._steps == before[1] and env._l2 == before[2]
    *_, info = env.step(random_actions(rng))
    assert info["step"] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arrays(np.float64, 12, elements=st.floats(-10, 10)))
def test_any_finite_action_paints_inside_the_observation_space(env, action):
    env.reset(seed=0)
    obs, reward, *_ = env.step(action)
    assert env.observation_space.contains(obs) and np.isfinite(reward)
    np.testing.assert_array_equal(
        env.step(np.clip(action, -1, 1))[4]["stroke"], np.clip(action, -1, 1).astype(np.float32)
    )


def test_render_shows_target_and_canvas_side_by_side(env, rng):
    obs, _ = env.reset(seed=0)
    obs, *_ = env.step(random_actions(rng))
    frame = env.render()
    assert frame.shape == (64, 128, 3)
    np.testing.assert_array_equal(frame[:, :64], obs["target"])
    np.testing.assert_array_equal(frame[:, 64:], obs["canvas"])


def test_a_given_target_can_be_painted(env):
    target = np.zeros((64, 64, 3), np.uint8)
    obs, info = env.reset(seed=0, options={"target": target})
    assert (obs["target"] == 0).all() and info["l2"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="options"):
        env.reset(options={"target": np.zeros((8, 8, 3), np.uint8)})


def test_strokes_task_reports_its_ground_truth_actions():
    env = MyPaintEnv("Strokes")
    obs, info = env.reset(seed=4)
    assert info["target_actions"].shape == (8, 12)
    # the target is a real MyPaint painting of those actions with that brush seed
    replay = paint_gym.MyPaintPainter(64, seed=info["target_seed"]).paint(info["target_actions"])
    np.testing.assert_array_equal(replay, obs["target"])
    assert (obs["target"] < 200).any()


def test_discrete_mode_starts_strokes_at_the_pen_and_lifts_without_paint():
    env = MyPaintEnv("MNIST", action_mode="discrete")
    env.reset(seed=0)
    lift = np.array([31, 31, 16, 16, 1, 9, 3, 0, 0, 0])
    obs, _, _, _, info = env.step(lift)
    assert not info["painted"] and (obs["canvas"] == 255).all()
    paint = np.array([0, 31, 16, 16, 0, 9, 3, 0, 0, 0])
    obs, _, _, _, info = env.step(paint)
    assert info["painted"] and (obs["canvas"] < 128).any()
    assert info["stroke"][6:8].tolist() == [1.0, 1.0]  # started where the lift left the pen
    with pytest.raises(ValueError):
        env.step(np.array([32, 0, 0, 0, 0, 0, 0, 0, 0, 0]))


def test_bad_constructor_arguments_are_rejected():
    with pytest.raises(ValueError, match="task"):
        MyPaintEnv("CIFAR")
    with pytest.raises(ValueError, match="episode_length"):
        MyPaintEnv("MNIST", episode_length=0)
    with pytest.raises(ValueError, match="render_mode"):
        MyPaintEnv("MNIST", render_mode="human")
    with pytest.raises(ValueError, match="action_mode"):
        MyPaintEnv("MNIST", action_mode="joystick")


def test_async_vector_env_with_two_workers_is_reproducible(rng):
    acts = random_actions(rng, 3, 2)
    results = []
    for _ in range(2):
        envs = gym.vector.AsyncVectorEnv([lambda: gym.make("MyPaint-MNIST-v0") for _ in range(2)])
        obs, _ = envs.reset(seed=[1, 2])
        for a in acts:
            obs, *_ = envs.step(a)
        results.append(obs["canvas"])
        envs.close()
    assert results[0].shape == (2, 64, 64, 3)
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0][0], results[0][1])


@pytest.mark.parametrize("size", [64, 160])
def test_incremental_canvas_equals_a_full_read_of_the_surface(size, rng):
    from paint_gym.painters.mypaint import rgba_over_background

    env = MyPaintEnv("Strokes", canvas_size=size, episode_length=12, background=(0.2, 0.5, 0.9))
    obs, _ = env.reset(seed=0)
    for a in random_actions(rng, 12):
        obs, *_ = env.step(a)
    full = rgba_over_background(env.painter.surface.rgba(), env.background)
    np.testing.assert_array_equal(obs["canvas"], full)
    assert obs["canvas"].shape == (size, size, 3)
