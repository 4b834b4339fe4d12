"""MyPaintEnv: painting with the real MyPaint brush engine, one stroke per step."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..painters.mypaint import DEFAULT_BRUSH, MyPaintPainter, rgba_over_background
from .task import Box, PaintEnv


class MyPaintEnv(PaintEnv):
    """Reconstruct a target image with brushstrokes painted by libmypaint.

    ## Description
    Each episode shows a target image (an MNIST or KMNIST digit as dark ink on white, a CelebA
    face, or a picture of random strokes) and a blank white canvas. Every step paints one full
    brushstroke with MyPaint's brush engine on one persistent MyPaint surface, as a person
    painting in the real program would. The default brush is ``classic/dry_brush``, as in
    Nakano's "Neural Painters" (2019).

    ## Action Space
    ``Box(-1, 1, (12,), float32)`` with the layout ``start_pressure, end_pressure, size, red,
    green, blue, start_x, start_y, control_x, control_y, end_x, end_y`` (see
    :mod:`paint_gym.actions`). The stroke is a quadratic Bezier curve that passes through the
    control point halfway; pressure runs from start to end in [0, 0.8]; the radius is
    log-uniform in 1-8 px on a 64 px canvas (scaled with the canvas). Values outside [-1, 1]
    are clipped; NaN, inf, a wrong shape or dtype raise ``ValueError`` and leave the episode
    unchanged. With ``action_mode="discrete"`` the space is SPIRAL's ``MultiDiscrete``
    (:class:`paint_gym.actions.DiscreteActions`): strokes start where the pen rests, and a lift
    moves the pen without painting.

    ## Observation Space
    ``Dict(canvas=Box(0, 255, (H, W, 3), uint8), target=Box(0, 255, (H, W, 3), uint8))``.

    ## Rewards
    ``reward="dense"`` (default): the decrease of the L2 distance (mean squared error on [0, 1]
    images) caused by the stroke, so the return is the total improvement; the L2 is exact at
    every canvas size (an integer sum of squared uint8 differences, ``info["l2"]``). ``"final"``: minus
    the final L2 at the last step, 0 before. ``"none"``: always 0 (for an external
    discriminator, as in SPIRAL). A callable ``f(canvas, target, done) -> float`` is used as is
    (it must return a finite number: NaN, inf or a non-number raise ``ValueError`` naming it).
    The last step of an episode, terminated or truncated, pays the final reward (``done=True``).

    ## Starting State
    A blank canvas in the background colour and a target drawn with the env's generator
    (``options={"target": image}`` sets it).

    ## Episode End
    The episode terminates after ``episode_length`` strokes (MNIST/KMNIST/Strokes: 8, CelebA:
    15) and is truncated after ``max_episode_steps`` steps if it has a time limit:
    ``gym.make(..., max_episode_steps=N)`` (Gymnasium's ``TimeLimit`` around the env, which
    the env reads at each reset) or ``MyPaintEnv(max_episode_steps=N)``. The env owns the limit,
    so a truncated episode's last step pays the final reward too (see
    :class:`~paint_gym.envs.task.PaintEnv`); stepping after it raises ``RuntimeError``.

    ## Info
    The same keys at reset and at every step (see :class:`~paint_gym.envs.task.PaintEnv`):
    ``l2``, ``step``, the clipped ``stroke`` painted (NaN at reset) and whether the step
    ``painted``, plus the target's keys: ``target_index`` (and ``target_label`` for MNIST and
    KMNIST) for the data sets, ``target_actions`` and ``target_seed`` for Strokes; -1 or NaN
    when ``options={"target": image}`` set the target.

    ## Arguments
    ``gym.make("MyPaint-MNIST-v0", split="train", canvas_size=64, episode_length=None,
    reward="dense", action_mode="continuous", brush="classic/dry_brush", background="white",
    render_mode=None, data_dir=None)``, each checked when the env is made (``ValueError``
    naming the argument; ``brush`` is a name or a ``.myb`` path). ``task=`` may not contradict
    the id, and the neural envs' ``painter``/``device`` are refused with a ``ValueError`` saying
    where they belong. Data sets are found through ``data_dir``,
    ``PAINT_GYM_DATA``, the user cache, or downloaded (see :mod:`paint_gym.data`).
    ``render_mode="rgb_array"`` renders target | canvas side by side. A brush outside
    ``paint_gym.SUPPORTED_BRUSHES`` paints but warns once (``UserWarning``): its ink is not
    checked against the action contract (see ``INK_BANDS`` in :mod:`paint_gym.painters.mypaint`
    for how far the supported brushes' ink lands).

    ## Copying
    ``copy.deepcopy(env)`` and ``pickle`` work, also through ``gym.make``'s wrappers: the copy
    gets its own libmypaint surface (with the original's pixels) and brush, the episode, the
    env's generator and the painter's stroke-seed generator, so the same actions give the same
    pixels and rewards in both (for planning and tree search). The data set is not copied: it is
    found again on first use, so a pickle stays small (about 120 kB at 64 px).

    ## Version History
    * v0: initial version. Later v0 fixes: the exact MSE at every canvas size (the squared
      error was summed in int32); ``info`` has the same keys at reset and at every step (the
      painted continuous stroke is ``info["stroke"]``); unknown reset options raise
      ``ValueError``; a closed env raises ``RuntimeError``; envs can be deep-copied and pickled;
      a reused env paints exactly what a fresh one does for the same seed; the brush's radius is
      the action's at every pressure and speed (brush-file radius mappings are removed).
    * v0, round 3 fixes: a truncated episode's last step pays the final reward (``"final"``,
      a callable sees ``done=True``) and the env reports ``truncated`` itself (it owns its time
      limit: ``max_episode_steps``, or the ``TimeLimit`` of ``gym.make``); stepping after
      truncation raises ``RuntimeError``; a rejected ``reset`` (``seed=-5``) changes nothing and
      a bad seed raises ``ValueError``; ``task=`` contradicting the id, an argument of another
      env (``painter=``) and ``brush=None`` raise ``ValueError``; a reward callable's NaN, inf
      or non-number raises; ``render()`` before ``reset()`` raises ``ResetNeeded``; ``canvas``
      and ``target`` have separate ``Box`` objects.
    """

    def __init__(
        self,
        task: str = "MNIST",
        *,
        brush: str | os.PathLike = DEFAULT_BRUSH,
        **kwargs: Any,
    ) -> None:
        """Validate the arguments (see the class docstring), then load the brush into a new
        libmypaint surface; ``ValueError`` names a bad argument, ``FileNotFoundError`` a brush
        that is not installed."""
        if not isinstance(brush, (str, os.PathLike)):
            raise ValueError(
                f"brush must be a brush name such as {DEFAULT_BRUSH!r} (see paint_gym.list_brushes()) or the path "
                f"of a .myb file; got {type(brush).__name__} {brush!r}"
            )
        super().__init__(task, **kwargs)
        self.brush = brush
        self.painter = MyPaintPainter(self.canvas_size, brush=brush)
        self._target_painter: MyPaintPainter | None = None

    def _clear(self) -> np.ndarray:
        self.painter.surface.clear()
        return rgba_over_background(self.painter.surface.rgba(), self.background)

    def _paint(self, action: np.ndarray) -> tuple[Box, np.ndarray] | None:
        """Paint on the persistent surface; only the region the stroke changed is read back."""
        box = self.painter.paint_strokes(action[None])
        if box is None:
            return None
        return box, rgba_over_background(self.painter.surface.rgba(box), self.background)

    def _reseed_painter(self, seed: int) -> None:
        self.painter.reseed(seed)

    def _stroke_painter(self) -> MyPaintPainter:
        if self._target_painter is None:
            self._target_painter = MyPaintPainter(self.canvas_size, brush=self.brush)
        return self._target_painter

    def close(self) -> None:
        for painter in (self.painter, self._target_painter):
            if painter is not None:
                painter.close()
        super().close()
