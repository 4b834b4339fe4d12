"""Painters turn stroke actions into alpha maps: the real MyPaint program and neural imitations.

The protocols and the MyPaint side import without torch; the neural painters and the loader
(``load_painter``, ``replay``) are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .base import CanvasPainter, DifferentiablePainter, Painter
from .libmypaint import LibMyPaintNotFoundError
from .mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, Brush, MyPaintPainter, Surface, list_brushes

if TYPE_CHECKING:
    from .load import load_painter, replay
    from .neural import GANPainter, NeuralPainter, PainterConfig, VAEPainter

#: Names that need torch, by the submodule that defines them (imported on first access).
_LAZY = {
    "load_painter": ".load",
    "replay": ".load",
    "GANPainter": ".neural",
    "NeuralPainter": ".neural",
    "PainterConfig": ".neural",
    "VAEPainter": ".neural",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DEFAULT_BRUSH",
    "SUPPORTED_BRUSHES",
    "Brush",
    "CanvasPainter",
    "DifferentiablePainter",
    "GANPainter",
    "LibMyPaintNotFoundError",
    "MyPaintPainter",
    "NeuralPainter",
    "Painter",
    "PainterConfig",
    "Surface",
    "VAEPainter",
    "list_brushes",
    "load_painter",
    "replay",
]
