"""The interface every agent implements, so benchmarks can evaluate any of them."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class PaintingAgent(Protocol):
    """An agent paints targets with strokes.

    ``act(observation)`` returns one stroke (gymnasium-style, a ``(12,)`` action) for an env
    observation ``{"canvas", "target"}``; ``paint(targets)`` returns all strokes at once,
    ``(B, T, 12)`` float32 in [-1, 1] for uint8 targets ``(B, H, W, 3)``.
    """

    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray: ...

    def paint(self, targets: np.ndarray) -> np.ndarray: ...


def check_targets(targets: Any) -> np.ndarray:
    """Validate a batch of targets: uint8 ``(B, H, W, 3)``."""
    arr = np.asarray(targets)
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"targets must be uint8 (B, H, W, 3); got {arr.dtype} {arr.shape}")
    return arr
