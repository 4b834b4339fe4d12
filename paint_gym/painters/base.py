"""The painter protocols: every painter, real or neural, turns stroke actions into alpha maps.

* :class:`Painter` - numpy in, numpy out: the real program (:class:`~paint_gym.MyPaintPainter`)
  and the numpy face of a neural painter. What the envs and ``replay`` need.
* :class:`DifferentiablePainter` - torch in, torch out, differentiable with respect to the
  actions, with the per-pixel variance across brush seeds, and random strokes drawn with
  ``sample``: the neural painters (:class:`~paint_gym.painters.neural.GANPainter`,
  ``VAEPainter``, :class:`~paint_gym.painters.dab.DabPainter`). What
  :func:`~paint_gym.paint_differentiable`, :func:`~paint_gym.expected_mse`, the neural envs and
  :mod:`paint_gym.param` need (they call ``render_alpha`` only: a plug-in torch painter without
  ``sample`` works with all of them, though ``isinstance`` against this protocol says no).
* :class:`CanvasPainter` - a :class:`Painter` that also paints whole stroke sequences onto
  uint8 canvases, reproducibly for a seed: what ``replay`` and the agents' canvases need.
  :func:`~paint_gym.painters.load.canvas_painter` gives one for any painter.

A painter predicts where and how much paint lands; the colour is not its business
(:func:`paint_gym.canvas.composite` applies it). torch is imported here for type checkers
only, so importing the protocols (and the MyPaint side of the library) does not load torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    import torch

#: The painter used where none is named (envs, agents, ``expected_mse`` users, ``paint_gym.param``):
#: the dab painter, measured closer to MyPaint and faster than the paper's GAN and VAE by
#: ``benchmarks/painter_fidelity.py`` and ``benchmarks/env_speed.py`` (the figures: docs/painters.md).
#: The paper's painters stay available by name (``"gan"``, ``"vae"``).
DEFAULT_PAINTER = "dab"


@runtime_checkable
class Painter(Protocol):
    """Renders strokes with numpy: ``render_alpha(actions (B, 12) float32) -> (B, H, W) float32`` in [0, 1].

    Each stroke is rendered alone on a blank canvas of ``canvas_size`` pixels a side.
    """

    canvas_size: int

    def render_alpha(self, actions: np.ndarray) -> np.ndarray: ...


@runtime_checkable
class DifferentiablePainter(Protocol):
    """Renders strokes with torch, differentiably: ``render_alpha(actions (B, 12)) -> (B, H, W)``
    float32 in [0, 1], and with ``return_var=True`` the pair ``(mean, var)``: the alpha's mean and
    its per-pixel variance across the real brush's seeds (both ``(B, H, W)``, on the painter's
    device).

    ``sample(actions (B, 12), generator) -> (B, H, W)`` in [0, 1] draws one random stroke per
    action (reparameterised: differentiable with respect to the actions; the same generator state
    gives the same sample). The dab painter jitters its dabs as the brush does (texture); the VAE
    and GAN draw ``mean + sqrt(var) * noise`` per pixel, clipped to [0, 1] (no texture).

    Every painter of the package passes one contract (``tests/test_painter_contract.py``): zero
    pressure paints nothing, strokes whose points coincide paint what MyPaint paints, short
    strokes stay within MyPaint's seed-to-seed spread, output range, shape and dtype, the same
    pixels in a batch of 1 and of 64, and finite gradients at the bounds of the action box.
    """

    canvas_size: int

    def render_alpha(
        self, actions: torch.Tensor, return_var: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]: ...

    def sample(self, actions: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor: ...


@runtime_checkable
class CanvasPainter(Painter, Protocol):
    """A numpy :class:`Painter` that paints stroke sequences onto fresh canvases.

    ``paint(actions (T, 12) or (B, T, 12), background) -> uint8 (H, W, 3) or (B, H, W, 3)``
    checks the actions (:func:`paint_gym.actions.validate_actions`: NaN, inf or a wrong shape
    raise ``ValueError``; values are clipped), so callers such as ``replay`` leave them to it;
    ``reseed(seed)`` restarts its random brush (a deterministic painter ignores it), so the
    same seed and actions give the same pixels.
    """

    def paint(self, actions: np.ndarray, background: str | Sequence[float] = "white") -> np.ndarray: ...

    def reseed(self, seed: int | None) -> None: ...


__all__ = ["DEFAULT_PAINTER", "CanvasPainter", "DifferentiablePainter", "Painter"]
