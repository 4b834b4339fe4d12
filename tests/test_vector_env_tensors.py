"""``gym.make_vec("NeuralPaint-...", num_envs=N, device=DEV, tensors=True)``: observations, rewards,
flags and ``info`` are torch tensors on DEV and actions are taken as tensors (the batch stays on
the device), with the same rewards and pixels as the default numpy mode."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.vector import AutoresetMode

import paint_gym  # noqa: F401  (registers the ids)

N, SIZE = 3, 16
DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


def strokes(steps: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, (N, 12)).astype(np.float32) for _ in range(steps)]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("obs_mode", ["dict", "stacked"])
def test_tensors_mode_keeps_the_batch_on_the_device_and_equals_the_numpy_mode(device, obs_mode):
    kwargs = {"canvas_size": SIZE, "episode_length": 3, "device": device, "obs_mode": obs_mode}
    on_device = gym.make_vec("NeuralPaint-MNIST-v0", N, tensors=True, **kwargs)
    numpy_env = gym.make_vec("NeuralPaint-MNIST-v0", N, **kwargs)
    obs_t, info_t = on_device.reset(seed=5)
    obs_n, info_n = numpy_env.reset(seed=5)
    for actions in strokes(7):  # past an episode's end: NEXT_STEP autoreset on the device
        out_t = on_device.step(torch.as_tensor(actions, device=device))
        out_n = numpy_env.step(actions)
        for got, expected in zip(out_t[:4], out_n[:4], strict=True):
            values = got.values() if isinstance(got, dict) else [got]
            assert all(isinstance(v, torch.Tensor) and v.device.type == device for v in values)
            for g, e in zip(values, expected.values() if isinstance(expected, dict) else [expected], strict=True):
                np.testing.assert_array_equal(g.cpu().numpy(), e)
        info_t, info_n = out_t[4], out_n[4]
        assert info_t.keys() == info_n.keys()
        for key in info_n:
            assert isinstance(info_t[key], torch.Tensor) and info_t[key].device.type == device
            np.testing.assert_array_equal(info_t[key].cpu().numpy(), info_n[key])
    frames = on_device.render() if on_device.render_mode else None
    assert frames is None


def test_tensors_mode_same_step_autoreset_and_masks_stay_on_the_device():
    envs = gym.make_vec(
        "NeuralPaint-Strokes-v0", N, canvas_size=SIZE, episode_length=1, tensors=True,
        autoreset_mode=AutoresetMode.SAME_STEP, render_mode="rgb_array",
    )  # fmt: skip
    envs.reset(seed=0, options={"reset_mask": np.array([True, True, True])})
    obs, reward, terminated, truncated, info = envs.step(torch.zeros(N, 12))
    assert terminated.all() and not truncated.any() and info["_final_obs"].all()
    assert info["final_obs"]["canvas"].shape == (N, SIZE, SIZE, 3) and (obs["canvas"] == 255).all()
    frames = envs.render()  # numpy frames, one per sub-env, as Gymnasium's vector envs
    assert isinstance(frames, tuple) and frames[0].shape == (SIZE, 2 * SIZE, 3)
    obs, info = envs.reset(options={"reset_mask": np.array([True, False, True])})
    assert info["_l2"].tolist() == [True, False, True] and info["step"].device.type == "cpu"


def test_tensors_mode_checks_actions_at_the_door_and_takes_continuous_actions_only():
    envs = gym.make_vec("NeuralPaint-MNIST-v0", N, canvas_size=SIZE, tensors=True)
    envs.reset(seed=0)
    with pytest.raises(ValueError, match=r"actions must be \(3, 12\)"):
        envs.step(torch.zeros(2, 12))
    with pytest.raises(ValueError, match="NaN or inf"):
        envs.step(torch.full((N, 12), float("nan")))
    with pytest.raises(ValueError, match="floats"):
        envs.step(torch.zeros(N, 12, dtype=torch.long))
    obs, *_ = envs.step(torch.full((N, 12), 5.0))  # clipped to [-1, 1], as the numpy mode does
    assert obs["canvas"].dtype == torch.uint8
    with pytest.raises(ValueError, match="tensors=True takes continuous actions"):
        gym.make_vec("NeuralPaint-MNIST-v0", N, tensors=True, action_mode="discrete")
    with pytest.raises(ValueError, match="tensors must be True or False"):
        gym.make_vec("NeuralPaint-MNIST-v0", N, tensors="yes")
