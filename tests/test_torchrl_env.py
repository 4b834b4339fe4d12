"""TorchRL over the neural episodes: ``PaintTorchRLEnv`` (an ``EnvBase``, batch-locked, on its
device, tensors end to end) passes TorchRL's spec check and resets only ended episodes; TorchRL's
``GymEnv`` makes the ids by name (it tries ``frameskip=``, which the envs refuse as Python does)."""

from __future__ import annotations

import multiprocessing

import gymnasium as gym
import pytest
import torch

from paint_gym.envs.task import UnexpectedArgumentError

N, SIZE = 3, 16


@pytest.fixture(scope="module", autouse=True)
def torchrl():
    """TorchRL, imported for these tests only: importing it sets multiprocessing's start method to
    "spawn" for the whole process, which is put back after them (other tests fork)."""
    method = multiprocessing.get_start_method(allow_none=True)
    module = pytest.importorskip("torchrl")
    yield module
    multiprocessing.set_start_method(method, force=True)


def check_env_specs(env):
    from torchrl.envs.utils import check_env_specs

    check_env_specs(env)


def PaintTorchRLEnv(*args, **kwargs):  # noqa: N802  (the class, imported once TorchRL is)
    from paint_gym.envs import PaintTorchRLEnv

    return PaintTorchRLEnv(*args, **kwargs)


@pytest.mark.parametrize("obs_mode", ["dict", "stacked"])
def test_paint_torchrl_env_passes_torchrls_spec_check_and_keeps_tensors_on_its_device(obs_mode):
    env = PaintTorchRLEnv("NeuralPaint-MNIST-v0", N, canvas_size=SIZE, episode_length=3, obs_mode=obs_mode)
    check_env_specs(env)
    assert env.batch_locked and env.batch_size == (N,) and env.device == torch.device("cpu")
    env.set_seed(0)
    rollout = env.rollout(7, break_when_any_done=False)  # ended episodes reset by TorchRL's "_reset"
    assert rollout.batch_size == (N, 7)
    assert rollout["next", "done"].squeeze(-1).sum(0).tolist() == [0, 0, N, 0, 0, N, 0]
    key = "observation" if obs_mode == "stacked" else "canvas"
    assert rollout[key].dtype == torch.uint8 and rollout[key].shape[-1] == (6 if obs_mode == "stacked" else 3)
    env.close()


def test_paint_torchrl_env_sets_the_tensor_mode_itself():
    with pytest.raises(ValueError, match="sets tensors= itself"):
        PaintTorchRLEnv(tensors=False)


def test_torchrls_gym_env_makes_the_ids_by_name():
    from torchrl.envs import GymEnv

    env = GymEnv("NeuralPaint-MNIST-v0", canvas_size=SIZE)
    assert env.rollout(3)["next", "reward"].shape == (3, 1)
    with pytest.raises(UnexpectedArgumentError, match="unexpected keyword argument 'colour'") as caught:
        gym.make("NeuralPaint-MNIST-v0", colour=1)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, TypeError)
