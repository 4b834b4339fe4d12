"""Agents that paint: the PaintingAgent protocol and the agents of the benchmark."""

from .protocol import PaintingAgent
from .random_agent import RandomAgent

__all__ = ["PaintingAgent", "RandomAgent"]
