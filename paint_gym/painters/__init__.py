"""Painters turn stroke actions into alpha maps: the real MyPaint program and neural imitations."""

from .base import Painter
from .mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, Brush, MyPaintPainter, Surface, list_brushes
from .libmypaint import LibMyPaintNotFoundError

__all__ = [
    "DEFAULT_BRUSH",
    "SUPPORTED_BRUSHES",
    "Brush",
    "LibMyPaintNotFoundError",
    "MyPaintPainter",
    "Painter",
    "Surface",
    "list_brushes",
]
