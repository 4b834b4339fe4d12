"""Gymnasium environments: MyPaintEnv/MyPaintVectorEnv (the real program) and NeuralPaintEnv/NeuralPaintVectorEnv.

Every env takes its task arguments through one validated :class:`TaskConfig` and runs one
episode core, :class:`Episodes` (N episodes as arrays: the single env is a batch of one, the
vector env a batch of N). The neural envs (and with them torch) are imported on first use, so a
MyPaint env needs no torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from .episode import Episodes
from .mypaint_env import MyPaintEnv, MyPaintVectorEnv
from .single import PaintEnv
from .task import TASKS, TaskConfig, TaskSpec

if TYPE_CHECKING:
    from .neural_env import NeuralPaintEnv, NeuralPaintVectorEnv
    from .torchrl_env import PaintTorchRLEnv

#: Loaded on first use: the neural envs need torch, ``PaintTorchRLEnv`` torchrl too.
_LAZY = {"NeuralPaintEnv": ".neural_env", "NeuralPaintVectorEnv": ".neural_env", "PaintTorchRLEnv": ".torchrl_env"}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "TASKS",
    "Episodes",
    "MyPaintEnv",
    "MyPaintVectorEnv",
    "NeuralPaintEnv",
    "NeuralPaintVectorEnv",
    "PaintEnv",
    "PaintTorchRLEnv",
    "TaskConfig",
    "TaskSpec",
]
