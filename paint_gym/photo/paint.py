"""``paint_photo``: a photo painted coarse to fine with strokes, every stroke replayed in MyPaint.

As a painter works (and as Learning to Paint does): a few large strokes over the whole canvas
first, then levels of smaller overlapping tiles, each painting over the last
(:mod:`paint_gym.photo.plan`). For each group of tiles whose windows do not overlap:

1. the window of the photo and of **the MyPaint canvas painted so far** are cut out and resized
   to ``resolution`` px;
2. a first guess of the tile's strokes: an agent's (any object with ``paint(targets)``, one
   forward pass for the whole group) or :func:`~paint_gym.photo.first_guess.error_guess`;
3. refinement through the dab painter against the expected error in MyPaint over that canvas
   (:mod:`paint_gym.photo.refine`), within the group's share of the time budget;
4. the strokes are painted by MyPaint at full resolution, and the next group sees them.

So the output image is the MyPaint painting of every stroke at full size, and each group is
optimised against what MyPaint really painted before it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from ..images import open_image, to_rgb
from ..painters.load import load_painter
from ..painters.mypaint import SUPPORTED_BRUSHES
from ..validation import (
    MAX_CANVAS_SIZE,
    MIN_CANVAS_SIZE,
    background_rgb,
    check_choice,
    check_float,
    check_int,
)
from .first_guess import first_guess
from .metrics import psnr_of_mse, seam_ratio
from .painting import Painting, concatenate
from .plan import MARGIN, Level, plan_levels
from .refine import LR, refine_tiles
from .replay import MyPaintCanvas

#: The default brush of a photo painting: it paints the same stroke for every seed (no speckle).
PHOTO_BRUSH = "classic/pen"
#: Share of the time budget kept for what follows the optimisation (the MyPaint replay and exports).
RESERVE = 0.12


@dataclass
class PaintResult:
    """A painting and its MyPaint image (uint8 ``(H, W, 3)``), the target it was painted from, and timings."""

    painting: Painting
    image: np.ndarray
    target: np.ndarray


def load_photo(image: Any, size: int) -> np.ndarray:
    """``image`` (a path, a Pillow image or a uint8 ``(H, W, 3)`` array) resized so that its shorter
    side is ``size`` px, aspect kept (Lanczos): uint8 ``(H', W', 3)``. Paths are read by
    :func:`paint_gym.images.open_image` (``FileNotFoundError``, ``ValueError`` as there)."""
    size = check_int("size", size, MIN_CANVAS_SIZE, MAX_CANVAS_SIZE)
    if isinstance(image, Image.Image):
        pil = to_rgb(image)
    elif isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"a photo array must be uint8 (H, W, 3); got {image.dtype} {image.shape}")
        pil = Image.fromarray(image, "RGB")
    else:
        pil = open_image(image)
    w, h = pil.size
    new = (size, max(round(h * size / w), size)) if w <= h else (max(round(w * size / h), size), size)
    if max(new) > MAX_CANVAS_SIZE:
        raise ValueError(f"the painting would be {new[0]}x{new[1]} px, over {MAX_CANVAS_SIZE}; use a smaller --size")
    return np.asarray(pil.resize(new, Image.LANCZOS) if new != (w, h) else pil, dtype=np.uint8)


def _crop(image: torch.Tensor, windows: np.ndarray, resolution: int) -> torch.Tensor:
    """Windows ``(n, 3)`` (whole px) of ``image`` ``(H, W, 3)`` resized to ``(n, res, res, 3)``."""
    side = int(windows[0, 2])
    crops = torch.stack([image[int(y) : int(y) + side, int(x) : int(x) + side] for x, y, _ in windows])
    if side == resolution:
        return crops.contiguous()
    out = torch.nn.functional.interpolate(
        crops.permute(0, 3, 1, 2), size=(resolution, resolution), mode="bilinear", antialias=True
    )
    return out.clamp(0, 1).permute(0, 2, 3, 1).contiguous()


def _work(level: Level, tiles: np.ndarray, resolution: int) -> float:
    return float(level.strokes[tiles].max()) * len(tiles) * resolution**2


def paint_levels(
    image: Any,
    size: int = 512,
    strokes: int = 2000,
    brush: str = PHOTO_BRUSH,
    seconds: float | None = None,
    steps: int = 150,
    first_guess_by: Any = None,
    resolution: int = 64,
    margin: float = MARGIN,
    lr: float = LR,
    background: Any = "white",
    seed: int = 0,
    progress: bool = True,
) -> PaintResult:
    """:func:`paint_photo`, also returning the MyPaint image and the target (:class:`PaintResult`)."""
    t0 = time.perf_counter()
    target = load_photo(image, size)
    strokes = check_int("strokes", strokes, 1)
    steps = check_int("steps", steps, 0)
    resolution = check_int("resolution", resolution, 16, 256)
    brush = check_choice("brush", brush, SUPPORTED_BRUSHES)
    if seconds is not None:
        seconds = check_float("seconds", seconds, 0.0, open_low=True)
    bg = background_rgb(background)
    height, width = target.shape[:2]
    levels = plan_levels(width, height, strokes, margin)
    painter = load_painter("dab", resolution, brush=brush)
    canvas = MyPaintCanvas(width, height, brush, bg, seed)
    gen = torch.Generator().manual_seed(seed)
    tgt = torch.from_numpy(np.array(target)).float() / 255.0
    parts: list[tuple[np.ndarray, np.ndarray, int]] = []
    total_work = sum(_work(lv, g, resolution) for lv in levels for g in lv.groups)
    done_work, painted, steps_taken = 0.0, 0, []
    budget = None if seconds is None else seconds * (1 - RESERVE) - (time.perf_counter() - t0)
    try:
        for level in levels:
            bar = tqdm(
                total=level.tiles,
                desc=f"level {level.index + 1}/{len(levels)}: {level.tiles} tiles x {int(level.strokes.max())} strokes",
                disable=not progress,
                leave=False,
            )
            for group in level.groups:
                work = _work(level, group, resolution)
                share = None
                if budget is not None:
                    left = seconds * (1 - RESERVE) - (time.perf_counter() - t0)
                    share = max(left, 0.0) * work / max(total_work - done_work, 1.0)
                done_work += work
                windows = level.windows[group]
                under = torch.from_numpy(canvas.image()).float() / 255.0
                targets, canvases = _crop(tgt, windows, resolution), _crop(under, windows, resolution)
                counts = level.strokes[group]
                t = int(counts.max())
                mask = (torch.arange(t)[None] < torch.as_tensor(counts)[:, None]).float()
                start = first_guess(first_guess_by, targets, canvases, t, gen)
                best, _, taken = refine_tiles(start, targets, canvases, painter, steps, share, mask, lr)
                steps_taken.append(taken)
                for tile, n in zip(range(len(group)), counts, strict=True):
                    tile_strokes = best[tile, :n].numpy()
                    tile_windows = np.repeat(windows[tile : tile + 1], n, axis=0)
                    canvas.paint(tile_strokes, tile_windows, index=painted)
                    parts.append((tile_strokes, tile_windows, level.index))
                    painted += n
                bar.update(len(group))
            bar.close()
        result = canvas.image()
    finally:
        canvas.close()
    all_strokes, all_windows, all_levels = concatenate(parts)
    err = float(np.mean((result.astype(np.float64) - target.astype(np.float64)) ** 2)) / 255.0**2
    info = {
        "strokes": strokes,
        "size": size,
        "levels": [
            {"tiles": lv.tiles, "window_px": lv.window, "strokes_per_tile": int(lv.strokes.max())} for lv in levels
        ],
        "resolution": resolution,
        "first_guess": type(first_guess_by).__name__ if first_guess_by is not None else "error_guess",
        "steps_per_group": steps_taken,
        "seconds": round(time.perf_counter() - t0, 2),
        "mypaint_mse": err,
        "mypaint_psnr": psnr_of_mse(err),
        "seam_ratio": seam_ratio(result, target, levels[-1]) if levels[-1].tiles > 1 else None,
    }
    painting = Painting(all_strokes, all_windows, all_levels, width, height, brush, tuple(bg), seed, info)
    return PaintResult(painting, result, target)


def paint_photo(
    image: Any,
    size: int = 512,
    strokes: int = 2000,
    brush: str = PHOTO_BRUSH,
    seconds: float | None = None,
    steps: int = 150,
    first_guess: Any = None,
    **options: Any,
) -> Painting:
    """Paint a photo with ``strokes`` strokes, coarse to fine (module docstring).

    Args:
        image: a path (read by :func:`paint_gym.images.open_image`), a Pillow image or uint8 ``(H, W, 3)``.
        size: the painting's shorter side in px (the photo is resized to it, aspect kept), 8-8192.
        strokes: strokes in all (split over the levels' tiles, :func:`~paint_gym.photo.plan.plan_levels`).
        brush: a brush of :data:`~paint_gym.painters.mypaint.SUPPORTED_BRUSHES` with a shipped dab painter.
        seconds: time budget of the whole painting (None: ``steps`` refinement steps per group).
        steps: most refinement steps per group of tiles.
        first_guess: an object with ``paint(targets)`` (an agent, e.g.
            ``paint_gym_agents.load_agent("celeba30")``), or None for
            :func:`~paint_gym.photo.first_guess.error_guess`.
        options: ``resolution`` (px a tile is optimised at, 64), ``margin``, ``lr``,
            ``background``, ``seed`` (brush seeds ``seed + i``), ``progress``.

    Returns:
        The :class:`~paint_gym.photo.painting.Painting` (``.render()`` is its MyPaint image;
        ``.info`` has the MyPaint PSNR, settings and seconds).

    Raises ``FileNotFoundError`` for a missing photo and ``ValueError`` for bad settings.
    """
    return paint_levels(image, size, strokes, brush, seconds, steps, first_guess, **options).painting


__all__ = ["PHOTO_BRUSH", "PaintResult", "load_photo", "paint_levels", "paint_photo"]
