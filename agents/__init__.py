"""The benchmark's agents (installed as ``paint_gym_agents``; the repository folder is ``agents/``).

One file an algorithm, each with a config dataclass, a policy network, an agent and a trainer:
:mod:`paint_gym_agents.backprop` (``BackpropConfig``, ``BackpropPolicy``, ``BackpropAgent``,
``BackpropTrainer``) and :mod:`paint_gym_agents.sb3` (``SB3Config``, ``SB3Agent``, ``SB3Trainer``;
SB3's own policies); RL at scale, SPIRAL's critic reward on RLlib's APPO among it, is Ray RLlib's
(:mod:`paint_gym_agents.rllib`, in its own venv; its policies exported Ray-free as
:class:`~paint_gym_agents.rllib_export.RLlibPolicyAgent`); :class:`RandomAgent` is the random
reference. Every agent has the same verbs (:mod:`paint_gym_agents.base`: ``paint``, ``act``,
``reset``, ``save``, ``load``, ``train``); ``load_agent("mnist")`` returns a shipped agent and
``load_agent(path)`` any checkpoint, by the kind stored in it. Every agent is a
:class:`paint_gym.benchmark.protocol.PaintingAgent` and is scored by :mod:`paint_gym.benchmark`;
this package depends on :mod:`paint_gym`, never the reverse.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .random_agent import RandomAgent, RandomConfig

if TYPE_CHECKING:
    from .base import Agent


def load_agent(name_or_path: str | os.PathLike, **kwargs: Any) -> Agent:
    """A shipped agent by name (``mnist``, ``kmnist``, ``celeba``, ``mnist_precond``) or a
    checkpoint path of any agent kind; see :func:`paint_gym_agents.zoo.load_agent`."""
    from .zoo import load_agent as _load  # lazy: `import paint_gym_agents` (every paint-gym run) stays torch-free

    return _load(name_or_path, **kwargs)


__all__ = ["RandomAgent", "RandomConfig", "load_agent"]
