"""The env contract, for every registered id x {gym.make, gym.make_vec default, sync make_vec} x
{continuous, discrete}: spaces, the same info keys and shapes at reset and at every step
(autoreset steps included), and seed equivalence (vector sub-env i == single env with seed s + i).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import paint_gym
from paint_gym.canvas import mse_uint8
from paint_gym.envs.task import TASKS, make_targets
from paint_gym.painters.load import load_painter

IDS = sorted(env_id for env_id in gym.registry if env_id.split("-")[0] in ("MyPaint", "NeuralPaint"))
N, SIZE, LENGTH, SEED, STEPS = 2, 32, 2, 3, 5  # STEPS > LENGTH + 1: episodes end and autoreset

#: What every info holds, at reset and at every step, by task (key -> shape of one env's value).
COMMON_INFO = {"l2": (), "step": (), "stroke": (12,), "painted": ()}
TARGET_INFO = {
    "MNIST": {"target_index": (), "target_label": ()},
    "KMNIST": {"target_index": (), "target_label": ()},
    "CelebA": {"target_index": ()},
    "Strokes": {"target_actions": (8, 12), "target_seed": ()},
}
KINDS = {
    "l2": "f",
    "step": "i",
    "stroke": "f",
    "painted": "b",
    "target_index": "i",
    "target_label": "i",
    "target_actions": "f",
    "target_seed": "i",
}


def expected_info(env_id: str) -> dict[str, tuple[int, ...]]:
    return {**TARGET_INFO[env_id.split("-")[1]], **COMMON_INFO}


@pytest.fixture(scope="module")
def gan():
    return load_painter("gan")  # loaded once; each env resizes it to its canvas


@pytest.fixture(scope="module", autouse=True)
def _data_sets_read_once():
    """Envs of one process share a data set's targets while any env holds them: hold them here."""
    return [make_targets(TASKS[task], "train", SIZE, None, lambda: None) for task in ("MNIST", "KMNIST", "CelebA")]


def kwargs_for(env_id: str, action_mode: str, gan) -> dict:
    kwargs = {"canvas_size": SIZE, "episode_length": LENGTH, "action_mode": action_mode}
    return {**kwargs, "painter": gan} if env_id.startswith("NeuralPaint") else kwargs


def make(env_id: str, how: str, kwargs: dict):
    if how == "single":
        return gym.make(env_id, **kwargs)
    mode = {"vector": None, "sync": "sync"}[how]
    return gym.make_vec(env_id, num_envs=N, vectorization_mode=mode, **kwargs)


def batch_actions(space: gym.Space, rng: np.random.Generator) -> np.ndarray:
    if isinstance(space, gym.spaces.MultiDiscrete):
        return rng.integers(0, space.nvec, size=(N, len(space.nvec)))
    return rng.uniform(-1.2, 1.2, (N, 12)).astype(np.float32)  # out of range: clipped


def check_single_info(info: dict, env_id: str) -> None:
    expected = expected_info(env_id)
    assert set(info) == set(expected)
    for key, shape in expected.items():
        assert np.shape(info[key]) == shape, key
        assert np.asarray(info[key]).dtype.kind == KINDS[key], key
    assert isinstance(info["l2"], float) and isinstance(info["step"], int) and isinstance(info["painted"], bool)


def check_vector_info(info: dict, env_id: str, mask: np.ndarray | None = None) -> None:
    expected = expected_info(env_id)
    assert set(info) == set(expected) | {"_" + key for key in expected}
    for key, shape in expected.items():
        assert info[key].shape == (N, *shape) and info[key].dtype.kind == KINDS[key], key
        np.testing.assert_array_equal(info["_" + key], np.ones(N, bool) if mask is None else mask)


@pytest.mark.parametrize("action_mode", ["continuous", "discrete"])
@pytest.mark.parametrize("how", ["single", "vector", "sync"])
@pytest.mark.parametrize("env_id", IDS)
def test_spaces_and_info_keys_are_the_same_at_reset_and_every_step(env_id, how, action_mode, gan):
    kwargs = kwargs_for(env_id, action_mode, gan)
    env = make(env_id, how, kwargs)
    reference = paint_gym.envs.MyPaintEnv(**{k: v for k, v in kwargs.items() if k != "painter"})
    single_obs_space = env.observation_space if how == "single" else env.single_observation_space
    single_action_space = env.action_space if how == "single" else env.single_action_space
    assert single_obs_space == reference.observation_space and single_action_space == reference.action_space
    assert single_obs_space["canvas"].shape == (SIZE, SIZE, 3)
    assert isinstance(single_action_space, gym.spaces.MultiDiscrete if action_mode == "discrete" else gym.spaces.Box)
    reference.close()
    rng = np.random.default_rng(0)
    obs, info = env.reset(seed=SEED)
    if how == "single":
        check_single_info(info, env_id)
        assert np.isnan(info["stroke"]).all() and info["painted"] is False and info["step"] == 0
        for t in range(LENGTH):
            obs, _, terminated, _, info = env.step(batch_actions(single_action_space, rng)[0])
            check_single_info(info, env_id)
            assert env.observation_space.contains(obs) and terminated == (t == LENGTH - 1)
    else:
        assert env.action_space.shape[0] == N and env.observation_space["canvas"].shape == (N, SIZE, SIZE, 3)
        check_vector_info(info, env_id)
        steps = []
        for _ in range(STEPS):
            obs, reward, _, _, info = env.step(batch_actions(single_action_space, rng))
            check_vector_info(info, env_id)
            assert env.observation_space.contains(obs) and reward.dtype == np.float64
            steps.append(info["step"].tolist())
        assert steps == [[1, 1], [2, 2], [0, 0], [1, 1], [2, 2]]  # the third step is the autoreset
    env.close()


def assert_same_sub_env(vobs, vinfo, vreward, i, obs, info, reward, exact: bool) -> None:
    """Sub-env ``i`` of a vector env shows what the single env shows."""
    np.testing.assert_array_equal(vobs["target"][i], obs["target"])
    canvas_gap = np.abs(vobs["canvas"][i].astype(int) - obs["canvas"]).max()
    # neural painters differ by float rounding across batch sizes; MyPaint is exact
    assert canvas_gap == 0 if exact else canvas_gap <= 1
    assert vinfo["l2"][i] == mse_uint8(vobs["canvas"][i], vobs["target"][i])  # exact, as the single env's
    assert info["l2"] == mse_uint8(obs["canvas"], obs["target"])
    if canvas_gap == 0:
        assert vinfo["l2"][i] == info["l2"] and vreward == pytest.approx(reward, abs=1e-12)
    else:
        assert vinfo["l2"][i] == pytest.approx(info["l2"], abs=1e-4) and vreward == pytest.approx(reward, abs=1e-4)
    for key, value in info.items():
        if key != "l2":
            np.testing.assert_array_equal(vinfo[key][i], value, err_msg=key)


@pytest.mark.parametrize("action_mode", ["continuous", "discrete"])
@pytest.mark.parametrize("how", ["vector", "sync"])
@pytest.mark.parametrize("env_id", IDS)
def test_vector_sub_env_i_equals_the_single_env_seeded_s_plus_i(env_id, how, action_mode, gan):
    kwargs = kwargs_for(env_id, action_mode, gan)
    exact = env_id.startswith("MyPaint")
    vec = make(env_id, how, kwargs)
    singles = [gym.make(env_id, **kwargs) for _ in range(N)]
    vobs, vinfo = vec.reset(seed=SEED)
    for i, env in enumerate(singles):
        obs, info = env.reset(seed=SEED + i)
        assert_same_sub_env(vobs, vinfo, 0.0, i, obs, info, 0.0, exact)
    rng = np.random.default_rng(1)
    ended = [False] * N
    for _ in range(STEPS):
        actions = batch_actions(vec.single_action_space, rng)
        vobs, vreward, vterminated, vtruncated, vinfo = vec.step(actions)
        for i, env in enumerate(singles):
            if ended[i]:  # next-step autoreset: the single env continues its generator
                (obs, info), reward, terminated, truncated = env.reset(), 0.0, False, False
            else:
                obs, reward, terminated, truncated, info = env.step(actions[i])
            ended[i] = terminated or truncated
            assert (vterminated[i], vtruncated[i]) == (terminated, truncated)
            assert_same_sub_env(vobs, vinfo, vreward[i], i, obs, info, reward, exact)
    assert any(vinfo["painted"]) or action_mode == "discrete"
    vec.close()
    for env in singles:
        env.close()


# -- every constructor argument is checked at the boundary, by one rule for every env ------------
BAD_TASK_ARGUMENTS = [
    ("task", "CIFAR"),
    ("canvas_size", 3),
    ("canvas_size", 7),
    ("canvas_size", 64.5),
    ("canvas_size", "64"),
    ("canvas_size", True),
    ("canvas_size", float("nan")),
    ("episode_length", 0),
    ("episode_length", 2.5),
    ("split", "test"),
    ("reward", "sparse"),
    ("action_mode", "joystick"),
    ("discrete", paint_gym.DiscreteActions()),
    ("background", "pink"),
    ("render_mode", "ansi"),
    ("data_dir", 5),
]
CONSTRUCTORS = {
    "gym.make": lambda env_id, **kw: gym.make(env_id, **kw),
    "make_vec": lambda env_id, **kw: gym.make_vec(env_id, num_envs=N, **kw),
    "sync": lambda env_id, **kw: gym.make_vec(env_id, num_envs=N, vectorization_mode="sync", **kw),
    "class": lambda env_id, **kw: (
        paint_gym.envs.MyPaintEnv(**kw) if env_id.startswith("MyPaint") else paint_gym.envs.NeuralPaintEnv(**kw)
    ),
    "vector class": lambda env_id, **kw: paint_gym.envs.NeuralPaintVectorEnv(N, **kw),
}


ENVS = [
    (env_id, how)
    for env_id in ("MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0")
    for how in CONSTRUCTORS
    if not (env_id.startswith("MyPaint") and how == "vector class")
]


@pytest.mark.filterwarnings("ignore:.*render_mode")  # gym.make's own warning about "ansi"
@pytest.mark.parametrize("env_id, how", ENVS)
@pytest.mark.parametrize("name, value", BAD_TASK_ARGUMENTS)
def test_every_env_rejects_a_bad_task_argument_with_a_value_error_naming_it(name, value, env_id, how):
    with pytest.raises(ValueError, match=name):
        CONSTRUCTORS[how](env_id, **{name: value})


@pytest.mark.parametrize(
    "name, value",
    [
        ("painter", "mypaint"),
        ("painter", "no_such.pt"),
        ("painter", 42),
        ("device", "nonsense"),
        ("num_envs", 0),
        ("num_envs", 2.5),
        ("max_episode_steps", 0),
        ("max_episode_steps", 2.5),
        ("autoreset_mode", "sometimes"),
    ],
)
def test_the_neural_vector_env_rejects_its_own_bad_arguments(name, value):
    kwargs = {"num_envs": N, name: value}
    with pytest.raises(ValueError, match=name):
        gym.make_vec("NeuralPaint-MNIST-v0", **kwargs)
    if name in ("painter", "device"):
        with pytest.raises(ValueError, match=name):
            gym.make("NeuralPaint-MNIST-v0", **{name: value})


@pytest.mark.parametrize("size", [8, 16.0, np.int64(24)])
def test_whole_number_canvas_sizes_are_used_as_ints(size, gan):
    for env in (
        gym.make("MyPaint-MNIST-v0", canvas_size=size),
        gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N, canvas_size=size, painter=gan),
    ):
        assert type(env.unwrapped.canvas_size) is int and env.unwrapped.canvas_size == int(size)
        assert env.reset(seed=0)[0]["canvas"].shape[-3:] == (int(size), int(size), 3)
        env.close()


@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_a_closed_env_says_to_make_a_new_one(env_id, gan):
    env = gym.make(env_id, canvas_size=SIZE, **({"painter": gan} if env_id.startswith("Neural") else {}))
    env.reset(seed=0)
    env.close()
    env.close()  # closing twice is fine
    with pytest.raises(RuntimeError, match="closed.*make a new env"):
        env.reset(seed=0)
    with pytest.raises(RuntimeError, match="closed.*make a new env"):
        env.step(env.action_space.sample())
