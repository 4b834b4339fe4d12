"""Small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def random_actions(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Uniform actions ``(*shape, 12)`` over the action box."""
    return rng.uniform(-1, 1, (*shape, 12)).astype(np.float32)


#: The repository's root folder (examples/, benchmarks/, pyproject.toml).
ROOT = Path(__file__).resolve().parents[1]
