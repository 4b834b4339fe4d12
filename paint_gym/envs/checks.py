"""What the envs' ``reset`` and ``step`` accept: every argument checked before anything changes.

Every env (single and vector, MyPaint and neural) validates its ``reset`` and ``step`` arguments
with these functions first, so a rejected call leaves the episode (every sub-env of a vector env),
the generators and the painter as they were: seeds, reset options and masks, given targets,
actions, the time limit. ``MyPaintVectorEnv`` and ``NeuralPaintVectorEnv`` (``gym.make_vec``'s
default mode for every paint-gym id) check the whole batch first; Gymnasium's own ``SyncVectorEnv``
and ``AsyncVectorEnv`` hand each sub-env its seed or action in turn instead: there a bad one is
refused by its sub-env after the sub-envs before it were reset or stepped. No torch here.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode

from .. import actions as act
from ..images import as_rgb_array
from ..validation import check_int

# -- the single env's arguments (the vector envs' build on them) ------------------------------


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


# -- the vector envs' arguments ----------------------------------------------------------------


def check_autoreset_mode(mode: str | AutoresetMode) -> AutoresetMode:
    """Gymnasium's ``AutoresetMode`` from the enum or its value (``"NextStep"``, ...), or ``ValueError``."""
    try:
        return mode if isinstance(mode, AutoresetMode) else AutoresetMode(mode)
    except ValueError:
        choices = [m.value for m in AutoresetMode]
        raise ValueError(
            f"autoreset_mode must be a gymnasium.vector.AutoresetMode or one of {choices}; got {mode!r}"
        ) from None


def check_seeds(seed: Any, num_envs: int) -> list[int | None]:
    """One reset seed per sub-env (each None or an ``int`` >= 0) from a vector env's ``reset(seed=...)``.

    ``None``: every sub-env draws a random seed. An integer ``s`` >= 0 (Python, NumPy, or a 0-d
    integer array): sub-env ``i`` gets ``s + i``, as Gymnasium's vector envs do. A list, tuple
    or 1-d array of ``num_envs`` seeds, each checked by :func:`check_seed`.
    Anything else (a float, a string, a float array, nested lists, a generator) raises
    ``ValueError`` naming the seed, before any sub-env changes.
    """
    given = seed
    if isinstance(seed, np.ndarray) and seed.ndim == 0:
        seed = seed.item()  # np.array(5) is the seed 5; np.array(5.0) is refused below
    if seed is None:
        return [None] * num_envs
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        first = check_seed(seed)
        return [first + i for i in range(num_envs)]  # type: ignore[operator]
    listed = isinstance(seed, Sequence) and not isinstance(seed, (str, bytes))
    if not (listed or (isinstance(seed, np.ndarray) and seed.ndim == 1)):
        raise ValueError(
            f"reset(seed=...) takes None, an integer >= 0 or one seed per sub-env ({num_envs}: a list, tuple or "
            f"1-d array); got {type(given).__name__} {given!r}"
        )
    if len(seed) != num_envs:
        raise ValueError(
            f"reset(seed=...) needs one seed per sub-env ({num_envs} seeds), an int or None; got {len(seed)}"
        )
    return [check_seed(value, f"seed[{i}]") for i, value in enumerate(seed)]


def check_reset_mask(options: Mapping[str, Any], num_envs: int, started: bool) -> np.ndarray:
    """Which sub-envs a ``reset`` resets: ``options["reset_mask"]`` (bool ``(N,)``) or all.

    Gymnasium's checks and errors (as ``SyncVectorEnv``: a numpy bool array of shape ``(N,)``
    with a True), and one more: before the first full reset every sub-env must be reset
    (``started``), since a sub-env that never started has nothing to report.
    """
    if "reset_mask" not in options:
        return np.ones(num_envs, bool)
    mask = options["reset_mask"]
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"`options['reset_mask']` must be a numpy array, got {type(mask)}")
    if mask.shape != (num_envs,):
        raise ValueError(f"`options['reset_mask']` must have shape `({num_envs},)`, got {mask.shape}")
    if mask.dtype != np.bool_:
        raise TypeError(f"`options['reset_mask']` must have `dtype=np.bool_`, got {mask.dtype}")
    if not mask.any():
        raise ValueError(
            f"`options['reset_mask']` must contain a boolean array with at least one True value, got reset_mask={mask}"
        )
    if not started and not mask.all():
        raise ValueError(
            "options['reset_mask'] resets some sub-envs, but the others have never been reset: reset all of them first"
        )
    return mask.copy()


def check_targets(target: Any, num_envs: int, canvas_size: int, background: Any) -> np.ndarray | None:
    """A vector env's ``options["target"]`` as uint8 ``(N, S, S, 3)`` (a new array), or None if not given.

    One image ``(S, S, 3)`` (every reset sub-env paints it) or one per sub-env: an array
    ``(N, S, S, 3)`` or a list or tuple of ``N`` images. Pillow images, also each one of a list,
    are read by :func:`paint_gym.images.as_rgb_array` over the env's ``background`` (EXIF
    orientation, transparency, 16-bit and float; see :func:`target_array`).
    Raises ``ValueError`` naming what is wrong (images of different shapes, a wrong size or dtype).
    """
    if target is None:
        return None
    arr = target_array(target, background)
    s = canvas_size
    if arr.dtype != np.uint8 or arr.shape not in ((s, s, 3), (num_envs, s, s, 3)):
        raise ValueError(
            f"options['target'] must be uint8 ({s}, {s}, 3) for every reset sub-env or ({num_envs}, {s}, {s}, 3), "
            f"one per sub-env (the env's canvas_size); got {arr.dtype} {arr.shape}"
        )
    return np.broadcast_to(arr, (num_envs, s, s, 3)).copy()


def check_action_batch(actions: Any, num_envs: int, action_mode: str, discrete: act.DiscreteActions) -> np.ndarray:
    """A vector env's ``step`` actions, every row checked: float32 ``(N, 12)`` clipped to [-1, 1]
    (continuous, :func:`paint_gym.actions.validate_actions`) or int64 ``(N, F)`` in the
    ``MultiDiscrete`` space (discrete, :meth:`paint_gym.actions.DiscreteActions.validate`).

    Raises ``ValueError`` for a wrong shape (one row per sub-env), dtype, NaN/inf or a discrete
    value out of range, naming the sub-env, before any sub-env is stepped.
    """
    if action_mode == "continuous":
        a = act.validate_actions(actions, batch_ndim=2)
        if a.shape[0] != num_envs:
            raise ValueError(f"actions must be ({num_envs}, {act.ACTION_DIM}), one per sub-env; got {a.shape}")
        return a
    try:
        arr = np.asarray(act.to_numpy(actions))
    except ValueError as exc:  # ragged lists
        raise ValueError(f"discrete actions could not be read as an array: {exc}") from exc
    fields = len(discrete.FIELDS)
    if arr.shape != (num_envs, fields):
        raise ValueError(
            f"discrete actions must be ({num_envs}, {fields}), one per sub-env "
            f"({', '.join(discrete.FIELDS)}); got {arr.shape}"
        )
    rows = np.empty((num_envs, fields), np.int64)
    for i in range(num_envs):
        try:
            rows[i] = discrete.validate(arr[i])
        except ValueError as exc:
            raise ValueError(f"sub-env {i}: {exc}") from exc
    return rows


def check_steppable(started: bool, autoreset_mode: AutoresetMode, ended: np.ndarray) -> None:
    """``RuntimeError`` if a vector env cannot step: never reset, or (``DISABLED`` autoreset)
    sub-envs whose episodes ended were not reset with ``reset(options={"reset_mask": ...})``."""
    if not started:
        raise RuntimeError("call reset() before step()")
    if autoreset_mode == AutoresetMode.DISABLED and ended.any():
        raise RuntimeError(
            f"the episodes of sub-envs {np.flatnonzero(ended).tolist()} are over and autoreset_mode is DISABLED: "
            "reset them with reset(options={'reset_mask': mask}) before step()"
        )


__all__ = [
    "check_action_batch",
    "check_autoreset_mode",
    "check_max_episode_steps",
    "check_reset_mask",
    "check_reset_options",
    "check_seed",
    "check_seeds",
    "check_steppable",
    "check_target",
    "check_targets",
    "target_array",
    "time_limit_of_caller",
]
