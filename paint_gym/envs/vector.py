"""What both vector envs check before any sub-env changes: seeds, reset masks, targets, actions.

``MyPaintVectorEnv`` and ``NeuralPaintVectorEnv`` (``gym.make_vec``'s default mode for every
paint-gym id) validate every argument of ``reset`` and ``step`` with these functions first, so a
rejected call leaves every sub-env as it was. Gymnasium's own ``SyncVectorEnv`` and
``AsyncVectorEnv`` hand each sub-env its seed or action in turn instead: there a bad one is
refused by its sub-env after the sub-envs before it were reset or stepped. No torch here.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode

from .. import actions as act
from .task import check_seed, target_array


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
    or 1-d array of ``num_envs`` seeds, each checked by :func:`~paint_gym.envs.task.check_seed`.
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
    orientation, transparency, 16-bit and float; see :func:`~paint_gym.envs.task.target_array`).
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
    "check_reset_mask",
    "check_seeds",
    "check_steppable",
    "check_targets",
]
