"""A method's result in the reconstruction benchmark, and the table row every method prints.

One format for the benchmark script and for ``paint-gym bench --agent module:Class``, so a
plug-in agent's row can be pasted under the built-in methods' rows: per method its final and
best MSE and, for each level of the protocol (75%, 50%, 25% of the blank canvas's MSE and the
best RL method's final MSE, :func:`protocol_levels`), the training time and strokes it took to
get there. Results are saved as JSON
atomically (an interrupted benchmark never leaves a half-written result).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checkpoint import write_text_atomic
from .budget import Point

#: The fixed levels of the protocol, as fractions of the blank canvas's MSE (issue 15).
LEVEL_FRACTIONS = (0.75, 0.5, 0.25)


@dataclass(frozen=True)
class Level:
    """An MSE level a method may reach: ``label`` for tables, ``mse`` on [0, 1] images."""

    label: str
    mse: float


def protocol_levels(blank_mse: float, rl_final_mse: float | None = None) -> list[Level]:
    """The levels of the reconstruction protocol: 75%, 50% and 25% of the blank canvas's MSE
    (:data:`LEVEL_FRACTIONS`) and, when given (finite), the best RL method's final MSE.
    ``ValueError`` for a blank MSE that is not positive and finite."""
    if not (math.isfinite(blank_mse) and blank_mse > 0):
        raise ValueError(f"blank_mse must be positive and finite; got {blank_mse}")
    levels = [Level(f"{f:.0%} of blank", f * blank_mse) for f in LEVEL_FRACTIONS]
    if rl_final_mse is not None and math.isfinite(rl_final_mse):
        levels.append(Level("best RL final", float(rl_final_mse)))
    return levels


def table_header(levels: list[Level]) -> str:
    """Markdown table header of :func:`format_row`'s columns: one "time / strokes to" column per level."""
    cols = ["method", "final MSE", "best MSE"]
    cols += [f"to {lv.label} ({lv.mse:.4f})" for lv in levels]
    cols += ["strokes painted", "trained"]
    return "| " + " | ".join(cols) + " |\n" + "|" + "---|" * len(cols)


@dataclass
class MethodResult:
    """A method's evaluation points under a budget (one point for methods that do not train)."""

    method: str
    points: list[Point]
    budget_seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError(f"{self.method}: a result needs at least one evaluation point")

    @property
    def final(self) -> Point:
        return self.points[-1]

    @property
    def final_mse(self) -> float:
        return self.final.mse

    @property
    def best_mse(self) -> float:
        """The lowest MSE of any evaluation."""
        return min(p.mse for p in self.points)

    def first_reaching(self, threshold: float) -> Point | None:
        """The first evaluation with MSE <= ``threshold`` (an upper bound on when it got there)."""
        return next((p for p in self.points if p.mse <= threshold), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "budget_seconds": self.budget_seconds,
            "final_mse": self.final_mse,
            "points": [p.as_dict() for p in self.points],
            **self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MethodResult:
        known = {"method", "budget_seconds", "final_mse", "points"}
        return cls(
            data["method"],
            [Point.from_dict(p) for p in data["points"]],
            float(data.get("budget_seconds", 0.0)),
            {k: v for k, v in data.items() if k not in known},
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the result as JSON atomically (creating the folder); returns the path."""
        return write_text_atomic(path, json.dumps(self.as_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> MethodResult:
        return cls.from_dict(json.loads(Path(path).read_text()))


def _seconds(s: float) -> str:
    if s < 10:
        return f"{s:.1f} s" if s else "0 s"
    if s < 60:
        return f"{s:.0f} s"
    return f"{s / 60:.1f} min"


def time_to(result: MethodResult, level: Level) -> str:
    """``"<time> / <strokes>"`` of the first evaluation at or below ``level``, or "never"."""
    hit = result.first_reaching(level.mse)
    return "never" if hit is None else f"{_seconds(hit.seconds)} / {hit.strokes:,}"


def format_row(result: MethodResult, levels: list[Level] | None = None) -> str:
    """The method's markdown table row (columns of :func:`table_header`).

    Each level's cell is the training time and strokes painted at the first evaluation at or
    below it ("never" if none; evaluations are spaced geometrically, so each is an upper
    bound); ``strokes painted`` counts every stroke the method painted while training, in an
    env or through a painter; ``trained`` is its training wall-clock.
    """
    final = result.final
    cells = [result.method, f"{final.mse:.4f}", f"{result.best_mse:.4f}"]
    cells += [time_to(result, lv) for lv in levels or []]
    cells += [f"{final.strokes:,}", _seconds(final.seconds)]
    return "| " + " | ".join(cells) + " |"


def format_table(results: list[MethodResult], levels: list[Level] | None = None) -> str:
    """:func:`table_header` and one :func:`format_row` per result."""
    return "\n".join([table_header(levels or []), *(format_row(r, levels) for r in results)])


__all__ = [
    "LEVEL_FRACTIONS",
    "Level",
    "MethodResult",
    "format_row",
    "format_table",
    "protocol_levels",
    "table_header",
    "time_to",
]
