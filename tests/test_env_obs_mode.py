"""``obs_mode="stacked"``: one ``Box(0, 255, (H, W, 6), uint8)`` image, canvas then target, on every
id, single and vector, in every vectorization mode, so that Box-only wrappers and libraries
(Gymnasium's image wrappers, RLlib's CNNs, skrl, CleanRL) take the env unchanged; ``info`` and the
argument checks are those of the default ``"dict"`` mode."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import paint_gym
from paint_gym.envs.task import TASKS

SIZE, N = 16, 2
IDS = [f"{family}-{task}-v0" for family in ("MyPaint", "NeuralPaint") for task in TASKS]


@pytest.mark.parametrize("env_id", IDS)
def test_stacked_observation_is_the_dict_observation_canvas_then_target_with_the_same_info(env_id):
    kwargs = {"canvas_size": SIZE, "disable_env_checker": True}
    stacked, plain = gym.make(env_id, obs_mode="stacked", **kwargs), gym.make(env_id, **kwargs)
    assert stacked.observation_space == gym.spaces.Box(0, 255, (SIZE, SIZE, 6), np.uint8)
    (obs, info), (expected, expected_info) = stacked.reset(seed=3), plain.reset(seed=3)
    assert stacked.observation_space.contains(obs)
    np.testing.assert_array_equal(obs, np.concatenate([expected["canvas"], expected["target"]], axis=-1))
    action = np.full(12, 0.3, np.float32)
    obs, reward, *_, info = stacked.step(action)
    expected, expected_reward, *_, expected_info = plain.step(action)
    np.testing.assert_array_equal(obs[..., :3], expected["canvas"])
    assert reward == expected_reward and info.keys() == expected_info.keys()


@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-Strokes-v0"])
@pytest.mark.parametrize("mode", ["vector_entry_point", "sync"])
def test_stacked_vector_envs_batch_the_stacked_image_and_report_final_observations_stacked(env_id, mode):
    envs = gym.make_vec(
        env_id, N, vectorization_mode=mode, canvas_size=SIZE, obs_mode="stacked", episode_length=1,
        **({"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP} if mode == "vector_entry_point" else {}),
        **({"vector_kwargs": {"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP}} if mode == "sync" else {}),
    )  # fmt: skip
    assert envs.single_observation_space == gym.spaces.Box(0, 255, (SIZE, SIZE, 6), np.uint8)
    obs, info = envs.reset(seed=0)
    assert obs.shape == (N, SIZE, SIZE, 6) and obs.dtype == np.uint8 and "l2" in info
    stroke = np.array([1, 1, 1, -1, -1, -1, -0.6, -0.6, 0, 0, 0.6, 0.6], np.float32)  # a thick black line
    obs, _, terminated, _, info = envs.step(np.tile(stroke, (N, 1)))
    assert terminated.all() and info["_final_obs"].all()
    for i in range(N):  # the ended episode's last image, stacked too; the new episode's blank canvas
        assert info["final_obs"][i].shape == (SIZE, SIZE, 6)
        assert (info["final_obs"][i][..., :3] != obs[i][..., :3]).any()
    envs.close()


def test_the_stacked_env_passes_gymnasiums_checker_and_its_box_only_wrappers():
    env = gym.make("NeuralPaint-MNIST-v0", canvas_size=SIZE, obs_mode="stacked", disable_env_checker=True)
    check_env(env.unwrapped, skip_render_check=True)
    wrapped = gym.wrappers.NormalizeObservation(gym.wrappers.FrameStackObservation(env, 2))
    obs, _ = wrapped.reset(seed=0)
    assert obs.shape == (2, SIZE, SIZE, 6) and obs.dtype == np.float32
    obs, *_ = wrapped.step(wrapped.action_space.sample())
    assert np.isfinite(obs).all()


def test_an_unknown_obs_mode_names_the_modes():
    with pytest.raises(ValueError, match=r"obs_mode must be one of \('dict', 'stacked'\).*got 'flat'"):
        gym.make("NeuralPaint-MNIST-v0", obs_mode="flat")
    with pytest.raises(ValueError, match="obs_mode must be one of"):
        paint_gym.envs.MyPaintEnv(obs_mode=None)
