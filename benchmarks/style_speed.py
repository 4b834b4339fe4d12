"""Intrinsic style transfer: wall-clock and peak memory at 128, 256 and 512 px on this CPU.

Each size runs in its own process (so peak RSS is that size's alone) with one torch thread:
the content photo is loaded, EfficientNet-Lite0 and the GAN painter are set up, then
``--steps`` Adam steps of ``paint-gym style`` are timed, in wall-clock and in CPU seconds (the
honest figure when the machine is shared), then the MyPaint re-render. The painter's
activations are recomputed in the backward pass above 1,024 strokes (the library's default);
``--compare`` measures every size both ways.

    python benchmarks/style_speed.py                 # about 3 minutes of CPU here

Writes ``results/style_speed.json`` and ``results/style_speed.png``. The content photo is
matplotlib's sample ``grace_hopper.jpg`` (a US Navy photograph, public domain).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import RESULTS, describe, machine, write_json

SIZES = (128, 256, 512)


def content_path() -> str:
    from matplotlib import cbook  # lazy: only the measured child processes need it

    return str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(size: int, steps: int, strokes: int, threads: int, checkpoint: bool | None) -> dict:
    """One size in this process: set-up, ``steps`` timed steps, the MyPaint re-render."""
    # lazy: the parent only launches one child per size; each child loads torch and the painter
    # itself, so its peak memory (ru_maxrss) is the measurement and the parent stays light
    import psutil
    import torch

    from paint_gym.param.canvas_grid import StrokeGrid
    from paint_gym.param.style import ContentLoss, load_image

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    content = load_image(content_path(), size)
    grid = StrokeGrid(size, strokes, checkpoint=checkpoint)
    loss_fn = ContentLoss(content, "lite0", "blocks.4")
    opt = torch.optim.Adam(grid.params, lr=0.1)
    setup_s = time.perf_counter() - t0
    rss_before = psutil.Process().memory_info().rss / 2**20
    losses, step_times, cpu_times = [], [], []
    for _ in range(steps):
        t, c = time.perf_counter(), time.process_time()
        loss = loss_fn(grid())
        opt.zero_grad()
        loss.backward()
        opt.step()
        step_times.append(time.perf_counter() - t)
        cpu_times.append(time.process_time() - c)
        losses.append(loss.item())
    t = time.perf_counter()
    grid.render_mypaint()
    mypaint_s = time.perf_counter() - t
    return {
        "size": size,
        "canvases": grid.layout.count,
        "strokes_per_canvas": strokes,
        "strokes": grid.layout.count * strokes,
        "checkpoint": grid.checkpoint,
        "steps": steps,
        "setup_s": round(setup_s, 2),
        "steps_s": round(sum(step_times), 2),
        "step_s_median": round(sorted(step_times)[len(step_times) // 2], 3),
        "step_cpu_s_median": round(sorted(cpu_times)[len(cpu_times) // 2], 3),
        "mypaint_rerender_s": round(mypaint_s, 2),
        "rss_after_setup_mib": round(rss_before, 1),
        "peak_rss_mib": round(_rss_mib(), 1),
        "loss_first": round(losses[0], 3),
        "loss_last": round(losses[-1], 3),
    }


def run_child(size: int, args: argparse.Namespace, checkpoint: bool | None) -> dict:
    mode = {None: "auto", True: "on", False: "off"}[checkpoint]
    cmd = [
        sys.executable,
        "-X",
        "faulthandler",
        __file__,
        "--child",
        str(size),
        "--steps",
        str(args.steps),
        "--strokes",
        str(args.strokes),
        "--threads",
        str(args.threads),
        "--checkpoint",
        mode,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(
            f"{size} px run failed with code {out.returncode}:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}"
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def plot(rows: list[dict], path: Path, compare: bool) -> None:
    import matplotlib  # lazy: the parent stays light while its children are measured (see child)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: after the backend is chosen

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    series = (
        {
            "activations recomputed": [r for r in rows if r["checkpoint"]],
            "activations stored": [r for r in rows if not r["checkpoint"]],
        }
        if compare
        else {"library default": rows}
    )
    for (label, sel), marker in zip(series.items(), ("o-", "s--"), strict=False):
        if not sel:
            continue
        xs = [r["size"] for r in sel]
        ax1.plot(xs, [r["step_s_median"] for r in sel], marker, label=f"{label}: wall")
        ax1.plot(xs, [r["step_cpu_s_median"] for r in sel], marker, alpha=0.5, label=f"{label}: CPU")
        ax2.plot(xs, [r["peak_rss_mib"] / 1024 for r in sel], marker, label=label)
        if not compare:
            for r in sel:
                ax2.annotate(
                    "recomputed" if r["checkpoint"] else "stored",
                    (r["size"], r["peak_rss_mib"] / 1024),
                    fontsize=7,
                    textcoords="offset points",
                    xytext=(4, -10),
                )
    ax1.set(xlabel="image side (px)", ylabel="seconds per Adam step", title="time per step", xticks=SIZES, yscale="log")
    ax2.set(
        xlabel="image side (px)",
        ylabel="peak RSS of the process (GiB)",
        title="peak memory",
        xticks=SIZES,
        ylim=(0, None),
    )
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("intrinsic style transfer, 30 strokes per 64 px canvas, 1 thread", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--strokes", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--compare", action="store_true", help="measure every size with the painter's activations recomputed and stored"
    )
    parser.add_argument("--name", default="style_speed", help="results/NAME.json and NAME.png")
    parser.add_argument("--replot", action="store_true", help="only redraw the PNG from results/NAME.json")
    parser.add_argument("--checkpoint", choices=["auto", "on", "off"], default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(
            json.dumps(
                child(
                    args.child,
                    args.steps,
                    args.strokes,
                    args.threads,
                    {"auto": None, "on": True, "off": False}[args.checkpoint],
                )
            )
        )
        return
    if args.replot:
        saved = json.loads((RESULTS / f"{args.name}.json").read_text())
        plot(saved["rows"], RESULTS / f"{args.name}.png", saved["settings"].get("compare", False))
        return
    info = machine()
    print(f"machine: {describe(info)}")
    load_before = os.getloadavg()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        for ckpt in (True, False) if args.compare else (None,):
            rows.append(run_child(size, args, ckpt))
            r = rows[-1]
            print(
                f"{size} px ({r['canvases']} canvases, {r['strokes']} strokes, "
                f"{'recomputed' if r['checkpoint'] else 'stored'}): {r['step_s_median']:.2f} "
                f"s/step ({r['step_cpu_s_median']:.2f} s CPU), peak RSS {r['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
    load_after = os.getloadavg()
    print(
        "\n| image | canvases | strokes | painter activations | wall s / step "
        "| CPU s / step | 150 steps (CPU) | MyPaint re-render | peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['size']} px | {r['canvases']} | {r['strokes']:,} | {'recomputed' if r['checkpoint'] else 'stored'} "
            f"| {r['step_s_median']:.2f} | {r['step_cpu_s_median']:.2f} | {r['step_cpu_s_median'] * 150 / 60:.1f} "
            f"min | {r['mypaint_rerender_s']:.1f} s | {r['peak_rss_mib']:,.0f} MiB |"
        )
    shared = max(load_before[0], load_after[0]) > 1.5
    note = (
        f"load average {load_before[0]:.1f} before and {load_after[0]:.1f} after the run on {info['cores']} cores: "
        + (
            "the machine was shared with other jobs (another engineer's training), so times are pessimistic"
            if shared
            else "the machine was otherwise idle"
        )
    )
    payload = {
        "machine": info,
        "note": note,
        "content": "matplotlib sample grace_hopper.jpg (public domain)",
        "settings": {
            "steps": args.steps,
            "strokes_per_canvas": args.strokes,
            "threads": args.threads,
            "model": "lite0",
            "layer": "blocks.4",
            "tile": 64,
            "overlap": 16,
            "painter": "gan",
            "compare": args.compare,
        },
        "rows": rows,
    }
    path = write_json(args.name, payload)
    plot(rows, RESULTS / f"{args.name}.png", args.compare)
    print(f"\n{note}\nwrote {path} and {RESULTS / f'{args.name}.png'}")


if __name__ == "__main__":
    main()
