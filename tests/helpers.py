"""Small helpers shared by the tests."""

from __future__ import annotations

import numpy as np


def random_actions(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Uniform actions ``(*shape, 12)`` over the action box."""
    return rng.uniform(-1, 1, (*shape, 12)).astype(np.float32)
