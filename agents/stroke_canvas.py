"""Batched canvases painted stroke by stroke, for policies that look at the canvas.

An RL policy decides each stroke from the canvas so far. ``paint(targets)`` has no env, so the
agent paints its own canvases, with the painter it was trained on: the neural painter (what
``NeuralPaintVectorEnv`` shows) or MyPaint (what ``MyPaintEnv`` shows). Each stroke's alpha map
is composited with its colour by :func:`paint_gym.composite`, the rule both envs follow (for
MyPaint, strokes composited one by one equal the persistent surface to within 0.01 per pixel).
"""

from __future__ import annotations

import numpy as np

from paint_gym.actions import colors_of, validate_actions
from paint_gym.canvas import background_rgb, composite, to_uint8
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.painters.load import PainterLike, as_numpy, canvas_painter, load_painter


class StrokeCanvas:
    """``start(B)`` blank float canvases, ``add(canvas, strokes (B, 12))``, ``uint8(canvas)``.

    ``painter`` is a painter object or a name for :func:`~paint_gym.painters.load.load_painter`
    (``"dab"``, ``"gan"``, ``"vae"``, a checkpoint path or ``"mypaint"``); it is reseeded with ``seed`` at
    every :meth:`start`, so the same strokes give the same canvases.
    """

    def __init__(
        self, painter: PainterLike = DEFAULT_PAINTER, canvas_size: int = 64, background: str = "white", seed: int = 0
    ) -> None:
        self.canvas_size = int(canvas_size)
        self.background = background_rgb(background)
        # numpy in and out: MyPaint as it is, a neural painter behind its numpy face
        self.painter = canvas_painter(load_painter(painter, canvas_size=self.canvas_size, seed=seed))
        self.seed = seed

    def start(self, batch: int) -> np.ndarray:
        """Blank canvases ``(B, H, W, 3)`` float32 in [0, 1]; restarts MyPaint's brush seeds."""
        self.painter.reseed(self.seed)
        return np.broadcast_to(self.background, (batch, self.canvas_size, self.canvas_size, 3)).astype(np.float32)

    def add(self, canvas: np.ndarray, strokes: np.ndarray) -> np.ndarray:
        """Paint one stroke ``(B, 12)`` (numpy or torch) on each canvas ``(B, H, W, 3)``; returns the
        new canvases. ``ValueError`` for NaN or inf strokes or a batch that differs from the canvases'."""
        a = validate_actions(as_numpy(strokes), batch_ndim=2)
        if len(a) != len(canvas):
            raise ValueError(f"{len(a)} strokes for {len(canvas)} canvases: give one stroke per canvas")
        return composite(canvas, self.painter.render_alpha(a), colors_of(a)).astype(np.float32)

    @staticmethod
    def uint8(canvas: np.ndarray) -> np.ndarray:
        """What an env observation shows: rounded uint8 ``(B, H, W, 3)``."""
        return to_uint8(canvas)


__all__ = ["StrokeCanvas"]
