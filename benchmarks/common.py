"""What every benchmark shares: the machine description and the results folder."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from paint_gym.checkpoint import write_text_atomic

RESULTS = Path(__file__).resolve().parent / "results"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _libmypaint_version() -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", "libmypaint-1.5-1"], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """The machine a benchmark ran on, stated in every result."""
    import numpy  # lazy: every benchmark imports this module; only this function needs the versions
    import torch  # lazy: the MyPaint-only benchmarks load torch for nothing else

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else float("nan")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "libmypaint_deb": _libmypaint_version(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def describe(m: dict[str, Any]) -> str:
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"{m['os']}, Python {m['python']}, libmypaint {m['libmypaint_deb']}"
    )


def write_json(name: str, payload: dict[str, Any], folder: Path = RESULTS) -> Path:
    """Write ``results/<name>.json`` atomically (a benchmark stopped mid-write keeps the old result);
    ``folder`` elsewhere for trial runs (``--quick`` in the tests), which must not replace results."""
    return write_text_atomic(Path(folder) / f"{name}.json", json.dumps(payload, indent=2) + "\n")


def training_arguments(
    doc: str | None, choices: dict[str, Any], *, item: str, minutes: float, runs: str, argv: list[str] | None = None
) -> argparse.Namespace:
    """The command line every search over trainer configurations shares: ``--<item>s`` (which of
    ``choices`` to run), data set, training ``--minutes`` per item, evaluation images, the longest gap
    between evaluations, threads, seed, the resumable ``--runs`` folder, ``--out`` and ``--data-dir``.
    Exits with argparse's usage error when ``--minutes`` or ``--images`` is not positive."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(f"--{item}s", nargs="+", default=list(choices), choices=choices)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--minutes", type=float, default=minutes, help=f"training minutes per {item}")
    parser.add_argument("--images", type=int, default=64, help="evaluation images")
    parser.add_argument("--eval-every", type=float, default=30.0, help="longest gap between evaluations, seconds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", default=runs, help="run folders (checkpoints; resumable)")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.images < 1:
        parser.error("--minutes and --images must be positive")
    return args


def kept_result(path: Path, expected: dict[str, Any]) -> dict[str, Any] | None:
    """The result a finished run saved at ``path`` when every key of ``expected`` matches it (the run is
    kept and not repeated), else ``None`` (no file, or the setup or config changed since)."""
    if not path.exists():
        return None
    done = json.loads(path.read_text())
    if any(done.get(k) != v for k, v in expected.items()):
        return None
    print(f"{path.stem}: finished before, kept ({path})")
    return done


def train_for_budget(trainer: Any, minutes: float, eval_every: float) -> dict[str, Any]:
    """Run a trainer (``SpiralTrainer``, ``SB3Trainer``: resumes from its run folder) for ``minutes`` of
    training time, evaluating every ``eval_every`` seconds; returns its evaluation points, strokes
    painted, training seconds and strokes/s, the fields every training benchmark's result shares."""
    start = time.perf_counter()
    points = trainer.run(minutes * 60, eval_every_seconds=eval_every)
    strokes, seconds = trainer.strokes, trainer.elapsed
    return {
        "points": [p.as_dict() for p in points],
        "strokes": strokes,
        "training_seconds": seconds,
        "strokes_per_second": strokes / seconds if seconds else math.nan,
        "wall_seconds": time.perf_counter() - start,
    }


def save_result(path: Path, result: dict[str, Any]) -> dict[str, Any]:
    """Write one run's result as JSON (atomically, creating its folder) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(result, indent=1) + "\n")
    return result


def load_dab(path: str | None = None) -> Any:
    """The dab painter (64 px; :meth:`~paint_gym.painters.dab.DabPainter.at_size` for other
    canvases): the checkpoint at ``path`` when given, else the shipped one, ``load_painter("dab")``."""
    from paint_gym.painters.load import load_painter  # lazy: the MyPaint-only benchmarks never load torch

    try:
        painter = load_painter(path or "dab")
    except (ValueError, FileNotFoundError) as err:
        raise SystemExit(
            f"cannot load the dab painter {path or 'dab'!r} ({err}); pass a checkpoint with --dab PATH"
        ) from err
    if not callable(getattr(painter, "at_size", None)):
        raise SystemExit(f"{path or 'dab'!r} is not a dab painter (no at_size): pass one with --dab PATH")
    return painter
