"""The Painter protocol: every painter, real or neural, turns actions into stroke alpha maps."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Painter(Protocol):
    """Renders strokes: ``render_alpha(actions (B, 12)) -> alpha (B, H, W)`` in [0, 1].

    The colour is not the painter's business: :func:`paint_gym.canvas.composite` applies it.
    Neural painters also accept ``return_var=True`` and return ``(mean, var)``.
    """

    canvas_size: int

    def render_alpha(self, actions: Any) -> Any: ...
