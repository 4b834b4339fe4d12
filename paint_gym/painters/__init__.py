"""Painters turn stroke actions into alpha maps: the real MyPaint program and neural imitations
(the paper's VAE and GAN, and the dab painter).

The protocols and the MyPaint side import without torch; the neural painters and the loader
(``load_painter``, ``replay``) are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from .base import CanvasPainter, DifferentiablePainter, Painter
from .libmypaint import LibMyPaintNotFoundError
from .mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, Brush, MyPaintPainter, Surface, list_brushes

if TYPE_CHECKING:
    from .dab import DabConfig, DabPainter
    from .load import load_painter, replay
    from .neural import GANPainter, NeuralPainter, PainterConfig, VAEPainter

#: Names that need torch, by the submodule that defines them (imported on first access).
_LAZY = {
    "DabConfig": ".dab",
    "DabPainter": ".dab",
    "load_painter": ".load",
    "replay": ".load",
    "GANPainter": ".neural",
    "NeuralPainter": ".neural",
    "PainterConfig": ".neural",
    "VAEPainter": ".neural",
}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "DEFAULT_BRUSH",
    "SUPPORTED_BRUSHES",
    "Brush",
    "CanvasPainter",
    "DabConfig",
    "DabPainter",
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
