"""Gymnasium environments: MyPaintEnv (the real program) and NeuralPaintEnv/NeuralPaintVectorEnv.

Every env takes its task arguments through one validated :class:`TaskConfig`.
"""

from .mypaint_env import MyPaintEnv
from .neural_env import NeuralPaintEnv, NeuralPaintVectorEnv
from .task import TASKS, PaintEnv, TaskConfig, TaskSpec

__all__ = ["TASKS", "MyPaintEnv", "NeuralPaintEnv", "NeuralPaintVectorEnv", "PaintEnv", "TaskConfig", "TaskSpec"]
