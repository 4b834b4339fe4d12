"""Painting a user's photo with strokes: coarse-to-fine tiles refined through the dab painter,
every stroke replayed in MyPaint and kept (JSON, SVG, OpenRaster, an animation).

``paint_photo(image, size=512, strokes=2000) -> Painting``; a first guess comes from any object
with ``paint(targets)`` (an agent), so the agents plug in from above. Importing this package
imports torch (the refinement needs it); ``paint_gym.paint_photo`` loads it on first use.
"""

from __future__ import annotations

from .metrics import psnr, psnr_of_mse, seam_ratio
from .paint import PHOTO_BRUSH, PaintResult, load_photo, paint_levels, paint_photo
from .painting import Painting, PhysicalStrokes

__all__ = [
    "PHOTO_BRUSH",
    "PaintResult",
    "Painting",
    "PhysicalStrokes",
    "load_photo",
    "paint_levels",
    "paint_photo",
    "psnr",
    "psnr_of_mse",
    "seam_ratio",
]
