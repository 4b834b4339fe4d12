"""Intrinsic style transfer: wall-clock and peak memory at 128, 256 and 512 px on this CPU.

Each size runs in its own process (so peak RSS is that size's alone) with one torch thread:
the content photo is loaded, EfficientNet-Lite0 and the GAN painter are set up, then
``--steps`` Adam steps of ``paint-gym style`` are timed, in wall-clock and in CPU seconds (the
honest figure when the machine is shared), then the MyPaint re-render. The painter's
activations are recomputed in the backward pass above 1,024 strokes (the library's default);
``--compare`` measures every size both ways.

``--layouts`` compares the two layouts of :mod:`paint_gym.param.layout` with the dab painter:
stitched 64 px tiles and one canvas painted natively at full size, with the same number of
strokes (30 a tile x the tiles of the image), the same photo, seed and learning rate: time per
step, content loss over the steps and over wall-clock time, and the final paintings (neural and
their MyPaint re-renders) side by side.

    python benchmarks/style_speed.py                 # about 3 minutes of CPU here
    python benchmarks/style_speed.py --layouts       # tiles vs native, 40 steps at 128 and 256 px

Writes ``results/style_speed.json`` and ``results/style_speed.png`` (``--layouts``:
``results/style_layouts.json``, ``.png`` and the paintings in ``results/style_layouts/``). The
content photo is matplotlib's sample ``grace_hopper.jpg`` (a US Navy photograph, public domain).
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

from common import RESULTS, Section, describe, machine, machine_line, md_table, number, read_result, write_json

SIZES = (128, 256, 512)


def content_path() -> str:
    from matplotlib import cbook  # lazy: only the measured child processes need it

    return str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(
    size: int,
    steps: int,
    strokes: int,
    threads: int,
    checkpoint: bool | None,
    layout: str = "auto",
    painter: str = "gan",
    images: str | None = None,
) -> dict:
    """One size in this process: set-up, ``steps`` timed steps, the MyPaint re-render. With
    ``images`` (a folder), also the final content losses and both paintings as PNGs there."""
    # lazy: the parent only launches one child per size; each child loads torch and the painter
    # itself, so its peak memory (ru_maxrss) is the measurement and the parent stays light
    import psutil
    import torch

    from paint_gym.param.canvas_grid import StrokeGrid
    from paint_gym.param.style import ContentLoss, load_image

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    content = load_image(content_path(), size)
    grid = StrokeGrid(size, strokes, layout=layout, painter=painter, checkpoint=checkpoint)
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
    mypaint = grid.render_mypaint()
    mypaint_s = time.perf_counter() - t
    row = {
        "size": size,
        "layout": grid.layout.kind,
        "painter": painter,
        "canvas_px": grid.layout.tile,
        "canvases": grid.layout.count,
        "strokes_per_canvas": grid.strokes,
        "strokes": grid.layout.count * grid.strokes,
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
    if images is not None:
        row.update(_final_paintings(grid, mypaint[0], loss_fn, Path(images), f"{size}_{grid.layout.kind}"))
        row["losses"] = [round(x, 4) for x in losses]
        row["step_times_s"] = [round(x, 3) for x in step_times]
    return row


def _final_paintings(grid, mypaint, loss_fn, folder: Path, stem: str) -> dict:  # noqa: ANN001  (torch types, lazy)
    """Content losses of the final neural painting and of its MyPaint re-render; both written as
    ``folder/STEM_neural.png`` and ``STEM_mypaint.png``."""
    import torch
    from PIL import Image

    from paint_gym.canvas import to_float_tensor

    neural = grid.image_uint8()[0]
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, image in (("neural", neural), ("mypaint", mypaint)):
        Image.fromarray(image).save(folder / f"{stem}_{name}.png")
        with torch.no_grad():
            out[f"content_loss_{name}"] = round(float(loss_fn(to_float_tensor(image)[None])), 3)
        out[f"{name}_png"] = f"{folder.name}/{stem}_{name}.png"
    return out


def run_child(size: int, args: argparse.Namespace, checkpoint: bool | None, layout: str = "auto") -> dict:
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
        "--layout",
        layout,
        "--painter",
        args.painter,
    ]
    if args.layouts:
        cmd += ["--images", str(RESULTS / args.name)]
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


LAYOUT_COLOURS = {"tiles": "tab:blue", "native": "tab:orange"}


def plot_layouts(rows: list[dict], path: Path, settings: dict) -> None:
    """Tiles against native: seconds per step, content loss over wall-clock time, and the final
    paintings of the largest size (content, then each layout's neural painting and MyPaint re-render)."""
    import matplotlib  # lazy: the parent stays light while its children are measured (see child)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: after the backend is chosen
    import numpy as np
    from PIL import Image

    from paint_gym.canvas import to_uint8_array
    from paint_gym.param.style import load_image

    sizes = sorted({r["size"] for r in rows})
    big = [r for r in rows if r["size"] == sizes[-1]]
    fig = plt.figure(figsize=(12, 6.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.1])
    ax1, ax2 = top.subplots(1, 2)
    width = 0.38
    for i, kind in enumerate(("tiles", "native")):
        sel = {r["size"]: r for r in rows if r["layout"] == kind}
        xs = [j + (i - 0.5) * width for j in range(len(sizes))]
        ys = [sel[s]["step_s_median"] if s in sel else 0 for s in sizes]
        ax1.bar(xs, ys, width, color=LAYOUT_COLOURS[kind], label=kind)
        for x, y in zip(xs, ys, strict=True):
            ax1.annotate(f"{y:.2f}", (x, y), ha="center", va="bottom", fontsize=7)
        for r in sel.values():
            t = [sum(r["step_times_s"][: k + 1]) for k in range(len(r["step_times_s"]))]
            style = "-" if r["size"] == sizes[-1] else ":"
            ax2.plot(t, r["losses"], style, color=LAYOUT_COLOURS[kind], label=f"{kind}, {r['size']} px")
    ax1.set(
        xticks=range(len(sizes)),
        xticklabels=[f"{s} px" for s in sizes],
        ylabel="wall s per Adam step",
        title="time per step",
        yscale="log",
    )
    ax2.set(xlabel="wall-clock seconds", ylabel="content loss", title="content loss while painting", xscale="log")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    photo = to_uint8_array(load_image(content_path(), sizes[-1])[0])
    panels = [(photo, "content (public-domain photo)")]
    for r in sorted(big, key=lambda r: r["layout"] != "tiles"):
        for name in ("neural", "mypaint"):
            image = np.asarray(Image.open(RESULTS / r[f"{name}_png"]))
            what = "dab painter" if name == "neural" else "MyPaint re-render"
            panels.append((image, f"{r['layout']}: {what}\ncontent loss {r[f'content_loss_{name}']:.1f}"))
    for ax, (image, title) in zip(bottom.subplots(1, len(panels)), panels, strict=True):
        ax.imshow(image)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(
        f"intrinsic style transfer, {settings['painter']} painter: stitched 64 px tiles vs one native canvas, "
        f"{settings['strokes_per_tile']} strokes a tile, {settings['steps']} Adam steps, "
        f"{settings['threads']} thread(s)",
        fontsize=10,
    )
    fig.savefig(path, dpi=100)


def measure(args: argparse.Namespace) -> list[dict]:
    """Every size, both ways (``--compare``: activations recomputed and stored; ``--layouts``:
    tiles and native), each in its own process; prints a line per run."""
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        runs = [(True, "auto"), (False, "auto")] if args.compare else [(None, "auto")]
        if args.layouts:
            runs = [(None, "tiles"), (None, "native")]
        for ckpt, layout in runs:
            rows.append(run_child(size, args, ckpt, layout))
            r = rows[-1]
            print(
                f"{size} px {r['layout']} ({r['canvases']} canvases of {r['canvas_px']} px, {r['strokes']} strokes, "
                f"{'recomputed' if r['checkpoint'] else 'stored'}): {r['step_s_median']:.2f} "
                f"s/step ({r['step_cpu_s_median']:.2f} s CPU), peak RSS {r['peak_rss_mib']:.0f} MiB, "
                f"loss {r['loss_first']:.1f} -> {r['loss_last']:.1f}",
                flush=True,
            )
    return rows


def print_table(rows: list[dict], layouts: bool) -> None:
    if layouts:
        print(
            "\n| image | layout | canvases | strokes | wall s / step | CPU s / step | content loss first -> last "
            "| final: neural | final: MyPaint | peak RSS |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['size']} px | {r['layout']} | {r['canvases']} x {r['canvas_px']} px | {r['strokes']:,} "
                f"| {r['step_s_median']:.2f} | {r['step_cpu_s_median']:.2f} | {r['loss_first']:.1f} -> "
                f"{r['loss_last']:.1f} | {r['content_loss_neural']:.1f} | {r['content_loss_mypaint']:.1f} "
                f"| {r['peak_rss_mib']:,.0f} MiB |"
            )
        return
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=None, help="Adam steps (3; 40 with --layouts)")
    parser.add_argument(
        "--sizes", default=None, help="comma-separated image sides (128,256,512; 128,256 with --layouts)"
    )
    parser.add_argument("--strokes", type=int, default=30, help="strokes per 64 px tile (natively: as many in all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--compare", action="store_true", help="measure every size with the painter's activations recomputed and stored"
    )
    parser.add_argument(
        "--layouts", action="store_true", help="compare stitched tiles with one native canvas (dab painter)"
    )
    parser.add_argument("--painter", default=None, help="'gan' (default), or 'dab' / a checkpoint (--layouts: dab)")
    parser.add_argument("--name", default=None, help="results/NAME.json and NAME.png (style_speed; style_layouts)")
    parser.add_argument("--replot", action="store_true", help="only redraw the PNG from results/NAME.json")
    parser.add_argument("--checkpoint", choices=["auto", "on", "off"], default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--layout", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--images", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare and args.layouts:
        parser.error("choose --compare or --layouts")
    args.steps = args.steps if args.steps is not None else (40 if args.layouts else 3)
    args.sizes = args.sizes or ("128,256" if args.layouts else ",".join(map(str, SIZES)))
    args.painter = args.painter or ("dab" if args.layouts else "gan")
    args.name = args.name or ("style_layouts" if args.layouts else "style_speed")
    return args


def main() -> None:
    args = parse_args()
    if args.child is not None:
        checkpoint = {"auto": None, "on": True, "off": False}[args.checkpoint]
        row = child(
            args.child, args.steps, args.strokes, args.threads, checkpoint, args.layout, args.painter, args.images
        )
        print(json.dumps(row))
        return
    if args.replot:
        saved = json.loads((RESULTS / f"{args.name}.json").read_text())
        if saved["settings"].get("layouts"):
            plot_layouts(saved["rows"], RESULTS / f"{args.name}.png", saved["settings"])
        else:
            plot(saved["rows"], RESULTS / f"{args.name}.png", saved["settings"].get("compare", False))
        return
    info = machine()
    print(f"machine: {describe(info)}")
    load_before = os.getloadavg()
    rows = measure(args)
    load_after = os.getloadavg()
    print_table(rows, args.layouts)
    shared = max(load_before[0], load_after[0]) > 1.5
    note = (
        f"load average {load_before[0]:.1f} before and {load_after[0]:.1f} after the run on {info['cores']} cores: "
        + (
            "other jobs were running (the load average above 1.5), so times may be pessimistic"
            if shared
            else "the machine was otherwise idle"
        )
    )
    settings = {
        "steps": args.steps,
        "strokes_per_canvas": args.strokes,
        "strokes_per_tile": args.strokes,
        "threads": args.threads,
        "model": "lite0",
        "layer": "blocks.4",
        "lr": 0.1,
        "tile": 64,
        "overlap": 16,
        "painter": args.painter,
        "compare": args.compare,
        "layouts": args.layouts,
    }
    payload = {
        "machine": info,
        "note": note,
        "content": "matplotlib sample grace_hopper.jpg (public domain)",
        "settings": settings,
        "rows": rows,
    }
    path = write_json(args.name, payload)
    if args.layouts:
        plot_layouts(rows, RESULTS / f"{args.name}.png", settings)
    else:
        plot(rows, RESULTS / f"{args.name}.png", args.compare)
    print(f"\n{note}\nwrote {path} and {RESULTS / f'{args.name}.png'}")


def readme_sections(results: Path) -> list[Section]:
    """The README's sections: speed and memory by image size, then the two layouts side by side."""
    return [
        Section("Style transfer speed and memory", *speed_section(results)),
        Section("Style transfer: one native canvas against stitched tiles", *layouts_section(results)),
    ]


def speed_section(results: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """Per image size: canvases, strokes, seconds per step, MyPaint re-render and peak RSS (both runs)."""
    md_parts = []
    for name in ("style_speed", "style_speed_checkpoint"):
        d = read_result(results, name)
        if d is None:
            continue
        rows = [
            [
                f"{r['size']} px",
                r["canvases"],
                number(r["strokes"]),
                "recomputed" if r["checkpoint"] else "stored",
                f"{r['step_cpu_s_median']:.2f}",
                f"{r['step_s_median']:.2f}",
                f"{r['mypaint_rerender_s']:.1f} s",
                f"{number(r['peak_rss_mib'])} MiB",
            ]
            for r in d["rows"]
        ]
        md_parts += [
            f"`{name}.json` ({machine_line(d)}; {d['note']}):",
            md_table(
                [
                    "image",
                    "canvases",
                    "strokes",
                    "painter activations",
                    "CPU s / step",
                    "wall s / step",
                    "MyPaint re-render",
                    "peak RSS",
                ],
                rows,
            ),
        ]
    if not md_parts:
        return "*not run*", []
    return "\n\n".join([*md_parts, "![style speed](results/style_speed.png)"]), []


def layouts_section(results: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """One native canvas against stitched tiles, per image size: speed, losses, memory."""
    d = read_result(results, "style_layouts")
    if d is None:
        return "*not run*", []
    rows = [
        [
            f"{r['size']} px",
            r["layout"],
            f"{r['canvases']} x {r['canvas_px']} px",
            number(r["strokes"]),
            f"{r['step_s_median']:.2f}",
            f"{r['step_cpu_s_median']:.2f}",
            f"{r['loss_first']:.1f} -> {r['loss_last']:.1f}",
            f"{r['content_loss_neural']:.1f}",
            f"{r['content_loss_mypaint']:.1f}",
            f"{number(r['peak_rss_mib'])} MiB",
        ]
        for r in d["rows"]
    ]
    md = [
        f"`python benchmarks/style_speed.py --layouts` ({machine_line(d)}; {d['note']}): the dab painter painting the "
        "whole image on one canvas (`layout='native'`) against stitched 64 px tiles (`'tiles'`, the default), "
        "the same strokes in all, the same photo, seed and learning rate.",
        md_table(
            [
                "image",
                "layout",
                "canvases",
                "strokes",
                "wall s / step",
                "CPU s / step",
                "loss, step 1 -> last",
                "content loss (neural)",
                "content loss (MyPaint)",
                "peak RSS",
            ],
            rows,
        ),
        "![style layouts](results/style_layouts.png)",
    ]
    return "\n\n".join(md), []


if __name__ == "__main__":
    main()
