"""paint-gym: stroke-based painting as a Gymnasium benchmark (Nakano, "Neural Painters", 2019).

Importing the package registers the env ids ``MyPaint-{MNIST,KMNIST,CelebA,Strokes}-v0``.
"""

from __future__ import annotations

import gymnasium as gym

from .actions import ACTION_DIM, FIELDS, DiscreteActions, action_space
from .canvas import composite, mse
from .data import DataNotFoundError, ImageTargets, StrokeTargets
from .envs.task import TASKS
from .painters.libmypaint import LibMyPaintNotFoundError
from .painters.mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, MyPaintPainter, list_brushes

__version__ = "0.1.0"


def _register_envs() -> None:
    for task in TASKS:
        env_id = f"MyPaint-{task}-v0"
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point="paint_gym.envs.mypaint_env:MyPaintEnv", kwargs={"task": task})


_register_envs()

__all__ = [
    "ACTION_DIM",
    "DEFAULT_BRUSH",
    "FIELDS",
    "SUPPORTED_BRUSHES",
    "DataNotFoundError",
    "DiscreteActions",
    "ImageTargets",
    "LibMyPaintNotFoundError",
    "MyPaintPainter",
    "StrokeTargets",
    "action_space",
    "composite",
    "list_brushes",
    "mse",
]
