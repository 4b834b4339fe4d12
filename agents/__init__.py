"""Agents that paint: the PaintingAgent protocol and the agents of the benchmark.

``load_agent("mnist")`` returns a shipped backprop agent; ``agents.backprop`` trains new ones.
"""

from .protocol import PaintingAgent
from .random_agent import RandomAgent


def load_agent(name_or_path, painter=None):  # noqa: ANN001, ANN201 - documented in agents.zoo
    """A shipped agent by name (``mnist``, ``kmnist``, ``celeba``) or a checkpoint path; see
    :func:`agents.zoo.load_agent`. Imported lazily so ``import agents`` stays light."""
    from .zoo import load_agent as _load

    return _load(name_or_path, painter)


__all__ = ["PaintingAgent", "RandomAgent", "load_agent"]
