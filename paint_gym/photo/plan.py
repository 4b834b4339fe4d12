"""Coarse to fine: the levels of tiles a photo is painted in, and how many strokes each tile gets.

Level ``l`` cuts the canvas into square **cores** of side ``S / 2^l`` px (``S`` the canvas's
shorter side; level 0 is one core per ``S`` px, the whole of a square canvas). Each core is
painted in a **window**: the core grown by ``margin`` of its side on every side (kept inside the
canvas), so neighbouring windows overlap and a tile's strokes cross its core's border. The
tiles of a level are painted in **groups** (the parity of their column and row, more where cores overlap):
windows of one group do not overlap, so a group is optimised as one batch, and each group paints
over the groups before it, which it sees - so no seam is left at a core's border.

Every tile of every level gets the same number of strokes (the remainder goes to the finest
level), and as many levels are used as keep at least :data:`MIN_STROKES_PER_TILE` strokes per
tile with cores of at least ``min_core`` px.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..validation import check_float, check_int

#: The fewest strokes a tile of a level gets before no finer level is added.
MIN_STROKES_PER_TILE = 20
#: Default share of a core's side its window extends beyond it on each side.
MARGIN = 0.25


@dataclass(frozen=True)
class Level:
    """One level of tiles: ``windows`` float32 ``(n, 3)`` (``x0, y0, side`` px), ``cores``
    float32 ``(n, 3)`` (the same for the cores), ``strokes`` ``(n,)`` per tile, ``groups`` (tile
    indices whose windows do not overlap, painted one group after another)."""

    index: int
    windows: np.ndarray
    cores: np.ndarray
    strokes: np.ndarray
    groups: tuple[np.ndarray, ...]

    @property
    def tiles(self) -> int:
        return len(self.windows)

    @property
    def core(self) -> float:
        return float(self.cores[0, 2])

    @property
    def window(self) -> float:
        return float(self.windows[0, 2])


def _positions(extent: int, core: float) -> np.ndarray:
    """Left edges of the cores covering ``extent`` px, evenly spread (the last ends at ``extent``)."""
    n = max(1, math.ceil(extent / core - 1e-6))
    if n == 1:
        return np.array([(extent - core) / 2.0])
    return np.arange(n) * (extent - core) / (n - 1)


def level_tiles(width: int, height: int, index: int, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Windows ``(n, 3)``, cores ``(n, 3)`` and groups of level ``index`` on a ``width x height`` canvas."""
    short = min(width, height)
    core = short / 2**index
    side = float(min(round(core * (1 + 2 * margin)), short))  # whole pixels: windows crop the photo exactly
    xs, ys = _positions(width, core), _positions(height, core)
    cores, windows, parity = [], [], []
    for iy, y in enumerate(ys):
        for ix, x in enumerate(xs):
            cores.append((x, y, core))
            wx = float(np.clip(round(x - (side - core) / 2), 0, width - side))
            wy = float(np.clip(round(y - (side - core) / 2), 0, height - side))
            windows.append((wx, wy, side))
            parity.append((iy % 2) * 2 + ix % 2)
    windows = np.asarray(windows, np.float32)
    return windows, np.asarray(cores, np.float32), _groups(windows, np.argsort(parity, kind="stable"))


def _groups(windows: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, ...]:
    """Tiles in ``order`` put, each, in the first group none of whose windows it overlaps (with
    cores that divide the canvas evenly these are the four parities of column and row)."""
    groups: list[list[int]] = []
    for i in order.tolist():
        x, y, side = windows[i]
        for group in groups:
            w = windows[group]
            if ((np.abs(w[:, 0] - x) >= side) | (np.abs(w[:, 1] - y) >= side)).all():
                group.append(i)
                break
        else:
            groups.append([i])
    return tuple(np.asarray(sorted(g)) for g in groups)


def plan_levels(
    width: int, height: int, strokes: int, margin: float = MARGIN, min_core: int = 32, max_levels: int = 6
) -> list[Level]:
    """The levels painting ``strokes`` strokes on a ``width x height`` canvas (module docstring).

    Raises ``ValueError`` for fewer strokes than level 0 has tiles (every tile paints at least one)."""
    strokes = check_int("strokes", strokes, 1)
    margin = check_float("margin", margin, 0.0, 0.5)
    short = min(width, height)
    counts = []
    for index in range(max_levels):
        if index and short / 2**index < min_core:
            break
        counts.append(len(level_tiles(width, height, index, margin)[0]))
    n_levels = 1
    while n_levels < len(counts) and strokes / sum(counts[: n_levels + 1]) >= MIN_STROKES_PER_TILE:
        n_levels += 1
    total = sum(counts[:n_levels])
    if strokes < counts[0]:
        raise ValueError(f"{strokes} strokes are fewer than the {counts[0]} tiles of the coarsest level; use more")
    base, extra = divmod(strokes, total)
    per_tile = [np.full(n, base, np.int64) for n in counts[:n_levels]]
    for counts_l in reversed(per_tile):  # the remainder: one more stroke per tile, finest level first
        added = min(extra, len(counts_l))
        counts_l[:added] += 1
        extra -= added
    levels = []
    for i in range(n_levels):
        windows, cores, groups = level_tiles(width, height, i, margin)
        levels.append(Level(i, windows, cores, per_tile[i], groups))
    return levels


__all__ = ["MARGIN", "MIN_STROKES_PER_TILE", "Level", "level_tiles", "plan_levels"]
