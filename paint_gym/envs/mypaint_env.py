"""MyPaintEnv: painting with the real MyPaint brush engine, one stroke per step; and
MyPaintVectorEnv, N of them in one process (``gym.make_vec``'s default mode for the MyPaint ids)."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from copy import deepcopy
from typing import Any, ClassVar

import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.vector.utils import concatenate

from ..painters.mypaint import DEFAULT_BRUSH, MyPaintPainter, rgba_over_background
from ..validation import check_int
from .checks import (
    check_action_batch,
    check_autoreset_mode,
    check_max_episode_steps,
    check_reset_mask,
    check_reset_options,
    check_seeds,
    check_steppable,
    check_targets,
)
from .episode import Box
from .single import PaintEnv
from .task import TaskOfId


class MyPaintCanvases:
    """The canvases of episodes painted by libmypaint (an :class:`~paint_gym.envs.episode.EpisodeCanvases`):
    one persistent MyPaint surface per episode, as a person painting in the real program has.

    ``painters[i]`` paints episode ``i``: reseeded with the episode's brush seed and cleared at its
    start; each stroke is painted on its surface and only the region it changed is read back and
    laid over ``background`` (float32 RGB ``(3,)`` in [0, 1]).
    """

    def __init__(self, painters: Sequence[MyPaintPainter], background: np.ndarray) -> None:
        self.painters = list(painters)
        self.background = background

    def start(self, num: int, index: np.ndarray, seeds: Sequence[int | None]) -> np.ndarray:
        """Reseed and clear the surfaces of episodes ``index``; their blank canvases, uint8 ``(k, H, W, 3)``."""
        canvases = []
        for i, seed in zip(index, seeds, strict=True):
            painter = self.painters[i]
            painter.reseed(seed)
            painter.surface.clear()
            canvases.append(rgba_over_background(painter.surface.rgba(), self.background))
        return np.stack(canvases)

    def add(self, index: np.ndarray, strokes: np.ndarray) -> list[tuple[Box, np.ndarray] | None]:
        """Paint ``strokes[k]`` on episode ``index[k]``'s surface; the changed region and its new
        uint8 pixels, or None where nothing changed."""
        painted: list[tuple[Box, np.ndarray] | None] = []
        for i, stroke in zip(index, strokes, strict=True):
            painter = self.painters[i]
            box = painter.paint_strokes(stroke[None])
            painted.append(
                None if box is None else (box, rgba_over_background(painter.surface.rgba(box), self.background))
            )
        return painted


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
    (it must return a real number finite as a float: NaN, inf, ``10**400`` or a non-number raise
    ``ValueError`` naming it). It is called with the painted canvas, so when it refuses, ``step``
    raises after the stroke was painted and counted (see :meth:`PaintEnv.step
    <paint_gym.envs.single.PaintEnv.step>`). The last step of an episode, terminated or truncated,
    pays the final reward (``done=True``).

    ## Starting State
    A blank canvas in the background colour and a target drawn with the env's generator
    (``options={"target": image}`` sets it).

    ## Episode End
    The episode terminates after ``episode_length`` strokes (MNIST/KMNIST/Strokes: 8, CelebA:
    15) and is truncated after ``max_episode_steps`` steps if it has a time limit:
    ``gym.make(..., max_episode_steps=N)`` (Gymnasium's ``TimeLimit`` around the env, which
    the env reads at each reset) or ``MyPaintEnv(max_episode_steps=N)``. The env owns the limit,
    so a truncated episode's last step pays the final reward too (see
    :class:`~paint_gym.envs.single.PaintEnv`); stepping after it raises ``RuntimeError``.

    ## Info
    The same keys at reset and at every step (see :class:`~paint_gym.envs.single.PaintEnv`):
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
      and ``target`` have separate ``Box`` objects. Later: a callable's integer, fraction or
      ``Decimal`` beyond float's range (``10**400``) raises the named ``ValueError`` (was
      ``OverflowError``) and finite ``Decimal`` values are accepted; ``render()`` after
      ``close()`` raises ``RuntimeError`` (it returned the last frame); a list of Pillow images
      as ``options["target"]`` is read image by image and refused as a batch;
      ``gym.make_vec``'s default mode is :class:`MyPaintVectorEnv` (was Gymnasium's
      ``SyncVectorEnv``).
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
        self._surface = MyPaintCanvases([self.painter], self.background)
        self._target_painter: MyPaintPainter | None = None

    def _canvases(self) -> MyPaintCanvases:
        return self._surface

    def _stroke_painter(self) -> MyPaintPainter:
        if self._target_painter is None:
            self._target_painter = MyPaintPainter(self.canvas_size, brush=self.brush)
        return self._target_painter

    def close(self) -> None:
        for painter in (self.painter, self._target_painter):
            if painter is not None:
                painter.close()
        super().close()


class MyPaintVectorEnv(TaskOfId, SyncVectorEnv):
    """N MyPaint painting episodes in one process (``gym.make_vec("MyPaint-MNIST-v0", num_envs=N)``).

    ## Description
    The vector entry point of the ``MyPaint-*-v0`` ids: Gymnasium's ``SyncVectorEnv`` of N
    :class:`MyPaintEnv` sub-envs (libmypaint paints one stroke at a time, so they step in
    turn), with the same task, spaces, rewards, ``info`` keys, time limit and autoreset modes as
    ``gym.make_vec(..., vectorization_mode="sync")``, and every ``reset`` and ``step`` argument
    checked before any sub-env changes (see Starting State).

    ## Action Space
    ``Box(-1, 1, (N, 12), float32)``, or with ``action_mode="discrete"`` the batched
    ``MultiDiscrete`` (each sub-env keeps its own pen position).

    ## Observation Space
    ``Dict(canvas=Box(0, 255, (N, H, W, 3), uint8), target=...)``.

    ## Rewards
    As :class:`MyPaintEnv`, per sub-env (float64 ``(N,)``): an episode's last step pays the
    final reward whether it terminates or is truncated by ``max_episode_steps``. A reward
    callable that returns no finite number makes ``step`` raise after every sub-env stepped:
    every stroke stands (as in the single env), the first refused reward is raised, and a
    sub-env whose episode ended is reset at the next step (``DISABLED``: reset it yourself).

    ## Starting State
    ``reset(seed=None | int | N seeds, options=None)``: an int ``s`` gives sub-env ``i`` the
    seed ``s + i`` (sub-env ``i`` then shows exactly what ``MyPaintEnv.reset(seed=s + i)``
    shows). ``options`` may hold ``"target"``: one image (every reset sub-env paints it) or one
    per sub-env (``(N, H, W, 3)`` or a list of N images; Pillow images are read as
    :func:`paint_gym.images.to_rgb` reads them), and Gymnasium's ``"reset_mask"``: bool
    ``(N,)``, which resets only the masked sub-envs. Any other key raises ``ValueError``. Every
    argument (each seed: None or an integer >= 0; the mask; the targets; ``step``'s actions,
    every row, shape ``(N, 12)`` or ``(N, 10)``) is checked first with the checks of
    :mod:`paint_gym.envs.checks`, shared with ``NeuralPaintVectorEnv``, so a rejected call
    leaves every sub-env as it was. (``vectorization_mode="sync"`` and ``"async"`` are
    Gymnasium's own classes: there a bad seed or action is refused by its sub-env after the
    sub-envs before it were reset or stepped.)

    ## Episode End
    Sub-env ``i`` terminates after ``episode_length`` strokes and is truncated after
    ``max_episode_steps`` (each sub-env owns the limit, see :class:`MyPaintEnv`).
    ``autoreset_mode`` as Gymnasium's vector envs (https://farama.org/Vector-Autoreset-Mode):
    ``NEXT_STEP`` (default), ``SAME_STEP`` (``info["final_obs"]``, ``info["final_info"]``) or
    ``DISABLED`` (stepping an ended sub-env raises ``RuntimeError`` until it is reset with
    ``reset(options={"reset_mask": mask})``).

    ## Info
    Gymnasium's vector layout of the single env's keys (``l2``, ``step``, ``stroke``,
    ``painted`` and the task's target keys), each with its ``"_" + key`` mask.

    ## Rendering
    ``render()`` gives a tuple of every sub-env's ``target | canvas`` (as ``SyncVectorEnv``);
    before the first ``reset()`` it raises ``gymnasium.error.ResetNeeded``, after ``close()``
    ``RuntimeError``.

    ## Arguments
    ``num_envs`` and the arguments of :class:`MyPaintEnv` (checked by the first sub-env, with
    its errors), plus what ``gym.make_vec`` passes on: ``max_episode_steps`` (``None`` or -1:
    no limit), ``disable_env_checker`` (accepted; the sub-envs are not wrapped) and
    ``autoreset_mode`` (what ``vector_kwargs`` sets in the ``"sync"`` mode). ``gym.make_vec``
    takes ``wrappers=`` and ``vector_kwargs=`` only in the ``"sync"`` and ``"async"`` modes.

    ## Version History
    * v0, round 3 fixes: added, as the MyPaint ids' ``vector_entry_point`` (``gym.make_vec``'s
      default mode was Gymnasium's ``SyncVectorEnv``, where ``reset(seed=[7, 8, -5])`` reseeded
      sub-envs 0 and 1 before refusing the third seed, a step with NaN in one row stepped the
      rows before it, and a ``(2, 12)`` action for 3 sub-envs raised ``zip()``'s error): every
      argument is checked before any sub-env changes; one target per sub-env; ``render()``
      after ``close()`` raises ``RuntimeError``.
    """

    #: What ``reset(options=...)`` accepts; any other key raises ``ValueError``.
    reset_options: ClassVar[dict[str, str]] = {
        "target": (
            "uint8 (canvas_size, canvas_size, 3) for every reset sub-env, or (num_envs, canvas_size, canvas_size, 3) "
            "or a list of num_envs images, one per sub-env"
        ),
        "reset_mask": "bool numpy array (num_envs,): reset only these sub-envs",
    }

    def __init__(
        self,
        num_envs: int = 8,
        task: str = "MNIST",
        *,
        max_episode_steps: int | None = None,
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
        disable_env_checker: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Check the vector arguments, then make ``num_envs`` :class:`MyPaintEnv` sub-envs (the
        first checks the task arguments: ``ValueError`` naming a bad one)."""
        num_envs = check_int("num_envs", num_envs, 1)
        mode = check_autoreset_mode(autoreset_mode)
        limit = check_max_episode_steps(max_episode_steps)
        make = functools.partial(MyPaintEnv, task, max_episode_steps=limit, **kwargs)
        super().__init__([make] * num_envs, autoreset_mode=mode)
        first = self.envs[0]
        self.config, self.task, self.canvas_size = first.config, first.task, first.canvas_size
        self.max_episode_steps = limit
        self._started = False

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(
                "this MyPaintVectorEnv was closed (close() frees its painters); make a new one, "
                "e.g. gym.make_vec(...), to paint again"
            )

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start new episodes in every sub-env (or those of ``options["reset_mask"]``).

        ``seed``: None, an int (sub-env ``i`` gets ``seed + i``) or one seed per sub-env.
        ``options``: ``"target"`` and ``"reset_mask"`` (see the class docstring). Every argument
        is checked, and the data set loaded, before any sub-env changes (``ValueError``).
        """
        self._check_open()
        options = check_reset_options(options, self.reset_options)
        mask = check_reset_mask(options, self.num_envs, self._started)
        seeds = check_seeds(seed, self.num_envs)
        given = check_targets(options.get("target"), self.num_envs, self.canvas_size, self.config.background)
        index = np.flatnonzero(mask)
        if given is None:
            for i in index:
                _ = self.envs[i].targets  # loaded (shared in this process) before any sub-env changes
        infos: dict[str, Any] = {}
        for i in index:
            sub_options = None if given is None else {"target": given[i]}
            self._env_obs[i], info = self.envs[i].reset(seed=seeds[i], options=sub_options)
            infos = self._add_info(infos, info, i)
        self._terminations[mask] = self._truncations[mask] = self._autoreset_envs[mask] = False
        self._started = True
        self._observations = concatenate(self.single_observation_space, self._env_obs, self._observations)
        return deepcopy(self._observations) if self.copy else self._observations, infos

    def step(self, actions: Any) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Paint one stroke in every sub-env; sub-envs whose episode ended are reset as
        ``autoreset_mode`` says. The whole batch is checked first (``ValueError``: shape
        ``(N, 12)`` or ``(N, 10)``, finite, in the space); a refused reward raises after every
        sub-env stepped (see Rewards)."""
        self._check_open()
        check_steppable(self._started, self.autoreset_mode, self._autoreset_envs)
        rows = check_action_batch(actions, self.num_envs, self.config.action_mode, self.config.discrete)
        infos: dict[str, Any] = {}
        refused: list[ValueError] = []
        ended = np.zeros(self.num_envs, bool)  # episodes that end here and are not reset in this step
        for i, env in enumerate(self.envs):
            if self._autoreset_envs[i]:  # NEXT_STEP, or after a refused reward: reset, the action is ignored
                self._env_obs[i], info = env.reset()
                self._rewards[i], self._terminations[i], self._truncations[i] = 0.0, False, False
                infos = self._add_info(infos, info, i)
                continue
            steps = env._steps
            try:
                obs, self._rewards[i], self._terminations[i], self._truncations[i], info = env.step(rows[i])
            except ValueError as exc:
                if env._steps == steps:  # not a reward: nothing was painted (cannot happen after the check)
                    raise
                refused.append(exc)  # the stroke stands (PaintEnv.step); the other sub-envs step too
                self._env_obs[i], ended[i] = env._observation(), env._done
                continue
            self._env_obs[i] = obs
            ended[i] = self._terminations[i] or self._truncations[i]
            if ended[i] and self.autoreset_mode == AutoresetMode.SAME_STEP:
                infos = self._add_info(infos, {"final_obs": obs, "final_info": info}, i)
                self._env_obs[i], info = env.reset()
                ended[i] = False
            infos = self._add_info(infos, info, i)
        self._observations = concatenate(self.single_observation_space, self._env_obs, self._observations)
        self._autoreset_envs = ended
        if refused:
            raise refused[0]
        return (
            deepcopy(self._observations) if self.copy else self._observations,
            np.copy(self._rewards),
            np.copy(self._terminations),
            np.copy(self._truncations),
            infos,
        )

    def render(self) -> tuple[np.ndarray | None, ...]:
        """Every sub-env's ``target | canvas`` (uint8 ``(H, 2W, 3)`` each), as ``SyncVectorEnv``.

        Raises ``gymnasium.error.ResetNeeded`` before the first ``reset()`` and ``RuntimeError``
        after ``close()``.
        """
        self._check_open()
        return super().render()
