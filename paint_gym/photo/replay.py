"""Painting a :class:`~paint_gym.photo.painting.Painting`'s strokes: in MyPaint, or by a neural painter.

:class:`MyPaintCanvas` is the real program on a ``width x height`` canvas of any size (a
libmypaint :class:`~paint_gym.painters.mypaint.Surface` and
:class:`~paint_gym.painters.mypaint.Brush`, the pieces of
:class:`~paint_gym.painters.mypaint.MyPaintPainter`, whose canvases are square): strokes are
painted in canvas pixels (each read in its window), stroke ``i`` with brush seed ``seed + i``, so
painting a painting in parts (level by level, as :func:`paint_photo` does) gives the same pixels
as painting it at once. :func:`neural_canvas` paints the same strokes with a dab painter (its
mean alpha, the neural preview), each window at its own size in pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import actions as act
from ..canvas import to_uint8
from ..painters.mypaint import Brush, Surface, rgba_over_background
from ..validation import background_rgb
from .physical import physical_strokes

if TYPE_CHECKING:  # painting.py imports this module for its render methods
    from .painting import Painting

if TYPE_CHECKING:
    import torch

#: Pixels a neural rendering chunk may hold (strokes x side^2): bounds its memory at ~100 MB.
CHUNK_PIXELS = 25_000_000


class MyPaintCanvas:
    """A ``width x height`` MyPaint canvas painted stroke by stroke with ``brush``.

    Stroke ``i`` of the painting (``index`` of :meth:`paint`) is painted with brush seed
    ``seed + i``; the brush is reset before every stroke (:meth:`Brush.stroke`), so a stroke's
    pixels depend only on its action, window, seed and what lies under it.
    """

    def __init__(self, width: int, height: int, brush: str, background: Any = "white", seed: int = 0) -> None:
        self.width, self.height = int(width), int(height)
        self.surface = Surface(self.width, self.height)
        self.brush = Brush(brush)
        self.background = background_rgb(background)
        self.seed = int(seed)

    def paint(self, strokes: np.ndarray, windows: np.ndarray, index: int = 0) -> None:
        """Paint actions ``(n, 12)`` read in ``windows`` ``(n, 3)`` (``x0, y0, side`` px), the first
        being stroke ``index`` of the painting (its brush seed is ``seed + index``)."""
        if len(strokes) == 0:
            return
        ph = physical_strokes(strokes, windows)
        t = np.linspace(0.0, 1.0, act.STROKE_POINTS, dtype=np.float32)
        points = act.bezier_points(ph.anchors[:, 0], ph.anchors[:, 1], ph.anchors[:, 2], act.STROKE_POINTS)
        pressures = ph.pressures[:, :1] + (ph.pressures[:, 1:] - ph.pressures[:, :1]) * t
        xs, ys, ps = points[..., 0].tolist(), points[..., 1].tolist(), pressures.tolist()
        radii, colors = ph.radius.tolist(), ph.color.tolist()
        for i in range(len(radii)):
            if self.brush.seedable:
                self.brush.seed(self.seed + index + i)
            self.brush.set_radius(radii[i])
            self.brush.set_color(colors[i])
            self.brush.stroke(self.surface, xs[i], ys[i], ps[i])

    def rgba(self) -> np.ndarray:
        """The paint alone: premultiplied RGBA uint16 ``(height, width, 4)``, 1.0 = 2**15."""
        return self.surface.rgba()

    def image(self) -> np.ndarray:
        """The canvas over its background: uint8 ``(height, width, 3)``."""
        return rgba_over_background(self.surface.rgba(), self.background)

    def clear(self) -> None:
        self.surface.clear()

    def close(self) -> None:
        self.surface.close()
        self.brush.close()


def replay_mypaint(painting: Painting, seed: int | None = None) -> np.ndarray:
    """Every stroke of ``painting`` painted by MyPaint at the painting's size: uint8
    ``(height, width, 3)``. Brush seeds ``seed + i`` (``None``: the painting's own seed)."""
    canvas = MyPaintCanvas(
        painting.width, painting.height, painting.brush, painting.background, painting.seed if seed is None else seed
    )
    try:
        canvas.paint(painting.strokes, painting.windows)
        return canvas.image()
    finally:
        canvas.close()


def level_layers(painting: Painting, seed: int | None = None) -> list[np.ndarray]:
    """Each level's strokes painted by MyPaint on a transparent layer of its own, with the seeds
    they have in the whole painting: premultiplied RGBA uint16 ``(height, width, 4)`` per level
    (1.0 = 2**15). Laid over each other in order, they are the painting."""
    canvas = MyPaintCanvas(
        painting.width, painting.height, painting.brush, painting.background, painting.seed if seed is None else seed
    )
    layers = []
    try:
        for k in range(painting.n_levels):
            canvas.clear()
            (idx,) = np.nonzero(painting.levels == k)
            for run in _runs(idx):
                canvas.paint(painting.strokes[run], painting.windows[run], index=int(run[0]))
            layers.append(canvas.rgba())
    finally:
        canvas.close()
    return layers


def _runs(idx: np.ndarray) -> list[np.ndarray]:
    """Consecutive runs of sorted indices (``[0 1 2 5 6]`` -> ``[0 1 2], [5 6]``)."""
    if len(idx) == 0:
        return []
    breaks = np.nonzero(np.diff(idx) != 1)[0] + 1
    return np.split(idx, breaks)


def window_runs(windows: np.ndarray) -> list[slice]:
    """Consecutive strokes that share one window, as slices in painting order."""
    if len(windows) == 0:
        return []
    change = np.any(np.diff(windows, axis=0) != 0, axis=1)
    starts = [0, *(np.nonzero(change)[0] + 1).tolist(), len(windows)]
    return [slice(a, b) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def neural_canvas(painting: Painting, painter: Any, canvas: np.ndarray | None = None) -> np.ndarray:
    """The painting by a dab painter (``painter``: a :class:`~paint_gym.painters.dab.DabPainter`,
    rendered at each window's own size by ``at_size``): mean alpha composited exactly, uint8
    ``(height, width, 3)``; ``canvas`` float32 ``(height, width, 3)`` in [0, 1] to paint over
    (None: the background)."""
    out = composite_windows(
        painting.strokes, painting.windows, painter, painting.width, painting.height, painting.background, canvas
    )
    return to_uint8(out)


def composite_windows(
    strokes: np.ndarray,
    windows: np.ndarray,
    painter: Any,
    width: int,
    height: int,
    background: Any = (1.0, 1.0, 1.0),
    canvas: np.ndarray | None = None,
) -> np.ndarray:
    """Strokes ``(N, 12)`` in ``windows`` ``(N, 3)`` rendered by ``painter`` at each window's size
    (px, rounded) and composited in order over ``canvas`` (float32 ``(height, width, 3)`` in [0, 1];
    None: ``background``). Returns the float32 canvas; parts of windows outside it are cut off."""
    import torch

    if canvas is None:
        canvas = np.broadcast_to(background_rgb(background), (height, width, 3)).astype(np.float32)
    out = torch.from_numpy(np.array(canvas, np.float32))
    for run in window_runs(windows):
        x0, y0, side = (float(v) for v in windows[run.start])
        s = max(int(round(side)), 8)
        view = painter.at_size(s)
        acts = torch.as_tensor(strokes[run])
        chunk = max(1, CHUNK_PIXELS // (s * s))
        xa, ya = int(round(x0)), int(round(y0))
        cx0, cy0, cx1, cy1 = max(xa, 0), max(ya, 0), min(xa + s, width), min(ya + s, height)
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        region = out[cy0:cy1, cx0:cx1]
        for i in range(0, len(acts), chunk):
            with torch.no_grad():
                alpha = view.render_alpha(acts[i : i + chunk])[:, cy0 - ya : cy1 - ya, cx0 - xa : cx1 - xa]
            colors = torch.as_tensor(act.colors_of(strokes[run][i : i + chunk]))
            region = _over(region, alpha, colors)
        out[cy0:cy1, cx0:cx1] = region
    return out.numpy()


def _over(region: torch.Tensor, alpha: torch.Tensor, colors: torch.Tensor) -> torch.Tensor:
    """``region`` ``(h, w, 3)`` with strokes ``alpha`` ``(T, h, w)`` of ``colors`` ``(T, 3)`` laid over in order."""
    import torch

    for k in range(len(alpha)):
        region = torch.lerp(region, colors[k].view(1, 1, 3), alpha[k][..., None])
    return region


__all__ = ["MyPaintCanvas", "composite_windows", "level_layers", "neural_canvas", "replay_mypaint", "window_runs"]
