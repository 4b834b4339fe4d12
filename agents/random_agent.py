"""The random agent: uniform strokes over the action box (a reference point in every table)."""

from __future__ import annotations

import numpy as np

from paint_gym.actions import ACTION_DIM
from paint_gym.benchmark.protocol import check_targets


class RandomAgent:
    """Paints ``n_strokes`` uniformly random strokes per target, reproducibly for a seed."""

    def __init__(self, n_strokes: int = 8, seed: int | None = None) -> None:
        if n_strokes < 1:
            raise ValueError(f"n_strokes must be positive; got {n_strokes}")
        self.n_strokes = int(n_strokes)
        self.rng = np.random.default_rng(seed)

    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        return self.rng.uniform(-1.0, 1.0, ACTION_DIM).astype(np.float32)

    def paint(self, targets: np.ndarray) -> np.ndarray:
        batch = len(check_targets(targets))
        return self.rng.uniform(-1.0, 1.0, (batch, self.n_strokes, ACTION_DIM)).astype(np.float32)
