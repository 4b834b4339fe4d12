"""The training log every agent run writes: ``log.csv`` from a list of row dicts."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path


def write_log_csv(path: str | Path, rows: Sequence[dict[str, float]], first: Sequence[str] = ("step",)) -> None:
    """Write ``rows`` (dicts that may have different keys) as CSV, the ``first`` columns leading."""
    keys = sorted({k for row in rows for k in row}, key=lambda k: (k not in first, first.index(k) if k in first else 0, k))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
