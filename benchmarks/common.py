"""What every benchmark shares: the results folder, the machine description, and the pieces each
script's README section is made of (``benchmarks/make_readme.py`` puts the sections together)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

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


# -- the README: each script renders its own section from its JSON (make_readme.py assembles them) --
class Section(NamedTuple):
    """One section of ``benchmarks/README.md``: its title, its markdown (tables, figures, the
    command that reproduces it) and its rows of the targets table, ``(benchmark, target, measured)``."""

    title: str
    markdown: str
    targets: list[tuple[str, str, str]]


def read_result(results: Path, name: str) -> dict[str, Any] | None:
    """``results/<name>.json`` as a benchmark wrote it, or None when that benchmark has not run."""
    path = Path(results) / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def machine_line(result: dict[str, Any]) -> str:
    """The machine and day a result was measured on, as the README states it (with torch and
    libmypaint; :func:`describe` is the shorter line the scripts print and store in headers)."""
    m = result.get("machine") or {}
    if not m:
        return "machine not recorded"
    date = str(m.get("date", ""))[:10]
    return (
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('memory_gib', '?')} GiB, Python {m.get('python', '?')}, "
        f"torch {m.get('torch', '?')}, libmypaint {m.get('libmypaint_deb', '?')}" + (f"; run {date}" if date else "")
    )


def md_table(header: list[str], rows: list[list[Any]]) -> str:
    """A markdown table: ``header`` and one line per row (cells written with ``str``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool | None) -> str:
    """A target's verdict in bold: met, NOT met, or not measured (None)."""
    return "not measured" if met is None else ("**met**" if met else "**NOT met**")


def number(x: float, digits: int = 0) -> str:
    """``x`` with thousands separators and ``digits`` decimals: ``number(12345.6) == "12,346"``."""
    return f"{x:,.{digits}f}"


def duration(s: float) -> str:
    """Seconds as "12.3 s" below a minute, else "4.5 min"; NaN (never reached) as "never"."""
    if s != s:  # NaN: never
        return "never"
    return f"{s:.1f} s" if s < 60 else f"{s / 60:.1f} min"


def stored_table(d: dict[str, Any], command: str, figure: str, png: str, note: str = "") -> str:
    """A section made of a benchmark's own header and table (stored in its JSON), the command that
    wrote them, ``note``, and its figure ``results/<png>`` (alt text ``figure``)."""
    return "\n\n".join([f"{d['header']} (`{command}`).{note}", d["table"], f"![{figure}](results/{png})"])
