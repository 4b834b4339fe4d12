"""``load_painter`` and ``replay``: a painter is loaded once, at the top, and passed down as an object.

Public functions take a painter object or a name (``"gan"``, ``"vae"``, ``"dab"``, ``"mypaint"``
or a checkpoint path); a name is resolved once, at the entry point, by :func:`load_painter`, and
everything below works with the object. The shipped painters' files are read and checked
against their SHA-256 once per process: later loads by name copy the verified module, so a
painter returned by one call can be changed (trained, moved to a device) without touching
another.

Canvas sizes: a :class:`~paint_gym.painters.dab.DabPainter` renders any size natively
(:meth:`~paint_gym.painters.dab.DabPainter.at_size`, the same weights); the VAE and GAN render
64 px and are resized bilinearly (:class:`ResizedPainter`) for other sizes.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import actions as act
from ..checkpoint import CheckpointError, verified_file
from ..shipped_weights import read_manifest, verified_path
from ..validation import check_canvas_size
from .base import DEFAULT_PAINTER, CanvasPainter, DifferentiablePainter, Painter
from .canvases import Canvases
from .dab import DabPainter
from .mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, MyPaintPainter
from .neural import NeuralPainter, load_checkpoint, load_neural_painter

#: What the public functions accept as a painter: an object (a numpy :class:`Painter` such as
#: ``MyPaintPainter``, or a torch :class:`DifferentiablePainter` such as ``GANPainter``,
#: ``VAEPainter`` or ``DabPainter``), or a name :func:`load_painter` resolves: ``"gan"``,
#: ``"vae"``, ``"dab"``, ``"mypaint"`` or the path of a painter checkpoint.
PainterLike = str | os.PathLike | Painter | DifferentiablePainter
#: Painters shipped with the package (verified by SHA-256 when first loaded): the paper's VAE
#: and GAN (both imitate ``classic/dry_brush``) and the dab painter, one set of weights per
#: brush (:func:`shipped_dab_brushes`), chosen with ``load_painter("dab", brush=...)``.
SHIPPED_PAINTERS = ("gan", "vae", "dab")
#: MANIFEST name of the shipped dab painter of a brush: ``dab_painter_<name>`` for ``group/name``.
DAB_WEIGHTS = "dab_painter_{}"
#: The verified shipped painters of this process, by name, on the CPU; callers get copies.
_shipped: dict[str, NeuralPainter | DabPainter] = {}


class ResizedPainter(nn.Module):
    """A VAE or GAN painter used on a canvas of another size: its output is resized bilinearly.

    Strokes scale with the canvas (coordinates and radius are relative), so a 64 px painter
    serves other sizes, with the detail of 64 px. (A dab painter needs no wrapper: it renders
    any size natively, :meth:`~paint_gym.painters.dab.DabPainter.at_size`.)
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

    def sample(self, actions: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """One random stroke ``(B, H, W)`` in [0, 1]: the wrapped painter's sample, resized."""
        return self._resize(self.painter.sample(actions, generator)).clamp(0, 1)


def _short_name(brush: str) -> str:
    return brush.rsplit("/", 1)[-1]


def shipped_dab_brushes() -> tuple[str, ...]:
    """The brushes with shipped dab painter weights (a MANIFEST entry ``dab_painter_<name>``, whose
    ``brush`` field names the brush; ``classic/<name>`` without one): those of
    :data:`~paint_gym.painters.mypaint.SUPPORTED_BRUSHES` first, in that order, then the rest by name."""
    prefix = DAB_WEIGHTS.format("")
    brushes = {
        entry.get("brush") or f"classic/{name[len(prefix) :]}"
        for name, entry in read_manifest().items()
        if name.startswith(prefix)
    }
    return tuple(b for b in SUPPORTED_BRUSHES if b in brushes) + tuple(sorted(brushes - set(SUPPORTED_BRUSHES)))


def dab_fidelity(brush: str) -> dict[str, Any] | None:
    """The held-out fidelity recorded for the shipped dab painter of ``brush`` (its MANIFEST entry's
    ``fidelity``: alpha MSE, ratio to the ideal or share of MyPaint's mean squared alpha, per canvas
    size, and the fit's seconds), or None when it has no shipped painter or no record."""
    entry = read_manifest().get(DAB_WEIGHTS.format(_short_name(brush)))
    return entry.get("fidelity") if entry else None


def _load_shipped_dab(brush: str) -> DabPainter:
    """The shipped dab painter of ``brush``, read and verified against the MANIFEST."""
    shipped = shipped_dab_brushes()
    if brush not in shipped:
        from .dab_brushes import check_dab_brush

        check_dab_brush(brush)  # a brush outside the model: say why
        raise ValueError(
            f"no shipped dab painter for brush {brush!r}; shipped for: {', '.join(shipped) or 'none yet'}. "
            f"Fit one with `paint-gym train-painter --kind dab --brush {brush}` and load it by the path "
            "of the painter.pt it writes"
        )
    path = verified_path(DAB_WEIGHTS.format(_short_name(brush)))
    painter = load_checkpoint(path)
    if not isinstance(painter, DabPainter) or painter.config.brush != brush:
        raise CheckpointError(f"{path} is not the dab painter of {brush!r}: reinstall paint-gym")
    return painter


def shipped_painter(
    name: str, device: str | torch.device = "cpu", brush: str | None = None
) -> NeuralPainter | DabPainter:
    """A fresh copy of the shipped painter ``name`` (``"gan"``, ``"vae"`` or ``"dab"``) on
    ``device``, in eval mode; ``brush`` chooses the dab painter's brush (default
    ``classic/dry_brush``; ``None`` for the others).

    The first call in a process reads the file and verifies it against the MANIFEST's SHA-256;
    later calls copy the verified module (no file is read), so changing one returned painter
    never changes another. Raises ``ValueError`` for a brush without shipped dab weights (the
    message lists those that have them and how to fit one), ``FileNotFoundError`` for a listed
    file that is absent and :class:`~paint_gym.checkpoint.CheckpointError` for a tampered one.
    """
    key = name if name != "dab" else f"dab:{brush or DEFAULT_BRUSH}"
    if key not in _shipped:
        _shipped[key] = _load_shipped_dab(brush or DEFAULT_BRUSH) if name == "dab" else load_neural_painter(name, "cpu")
    return copy.deepcopy(_shipped[key]).to(device)


def _check_brush(painter: NeuralPainter | DabPainter, brush: str | None, name: object) -> None:
    """``brush`` must be the one ``painter`` imitates: a dab painter's own, the VAE's and GAN's
    ``classic/dry_brush`` (the brush of the paper's data)."""
    own = painter.config.brush if isinstance(painter, DabPainter) else DEFAULT_BRUSH
    if brush is not None and brush != own:
        raise ValueError(
            f"painter {name!r} imitates {own!r}, not brush={brush!r}: use load_painter('dab', brush={brush!r}) "
            f"or load_painter('mypaint', brush={brush!r})"
        )


def at_canvas_size(painter: NeuralPainter | DabPainter, canvas_size: int) -> DifferentiablePainter:
    """``painter`` rendering ``canvas_size`` px canvases: itself at its own size, a dab painter's
    native view (:meth:`~paint_gym.painters.dab.DabPainter.at_size`, shared weights) or a VAE or
    GAN behind :class:`ResizedPainter` (bilinear)."""
    if painter.canvas_size == canvas_size:
        return painter
    if isinstance(painter, DabPainter):
        return painter.at_size(canvas_size)
    return ResizedPainter(painter, canvas_size)


class PainterNotFoundError(FileNotFoundError, ValueError):
    """A painter checkpoint path with no file there: a ``FileNotFoundError`` (the one rule for a
    missing file) and a ``ValueError`` (an argument that names no painter), as the standard
    library's ``io.UnsupportedOperation`` is both an ``OSError`` and a ``ValueError``."""


def painter_source(painter: PainterLike, canvas_size: int | None = None) -> PainterLike:
    """``painter`` if it names or is a painter, checked without loading anything: the one rule of
    every entry point that takes a painter (:func:`load_painter`, the neural envs).

    * ``"mypaint"``, ``"gan"``, ``"vae"``, ``"dab"``: a name.
    * a path: a painter checkpoint if it ends in ``.pt`` or ``.pth`` or exists; no file there
      raises :class:`PainterNotFoundError` (a ``FileNotFoundError``).
    * an object with ``canvas_size`` and ``render_alpha``: a painter. With ``canvas_size`` (a
      checked size) it must paint that size, unless it is a
      :class:`~paint_gym.painters.neural.NeuralPainter` (resized) or a
      :class:`~paint_gym.painters.dab.DabPainter` (any size natively); else ``ValueError``.

    Any other name or object raises ``ValueError`` naming what is accepted.
    """
    if isinstance(painter, (str, os.PathLike)):
        name = os.fspath(painter)
        if name == "mypaint" or name in SHIPPED_PAINTERS:
            return painter
        if Path(name).suffix in (".pt", ".pth") or Path(name).exists():
            try:
                verified_file(name, None, f"no painter checkpoint at {name}")
            except FileNotFoundError as exc:
                raise PainterNotFoundError(str(exc)) from None
            return painter
        raise ValueError(f"unknown painter {painter!r}: use 'gan', 'vae', 'dab', 'mypaint' or a checkpoint path")
    if not callable(getattr(painter, "render_alpha", None)) or not hasattr(painter, "canvas_size"):
        raise ValueError(
            "painter must be a name ('gan', 'vae', 'dab', 'mypaint'), a checkpoint path or an object with "
            f"canvas_size and render_alpha; got {type(painter).__name__}"
        )
    resizable = isinstance(painter, (NeuralPainter, DabPainter))
    if canvas_size is not None and painter.canvas_size != canvas_size and not resizable:
        raise ValueError(
            f"the painter paints {painter.canvas_size} px canvases but canvas_size={canvas_size}; "
            "pass a painter of that size, a DabPainter (it renders any size) or a NeuralPainter (its output is resized)"
        )
    return painter


def load_painter(
    name: PainterLike = DEFAULT_PAINTER,
    canvas_size: int | None = None,
    device: str | torch.device | None = None,
    seed: int | None = None,
    brush: str | None = None,
) -> Painter | DifferentiablePainter:
    """A painter by name, or a painter object checked against ``canvas_size``.

    Names:

    * ``"gan"``, ``"vae"`` - the paper's painters (shipped weights, verified once per process);
      both imitate ``classic/dry_brush``.
    * ``"dab"`` - the shipped :class:`~paint_gym.painters.dab.DabPainter` of ``brush`` (default
      ``classic/dry_brush``); a brush without shipped weights raises ``ValueError`` listing
      those that have them (:func:`shipped_dab_brushes`) and the command that fits one.
    * ``"mypaint"`` - the real program with ``brush`` (default ``classic/dry_brush``); ``seed``
      seeds it.
    * the path of a painter checkpoint (VAE, GAN or dab).

    ``brush`` chooses the brush of ``"mypaint"`` and ``"dab"``; for the other names and for
    a dab checkpoint it may only name the brush the painter imitates (else ``ValueError``).
    A loaded neural painter's weights do not require grad (gradients flow to the actions).
    Objects are used as they are (a neural painter may be training), moved to ``device`` when
    one is given (torch modules). ``device`` defaults to the CPU for names and to where an
    object already is. ``canvas_size`` is an integer number of pixels in 8..8192, or None for the
    painter's own (64 for a name); for another size a dab painter renders natively
    (:meth:`~paint_gym.painters.dab.DabPainter.at_size`, the same weights), a VAE or GAN is
    resized bilinearly (:class:`ResizedPainter`), any other painter raises ``ValueError``, as
    do unknown names (``64.5`` is not truncated); a checkpoint path with no file there raises
    :class:`PainterNotFoundError`, a ``FileNotFoundError`` (:func:`painter_source`, the rule of
    every entry point).

    Neural painters are :class:`~paint_gym.painters.base.DifferentiablePainter` (torch in and
    out); ``MyPaintPainter`` is a numpy :class:`~paint_gym.painters.base.Painter`.
    """
    canvas_size = None if canvas_size is None else check_canvas_size(canvas_size)
    source = painter_source(name, canvas_size)
    if not isinstance(source, (str, os.PathLike)):
        return _placed_object(source, canvas_size, device, brush)
    canvas_size = 64 if canvas_size is None else canvas_size
    if os.fspath(name) == "mypaint":
        return MyPaintPainter(canvas_size, brush=brush or DEFAULT_BRUSH, seed=seed)
    device = "cpu" if device is None else device
    if os.fspath(name) in SHIPPED_PAINTERS:
        painter = shipped_painter(os.fspath(name), device, brush if os.fspath(name) == "dab" else None)
    else:
        painter = load_checkpoint(name, device=device)
    _check_brush(painter, brush, name)
    painter.requires_grad_(False)
    return at_canvas_size(painter, canvas_size)


def module_device(painter: object) -> torch.device | None:
    """The device of a painter object's first parameter or buffer; None for names, paths, ``None``
    and painters without tensors (``MyPaintPainter``). Code that is handed a caller's painter puts
    its own networks there rather than moving the painter (which may be training elsewhere)."""
    if not isinstance(painter, nn.Module):
        return None
    for tensor in (*painter.parameters(), *painter.buffers()):
        return tensor.device
    return None


def _placed_object(
    painter: Painter | DifferentiablePainter,
    canvas_size: int | None,
    device: str | torch.device | None,
    brush: str | None = None,
) -> Painter | DifferentiablePainter:
    """A painter object (checked by :func:`painter_source`) on ``device``, at ``canvas_size`` (a
    dab painter natively, a VAE or GAN resized); ``brush``, if given, must be a neural painter's own."""
    neural = isinstance(painter, (NeuralPainter, DabPainter))
    if brush is not None and not neural:
        raise ValueError("brush= chooses the brush of a painter loaded by name; a painter object paints with its own")
    if neural:
        _check_brush(painter, brush, type(painter).__name__)
    if device is not None and isinstance(painter, nn.Module):
        painter = painter.to(device)
    if canvas_size is None or painter.canvas_size == canvas_size:
        return painter
    return at_canvas_size(painter, canvas_size)  # a bare network: a dab painter at the size, a VAE or GAN resized


def as_numpy(x: object) -> object:
    """A torch tensor as a numpy array (detached from autograd, copied to the CPU; ``bfloat16``
    and other float dtypes numpy lacks widened to float32); anything else unchanged. Public
    functions that take numpy arrays call it first, so the tensor a user has just optimised
    (``requires_grad=True``, maybe on a GPU, maybe bfloat16) can be passed as it is. The same
    crossing as :func:`paint_gym.actions.to_numpy`."""
    return act.to_numpy(x)


def canvas_painter(painter: CanvasPainter | DifferentiablePainter) -> CanvasPainter:
    """A painter that paints sequences onto uint8 canvases: a :class:`CanvasPainter` (such as
    ``MyPaintPainter``) as it is, a differentiable painter behind its numpy face, a
    :class:`~paint_gym.painters.canvases.Canvases`."""
    return painter if isinstance(painter, CanvasPainter) else Canvases(painter)


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
    ``ValueError`` for NaN or inf, a shape other than ``(B, T, 12)`` or a non-numeric dtype:
    the shape here, the values once, in the painter's ``paint``.
    """
    a = as_numpy(actions)
    if getattr(a, "ndim", None) != 3:  # a painter's paint also takes one sequence (T, 12); replay takes batches
        a = act.validate_actions(a, batch_ndim=3)
    painting = canvas_painter(load_painter(painter, canvas_size=canvas_size, seed=seed))
    painting.reseed(seed)
    return painting.paint(a, background=background)


__all__ = [
    "DEFAULT_PAINTER",
    "SHIPPED_PAINTERS",
    "PainterLike",
    "PainterNotFoundError",
    "ResizedPainter",
    "as_numpy",
    "at_canvas_size",
    "canvas_painter",
    "dab_fidelity",
    "load_painter",
    "painter_source",
    "replay",
    "shipped_dab_brushes",
    "shipped_painter",
]
