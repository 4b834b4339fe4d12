"""The real painter: MyPaint's brush engine (libmypaint) driven through ctypes.

Three layers, each usable on its own:

* :class:`Surface` - a ``MyPaintFixedTiledSurface`` whose pixels are a numpy view (no copy).
* :class:`Brush` - a brush loaded from a ``.myb`` file, with a radius, a colour and a seedable
  random generator.
* :class:`MyPaintPainter` - the :class:`~paint_gym.painters.base.Painter` of the project: actions
  in, alpha maps or finished canvases out, reproducible for a given seed.

The action's size is the brush's radius. A libmypaint brush file may map its inputs onto the
radius (``radius_logarithmic``): ``classic/brush`` multiplied its radius by up to e^2.13 with
pressure (one full-pressure stroke covered 99.6% of a 64 px canvas), ``classic/pen`` by up to
1.7 with pressure and down to 0.44 with speed, ``classic/dry_brush`` by 0.80-1.04 with speed (so
its strokes got thinner on bigger canvases, where the same action moves faster in pixels per
second). :class:`Brush` removes every input mapping of the radius on load
(``radius_dynamics=False``), so libmypaint's radius is exactly the action's, at every pressure,
speed and canvas size. Pressure still sets how much paint lands (opacity, per the brush file)
and, for brushes that jitter their dabs (``offset_by_random``, ``radius_by_random``), how far
they scatter: ``classic/dry_brush`` (the paper's brush) offsets each dab by a Gaussian of 1.4 x
pressure radii (1.12 radii at full pressure), so its ink lands beyond the radius: the band
around a full-pressure stroke holding 95% of its ink is 2.7 radii wide on each side, and faint
dabs (alpha >= 1/255) reach 3.9 radii (one largest, full-pressure 32 px stroke touches up to 68% of a
64 px canvas). That texture is the brush's, kept as the paper painted it; :data:`INK_BANDS`
states, for every supported brush, how far its ink lands, and the test suite checks it.
``SUPPORTED_BRUSHES`` lists the brushes checked against this contract; loading any other brush
warns once (:class:`MyPaintPainter`).

Same seed, same actions, same pixels: every stroke starts from a reset brush whose random
generator is reseeded, and whose position filter starts at the stroke's first point (see
:meth:`Brush.stroke`), so a stroke does not depend on what the brush painted before.

Surfaces, brushes and painters can be copied (``copy.deepcopy``) and pickled: they are rebuilt
from their pixels, the brush file's text and their settings.

libmypaint is not thread-safe (it keeps static buffers); use processes for parallelism.
"""

from __future__ import annotations

import colorsys
import contextlib
import ctypes
import functools
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import actions as act
from ..canvas import background_rgb
from ..validation import check_canvas_size
from . import libmypaint as L
from .libmypaint import LibMyPaintNotFoundError  # noqa: F401  (re-exported)

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1), a region of a surface in pixels

ENV_BRUSH_DIR = "PAINT_GYM_BRUSH_DIR"
DEFAULT_BRUSH = "classic/dry_brush"
#: Brushes checked by the test suite against the action contract at the corners of pressure x
#: size on 64, 128 and 256 px canvases: libmypaint's own radius is the action's radius, a stroke
#: lays no more paint per unit length than a solid stroke twice its diameter, and its ink lands
#: within :data:`INK_BANDS`. Other brushes paint, with the same radius rule, unchecked: loading
#: one warns once (``classic/impressionism``'s full-pressure stroke touches 85% of a 64 px canvas,
#: ``experimental/hard_blot``'s 86%).
SUPPORTED_BRUSHES = ("classic/dry_brush", "classic/pen", "classic/brush", "classic/charcoal", "classic/pencil")
#: Where a supported brush's ink lands, in radii of the action's brush: ``(band_95, band_99)``,
#: the half-widths of the band around the stroke's path (distance to the nearest point of the
#: path) holding 95% and 99% of a stroke's alpha mass, at most ``band * radius + 1`` px (the 1 px
#: is the pixel grid). Measured on libmypaint's strokes (3 seeds) at pressures 0.04, 0.4 and 0.8
#: (actions -0.9, 0, 1) x the smallest and the largest size, on 64 and 128 px canvases; the
#: largest values measured, in radii (95% / 99%):
#:
#: * ``classic/dry_brush``: 2.72 / 3.25. Full pressure: 2.7 / 3.2 (largest size), 2.5 / 2.9
#:   (smallest); pressure 0.4: 1.5 / 1.9; 0.04: 0.7 / 0.9. Faint dabs (alpha >= 1/255) reach
#:   3.9 radii at full pressure (4.3 at the smallest size on 128 px).
#: * ``classic/pen``: 0.94 / 0.97, any pressure (a solid brush: no jitter).
#: * ``classic/brush``: 0.97 / 0.97 (1.6 px at the 1 px radius: antialiasing).
#: * ``classic/charcoal``: 3.31 / 3.98, at the lowest pressures (it scatters its dabs by
#:   1.6 - 1.4 x pressure radii: the lighter the touch, the wider); 1.3 / 1.7 at full pressure.
#:   Its 95% band is beyond 3 radii + 2 px at pressures below about 0.08 on the largest brush
#:   (52.5 px for a 16 px radius on 128 px), where it lays little ink.
#: * ``classic/pencil``: 1.09 / 1.47.
INK_BANDS: dict[str, tuple[float, float]] = {
    "classic/dry_brush": (2.8, 3.3),
    "classic/pen": (1.0, 1.0),
    "classic/brush": (1.0, 1.0),
    "classic/charcoal": (3.4, 4.0),
    "classic/pencil": (1.2, 1.5),
}
#: Time between ``stroke_to`` events in seconds; it feeds the brush's speed inputs, so it is fixed.
EVENT_DTIME = 0.01
#: The first event after a reset only positions the brush; a long pause stops ``slow_tracking``
#: from dragging the stroke's start toward the previous end point.
POSITION_DTIME = 10.0


def brush_dirs() -> list[Path]:
    """Folders searched for brushes by name, in order (``PAINT_GYM_BRUSH_DIR`` first)."""
    dirs = []
    if os.environ.get(ENV_BRUSH_DIR):
        dirs.append(Path(os.environ[ENV_BRUSH_DIR]))
    prefixes = ["/usr/share", "/usr/local/share", "/opt/homebrew/share"]
    if os.environ.get("CONDA_PREFIX"):
        prefixes.insert(0, os.path.join(os.environ["CONDA_PREFIX"], "share"))
    for prefix in prefixes:
        for version in ("1.0", "2.0"):
            dirs.append(Path(prefix) / "mypaint-data" / version / "brushes")
    return [d for d in dirs if d.is_dir()]


def list_brushes() -> list[str]:
    """Names (``"group/name"``) of the brushes installed, e.g. by the ``mypaint-brushes`` package."""
    names: set[str] = set()
    for d in brush_dirs():
        names.update(p.relative_to(d).with_suffix("").as_posix() for p in d.rglob("*.myb"))
    return sorted(names)


def resolve_brush(brush: str | os.PathLike) -> Path:
    """Path of a brush given by name (``"classic/dry_brush"``) or by path to a ``.myb`` file."""
    path = Path(brush)
    if path.suffix == ".myb" or path.is_file():
        if not path.is_file():
            raise FileNotFoundError(f"brush file {str(path)!r} does not exist")
        return path
    for d in brush_dirs():
        candidate = d / f"{brush}.myb"
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in brush_dirs()) or "no brush folder found"
    raise FileNotFoundError(
        f"no brush named {str(brush)!r} (searched: {searched}). Install the brushes "
        "(Debian/Ubuntu: apt-get install mypaint-brushes), set PAINT_GYM_BRUSH_DIR, pass a .myb "
        "path, or pick one of paint_gym.list_brushes()."
    )


@functools.lru_cache(maxsize=1)
def _rng_pointer_offset() -> int | None:
    """Byte offset of the ``RngDouble *`` inside libmypaint's ``MyPaintBrush`` struct.

    libmypaint seeds each brush's generator with 1000 and has no public call to reseed it.
    The exported ``rng_double_set_seed`` can, given the generator's address: we find that
    field by comparing a fresh brush's generator state with a fresh generator seeded 1000.
    Returns None when no unambiguous match exists (then seeding is unavailable).
    """
    lib = L.load()
    brush = lib.mypaint_brush_new()
    ref = lib.rng_double_new(1000)
    try:
        want = bytes((ctypes.c_char * 80).from_address(ref))  # ran_u[10] doubles
        words = (ctypes.c_uint64 * 64).from_address(brush)  # well inside the struct
        hits = [i * 8 for i, w in enumerate(words) if w and w % 8 == 0 and _read_memory(int(w), 80) == want]
        return hits[0] if len(hits) == 1 else None
    finally:
        lib.rng_double_free(ref)
        lib.mypaint_brush_unref(brush)


def _read_memory(address: int, size: int) -> bytes | None:
    """``size`` bytes at ``address`` of this process, or None where nothing is mapped.

    The struct scan above meets words that are not pointers; dereferencing one with ctypes
    could crash the interpreter. On Linux ``/proc/self/mem`` answers an unmapped address with an
    error instead; elsewhere only values that look like nearby heap pointers are read.
    """
    try:
        with open("/proc/self/mem", "rb", buffering=0) as mem:
            return os.pread(mem.fileno(), size, address)
    except (OSError, OverflowError, ValueError):
        if os.path.exists("/proc/self/mem"):
            return None  # Linux said: not mapped
    ref = ctypes.addressof(ctypes.c_char.from_buffer(bytearray(1)))
    if abs(address - ref) >= (1 << 28):
        return None
    return bytes((ctypes.c_char * size).from_address(address))


class Surface:
    """A transparent MyPaint canvas of ``width`` x ``height`` pixels backed by one numpy buffer.

    libmypaint's fixed tiled surface keeps all tiles in one contiguous buffer (tile-major,
    64x64x4 uint16 premultiplied RGBA per tile, 1.0 = 2**15), so ``self.tiles`` is a zero-copy
    view of it. A new surface is filled with 0xFFFF, so it is cleared here.
    """

    def __init__(self, width: int, height: int) -> None:
        self._lib = L.load()
        self.width, self.height = int(width), int(height)
        self._ptr = self._lib.mypaint_fixed_tiled_surface_new(self.width, self.height)
        if not self._ptr:
            raise MemoryError(f"libmypaint could not allocate a {width}x{height} surface")
        req = L.MyPaintTileRequest()
        self._lib.mypaint_tile_request_init(ctypes.byref(req), 0, 0, 0, 0)
        self._lib.mypaint_tiled_surface_tile_request_start(self._ptr, ctypes.byref(req))
        base = req.buffer
        self._lib.mypaint_tiled_surface_tile_request_end(self._ptr, ctypes.byref(req))
        shape = (-(-self.height // L.TILE), -(-self.width // L.TILE), L.TILE, L.TILE, 4)
        self.tiles = np.ctypeslib.as_array(base, shape=shape)
        self._rect = L.MyPaintRectangle()
        self.clear()

    @property
    def ptr(self) -> int:
        if not self._ptr:
            raise RuntimeError("this Surface was closed")
        return self._ptr

    def clear(self, box: Box | None = None) -> None:
        """Make every pixel (or those in ``box`` = ``(y0, y1, x0, x1)``) transparent."""
        if box is None:
            self.tiles.fill(0)
            return
        y0, y1, x0, x1 = box
        for ty in range(y0 // L.TILE, -(-y1 // L.TILE)):
            for tx in range(x0 // L.TILE, -(-x1 // L.TILE)):
                oy, ox = ty * L.TILE, tx * L.TILE
                self.tiles[ty, tx, max(y0 - oy, 0) : y1 - oy, max(x0 - ox, 0) : x1 - ox] = 0

    def begin(self) -> None:
        self._lib.mypaint_surface_begin_atomic(self.ptr)

    def end(self) -> Box | None:
        """Flush the dabs queued since :meth:`begin` into the pixels.

        Returns the changed region as ``(y0, y1, x0, x1)`` clipped to the surface (a 1 px margin
        around libmypaint's dirty rectangle), or None when nothing was painted.
        """
        r = self._rect
        self._lib.mypaint_surface_end_atomic(self.ptr, ctypes.byref(r))
        if r.width <= 0 or r.height <= 0:
            return None
        y0, x0 = max(r.y - 1, 0), max(r.x - 1, 0)
        y1, x1 = min(r.y + r.height + 1, self.height), min(r.x + r.width + 1, self.width)
        return (y0, y1, x0, x1) if y1 > y0 and x1 > x0 else None

    def rgba(self, box: Box | None = None) -> np.ndarray:
        """A copy of the pixels (or of ``box`` = ``(y0, y1, x0, x1)``) as ``(h, w, 4)`` uint16
        premultiplied RGBA (1.0 = 2**15). Only the tiles the box touches are copied."""
        y0, y1, x0, x1 = box or (0, self.height, 0, self.width)
        ty0, tx0 = y0 // L.TILE, x0 // L.TILE
        tiles = self.tiles[ty0 : -(-y1 // L.TILE), tx0 : -(-x1 // L.TILE)]
        if tiles.shape[:2] == (1, 1):
            region = tiles[0, 0]
        else:
            ny, nx = tiles.shape[:2]
            region = tiles.transpose(0, 2, 1, 3, 4).reshape(ny * L.TILE, nx * L.TILE, 4)
        oy, ox = ty0 * L.TILE, tx0 * L.TILE
        return region[y0 - oy : y1 - oy, x0 - ox : x1 - ox].copy()

    def alpha(self, box: Box | None = None) -> np.ndarray:
        """Alpha ``(h, w)`` float32 in [0, 1] of the whole surface or of ``box``."""
        return self.rgba(box)[..., 3].astype(np.float32) * np.float32(1.0 / L.ONE)

    def close(self) -> None:
        """Free libmypaint's surface; the Surface is unusable afterwards (closing twice is fine)."""
        if self._ptr:
            self.tiles = np.zeros((0, 0, L.TILE, L.TILE, 4), np.uint16)  # drop the view first
            self._lib.mypaint_surface_unref(self._ptr)
            self._ptr = None

    # -- copy.deepcopy and pickle: a new libmypaint surface with the same pixels ---------------
    def __getstate__(self) -> dict[str, object]:
        closed = not self._ptr
        return {"width": self.width, "height": self.height, "tiles": None if closed else self.tiles.copy()}

    def __setstate__(self, state: dict[str, object]) -> None:
        self._ptr = None
        self.__init__(state["width"], state["height"])  # type: ignore[misc]
        if state["tiles"] is None:
            self.close()
        else:
            self.tiles[...] = state["tiles"]

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit libmypaint may be gone
            self.close()


class Brush:
    """A libmypaint brush loaded from a ``.myb`` file, with a settable radius, colour and seed.

    Args:
        brush: a brush name from :func:`list_brushes` or a path to a ``.myb`` file.
        radius_dynamics: keep the brush file's mappings from its inputs (pressure, speed,
            random, ...) onto the radius. Off by default: the radius is then exactly the one
            given to :meth:`set_radius` (the action contract; see the module docstring).

    Raises ``FileNotFoundError`` for an unknown brush and ``ValueError`` for a file libmypaint
    cannot parse. A Brush can be deep-copied and pickled (it is rebuilt from the file's text,
    radius, colour and last seed).
    """

    def __init__(self, brush: str | os.PathLike = DEFAULT_BRUSH, *, radius_dynamics: bool = False) -> None:
        self._ptr = None
        self.path = resolve_brush(brush)
        self._load(self.path.read_bytes(), radius_dynamics)

    def _load(self, source: bytes, radius_dynamics: bool) -> None:
        self._lib = lib = L.load()
        self._ptr = lib.mypaint_brush_new()
        lib.mypaint_brush_from_defaults(self._ptr)
        if not lib.mypaint_brush_from_string(self._ptr, source):
            lib.mypaint_brush_unref(self._ptr)
            self._ptr = None
            raise ValueError(f"libmypaint could not parse the brush file {str(self.path)!r}")
        self._source = source
        self.radius_dynamics = bool(radius_dynamics)

        def setting(name: str) -> int:
            return lib.mypaint_brush_setting_from_cname(name.encode())

        self._radius_id = setting("radius_logarithmic")
        self._hsv_ids = [setting(n) for n in ("color_h", "color_s", "color_v")]
        if not self.radius_dynamics:
            for name in L.INPUTS:
                index = lib.mypaint_brush_input_from_cname(name.encode())
                if index >= 0:
                    lib.mypaint_brush_set_mapping_n(self._ptr, self._radius_id, index, 0)
        self._rng = self._find_rng()
        self._seed: int | None = None
        self._color: tuple[float, float, float] | None = None
        self._radius: float | None = None

    def _find_rng(self) -> int | None:
        offset = _rng_pointer_offset()
        if offset is None:
            return None
        return ctypes.c_void_p.from_address(self._ptr + offset).value

    @property
    def seedable(self) -> bool:
        """Whether :meth:`seed` works with this libmypaint build."""
        return self._rng is not None

    @property
    def ptr(self) -> int:
        """The ``MyPaintBrush *``; raises ``RuntimeError`` once the brush was closed."""
        if not self._ptr:
            raise RuntimeError("this Brush was closed")
        return self._ptr

    def radius_inputs(self) -> list[str]:
        """Names of the inputs that change the radius: none unless ``radius_dynamics=True``
        (then e.g. ``["speed2"]`` for ``classic/dry_brush``)."""
        lib, ptr = self._lib, self.ptr
        ids = [(name, lib.mypaint_brush_input_from_cname(name.encode())) for name in L.INPUTS]
        return [name for name, i in ids if i >= 0 and lib.mypaint_brush_get_mapping_n(ptr, self._radius_id, i) > 0]

    def actual_radius(self) -> float:
        """libmypaint's current radius in pixels (after its input mappings), as of the last event."""
        return float(self._lib.mypaint_brush_get_state(self.ptr, L.STATE_ACTUAL_RADIUS))

    def seed(self, seed: int) -> None:
        """Reseed the brush's random generator (dab jitter); libmypaint uses the low 30 bits.

        Raises ``RuntimeError`` where this libmypaint build does not allow it (see
        :attr:`seedable`).
        """
        if self._rng is None:
            raise RuntimeError(
                "this libmypaint build does not allow reseeding its brushes; create a fresh Brush "
                "for each episode to get reproducible (but seed-independent) strokes"
            )
        self._seed = int(seed) & 0x3FFFFFFF
        self._lib.rng_double_set_seed(self._rng, self._seed)

    def set_radius(self, radius_px: float) -> None:
        """Set the radius in pixels (> 0); libmypaint stores its logarithm as the base value."""
        if radius_px != self._radius:
            self._lib.mypaint_brush_set_base_value(self.ptr, self._radius_id, math.log(radius_px))
            self._radius = radius_px

    def set_color(self, rgb: Sequence[float]) -> None:
        """Set the brush colour from RGB in [0, 1] (libmypaint stores it as HSV)."""
        rgb = tuple(float(c) for c in rgb)
        if rgb != self._color:
            for sid, value in zip(self._hsv_ids, colorsys.rgb_to_hsv(*rgb), strict=True):
                self._lib.mypaint_brush_set_base_value(self.ptr, sid, value)
            self._color = rgb

    def stroke(
        self, surface: Surface, xs: Sequence[float], ys: Sequence[float], pressures: Sequence[float]
    ) -> Box | None:
        """Paint one stroke through the points (pixels) with the given pressures, then flush it.

        The brush is reset first, so strokes are independent of each other except through the
        random generator (reseed it for reproducibility). Returns the changed region
        (see :meth:`Surface.end`).

        libmypaint applies a requested reset only after its position filter (``slow_tracking``)
        has moved the first event: ``x' = x_prev + (x - x_prev) * fac``, in float32, from the
        previous stroke's last position. Even with ``fac == 1`` the rounding moved the start by
        an ulp, and with it every dab (a 1/255 difference between a fresh and a used painter).
        The filter therefore starts at this stroke's first point, where it is exact.
        """
        lib, b, s = self._lib, self.ptr, surface.ptr
        stroke_to = lib.mypaint_brush_stroke_to
        lib.mypaint_brush_set_state(b, L.STATE_X, xs[0])
        lib.mypaint_brush_set_state(b, L.STATE_Y, ys[0])
        lib.mypaint_brush_set_state(b, L.STATE_PRESSURE, 0.0)
        lib.mypaint_brush_reset(b)
        lib.mypaint_brush_new_stroke(b)
        surface.begin()
        stroke_to(b, s, xs[0], ys[0], 0.0, 0.0, 0.0, POSITION_DTIME)
        for x, y, p in zip(xs, ys, pressures, strict=True):
            stroke_to(b, s, x, y, p, 0.0, 0.0, EVENT_DTIME)
        return surface.end()

    def close(self) -> None:
        """Free libmypaint's brush; the Brush is unusable afterwards (closing twice is fine)."""
        if self._ptr:
            self._lib.mypaint_brush_unref(self._ptr)
            self._ptr = None
            self._rng = None

    # -- copy.deepcopy and pickle: rebuilt from the brush file's text and its settings ------
    def __getstate__(self) -> dict[str, object]:
        """The brush file's text, radius, colour and last seed (a copy's generator restarts from
        that seed; :class:`MyPaintPainter` reseeds before every stroke, so its copies are exact)."""
        return {
            "path": self.path,
            "source": self._source,
            "radius_dynamics": self.radius_dynamics,
            "radius": self._radius,
            "color": self._color,
            "seed": self._seed,
            "closed": not self._ptr,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self._ptr = None
        self.path = state["path"]
        self._load(state["source"], state["radius_dynamics"])  # type: ignore[arg-type]
        if state["radius"] is not None:
            self.set_radius(state["radius"])  # type: ignore[arg-type]
        if state["color"] is not None:
            self.set_color(state["color"])  # type: ignore[arg-type]
        if state["seed"] is not None and self.seedable:
            self.seed(state["seed"])  # type: ignore[arg-type]
        if state["closed"]:
            self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit libmypaint may be gone
            self.close()


@functools.lru_cache(maxsize=1)
def _supported_sources() -> frozenset[bytes]:
    """The file contents of the installed supported brushes (a brush is known by its text)."""
    sources = set()
    for name in SUPPORTED_BRUSHES:
        with contextlib.suppress(OSError):
            sources.add(resolve_brush(name).read_bytes())
    return frozenset(sources)


_warned_brushes: set[str] = set()


def warn_if_unsupported(name: str | os.PathLike, brush: Brush) -> None:
    """Warn once per brush and process (``UserWarning``) if ``brush`` is not one of
    ``SUPPORTED_BRUSHES``, compared by the brush file's contents."""
    if brush._source in _supported_sources():
        return
    key = str(brush.path)
    if key in _warned_brushes:
        return
    _warned_brushes.add(key)
    warnings.warn(
        f"brush {os.fspath(name)!r} is not one of paint_gym's SUPPORTED_BRUSHES {SUPPORTED_BRUSHES}: its ink is not "
        "checked against the action contract and may land far beyond the action's radius (classic/impressionism's "
        "full-pressure stroke touches 85% of a 64 px canvas); results are not comparable with the benchmark's, "
        "which uses classic/dry_brush",
        UserWarning,
        stacklevel=3,
    )


class MyPaintPainter:
    """The real painter: strokes painted by libmypaint, reproducible for a given seed.

    A numpy :class:`~paint_gym.painters.base.Painter` (``render_alpha``) and
    :class:`~paint_gym.painters.base.CanvasPainter` (``paint`` and ``reseed``).

    Args:
        canvas_size: side of the square canvas in pixels.
        brush: a brush name from :func:`list_brushes` or a path to a ``.myb`` file. The default,
            ``classic/dry_brush``, is the paper's; see ``SUPPORTED_BRUSHES``.
        seed: seed of the generator that reseeds the brush before every stroke. The same seed and
            actions give the same pixels, for a fresh painter and for one that painted before
            (:meth:`reseed`); ``None`` draws a fresh seed.

    A brush outside ``SUPPORTED_BRUSHES`` (by its file's contents: a copy of a supported brush
    file is supported) paints, but warns once per brush and process with a ``UserWarning``: its
    ink is not checked against the action contract and may land far beyond the radius.

    The brush's radius is the action's at every pressure and speed (see the module docstring).
    ``copy.deepcopy`` and ``pickle`` give a painter with its own libmypaint surface and brush,
    the same pixels and the same stroke-seed generator state: it paints what the original would.
    """

    def __init__(
        self, canvas_size: int = 64, brush: str | os.PathLike = DEFAULT_BRUSH, seed: int | None = None
    ) -> None:
        self.canvas_size = check_canvas_size(canvas_size)
        self.brush = Brush(brush)
        warn_if_unsupported(brush, self.brush)
        if not self.brush.seedable:
            warnings.warn(
                "libmypaint brush seeding is unavailable: strokes will not depend on the seed",
                RuntimeWarning,
                stacklevel=2,
            )
        self.surface = Surface(self.canvas_size, self.canvas_size)
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        """Restart the painter's random stream (the brush is reseeded from it before each stroke)."""
        self._rng = np.random.default_rng(seed)

    def _next_stroke_seed(self) -> None:
        seed = int(self._rng.integers(0, 1 << 30))
        if self.brush.seedable:
            self.brush.seed(seed)

    def paint_strokes(self, actions: np.ndarray) -> Box | None:
        """Paint validated actions ``(T, 12)`` onto the current surface, in colour, one by one.

        Returns the region that changed, ``(y0, y1, x0, x1)``, or None.
        """
        strokes = act.to_physical(actions, self.canvas_size)
        xs, ys = strokes.points[..., 0].tolist(), strokes.points[..., 1].tolist()
        ps, radii, colors = strokes.pressures.tolist(), strokes.radius.tolist(), strokes.color.tolist()
        changed = None
        for i in range(len(radii)):
            self._next_stroke_seed()
            self.brush.set_radius(radii[i])
            self.brush.set_color(colors[i])
            changed = union(changed, self.brush.stroke(self.surface, xs[i], ys[i], ps[i]))
        return changed

    def render_alpha(self, actions: np.ndarray) -> np.ndarray:
        """Alpha maps ``(B, H, W)`` float32 in [0, 1] of strokes ``(B, 12)``, each painted alone."""
        a = act.validate_actions(actions, batch_ndim=2)
        out = np.zeros((len(a), self.canvas_size, self.canvas_size), np.float32)
        self.surface.clear()
        for i in range(len(a)):
            box = self.paint_strokes(a[i : i + 1])
            if box is not None:  # read and clear only what the stroke touched
                y0, y1, x0, x1 = box
                out[i, y0:y1, x0:x1] = self.surface.alpha(box)
                self.surface.clear(box)
        return out

    def paint(self, actions: np.ndarray, background: str | Sequence[float] = "white") -> np.ndarray:
        """Paint stroke sequences ``(T, 12)`` or ``(B, T, 12)`` onto fresh canvases.

        Each sequence is painted stroke after stroke on one MyPaint surface (the real program's
        semantics), then laid over ``background`` (``"white"``, ``"black"`` or RGB in [0, 1]).
        Returns uint8 canvases ``(H, W, 3)`` or ``(B, H, W, 3)``.
        """
        a = act.validate_actions(actions, batch_ndim=(2, 3))
        batch = a if a.ndim == 3 else a[None]
        bg = background_rgb(background)
        out = np.empty((len(batch), self.canvas_size, self.canvas_size, 3), np.uint8)
        for i, seq in enumerate(batch):
            self.surface.clear()
            self.paint_strokes(seq)
            out[i] = rgba_over_background(self.surface.rgba(), bg)
        return out if a.ndim == 3 else out[0]

    def close(self) -> None:
        self.surface.close()
        self.brush.close()


def union(a: Box | None, b: Box | None) -> Box | None:
    """The smallest box ``(y0, y1, x0, x1)`` holding both (None is empty)."""
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


def rgba_over_background(rgba: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Lay premultiplied 15-bit RGBA ``(H, W, 4)`` over an RGB background in [0, 1] -> uint8.

    ``rgb + (1 - alpha) * background`` in 15-bit units, then scaled to 0..255 and rounded.
    """
    f = rgba.astype(np.float32)
    out = f[..., :3] + (np.float32(L.ONE) - f[..., 3:]) * background.astype(np.float32)
    out *= np.float32(255.0 / L.ONE)
    out += np.float32(0.5)
    np.minimum(out, 255.0, out=out)  # premultiplied colour never exceeds alpha: no lower clip
    return out.astype(np.uint8)
