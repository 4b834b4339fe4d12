"""ctypes declarations for libmypaint 1.5/1.6 (the C brush engine of MyPaint), nothing else.

The library is found with :func:`ctypes.util.find_library`, or at the path in the
``PAINT_GYM_LIBMYPAINT`` environment variable. Every function used gets its
``argtypes``/``restype`` here: without them ctypes passes floats and the double ``dtime``
as ints and the brush silently paints garbage.

Only the v1 API is used (``mypaint_brush_stroke_to`` + ``mypaint_surface_end_atomic``), which
is what a ``MyPaintFixedTiledSurface`` implements.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys

ENV_LIBRARY = "PAINT_GYM_LIBMYPAINT"
TILE = 64  # libmypaint's tile size in pixels
ONE = 1 << 15  # fixed-point 1.0 of the 16-bit premultiplied RGBA tiles
# Indices into the brush's ``states`` array (``MyPaintBrushState``); the first entries have kept
# their places since libmypaint 1.3 (only entries after them were added).
STATE_X = 0
STATE_Y = 1
STATE_PRESSURE = 2
STATE_ACTUAL_RADIUS = 4
# Names of the brush inputs (``MyPaintBrushInput``) of libmypaint 1.5/1.6; an older library
# answers -1 for those it lacks (``mypaint_brush_input_from_cname``).
INPUTS = (
    "pressure",
    "speed1",
    "speed2",
    "random",
    "stroke",
    "direction",
    "tilt_declination",
    "tilt_ascension",
    "custom",
    "direction_angle",
    "attack_angle",
    "tilt_declinationx",
    "tilt_declinationy",
    "gridmap_x",
    "gridmap_y",
    "viewzoom",
    "barrel_rotation",
    "brush_radius",
)

INSTALL_HINT = """\
libmypaint (the MyPaint brush engine, a C library) is needed to paint with the real program.
Install it with your system's package manager, then retry:
  Debian/Ubuntu:  sudo apt-get install libmypaint-1.5-1 mypaint-brushes
  Fedora:         sudo dnf install libmypaint mypaint-brushes
  macOS (brew):   brew install libmypaint mypaint-brushes
  conda-forge:    conda install -c conda-forge libmypaint mypaint-brushes
If it is installed somewhere unusual, point PAINT_GYM_LIBMYPAINT at the shared library file."""


class LibMyPaintNotFoundError(RuntimeError):
    """libmypaint could not be loaded; the message names the install command for each platform."""


class MyPaintRectangle(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int)]


class MyPaintTileRequest(ctypes.Structure):
    _fields_ = [
        ("tx", ctypes.c_int),
        ("ty", ctypes.c_int),
        ("readonly", ctypes.c_int),
        ("buffer", ctypes.POINTER(ctypes.c_uint16)),
        ("context", ctypes.c_void_p),
        ("thread_id", ctypes.c_int),
        ("mipmap_level", ctypes.c_int),
    ]


_P = ctypes.c_void_p
_F = ctypes.c_float
_I = ctypes.c_int
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "mypaint_brush_new": (_P, []),
    "mypaint_brush_unref": (None, [_P]),
    "mypaint_brush_from_string": (_I, [_P, ctypes.c_char_p]),
    "mypaint_brush_from_defaults": (None, [_P]),
    "mypaint_brush_reset": (None, [_P]),
    "mypaint_brush_new_stroke": (None, [_P]),
    "mypaint_brush_stroke_to": (_I, [_P, _P, _F, _F, _F, _F, _F, ctypes.c_double]),
    "mypaint_brush_set_base_value": (None, [_P, _I, _F]),
    "mypaint_brush_get_base_value": (_F, [_P, _I]),
    "mypaint_brush_setting_from_cname": (_I, [ctypes.c_char_p]),
    "mypaint_brush_input_from_cname": (_I, [ctypes.c_char_p]),
    "mypaint_brush_get_mapping_n": (_I, [_P, _I, _I]),
    "mypaint_brush_set_mapping_n": (None, [_P, _I, _I, _I]),
    "mypaint_brush_get_state": (_F, [_P, _I]),
    "mypaint_brush_set_state": (None, [_P, _I, _F]),
    "mypaint_fixed_tiled_surface_new": (_P, [_I, _I]),
    "mypaint_surface_begin_atomic": (None, [_P]),
    "mypaint_surface_end_atomic": (None, [_P, ctypes.POINTER(MyPaintRectangle)]),
    "mypaint_surface_unref": (None, [_P]),
    "mypaint_tile_request_init": (None, [ctypes.POINTER(MyPaintTileRequest), _I, _I, _I, _I]),
    "mypaint_tiled_surface_tile_request_start": (None, [_P, ctypes.POINTER(MyPaintTileRequest)]),
    "mypaint_tiled_surface_tile_request_end": (None, [_P, ctypes.POINTER(MyPaintTileRequest)]),
    # Exported (not in the public headers) helpers of the brush's own random generator.
    "rng_double_new": (_P, [ctypes.c_long]),
    "rng_double_free": (None, [_P]),
    "rng_double_set_seed": (None, [_P, ctypes.c_long]),
}


def _candidates() -> list[str]:
    override = os.environ.get(ENV_LIBRARY)
    if override:
        return [override]
    names = [ctypes.util.find_library(n) for n in ("mypaint-1.5", "mypaint-1.6", "mypaint")]
    fallbacks = {
        "linux": ["libmypaint-1.5.so.1", "libmypaint.so"],
        "darwin": ["/opt/homebrew/lib/libmypaint.dylib", "/usr/local/lib/libmypaint.dylib"],
    }.get(sys.platform, [])
    conda = os.environ.get("CONDA_PREFIX")
    if conda:
        fallbacks.append(os.path.join(conda, "lib", "libmypaint.so"))
    return [n for n in names if n] + fallbacks


@functools.lru_cache(maxsize=1)
def load() -> ctypes.CDLL:
    """Load libmypaint once per process and declare the signatures of the functions used."""
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as exc:
            errors.append(f"{path}: {exc}")
            continue
        missing = [name for name in _SIGNATURES if not hasattr(lib, name)]
        if missing:
            errors.append(f"{path}: not a usable libmypaint 1.5/1.6 (missing {', '.join(missing[:3])})")
            continue
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        return lib
    tried = "\n  ".join(errors) if errors else "(no candidate library file found)"
    where = f" (from {ENV_LIBRARY}={os.environ[ENV_LIBRARY]!r})" if os.environ.get(ENV_LIBRARY) else ""
    raise LibMyPaintNotFoundError(f"could not load libmypaint{where}. Tried:\n  {tried}\n{INSTALL_HINT}")
