"""Strokes in canvas pixels: a :class:`~paint_gym.photo.painting.Painting`'s actions read in their
windows (what the SVG, the replay and the JSON's physical units are written from)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import actions as act


@dataclass(frozen=True)
class PhysicalStrokes:
    """Strokes in canvas pixels (``N`` strokes, painting order).

    ``anchors`` float32 ``(N, 3, 2)``: start, through-point (passed at t = 0.5) and end of the
    quadratic Bezier, ``(x, y)`` px; ``control`` ``(N, 2)``: its Bezier control point
    (``2 through - (start + end) / 2``, what SVG's ``Q`` takes); ``radius`` ``(N,)`` px;
    ``pressures`` ``(N, 2)`` start and end pressure in ``[0, 0.8]``; ``color`` ``(N, 3)`` RGB in [0, 1].
    """

    anchors: np.ndarray
    control: np.ndarray
    radius: np.ndarray
    pressures: np.ndarray
    color: np.ndarray


def physical_strokes(strokes: np.ndarray, windows: np.ndarray) -> PhysicalStrokes:
    """Actions ``(N, 12)`` in their windows ``(N, 3)`` (``x0, y0, side`` px) -> :class:`PhysicalStrokes`."""
    strokes = np.asarray(strokes, np.float32).reshape(-1, act.ACTION_DIM)
    windows = np.asarray(windows, np.float32).reshape(-1, 3)
    u = (strokes + 1.0) * 0.5
    side = windows[:, 2:3]
    xy = u[:, act.START_X :].reshape(-1, 3, 2) * side[:, None] + windows[:, None, :2]
    control = 2.0 * xy[:, 1] - 0.5 * (xy[:, 0] + xy[:, 2])
    r_min = side[:, 0] * act.MIN_RADIUS_64 / 64.0
    radius = r_min * (act.MAX_RADIUS_64 / act.MIN_RADIUS_64) ** u[:, act.SIZE]
    pressures = act.MAX_PRESSURE * u[:, act.PRESSURE]
    return PhysicalStrokes(
        anchors=xy.astype(np.float32),
        control=control.astype(np.float32),
        radius=radius.astype(np.float32),
        pressures=pressures.astype(np.float32),
        color=u[:, act.COLOR].astype(np.float32),
    )


__all__ = ["PhysicalStrokes", "physical_strokes"]
