"""What both painting envs share: tasks, targets, episode length, rewards, spaces, rendering.

:class:`TaskConfig` is the one validated configuration of a painting task, built from the
arguments that ``gym.make`` and ``gym.make_vec`` accept, for every env (single and vector,
MyPaint and neural). :class:`PaintEnv` is the whole episode logic of a single env; a concrete
env only says how to clear its canvas and how to paint one stroke on it (the real program or
a neural painter).
"""

from __future__ import annotations

import decimal
import inspect
import math
import numbers
import os
import sys
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from .. import actions as act
from ..canvas import background_rgb, squared_error_sum
from ..data import SPLITS, ImageTargets, StrokeTargets, TargetSource, find_archive
from ..errors import NonFiniteOutputError
from ..images import as_rgb_array
from ..painters.base import CanvasPainter
from ..validation import check_canvas_size, check_int

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1) in pixels


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

#: A reward callable gets the new canvas, the target (both uint8 ``(H, W, 3)``) and whether the
#: episode just ended, and returns a float.
RewardCallable = Callable[[np.ndarray, np.ndarray, bool], float]
Reward = str | RewardCallable
REWARDS = ("dense", "final", "none")


def task_spec(task: str) -> TaskSpec:
    """The :class:`TaskSpec` of a task name (case-insensitive); ``ValueError`` names the choices."""
    if isinstance(task, str):
        for name, spec in TASKS.items():
            if task.lower() == name.lower():
                return spec
    raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")


def check_reward(reward: Reward) -> Reward:
    """``reward`` if it is a reward mode or a callable; else ``ValueError`` naming the choices."""
    if callable(reward) or (isinstance(reward, str) and reward in REWARDS):
        return reward
    raise ValueError(f"reward must be one of {REWARDS} or a callable(canvas, target, done) -> float; got {reward!r}")


def check_max_episode_steps(max_episode_steps: Any) -> int | None:
    """The env's own time limit (``max_episode_steps`` of every env, single and vector).

    ``None`` or ``-1``: no time limit (as ``gym.make``); otherwise a positive integer, after
    which an episode is truncated exactly as :class:`gymnasium.wrappers.TimeLimit` does.
    Raises ``ValueError`` for anything else.
    """
    if max_episode_steps is None or (isinstance(max_episode_steps, numbers.Integral) and max_episode_steps == -1):
        return None
    return check_int("max_episode_steps", max_episode_steps, 1)


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """A reset seed: ``None`` or an integer of at least 0 (Python or numpy), as an ``int``.

    Checked before a reset changes anything. Raises ``ValueError`` naming ``name`` (e.g.
    ``"seed[2]"`` for the third seed of a vector env) for a negative number, a fraction, a bool or
    a non-number (NumPy's generators take no negative seeds).
    """
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{name} must be None or an integer >= 0; got {seed!r}")
    return int(seed)


def time_limit_of_caller(env: gym.Env) -> int | None:
    """The ``max_episode_steps`` of the :class:`gymnasium.wrappers.TimeLimit` that is resetting ``env``.

    ``gym.make(id, max_episode_steps=n)`` (and ``gym.make_vec``'s sync and async modes, which
    call it) applies ``n`` as a ``TimeLimit`` wrapper *outside* the env and passes the env nothing
    (its ``env.unwrapped.spec.max_episode_steps`` is None), yet the env must know its last step to
    pay the final reward there. Every ``TimeLimit`` around the env is on the call stack of the
    env's ``reset`` (its ``reset`` calls the env's), so the env reads the limit there at each reset:
    the smallest limit of the ``TimeLimit`` wrappers whose ``unwrapped`` is ``env``, or None.
    A reset that bypasses the wrappers (``env.unwrapped.reset()``) finds none. Gymnasium keeps
    the limit in the wrapper's private ``_max_episode_steps`` (its public ``spec`` is None for
    an env made without ``gym.make``); tests/test_env_time_limit.py holds this to every way of
    making an env.
    """
    limits = []
    frame = sys._getframe(1)
    while frame is not None:
        caller = frame.f_locals.get("self")
        if isinstance(caller, gym.wrappers.TimeLimit) and caller.unwrapped is env:
            limits.append(int(caller._max_episode_steps))
        frame = frame.f_back
    return min(limits, default=None)


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


def callable_name(reward: Callable[..., Any]) -> str:
    """How an error names a reward callable: its qualified name, or its type's."""
    name = getattr(reward, "__qualname__", None) or type(reward).__qualname__
    module = getattr(reward, "__module__", None)
    return f"{module}.{name}" if module and module != "builtins" else name


def check_reward_value(value: Any, reward: Callable[..., Any]) -> float:
    """A reward callable's return value as a float.

    Accepted: a real number that is finite as a float: Python (``int``, ``float``,
    ``fractions.Fraction``), ``decimal.Decimal``, a NumPy scalar, or a one-element real array or
    tensor. Raises ``ValueError`` naming the callable for anything else (a complex number, a
    string, an integer or fraction too large for a float: ``10**400``) and
    :class:`~paint_gym.errors.NonFiniteOutputError` (a ``ValueError``) for NaN or inf: a bad
    reward would otherwise reach the learner silently.
    """
    if not isinstance(value, numbers.Real) and callable(getattr(value, "item", None)):
        numel = getattr(value, "numel", None)  # torch; NumPy has .size
        if (numel() if callable(numel) else getattr(value, "size", None)) == 1:
            value = value.item()
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        try:
            number = float(value)
        except (ArithmeticError, ValueError, TypeError):  # 10**400: OverflowError; Decimal("sNaN"): ValueError
            number = math.nan if _is_nan(value) else math.inf
        if math.isfinite(number):
            return number
        if not (math.isnan(number) or _is_infinite(value)):  # finite, but beyond float's range
            raise ValueError(
                f"the reward callable {callable_name(reward)} returned {type(value).__name__} {_short(value)}, "
                "beyond float's range (about 1.8e308): a reward must be a finite float; fix the callable "
                "(e.g. scale it down)"
            )
        raise NonFiniteOutputError(
            f"the reward callable {callable_name(reward)} returned {number}: a reward must be a finite number; "
            "fix the callable (e.g. guard a division or a log against 0)"
        )
    raise ValueError(
        f"the reward callable {callable_name(reward)} returned {type(value).__name__} {_short(value)}: "
        "a reward must be a real number (float); make f(canvas, target, done) return one"
    )


def _is_nan(value: Any) -> bool:
    """Whether a real number (or ``Decimal``) that ``float()`` refused is a NaN (``Decimal("sNaN")``)."""
    return isinstance(value, decimal.Decimal) and value.is_nan()


def _is_infinite(value: Any) -> bool:
    """Whether a real number (or ``Decimal``) is itself infinite, not only too large for a float."""
    if isinstance(value, decimal.Decimal):
        return value.is_infinite()
    if isinstance(value, (numbers.Integral, numbers.Rational)):
        return False
    try:
        return bool(np.isinf(value))
    except TypeError:  # a real type NumPy does not know
        return False


def _short(value: Any) -> str:
    """``repr(value)``, shortened to its ends (``10**400`` has 401 digits)."""
    try:
        text = repr(value)
    except ValueError:  # an int (or a fraction of ints) beyond Python's digit limit for str()
        return f"(too many digits to print: {type(value).__name__} of over 4300 digits)"
    return text if len(text) <= 60 else f"{text[:25]}...{text[-25:]} ({len(text)} characters)"


def reward_value(
    mode: Reward, previous_l2: float, l2: float, done: bool, canvas: Callable[[], np.ndarray], target: np.ndarray
) -> float:
    """The reward of one step (see the env docstrings); ``canvas()`` makes the uint8 canvas
    only when a callable reward needs it. ``done`` is True at the episode's last step, whether
    it terminates or is truncated. A callable's value is checked by :func:`check_reward_value`."""
    if callable(mode):
        return check_reward_value(mode(canvas(), target.copy(), done), mode)
    if mode == "dense":
        return float(previous_l2 - l2)
    if mode == "final":
        return float(-l2) if done else 0.0
    return 0.0


def observation_space(canvas_size: int) -> gym.spaces.Dict:
    """``Dict(canvas=Box(0, 255, (S, S, 3), uint8), target=...)`` for a canvas of ``S`` pixels.

    Each key has its own ``Box`` object: a wrapper that rewrites one key's space in place
    (Stable-Baselines3's ``VecNormalize`` does) leaves the other unchanged.
    """

    def image() -> gym.spaces.Box:
        return gym.spaces.Box(0, 255, (canvas_size, canvas_size, 3), np.uint8)

    return gym.spaces.Dict({"canvas": image(), "target": image()})


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


def check_reset_options(options: Mapping[str, Any] | None, supported: Mapping[str, str]) -> dict[str, Any]:
    """``options`` as a new dict; ``ValueError`` on any key the env does not support.

    An option an env cannot honour is an error, never dropped: ``supported`` maps each key the
    env understands to a description used in the message.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise TypeError(f"reset(options=...) must be a dict or None; got {type(options).__name__}")
    unknown = [key for key in options if key not in supported]
    if unknown:
        accepted = "; ".join(f"{key!r}: {what}" for key, what in supported.items())
        raise ValueError(f"unsupported reset option(s) {unknown}; this env supports {accepted}")
    return dict(options)


def target_array(target: Any, background: Any = "white", name: str = "options['target']") -> np.ndarray:
    """A given target image, or a list or tuple of them, as one numpy array (its shape and dtype
    are checked by the caller: :func:`check_target`, or the vector envs' ``check_targets``).

    A Pillow image of any mode is read by :func:`paint_gym.images.as_rgb_array` (EXIF
    orientation applied, transparency over ``background``, 16-bit and float images rescaled);
    so is each item of a list or tuple, which is then stacked (``(N, H, W, 3)``) and must hold
    images of one shape: different shapes raise ``ValueError`` naming them. Torch tensors are
    read by :func:`paint_gym.actions.to_numpy`.
    """

    def read(image: Any, where: str) -> np.ndarray:
        try:
            return np.asarray(act.to_numpy(as_rgb_array(image, background)))
        except ValueError as exc:  # a ragged nested list
            raise ValueError(f"{where} could not be read as an image: {exc}") from exc

    if not isinstance(target, (list, tuple)) or not target:
        return read(target, name)
    items = [read(image, f"{name}[{i}]") for i, image in enumerate(target)]
    shapes = [item.shape for item in items]
    if len(set(shapes)) > 1:
        raise ValueError(
            f"{name} is a {type(target).__name__} of images of different shapes "
            f"({', '.join(f'[{i}]: {shape}' for i, shape in enumerate(shapes))}); every image must be uint8 "
            "(canvas_size, canvas_size, 3) (a Pillow image of that size in any mode)"
        )
    return np.stack(items)


def check_target(
    target: Any, canvas_size: int, name: str = "options['target']", background: Any = "white"
) -> np.ndarray:
    """A given target as a new uint8 ``(S, S, 3)`` array, or ``ValueError`` naming what is wrong.

    A Pillow image of any mode is read by :func:`paint_gym.images.as_rgb_array` (EXIF orientation
    applied, transparency over ``background``, 16-bit and float images rescaled) first (see
    :func:`target_array`).

    A batch of targets (``(N, S, S, 3)``, or a list of ``N`` images) is refused with the reason:
    only ``gym.make_vec``'s default mode (the vector envs ``MyPaintVectorEnv`` and
    ``NeuralPaintVectorEnv``) gives one target per sub-env; Gymnasium's sync and async vector
    envs pass the same ``options`` to every sub-env.
    """
    arr = target_array(target, background, name)
    expected = (canvas_size, canvas_size, 3)
    if arr.ndim == 4 and arr.shape[1:] == expected:
        raise ValueError(
            f"{name} holds a batch of {arr.shape[0]} targets {arr.shape}, but this single env paints one target "
            f"{expected}. One target per sub-env needs gym.make_vec's default mode (vectorization_mode="
            "'vector_entry_point'); in the 'sync' and 'async' modes Gymnasium passes the same "
            "options to every sub-env: give one image (every sub-env paints it), or reset each sub-env with its own "
            "image (e.g. sub-env i of a SyncVectorEnv: envs.envs[i].reset(options={'target': targets[i]}))"
        )
    if arr.shape != expected or arr.dtype != np.uint8:
        raise ValueError(
            f"{name} must be a uint8 image {expected} (the env's canvas_size); got {arr.dtype} {arr.shape}"
        )
    return arr.copy()


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
        )

    @property
    def background_rgb(self) -> np.ndarray:
        """The background colour, float32 ``(3,)`` in [0, 1]."""
        return np.array(self.background, np.float32)

    def action_space(self) -> gym.spaces.Space:
        """One env's action space: ``Box(-1, 1, (12,), float32)`` or the discrete ``MultiDiscrete``."""
        return act.action_space() if self.action_mode == "continuous" else self.discrete.space()

    def observation_space(self) -> gym.spaces.Dict:
        """One env's observation space (see :func:`observation_space`)."""
        return observation_space(self.canvas_size)

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


def check_env_kwargs(env: object, kwargs: Mapping[str, Any]) -> None:
    """``ValueError`` for keyword arguments that ``type(env)`` does not take, naming where each
    belongs (:data:`ARGUMENT_HOMES`) and the arguments it takes. Gymnasium would otherwise
    report a bare ``TypeError`` from deep inside the constructor."""
    accepted = constructor_arguments(type(env))
    unknown = [key for key in kwargs if key not in accepted]
    if unknown:
        parts = [
            f"{type(env).__name__} does not take {', '.join(f'{key}=' for key in unknown)}.",
            *(ARGUMENT_HOMES[key] + "." for key in unknown if key in ARGUMENT_HOMES),
            f"It takes: {', '.join(accepted)}.",
        ]
        raise ValueError(" ".join(dict.fromkeys(parts)))


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
    """What the single env (:class:`PaintEnv`) and the vector env (``NeuralPaintVectorEnv``)
    share: the validated :class:`TaskConfig` and its fields as attributes, the observation,
    the env's id (``spec``, checked against its task: :class:`TaskOfId`), and the copy and
    pickle rule of the episode state."""

    _canvas: np.ndarray
    _target: np.ndarray

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
        return config

    def _observation(self) -> dict[str, np.ndarray]:
        return {"canvas": self._canvas.copy(), "target": self._target.copy()}

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


class PaintEnv(TaskEnvState, gym.Env, ABC):
    """Episode logic shared by MyPaintEnv and NeuralPaintEnv (see their docstrings).

    ## Arguments
    ``task`` and the keyword arguments of :meth:`TaskConfig.create` (``split``,
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
    :func:`time_limit_of_caller`). At that step the env itself reports ``truncated=True`` (as
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
        """Validate the task arguments (see :meth:`TaskConfig.create`) and the time limit
        (``None``/-1: none; else a positive integer, see Episode End) and set up an empty env."""
        config = self._set_task(task, kwargs)
        self.max_episode_steps = check_max_episode_steps(max_episode_steps)
        self._time_limit = self.max_episode_steps  # with the TimeLimit wrappers found at reset
        self.split = config.split
        self._data_dir = config.data_dir
        self.action_space = config.action_space()
        self.observation_space = config.observation_space()
        self._targets: TargetSource | None = None
        self._target: np.ndarray | None = None
        self._target_info: dict[str, Any] = config.target_info()
        self._canvas = np.zeros((self.canvas_size, self.canvas_size, 3), np.uint8)
        self._steps = 0
        self._sse = 0  # exact squared error of canvas vs target, in uint8 units
        self._pen = np.zeros(2, np.float32)
        self._done = True
        self._closed = False

    # -- what a concrete env provides ------------------------------------------------------
    @abstractmethod
    def _clear(self) -> np.ndarray:
        """Start a blank canvas; return it as uint8 ``(H, W, 3)``."""

    @abstractmethod
    def _paint(self, action: np.ndarray) -> tuple[Box, np.ndarray] | None:
        """Paint one validated continuous action ``(12,)``.

        Returns the changed region ``(y0, y1, x0, x1)`` and its new uint8 pixels
        ``(y1 - y0, x1 - x0, 3)``, or None if nothing changed. Reporting only the region keeps
        the per-step cost proportional to the stroke, not to the canvas.
        """

    @abstractmethod
    def _stroke_painter(self) -> CanvasPainter:
        """A painter with ``paint`` and ``reseed`` for the Strokes task's targets."""

    @abstractmethod
    def _reseed_painter(self, seed: int) -> None:
        """Reseed the env's painter (the real brush is random)."""

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
        self._reseed_painter(int(self.np_random.integers(1 << 31)))
        if targets is not None:
            target, sampled = targets.sample(self.np_random)
            self._target, self._target_info = target, self.config.target_info(sampled)
        else:
            self._target, self._target_info = given, self.config.target_info()
        self._canvas = self._clear()
        self._steps = 0
        self._pen = np.zeros(2, np.float32)
        self._sse = squared_error_sum(self._canvas, self._target)
        self._done = False
        return self._observation(), self._info(NO_ACTION, False)

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        """Paint one stroke; see the class docstring for rewards and episode end.

        Raises ``ValueError`` for a bad action (NaN, inf, wrong shape or dtype) before anything
        changes, and ``RuntimeError`` if the episode is over or the env is closed.

        A reward callable is called after the stroke (it is given the new canvas), so when it
        returns no finite number (the errors of :func:`check_reward_value`: ``ValueError``,
        ``NonFiniteOutputError`` for NaN/inf) the step raises **after** the stroke was painted
        and counted: the canvas, ``step`` count and pen keep it, and an episode that this step
        ended (``episode_length`` or the time limit) is over (``reset`` next). The state stays
        consistent; only the step's return value is lost. The vector envs do the same for every
        sub-env (every stroke stands, the first refused reward is raised).
        """
        self._check_open()
        if self._done or self._target is None:
            raise RuntimeError("the episode is over (or was never started): call reset() before step()")
        continuous, paints = self._to_continuous(action)  # raises before any state changes
        previous = self._l2
        if paints:
            self._apply(self._paint(continuous))
        if self.action_mode == "discrete":
            self._pen = act.end_point(continuous)
        self._steps += 1
        terminated = self._steps >= self.episode_length
        truncated = self._time_limit is not None and self._steps >= self._time_limit
        self._done = terminated or truncated
        reward = reward_value(self.reward_mode, previous, self._l2, self._done, self._canvas.copy, self._target)
        return self._observation(), reward, terminated, truncated, self._info(continuous, paints)

    def _info(self, action: np.ndarray, painted: bool) -> dict[str, Any]:
        """The step's ``info``: the same keys at reset and at every step (see the env docstrings)."""
        target_info = {
            key: value.copy() if isinstance(value, np.ndarray) else value for key, value in self._target_info.items()
        }
        return {
            **target_info,
            "l2": self._l2,
            "step": self._steps,
            "stroke": np.array(action, np.float32),
            "painted": bool(painted),
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

    @property
    def _l2(self) -> float:
        """Current L2 distance: MSE of canvas and target on [0, 1]."""
        return self._sse / (self._canvas.size * 255.0**2)

    def _apply(self, update: tuple[Box, np.ndarray] | None) -> None:
        """Write a painted region into the canvas and update the squared error exactly."""
        if update is None:
            return
        (y0, y1, x0, x1), pixels = update
        region = np.s_[y0:y1, x0:x1]
        target = self._target[region]
        self._sse += squared_error_sum(pixels, target) - squared_error_sum(self._canvas[region], target)
        self._canvas[region] = pixels

    def _to_continuous(self, action: Any) -> tuple[np.ndarray, bool]:
        if self.action_mode == "discrete":
            return self.discrete.to_continuous(action, self._pen)
        return act.validate_actions(action, batch_ndim=1), True

    def render(self) -> np.ndarray | None:
        """``rgb_array``: target | canvas side by side, uint8 ``(H, 2W, 3)``.

        Raises ``gymnasium.error.ResetNeeded`` before the first ``reset()`` and
        ``RuntimeError`` after ``close()`` (as ``reset`` and ``step`` do).
        """
        self._check_open()
        if self._target is None:
            raise gym.error.ResetNeeded(RENDER_BEFORE_RESET)
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array'")
            return None
        return side_by_side(self._target, self._canvas)
