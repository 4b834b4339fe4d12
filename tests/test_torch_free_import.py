"""Importing paint_gym (and the agents package) and painting in a MyPaint env does not import torch."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import paint_gym
import paint_gym.envs
import paint_gym.painters


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=dict(os.environ), check=False)


def test_a_mypaint_env_runs_without_importing_torch():
    code = (
        "import paint_gym, gymnasium as gym, sys; e = gym.make('MyPaint-MNIST-v0'); e.reset(seed=0); "
        "e.step(e.action_space.sample()); assert 'torch' not in sys.modules, 'torch was imported'"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr


def test_the_agents_package_imports_without_torch():
    """Its docstring promises that ``import paint_gym_agents`` (run by every paint-gym command) stays free of torch."""
    done = run_python("import paint_gym_agents, sys; assert 'torch' not in sys.modules, 'torch was imported'")
    assert done.returncode == 0, done.stderr


def test_the_torch_names_load_on_first_use():
    done = run_python(
        "import sys, paint_gym; assert 'torch' not in sys.modules; paint_gym.replay; "
        "assert 'torch' in sys.modules; from paint_gym import load_painter; "
        "from paint_gym.envs import NeuralPaintEnv; from paint_gym.painters import GANPainter"
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("module", [paint_gym, paint_gym.envs, paint_gym.painters], ids=lambda m: m.__name__)
def test_every_public_name_is_listed_and_resolves(module):
    assert set(module.__all__) <= set(dir(module))
    for name in module.__all__:
        assert getattr(module, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        module.not_a_name  # noqa: B018
