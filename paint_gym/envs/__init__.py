"""Gymnasium environments: MyPaintEnv (the real program) and NeuralPaintEnv/NeuralPaintVectorEnv."""

from .mypaint_env import MyPaintEnv
from .neural_env import NeuralPaintEnv, NeuralPaintVectorEnv
from .task import TASKS, PaintEnv, TaskSpec

__all__ = ["TASKS", "MyPaintEnv", "NeuralPaintEnv", "NeuralPaintVectorEnv", "PaintEnv", "TaskSpec"]
