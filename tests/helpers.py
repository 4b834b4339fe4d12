"""Small helpers shared by the tests."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np


def random_actions(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Uniform actions ``(*shape, 12)`` over the action box."""
    return rng.uniform(-1, 1, (*shape, 12)).astype(np.float32)


#: The repository's root folder (examples/, benchmarks/, pyproject.toml).
ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def ship_weights_script() -> ModuleType:
    """``scripts/ship_weights.py``, the maintainers' tool that ships weights (not a package module),
    imported once from this checkout."""
    spec = importlib.util.spec_from_file_location("ship_weights", ROOT / "scripts" / "ship_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hand_made_rllib_policy(size: int, strokes: int, info: dict[str, Any], seed: int = 0) -> Any:
    """An RLlib policy as ``paint-gym export-rllib`` writes it, built by hand (Ray lives in its own
    venv): a ``size`` px, ``strokes``-stroke IMPALA run on NeuralPaint-MNIST-v0 with RLlib's default
    module shapes (16 features, 64-64 ReLU head), random weights of ``seed``, ``info`` as its run's."""
    import torch

    from paint_gym_agents.rllib_config import RLlibConfig
    from paint_gym_agents.rllib_export import PolicyArchitecture, RLlibPolicy, RLlibPolicyAgent, RLlibPolicyConfig

    run = RLlibConfig(algo="IMPALA", canvas_size=size, strokes=strokes, features=16)
    arch = PolicyArchitecture(
        obs_shape=(size, size, 6), features=16, head_hiddens=(64, 64), head_activation="relu", action_dim=12
    )
    torch.manual_seed(seed)
    return RLlibPolicyAgent(RLlibPolicy(arch), RLlibPolicyConfig.of_run(run), info=info)
