"""Intrinsic style transfer figure (the paper's Figure 13): a photo repainted in colour and in grey.

Content loss only (EfficientNet-Lite0, ``blocks.4``), strokes on overlapping 64 px canvases,
then the same strokes repainted by MyPaint. The photo is matplotlib's sample
``grace_hopper.jpg`` (a US Navy photograph, public domain). Optimisation runs in segments whose
strokes are saved in ``results/style_transfer/``, so a busy machine can build it over several
runs of a few minutes (Adam restarts at each segment):

    python benchmarks/style_transfer_figure.py                 # continue until --steps, then the figure

Writes ``docs/style_transfer.png`` and ``results/style_transfer.json``. ``--painter`` and
``--layout`` choose the painter and where its strokes lie (:mod:`paint_gym.param.layout`: the
dab painter paints one native canvas by default, the GAN stitched 64 px tiles); ``--tag NAME``
keeps such a run apart (``results/style_transfer_NAME/``, ``docs/style_transfer_NAME.png``,
``results/style_transfer_NAME.json``). ``benchmarks/style_speed.py --layouts`` compares the two
layouts side by side.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import matplotlib
import numpy as np
import torch
from common import RESULTS, Section, describe, machine, machine_line, md_table, read_result, write_json
from matplotlib import cbook
from PIL import Image

from paint_gym.canvas import to_float_tensor, to_uint8_array
from paint_gym.checkpoint import read_checkpoint, write_checkpoint
from paint_gym.painters.mypaint import Brush
from paint_gym.param.canvas_grid import grid_for
from paint_gym.param.layout import LAYOUTS
from paint_gym.param.style import ContentLoss, StyleConfig, intrinsic_style_transfer, load_image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

DOCS = Path(__file__).resolve().parents[1] / "docs"
VARIANTS = {"colour": False, "grey": True}


def output_name(tag: str) -> str:
    """``style_transfer``, or ``style_transfer_TAG``: the state folder, figure and JSON name."""
    return f"style_transfer_{tag}" if tag else "style_transfer"


def content(size: int) -> torch.Tensor:
    return load_image(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), size)


def advance(variant: str, args: argparse.Namespace, deadline: float) -> dict:
    """Run segments of ``variant`` until ``args.steps`` or the deadline; returns its state."""
    cfg = StyleConfig(
        size=args.size,
        strokes_per_tile=args.strokes,
        steps=args.segment,
        lr=args.lr,
        grayscale=VARIANTS[variant],
        seed=args.seed,
        painter=args.painter,
        layout=args.layout,
    )
    grid = grid_for(cfg)
    state_dir = RESULTS / output_name(args.tag)
    path = state_dir / f"{variant}.pt"
    state = {"steps": 0, "losses": [], "seconds": 0.0}
    if path.is_file():
        saved = read_checkpoint(path, "style transfer state")
        grid.load_state_dict(saved["grid"])
        state = {"steps": int(saved["steps"]), "losses": list(saved["losses"]), "seconds": float(saved["seconds"])}
    photo = content(args.size)
    while state["steps"] < args.steps and time.perf_counter() < deadline:
        cfg.steps = min(args.segment, args.steps - state["steps"])
        t0 = time.perf_counter()
        result = intrinsic_style_transfer(photo, cfg, grid=grid, check_mypaint=False)
        state["seconds"] += time.perf_counter() - t0
        state["steps"] += cfg.steps
        state["losses"] += result.losses
        state_dir.mkdir(parents=True, exist_ok=True)
        write_checkpoint({"grid": grid.state_dict(), **state}, path)
        print(f"{variant}: {state['steps']}/{args.steps} steps, content loss {result.losses[-1]:.3f}", flush=True)
    state["grid"] = grid
    return state


def save_small_png(fig, path: Path, dpi: int) -> None:
    """Save a matplotlib figure as a 256-colour PNG (a third of the bytes; paintings survive it)."""
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, format="png")
    Image.open(buf).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def finish(states: dict[str, dict], args: argparse.Namespace) -> None:
    if not Brush().seedable:
        raise SystemExit(
            "libmypaint's brush could not be seeded in this process, so the MyPaint re-render would not be "
            "reproducible; run again"
        )
    photo = content(args.size)
    loss_fn = ContentLoss(photo, "lite0", "blocks.4")

    def to_t(img: np.ndarray) -> torch.Tensor:
        return to_float_tensor(img)[None]

    panels = [(to_uint8_array(photo[0]), "content (public-domain photo)")]
    records = {}
    for variant, st in states.items():
        grid = st["grid"]
        neural_img, mypaint = grid.image_uint8()[0], grid.render_mypaint(seed=0)[0]
        with torch.no_grad():
            ln, lm = float(loss_fn(to_t(neural_img))), float(loss_fn(to_t(mypaint)))
        records[variant] = {
            "steps": st["steps"],
            "seconds": round(st["seconds"], 1),
            "loss_first": round(st["losses"][0], 3),
            "content_loss_neural": round(ln, 3),
            "content_loss_mypaint": round(lm, 3),
            "canvases": grid.layout.count,
            "strokes_per_canvas": grid.strokes,
            "layout": grid.layout.kind,
        }
        panels += [
            (neural_img, f"{variant}: neural painter\ncontent loss {ln:.1f}"),
            (mypaint, f"{variant}: MyPaint re-render\ncontent loss {lm:.1f}"),
        ]
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 3.0))
    for ax, (img, title) in zip(axes, panels, strict=True):
        ax.imshow(img)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    figure = DOCS / f"{output_name(args.tag)}.png"
    DOCS.mkdir(exist_ok=True)
    save_small_png(fig, figure, dpi=100)
    write_json(
        output_name(args.tag),
        {
            "machine": machine(),
            "content": "matplotlib sample grace_hopper.jpg (public domain)",
            "settings": {
                "size": args.size,
                "strokes_per_canvas": args.strokes,
                "strokes_per_tile": args.strokes,
                "painter": args.painter,
                "lr": args.lr,
                "segment": args.segment,
                "model": "lite0",
                "layer": "blocks.4",
            },
            "variants": records,
        },
    )
    for variant, r in records.items():
        print(
            f"{variant}: content loss {r['loss_first']:.2f} -> {r['content_loss_neural']:.2f} (neural), "
            f"{r['content_loss_mypaint']:.2f} (MyPaint), {r['steps']} steps in {r['seconds'] / 60:.1f} min"
        )
    print(f"wrote {figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--strokes", type=int, default=20, help="strokes per 64 px tile (natively: as many in all)")
    parser.add_argument("--painter", default="gan", help="'gan', 'vae', 'dab' or a painter checkpoint")
    parser.add_argument("--layout", default="auto", choices=LAYOUTS, help="'native' needs the dab painter")
    parser.add_argument("--tag", default="", help="keep this run's state, figure and JSON apart (NAME suffix)")
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--segment", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=8.0, help="stop starting segments after this long")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {describe(machine())}")
    deadline = time.perf_counter() + args.minutes * 60
    states = {v: advance(v, args, deadline) for v in VARIANTS}
    if all(st["steps"] >= args.steps for st in states.values()):
        finish(states, args)
    else:
        print("not finished: run again to continue")


def readme_sections(results: Path) -> list[Section]:
    """The README's section: content losses of each variant, neural and re-rendered in MyPaint."""
    d = read_result(results, "style_transfer")
    if d is None:
        return [Section("Intrinsic style transfer", "*not run*", [])]
    s = d["settings"]
    rows = [
        [k, f"{v['loss_first']:.1f}", f"{v['content_loss_neural']:.1f}", f"{v['content_loss_mypaint']:.1f}", v["steps"]]
        for k, v in d["variants"].items()
    ]
    md = "\n\n".join(
        [
            f"`python benchmarks/style_transfer_figure.py` ({machine_line(d)}): {s['size']} px, "
            f"{s['strokes_per_canvas']} strokes per canvas, lr {s['lr']}, content loss of {s['model']} "
            f"`{s['layer']}` only.",
            md_table(
                ["variant", "content loss: random strokes", "neural painter", "same strokes in MyPaint", "Adam steps"],
                rows,
            ),
            "![style transfer](../docs/style_transfer.png)",
        ]
    )
    return [Section("Intrinsic style transfer", md, [])]


if __name__ == "__main__":
    main()
