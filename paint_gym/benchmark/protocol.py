"""The interface every agent implements, so the benchmark can score any of them.

An agent paints uint8 targets ``(B, H, W, 3)`` with strokes ``(B, T, 12)``; :func:`check_targets`
is the one check of that target layout at the agents' boundary.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..actions import to_numpy


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
    """Validate a batch of targets: uint8 ``(B, H, W, 3)`` (numpy, or a torch tensor, which is
    detached and copied to the CPU). Returns the numpy array; raises ``ValueError`` naming the
    layout otherwise (float images in [0, 1] and channels-first tensors included)."""
    arr = np.asarray(to_numpy(targets))  # a tensor of any dtype (bfloat16 too) reaches the dtype check below
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.dtype != np.uint8:
        hint = ""
        if arr.ndim == 4 and arr.shape[1] == 3 and arr.shape[-1] != 3:
            hint = " (channels first: convert a torch image (B, 3, H, W) in [0, 1] with paint_gym.to_uint8_array(x))"
        elif arr.dtype.kind == "f":
            hint = " (floats in [0, 1]: convert with paint_gym.to_uint8(x))"
        raise ValueError(f"targets must be uint8 (B, H, W, 3); got {arr.dtype} {arr.shape}{hint}")
    return arr


__all__ = ["PaintingAgent", "check_targets"]
