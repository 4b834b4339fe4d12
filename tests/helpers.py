"""Small helpers shared by the tests."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np


def random_actions(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Uniform actions ``(*shape, 12)`` over the action box."""
    return rng.uniform(-1, 1, (*shape, 12)).astype(np.float32)


#: The repository's root folder (examples/, benchmarks/, pyproject.toml).
ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def ship_weights_script() -> ModuleType:
    """``scripts/ship_weights.py``, the maintainers' tool that ships weights (not a package module),
    imported once from this checkout."""
    spec = importlib.util.spec_from_file_location("ship_weights", ROOT / "scripts" / "ship_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
