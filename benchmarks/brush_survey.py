"""Which MyPaint brushes respect the action's radius range? Coverage at the smallest and largest size.

For each installed brush of a group (default ``classic``), 64 random strokes are painted alone
at size -1 (1 px radius) and at size +1 (8 px) on a 64 px canvas, and the mean alpha (the
fraction of the canvas covered) is reported. A usable brush covers little at 1 px, grows several
times at 8 px and stays well below flooding the canvas; smudge and eraser brushes paint nothing
on a transparent surface. ``SUPPORTED_BRUSHES`` lists the defaults that pass the test suite's
check of this.

    python benchmarks/brush_survey.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib
import numpy as np
from common import RESULTS, Section, describe, machine, machine_line, md_table, read_result, write_json

from paint_gym import actions as act
from paint_gym.painters.mypaint import SUPPORTED_BRUSHES, MyPaintPainter, list_brushes

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


def survey(group: str, strokes: int) -> list[dict]:
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (strokes, 12)).astype(np.float32)
    small, big = actions.copy(), actions.copy()
    small[:, act.SIZE], big[:, act.SIZE] = -1, 1
    rows = []
    for name in [b for b in list_brushes() if b.startswith(group + "/")]:
        painter = MyPaintPainter(64, brush=name, seed=0)
        cover_small = float(painter.render_alpha(small).mean())
        cover_big = float(painter.render_alpha(big).mean())
        rows.append(
            {
                "brush": name,
                "coverage_1px": cover_small,
                "coverage_8px": cover_big,
                "supported": name in SUPPORTED_BRUSHES,
            }
        )
        painter.close()
    return rows


def plot(rows: list[dict], path: str) -> None:
    fig, ax = plt.subplots(figsize=(10, 4))
    xs = np.arange(len(rows))
    ax.bar(xs - 0.2, [r["coverage_1px"] for r in rows], 0.4, label="size -1 (1 px radius)")
    ax.bar(xs + 0.2, [r["coverage_8px"] for r in rows], 0.4, label="size +1 (8 px radius)")
    ax.set_xticks(
        xs, [r["brush"].split("/")[-1] + (" *" if r["supported"] else "") for r in rows], rotation=75, fontsize=7
    )
    ax.set_ylabel("mean alpha of one stroke")
    ax.set_title("Coverage per stroke on a 64 px canvas (* = supported default)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--group", default="classic")
    parser.add_argument("--strokes", type=int, default=64)
    args = parser.parse_args()
    info = machine()
    print(f"machine: {describe(info)}")
    rows = survey(args.group, args.strokes)
    print("| brush | coverage at 1 px | coverage at 8 px | ratio | supported default |")
    print("|---|---|---|---|---|")
    for r in rows:
        ratio = r["coverage_8px"] / r["coverage_1px"] if r["coverage_1px"] > 0 else float("inf")
        print(
            f"| {r['brush']} | {r['coverage_1px']:.4f} | {r['coverage_8px']:.4f} "
            f"| {ratio:.1f} | {'yes' if r['supported'] else ''} |"
        )
    path = write_json("brush_survey", {"machine": info, "rows": rows, "args": vars(args)})
    plot(rows, str(RESULTS / "brush_survey.png"))
    print(f"wrote {path} and {RESULTS / 'brush_survey.png'}")


def readme_sections(results: Path) -> list[Section]:
    """The README's section: every brush's coverage at the smallest and largest radius."""
    d = read_result(results, "brush_survey")
    if d is None:
        return [Section("Brushes", "*not run*", [])]
    rows = [
        [
            r["brush"],
            f"{r['coverage_1px']:.4f}",
            f"{r['coverage_8px']:.4f}",
            f"{r['coverage_8px'] / r['coverage_1px']:.1f}" if r["coverage_1px"] > 0 else "-",
            "yes" if r["supported"] else "",
        ]
        for r in d["rows"]
    ]
    md = "\n\n".join(
        [
            f"Mean alpha (fraction of a 64 px canvas covered) of {d['args']['strokes']} random strokes "
            f"painted alone at the smallest (1 px) and largest (8 px) radius, every `{d['args']['group']}/` "
            f"brush (`python benchmarks/brush_survey.py`; {machine_line(d)}). The binding removes "
            "every input mapping of a brush's radius, so the action's size is the radius for every brush.",
            md_table(["brush", "coverage at 1 px", "coverage at 8 px", "ratio", "supported default"], rows),
            "![brush survey](results/brush_survey.png)",
        ]
    )
    return [Section("Brushes", md, [])]


if __name__ == "__main__":
    main()
