"""Class visualization figure (the paper's Figures 11, 14-16): strokes that classifiers call X.

For each class, strokes on a grid of 64 px canvases are optimised against the EfficientNet-
Lite0/1/2 ensemble (ImageNet classes) or the shipped MNIST classifier ("the optimal 3"); the
final painting is judged without transforms, then repainted stroke for stroke in MyPaint and
judged again. Each class is cached in ``results/class_visualization/`` as soon as it is done,
and the strokes are saved every ``--segment`` steps (Adam restarts at each), so the figure can
be built over several runs of at most ``--minutes`` (a class takes minutes on this CPU):

    python benchmarks/class_visualization.py --classes pineapple      # one class (continues if cached)
    python benchmarks/class_visualization.py                          # every class, then the figure
    python benchmarks/class_visualization.py --figure-only            # the figure from the cache

Writes ``docs/class_visualization.png`` and ``results/class_visualization.json``. ``--painter``
and ``--layout`` choose the painter and where its strokes lie (:mod:`paint_gym.param.layout`:
the dab painter paints the 224 px image as one native canvas by default, the GAN as stitched
64 px tiles); ``--tag NAME`` keeps such a run apart (``results/class_visualization_NAME/``,
``docs/class_visualization_NAME.png``, ``results/class_visualization_NAME.json``).
"""

from __future__ import annotations

import argparse
import ast
import io
import time
from pathlib import Path

import matplotlib
import numpy as np
import torch
from common import RESULTS, Section, describe, machine, machine_line, md_table, read_result, write_json
from PIL import Image

from paint_gym.canvas import to_float_tensor
from paint_gym.checkpoint import read_checkpoint, write_checkpoint
from paint_gym.painters.mypaint import Brush
from paint_gym.param.canvas_grid import StrokeGrid, grid_for
from paint_gym.param.classifiers import load_ensemble
from paint_gym.param.layout import LAYOUTS
from paint_gym.param.visualize import VisualizeConfig, class_probability, visualize_class

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

CLASSES = ("pineapple", "goldfish", "flamingo")
DOCS = Path(__file__).resolve().parents[1] / "docs"


def output_name(tag: str) -> str:
    """``class_visualization``, or ``class_visualization_TAG``: the cache folder, figure and JSON name."""
    return f"class_visualization_{tag}" if tag else "class_visualization"


def run_class(label: str, args: argparse.Namespace, deadline: float) -> dict | None:
    """Paint one class (``"3"`` means the MNIST digit) in segments until ``args.steps`` or the
    deadline; when done, judge it (neural and MyPaint) and cache the result. None if unfinished."""
    mnist = label.isdigit()
    models = "mnist" if mnist else args.models
    cfg = VisualizeConfig(
        size=64 if mnist else args.size,
        strokes_per_tile=args.mnist_strokes if mnist else args.strokes,
        steps=args.segment,
        lr=args.lr,
        copies=args.copies,
        seed=args.seed,
        painter=args.painter,
        layout=args.layout,
    )
    grid = grid_for(cfg)
    ensemble = load_ensemble(models)
    target = int(label) if mnist else label
    cache = RESULTS / output_name(args.tag)
    path = cache / f"{label.replace(' ', '_')}.pt"
    state = {"steps": 0, "losses": [], "seconds": 0.0}
    if path.is_file():
        saved = read_checkpoint(path, "class visualization cache")
        grid.load_state_dict(saved["grid"])
        state = {"steps": int(saved["steps"]), "losses": list(saved["losses"]), "seconds": float(saved["seconds"])}
    cache.mkdir(parents=True, exist_ok=True)
    while state["steps"] < args.steps and time.perf_counter() < deadline:
        cfg.steps = min(args.segment, args.steps - state["steps"])
        cfg.seed = args.seed + state["steps"]  # fresh transform draws in every segment
        t0 = time.perf_counter()
        part = visualize_class(target, ensemble, cfg, grid=grid, check_mypaint=False)
        state["seconds"] += time.perf_counter() - t0
        state["steps"] += cfg.steps
        state["losses"] += part.losses
        write_checkpoint({"grid": grid.state_dict(), **state}, path)
        print(f"{label}: {state['steps']}/{args.steps} steps, p = {part.probability:.3f} (neural)", flush=True)
    if state["steps"] < args.steps:
        return None
    cfg.steps = 0
    result = visualize_class(target, ensemble, cfg, grid=grid, progress=False)  # judge only
    record = {
        "label": result.label,
        "index": result.target,
        "models": models,
        "size": cfg.size,
        "strokes_per_canvas": grid.strokes,
        "strokes_per_tile": cfg.strokes_per_tile,
        "canvases": grid.layout.count,
        "painter": cfg.painter,
        "layout": grid.layout.kind,
        "steps": state["steps"],
        "lr": cfg.lr,
        "copies": cfg.copies,
        "seed": args.seed,
        "seconds": round(state["seconds"], 1),
        "probability_neural": round(result.probability, 4),
        "probability_mypaint": round(result.probability_mypaint, 4),
        "top3_neural": result.top,
        "loss_first": round(state["losses"][0], 3),
        "loss_last": round(state["losses"][-1], 3),
    }
    np.savez_compressed(
        cache / f"{label.replace(' ', '_')}.npz", actions=grid.actions().detach().numpy(), record=np.array(repr(record))
    )
    print(
        f"{result.label}: p = {result.probability:.3f} neural, {result.probability_mypaint:.3f} MyPaint "
        f"({state['seconds'] / 60:.1f} min); top 3 {result.top}",
        flush=True,
    )
    return record


def load_cached(label: str, tag: str = "") -> tuple[dict, np.ndarray] | None:
    """A finished class: its record and its strokes ``(1, K, N, 12)``."""
    path = RESULTS / output_name(tag) / f"{label.replace(' ', '_')}.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        return ast.literal_eval(str(z["record"])), z["actions"]


def paint(record: dict, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cached strokes painted again: neural painter and MyPaint (seed 0), uint8 (H, W, 3)."""
    if not Brush().seedable:
        raise SystemExit(
            "libmypaint's brush could not be seeded in this process, so the MyPaint re-render would not be "
            "reproducible; run again"
        )
    grid = StrokeGrid(  # records before the layouts: the GAN on tiles, strokes_per_canvas per tile
        record["size"],
        record.get("strokes_per_tile", record["strokes_per_canvas"]),
        painter=record.get("painter", "gan"),
        layout=record.get("layout", "tiles"),
    )
    return grid.image_uint8(actions)[0], grid.render_mypaint(seed=0, actions=actions)[0]


def save_small_png(fig, path: Path, dpi: int) -> None:
    """Save a matplotlib figure as a 256-colour PNG (a third of the bytes; paintings survive it)."""
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, format="png")
    Image.open(buf).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def figure(labels: list[str], tag: str = "") -> None:
    done = [(lab, load_cached(lab, tag)) for lab in labels]
    done = [(lab, c) for lab, c in done if c is not None]
    if not done:
        raise SystemExit("no cached class yet: run without --figure-only first")
    fig, axes = plt.subplots(2, len(done), figsize=(2.3 * len(done), 5.6), squeeze=False)
    judges: dict = {}
    for j, (lab, (rec, actions)) in enumerate(done):
        image, mypaint = paint(rec, actions)
        ensemble = judges.setdefault(rec["models"], load_ensemble(rec["models"]))
        p_neural, p_mypaint = (
            class_probability(ensemble, image, rec["index"]),
            class_probability(ensemble, mypaint, rec["index"]),
        )
        if abs(p_neural - rec["probability_neural"]) > 1e-3:
            raise SystemExit(
                f"{lab}: the cached strokes now paint p = {p_neural:.4f}, "
                f"not {rec['probability_neural']}; rerun the class"
            )
        if abs(p_mypaint - rec["probability_mypaint"]) > 1e-3:  # e.g. the run's process could not seed the brush
            print(
                f"{lab}: the seeded MyPaint re-render gives p = {p_mypaint:.4f} (the "
                f"run recorded {rec['probability_mypaint']}); the figure and table use the seeded one"
            )
        rec["probability_mypaint"] = round(p_mypaint, 4)
        with torch.no_grad():
            probs = ensemble.probabilities(to_float_tensor(mypaint)[None])[0]
        rec["mypaint_rank_of_target"] = int((probs > probs[rec["index"]]).sum()) + 1
        for i, (img, who, p) in enumerate(
            ((image, "neural", rec["probability_neural"]), (mypaint, "MyPaint", rec["probability_mypaint"]))
        ):
            show = (
                np.asarray(Image.fromarray(img).resize((224, 224), Image.Resampling.NEAREST))
                if img.shape[0] < 224
                else img
            )
            axes[i, j].imshow(show)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
            name = f"'{rec['label']}' (MNIST)" if rec["models"] == "mnist" else rec["label"]
            axes[i, j].set_title(f"{name}\n{who}: p = {p:.2f}", fontsize=9)
    fig.tight_layout()
    name = output_name(tag)
    DOCS.mkdir(exist_ok=True)
    save_small_png(fig, DOCS / f"{name}.png", dpi=100)
    records = [rec for _, (rec, _) in done]
    write_json(
        name,
        {
            "machine": machine(),
            "classes": records,
            "note": "probability = mean softmax of the ensemble for the final painting without transforms; "
            "MyPaint = the same strokes repainted by libmypaint "
            "(classic/dry_brush, seed 0), canvas by canvas: tiles stitched, or the one native canvas",
        },
    )
    print(
        "\n| class | models | strokes | steps | p (neural painter) | p (MyPaint re-render) | MyPaint rank | minutes |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in records:
        print(
            f"| {r['label']} | {r['models']} | {r['canvases']} x {r['strokes_per_canvas']} | {r['steps']} | "
            f"{r['probability_neural']:.3f} | {r['probability_mypaint']:.3f} "
            f"| {r['mypaint_rank_of_target']} | {r['seconds'] / 60:.1f} |"
        )
    print(f"wrote {DOCS / f'{name}.png'} and {RESULTS / f'{name}.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--classes", default=",".join([*CLASSES, "3"]), help="comma-separated; a digit is an MNIST class"
    )
    parser.add_argument("--models", default="lite0,lite1,lite2")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--strokes", type=int, default=12, help="strokes per 64 px tile (ImageNet classes)")
    parser.add_argument("--painter", default="gan", help="'gan', 'vae', 'dab' or a painter checkpoint")
    parser.add_argument("--layout", default="auto", choices=LAYOUTS, help="'native' needs the dab painter")
    parser.add_argument("--tag", default="", help="keep this run's cache, figure and JSON apart (NAME suffix)")
    parser.add_argument("--mnist-strokes", type=int, default=12)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--segment", type=int, default=20, help="steps between saved states")
    parser.add_argument("--minutes", type=float, default=8.0, help="stop starting segments after this long")
    parser.add_argument("--figure-only", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    labels = [c.strip() for c in args.classes.split(",") if c.strip()]
    print(f"machine: {describe(machine())}")
    deadline = time.perf_counter() + args.minutes * 60
    if not args.figure_only:
        for label in labels:
            if load_cached(label, args.tag) is None and run_class(label, args, deadline) is None:
                print(f"{label} is not finished: run again to continue")
    figure([lab for lab in dict.fromkeys([*CLASSES, "3", *labels])], args.tag)


def readme_sections(results: Path) -> list[Section]:
    """The README's section: each class's probabilities, neural and re-rendered in MyPaint."""
    d = read_result(results, "class_visualization")
    if d is None:
        return [Section("Class visualization", "*not run*", [])]
    rows = [
        [
            f"{c['label']} ({c['index']})",
            c["models"],
            f"{c['canvases']} x {c['strokes_per_canvas']}",
            c["steps"],
            f"{c['probability_neural']:.3f}",
            f"{c['probability_mypaint']:.3f}",
            c.get("mypaint_rank_of_target", ""),
        ]
        for c in d["classes"]
    ]
    md = "\n\n".join(
        [
            f"`python benchmarks/class_visualization.py` ({machine_line(d)}). {d['note']}.",
            md_table(
                [
                    "class",
                    "judged by",
                    "canvases x strokes",
                    "Adam steps",
                    "p, neural painter",
                    "p, MyPaint re-render",
                    "MyPaint rank",
                ],
                rows,
            ),
            "![class visualization](../docs/class_visualization.png)",
        ]
    )
    return [Section("Class visualization", md, [])]


if __name__ == "__main__":
    main()
