"""Argument checks shared by every env, painter, trainer and agent config.

A value is accepted only if what it describes can run: integers are integers (``64.5`` is not
silently truncated, ``64.0`` from a JSON file is fine), canvases are at least
:data:`MIN_CANVAS_SIZE` and at most :data:`MAX_CANVAS_SIZE` pixels, rates are finite numbers in range. Each check raises
``ValueError`` naming the argument, the value and what is allowed. One module, so the rules
cannot drift between the single env, the vector env, the painters and the agents.

A config dataclass declares each field's rule once, in the field's type, and
:class:`ValidatedConfig` enforces it when the config is made::

    @dataclass
    class Args(ValidatedConfig):
        batch: PositiveInt = 32          # Annotated[int, Bound(1)]
        '''Samples per step.'''          # --help: "Samples per step. (>= 1)"
        lr: Annotated[float, Bound(0, open_low=True)] = 1e-3
        task: Annotated[str, OneOf(DATASETS)] = "mnist"

The rules are :class:`Bound` (numbers), :class:`OneOf` (names) and :class:`Check` (any
function); ``paint-gym --help`` prints them after the field's docstring
(:func:`paint_gym.command.cli_fields`), so the docstring says what the field means, not its range.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import sys
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np

#: The smallest canvas side in pixels, for every env, painter and agent (MyPaint's surfaces, the
#: agents' conv encoders and critics halve a canvas down to 4 px; SB3 gets a small CNN below
#: NatureCNN's 36 px).
MIN_CANVAS_SIZE = 8
#: The largest canvas side in pixels, for every env, painter, agent and painting (``style``,
#: ``visualize``): one 8192 px RGB float canvas is 0.8 GB, and a training batch holds many; a
#: larger side is nearly always a typo (``--size 100000000``) that would end in a MemoryError.
MAX_CANVAS_SIZE = 8192


def check_int(name: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number in ``[low, high]``; else ``ValueError``.

    Whole floats (``64.0``, also numpy's) are accepted; fractions (``64.5``, never truncated),
    bools, NaN, inf and non-numbers are not.
    """
    whole = isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()
    )
    if isinstance(value, (bool, np.bool_)) or not whole or value < low or (high is not None and value > high):
        bound = f"of at least {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be an integer {bound}; got {value!r}")
    return int(value)


def check_float(
    name: str, value: Any, low: float | None = None, high: float | None = None, *, open_low: bool = False
) -> float:
    """``value`` as a float if it is a finite real number in the range (``open_low``: ``> low``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    value = float(value)
    if low is not None and (value <= low if open_low else value < low):
        raise ValueError(f"{name} must be {'>' if open_low else '>='} {low:g}; got {value:g}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}; got {value:g}")
    return value


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; else ``ValueError`` listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}")
    return value


def check_canvas_size(value: Any, name: str = "canvas_size") -> int:
    """A canvas side: an integer number of pixels in ``MIN_CANVAS_SIZE..MAX_CANVAS_SIZE`` (8..8192)."""
    return check_int(name, value, low=MIN_CANVAS_SIZE, high=MAX_CANVAS_SIZE)


def check_seeds(name: str, seeds: Iterable[Any]) -> tuple[int, ...]:
    """A non-empty tuple of integer brush seeds."""
    out = tuple(check_int(f"{name}[{i}]", s, low=0) for i, s in enumerate(seeds))
    if not out:
        raise ValueError(f"{name} must hold at least one brush seed; got none")
    return out


_NAMED_BACKGROUNDS = {"white": (1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0)}


def background_rgb(background: str | Sequence[float] | np.ndarray) -> np.ndarray:
    """RGB ``(3,)`` float32 in [0, 1] of a background given by name or by value (also
    :func:`paint_gym.canvas.background_rgb`); ``ValueError`` naming the allowed values."""
    if isinstance(background, str):
        if background not in _NAMED_BACKGROUNDS:
            raise ValueError(
                f"unknown background {background!r}; use one of {sorted(_NAMED_BACKGROUNDS)} or an RGB triple in [0, 1]"
            )
        return np.array(_NAMED_BACKGROUNDS[background], np.float32)
    rgb = np.asarray(background, dtype=np.float32)
    if rgb.shape != (3,) or not np.isfinite(rgb).all() or (rgb < 0).any() or (rgb > 1).any():
        raise ValueError(f"background must be 'white', 'black' or an RGB triple in [0, 1]; got {background!r}")
    return rgb


def check_background(value: Any) -> Any:
    """A background the canvas module understands ('white', 'black' or an RGB triple in [0, 1])."""
    background_rgb(value)  # raises ValueError naming the allowed values
    return value


# ----------------------------------------------------------------------------------------
# Rules declared on config fields
# ----------------------------------------------------------------------------------------


class Rule:
    """A config field's rule, written in its type (``Annotated[int, Bound(1)]``): ``check``
    returns the value to store (``64.0`` -> ``64``) or raises ``ValueError`` naming the field;
    ``str(rule)`` is what ``--help`` prints after the field's docstring."""

    def check(self, name: str, value: Any, kind: type, optional: bool) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Bound(Rule):
    """A number's range: ``low`` (exclusive with ``open_low``) and ``high``, both optional.
    An ``int`` field is checked by :func:`check_int` (whole numbers only), a ``float`` field by
    :func:`check_float` (finite numbers only)."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            return f"> {self.low:g}, <= {self.high:g}" if self.open_low else f"{self.low:g}..{self.high:g}"
        if self.low is not None:
            return f"{'>' if self.open_low else '>='} {self.low:g}"
        return "" if self.high is None else f"<= {self.high:g}"

    def check(self, name: str, value: Any, kind: type, optional: bool) -> Any:
        try:
            if kind is int:
                low = -sys.maxsize if self.low is None else int(self.low) + int(self.open_low)
                return check_int(name, value, low, None if self.high is None else int(self.high))
            return check_float(name, value, self.low, self.high, open_low=self.open_low)
        except ValueError:
            if not optional:
                raise
            what = "an integer" if kind is int else "a finite number"
            raise ValueError(f"{name} must be {what} {self} or None; got {value!r}") from None


@dataclass(frozen=True)
class OneOf(Rule):
    """One of a few names; ``label`` names the field in the error when its name alone would not
    say enough (``"pixel objective"``)."""

    choices: tuple[str, ...]
    label: str | None = None

    def __str__(self) -> str:
        return "one of " + ", ".join(map(str, self.choices))

    def check(self, name: str, value: Any, kind: type, optional: bool) -> Any:
        return check_choice(self.label or name, value, self.choices)


@dataclass(frozen=True)
class Check(Rule):
    """Any rule, as a function ``(name, value) -> value`` that raises ``ValueError``; ``text``
    is its line in ``--help`` (empty: the docstring says it). Give it a name at module level
    (``Background = Annotated[str, Check(...)]``): a lambda written inside a field's annotation
    is evaluated in the class's namespace, where the module's functions are not visible."""

    rule: Callable[[str, Any], Any]
    text: str = ""

    def __str__(self) -> str:
        return self.text

    def check(self, name: str, value: Any, kind: type, optional: bool) -> Any:
        return self.rule(name, value)


#: A count of at least one (strokes, batch sizes, steps between evaluations).
PositiveInt = Annotated[int, Bound(1)]
#: A whole number of at least zero (seeds, budgets in steps, thread counts where 0 is the default).
NonNegativeInt = Annotated[int, Bound(0)]
#: A finite number above zero (learning rates, gradient clips, scales).
PositiveFloat = Annotated[float, Bound(0, open_low=True)]
#: A finite number of at least zero (loss weights, budgets in minutes).
NonNegativeFloat = Annotated[float, Bound(0)]
#: A canvas side in pixels, :data:`MIN_CANVAS_SIZE`..:data:`MAX_CANVAS_SIZE` (:func:`check_canvas_size`).
CanvasSize = Annotated[int, Bound(MIN_CANVAS_SIZE, MAX_CANVAS_SIZE)]
#: A canvas background (:func:`check_background`).
Background = Annotated[str, Check(lambda name, value: check_background(value), "'white', 'black' or RGB in [0, 1]")]
#: MyPaint brush seeds, at least one (:func:`check_seeds`).
Seeds = Annotated[tuple[int, ...], Check(lambda name, value: check_seeds(name, value), "at least one")]


def _unwrap(hint: Any) -> tuple[type, bool, tuple[Rule, ...]]:
    """``(kind, optional, rules)`` of a field's type: ``Annotated[int, Bound(1)]``,
    ``Annotated[int | None, Bound(1)]`` or ``Annotated[int, Bound(1)] | None``."""
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        hint = args[0] if len(args) == 1 else hint
    rules: tuple[Rule, ...] = ()
    if typing.get_origin(hint) is Annotated:
        hint, *meta = typing.get_args(hint)
        rules = tuple(m for m in meta if isinstance(m, Rule))
        kind, opt = _unwrap(hint)[:2]
        return kind, optional or opt, rules
    return hint, optional, rules


@functools.cache
def field_rules(cls: type) -> dict[str, tuple[type, bool, tuple[Rule, ...]]]:
    """The rules declared in the field types of the config dataclass ``cls``: ``{name: (kind,
    None allowed, rules)}`` for every field that has one (read once per class)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    found = {f.name: _unwrap(hints[f.name]) for f in dataclasses.fields(cls)}
    return {name: spec for name, spec in found.items() if spec[2]}


def rules_text(cls: type, name: str) -> str:
    """What ``--help`` prints after a field's docstring: its rules (``">= 1"``, ``"8..8192"``),
    or ``""`` for a field without one."""
    spec = field_rules(cls).get(name)
    return "; ".join(t for t in map(str, spec[2]) if t) if spec else ""


def check_fields(config: Any) -> None:
    """Check every field of the dataclass instance ``config`` against the rules in its type,
    storing what they return (``64.0`` -> ``64``); ``ValueError`` names the first bad field.
    ``None`` passes a field typed ``X | None``."""
    for name, (kind, optional, rules) in field_rules(type(config)).items():
        value = getattr(config, name)
        if value is None and optional:
            continue
        for rule in rules:
            value = rule.check(name, value, kind, optional)
        object.__setattr__(config, name, value)  # also on frozen dataclasses: the checked value


class _TakesOldNames(type):
    """Metaclass of :class:`ValidatedConfig`: a config made with a field's old name (its class's
    ``renamed`` table) gets the field's new name."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        for old, new in getattr(cls, "renamed", {}).items():
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{cls.__name__} got both {new!r} and its old name {old!r}; give {new!r} only")
                kwargs[new] = kwargs.pop(old)
        return super().__call__(*args, **kwargs)


class ValidatedConfig(metaclass=_TakesOldNames):
    """Base of the config dataclasses: making one checks every field against the rules declared
    in its type (:func:`check_fields`). A config with rules between fields extends
    ``__post_init__`` and calls ``super().__post_init__()`` first.

    ``renamed`` (a class variable, ``{old name: new name}``; docs/glossary.md) keeps a renamed
    field's old name working: as a keyword when the config is made, as an attribute, in a saved
    config's JSON (:func:`paint_gym.checkpoint.config_from_json`) and as a command-line flag
    (:func:`paint_gym.command.cli_fields`). ``dataclasses.replace`` takes the new names only.
    """

    renamed: typing.ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        check_fields(self)

    def __getattr__(self, name: str) -> Any:  # only for names that are not attributes
        new = type(self).renamed.get(name)
        if new is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self, new)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(type(self).renamed.get(name, name), value)


__all__ = [
    "MAX_CANVAS_SIZE",
    "MIN_CANVAS_SIZE",
    "Background",
    "Bound",
    "CanvasSize",
    "Check",
    "NonNegativeFloat",
    "NonNegativeInt",
    "OneOf",
    "PositiveFloat",
    "PositiveInt",
    "Rule",
    "Seeds",
    "ValidatedConfig",
    "background_rgb",
    "check_background",
    "check_canvas_size",
    "check_choice",
    "check_fields",
    "check_float",
    "check_int",
    "check_seeds",
    "field_rules",
    "rules_text",
]
