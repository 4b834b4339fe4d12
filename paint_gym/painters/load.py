"""``load_painter``: one entry point for the real painter and the neural ones."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import actions as act
from ..canvas import paint_differentiable
from ..validation import check_canvas_size
from .mypaint import MyPaintPainter
from .neural import NeuralPainter, load_checkpoint, load_neural_painter


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
        return nn.functional.interpolate(x[:, None], size=(self.canvas_size,) * 2, mode="bilinear", align_corners=False)[:, 0]

    def forward(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, var = self.painter(actions)
        return self._resize(mean).clamp(0, 1), self._resize(var).clamp(min=0)

    def render_alpha(self, actions: torch.Tensor, return_var: bool = False):
        mean, var = self(actions)
        return (mean, var) if return_var else mean


def load_painter(name: str | os.PathLike = "gan", canvas_size: int = 64, device: str | torch.device = "cpu", seed: int | None = None):
    """A painter by name: ``"gan"`` or ``"vae"`` (shipped weights, verified by SHA-256),
    ``"mypaint"`` (the real program; ``seed`` seeds its brush) or a path to a checkpoint.

    Neural painters take and return torch tensors; ``MyPaintPainter`` numpy arrays.
    ``canvas_size`` is an integer number of pixels >= 8 (a neural painter trained at another
    size is resized bilinearly); anything else raises ``ValueError`` (``64.5`` is not truncated).
    """
    canvas_size = check_canvas_size(canvas_size)
    if isinstance(name, NeuralPainter):  # an instance is used as it is (it may be training)
        painter = name.to(device)
    elif str(name) == "mypaint":
        return MyPaintPainter(canvas_size, seed=seed)
    else:
        if str(name) in ("gan", "vae"):
            painter = load_neural_painter(str(name), device)
        elif Path(name).suffix in (".pt", ".pth") or Path(name).exists():
            painter = load_checkpoint(name, device=device)
        else:
            raise ValueError(f"unknown painter {name!r}: use 'gan', 'vae', 'mypaint' or a checkpoint path")
        for p in painter.parameters():
            p.requires_grad_(False)  # gradients flow to the actions, not into a loaded painter
    return painter if painter.canvas_size == canvas_size else ResizedPainter(painter, canvas_size)


def as_numpy(x: object) -> object:
    """A torch tensor as a numpy array (detached from autograd, copied to the CPU); anything
    else unchanged. Public functions that take numpy arrays call it first, so the tensor a user
    has just optimised (``requires_grad=True``, maybe on a GPU) can be passed as it is."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return x


def to_uint8_tensor(canvas: torch.Tensor) -> np.ndarray:
    """A float canvas tensor in [0, 1] -> uint8 numpy (rounded), detached."""
    return (canvas.detach().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()


class NeuralCanvasPainter:
    """``paint``/``reseed`` of :class:`MyPaintPainter` over a neural painter (numpy in, uint8 out)."""

    def __init__(self, painter: nn.Module, background: str | np.ndarray = "white") -> None:
        self.painter = painter
        self.canvas_size = painter.canvas_size
        self.background = background

    def reseed(self, seed: int | None) -> None:
        """Neural painters are deterministic: nothing to seed."""

    @torch.no_grad()
    def paint(self, actions: np.ndarray | torch.Tensor) -> np.ndarray:
        """Stroke sequences ``(T, 12)`` or ``(B, T, 12)`` (numpy or torch, any float dtype; values
        clipped to [-1, 1]) -> uint8 ``(..., H, W, 3)``. NaN, inf or a wrong shape raise
        ``ValueError``."""
        a = act.validate_actions(as_numpy(actions), batch_ndim=(2, 3))
        batch = torch.as_tensor(a if a.ndim == 3 else a[None], device=self.painter.device)
        out = to_uint8_tensor(paint_differentiable(self.painter, batch, background=self.background))
        return out if a.ndim == 3 else out[0]


def replay(actions: np.ndarray | torch.Tensor, painter: str | os.PathLike = "mypaint", seed: int = 0, canvas_size: int = 64,
           background: str = "white") -> np.ndarray:
    """Paint stroke sequences ``(B, T, 12)`` with any painter -> uint8 ``(B, H, W, 3)``.

    The transfer check of every agent: the same strokes replayed in MyPaint (seeded) or in a
    neural painter. ``actions`` may be a numpy array, a nested list or a torch tensor (also one
    that requires grad or lives on a GPU: it is detached and copied), of any real dtype; values
    outside [-1, 1] are clipped. Raises ``ValueError`` for NaN or inf, a shape other than
    ``(B, T, 12)`` or a non-numeric dtype.
    """
    a = act.validate_actions(as_numpy(actions), batch_ndim=3)
    loaded = load_painter(painter, canvas_size=canvas_size, seed=seed)
    if isinstance(loaded, MyPaintPainter):
        return loaded.paint(a, background=background)
    return NeuralCanvasPainter(loaded, background).paint(a)
