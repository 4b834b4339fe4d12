"""One device check for everything that takes a ``device``: the envs, the agents' configs, the CLI."""

from __future__ import annotations

import time

import pytest
import torch

from paint_gym import devices
from paint_gym.cli import main
from paint_gym.envs import neural_env
from paint_gym_agents.backprop import BackpropConfig
from paint_gym_agents.zoo import load_agent

META = "device 'meta' holds tensor shapes without data.*device='cpu'"
#: A GPU this machine does not have (the first index past its GPUs).
MISSING_GPU = f"cuda:{torch.cuda.device_count()}"


def test_the_envs_and_the_configs_share_one_device_check():
    assert neural_env.check_device is devices.check_device


def test_a_config_refuses_the_meta_device_when_it_is_made():
    with pytest.raises(ValueError, match=META):
        BackpropConfig(device="meta")
    with pytest.raises(ValueError, match="device must be a torch device"):
        BackpropConfig(device="gpu please")


def test_train_agent_refuses_meta_before_loading_any_data(tmp_path, capsys):
    """It loaded 60,000 targets (8 s), then failed inside torch with "Tensor.item() cannot be
    called on meta tensors"."""
    start = time.perf_counter()
    code = main(["train-agent", "--run-dir", str(tmp_path / "ta"), "--steps", "1", "--device", "meta"])
    err = capsys.readouterr().err
    assert code == 2 and "device 'meta' holds tensor shapes without data" in err, err
    assert time.perf_counter() - start < 5 and not list(tmp_path.iterdir())


def test_a_gpu_this_machine_lacks_is_refused_where_training_starts_not_where_an_agent_loads(tmp_path, capsys):
    """A config read back from a checkpoint keeps the device it trained on (the shipped MNIST
    agent trained on a GPU and paints on any machine); training on a missing one is refused."""
    assert BackpropConfig(device=MISSING_GPU).device == MISSING_GPU
    assert load_agent("mnist").config.device == "cuda"
    code = main(["train-agent", "--run-dir", str(tmp_path / "ta"), "--steps", "1", "--device", MISSING_GPU])
    err = capsys.readouterr().err
    assert code == 2 and f"device '{MISSING_GPU}'" in err and "device='cpu'" in err, err
    with pytest.raises(ValueError, match="does not exist|has none"):
        devices.check_device(MISSING_GPU)
