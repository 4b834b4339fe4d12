"""The random agent: uniform strokes over the action box (a reference point in every table).

It has the verbs of every agent (:mod:`paint_gym_agents.base`) with nothing to learn:
``train`` only saves it. Its strokes depend on its seed alone: ``paint`` draws each call's
strokes afresh from the seed, and after :meth:`RandomAgent.reset` the ``act`` calls of an
episode draw the strokes ``paint`` gives a single target.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from paint_gym.actions import ACTION_DIM
from paint_gym.benchmark.protocol import check_targets
from paint_gym.checkpoint import config_from_json
from paint_gym.validation import check_int

from .base import read_agent_checkpoint, write_agent_checkpoint


@dataclass
class RandomConfig:
    """The random agent's settings (saved as JSON in its checkpoint)."""

    strokes: int = 8
    """strokes per painting, T >= 1"""
    seed: int = 0
    """seed of the strokes, >= 0"""

    def __post_init__(self) -> None:
        self.strokes = check_int("strokes", self.strokes, 1)
        self.seed = check_int("seed", self.seed, 0)


class RandomAgent:
    """Paints ``n_strokes`` uniformly random strokes per target, reproducibly for a seed.

    ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)`` is the same for every call (the
    first target's strokes are those of ``paint`` on it alone); ``act`` draws the next stroke of
    the episode, restarting after T strokes or on :meth:`reset`. ``seed=None`` draws a seed once.
    """

    KIND: ClassVar[str] = "random_agent"

    def __init__(self, n_strokes: int = 8, seed: int | None = 0) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**31)
        self.config = RandomConfig(n_strokes, seed)
        self.n_strokes, self.seed = self.config.strokes, self.config.seed
        self.info: dict[str, Any] = {}
        self.reset()

    @classmethod
    def from_config(cls, config: RandomConfig) -> RandomAgent:
        return cls(config.strokes, config.seed)

    def paint(self, targets: np.ndarray) -> np.ndarray:
        """Strokes ``(B, T, 12)`` float32 in [-1, 1] for uint8 targets ``(B, H, W, 3)``."""
        batch = len(check_targets(targets))
        return (
            np.random.default_rng(self.seed).uniform(-1.0, 1.0, (batch, self.n_strokes, ACTION_DIM)).astype(np.float32)
        )

    def reset(self) -> None:
        """Start a new episode: the next :meth:`act` draws its first stroke."""
        self._rng = np.random.default_rng(self.seed)
        self._t = 0

    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        """The episode's next stroke ``(12,)`` float32 (the observation is not looked at)."""
        if self._t >= self.n_strokes:
            self.reset()
        self._t += 1
        return self._rng.uniform(-1.0, 1.0, ACTION_DIM).astype(np.float32)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the agent (``kind: random_agent`` and its config) atomically."""
        return write_agent_checkpoint(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> RandomAgent:
        """The agent saved at ``path`` (``weights_only=True``); ``CheckpointError`` for another kind."""

        def build(payload: dict[str, Any]) -> RandomAgent:
            return cls.from_config(config_from_json(RandomConfig, payload["config"]))

        return read_agent_checkpoint(path, cls.KIND, build, missing=f"no random agent checkpoint at {path}")

    @classmethod
    def train(
        cls,
        config: RandomConfig,
        budget_seconds: float | None = None,
        run_dir: str | os.PathLike | None = None,
        *,
        data_dir: str | os.PathLike | None = None,
        eval_every_seconds: float = 60.0,
        progress: bool = True,
    ) -> RandomAgent:
        """Nothing to learn: the agent of ``config``, saved as ``run_dir/agent.pt`` (default
        ``runs/random``); the other arguments are those of every agent's ``train``, unused."""
        agent = cls.from_config(config)
        agent.save(Path(run_dir if run_dir is not None else "runs/random") / "agent.pt")
        return agent


__all__ = ["RandomAgent", "RandomConfig"]
