"""The painting appearing stroke by stroke, as an animated GIF.

MyPaint paints the strokes in order (the painting's brush seeds, so the last frame is the
painting); a frame is taken after each group of strokes, so that a painting of any stroke count
lasts about ``seconds`` at :data:`FPS` frames a second, and the finished painting is held for
:data:`HOLD_SECONDS`. Frames are scaled down to at most ``max_side`` px. (MP4 would need ffmpeg,
which is not a dependency: GIF is written with Pillow alone.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from ..validation import check_float, check_int
from .replay import MyPaintCanvas

if TYPE_CHECKING:  # painting.py imports this module for its save_* methods
    from .painting import Painting

#: Frames a second of the animation.
FPS = 10
#: Seconds the finished painting stays on screen before the GIF loops.
HOLD_SECONDS = 1.5


def frames(painting: Painting, n_frames: int) -> list[np.ndarray]:
    """``n_frames`` uint8 ``(H, W, 3)`` MyPaint canvases, after about equal shares of the strokes
    (the last one after all of them)."""
    canvas = MyPaintCanvas(painting.width, painting.height, painting.brush, painting.background, painting.seed)
    ends = np.unique(np.linspace(0, len(painting), n_frames + 1).round().astype(int))[1:]
    out, start = [], 0
    try:
        for end in ends:
            canvas.paint(painting.strokes[start:end], painting.windows[start:end], index=start)
            out.append(canvas.image())
            start = end
    finally:
        canvas.close()
    return out


def save_animation(painting: Painting, path: str | os.PathLike, seconds: float = 4.0, max_side: int = 512) -> Path:
    """Write the GIF (module docstring) to ``path``; ``ValueError`` for a suffix other than ``.gif``."""
    out = Path(path)
    if out.suffix.lower() != ".gif":
        raise ValueError(f"the animation is written as GIF; name it .gif, not {out.name!r}")
    seconds = check_float("seconds", seconds, 0.0, open_low=True)
    max_side = check_int("max_side", max_side, 16)
    n = max(1, min(len(painting), round(seconds * FPS)))
    images = [Image.fromarray(f) for f in frames(painting, n)]
    scale = min(1.0, max_side / max(painting.width, painting.height))
    if scale < 1:
        size = (max(1, round(painting.width * scale)), max(1, round(painting.height * scale)))
        images = [im.resize(size, Image.LANCZOS) for im in images]
    durations = [1000 // FPS] * (len(images) - 1) + [int(HOLD_SECONDS * 1000)]
    tmp = out.with_name(out.name + ".tmp")
    images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    os.replace(tmp, out)
    return out


__all__ = ["FPS", "HOLD_SECONDS", "frames", "save_animation"]
