"""Every argument the envs are handed is checked before anything changes, and a bad one is refused
with a clear error: rejected resets and steps leave every env as it was, a ``task=`` cannot
contradict the id, other envs' arguments and wrong types say where they belong, devices that
hold no data, reward callables that return no finite number (the stroke stands), ``render()``
before ``reset()`` and after ``close()``; and the observation space's keys are separate objects."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import gymnasium as gym
import numpy as np
import pytest
import torch

from paint_gym.envs import MyPaintEnv, MyPaintVectorEnv, NeuralPaintEnv, NeuralPaintVectorEnv
from paint_gym.envs.task import TASKS
from paint_gym.errors import NonFiniteOutputError
from paint_gym.painters.load import load_painter

IDS = [f"{family}-{task}-v0" for family in ("MyPaint", "NeuralPaint") for task in TASKS]
N, SIZE = 3, 16


@pytest.fixture(scope="module")
def gan():
    return load_painter("gan")


def painter_kwargs(env_id: str, gan) -> dict:
    return {"painter": gan} if env_id.startswith("NeuralPaint") else {}


def assert_same_step(a: tuple, b: tuple) -> None:
    """Two ``step`` results are identical (observations, rewards, flags and info)."""
    for key in ("canvas", "target"):
        np.testing.assert_array_equal(a[0][key], b[0][key])
    for x, y in zip(a[1:4], b[1:4], strict=True):
        np.testing.assert_array_equal(x, y)
    assert a[4].keys() == b[4].keys()
    for key in a[4]:
        np.testing.assert_array_equal(a[4][key], b[4][key])


# -- a rejected reset or step changes nothing -----------------------------------------------------
@pytest.mark.parametrize("action_mode", ["continuous", "discrete"])
@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_a_rejected_vector_reset_or_step_leaves_every_sub_env_as_it_was(env_id, action_mode, gan):
    """gym.make_vec's default mode, for both families (the MyPaint ids' was Gymnasium's
    SyncVectorEnv, which reseeded and stepped the sub-envs before a bad seed or row)."""

    def make():
        return gym.make_vec(
            env_id, num_envs=N, canvas_size=SIZE, action_mode=action_mode, **painter_kwargs(env_id, gan)
        )

    env, reference = make(), make()
    env.reset(seed=100)
    reference.reset(seed=100)
    good = env.action_space.sample()
    bad_action = good.astype(np.float32) if action_mode == "continuous" else good.copy()
    bad_action[-1, 0] = np.nan if action_mode == "continuous" else 10**6  # only the last sub-env's
    target = np.zeros((SIZE, SIZE, 3), np.uint8)
    rejected = [
        lambda: env.reset(seed=[7, 8, -5]),  # the issue's: sub-envs 0 and 1 were reseeded
        lambda: env.reset(seed=[7, 8, 1.5]),
        lambda: env.reset(seed=(7, 8, "x")),
        lambda: env.reset(seed=[7, 8, 9.5]),
        lambda: env.reset(seed=np.array([7.0, 8.0, 9.0])),
        lambda: env.reset(seed=np.array(5.0)),
        lambda: env.reset(seed=[[7], [8], [9]]),
        lambda: env.reset(seed=np.arange(2 * N).reshape(N, 2)),
        lambda: env.reset(seed=(s for s in (7, 8, 9))),
        lambda: env.reset(seed=[7, 8]),
        lambda: env.reset(seed=2.5),
        lambda: env.reset(seed="abc"),
        lambda: env.reset(seed=[7, 8, 9], options={"reset_mask": np.array([True, False])}),
        lambda: env.reset(seed=[7, 8, 9], options={"target": np.stack([target] * (N - 1))}),
        lambda: env.reset(seed=[7, 8, 9], options={"target": [target, target, target[:8]]}),
        lambda: env.reset(seed=[7, 8, 9], options={"target": target, "colour": 1}),
        lambda: env.step(bad_action),
        lambda: env.step(good[:-1]),  # (2, 12) for 3 sub-envs: was zip()'s error in the sync mode
        lambda: env.step(good[0]),
    ]
    for call in rejected:
        with pytest.raises(ValueError):
            call()
    assert_same_step(env.step(good), reference.step(good))
    unseeded, expected = env.reset(), reference.reset()  # the generators were untouched too
    np.testing.assert_array_equal(unseeded[0]["target"], expected[0]["target"])


@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "MyPaint-Strokes-v0", "NeuralPaint-KMNIST-v0"])
def test_a_rejected_single_reset_or_step_leaves_the_episode_as_it_was(env_id, gan):
    def make():
        return gym.make(env_id, canvas_size=SIZE, **painter_kwargs(env_id, gan))

    env, reference = make(), make()
    env.reset(seed=100)
    reference.reset(seed=100)
    for call in (
        lambda: env.reset(seed=-5),
        lambda: env.reset(seed=1.5),
        lambda: env.reset(seed=True),
        lambda: env.reset(seed=[1, 2]),
        lambda: env.reset(seed=7, options={"target": np.zeros((SIZE, SIZE), np.uint8)}),
        lambda: env.step(np.full(12, np.nan, np.float32)),
    ):
        with pytest.raises(ValueError, match="seed must be None or an integer >= 0|target|NaN"):
            call()
    action = np.random.default_rng(0).uniform(-1, 1, 12).astype(np.float32)
    assert_same_step(env.step(action), reference.step(action))
    np.testing.assert_array_equal(env.reset()[0]["target"], reference.reset()[0]["target"])
    assert env.reset(seed=np.int64(3))[1].keys() == reference.reset(seed=3)[1].keys()  # numpy ints are seeds


# -- keyword arguments that contradict the id ----------------------------------------------------
@pytest.mark.parametrize("how", ["single", "vector", "sync"])
@pytest.mark.parametrize("env_id", IDS)
def test_a_task_that_contradicts_the_id_is_refused_naming_the_id_to_use(env_id, how, gan):
    family, named = env_id.split("-")[:2]
    other = next(task for task in TASKS if task != named)

    def make(**kwargs):
        kwargs = {"canvas_size": SIZE, **kwargs, **painter_kwargs(env_id, gan)}
        if how == "single":
            return gym.make(env_id, **kwargs)
        return gym.make_vec(env_id, num_envs=2, vectorization_mode=None if how == "vector" else "sync", **kwargs)

    with pytest.raises(ValueError, match=f"'{env_id}' is the {named} task; task='{other}' contradicts it: use the id "
                       f"'{family}-{other}-v0'"):  # fmt: skip
        make(task=other)
    env = make(task=named.lower())  # the id's own task, in any case, is fine
    assert getattr(env, "envs", [env])[0].unwrapped.task.name == named  # a sync vector env holds single envs
    env.close()


# -- arguments of another env, or of the wrong type ----------------------------------------------
@pytest.mark.parametrize(
    "env_id, kwargs, match",
    [
        ("MyPaint-MNIST-v0", {"brush": None}, "brush must be a brush name .* got NoneType"),
        ("MyPaint-MNIST-v0", {"brush": 3}, "brush must be a brush name"),
        ("MyPaint-MNIST-v0", {"painter": "dab"}, "MyPaintEnv does not take painter=.*brush=...*It takes: task, brush"),
        ("MyPaint-MNIST-v0", {"device": "cpu"}, "MyPaintEnv does not take device=.*NeuralPaint-"),
        ("NeuralPaint-MNIST-v0", {"brush": "classic/pen"}, r"does not take brush=.*load_painter\('dab', brush="),
        ("NeuralPaint-MNIST-v0", {"colour": 1}, "does not take colour=. It takes: .*canvas_size"),
        ("NeuralPaint-MNIST-v0", {"device": None}, "device must be a torch device"),
        ("NeuralPaint-MNIST-v0", {"painter": None}, "painter must be"),
        ("NeuralPaint-MNIST-v0", {"reward": None}, "reward must be one of"),
    ],
)
@pytest.mark.parametrize("how", ["single", "vector", "sync"])
def test_arguments_of_another_env_or_of_a_wrong_type_raise_value_errors(env_id, kwargs, match, how):
    with pytest.raises(ValueError, match=match):
        if how == "single":
            gym.make(env_id, **kwargs)
        else:
            gym.make_vec(env_id, num_envs=2, vectorization_mode=None if how == "vector" else "sync", **kwargs)


def test_a_vector_argument_given_to_a_single_env_says_where_it_belongs():
    with pytest.raises(ValueError, match=r"autoreset_mode is a vector env's: .*vector_kwargs=\{'autoreset_mode'"):
        gym.make_vec("MyPaint-MNIST-v0", num_envs=2, vectorization_mode="sync", autoreset_mode="SameStep")
    with pytest.raises(ValueError, match=r"num_envs is gym.make_vec's"):
        gym.make("NeuralPaint-MNIST-v0", num_envs=2)


@pytest.mark.parametrize(
    "make",
    [
        lambda d: gym.make("NeuralPaint-MNIST-v0", device=d),
        lambda d: gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, device=d),
        lambda d: NeuralPaintEnv(device=d),
    ],
)
def test_a_device_that_holds_no_data_is_refused_when_the_env_is_made(make):
    with pytest.raises(ValueError, match="device 'meta' holds tensor shapes without data.*device='cpu'"):
        make("meta")
    with pytest.raises(ValueError, match="device must be a torch device"):
        make(torch.float32)


# -- reward callables ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, error, match",
    [
        (float("nan"), NonFiniteOutputError, "returned nan: a reward must be a finite number"),
        (float("inf"), NonFiniteOutputError, "returned inf"),
        (np.float32(-np.inf), NonFiniteOutputError, "returned -inf"),
        (torch.tensor(float("nan")), NonFiniteOutputError, "returned nan"),
        ("1.0", ValueError, "returned str '1.0': a reward must be a real number"),
        (None, ValueError, "returned NoneType None"),
        (np.array([1.0, 2.0]), ValueError, "returned ndarray"),
        pytest.param(10**400, ValueError, r"returned int 1000.*\(401 characters\), beyond float's range", id="10**400"),
        pytest.param(-(10**5000), ValueError, "returned int .*too many digits.*beyond float's range", id="-10**5000"),
        (Fraction(10**400, 3), ValueError, "returned Fraction .*beyond float's range"),
        (Decimal("1e400"), ValueError, r"returned Decimal Decimal\('1E\+400'\), beyond float's range"),
        (Decimal("NaN"), NonFiniteOutputError, "returned nan"),
        (Decimal("sNaN"), NonFiniteOutputError, "returned nan"),
        (Decimal("-Infinity"), NonFiniteOutputError, "returned -inf"),
        (np.array(10**400, dtype=object), ValueError, "returned int .*beyond float's range"),
        (1 + 2j, ValueError, "returned complex"),
    ],
)
@pytest.mark.parametrize("how", ["mypaint", "neural", "vector", "mypaint vector"])
def test_a_reward_callable_that_returns_no_finite_number_is_refused_naming_it(value, error, match, how, gan):
    def my_reward(canvas, target, done):
        return value

    kwargs = {"canvas_size": SIZE, "reward": my_reward}
    env = {
        "mypaint": lambda: gym.make("MyPaint-MNIST-v0", **kwargs),
        "neural": lambda: gym.make("NeuralPaint-MNIST-v0", painter=gan, **kwargs),
        "vector": lambda: gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, painter=gan, **kwargs),
        "mypaint vector": lambda: gym.make_vec("MyPaint-MNIST-v0", num_envs=2, **kwargs),
    }[how]()
    env.reset(seed=0)
    with pytest.raises(error, match=f"the reward callable .*my_reward {match}"):
        env.step(env.action_space.sample())


@pytest.mark.parametrize("how", ["mypaint", "neural", "vector", "mypaint vector", "sync"])
def test_a_refused_reward_raises_after_the_stroke_which_stands_and_counts_in_every_env(how, gan):
    """The callable is given the painted canvas, so it runs after the stroke: when it refuses,
    ``step`` raises with the stroke painted and counted, and every sub-env of a vector env
    stepped (its callable was called), so the state stays consistent."""
    calls = []

    def nan_once(canvas, target, done):
        calls.append(done)
        return float("nan") if len(calls) == 1 else 0.0

    kwargs = {"canvas_size": SIZE, "reward": nan_once, "render_mode": "rgb_array"}
    env = {
        "mypaint": lambda: gym.make("MyPaint-MNIST-v0", **kwargs),
        "neural": lambda: gym.make("NeuralPaint-MNIST-v0", painter=gan, **kwargs),
        "vector": lambda: gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N, painter=gan, **kwargs),
        "mypaint vector": lambda: gym.make_vec("MyPaint-MNIST-v0", num_envs=N, **kwargs),
        "sync": lambda: gym.make_vec("MyPaint-MNIST-v0", num_envs=N, vectorization_mode="sync", **kwargs),
    }[how]()
    blank, _ = env.reset(seed=0)
    actions = env.action_space.sample()
    with pytest.raises(NonFiniteOutputError, match="nan_once"):
        env.step(actions)
    frames = np.asarray(env.render())  # target | canvas, (H, 2W, 3) or one per sub-env
    painted = frames[..., SIZE:, :] if how in ("mypaint", "neural") else frames[:, :, SIZE:, :]
    if how == "sync":  # Gymnasium's SyncVectorEnv stops at the refusing sub-env 0: the others did not step
        assert len(calls) == 1 and (painted[1:] == blank["canvas"][1:]).all()
        return
    n = 1 if how in ("mypaint", "neural") else N
    assert len(calls) == n and not (painted == blank["canvas"]).all()  # every sub-env stepped and painted
    info = env.step(actions)[4]
    np.testing.assert_array_equal(info["step"], 2)  # the refused step counted
    if n > 1:  # the observation a masked reset reports for a kept sub-env is its canvas now
        mask = np.zeros(N, bool)
        mask[0] = True
        obs, _ = env.reset(options={"reset_mask": mask})
        np.testing.assert_array_equal(obs["canvas"][1:], np.asarray(env.render())[1:, :, SIZE:, :])


@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_a_refused_reward_at_the_last_step_still_ends_the_vector_episodes(env_id, gan):
    def nan_at_the_end(canvas, target, done):
        return float("nan") if done else 0.0

    env = gym.make_vec(env_id, num_envs=2, canvas_size=SIZE, episode_length=2, reward=nan_at_the_end,
                       **painter_kwargs(env_id, gan))  # fmt: skip
    env.reset(seed=0)
    env.step(env.action_space.sample())
    with pytest.raises(NonFiniteOutputError, match="nan_at_the_end"):
        env.step(env.action_space.sample())
    info = env.step(env.action_space.sample())[4]  # the ended episodes are reset (next-step autoreset)
    assert info["step"].tolist() == [0, 0]


@pytest.mark.parametrize(
    "value", [0.5, np.float32(0.5), np.array(0.5), torch.tensor([0.5]), 1, 10**300, Fraction(1, 4), Decimal("0.25")]
)
def test_a_reward_callable_may_return_any_finite_real_number(value):
    env = MyPaintEnv(canvas_size=SIZE, reward=lambda canvas, target, done: value)
    env.reset(seed=0)
    reward = env.step(env.action_space.sample())[1]
    assert type(reward) is float and reward == float(value if isinstance(value, Decimal) else np.asarray(value).item())


# -- render before reset and after close -----------------------------------------------------------
EVERY_ENV = [
    lambda g: MyPaintEnv(render_mode="rgb_array"),
    lambda g: NeuralPaintEnv(render_mode="rgb_array", painter=g),
    lambda g: gym.make("MyPaint-MNIST-v0", render_mode="rgb_array"),
    lambda g: gym.make("NeuralPaint-MNIST-v0", render_mode="rgb_array", painter=g),
    lambda g: NeuralPaintVectorEnv(2, render_mode="rgb_array", painter=g),
    lambda g: gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, render_mode="rgb_array", painter=g),
    lambda g: MyPaintVectorEnv(2, render_mode="rgb_array"),
    lambda g: gym.make_vec("MyPaint-MNIST-v0", num_envs=2, render_mode="rgb_array"),
    lambda g: gym.make_vec("MyPaint-MNIST-v0", num_envs=2, vectorization_mode="sync", render_mode="rgb_array"),
]


@pytest.mark.parametrize("make", EVERY_ENV)
def test_render_before_reset_raises_reset_needed_in_every_env(make, gan):
    env = make(gan)
    with pytest.raises(gym.error.ResetNeeded):
        env.render()
    env.reset(seed=0)
    assert np.asarray(env.render()).dtype == np.uint8  # a sync vector env gives a tuple of frames


@pytest.mark.parametrize("make", EVERY_ENV)
def test_render_after_close_raises_the_runtime_error_of_step_in_every_env(make, gan):
    """A closed env returned its last frame from render() while step() raised: both raise now."""
    env = make(gan)
    env.reset(seed=0)
    env.close()
    for call in (env.render, lambda: env.step(env.action_space.sample())):
        with pytest.raises(RuntimeError, match="closed.*make a new"):
            call()


# -- spaces ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("action_mode", ["continuous", "discrete"])
@pytest.mark.parametrize("how", ["single", "vector", "sync"])
@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_canvas_and_target_have_their_own_space_objects(env_id, how, action_mode, gan):
    """Stable-Baselines3's VecNormalize rewrites a Box in place: it must not reach the other key."""
    kwargs = {"canvas_size": SIZE, "action_mode": action_mode, **painter_kwargs(env_id, gan)}
    if how == "single":
        env = gym.make(env_id, **kwargs)
        spaces = [env.observation_space, env.unwrapped.observation_space]
    else:
        env = gym.make_vec(env_id, num_envs=2, vectorization_mode=None if how == "vector" else "sync", **kwargs)
        spaces = [env.observation_space, env.single_observation_space]
    for space in spaces:
        assert space["canvas"] is not space["target"] and space["canvas"] == space["target"]
    spaces[-1]["canvas"].high[...] = 1  # what VecNormalize does to the space it normalises
    assert (spaces[-1]["target"].high == 255).all()
