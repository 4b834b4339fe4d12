"""The random agent implements the benchmark's PaintingAgent protocol."""

from __future__ import annotations

import numpy as np
import pytest

from paint_gym.benchmark.protocol import PaintingAgent
from paint_gym_agents import RandomAgent


def test_random_agent_implements_the_protocol():
    agent = RandomAgent(n_strokes=5, seed=0)
    assert isinstance(agent, PaintingAgent)
    actions = agent.paint(np.zeros((3, 64, 64, 3), np.uint8))
    assert actions.shape == (3, 5, 12) and actions.dtype == np.float32
    assert actions.min() >= -1 and actions.max() <= 1 and actions.std() > 0.3
    assert agent.act({"canvas": None, "target": None}).shape == (12,)
    with pytest.raises(ValueError, match="uint8"):
        agent.paint(np.zeros((3, 64, 64), np.float32))
