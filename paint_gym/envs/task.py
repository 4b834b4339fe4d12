"""One validated painting task: its configuration, targets, spaces and ``info`` keys, and the env's id.

:class:`TaskConfig` is the one validated configuration of a painting task, built from the
arguments that ``gym.make`` and ``gym.make_vec`` accept, for every env (single and vector,
MyPaint and neural): the spaces, the target source and the ``info`` keys come from it.
:class:`TaskEnvState` is what every env keeps of it (and its id, checked against the task).
The episodes themselves are :class:`~paint_gym.envs.episode.Episodes`; the single env's API is
:class:`~paint_gym.envs.single.PaintEnv`.
"""

from __future__ import annotations

import inspect
import os
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from .. import actions as act
from ..canvas import background_rgb
from ..data import SPLITS, ImageTargets, StrokeTargets, TargetSource, find_archive
from ..painters.base import CanvasPainter
from ..validation import check_canvas_size, check_int
from .rewards import Reward, check_reward


@dataclass(frozen=True)
class TaskSpec:
    """A painting task: where targets come from and how many strokes an episode has."""

    name: str
    dataset: str | None  # None: targets painted from random strokes
    episode_length: int
    labelled: bool = False  # the data set has class labels (info["target_label"])


TASKS: dict[str, TaskSpec] = {
    "MNIST": TaskSpec("MNIST", "mnist", 8, labelled=True),
    "KMNIST": TaskSpec("KMNIST", "kmnist", 8, labelled=True),
    "CelebA": TaskSpec("CelebA", "celeba", 15),
    "Strokes": TaskSpec("Strokes", None, 8),
}

ACTION_MODES = ("continuous", "discrete")
RENDER_MODES = ("rgb_array",)
#: ``"dict"``: ``{"canvas", "target"}``; ``"stacked"``: one ``(H, W, 6)`` image, canvas then target.
OBS_MODES = ("dict", "stacked")


def task_spec(task: str) -> TaskSpec:
    """The :class:`TaskSpec` of a task name (case-insensitive); ``ValueError`` names the choices."""
    if isinstance(task, str):
        for name, spec in TASKS.items():
            if task.lower() == name.lower():
                return spec
    raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")


#: Shared, read-only target sources: envs of one process that read the same data set at the same
#: size share one copy of its images (a vector env of N MNIST envs holds the array once, not N times).
_SHARED_TARGETS: weakref.WeakValueDictionary[tuple[Any, ...], ImageTargets] = weakref.WeakValueDictionary()


def make_targets(
    task: TaskSpec,
    split: str,
    canvas_size: int,
    data_dir: str | os.PathLike | None,
    stroke_painter: Callable[[], CanvasPainter],
) -> TargetSource:
    """The target source of a task; ``stroke_painter()`` makes the painter of Strokes targets.

    Data set sources are shared between envs of one process (they hold no episode state; each env
    samples with its own generator) and keyed by the archive file found, so a changed data folder
    or file is read afresh.
    """
    if task.dataset is None:
        # as many strokes as the task's default episode, whatever an env's length
        return StrokeTargets(stroke_painter(), TASKS["Strokes"].episode_length)
    archive = find_archive(task.dataset, data_dir)
    stat = archive.stat()
    key = (task.dataset, split, int(canvas_size), str(archive.resolve()), stat.st_mtime_ns, stat.st_size)
    targets = _SHARED_TARGETS.get(key)
    if targets is None:
        targets = ImageTargets(task.dataset, split, canvas_size, archive.parent)
        _SHARED_TARGETS[key] = targets
    return targets


def observation_space(canvas_size: int, obs_mode: str = "dict") -> gym.spaces.Dict | gym.spaces.Box:
    """One env's observation space for a canvas of ``S`` pixels.

    ``obs_mode="dict"``: ``Dict(canvas=Box(0, 255, (S, S, 3), uint8), target=...)``; each key has
    its own ``Box`` object, so a wrapper that rewrites one key's space in place (Stable-Baselines3's
    ``VecNormalize`` does) leaves the other unchanged. ``obs_mode="stacked"``: one
    ``Box(0, 255, (S, S, 6), uint8)``, the canvas's channels then the target's (what Gymnasium's
    image wrappers, RLlib's CNN encoders, skrl and CleanRL take).
    """

    def image(channels: int = 3) -> gym.spaces.Box:
        return gym.spaces.Box(0, 255, (canvas_size, canvas_size, channels), np.uint8)

    if obs_mode == "stacked":
        return image(6)
    return gym.spaces.Dict({"canvas": image(), "target": image()})


def observe(canvas: Any, target: Any, obs_mode: str) -> Any:
    """The observation of canvases and targets (uint8 ``(..., H, W, 3)``, numpy or torch) in
    ``obs_mode``: ``{"canvas", "target"}`` copies, or one ``(..., H, W, 6)`` array, canvas first."""
    if obs_mode == "stacked":
        if isinstance(canvas, np.ndarray):
            return np.concatenate([canvas, target], axis=-1)
        import torch  # a tensor was given: torch is loaded

        return torch.cat([canvas, target], dim=-1)
    if isinstance(canvas, np.ndarray):
        return {"canvas": canvas.copy(), "target": target.copy()}
    return {"canvas": canvas.clone(), "target": target.clone()}


def side_by_side(target: np.ndarray, canvas: np.ndarray) -> np.ndarray:
    """``target | canvas`` as one uint8 image ``(H, 2W, 3)``."""
    return np.concatenate([target, canvas], axis=-2)


def target_info_fill(task: TaskSpec) -> dict[str, Any]:
    """The target keys of a task's ``info``, with the values reported when ``options["target"]``
    gave the target (there is no data set index, label, seed or stroke list to report).

    MNIST/KMNIST: ``target_index`` and ``target_label`` (-1). CelebA: ``target_index`` (-1).
    Strokes: ``target_actions`` ``(8, 12)`` float32 (NaN) and ``target_seed`` (-1).
    """
    if task.dataset is None:
        strokes = TASKS["Strokes"].episode_length
        return {"target_actions": np.full((strokes, act.ACTION_DIM), np.nan, np.float32), "target_seed": -1}
    fill: dict[str, Any] = {"target_index": -1}
    if task.labelled:
        fill["target_label"] = -1
    return fill


#: What ``render()`` before the first ``reset()`` says, in every env (single and vector).
RENDER_BEFORE_RESET = "render() was called before reset(): there is no target or canvas yet; call reset() first"

#: ``info["stroke"]`` at reset (and of a sub-env that was just reset): no stroke yet.
NO_ACTION = np.full(act.ACTION_DIM, np.nan, np.float32)
NO_ACTION.flags.writeable = False


@dataclass(frozen=True)
class TaskConfig:
    """One validated painting task configuration, shared by every env (single and vector).

    :meth:`create` takes the task arguments that ``gym.make`` and ``gym.make_vec`` pass to the
    envs, so ``MyPaintEnv``, ``NeuralPaintEnv`` and ``NeuralPaintVectorEnv`` accept exactly
    the same arguments and reject a bad one with the same ``ValueError``; the spaces, the
    target source and the ``info`` keys come from here too.
    """

    task: TaskSpec
    split: str
    canvas_size: int
    episode_length: int
    reward: Reward
    action_mode: str
    discrete: act.DiscreteActions
    background: tuple[float, float, float]
    render_mode: str | None
    data_dir: str | os.PathLike | None
    obs_mode: str = "dict"

    @classmethod
    def create(
        cls,
        task: str = "MNIST",
        *,
        split: str = "train",
        canvas_size: int = 64,
        episode_length: int | None = None,
        reward: Reward = "dense",
        action_mode: str = "continuous",
        discrete: act.DiscreteActions | None = None,
        background: str | tuple[float, float, float] = "white",
        render_mode: str | None = None,
        data_dir: str | os.PathLike | None = None,
        obs_mode: str = "dict",
    ) -> TaskConfig:
        """Validate the task arguments of an env.

        Args:
            task: ``"MNIST"``, ``"KMNIST"``, ``"CelebA"`` or ``"Strokes"`` (any case).
            split: ``"train"`` or ``"eval"`` part of the data set.
            canvas_size: canvas side in pixels, an integer of at least 8.
            episode_length: strokes per episode, a positive integer (default: the task's).
            reward: ``"dense"``, ``"final"``, ``"none"`` or ``f(canvas, target, done) -> float``.
            action_mode: ``"continuous"`` (``Box``) or ``"discrete"`` (SPIRAL's ``MultiDiscrete``).
            discrete: the :class:`~paint_gym.actions.DiscreteActions` levels (discrete mode only).
            background: ``"white"``, ``"black"`` or an RGB triple in [0, 1].
            render_mode: ``None`` or ``"rgb_array"``.
            data_dir: a folder holding the data set archives (or None: see :mod:`paint_gym.data`).
            obs_mode: ``"dict"`` (``{"canvas", "target"}``) or ``"stacked"`` (one uint8
                ``(H, W, 6)`` image, canvas then target; see :func:`observation_space`).

        Raises:
            ValueError: naming the argument, the value given and what is accepted.
        """
        spec = task_spec(task)
        if not isinstance(split, str) or split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}; got {split!r}")
        size = check_canvas_size(canvas_size)
        length = spec.episode_length if episode_length is None else check_int("episode_length", episode_length, 1)
        check_reward(reward)
        if not isinstance(action_mode, str) or action_mode not in ACTION_MODES:
            raise ValueError(f"action_mode must be one of {ACTION_MODES}; got {action_mode!r}")
        if discrete is not None and not isinstance(discrete, act.DiscreteActions):
            raise ValueError(f"discrete must be a paint_gym.DiscreteActions or None; got {type(discrete).__name__}")
        if discrete is not None and action_mode != "discrete":
            raise ValueError(
                "discrete=DiscreteActions(...) applies only with action_mode='discrete'; pass both or neither"
            )
        rgb = tuple(float(v) for v in background_rgb(background))
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ValueError(f"render_mode must be None or one of {list(RENDER_MODES)}; got {render_mode!r}")
        if not isinstance(obs_mode, str) or obs_mode not in OBS_MODES:
            raise ValueError(
                f"obs_mode must be one of {OBS_MODES} ('stacked': one uint8 (H, W, 6) image, canvas then target, "
                f"for Box-only wrappers and libraries); got {obs_mode!r}"
            )
        if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
            raise ValueError(
                f"data_dir must be a folder path (str or os.PathLike) or None; got {type(data_dir).__name__}"
            )
        return cls(
            spec,
            split,
            size,
            length,
            reward,
            action_mode,
            discrete or act.DiscreteActions(),
            rgb,
            render_mode,
            data_dir,
            obs_mode,
        )

    @property
    def background_rgb(self) -> np.ndarray:
        """The background colour, float32 ``(3,)`` in [0, 1]."""
        return np.array(self.background, np.float32)

    def action_space(self) -> gym.spaces.Space:
        """One env's action space: ``Box(-1, 1, (12,), float32)`` or the discrete ``MultiDiscrete``."""
        return act.action_space() if self.action_mode == "continuous" else self.discrete.space()

    def observation_space(self) -> gym.spaces.Dict | gym.spaces.Box:
        """One env's observation space in its ``obs_mode`` (see :func:`observation_space`)."""
        return observation_space(self.canvas_size, self.obs_mode)

    def make_targets(self, stroke_painter: Callable[[], CanvasPainter]) -> TargetSource:
        """The task's target source (see :func:`make_targets`)."""
        return make_targets(self.task, self.split, self.canvas_size, self.data_dir, stroke_painter)

    def target_info(self, sampled: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The target part of ``info``: what the target source reported, or the fill values of
        :func:`target_info_fill` when the target was given (``sampled=None``).

        Raises ``RuntimeError`` if a target source reports other keys than the task's (that
        would make ``info`` keys change between episodes).
        """
        fill = target_info_fill(self.task)
        if sampled is None:
            return fill
        if set(sampled) != set(fill):
            raise RuntimeError(
                f"the {self.task.name} targets reported info keys {sorted(sampled)}; the task's info has {sorted(fill)}"
            )
        return {
            key: np.asarray(sampled[key], fill[key].dtype).copy()
            if isinstance(fill[key], np.ndarray)
            else type(fill[key])(sampled[key])
            for key in fill
        }

    def info_fill(self) -> dict[str, Any]:
        """Every ``info`` key with its reset value's type: the fixed key set of this task's envs."""
        return {**target_info_fill(self.task), "l2": 0.0, "step": 0, "stroke": NO_ACTION.copy(), "painted": False}


#: Arguments that one paint-gym env takes and another does not: where each belongs.
ARGUMENT_HOMES = {
    "painter": "painter= and device= are the NeuralPaint-* ids' (a neural painter); the MyPaint-* ids paint "
    "with the real program: choose its brush with brush=...",
    "device": "painter= and device= are the NeuralPaint-* ids' (a neural painter); the MyPaint-* ids paint "
    "with the real program on the CPU",
    "brush": "brush= is the MyPaint-* ids'; the NeuralPaint-* ids take a painter of that brush: "
    "painter=paint_gym.load_painter('dab', brush=...)",
    "autoreset_mode": "autoreset_mode is a vector env's: gym.make_vec(id, num_envs=N, autoreset_mode=...) in the "
    "default mode, or gym.make_vec(id, vectorization_mode='sync', vector_kwargs={'autoreset_mode': ...})",
    "num_envs": "num_envs is gym.make_vec's: gym.make_vec(id, num_envs=N)",
}


def constructor_arguments(cls: type) -> list[str]:
    """The named arguments of ``cls`` and of every ``__init__`` it passes ``**kwargs`` to, down to
    :meth:`TaskConfig.create` (``task`` first)."""
    names: list[str] = []
    ours = [k for k in cls.__mro__ if "__init__" in k.__dict__ and k.__module__.startswith("paint_gym.")]
    for function in [*(k.__dict__["__init__"] for k in ours), TaskConfig.create]:
        parameters = inspect.signature(function).parameters.values()
        for parameter in parameters:
            named = parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
            if named and parameter.name not in ("self", "cls", *names):
                names.append(parameter.name)
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break  # this one passes nothing on
    return names


class UnexpectedArgumentError(ValueError, TypeError):
    """An env was given a keyword argument it does not take: a ``ValueError`` (the house's error
    for a bad argument) that is also the ``TypeError`` Python raises for an unexpected keyword,
    with Python's words in its message, so libraries that try an optional keyword and drop it
    on that ``TypeError`` (TorchRL's ``GymEnv`` passes ``frameskip=``) work unchanged."""


def check_env_kwargs(env: object, kwargs: Mapping[str, Any]) -> None:
    """:class:`UnexpectedArgumentError` (a ``ValueError``) for keyword arguments that
    ``type(env)`` does not take, naming where each belongs (:data:`ARGUMENT_HOMES`) and the
    arguments it takes. Gymnasium would otherwise report a bare ``TypeError`` from deep inside
    the constructor."""
    accepted = constructor_arguments(type(env))
    unknown = [key for key in kwargs if key not in accepted]
    if unknown:
        name = type(env).__name__
        parts = [
            f"{name}.__init__() got an unexpected keyword argument {unknown[0]!r}:",
            f"{name} does not take {', '.join(f'{key}=' for key in unknown)}.",
            *(ARGUMENT_HOMES[key] + "." for key in unknown if key in ARGUMENT_HOMES),
            f"It takes: {', '.join(accepted)}.",
        ]
        raise UnexpectedArgumentError(" ".join(dict.fromkeys(parts)))


def check_task_of_id(spec: Any, task: TaskSpec) -> None:
    """``ValueError`` if the env's task contradicts the task its registered id names.

    ``gym.make("MyPaint-MNIST-v0", task="CelebA")`` would otherwise make a CelebA env that calls
    itself MNIST. Ids registered without a ``task`` (a user's own) are not checked.
    """
    registered = gym.registry.get(getattr(spec, "id", None))
    named = None if registered is None else registered.kwargs.get("task")
    if not isinstance(named, str) or task_spec(named) == task:
        return
    given = spec.kwargs.get("task", task.name) if isinstance(getattr(spec, "kwargs", None), Mapping) else task.name
    ids = [
        other.id
        for other in gym.registry.values()
        if other.entry_point == registered.entry_point
        and isinstance(other.kwargs.get("task"), str)
        and other.kwargs["task"].lower() == task.name.lower()
    ]
    fix = f"use the id {ids[0]!r} (gym.make or gym.make_vec) without task=" if ids else "use that task's id"
    raise ValueError(f"the id {spec.id!r} is the {named} task; task={given!r} contradicts it: {fix}")


class TaskOfId:
    """An env's id (``spec``), checked against its task when ``gym.make`` or ``gym.make_vec``
    names it: every paint-gym env, single and vector, has a ``task`` (a :class:`TaskSpec`)."""

    task: TaskSpec

    @property
    def spec(self) -> Any:
        """The ``EnvSpec`` this env was made from (``gym.make``/``gym.make_vec`` set it), or None."""
        return self.__dict__.get("_spec")

    @spec.setter
    def spec(self, spec: Any) -> None:
        """``gym.make`` and ``gym.make_vec`` name the env's id here, right after making it: a
        ``task=`` that contradicts the id is refused with ``ValueError`` (see
        :func:`check_task_of_id`) and the env is closed."""
        if spec is not None:
            try:
                check_task_of_id(spec, self.task)
            except ValueError:
                self.close()  # type: ignore[attr-defined]
                raise
        self.__dict__["_spec"] = spec


class TaskEnvState(TaskOfId):
    """What the single env (:class:`~paint_gym.envs.single.PaintEnv`) and the vector env
    (``NeuralPaintVectorEnv``) share: the validated :class:`TaskConfig` and its fields as
    attributes, the observation of their episodes (``_canvas`` and ``_target``: the arrays of
    their :class:`~paint_gym.envs.episode.Episodes`), the env's id (``spec``, checked against its
    task: :class:`TaskOfId`), and the copy and pickle rule of the episode state."""

    _canvas: np.ndarray
    _target: np.ndarray
    _started: bool

    def _set_task(self, task: str, kwargs: Mapping[str, Any]) -> TaskConfig:
        """Validate the task arguments (see :meth:`TaskConfig.create`), keep the config as
        ``self.config`` and its fields as attributes; return the config.

        Raises ``ValueError`` for an argument this env does not take (see :func:`check_env_kwargs`)
        or a bad value (see :meth:`TaskConfig.create`).
        """
        check_env_kwargs(self, kwargs)
        self.config = config = TaskConfig.create(task, **kwargs)
        self.task = config.task
        self.canvas_size = config.canvas_size
        self.episode_length = config.episode_length
        self.reward_mode = config.reward
        self.render_mode = config.render_mode
        self.action_mode = config.action_mode
        self.discrete = config.discrete
        self.background = config.background_rgb
        self.obs_mode = config.obs_mode
        return config

    def _observation(self) -> Any:
        """The observation of the env's episodes (copies) in its ``obs_mode`` (see :func:`observe`)."""
        return observe(self._canvas, self._target, self.obs_mode)

    def _check_open(self) -> None:
        """Raise ``RuntimeError`` after ``close()`` (each env says how)."""
        raise NotImplementedError

    def _render_pair(self) -> np.ndarray | None:
        """Both envs' ``render()``: ``target | canvas`` side by side (:func:`side_by_side`), ``None``
        (with a warning) without a render mode. Raises ``gymnasium.error.ResetNeeded`` before the
        first ``reset()`` and, through the env's ``_check_open``, ``RuntimeError`` after ``close()``."""
        self._check_open()
        if not self._started:
            raise gym.error.ResetNeeded(RENDER_BEFORE_RESET)
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array'")
            return None
        target, canvas = (x if isinstance(x, np.ndarray) else x.cpu().numpy() for x in (self._target, self._canvas))
        return side_by_side(target, canvas)

    # -- copy.deepcopy and pickle (planning and tree search branch envs) -------------------
    def __getstate__(self) -> dict[str, Any]:
        """The env's state for ``copy.deepcopy`` and ``pickle``: the episode (canvas, target,
        step, pen, squared error, done), the generators and the painter, which copies itself
        (``MyPaintPainter`` rebuilds its libmypaint surface and brush; a neural painter named
        by ``"gan"``, ``"vae"`` or a path is reloaded after unpickling, and shared, not copied,
        by ``copy.deepcopy``: see ``LazyPainter``).

        The target source is left out: a data set's images (MNIST's train split: 47 MB) are
        found again on first use (shared within a process), and a Strokes source is rebuilt
        around the env's painter; it holds no episode state, so a copy continues identically.
        A pickle is then well under 1 MB at 64 px.
        """
        state = self.__dict__.copy()
        state["_targets"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
