"""``load_painter`` and ``replay``: a painter is loaded once, at the top, and passed down as an object.

Public functions take a painter object or a name (``"gan"``, ``"vae"``, ``"mypaint"`` or a
checkpoint path); a name is resolved once, at the entry point, by :func:`load_painter`, and
everything below works with the object. The shipped painters' files are read and checked
against their SHA-256 once per process: later loads by name copy the verified module, so a
painter returned by one call can be changed (trained, moved to a device) without touching
another.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import actions as act
from ..canvas import paint_differentiable, to_uint8_array
from ..validation import check_canvas_size
from .base import CanvasPainter, DifferentiablePainter, Painter
from .mypaint import MyPaintPainter
from .neural import NeuralPainter, load_checkpoint, load_neural_painter

#: What the public functions accept as a painter: an object, or a name :func:`load_painter` resolves.
PainterLike = str | os.PathLike | Painter | DifferentiablePainter
#: Painters shipped with the package (verified by SHA-256 when first loaded).
SHIPPED_PAINTERS = ("gan", "vae")
#: The verified shipped painters of this process, by name, on the CPU; callers get copies.
_shipped: dict[str, NeuralPainter] = {}


class ResizedPainter(nn.Module):
    """A neural painter used on a canvas of another size: its output is resized bilinearly.

    Strokes scale with the canvas (coordinates and radius are relative), so a 64 px painter
    serves other sizes, with the detail of 64 px.
    """

    def __init__(self, painter: NeuralPainter, canvas_size: int) -> None:
        super().__init__()
        self.painter = painter
        self.canvas_size = int(canvas_size)

    @property
    def device(self) -> torch.device:
        return self.painter.device

    def _resize(self, x: torch.Tensor) -> torch.Tensor:
        size = (self.canvas_size, self.canvas_size)
        return nn.functional.interpolate(x[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]

    def forward(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, var = self.painter(actions)
        return self._resize(mean).clamp(0, 1), self._resize(var).clamp(min=0)

    def render_alpha(
        self, actions: torch.Tensor, return_var: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        mean, var = self(actions)
        return (mean, var) if return_var else mean


def shipped_painter(name: str, device: str | torch.device = "cpu") -> NeuralPainter:
    """A fresh copy of the shipped painter ``name`` (``"gan"`` or ``"vae"``) on ``device``, in eval mode.

    The first call in a process reads the file and verifies it against the MANIFEST's SHA-256;
    later calls copy the verified module (no file is read), so changing one returned painter
    never changes another.
    """
    if name not in _shipped:
        _shipped[name] = load_neural_painter(name, "cpu")
    return copy.deepcopy(_shipped[name]).to(device)


def load_painter(
    name: PainterLike = "gan",
    canvas_size: int | None = None,
    device: str | torch.device | None = None,
    seed: int | None = None,
) -> Painter | DifferentiablePainter:
    """A painter by name, or a painter object checked against ``canvas_size``.

    Names: ``"gan"`` or ``"vae"`` (shipped weights, verified once per process), ``"mypaint"``
    (the real program; ``seed`` seeds its brush) or the path of a neural painter checkpoint.
    A loaded neural painter's weights do not require grad (gradients flow to the actions).
    Objects are used as they are (a neural painter may be training), moved to ``device`` when
    one is given (torch modules). ``device`` defaults to the CPU for names and to where an
    object already is. ``canvas_size`` is an integer number of pixels >= 8, or None for the
    painter's own (64 for a name); a neural painter of another size is resized bilinearly, any
    other painter of another size raises ``ValueError``, as do unknown names (``64.5`` is not
    truncated).

    Neural painters are :class:`~paint_gym.painters.base.DifferentiablePainter` (torch in and
    out); ``MyPaintPainter`` is a numpy :class:`~paint_gym.painters.base.Painter`.
    """
    if not isinstance(name, (str, os.PathLike)):
        return _checked_object(name, canvas_size, device)
    canvas_size = check_canvas_size(64 if canvas_size is None else canvas_size)
    if str(name) == "mypaint":
        return MyPaintPainter(canvas_size, seed=seed)
    device = "cpu" if device is None else device
    if str(name) in SHIPPED_PAINTERS:
        painter = shipped_painter(str(name), device)
    elif Path(name).suffix in (".pt", ".pth") or Path(name).exists():
        painter = load_checkpoint(name, device=device)
    else:
        raise ValueError(f"unknown painter {name!r}: use 'gan', 'vae', 'mypaint' or a checkpoint path")
    painter.requires_grad_(False)
    return painter if painter.canvas_size == canvas_size else ResizedPainter(painter, canvas_size)


def _checked_object(
    painter: Painter | DifferentiablePainter, canvas_size: int | None, device: str | torch.device | None
) -> Painter | DifferentiablePainter:
    """A painter object on ``device``, resized (neural painters) or checked to paint ``canvas_size``."""
    if not callable(getattr(painter, "render_alpha", None)) or not hasattr(painter, "canvas_size"):
        raise ValueError(
            "a painter is a name ('gan', 'vae', 'mypaint', a checkpoint path) or an object with "
            f"canvas_size and render_alpha; got {type(painter).__name__}"
        )
    if device is not None and isinstance(painter, nn.Module):
        painter = painter.to(device)
    if canvas_size is None or painter.canvas_size == check_canvas_size(canvas_size):
        return painter
    if isinstance(painter, NeuralPainter):  # only a bare network can be resized
        return ResizedPainter(painter, canvas_size)
    raise ValueError(
        f"the painter paints {painter.canvas_size} px canvases but canvas_size={canvas_size}; "
        "pass a painter of that size, or a NeuralPainter (its output is resized)"
    )


def as_numpy(x: object) -> object:
    """A torch tensor as a numpy array (detached from autograd, copied to the CPU; ``bfloat16``
    and other float dtypes numpy lacks widened to float32); anything else unchanged. Public
    functions that take numpy arrays call it first, so the tensor a user has just optimised
    (``requires_grad=True``, maybe on a GPU, maybe bfloat16) can be passed as it is. The same
    crossing as :func:`paint_gym.actions.to_numpy`."""
    return act.to_numpy(x)


class NeuralCanvasPainter:
    """The numpy face of a differentiable painter: a :class:`~paint_gym.painters.base.CanvasPainter`.

    ``render_alpha`` and ``paint`` of :class:`MyPaintPainter` (numpy in, numpy out, no gradients)
    over a neural painter; ``background`` is the default of :meth:`paint`.
    """

    def __init__(
        self, painter: DifferentiablePainter, background: str | Sequence[float] | np.ndarray = "white"
    ) -> None:
        self.painter = painter
        self.canvas_size = painter.canvas_size
        self.background = background

    @property
    def device(self) -> torch.device:
        """Where the painter computes (actions are sent there); the CPU for painters without ``device``."""
        return getattr(self.painter, "device", torch.device("cpu"))

    def reseed(self, seed: int | None) -> None:
        """Neural painters are deterministic: nothing to seed."""

    @torch.no_grad()
    def render_alpha(self, actions: np.ndarray) -> np.ndarray:
        """Alpha maps ``(B, H, W)`` float32 in [0, 1] of strokes ``(B, 12)`` (validated, clipped)."""
        a = act.validate_actions(as_numpy(actions), batch_ndim=2)
        return self.painter.render_alpha(torch.as_tensor(a, device=self.device)).float().cpu().numpy()

    @torch.no_grad()
    def paint(
        self, actions: np.ndarray | torch.Tensor, background: str | Sequence[float] | np.ndarray | None = None
    ) -> np.ndarray:
        """Stroke sequences ``(T, 12)`` or ``(B, T, 12)`` (numpy or torch, any float dtype; values
        clipped to [-1, 1]) -> uint8 ``(..., H, W, 3)`` over ``background`` (default: this
        painter's). NaN, inf or a wrong shape raise ``ValueError``."""
        a = act.validate_actions(as_numpy(actions), batch_ndim=(2, 3))
        batch = torch.as_tensor(a if a.ndim == 3 else a[None], device=self.device)
        bg = self.background if background is None else background
        out = to_uint8_array(paint_differentiable(self.painter, batch, background=bg))
        return out if a.ndim == 3 else out[0]


def canvas_painter(painter: CanvasPainter | DifferentiablePainter) -> CanvasPainter:
    """A painter that paints sequences onto uint8 canvases: a :class:`CanvasPainter` (such as
    ``MyPaintPainter``) as it is, a differentiable painter behind :class:`NeuralCanvasPainter`."""
    return painter if isinstance(painter, CanvasPainter) else NeuralCanvasPainter(painter)


def replay(
    actions: np.ndarray | torch.Tensor,
    painter: PainterLike = "mypaint",
    seed: int = 0,
    canvas_size: int | None = None,
    background: str | Sequence[float] = "white",
) -> np.ndarray:
    """Paint stroke sequences ``(B, T, 12)`` with any painter -> uint8 ``(B, H, W, 3)``.

    The transfer check of every agent: the same strokes replayed in MyPaint (seeded) or in a
    neural painter. ``painter`` is a painter object (used as it is: load it once with
    :func:`load_painter` and pass it to every call) or a name for :func:`load_painter`. The
    painter is reseeded with ``seed`` first, so the same seed gives the same pixels.
    ``canvas_size`` defaults to the painter's own (64 for a name). ``actions`` may be a numpy
    array, a nested list or a torch tensor (also one that requires grad or lives on a GPU: it
    is detached and copied), of any real dtype; values outside [-1, 1] are clipped. Raises
    ``ValueError`` for NaN or inf, a shape other than ``(B, T, 12)`` or a non-numeric dtype.
    """
    a = act.validate_actions(as_numpy(actions), batch_ndim=3)
    painting = canvas_painter(load_painter(painter, canvas_size=canvas_size, seed=seed))
    painting.reseed(seed)
    return painting.paint(a, background=background)


__all__ = [
    "SHIPPED_PAINTERS",
    "NeuralCanvasPainter",
    "PainterLike",
    "ResizedPainter",
    "as_numpy",
    "canvas_painter",
    "load_painter",
    "replay",
    "shipped_painter",
]
