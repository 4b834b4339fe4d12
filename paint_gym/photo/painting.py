"""A painting of a photo as strokes you can keep: :class:`Painting` (strokes + windows + canvas + brush).

Each stroke is an action of the contract (:mod:`paint_gym.actions`, ``(12,)`` in [-1, 1]) read
in its own **window**: a square ``(x0, y0, side)`` of the canvas in pixels, where the action's
coordinates ``[-1, 1]`` span ``[x0, x0 + side]`` and its radius is the contract's radius on a
canvas of ``side`` px (:func:`paint_gym.actions.radius_range`). A stroke of the whole canvas has
the window ``(0, 0, size)``; the finer levels of :func:`paint_gym.photo.paint_photo` paint in
smaller windows, so their strokes may be thinner than the contract allows on the whole canvas
(1/64 of the window's side, not of the canvas's). Windows scale with the canvas, so a painting
repaints at any size (:meth:`Painting.scaled`).

:meth:`Painting.physical` gives every stroke in canvas pixels: the start, through- and end
points of its quadratic Bezier, its radius, its start and end pressures and its colour; the
JSON file (:meth:`Painting.save_json`) holds both the actions with their windows (what replays)
and these physical units (what other programs read).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import actions as act
from ..checkpoint import write_text_atomic
from ..validation import MAX_CANVAS_SIZE, MIN_CANVAS_SIZE, background_rgb, check_int
from .physical import PhysicalStrokes, physical_strokes

#: Format tag of the JSON file (bumped when its layout changes).
FORMAT = "paint-gym-painting/1"


@dataclass(frozen=True)
class Painting:
    """Strokes, the windows they are read in, and the canvas they paint.

    Attributes:
        strokes: float32 ``(N, 12)`` actions in [-1, 1], painting order.
        windows: float32 ``(N, 3)``: each stroke's window ``(x0, y0, side)`` in canvas px.
        levels: int ``(N,)``: the coarse-to-fine level that painted each stroke (0 = coarsest).
        width, height: canvas size in px.
        brush: the MyPaint brush (``classic/dry_brush``, ``classic/pen``, ...).
        background: RGB in [0, 1] of the blank canvas.
        seed: brush seed: stroke ``i`` is painted with brush seed ``seed + i`` (same seed, same pixels).
        info: what made it (settings, timings, scores); kept in the JSON file.
    """

    strokes: np.ndarray
    windows: np.ndarray
    levels: np.ndarray
    width: int
    height: int
    brush: str
    background: tuple[float, float, float] = (1.0, 1.0, 1.0)
    seed: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check shapes and values: ``ValueError`` naming what is wrong."""
        strokes = act.validate_actions(np.asarray(self.strokes, np.float32).reshape(-1, act.ACTION_DIM), batch_ndim=2)
        windows = np.asarray(self.windows, np.float32).reshape(-1, 3)
        levels = np.asarray(self.levels, np.int64).reshape(-1)
        if not (len(strokes) == len(windows) == len(levels)):
            raise ValueError(
                f"strokes, windows and levels must have one row per stroke; got {len(strokes)}, "
                f"{len(windows)}, {len(levels)}"
            )
        if not np.isfinite(windows).all() or (len(windows) and windows[:, 2].min() <= 0):
            raise ValueError("windows must be finite (x0, y0, side) with side > 0 px")
        for name in ("width", "height"):
            check_int(name, getattr(self, name), MIN_CANVAS_SIZE, MAX_CANVAS_SIZE)
        object.__setattr__(self, "strokes", strokes)
        object.__setattr__(self, "windows", windows)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "width", int(self.width))
        object.__setattr__(self, "height", int(self.height))
        object.__setattr__(self, "background", tuple(float(v) for v in background_rgb(self.background)))
        object.__setattr__(self, "seed", check_int("seed", self.seed, 0))

    def __len__(self) -> int:
        return len(self.strokes)

    @property
    def size(self) -> int:
        """The shorter side of the canvas in px (the ``--size`` it was painted at)."""
        return min(self.width, self.height)

    @property
    def n_levels(self) -> int:
        return int(self.levels.max()) + 1 if len(self.levels) else 0

    def physical(self) -> PhysicalStrokes:
        """Every stroke in canvas pixels (:class:`PhysicalStrokes`), by the contract's mapping
        (:func:`paint_gym.actions.to_physical`) in its window."""
        return physical_strokes(self.strokes, self.windows)

    def scaled(self, size: int | None = None, brush: str | None = None) -> Painting:
        """The same strokes on a canvas whose shorter side is ``size`` px (aspect kept), and/or
        with another ``brush``. Windows and radii scale with the canvas."""
        if size is None:
            return dataclasses.replace(self, brush=brush or self.brush)
        size = check_int("size", size, MIN_CANVAS_SIZE, MAX_CANVAS_SIZE)
        f = size / self.size
        width, height = max(round(self.width * f), MIN_CANVAS_SIZE), max(round(self.height * f), MIN_CANVAS_SIZE)
        return dataclasses.replace(
            self, windows=self.windows * np.float32(f), width=width, height=height, brush=brush or self.brush
        )

    def level(self, k: int) -> Painting:
        """The strokes of level ``k`` alone (their seeds shift: use it for layers, not replays)."""
        keep = self.levels == k
        return dataclasses.replace(
            self, strokes=self.strokes[keep], windows=self.windows[keep], levels=self.levels[keep]
        )

    # -- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The painting as plain JSON types (see :meth:`save_json`)."""
        ph = self.physical()
        return {
            "format": FORMAT,
            "width": self.width,
            "height": self.height,
            "brush": self.brush,
            "background": list(self.background),
            "seed": self.seed,
            "fields": list(act.FIELDS),
            # float32 values written exactly (float64 repr), so a replay gives the same pixels
            "strokes": self.strokes.astype(np.float64).tolist(),
            "windows": self.windows.astype(np.float64).tolist(),
            "levels": self.levels.tolist(),
            "physical": {
                "units": "px on the width x height canvas; pressure in [0, 0.8]; colour RGB in [0, 1]",
                "start": np.round(ph.anchors[:, 0].astype(np.float64), 3).tolist(),
                "through": np.round(ph.anchors[:, 1].astype(np.float64), 3).tolist(),
                "end": np.round(ph.anchors[:, 2].astype(np.float64), 3).tolist(),
                "control": np.round(ph.control.astype(np.float64), 3).tolist(),
                "radius": np.round(ph.radius.astype(np.float64), 3).tolist(),
                "pressures": np.round(ph.pressures.astype(np.float64), 4).tolist(),
                "color": np.round(ph.color.astype(np.float64), 4).tolist(),
            },
            "info": self.info,
        }

    def save_json(self, path: str | os.PathLike) -> Path:
        """Write the painting as JSON (atomically): canvas size, brush, background, brush seed,
        the actions with their windows and levels (what :meth:`load_json` replays) and every
        stroke in physical units (``physical``: points, radius px, pressures, colour)."""
        return write_text_atomic(path, json.dumps(self.to_dict(), separators=(",", ":")) + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Painting:
        """A painting from :meth:`to_dict`'s layout; ``ValueError`` for another layout."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"not a paint-gym painting (format {FORMAT!r} expected; got {got!r})")
        try:
            return cls(
                strokes=np.asarray(data["strokes"], np.float32).reshape(-1, act.ACTION_DIM),
                windows=np.asarray(data["windows"], np.float32).reshape(-1, 3),
                levels=np.asarray(data["levels"], np.int64),
                width=data["width"],
                height=data["height"],
                brush=data["brush"],
                background=tuple(data["background"]),
                seed=data.get("seed", 0),
                info=data.get("info", {}),
            )
        except KeyError as exc:
            raise ValueError(f"the painting's JSON lacks the key {exc}") from None

    @classmethod
    def load_json(cls, path: str | os.PathLike) -> Painting:
        """Read a painting written by :meth:`save_json`. ``FileNotFoundError`` when there is no
        file, ``ValueError`` for a file that is not one."""
        p = Path(path).expanduser()
        if not p.is_file():
            raise FileNotFoundError(f"no painting at {p}; give the .json file `paint-gym paint` wrote")
        try:
            data = json.loads(p.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{p} is not JSON ({exc})") from exc
        return cls.from_dict(data)

    # -- renderings and exports (the modules that do the work are imported when used) ----------
    def render(self, painter: Any = "mypaint", seed: int | None = None) -> np.ndarray:
        """The painting as uint8 ``(height, width, 3)``: ``"mypaint"`` (the real program, brush
        seeds ``seed + i``; ``seed`` None: the painting's) or a dab painter object (its mean
        alpha: the neural preview, :func:`paint_gym.photo.replay.neural_canvas`)."""
        from .replay import neural_canvas, replay_mypaint

        if isinstance(painter, str) and painter == "mypaint":
            return replay_mypaint(self, seed=seed)
        return neural_canvas(self, painter)

    def save_svg(self, path: str | os.PathLike) -> Path:
        """Write an SVG, one ``<path>`` per stroke (:func:`paint_gym.photo.svg.save_svg`)."""
        from .svg import save_svg

        return save_svg(self, path)

    def save_ora(self, path: str | os.PathLike, merged: np.ndarray | None = None) -> Path:
        """Write an OpenRaster file, one layer per level (:func:`paint_gym.photo.ora.save_ora`)."""
        from .ora import save_ora

        return save_ora(self, path, merged)

    def save_animation(self, path: str | os.PathLike, seconds: float = 4.0, max_side: int = 512) -> Path:
        """Write a GIF of the painting appearing stroke by stroke (:func:`paint_gym.photo.animation.save_animation`)."""
        from .animation import save_animation

        return save_animation(self, path, seconds=seconds, max_side=max_side)


def concatenate(parts: Sequence[tuple[np.ndarray, np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(strokes (n, 12), windows (n, 3), level)`` parts -> stacked strokes, windows and levels."""
    if not parts:
        return np.zeros((0, act.ACTION_DIM), np.float32), np.zeros((0, 3), np.float32), np.zeros(0, np.int64)
    strokes = np.concatenate([p[0] for p in parts]).astype(np.float32)
    windows = np.concatenate([p[1] for p in parts]).astype(np.float32)
    levels = np.concatenate([np.full(len(p[0]), p[2], np.int64) for p in parts])
    return strokes, windows, levels


__all__ = ["FORMAT", "Painting", "PhysicalStrokes", "concatenate", "physical_strokes"]
