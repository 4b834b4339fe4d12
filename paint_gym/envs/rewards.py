"""The envs' rewards: the reward modes, the check of a reward callable's value, one step's reward.

Every env (single and vector, MyPaint and neural) computes its rewards with :func:`reward_value`
from the exact L2 of the uint8 canvas and target (see :class:`~paint_gym.envs.episode.Episodes`).
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import NonFiniteOutputError

#: A reward callable gets the new canvas, the target (both uint8 ``(H, W, 3)``) and whether the
#: episode just ended, and returns a float.
RewardCallable = Callable[[np.ndarray, np.ndarray, bool], float]
Reward = str | RewardCallable
REWARDS = ("dense", "final", "none")


def check_reward(reward: Reward) -> Reward:
    """``reward`` if it is a reward mode or a callable; else ``ValueError`` naming the choices."""
    if callable(reward) or (isinstance(reward, str) and reward in REWARDS):
        return reward
    raise ValueError(f"reward must be one of {REWARDS} or a callable(canvas, target, done) -> float; got {reward!r}")


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


def rewards(
    mode: Reward, previous: Any, l2: Any, done: Any, images: Callable[[int], tuple[np.ndarray, np.ndarray]]
) -> Any:
    """The rewards of ``k`` steps (see the env docstrings), float64 ``(k,)``, numpy or torch as ``l2``.

    ``previous`` and ``l2``: each episode's L2 before and after its step, float64 ``(k,)``;
    ``done``: whether the step ended its episode (terminated or truncated), bool ``(k,)``.
    ``"dense"``: ``previous - l2``; ``"final"``: ``-l2`` where done, else 0; ``"none"``: 0. A
    callable is called for every step with ``images(j)`` (the new uint8 canvas and the target of
    step ``j``, made only then) and ``done``; its values are checked by
    :func:`check_reward_value`, and the first refusal is raised after every call was made.
    """
    if callable(mode):
        flags = done.tolist()
        values, refused = np.zeros(len(flags)), []
        for j, ended in enumerate(flags):
            canvas, target = images(j)
            try:
                values[j] = check_reward_value(mode(canvas, target, bool(ended)), mode)
            except ValueError as exc:  # every step's callable is called, as in a batch of single envs
                refused.append(exc)
        if refused:
            raise refused[0]
        return values if isinstance(l2, np.ndarray) else l2.new_tensor(values)
    if mode == "dense":
        return previous - l2
    zero = l2 * 0.0
    if mode == "final":
        return np.where(done, -l2, zero) if isinstance(l2, np.ndarray) else l2.neg().where(done, zero)
    return zero


__all__ = ["REWARDS", "Reward", "RewardCallable", "check_reward", "check_reward_value", "rewards"]
