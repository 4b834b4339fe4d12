"""PaintEnv: the single env (``MyPaintEnv``, ``NeuralPaintEnv``), a batch of one episode with
Gymnasium's single-env API.

The episode logic is :class:`~paint_gym.envs.episode.Episodes` (written once, for a batch); this
adds what one Gymnasium env has: ``np_random`` and ``reset(seed=...)``, the time limit read from
the ``TimeLimit`` wrappers around it, the checks of every argument at the door, ``info`` as Python
scalars, ``render`` and ``close``. A concrete env says only what its canvas is and who paints it
(:meth:`PaintEnv._canvases`) and how the Strokes task's targets are painted.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from .. import actions as act
from ..data import TargetSource
from ..painters.base import CanvasPainter
from .checks import (
    check_max_episode_steps,
    check_reset_options,
    check_seed,
    check_target,
    time_limit_of_caller,
)
from .episode import EpisodeCanvases, Episodes
from .task import RENDER_MODES, TaskEnvState

#: The index of the one episode of a single env's batch.
ONE = np.zeros(1, np.intp)


class PaintEnv(TaskEnvState, gym.Env, ABC):
    """The single env of MyPaintEnv and NeuralPaintEnv (see their docstrings): a batch of one
    :class:`~paint_gym.envs.episode.Episodes` with Gymnasium's single-env API.

    ## Arguments
    ``task`` and the keyword arguments of :meth:`~paint_gym.envs.task.TaskConfig.create` (``split``,
    ``canvas_size``, ``episode_length``, ``reward``, ``action_mode``, ``discrete``,
    ``background``, ``render_mode``, ``data_dir``), validated there with a ``ValueError``
    that names the argument, and ``max_episode_steps`` (the env's own time limit, see Episode
    End). An argument the env does not take raises ``ValueError`` naming the env it belongs to
    (``painter=`` on a MyPaint id, ``brush=`` on a NeuralPaint id). A ``task=`` that contradicts
    the id (``gym.make("MyPaint-MNIST-v0", task="CelebA")``) raises ``ValueError`` naming the
    id to use.

    ## Episode End
    Terminated after ``episode_length`` strokes; truncated after ``max_episode_steps`` steps
    when the episode has a time limit. **The env owns its time limit**, so that the episode's
    last step pays the final reward (``reward="final"``, or a callable called with ``done=True``)
    whether the episode terminates or is truncated: the limit is the smaller of the
    ``max_episode_steps`` argument and that of every Gymnasium ``TimeLimit`` wrapped around the
    env, which ``gym.make(id, max_episode_steps=n)`` (and ``gym.make_vec``'s sync and async
    modes) apply outside the env; the env reads them at each ``reset`` (see
    :func:`~paint_gym.envs.checks.time_limit_of_caller`). At that step the env itself reports ``truncated=True`` (as
    the wrapper does); after it, ``step`` raises ``RuntimeError`` until ``reset``.

    ## Reset and step arguments
    Every argument is checked before anything changes, so a rejected call leaves the episode,
    the generators and the painter as they were (the next valid call gives what it would have
    given without it). ``seed`` is None or an integer >= 0 (else ``ValueError``).
    ``options={"target": uint8 (H, W, 3)}`` paints a given image; any other key raises
    ``ValueError`` (an option is never dropped). A batch of targets
    ``(N, H, W, 3)`` (or a list of images) raises ``ValueError``: in Gymnasium's sync and async
    vector envs every sub-env receives the same options, so one target per sub-env needs
    ``gym.make_vec``'s default mode (``MyPaintVectorEnv``, ``NeuralPaintVectorEnv``).

    The one exception to "nothing changes": a reward callable runs after the stroke, so if it
    returns no finite number ``step`` raises ``ValueError`` with the stroke painted and
    counted (see :meth:`step`).

    ## Info
    The same keys, with the same shapes and types, at reset and at every step, for every id:

    * ``l2`` (float): the exact MSE on [0, 1] of the uint8 canvas and target;
    * ``step`` (int): strokes painted in this episode (0 at reset);
    * ``stroke`` (float32 ``(12,)``): the continuous stroke painted (clipped; in discrete mode
      the stroke the discrete action mapped to); NaN at reset. Not named ``action``: TorchRL
      and other wrappers keep the agent's action under that key, and a discrete action has 10
      entries, not 12;
    * ``painted`` (bool): whether the step painted (False at reset and for a discrete lift);
    * the target's keys, constant through an episode: MNIST/KMNIST ``target_index`` and
      ``target_label`` (int), CelebA ``target_index``, Strokes ``target_actions`` (float32
      ``(8, 12)``) and ``target_seed`` (int). When ``options["target"]`` gave the target they
      hold -1 (ints) or NaN (``target_actions``).

    ## Rendering
    ``render()`` before the first ``reset()`` raises ``gymnasium.error.ResetNeeded`` (as
    ``gym.make``'s order check does, and as the vector envs do).

    ## Closing
    ``close()`` frees the painter; resetting, stepping or rendering a closed env raises
    ``RuntimeError`` (make a new env).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": list(RENDER_MODES), "render_fps": 4}
    #: What ``reset(options=...)`` accepts; any other key raises ``ValueError``.
    reset_options: ClassVar[dict[str, str]] = {
        "target": "a uint8 image (canvas_size, canvas_size, 3) to paint instead of a drawn target"
    }

    def __init__(self, task: str = "MNIST", *, max_episode_steps: int | None = None, **kwargs: Any) -> None:
        """Validate the task arguments (see :meth:`~paint_gym.envs.task.TaskConfig.create`) and the
        time limit (``None``/-1: none; else a positive integer, see Episode End) and set up an empty env."""
        config = self._set_task(task, kwargs)
        self.max_episode_steps = check_max_episode_steps(max_episode_steps)
        self._time_limit = self.max_episode_steps  # with the TimeLimit wrappers found at reset
        self.split = config.split
        self._data_dir = config.data_dir
        self.action_space = config.action_space()
        self.observation_space = config.observation_space()
        self._targets: TargetSource | None = None
        self._episodes = Episodes(config, 1)
        self._info_types = config.info_fill()
        self._started = False
        self._closed = False

    # -- what a concrete env provides ------------------------------------------------------
    @abstractmethod
    def _canvases(self) -> EpisodeCanvases:
        """The env's canvas and the painter that paints it, a batch of one (see
        :class:`~paint_gym.envs.episode.EpisodeCanvases`)."""

    @abstractmethod
    def _stroke_painter(self) -> CanvasPainter:
        """A painter with ``paint`` and ``reseed`` for the Strokes task's targets."""

    # -- the episode, as one env sees it ---------------------------------------------------
    @property
    def _canvas(self) -> np.ndarray:
        """The canvas, uint8 ``(H, W, 3)`` (the episode's own array)."""
        return self._episodes.canvas[0]

    @property
    def _target(self) -> np.ndarray | None:
        """The target, uint8 ``(H, W, 3)``; None before the first reset."""
        return self._episodes.target[0] if self._started else None

    @property
    def _steps(self) -> int:
        """Strokes painted in this episode."""
        return int(self._episodes.steps[0])

    @property
    def _l2(self) -> float:
        """Current L2 distance: MSE of canvas and target on [0, 1]."""
        return float(self._episodes.l2()[0])

    @property
    def _done(self) -> bool:
        """Whether the episode ended (or never started)."""
        return bool(self._episodes.done[0])

    # -- the gymnasium API ----------------------------------------------------------------
    @property
    def targets(self) -> TargetSource:
        """The target source, loaded on first use (data files are read once per process)."""
        if self._targets is None:
            self._targets = self.config.make_targets(self._stroke_painter)
        return self._targets

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start an episode on a blank canvas with a new target.

        ``options={"target": uint8 (H, W, 3)}`` paints a given image instead of a drawn one;
        any other option raises ``ValueError`` (before anything changes).
        """
        self._check_open()
        seed = check_seed(seed)
        options = check_reset_options(options, self.reset_options)
        given = options.get("target")
        given = None if given is None else check_target(given, self.canvas_size, background=self.config.background)
        targets = self.targets if given is None else None  # loaded before anything changes
        limits = [self.max_episode_steps, time_limit_of_caller(self)]
        self._time_limit = min((limit for limit in limits if limit is not None), default=None)
        super().reset(seed=seed)
        self._episodes.time_limit = self._time_limit
        self._episodes.reset(ONE, self._canvases(), [self.np_random], targets, None if given is None else given[None])
        self._started = True
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        """Paint one stroke; see the class docstring for rewards and episode end.

        Raises ``ValueError`` for a bad action (NaN, inf, wrong shape or dtype) before anything
        changes, and ``RuntimeError`` if the episode is over or the env is closed.

        A reward callable is called after the stroke (it is given the new canvas), so when it
        returns no finite number (the errors of :func:`~paint_gym.envs.rewards.check_reward_value`:
        ``ValueError``, ``NonFiniteOutputError`` for NaN/inf) the step raises **after** the stroke
        was painted and counted: the canvas, ``step`` count and pen keep it, and an episode that
        this step ended (``episode_length`` or the time limit) is over (``reset`` next). The state
        stays consistent; only the step's return value is lost. The vector envs do the same for
        every sub-env (every stroke stands, the first refused reward is raised).
        """
        self._check_open()
        if self._done or not self._started:
            raise RuntimeError("the episode is over (or was never started): call reset() before step()")
        row = self._check_action(action)  # raises before any state changes
        strokes, paints = self._episodes.to_continuous(row[None], ONE)
        rewards, terminated, truncated = self._episodes.step(ONE, strokes, paints, self._canvases())
        return self._observation(), float(rewards[0]), bool(terminated[0]), bool(truncated[0]), self._info()

    def _check_action(self, action: Any) -> np.ndarray:
        """A validated action: float32 ``(12,)`` clipped to [-1, 1], or int64 ``(F,)`` in the
        discrete space; ``ValueError`` otherwise."""
        if self.action_mode == "discrete":
            return self.discrete.validate(action)
        return act.validate_actions(action, batch_ndim=1)

    def _info(self) -> dict[str, Any]:
        """The step's ``info``: the same keys at reset and at every step (see the env docstrings),
        as Python scalars and arrays of their own."""
        return {
            key: value[0].copy()
            if isinstance(self._info_types[key], np.ndarray)
            else type(self._info_types[key])(value[0])
            for key, value in self._episodes.values().items()
        }

    def close(self) -> None:
        """Free the env's resources. A closed env cannot be reset or stepped: make a new one."""
        self._closed = True
        super().close()

    def _check_open(self) -> None:
        if getattr(self, "_closed", False):
            raise RuntimeError(
                f"this {type(self).__name__} was closed (close() frees its painter); make a new env, "
                "e.g. gym.make(...), to paint again"
            )

    def render(self) -> np.ndarray | None:
        """``rgb_array``: target | canvas side by side, uint8 ``(H, 2W, 3)``.

        Raises ``gymnasium.error.ResetNeeded`` before the first ``reset()`` and
        ``RuntimeError`` after ``close()`` (as ``reset`` and ``step`` do).
        """
        return self._render_pair()


__all__ = ["PaintEnv"]
