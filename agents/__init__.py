"""The benchmark's agents (installed as ``paint_gym_agents``; the repository folder is ``agents/``).

``load_agent("mnist")`` returns a shipped backprop agent; :mod:`paint_gym_agents.backprop`
trains new ones, :mod:`paint_gym_agents.spiral` and :mod:`paint_gym_agents.sb3` are the RL
baselines, :class:`RandomAgent` the random reference. Every agent is a
:class:`paint_gym.benchmark.protocol.PaintingAgent` and is scored by
:mod:`paint_gym.benchmark`; this package depends on :mod:`paint_gym`, never the reverse.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .random_agent import RandomAgent

if TYPE_CHECKING:
    from paint_gym.painters.load import PainterLike

    from .backprop import BackpropAgent


def load_agent(name_or_path: str | os.PathLike, painter: PainterLike | None = None) -> BackpropAgent:
    """A shipped agent by name (``mnist``, ``kmnist``, ``celeba``, ``mnist_precond``) or a
    checkpoint path; see :func:`paint_gym_agents.zoo.load_agent`."""
    from .zoo import load_agent as _load  # lazy: `import paint_gym_agents` (every paint-gym run) stays torch-free

    return _load(name_or_path, painter)


__all__ = ["RandomAgent", "load_agent"]
