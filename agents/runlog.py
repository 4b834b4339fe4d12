"""The training log every agent run writes: ``log.csv`` from a list of row dicts, and the
``curves.png`` figure beside it."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def write_log_csv(path: str | Path, rows: Sequence[dict[str, float]], first: Sequence[str] = ("step",)) -> None:
    """Write ``rows`` (dicts that may have different keys) as CSV, the ``first`` columns leading."""
    keys = sorted({k for row in rows for k in row}, key=lambda k: (k not in first, first.index(k) if k in first else 0, k))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)


@contextmanager
def curves_figure(path: str | Path, panels: int = 1, title: str = "") -> Iterator[tuple[Any, Any]]:
    """A row of ``panels`` axes to draw on; on leaving, the figure is titled, saved to ``path``
    and closed (closed even if drawing fails, so a long run does not leak figures)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 3.6))
    try:
        yield fig, axes
        if title:
            fig.suptitle(title, fontsize=10 if panels > 1 else 9)
        fig.tight_layout()
        fig.savefig(path, dpi=90)
    finally:
        plt.close(fig)


def plot_columns(ax: Any, rows: Sequence[dict[str, float]], x: str, keys: Sequence[str], prefix: str = "") -> None:
    """One line per key of ``rows`` present in some row (rows without it are skipped), against ``x``."""
    for key in keys:
        pts = [(r[x], r[key]) for r in rows if key in r]
        if pts:
            ax.plot(*zip(*pts), label=f"{prefix}{key}")
