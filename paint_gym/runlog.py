"""The run log every trainer writes beside its checkpoint: ``log.csv`` and ``curves.png``.

A trainer keeps its history as a list of row dicts (one per evaluation, with training means
beside it; rows may have different keys) and, at each checkpoint, writes them with
:func:`write_log_csv` and draws ``curves.png`` inside :func:`curves_figure` (with
:func:`plot_columns` for the common "one line per column" panels). Both files are written
atomically, so a run stopped at any moment leaves readable ones. Used by the painter trainer
and every agent's trainer.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .checkpoint import atomic_path

#: The file names of a run folder's log and figure.
LOG_CSV = "log.csv"
CURVES_PNG = "curves.png"


def write_log_csv(path: str | os.PathLike, rows: Sequence[dict[str, float]], first: Sequence[str] = ("step",)) -> None:
    """Write ``rows`` (dicts that may have different keys; missing cells stay empty) as CSV,
    the ``first`` columns leading and the others sorted by name."""
    keys = sorted(
        {k for row in rows for k in row}, key=lambda k: (k not in first, first.index(k) if k in first else 0, k)
    )
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)


@contextmanager
def curves_figure(path: str | os.PathLike, panels: int = 1, title: str = "") -> Iterator[tuple[Any, Any]]:
    """A row of ``panels`` matplotlib axes to draw on (one ``Axes`` for one panel, else an
    array); on leaving, the figure is titled, saved to ``path`` as PNG and closed (closed even if
    drawing fails, so a long run does not leak figures)."""
    import matplotlib  # lazy: matplotlib takes ~0.5 s to import and needs the Agg backend chosen first

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: after the backend is chosen

    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 3.6))
    try:
        yield fig, axes
        if title:
            fig.suptitle(title, fontsize=10 if panels > 1 else 9)
        fig.tight_layout()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=90, format="png")
    finally:
        plt.close(fig)


def plot_columns(ax: Any, rows: Sequence[dict[str, float]], x: str, keys: Sequence[str], prefix: str = "") -> None:
    """One line per key of ``rows`` present in some row (rows without it are skipped), against
    the column ``x``, labelled ``prefix + key``."""
    for key in keys:
        pts = [(r[x], r[key]) for r in rows if key in r]
        if pts:
            ax.plot(*zip(*pts, strict=True), label=f"{prefix}{key}")


__all__ = ["CURVES_PNG", "LOG_CSV", "curves_figure", "plot_columns", "write_log_csv"]
