"""paint-gym: stroke-based painting as a Gymnasium benchmark (Nakano, "Neural Painters", 2019).

Importing the package registers the env ids ``MyPaint-{MNIST,KMNIST,CelebA,Strokes}-v0`` and
``NeuralPaint-{MNIST,KMNIST,CelebA,Strokes}-v0``. ``gym.make_vec`` takes the arguments of
``gym.make`` in every vectorization mode; its default is paint-gym's own vector env, which checks
every ``reset`` and ``step`` argument before any sub-env changes: ``MyPaintVectorEnv`` for the
MyPaint ids, the batched torch env ``NeuralPaintVectorEnv`` for the NeuralPaint ids. A process
that does not import paint_gym itself (a worker started with "spawn" from a partial of
``gym.make``) finds the ids as ``"paint_gym:MyPaint-MNIST-v0"``.

Images: numpy images are channels-last uint8 ``(B, H, W, 3)`` (observations, targets, ``replay``);
torch images are channels-first float ``(B, 3, H, W)`` in [0, 1] (``paint_differentiable``,
``expected_mse``, ``NeuralPaintEnv.paint``); ``to_float_tensor`` and ``to_uint8_array`` cross
between them and ``mse``/``mse_uint8`` are the one image metric (see :mod:`paint_gym.canvas`).

Importing paint_gym does not import torch: the names that need it (``load_painter``, ``replay``)
and the neural envs load it on first use, so a MyPaint env runs without it. It does register a
fork handler (:mod:`paint_gym.forksafe`): a process forked from one that imported paint_gym and
torch runs torch on one thread, so torch's OpenMP pool cannot deadlock it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gymnasium as gym

from . import forksafe  # noqa: F401  (first: forked children run torch on one thread; see its docstring)
from ._lazy import lazy_attributes
from .actions import ACTION_DIM, FIELDS, DiscreteActions, action_space
from .canvas import (
    composite,
    expected_mse,
    mse,
    mse_uint8,
    paint_differentiable,
    to_float,
    to_float_tensor,
    to_uint8,
    to_uint8_array,
)
from .data import DataArchiveError, DataNotFoundError, ImageTargets, StrokeTargets
from .envs.task import TASKS
from .errors import NonFiniteOutputError, TrainingDivergedError
from .painters.base import DifferentiablePainter, Painter
from .painters.libmypaint import LibMyPaintNotFoundError
from .painters.mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, MyPaintPainter, list_brushes

if TYPE_CHECKING:
    from .painters.load import load_painter, replay
    from .photo import paint_photo

__version__ = "0.1.0"

#: Public names that need torch, by the module that defines them (imported on first access).
_LAZY = {"load_painter": ".painters.load", "replay": ".painters.load", "paint_photo": ".photo"}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


def _register_envs() -> None:
    for task in TASKS:
        if f"MyPaint-{task}-v0" not in gym.registry:
            gym.register(
                id=f"MyPaint-{task}-v0",
                entry_point="paint_gym.envs.mypaint_env:MyPaintEnv",
                vector_entry_point="paint_gym.envs.mypaint_env:MyPaintVectorEnv",
                kwargs={"task": task},
            )
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
    "DataArchiveError",
    "DataNotFoundError",
    "DifferentiablePainter",
    "DiscreteActions",
    "ImageTargets",
    "LibMyPaintNotFoundError",
    "MyPaintPainter",
    "NonFiniteOutputError",
    "Painter",
    "StrokeTargets",
    "TrainingDivergedError",
    "action_space",
    "composite",
    "expected_mse",
    "list_brushes",
    "load_painter",
    "mse",
    "mse_uint8",
    "paint_differentiable",
    "paint_photo",
    "replay",
    "to_float",
    "to_float_tensor",
    "to_uint8",
    "to_uint8_array",
]
