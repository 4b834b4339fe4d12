"""Gymnasium environments: MyPaintEnv (the real program); NeuralPaintEnv comes with the neural painters."""

from .mypaint_env import MyPaintEnv
from .task import TASKS, PaintEnv, TaskSpec

__all__ = ["TASKS", "MyPaintEnv", "PaintEnv", "TaskSpec"]
