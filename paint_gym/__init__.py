"""paint-gym: stroke-based painting as a Gymnasium benchmark (Nakano, "Neural Painters", 2019).

Importing the package registers the env ids ``MyPaint-{MNIST,KMNIST,CelebA,Strokes}-v0`` and
``NeuralPaint-{MNIST,KMNIST,CelebA,Strokes}-v0``. ``gym.make_vec`` takes the arguments of
``gym.make`` in every vectorization mode; for the NeuralPaint ids its default is the batched
torch env (``NeuralPaintVectorEnv``). A process that does not import paint_gym itself (a worker
started with "spawn" from a partial of ``gym.make``) finds the ids as ``"paint_gym:MyPaint-MNIST-v0"``.
"""

from __future__ import annotations

import gymnasium as gym

from .actions import ACTION_DIM, FIELDS, DiscreteActions, action_space
from .canvas import composite, expected_mse, mse, paint_differentiable
from .data import DataNotFoundError, ImageTargets, StrokeTargets
from .envs.task import TASKS
from .errors import NonFiniteOutputError, TrainingDivergedError
from .painters.libmypaint import LibMyPaintNotFoundError
from .painters.load import load_painter, replay
from .painters.mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, MyPaintPainter, list_brushes

__version__ = "0.1.0"


def _register_envs() -> None:
    for task in TASKS:
        if f"MyPaint-{task}-v0" not in gym.registry:
            gym.register(id=f"MyPaint-{task}-v0", entry_point="paint_gym.envs.mypaint_env:MyPaintEnv", kwargs={"task": task})
        if f"NeuralPaint-{task}-v0" not in gym.registry:
            gym.register(
                id=f"NeuralPaint-{task}-v0",
                entry_point="paint_gym.envs.neural_env:NeuralPaintEnv",
                vector_entry_point="paint_gym.envs.neural_env:NeuralPaintVectorEnv",
                kwargs={"task": task},
            )


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
    "NonFiniteOutputError",
    "StrokeTargets",
    "TrainingDivergedError",
    "action_space",
    "composite",
    "expected_mse",
    "list_brushes",
    "load_painter",
    "mse",
    "paint_differentiable",
    "replay",
]
