"""Painters turn stroke actions into alpha maps: the real MyPaint program and neural imitations."""

from .base import Painter
from .libmypaint import LibMyPaintNotFoundError
from .load import load_painter, replay
from .mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, Brush, MyPaintPainter, Surface, list_brushes
from .neural import CheckpointError, GANPainter, NeuralPainter, PainterConfig, VAEPainter

__all__ = [
    "DEFAULT_BRUSH",
    "SUPPORTED_BRUSHES",
    "Brush",
    "CheckpointError",
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
