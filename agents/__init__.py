"""Agents that paint: the PaintingAgent protocol and the agents of the benchmark.

``load_agent("mnist")`` returns a shipped backprop agent; ``agents.backprop`` trains new ones.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .protocol import PaintingAgent
from .random_agent import RandomAgent

if TYPE_CHECKING:
    from .backprop import BackpropAgent


def load_agent(name_or_path: str | os.PathLike, painter: Any = None) -> BackpropAgent:
    """A shipped agent by name (``mnist``, ``kmnist``, ``celeba``, ``mnist_precond``) or a
    checkpoint path; see :func:`agents.zoo.load_agent`. Imported lazily so ``import agents``
    stays light (no torch until an agent is loaded)."""
    from .zoo import load_agent as _load

    return _load(name_or_path, painter)


__all__ = ["PaintingAgent", "RandomAgent", "load_agent"]
