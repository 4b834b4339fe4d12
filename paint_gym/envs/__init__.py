"""Gymnasium environments: MyPaintEnv (the real program) and NeuralPaintEnv/NeuralPaintVectorEnv.

Every env takes its task arguments through one validated :class:`TaskConfig`. The neural envs
(and with them torch) are imported on first use, so a MyPaint env needs no torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .mypaint_env import MyPaintEnv
from .task import TASKS, PaintEnv, TaskConfig, TaskSpec

if TYPE_CHECKING:
    from .neural_env import NeuralPaintEnv, NeuralPaintVectorEnv

_LAZY = {"NeuralPaintEnv": ".neural_env", "NeuralPaintVectorEnv": ".neural_env"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = ["TASKS", "MyPaintEnv", "NeuralPaintEnv", "NeuralPaintVectorEnv", "PaintEnv", "TaskConfig", "TaskSpec"]
