"""Argument checks shared by every env, painter, trainer and agent config.

A value is accepted only if what it describes can run: integers are integers (``64.5`` is not
silently truncated, ``64.0`` from a JSON file is fine), canvases are at least
:data:`MIN_CANVAS_SIZE` and at most :data:`MAX_CANVAS_SIZE` pixels, rates are finite numbers in range. Each check raises
``ValueError`` naming the argument, the value and what is allowed. One module, so the rules
cannot drift between the single env, the vector env, the painters and the agents.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

#: The smallest canvas side in pixels, for every env, painter and agent (MyPaint's surfaces, the
#: agents' conv encoders and critics halve a canvas down to 4 px; SB3 gets a small CNN below
#: NatureCNN's 36 px).
MIN_CANVAS_SIZE = 8
#: The largest canvas side in pixels, for every env, painter, agent and painting (``style``,
#: ``visualize``): one 8192 px RGB float canvas is 0.8 GB, and a training batch holds many; a
#: larger side is nearly always a typo (``--size 100000000``) that would end in a MemoryError.
MAX_CANVAS_SIZE = 8192


def check_int(name: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number in ``[low, high]``; else ``ValueError``.

    Whole floats (``64.0``, also numpy's) are accepted; fractions (``64.5``, never truncated),
    bools, NaN, inf and non-numbers are not.
    """
    whole = isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()
    )
    if isinstance(value, (bool, np.bool_)) or not whole or value < low or (high is not None and value > high):
        bound = f"of at least {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be an integer {bound}; got {value!r}")
    return int(value)


def check_float(
    name: str, value: Any, low: float | None = None, high: float | None = None, *, open_low: bool = False
) -> float:
    """``value`` as a float if it is a finite real number in the range (``open_low``: ``> low``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    value = float(value)
    if low is not None and (value <= low if open_low else value < low):
        raise ValueError(f"{name} must be {'>' if open_low else '>='} {low:g}; got {value:g}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}; got {value:g}")
    return value


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")
    return value


def check_canvas_size(value: Any, name: str = "canvas_size") -> int:
    """A canvas side: an integer number of pixels in ``MIN_CANVAS_SIZE..MAX_CANVAS_SIZE`` (8..8192)."""
    return check_int(name, value, low=MIN_CANVAS_SIZE, high=MAX_CANVAS_SIZE)


def check_seeds(name: str, seeds: Iterable[Any]) -> tuple[int, ...]:
    """A non-empty tuple of integer brush seeds."""
    out = tuple(check_int(f"{name}[{i}]", s, low=0) for i, s in enumerate(seeds))
    if not out:
        raise ValueError(f"{name} must hold at least one brush seed; got none")
    return out


_NAMED_BACKGROUNDS = {"white": (1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0)}


def background_rgb(background: str | Sequence[float] | np.ndarray) -> np.ndarray:
    """RGB ``(3,)`` float32 in [0, 1] of a background given by name or by value (also
    :func:`paint_gym.canvas.background_rgb`); ``ValueError`` naming the allowed values."""
    if isinstance(background, str):
        if background not in _NAMED_BACKGROUNDS:
            raise ValueError(
                f"unknown background {background!r}; use one of {sorted(_NAMED_BACKGROUNDS)} or an RGB triple in [0, 1]"
            )
        return np.array(_NAMED_BACKGROUNDS[background], np.float32)
    rgb = np.asarray(background, dtype=np.float32)
    if rgb.shape != (3,) or not np.isfinite(rgb).all() or (rgb < 0).any() or (rgb > 1).any():
        raise ValueError(f"background must be 'white', 'black' or an RGB triple in [0, 1]; got {background!r}")
    return rgb


def check_background(value: Any) -> Any:
    """A background the canvas module understands ('white', 'black' or an RGB triple in [0, 1])."""
    background_rgb(value)  # raises ValueError naming the allowed values
    return value


__all__ = [
    "MAX_CANVAS_SIZE",
    "MIN_CANVAS_SIZE",
    "background_rgb",
    "check_background",
    "check_canvas_size",
    "check_choice",
    "check_float",
    "check_int",
    "check_seeds",
]
