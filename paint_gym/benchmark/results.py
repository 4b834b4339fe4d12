"""A method's result in the reconstruction benchmark, and the table row every method prints.

One format for the benchmark script and for ``paint-gym bench --agent module:Class``, so a
plug-in agent's row can be pasted under the built-in methods' rows. Results are saved as JSON
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

#: Markdown table header (columns of :func:`format_row`).
TABLE_HEADER = (
    "| method | final MSE | time to threshold | strokes to threshold | strokes consumed | trained |\n"
    "|---|---|---|---|---|---|"
)


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


def format_row(result: MethodResult, threshold: float | None = None) -> str:
    """The method's markdown table row.

    ``time to threshold`` is the training time of the first evaluation at or below
    ``threshold`` ("never" if none; "-" without a threshold); ``strokes consumed`` counts every
    stroke the method painted while training, in an env or through a painter.
    """
    final = result.final
    if threshold is None or not math.isfinite(threshold):
        to_time = to_strokes = "-"
    else:
        hit = result.first_reaching(threshold)
        to_time = "never" if hit is None else _seconds(hit.seconds)
        to_strokes = "never" if hit is None else f"{hit.strokes:,}"
    return (
        f"| {result.method} | {final.mse:.4f} | {to_time} | "
        f"{to_strokes} | {final.strokes:,} | {_seconds(final.seconds)} |"
    )


def format_table(results: list[MethodResult], threshold: float | None = None) -> str:
    """:data:`TABLE_HEADER` and one :func:`format_row` per result."""
    return "\n".join([TABLE_HEADER, *(format_row(r, threshold) for r in results)])


__all__ = ["TABLE_HEADER", "MethodResult", "format_row", "format_table"]
