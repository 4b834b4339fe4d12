"""The settings every stroke-grid painting shares: one base for class visualization and style transfer.

:class:`~paint_gym.param.visualize.VisualizeConfig` and :class:`~paint_gym.param.style.StyleConfig`
subclass :class:`StrokeGridConfig`, adding what their objective needs;
:func:`~paint_gym.param.canvas_grid.grid_for` builds a :class:`~paint_gym.param.canvas_grid.StrokeGrid`
from any of them. Each field's range is declared in its type (:mod:`paint_gym.validation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, ClassVar

import numpy as np

from ..painters.base import DEFAULT_PAINTER
from ..validation import Bound, CanvasSize, NonNegativeInt, PositiveFloat, PositiveInt, ValidatedConfig
from .layout import Layout


@dataclass
class StrokeGridConfig(ValidatedConfig):
    """Where the strokes lie, what constrains them and how they are optimised (defaults: style
    transfer's; class visualization changes ``size``, ``steps`` and ``lr``). ``strokes`` is the old
    name of ``strokes_per_tile`` (still taken, ``renamed``; docs/glossary.md)."""

    renamed: ClassVar[dict[str, str]] = {"strokes": "strokes_per_tile"}

    size: CanvasSize = 256
    """Painting side in px (of a non-square painting, its shorter side); at least tile."""
    strokes_per_tile: PositiveInt = 30
    """Strokes per tile (the native layout paints as many in all: strokes_per_tile x the tiles of the image)."""
    layout: Layout = "tiles"
    """'native' (one canvas at full size: a painter with at_size, the dab painter), 'tiles' (stitched
    tile canvases, any painter) or 'auto' (native if the painter can, tiles otherwise)."""
    steps: NonNegativeInt = 150
    """Adam steps."""
    lr: PositiveFloat = 0.1
    """Adam learning rate, on the unconstrained stroke parameters."""
    grayscale: bool = False
    """Grey strokes only (R = G = B)."""
    palette: Sequence[Sequence[float]] | np.ndarray | None = None
    """Strokes use only these RGB colours in [0, 1], shape (P, 3) (None: any colour)."""
    max_radius: float | None = None
    """Largest brush radius in px on the 64 px scale, 1-8 (x side/64 on a native canvas; None: the action space's)."""
    tile: Annotated[int, Bound(8)] = 64
    """Tile side in the image, px (64: the VAE's and GAN's own detail); sets the stroke count natively too."""
    overlap: NonNegativeInt = 16
    """Least overlap of neighbouring tiles, px."""
    painter: str = DEFAULT_PAINTER
    """Neural painter: 'gan', 'vae', 'dab' or a painter checkpoint."""
    seed: NonNegativeInt = 0
    """Seed of the initial strokes (and of class visualization's random transforms)."""
    mypaint_seed: NonNegativeInt = 0
    """Brush seed of the MyPaint re-render."""

    def __post_init__(self) -> None:
        """Check every field; ``ValueError`` also for a ``size`` below ``tile`` (in both layouts:
        the tile grid sets the stroke count)."""
        super().__post_init__()
        if self.size < self.tile:
            raise ValueError(
                f"size {self.size} px is smaller than one {self.tile} px canvas; use size >= tile (or a smaller tile)"
            )


__all__ = ["StrokeGridConfig"]
