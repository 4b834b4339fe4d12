"""The stroke action contract: layout, bounds, physical mapping and the discrete mode.

Every painter (the real MyPaint program and the neural painters) and every env reads
actions through this module, so a stroke means the same thing everywhere.

A continuous action is a float vector in ``[-1, 1]^12`` with the named layout
``start_pressure, end_pressure, size, red, green, blue, start_x, start_y, control_x,
control_y, end_x, end_y``. :func:`to_physical` maps it to pixels, a radius and
pressures; no other module indexes into an action by number.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from .validation import check_int

FIELDS: tuple[str, ...] = (
    "start_pressure",
    "end_pressure",
    "size",
    "red",
    "green",
    "blue",
    "start_x",
    "start_y",
    "control_x",
    "control_y",
    "end_x",
    "end_y",
)
ACTION_DIM = len(FIELDS)

# Named index constants (the only place where positions are written down).
START_PRESSURE, END_PRESSURE, SIZE, RED, GREEN, BLUE = range(6)
START_X, START_Y, CONTROL_X, CONTROL_Y, END_X, END_Y = range(6, 12)
COLOR = slice(RED, BLUE + 1)
PRESSURE = slice(START_PRESSURE, END_PRESSURE + 1)

#: Pressure is scaled to [0, MAX_PRESSURE], as in the neural painters paper's code.
MAX_PRESSURE = 0.8
#: Radius range in pixels on a 64 px canvas; it scales linearly with the canvas.
MIN_RADIUS_64 = 1.0
MAX_RADIUS_64 = 8.0
#: Number of points sampled along the Bezier curve (``stroke_to`` events per stroke).
STROKE_POINTS = 40


def action_space() -> gym.spaces.Box:
    """The continuous action space: ``Box(-1, 1, (12,), float32)``."""
    return gym.spaces.Box(-1.0, 1.0, shape=(ACTION_DIM,), dtype=np.float32)


#: torch float dtypes numpy has (others, such as bfloat16 and the float8 types, are widened to float32).
_NUMPY_FLOATS = ("torch.float16", "torch.float32", "torch.float64")


def to_numpy(x: object) -> object:
    """A torch tensor as a numpy array: detached from autograd (also one that requires grad),
    copied to the CPU, and float dtypes numpy lacks (``bfloat16``, the float8 types) widened to
    float32 first (exactly: every bfloat16 is a float32). Anything else is returned unchanged.
    The one torch -> numpy crossing of the public functions that take arrays; torch is not
    imported here."""
    if not (callable(getattr(x, "detach", None)) and callable(getattr(x, "cpu", None))):
        return x
    tensor = x.detach().cpu()
    if tensor.is_floating_point() and str(tensor.dtype) not in _NUMPY_FLOATS:
        tensor = tensor.float()
    return tensor.numpy()


def validate_actions(actions: object, *, batch_ndim: int | tuple[int, ...] = (1, 2)) -> np.ndarray:
    """Check ``actions`` and return them clipped to ``[-1, 1]`` as float32.

    Accepts array-likes whose last axis has 12 entries and whose number of dimensions is in
    ``batch_ndim``. Out-of-range values are clipped (RL policies overshoot); NaN/inf, a wrong
    shape or a non-numeric dtype raise ``ValueError`` naming the problem, because silently
    painting garbage would corrupt an episode. Finiteness is checked in the input's own dtype
    and values are clipped before the cast to float32, so a finite float64 beyond float32's
    range (``1e39``) is clipped to 1, not reported as inf. A torch tensor (also one that
    requires grad, on any device, of any float dtype including bfloat16) is read as its detached
    values (:func:`to_numpy`), without importing torch here.
    """
    allowed = (batch_ndim,) if isinstance(batch_ndim, int) else batch_ndim
    try:
        arr = np.asarray(to_numpy(actions))
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"actions could not be read as an array: {exc}") from exc
    if arr.dtype.kind not in "fiub":  # float, signed, unsigned, bool; not complex/str/object
        raise ValueError(
            f"actions must be real numbers (float32 in [-1, 1]); got dtype {arr.dtype}. "
            "Convert with np.asarray(action, dtype=np.float32)."
        )
    if arr.ndim not in allowed or arr.shape[-1] != ACTION_DIM:
        want = " or ".join(f"{n}-d" for n in allowed)
        raise ValueError(
            f"actions must be {want} with last axis {ACTION_DIM} ({', '.join(FIELDS)}); got shape {arr.shape}"
        )
    if arr.dtype.kind == "f":  # in the input's dtype: float64 1e39 is finite, float32 would make it inf
        finite = np.isfinite(arr)
        if not finite.all():
            bad = np.argwhere(~finite)[0]
            raise ValueError(
                f"actions contain NaN or inf (first at index {tuple(int(i) for i in bad)}, "
                f"field {FIELDS[int(bad[-1])]!r}); every entry must be a finite number in [-1, 1]"
            )
        return np.clip(arr, -1.0, 1.0).astype(np.float32, copy=False)
    return np.clip(arr.astype(np.float32), -1.0, 1.0)  # integers and bools: exact up to 2**24, then clipped


def radius_range(canvas_size: int) -> tuple[float, float]:
    """Minimum and maximum brush radius in pixels for a canvas of ``canvas_size`` pixels."""
    scale = canvas_size / 64.0
    return MIN_RADIUS_64 * scale, MAX_RADIUS_64 * scale


@dataclass(frozen=True)
class Stroke:
    """A batch of strokes in physical units (all arrays have leading batch shape ``(B,)``).

    ``points`` are ``(B, P, 2)`` pixel coordinates along the quadratic Bezier curve and
    ``pressures`` the ``(B, P)`` pen pressures in ``[0, MAX_PRESSURE]`` at those points;
    ``radius`` is in pixels, ``color`` is RGB in ``[0, 1]``.
    """

    points: np.ndarray
    pressures: np.ndarray
    radius: np.ndarray
    color: np.ndarray


def _unit(x: np.ndarray) -> np.ndarray:
    return (x + 1.0) * 0.5


@functools.lru_cache(maxsize=16)
def _curve_basis(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``t`` ``(n,)`` and the weights ``(n, 3)`` of start, through-point and end along the curve.

    The curve passes through the through-point at t = 0.5, so its Bezier control point is
    ``2 * through - (start + end) / 2``; folding that into the Bernstein weights gives
    ``B(t) = w0 * start + w1 * through + w2 * end`` (cached: this is on every step's path).
    """
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    b0, b1, b2 = (1 - t) ** 2, 2 * (1 - t) * t, t**2
    weights = np.stack([b0 - 0.5 * b1, 2.0 * b1, b2 - 0.5 * b1], axis=1)
    weights.flags.writeable = False
    t.flags.writeable = False
    return t, weights


def _curve_basis_tensor(n: int, like: Any) -> tuple[Any, Any]:
    """:func:`_curve_basis` as torch tensors on ``like``'s device and dtype, computed by torch
    with the same float32 arithmetic (so the same values), and no numpy: a numpy array inside
    a traced function breaks ``torch.compile(fullgraph=True)`` (its read-only flag cannot be
    traced). ``like`` is a tensor, so torch is already loaded."""
    import torch

    t = torch.linspace(0.0, 1.0, n, dtype=torch.float64).to(torch.float32)  # np.linspace's float64, then float32
    b0, b1, b2 = (1 - t) ** 2, 2 * (1 - t) * t, t**2
    weights = torch.stack([b0 - 0.5 * b1, 2.0 * b1, b2 - 0.5 * b1], dim=1)
    return t.to(like.device, like.dtype), weights.to(like.device, like.dtype)


def bezier_points(start: np.ndarray, through: np.ndarray, end: np.ndarray, n: int) -> np.ndarray:
    """Points ``(B, n, 2)`` on the quadratic Bezier from ``start`` to ``end`` passing ``through``.

    Agents point at a place the stroke really visits (the curve's midpoint), not at an
    off-curve control point.
    """
    _, weights = _curve_basis(n)
    return weights @ np.stack([start, through, end], axis=1)


def to_physical(actions: np.ndarray, canvas_size: int, n_points: int = STROKE_POINTS) -> Stroke:
    """Map validated actions ``(B, 12)`` in ``[-1, 1]`` to physical strokes on the canvas.

    Coordinates map linearly onto ``[0, canvas_size]`` pixels; the radius is log-uniform in
    :func:`radius_range`; pressure runs linearly from start to end along the curve, scaled to
    ``[0, MAX_PRESSURE]``; colour maps to ``[0, 1]``.

    ``actions`` may be a numpy array (the real painter) or a torch tensor (the dab painter,
    :mod:`paint_gym.painters.dab`): a tensor gives tensors on its device and dtype, differentiable
    with respect to the actions, so every painter reads a stroke through this one mapping. torch
    is not imported here.
    """
    if hasattr(actions, "new_tensor"):  # a torch tensor: the same arithmetic, on its device
        u = _unit(actions.reshape(-1, ACTION_DIM))
        t, weights = _curve_basis_tensor(n_points, actions)
    else:
        u = _unit(np.asarray(actions, dtype=np.float32).reshape(-1, ACTION_DIM))
        t, weights = _curve_basis(n_points)
    anchors = (u[:, START_X:] * canvas_size).reshape(-1, 3, 2)  # start, through, end
    points = weights @ anchors
    pressures = MAX_PRESSURE * (u[:, [START_PRESSURE]] + (u[:, [END_PRESSURE]] - u[:, [START_PRESSURE]]) * t)
    r_min, r_max = radius_range(canvas_size)
    radius = r_min * (r_max / r_min) ** u[:, SIZE]
    return Stroke(points=points, pressures=pressures, radius=radius, color=u[:, COLOR])


def colors_of(actions: np.ndarray) -> np.ndarray:
    """RGB colours ``(..., 3)`` in ``[0, 1]`` of validated actions ``(..., 12)`` (numpy or torch)."""
    a = actions if hasattr(actions, "shape") else np.asarray(actions)
    return _unit(a[..., COLOR])


# ----------------------------------------------------------------------------------------
# Discrete (SPIRAL-style) mode
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscreteActions:
    """SPIRAL-style discrete actions mapped onto the same physical strokes.

    Layout of the ``MultiDiscrete`` vector: ``end_x, end_y, control_x, control_y`` on a
    ``grid`` x ``grid`` lattice over the canvas, ``lift`` (1 = move the pen without painting),
    ``pressure`` (``pressure_levels`` levels), ``size`` (``size_levels``), then
    ``red, green, blue`` (``color_levels`` each). As in SPIRAL, a stroke starts where the pen
    is (the previous end point), so the env keeps the pen position.
    """

    grid: int = 32
    pressure_levels: int = 10
    size_levels: int = 4
    color_levels: int = 4

    FIELDS = ("end_x", "end_y", "control_x", "control_y", "lift", "pressure", "size", "red", "green", "blue")

    def __post_init__(self) -> None:
        """Every field is an integer of at least 2 (:func:`~paint_gym.validation.check_int`:
        ``32.0`` is 32; ``32.5``, ``"32"`` and bools raise ``ValueError``, never truncated)."""
        for name in ("grid", "pressure_levels", "size_levels", "color_levels"):
            object.__setattr__(self, name, check_int(f"DiscreteActions.{name}", getattr(self, name), low=2))

    @property
    def nvec(self) -> np.ndarray:
        g = self.grid
        c = self.color_levels
        return np.array([g, g, g, g, 2, self.pressure_levels, self.size_levels, c, c, c], dtype=np.int64)

    def space(self) -> gym.spaces.MultiDiscrete:
        return gym.spaces.MultiDiscrete(self.nvec)

    def validate(self, action: object) -> np.ndarray:
        """Return ``action`` as an int64 vector, or raise ``ValueError`` if it is not in the space.

        Array-likes and torch tensors (also one that requires grad) are accepted."""
        try:
            arr = np.asarray(to_numpy(action))
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"discrete action could not be read as an array: {exc}") from exc
        if arr.shape != (len(self.FIELDS),):
            raise ValueError(
                f"discrete action must have shape ({len(self.FIELDS)},) ({', '.join(self.FIELDS)}); got {arr.shape}"
            )
        if not np.issubdtype(arr.dtype, np.integer):
            if np.issubdtype(arr.dtype, np.floating) and np.isfinite(arr).all() and (arr == np.round(arr)).all():
                arr = arr.astype(np.int64)
            else:
                raise ValueError(
                    f"discrete action must hold integers; got dtype {arr.dtype} with values {arr.tolist()}"
                )
        arr = arr.astype(np.int64)
        if (arr < 0).any() or (arr >= self.nvec).any():
            raise ValueError(f"discrete action {arr.tolist()} is outside 0..nvec-1 with nvec {self.nvec.tolist()}")
        return arr

    def to_continuous(self, action: object, pen: np.ndarray) -> tuple[np.ndarray, bool]:
        """Map one discrete action to ``(continuous action (12,), paints)``.

        ``pen`` is the current pen position in action coordinates ``[-1, 1]^2`` (the start of
        the stroke). ``paints`` is False for a lift (a pen move that leaves no paint).
        """
        strokes, paints = self.to_continuous_batch(self.validate(action)[None], np.asarray(pen)[None])
        return strokes[0], bool(paints[0])

    def to_continuous_batch(self, actions: np.ndarray, pens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`to_continuous` for a batch: validated discrete actions ``(B, F)`` (see
        :meth:`validate`) and pen positions ``(B, 2)`` -> continuous strokes ``(B, 12)`` float32
        and whether each paints ``(B,)`` bool. Each level ``i`` of ``n`` is ``-1 + 2 i / (n - 1)``."""
        levels = -1.0 + 2.0 * actions / (self.nvec - 1)  # float64 (B, F), rounded to float32 once below
        out = np.zeros((len(actions), ACTION_DIM), dtype=np.float32)
        out[:, START_PRESSURE] = out[:, END_PRESSURE] = levels[:, 5]
        out[:, SIZE] = levels[:, 6]
        out[:, COLOR] = levels[:, 7:10]
        out[:, START_X : START_Y + 1] = np.clip(pens, -1.0, 1.0)
        out[:, CONTROL_X] = levels[:, 2]
        out[:, CONTROL_Y] = levels[:, 3]
        out[:, END_X] = levels[:, 0]
        out[:, END_Y] = levels[:, 1]
        return out, actions[:, 4] == 0


def end_point(action: np.ndarray) -> np.ndarray:
    """The stroke's end point ``(2,)`` in action coordinates (where the pen rests afterwards)."""
    return np.asarray(action, dtype=np.float32)[END_X : END_Y + 1].copy()
