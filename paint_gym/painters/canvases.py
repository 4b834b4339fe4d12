"""Canvases: a batch of canvases and the painter that paints them, a stroke at a time.

The one "composite a stroke onto a batch of canvases" object of the library: the neural envs'
canvases (through :class:`~paint_gym.envs.episode.Episodes`), the canvases SPIRAL's agent paints
for itself, and the numpy face of a neural painter that ``replay`` and the Strokes targets use.
Each stroke's alpha map comes from the painter and is composited with the stroke's colour by
:func:`paint_gym.canvas.composite`, the rule every painter follows.

Two homes for the float canvases ``(N, H, W, 3)`` in [0, 1]:

* torch (``tensors=True``, the default for a differentiable painter): on the painter's device,
  composited in place there; the neural envs keep their canvases here.
* numpy (``tensors=False``, and always for a numpy painter such as ``MyPaintPainter``): the alpha
  maps are read back to the host and composited in numpy.

torch is imported on first use only: a numpy painter's canvases need none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import actions as act
from ..canvas import background_rgb, composite, to_uint8
from .base import CanvasPainter, DifferentiablePainter, Painter

if TYPE_CHECKING:
    import torch


class Canvases:
    """Float canvases ``(N, H, W, 3)`` in [0, 1] that one painter paints, a stroke per canvas at a time.

    ``painter`` is a numpy :class:`~paint_gym.painters.base.Painter` (``MyPaintPainter``) or a
    torch :class:`~paint_gym.painters.base.DifferentiablePainter` (anything with
    ``render_alpha`` and ``canvas_size``; a ``device`` attribute says where it computes, else the
    CPU). ``background``: ``"white"``, ``"black"`` or RGB in [0, 1]. ``tensors``: keep the canvases
    as torch tensors on the painter's device (default: for a torch painter), else in numpy.

    Painting a batch of episodes (:class:`~paint_gym.envs.episode.EpisodeCanvases`):
    :meth:`start` (blank canvases) and :meth:`add` (one stroke ``(12,)`` on each listed canvas),
    both returning the canvases' uint8 observation ``(k, H, W, 3)`` (a tensor on the device when
    ``observe_tensors``). Painting whole sequences onto fresh canvases, numpy in and out (the
    :class:`~paint_gym.painters.base.CanvasPainter` protocol, as ``MyPaintPainter``):
    :meth:`paint`, :meth:`render_alpha`, :meth:`reseed`.
    """

    def __init__(
        self,
        painter: Painter | DifferentiablePainter,
        background: str | Sequence[float] | np.ndarray = "white",
        *,
        tensors: bool | None = None,
        observe_tensors: bool = False,
    ) -> None:
        self.painter = painter
        self.canvas_size = int(painter.canvas_size)
        self.background = background
        self.numpy_painter = isinstance(painter, CanvasPainter)
        self.tensors = (not self.numpy_painter) if tensors is None else bool(tensors)
        if self.tensors and self.numpy_painter:
            raise ValueError("a numpy painter (MyPaintPainter) paints numpy canvases: pass tensors=False")
        self.observe_tensors = observe_tensors
        self.canvas: Any = None  # (N, H, W, 3) float32, made by the first start()

    @property
    def device(self) -> torch.device:
        """Where the painter computes (actions are sent there); the CPU for painters without ``device``."""
        import torch

        return getattr(self.painter, "device", torch.device("cpu"))

    # -- a batch of episodes ----------------------------------------------------------------
    def start(self, num: int, index: np.ndarray, seeds: Sequence[int | None] = ()) -> Any:
        """Blank canvases (the background) for episodes ``index`` of a batch of ``num`` (made, or
        made again, when the batch size changes). A neural painter is deterministic: ``seeds`` are
        not needed (reseed a numpy painter with :meth:`reseed`). Returns their uint8 observation."""
        rgb = background_rgb(self.background)
        if self.canvas is None or len(self.canvas) != num:
            s = self.canvas_size
            if self.tensors:
                import torch

                self.canvas = torch.zeros(num, s, s, 3, device=self.device)
            else:
                self.canvas = np.zeros((num, s, s, 3), np.float32)
        if self.tensors:
            import torch

            ix = torch.as_tensor(index, device=self.device, dtype=torch.long)
            self.canvas[ix] = torch.as_tensor(rgb, device=self.device)
            return self.observe(ix)
        self.canvas[index] = rgb
        return self.observe(index)

    def add(self, index: np.ndarray, strokes: np.ndarray) -> Any:
        """Composite validated stroke ``strokes[k]`` ``(12,)`` onto canvas ``index[k]``; returns the
        painted canvases' uint8 observation ``(k, H, W, 3)``."""
        if not self.tensors:
            alpha = self.render_alpha(strokes)
            self.canvas[index] = composite(self.canvas[index], alpha, act.colors_of(strokes)).astype(np.float32)
            return self.observe(index)
        import torch

        a = torch.as_tensor(strokes, device=self.device)
        with torch.no_grad():
            alpha = self.painter.render_alpha(a)
            if len(index) == len(self.canvas) and (index == np.arange(len(index))).all():
                # every canvas, in order: in place, one lerp (composite()'s rule), no gathers and scatters
                self.canvas.lerp_(act.colors_of(a)[:, None, None, :], alpha[..., None])
                return self.observe(slice(None))
            ix = torch.as_tensor(index, device=self.device, dtype=torch.long)
            self.canvas[ix] = composite(self.canvas[ix], alpha, act.colors_of(a))
        return self.observe(ix)

    def observe(self, index: Any = slice(None)) -> Any:
        """The uint8 observation ``(k, H, W, 3)`` of canvases ``index``, rounded as
        :func:`~paint_gym.canvas.to_uint8` rounds: numpy, or a tensor on the device when
        ``observe_tensors`` (no copy to the host)."""
        if not self.tensors:
            return to_uint8(self.canvas[index])
        import torch

        scaled = self.canvas[index].detach().clamp(0, 1).mul_(255).add_(0.5)  # to_uint8_array's rounding
        out = scaled.to(torch.uint8)
        return out if self.observe_tensors else out.cpu().numpy()

    # -- the numpy face of the painter (CanvasPainter) ----------------------------------------
    def reseed(self, seed: int | None) -> None:
        """Restart a random painter's brush (MyPaint); a neural painter is deterministic."""
        if self.numpy_painter:
            self.painter.reseed(seed)

    def render_alpha(self, actions: np.ndarray) -> np.ndarray:
        """Alpha maps ``(B, H, W)`` float32 in [0, 1] of strokes ``(B, 12)`` (numpy or torch;
        validated, clipped), read back to numpy."""
        a = act.validate_actions(act.to_numpy(actions), batch_ndim=2)
        if self.numpy_painter:
            return self.painter.render_alpha(a)
        import torch

        with torch.no_grad():
            return self.painter.render_alpha(torch.as_tensor(a, device=self.device)).float().cpu().numpy()

    def paint(
        self, actions: np.ndarray | torch.Tensor, background: str | Sequence[float] | np.ndarray | None = None
    ) -> np.ndarray:
        """Stroke sequences ``(T, 12)`` or ``(B, T, 12)`` (numpy or torch, any float dtype; values
        clipped to [-1, 1]) -> uint8 ``(..., H, W, 3)`` on fresh canvases over ``background``
        (default: these canvases'). A neural painter renders all strokes in one batch
        (:func:`~paint_gym.canvas.paint_strokes`, the actions checked here only); MyPaint paints
        each sequence on its surface. NaN, inf or a wrong shape raise ``ValueError``."""
        a = act.validate_actions(act.to_numpy(actions), batch_ndim=(2, 3))
        bg = self.background if background is None else background
        if self.numpy_painter:
            return self.painter.paint(a, background=bg)
        import torch

        from ..canvas import paint_strokes, to_uint8_array

        batch = torch.as_tensor(a if a.ndim == 3 else a[None], device=self.device)
        size = self.canvas_size
        start = torch.as_tensor(background_rgb(bg), device=self.device).expand(len(batch), size, size, 3)
        with torch.no_grad():
            out = to_uint8_array(paint_strokes(self.painter, batch, start))
        return out if a.ndim == 3 else out[0]


__all__ = ["Canvases"]
