"""A painting as SVG: one ``<path>`` per stroke, its quadratic Bezier, colour, width and opacity.

Each stroke is ``M start Q control end`` (the control point of the Bezier through the stroke's
through-point, :class:`~paint_gym.photo.painting.PhysicalStrokes`), in painting order over a
background ``<rect>``, with round caps. Its width and opacity come from the brush: MyPaint
paints a straight stroke at each of :data:`PROFILE_PRESSURES` once (:func:`brush_profile`), and
the stroke's mean pressure reads off the peak alpha across it (the opacity) and the width, in
radii, over which its alpha is at least half that peak (the width, times the stroke's radius).
A browser, Inkscape or cairosvg (:func:`rasterize_svg`) draws it.
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import actions as act
from ..checkpoint import write_text_atomic
from ..painters.mypaint import Brush, Surface

if TYPE_CHECKING:  # painting.py imports this module for its save_* methods
    from .painting import Painting

#: Pressures at which the brush's profile is measured (:func:`brush_profile`).
PROFILE_PRESSURES = np.linspace(0.0, act.MAX_PRESSURE, 9, dtype=np.float32)
#: Radius in px of the profile's test strokes.
PROFILE_RADIUS = 8.0


@functools.lru_cache(maxsize=16)
def brush_profile(brush: str) -> tuple[np.ndarray, np.ndarray]:
    """Opacity (peak alpha across a stroke) and width in radii (where alpha >= half the peak) of
    ``brush`` at each of :data:`PROFILE_PRESSURES`: two float32 ``(9,)`` arrays, measured on one
    horizontal MyPaint stroke per pressure (brush seed 0, the middle third of its length)."""
    size = int(PROFILE_RADIUS * 16)
    surface, b = Surface(size, size), Brush(brush)
    opacity, width = [], []
    try:
        b.set_radius(PROFILE_RADIUS)
        b.set_color((0.0, 0.0, 0.0))
        xs = np.linspace(PROFILE_RADIUS * 3, size - PROFILE_RADIUS * 3, act.STROKE_POINTS).tolist()
        ys = [size / 2.0] * act.STROKE_POINTS
        for p in PROFILE_PRESSURES.tolist():
            surface.clear()
            if b.seedable:
                b.seed(0)
            b.stroke(surface, xs, ys, [p] * act.STROKE_POINTS)
            alpha = surface.alpha()[:, size // 3 : 2 * size // 3].mean(axis=1)  # (size,) across the stroke
            peak = float(alpha.max())
            opacity.append(peak)
            width.append(float((alpha >= peak / 2).sum()) / PROFILE_RADIUS if peak > 0 else 0.0)
    finally:
        surface.close()
        b.close()
    return np.asarray(opacity, np.float32), np.asarray(width, np.float32)


def _hex(rgb: np.ndarray) -> str:
    r, g, b = (int(v) for v in np.clip(np.rint(np.asarray(rgb) * 255), 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def svg_text(painting: Painting) -> str:
    """The SVG document of ``painting`` (module docstring): ``width x height`` user units = px."""
    ph = painting.physical()
    opacity_at, width_at = brush_profile(painting.brush)
    pressure = ph.pressures.mean(axis=1)
    opacity = np.interp(pressure, PROFILE_PRESSURES, opacity_at)
    width = np.interp(pressure, PROFILE_PRESSURES, width_at) * ph.radius
    w, h = painting.width, painting.height
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
        f"<title>{len(painting)} strokes, {painting.brush} (paint-gym)</title>",
        f'<rect width="{w}" height="{h}" fill="{_hex(np.asarray(painting.background))}"/>',
        '<g fill="none" stroke-linecap="round" stroke-linejoin="round">',
    ]
    for i in range(len(painting)):
        if opacity[i] <= 0 or width[i] <= 0:
            continue
        (sx, sy), (ex, ey) = ph.anchors[i, 0], ph.anchors[i, 2]
        cx, cy = ph.control[i]
        lines.append(
            f'<path d="M{sx:.2f} {sy:.2f}Q{cx:.2f} {cy:.2f} {ex:.2f} {ey:.2f}" stroke="{_hex(ph.color[i])}" '
            f'stroke-width="{width[i]:.2f}" stroke-opacity="{opacity[i]:.3f}"/>'
        )
    lines += ["</g>", "</svg>"]
    return "\n".join(lines) + "\n"


def save_svg(painting: Painting, path: str | os.PathLike) -> Path:
    """Write :func:`svg_text` of ``painting`` to ``path`` (atomically)."""
    return write_text_atomic(path, svg_text(painting))


def rasterize_svg(svg: str | os.PathLike | bytes, width: int, height: int) -> np.ndarray:
    """An SVG (its text, bytes or a path to it) drawn by cairosvg at ``width x height``: uint8
    ``(height, width, 3)``. cairosvg (and the system's cairo library) is an optional dependency:
    ``ModuleNotFoundError`` says how to install it."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:
        raise ModuleNotFoundError(
            f"rasterising SVG needs cairosvg and the cairo library ({exc}): pip install cairosvg"
        ) from exc
    from PIL import Image

    if isinstance(svg, (str, os.PathLike)) and Path(svg).suffix == ".svg" and Path(svg).is_file():
        data = Path(svg).read_bytes()
    else:
        data = svg.encode() if isinstance(svg, str) else bytes(svg)
    png = cairosvg.svg2png(bytestring=data, output_width=width, output_height=height)
    with Image.open(io.BytesIO(png)) as im:
        rgba = np.asarray(im.convert("RGBA"), np.float32) / 255.0
    rgb = rgba[..., :3] * rgba[..., 3:] + (1 - rgba[..., 3:])  # anything uncovered is white paper
    return np.clip(rgb * 255 + 0.5, 0, 255).astype(np.uint8)


__all__ = ["PROFILE_PRESSURES", "brush_profile", "rasterize_svg", "save_svg", "svg_text"]
