"""Compositing, image conversions and THE image metric: one rule for numpy arrays and torch tensors.

A painter predicts where and how much paint lands (alpha); the stroke's colour is applied
here exactly, with the "over" rule ``canvas' = canvas * (1 - alpha) + colour * alpha``.

Image layouts (one per library, at every public boundary of paint_gym):

* **numpy** images are channels-last uint8 ``(B, H, W, 3)`` (or one ``(H, W, 3)``) in 0..255:
  Gymnasium observations, targets, what :func:`~paint_gym.replay` returns. Float numpy
  canvases in [0, 1] are channels-last too (``(..., H, W, 3)``, :func:`composite`'s layout).
* **torch** images are channels-first float ``(B, 3, H, W)`` in [0, 1], torch's convention:
  :func:`paint_differentiable`, ``NeuralPaintEnv.paint`` and :mod:`paint_gym.param` return
  them, :func:`expected_mse` takes them.

Cross between the two only with :func:`to_float_tensor` (uint8 ``(B, H, W, 3)`` -> float
``(B, 3, H, W)``) and :func:`to_uint8_array` (the way back, rounded); within numpy use
:func:`to_float` and :func:`to_uint8`. The image metric is :func:`mse` (float images in [0, 1],
numpy or torch, per image over the last three axes) and :func:`mse_uint8` (uint8 images, exact
at any size); every MSE the benchmark reports is one of these two. :func:`composite`,
:func:`composite_sequence` and :func:`composite_moments` are the elementwise rule itself and
take channels-last arrays (torch tensors in that layout too, inside the library).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .actions import ACTION_DIM, colors_of, validate_actions
from .validation import background_rgb  # the background rule lives with the other argument checks

if TYPE_CHECKING:
    import torch

    from .painters.base import DifferentiablePainter

Array = TypeVar("Array")  # np.ndarray or torch.Tensor


def composite(canvas: Array, alpha: Array, color: Array) -> Array:
    """Lay a stroke over a canvas: ``canvas * (1 - alpha) + color * alpha``.

    Args:
        canvas: ``(..., H, W, 3)`` in [0, 1].
        alpha: ``(..., H, W)`` in [0, 1], the stroke's coverage.
        color: ``(..., 3)`` in [0, 1], one colour per stroke.

    Works unchanged on numpy arrays and (differentiably) on torch tensors; on tensors it is one
    fused ``torch.lerp`` (it is memory-bound; the four-operation form is slower: docs/envs.md),
    equal to within float rounding.
    """
    a = alpha[..., None]
    if isinstance(canvas, np.ndarray):
        return canvas * (1 - a) + color[..., None, None, :] * a
    import torch

    return torch.lerp(canvas, color[..., None, None, :], a)


def composite_sequence(canvas: Array, alphas: Array, colors: Array) -> Array:
    """Composite T strokes in order: ``alphas`` ``(..., T, H, W)``, ``colors`` ``(..., T, 3)``."""
    for t in range(alphas.shape[-3]):
        canvas = composite(canvas, alphas[..., t, :, :], colors[..., t, :])
    return canvas


def blank_canvas(size: int, background: str | Sequence[float] = "white", batch: tuple[int, ...] = ()) -> np.ndarray:
    """A float32 canvas ``(*batch, size, size, 3)`` filled with the background colour."""
    return np.broadcast_to(background_rgb(background), (*batch, size, size, 3)).astype(np.float32)


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 image in 0..255 -> float32 in [0, 1], layout unchanged (numpy)."""
    return np.asarray(image, dtype=np.float32) / np.float32(255.0)


def to_uint8(canvas: np.ndarray) -> np.ndarray:
    """Float canvas in [0, 1] -> uint8 in 0..255 (rounded half up, clipped), layout unchanged (numpy)."""
    return np.clip(np.asarray(canvas) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def to_float_tensor(images: np.ndarray | torch.Tensor, device: str | torch.device | None = None) -> torch.Tensor:
    """uint8 images ``(..., H, W, 3)`` (numpy or a uint8 tensor) -> float32 ``(..., 3, H, W)`` in [0, 1].

    The numpy -> torch crossing of the image layouts (see the module docstring); the values are
    exactly :func:`to_float`'s. Raises ``ValueError`` for another dtype or a last axis other than 3.
    """
    import torch

    x = torch.as_tensor(images, device=device)
    if x.dtype != torch.uint8 or x.ndim < 3 or x.shape[-1] != 3:
        raise ValueError(
            f"to_float_tensor takes uint8 images (..., H, W, 3), channels last; got {x.dtype} {tuple(x.shape)}"
        )
    return x.movedim(-1, -3).float() / 255.0


def to_uint8_array(images: torch.Tensor) -> np.ndarray:
    """Float images ``(..., 3, H, W)`` in [0, 1] (torch) -> uint8 numpy ``(..., H, W, 3)``, rounded.

    The torch -> numpy crossing of the image layouts: detached, clipped to [0, 1] and rounded
    half up on the tensor's device, with exactly :func:`to_uint8`'s values; then copied to the CPU.
    """
    import torch

    if images.ndim < 3 or images.shape[-3] != 3:
        raise ValueError(f"to_uint8_array takes float images (..., 3, H, W), channels first; got {tuple(images.shape)}")
    scaled = images.detach().clamp(0, 1).mul_(255).add_(0.5)  # in place on clamp's new tensor
    return scaled.to(torch.uint8).movedim(-3, -1).cpu().numpy()


def _is_integer(x: Any) -> bool:
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "biu"
    is_floating = getattr(x, "is_floating_point", None)
    return is_floating is not None and not is_floating()


def mse(a: Array, b: Array) -> Array:
    """Mean squared error of float images in [0, 1], per image over the last three axes.

    ``a`` and ``b`` are numpy ``(..., H, W, 3)`` or torch ``(..., 3, H, W)`` of one layout;
    returns ``(...)`` (differentiable in torch). This is the benchmark's image metric; for uint8
    images use :func:`mse_uint8` (exact), which equals ``mse(to_float(a), to_float(b))`` up to
    float32 rounding. Integer inputs raise ``ValueError`` (``a - b`` would wrap around).
    """
    if _is_integer(a) or _is_integer(b):
        raise ValueError(
            "mse takes float images in [0, 1]; got integers: use mse_uint8 for uint8 images (exact) "
            "or convert with to_float"
        )
    d = (a - b) ** 2
    return d.mean(axis=(-3, -2, -1)) if isinstance(d, np.ndarray) else d.mean(dim=(-3, -2, -1))


def _check_uint8_pair(a: np.ndarray, b: np.ndarray, name: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name} needs two images of one shape; got {a.shape} and {b.shape}")
    if a.dtype != np.uint8 or b.dtype != np.uint8:
        raise ValueError(f"{name} needs uint8 images (0..255); got {a.dtype} and {b.dtype}: convert with to_uint8")


def squared_error_sum(a: np.ndarray, b: np.ndarray) -> int:
    """Exact sum of squared differences of two uint8 images of one shape (in 0..255 units).

    Args:
        a, b: uint8 arrays of the same shape (any number of axes), e.g. ``(H, W, 3)``.

    Returns a Python ``int`` (unbounded), so envs can update it region by region without
    drift. Each term is at most ``255**2``, so the sum is accumulated in int64: an int32 sum
    overflows from about 33,000 maximal differences on (e.g. a 128 px RGB canvas), which once
    made rewards and ``info["l2"]`` wrong on larger canvases. int64 is exact up to ~1.4e14
    elements. Raises ``ValueError`` when the shapes differ or the dtype is not uint8.
    """
    a, b = np.asarray(a), np.asarray(b)
    _check_uint8_pair(a, b, "squared_error_sum")
    d = (a.astype(np.int64) - b.astype(np.int64)).ravel()
    return int(np.dot(d, d))


def squared_error_sums(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact sums of squared differences ``(...)`` int64 of uint8 images ``(..., H, W, C)``, per
    image over the last three axes (in 0..255 units): :func:`squared_error_sum` for a batch in one
    pass. Raises ``ValueError`` for shapes that differ, fewer than three axes or a dtype other
    than uint8."""
    a, b = np.asarray(a), np.asarray(b)
    _check_uint8_pair(a, b, "squared_error_sums")
    if a.ndim < 3:
        raise ValueError(f"squared_error_sums needs images (..., H, W, C); got shape {a.shape}")
    d = a.astype(np.int32) - b  # each square is at most 255**2: exact in int32; the sums in int64
    d *= d  # in place, int32: faster than int64 dot products or einsum (docs/envs.md)
    return d.reshape(*d.shape[:-3], -1).sum(-1, dtype=np.int64)


def mse_uint8(a: np.ndarray, b: np.ndarray) -> float | np.ndarray:
    """MSE on [0, 1] of uint8 images ``(..., H, W, C)``, per image over the last three axes; exact.

    The squared errors are summed in int64 (as :func:`squared_error_sum`, which the envs'
    ``info["l2"]`` divides the same way), then divided once. Returns a Python float for one
    image ``(H, W, C)``, float64 ``(...)`` for a batch. Raises ``ValueError`` for shapes that
    differ, fewer than three axes or a dtype other than uint8.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim < 3:
        raise ValueError(f"mse_uint8 needs images (..., H, W, C); got shape {a.shape}")
    _check_uint8_pair(a, b, "mse_uint8")
    out = squared_error_sums(a, b) / (a.shape[-3] * a.shape[-2] * a.shape[-1] * 255.0**2)
    return float(out) if out.ndim == 0 else out


def mse_of_moments(mean: Array, second: Array, target: Array) -> Array:
    """Expected MSE ``E[(c - t)^2] = E[c^2] - 2 t E[c] + t^2`` of a random canvas ``c`` with
    per-pixel mean ``mean`` and second moment ``second``, against ``target``; per image over the
    last three axes (any one layout for all three). With ``second = mean**2`` (no randomness) it
    is :func:`mse` of ``mean``."""
    e = second - 2 * target * mean + target**2
    return e.mean(axis=(-3, -2, -1)) if isinstance(e, np.ndarray) else e.mean(dim=(-3, -2, -1))


def composite_moments(
    mean: Array, second: Array, alpha_mean: Array, alpha_var: Array, color: Array
) -> tuple[Array, Array]:
    """Propagate a canvas pixel's first two moments through one random stroke.

    With the stroke's alpha ``a`` independent of the canvas ``c`` (strokes are painted with
    independent brush seeds), ``c' = c (1 - a) + color a`` gives exactly
    ``E[c'] = E[c] (1 - E[a]) + color E[a]`` and
    ``E[c'^2] = E[c^2] E[(1 - a)^2] + 2 color E[c] E[a (1 - a)] + color^2 E[a^2]``.

    Shapes as in :func:`composite`: ``mean``/``second`` ``(..., H, W, 3)``, alpha moments
    ``(..., H, W)``, ``color`` ``(..., 3)``.
    """
    m_a = alpha_mean[..., None]
    e_a2 = alpha_var[..., None] + m_a**2  # E[a^2]
    col = color[..., None, None, :]
    new_mean = mean * (1 - m_a) + col * m_a
    new_second = second * (1 - 2 * m_a + e_a2) + 2 * col * mean * (m_a - e_a2) + col**2 * e_a2
    return new_mean, new_second


def expected_mse(
    actions: torch.Tensor,
    target: torch.Tensor | np.ndarray,
    painter: DifferentiablePainter,
    background: str | Sequence[float] = "white",
) -> torch.Tensor:
    """Expected MSE, over brush seeds, of painting ``actions`` with the real program.

    ``actions`` ``(B, T, 12)`` torch tensor; ``target`` ``(B, 3, H, W)`` float tensor in [0, 1]
    (torch's layout, as ``NeuralPaintEnv.paint`` returns) or uint8 numpy ``(B, H, W, 3)`` (an
    observation's layout); ``painter`` a differentiable painter (``render_alpha(actions,
    return_var=True)``; load it once with ``paint_gym.load_painter("dab")``: a name raises a
    ``ValueError`` saying so). Returns ``(B,)``, differentiable with respect to the actions:
    :func:`mse_of_moments` of the canvas's moments (:func:`composite_moments`). The seed-to-seed
    variance of the brush is priced in, so optimising this avoids strokes that look smooth in
    the neural canvas but come out speckled in MyPaint. Raises ``ValueError`` for actions
    :func:`action_tensor` refuses, a target that is not finite or outside [0, 1], or a painter
    that is not a differentiable painter object. Traceable with every painter and either target layout (a
    numpy target is read as a tensor, not through numpy attributes), also with a background
    given as an RGB triple: under ``torch.func`` (``vmap``, ``jacrev``) and
    ``torch.compile(fullgraph=True)`` the checks of values stand aside (they would branch on
    data; types and shapes are still checked), so check values before.
    """

    actions = action_tensor(actions)
    painter = _differentiable(painter, "expected_mse")
    b, t = actions.shape[:2]
    alpha, var, colors = _render_sequence(painter, actions, return_var=True)
    size = alpha.shape[-1]
    tgt = _target_channels_last(target, alpha.device)
    if tgt.shape != (b, size, size, 3):
        raise ValueError(f"target must hold {b} images of {size}x{size}; got {tuple(tgt.shape)} (channels last)")
    mean = _background_tensor(background, alpha.device).expand(b, size, size, 3)
    second = mean**2
    for k in range(t):
        mean, second = composite_moments(mean, second, alpha[:, k], var[:, k], colors[:, k])
    return mse_of_moments(mean, second, tgt)


def _tracing() -> bool:
    """True inside ``torch.compile`` or a ``torch.func`` transform (``vmap``, ``grad``,
    ``jacrev``, ...): there a check of tensor *values* would branch on data, which ``vmap``
    refuses and ``compile(fullgraph=True)`` cannot trace, so the public torch functions check
    types and shapes always and values only when called eagerly (check the values once before
    a transform, as eager code does)."""
    import torch

    if torch.compiler.is_compiling():
        return True
    peek = getattr(torch._C._functorch, "peek_interpreter_stack", None)  # the transforms' stack
    return peek is not None and peek() is not None


def _background_tensor(background: Any, device: Any) -> torch.Tensor:
    """The background colour as a float32 tensor ``(3,)`` on ``device``, checked by
    :func:`background_rgb` (a name, or an RGB triple in [0, 1]). While tracing (:func:`_tracing`)
    a triple is read as a tensor and only its shape is checked: its values would branch on data."""
    import torch

    if _tracing() and not isinstance(background, str):
        x = torch.as_tensor(background, dtype=torch.float32, device=device)
        if x.shape != (3,):
            raise ValueError(f"background must be 'white', 'black' or an RGB triple in [0, 1]; got shape {x.shape}")
        return x
    return torch.as_tensor(background_rgb(background), device=device)


def action_tensor(
    actions: Any, batch_ndim: int = 3, device: str | torch.device | None = None, *, values: bool = True
) -> torch.Tensor:
    """Strokes as a float tensor on ``device`` (``None``: where they are): the one check of actions
    on the torch side, ``(B, T, 12)`` sequences (``batch_ndim=3``: :func:`paint_differentiable`,
    :func:`expected_mse`, the neural envs' ``paint``) or ``(B, 12)`` strokes (``batch_ndim=2``:
    every neural painter's ``render_alpha``).

    A tensor keeps its dtype and autograd graph; its shape and float dtype are always checked,
    its values (NaN, inf) when ``values`` and not under a transform (:func:`_tracing`): a
    painter's traced path passes ``values=False``, since it cannot branch on data, and leaves the
    values to the entry points. Numpy arrays and lists are validated in full and clipped to
    [-1, 1] (:func:`paint_gym.actions.validate_actions`), as float32. ``ValueError`` names what
    is wrong."""
    import torch

    if not isinstance(actions, torch.Tensor):
        return torch.as_tensor(validate_actions(actions, batch_ndim=batch_ndim), device=device)
    want = "(B, T, 12)" if batch_ndim == 3 else f"(B, {ACTION_DIM})"
    if actions.ndim != batch_ndim or actions.shape[-1] != ACTION_DIM:
        raise ValueError(f"actions must be a float tensor {want}; got shape {tuple(actions.shape)}")
    if not actions.is_floating_point():
        raise ValueError(f"actions must be a float tensor {want}; got {actions.dtype}: convert with actions.float()")
    if values and not _tracing() and not bool(torch.isfinite(actions.detach()).all()):
        raise ValueError("actions contain NaN or inf; every entry must be a finite number in [-1, 1]")
    return actions if device is None else actions.to(device)


def _check_unit_images(images: torch.Tensor, name: str) -> None:
    """``ValueError`` naming ``name`` unless every value is finite and in [0, 1] (one device sync;
    skipped while tracing, :func:`_tracing`)."""
    import torch

    if _tracing():
        return
    x = images.detach()
    if bool((~torch.isfinite(x) | (x < 0) | (x > 1)).any()):
        finite = x[torch.isfinite(x)]
        span = f"{float(finite.min()):g}..{float(finite.max()):g}" if finite.numel() else "no finite values"
        nan = ", and NaN or inf" if not bool(torch.isfinite(x).all()) else ""
        raise ValueError(
            f"{name} must hold finite values in [0, 1]; got {span}{nan} "
            "(a uint8 image: paint_gym.to_float_tensor(x); 0-255 floats: divide by 255)"
        )


def _differentiable(painter: Any, name: str) -> DifferentiablePainter:
    """``painter`` if it is a differentiable painter object, else ``ValueError`` saying how to get
    one. This module is below the painters: names are resolved once, at the top, by
    :func:`paint_gym.load_painter` (resolving one here would reload the painter on every call
    of an optimisation loop), and ``"mypaint"`` is not differentiable at all."""
    if isinstance(painter, (str, os.PathLike)):
        if os.fspath(painter) == "mypaint":
            raise ValueError(
                f"{name} needs a differentiable painter; 'mypaint' is the real program, which is not "
                "differentiable: pass a neural painter, e.g. paint_gym.load_painter('gan')"
            )
        raise ValueError(
            f"{name} takes a painter object, not the name {os.fspath(painter)!r}: load it once with "
            f"painter = paint_gym.load_painter({os.fspath(painter)!r}) and pass that to every call"
        )
    if not callable(getattr(painter, "render_alpha", None)) or not hasattr(painter, "canvas_size"):
        raise ValueError(
            f"{name} needs a differentiable painter with canvas_size and render_alpha(actions, return_var), "
            f"e.g. paint_gym.load_painter('gan'); got {type(painter).__name__}"
        )
    return painter


def _target_channels_last(target: Any, device: Any) -> torch.Tensor:
    """``target`` as float ``(B, H, W, 3)`` in [0, 1] on ``device``: a uint8 numpy array is read
    as a tensor first and checked as one (``torch.compile`` traces a numpy array as a tensor but
    not its numpy attributes, ``.dtype`` and ``.flags``), then scaled exactly as :func:`to_float`."""
    import torch

    if isinstance(target, np.ndarray):
        try:
            x = torch.as_tensor(target)
        except TypeError as exc:  # object or string arrays have no tensor
            raise ValueError(f"a numpy target must be uint8 (B, H, W, 3); got {target.dtype}") from exc
        if x.dtype != torch.uint8 or x.ndim != 4 or x.shape[-1] != 3:
            got = f"{str(x.dtype).removeprefix('torch.')} {tuple(x.shape)}"
            raise ValueError(f"a numpy target must be uint8 (B, H, W, 3); got {got}")
        return x.to(device).float() / 255.0
    if not (
        isinstance(target, torch.Tensor) and target.ndim == 4 and target.shape[1] == 3 and target.is_floating_point()
    ):
        what = f"{getattr(target, 'dtype', type(target))} {tuple(getattr(target, 'shape', ()))}"
        raise ValueError(f"a torch target must be float (B, 3, H, W) in [0, 1]; got {what}")
    _check_unit_images(target, "target")
    return target.to(device).permute(0, 2, 3, 1)


def paint_differentiable(
    painter: DifferentiablePainter,
    actions: torch.Tensor,
    canvas: torch.Tensor | None = None,
    background: str | Sequence[float] = "white",
) -> torch.Tensor:
    """Paint ``actions`` ``(B, T, 12)`` (torch) with a differentiable painter, differentiably.

    ``painter`` is a differentiable painter object (``paint_gym.load_painter("dab")``; a name
    raises a ``ValueError`` saying to load it once). ``canvas`` is ``(B, 3, H, W)`` in [0, 1] to
    paint over, or None for a blank ``background``.
    All T strokes are rendered in one batch, then composited in order. Returns ``(B, 3, H, W)``
    in [0, 1] (torch's layout; :func:`to_uint8_array` gives the uint8 ``(B, H, W, 3)`` an env
    would show). Gradients reach the actions and ``canvas``. Raises ``ValueError`` for actions
    :func:`action_tensor` refuses (not a finite float tensor ``(B, T, 12)``), a canvas of another
    shape or with values outside [0, 1] (or NaN), or a painter that is not a differentiable
    painter object.
    Traceable as :func:`expected_mse` is (``vmap``, ``jacrev``, ``compile(fullgraph=True)``,
    with the background a name or an RGB triple, numpy or not).
    """
    import torch

    actions = action_tensor(actions)
    if canvas is not None and not isinstance(canvas, torch.Tensor):
        raise ValueError(f"canvas must be a float tensor (B, 3, H, W) in [0, 1] or None; got {type(canvas).__name__}")
    painter = _differentiable(painter, "paint_differentiable")
    b, size = actions.shape[0], painter.canvas_size
    if canvas is None:
        start = _background_tensor(background, actions.device).expand(b, size, size, 3)
    elif tuple(canvas.shape) != (b, 3, size, size):
        raise ValueError(f"canvas must be (B, 3, H, W) = {(b, 3, size, size)} in [0, 1]; got {tuple(canvas.shape)}")
    else:
        if not canvas.is_floating_point():
            raise ValueError(
                f"canvas must hold floats in [0, 1]; got {canvas.dtype}: "
                "convert a uint8 image with paint_gym.to_float_tensor(c)"
            )
        _check_unit_images(canvas, "canvas")
        start = canvas.permute(0, 2, 3, 1)
    return paint_strokes(painter, actions, start)


def paint_strokes(painter: DifferentiablePainter, actions: torch.Tensor, start: torch.Tensor) -> torch.Tensor:
    """The painting step of :func:`paint_differentiable`, for inputs checked at a door:
    ``actions`` float ``(B, T, 12)`` over channels-last canvases ``start`` ``(B, H, W, 3)`` in
    [0, 1] -> ``(B, 3, H, W)``. Nothing is checked here."""
    if actions.shape[1] == 0:
        return start.permute(0, 3, 1, 2)
    alpha, colors = _render_sequence(painter, actions)
    return composite_sequence(start.to(alpha.device), alpha, colors).permute(0, 3, 1, 2)


def _render_sequence(
    painter: DifferentiablePainter, actions: torch.Tensor, return_var: bool = False
) -> tuple[torch.Tensor, ...]:
    """Render all strokes of ``(B, T, 12)`` in one batch: alpha ``(B, T, H, W)`` (and its
    variance) plus the colours ``(B, T, 3)`` on the same device and dtype."""
    b, t = actions.shape[:2]
    out = painter.render_alpha(actions.reshape(b * t, 12), return_var=return_var)
    maps = out if return_var else (out,)
    size = maps[0].shape[-1]
    maps = tuple(m.view(b, t, size, size) for m in maps)
    colors = colors_of(actions.clamp(-1, 1)).to(maps[0].device, maps[0].dtype)
    return (*maps, colors)
