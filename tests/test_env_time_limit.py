"""The episode's last step pays the final reward whether the episode terminates or is truncated:
every env owns its time limit (its ``max_episode_steps`` argument, or the ``TimeLimit`` that
``gym.make(..., max_episode_steps=n)`` wraps around it), for every id, single and vector."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.wrappers import TimeLimit

from paint_gym.envs import MyPaintEnv, NeuralPaintEnv
from paint_gym.envs.task import TASKS, make_targets
from paint_gym.painters.load import load_painter

IDS = [f"{family}-{task}-v0" for family in ("MyPaint", "NeuralPaint") for task in TASKS]
N, SIZE, LIMIT = 2, 16, 3  # LIMIT < every task's episode_length: the time limit ends the episode


@pytest.fixture(scope="module")
def gan():
    return load_painter("gan")


@pytest.fixture(scope="module", autouse=True)
def _data_sets_read_once():
    """Envs of one process share a data set's targets while any env holds them: hold them here."""
    return [make_targets(TASKS[task], "train", SIZE, None, lambda: None) for task in ("MNIST", "KMNIST", "CelebA")]


def done_flag(canvas: np.ndarray, target: np.ndarray, done: bool) -> float:
    """A reward callable that pays 1 exactly when it is told the episode is done."""
    return 1.0 if done else 0.0


def make(env_id: str, how: str, gan, **kwargs):
    kwargs = {"canvas_size": SIZE, **kwargs, **({"painter": gan} if env_id.startswith("NeuralPaint") else {})}
    if how == "single":
        return gym.make(env_id, max_episode_steps=LIMIT, **kwargs)
    mode = {"vector": None, "sync": "sync"}[how]
    return gym.make_vec(env_id, num_envs=N, vectorization_mode=mode, max_episode_steps=LIMIT, **kwargs)


@pytest.mark.parametrize("how", ["single", "vector", "sync"])
@pytest.mark.parametrize("env_id", IDS)
def test_a_time_limit_pays_the_final_reward_at_the_truncated_last_step(env_id, how, gan):
    env = make(env_id, how, gan, reward="final")
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for t in range(1, LIMIT + 1):
        _, reward, terminated, truncated, info = env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        last = t == LIMIT
        np.testing.assert_array_equal(truncated, last)
        np.testing.assert_array_equal(terminated, False)
        np.testing.assert_array_equal(reward, -np.asarray(info["l2"]) if last else 0.0)
    assert np.all(np.asarray(reward) < 0)  # the final reward was paid: minus a positive L2
    env.close()


@pytest.mark.parametrize("how", ["single", "vector", "sync"])
@pytest.mark.parametrize("env_id", ["MyPaint-Strokes-v0", "NeuralPaint-CelebA-v0"])
def test_a_reward_callable_is_told_done_at_the_truncated_last_step(env_id, how, gan):
    env = make(env_id, how, gan, reward=done_flag)
    env.reset(seed=0)
    rewards = [np.asarray(env.step(env.action_space.sample())[1]).tolist() for _ in range(LIMIT)]
    one = [0.0] * (LIMIT - 1) + [1.0]
    assert rewards == (one if how == "single" else [[r] * N for r in one])


def test_async_workers_pay_the_final_reward_at_the_time_limit():
    env = gym.make_vec(
        "MyPaint-MNIST-v0",
        num_envs=N,
        vectorization_mode="async",
        max_episode_steps=LIMIT,
        canvas_size=SIZE,
        reward=done_flag,
    )
    try:
        env.reset(seed=0)
        rewards = [env.step(env.action_space.sample())[1].tolist() for _ in range(LIMIT)]
    finally:
        env.close()
    assert rewards == [[0.0] * N] * (LIMIT - 1) + [[1.0] * N]


@pytest.mark.parametrize(
    "make_env",
    [
        lambda **kw: TimeLimit(MyPaintEnv(**kw), LIMIT),  # a TimeLimit the user wraps around the env
        lambda **kw: MyPaintEnv(max_episode_steps=LIMIT, **kw),  # the env's own argument
        lambda **kw: TimeLimit(NeuralPaintEnv(painter="gan", **kw), LIMIT),
        lambda **kw: NeuralPaintEnv(painter="gan", max_episode_steps=LIMIT, **kw),
        lambda **kw: TimeLimit(MyPaintEnv(max_episode_steps=LIMIT + 2, **kw), LIMIT),  # the smaller limit
    ],
)
def test_the_env_owns_its_time_limit_however_it_is_given(make_env):
    seen = []
    env = make_env(canvas_size=SIZE, reward=lambda canvas, target, done: seen.append(done) or 0.0)
    env.reset(seed=0)
    ends = [env.step(env.action_space.sample())[2:4] for _ in range(LIMIT)]
    assert seen == [False] * (LIMIT - 1) + [True]
    assert ends == [(False, False)] * (LIMIT - 1) + [(False, True)]
    with pytest.raises(RuntimeError, match="call reset"):
        env.unwrapped.step(env.action_space.sample())  # the truncated episode is over
    env.reset(seed=1)
    assert env.step(env.action_space.sample())[3] is False  # a new episode, a new limit count


def test_a_termination_inside_the_time_limit_pays_once_and_is_not_truncated():
    env = gym.make("MyPaint-MNIST-v0", canvas_size=SIZE, episode_length=2, max_episode_steps=5, reward=done_flag)
    env.reset(seed=0)
    steps = [env.step(env.action_space.sample())[1:4] for _ in range(2)]
    assert steps == [(0.0, False, False), (1.0, True, False)]


def test_a_bad_time_limit_is_refused_when_the_env_is_made():
    with pytest.raises(ValueError, match="max_episode_steps must be an integer of at least 1; got 0"):
        MyPaintEnv(max_episode_steps=0)
    with pytest.raises(ValueError, match="max_episode_steps must be an integer of at least 1; got 2.5"):
        NeuralPaintEnv(max_episode_steps=2.5)
    assert MyPaintEnv(max_episode_steps=-1).max_episode_steps is None  # -1: no limit, as gym.make
