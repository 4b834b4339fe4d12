"""Which MyPaint brushes the dab painter can imitate, read from the brush's own settings.

The dab painter (:mod:`paint_gym.painters.dab`) models a stroke as round dabs along the pen's
filtered path whose ink and width depend on the pressure, the radius, the position along the
stroke and its length. A brush falls outside that model when (settings of the ``.myb`` file,
libmypaint's names):

* ``smudge`` is non-zero (base value or any input): the brush mixes in the colour already under
  it, so what it paints depends on the canvas and a stroke is no longer an alpha map composited
  over it (``classic/smudge+paint``, ``classic/blend+paint``, the impressionism set, ...);
* ``eraser`` or ``lock_alpha`` is non-zero: it removes or keeps paint rather than laying it;
* ``elliptical_dab_ratio`` is above 1 with an ``elliptical_dab_angle`` that does not follow the
  stroke's ``direction``: a nib held at a fixed angle (``classic/calligraphy``), so a stroke's
  width depends on its direction, which the model has no input for.

* ``offset_by_random`` is :data:`SCATTER_LIMIT` radii or more: dabs thrown that far make the mean
  stroke a haze the fitted widths did not reach (measured: a tenth of MyPaint's ink).

Every blending brush smudges, so the first rule covers them.

:func:`dab_unsupported_reason` says which, in words; the trainer refuses such a brush with it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .mypaint import resolve_brush

#: ``offset_by_random`` (radii) from which a brush's scatter is beyond the dab painter (coarse_bulk_1
#: and _2 throw dabs 10 radii; coarse_bulk_3, 1.09, fits to 1.01x the ideal).
SCATTER_LIMIT = 3.0


def _active(setting: dict[str, Any] | None) -> bool:
    """Whether a setting has a non-zero base value or any input curve."""
    if not setting:
        return False
    return bool(setting.get("base_value", 0.0)) or any(
        any(y != 0 for _, y in curve) for curve in (setting.get("inputs") or {}).values()
    )


def _upright_ratio(ratio: dict[str, Any]) -> float:
    """``elliptical_dab_ratio`` with the pen upright, as paint-gym paints (no tilt: libmypaint's
    ``tilt_declination`` input is 90 degrees): the markers' 10:1 nib is round then."""
    value = float(ratio.get("base_value", 1.0))
    curve = (ratio.get("inputs") or {}).get("tilt_declination")
    if curve:
        xs, ys = zip(*curve, strict=True)
        value += float(np.interp(90.0, xs, ys))
    return value


def dab_unsupported_reason(brush: str) -> str | None:
    """Why the dab painter cannot imitate ``brush`` (a sentence), or None when it can.

    ``brush`` is a name from ``paint-gym brushes`` or a ``.myb`` path (``ValueError`` /
    ``FileNotFoundError`` from :func:`~paint_gym.painters.mypaint.resolve_brush` otherwise)."""
    settings = json.loads(resolve_brush(brush).read_text())["settings"]
    if _active(settings.get("smudge")):
        return "it smudges (libmypaint 'smudge' > 0): its paint depends on the canvas under it"
    for name in ("eraser", "lock_alpha"):
        if _active(settings.get(name)):
            return f"it erases or protects paint (libmypaint '{name}' > 0) rather than laying it"
    scatter = float((settings.get("offset_by_random") or {}).get("base_value", 0.0))
    if scatter >= SCATTER_LIMIT:
        return (
            f"it throws its dabs up to {scatter:g} radii from the pen (libmypaint 'offset_by_random'): "
            "its mean stroke is a haze wider than the dab painter's widths reach (fitted, it painted a "
            "tenth of MyPaint's ink: benchmarks/painter_fit.py)"
        )
    ratio = settings.get("elliptical_dab_ratio") or {}
    angle = settings.get("elliptical_dab_angle") or {}
    upright = _upright_ratio(ratio)
    if upright > 1.5 and "direction" not in (angle.get("inputs") or {}):
        return (
            "its dabs are ellipses at a fixed angle (libmypaint 'elliptical_dab_ratio' "
            f"{upright:g}, 'elliptical_dab_angle' {angle.get('base_value', 0.0):g} degrees): "
            "a stroke's width depends on its direction, which the dab painter has no input for"
        )
    return None


def check_dab_brush(brush: str) -> None:
    """``ValueError`` naming why, when the dab painter cannot imitate ``brush``."""
    reason = dab_unsupported_reason(brush)
    if reason is not None:
        raise ValueError(
            f"the dab painter cannot imitate {brush!r}: {reason}; pick another brush "
            "(`paint-gym brushes` lists the brushes it can imitate)"
        )


__all__ = ["check_dab_brush", "dab_unsupported_reason"]
