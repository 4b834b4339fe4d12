"""The paper's GAN, trained as the paper trained it, against the shipped painters; and the texture figure.

The paper (Nakano 2019, 2.3) trains its GAN painter with the adversarial loss alone and reports it
sharper than the VAE. The shipped GAN adds a reconstruction term toward the average stroke. This
script scores, on ``--n`` held-out actions (seed 12345) x ``--seeds`` MyPaint brush seeds at 64 px
with benchmarks/painter_fidelity.py's measures: alpha MSE against one render (and over the ideal)
and sharpness (high-frequency energy over MyPaint's), for the VAE, the shipped GAN, the paper's
GAN (``--paper``, from ``paint-gym train-painter --kind gan --reconstruction-weight 0``) and the
dab painter (mean and ``sample()``, its sampler calibrated as benchmarks/dab_texture.py does).

Transfer: agents trained by backprop through the paper's GAN and through the dab painter's mean
(``paint-gym train-agent --painter ...``, the same budget), scored by ``paint-gym eval --json``
(MyPaint replay of the evaluation split): ``--eval NAME=FILE`` for each.

Figure: MyPaint | VAE | GAN (paper's) | dab mean | dab sample on the same held-out actions, for
``classic/dry_brush`` (the paper's brush: the VAE and GAN are trained on it) and
``classic/charcoal`` (MyPaint | dab mean | dab sample).

    python benchmarks/gan_paper.py --paper runs/gan_paper/painter.pt \
        --eval gan_paper=eval_gan_paper.json --eval dab=eval_dab.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import torch
from common import RESULTS, Section, describe, machine, machine_line, md_table, read_result, write_json
from dab_texture import calibrate
from painter_fidelity import HELD_OUT_SEED, score_size

from paint_gym.canvas import to_float
from paint_gym.painters.load import load_painter
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.strokes import render_seeds

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

FIGURE = "gan_paper_texture.png"


def texture_rows(brush: str, actions: np.ndarray, paper: str, calibration: int) -> list[tuple[str, np.ndarray]]:
    """The figure's rows for ``brush``: ``(label, (n, 64, 64) alpha)``."""
    mypaint = MyPaintPainter(64, brush=brush)
    dab = load_painter("dab", brush=brush)
    calibrate(dab, mypaint, calibration, [1_000_003 * (k + 1) for k in range(4)])
    a = torch.as_tensor(actions)
    rows = [(f"MyPaint\n{brush.split('/')[-1]}", to_float(render_seeds(mypaint, actions, [1_000_003])[0]))]
    with torch.no_grad():
        if brush == "classic/dry_brush":
            rows += [("VAE", load_painter("vae").render_alpha(a).numpy())]
            rows += [("GAN (paper's)", load_painter(paper).render_alpha(a).numpy())]
        rows += [("dab mean", dab.render_alpha(a).numpy())]
        rows += [("dab sample", dab.sample(a, torch.Generator().manual_seed(0)).numpy())]
    return rows


def figure(rows: list[tuple[str, np.ndarray]], path: Path) -> None:
    n = len(rows[0][1])
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 1.1, len(rows) * 1.15), squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            axes[r, c].imshow(1 - images[c], cmap="gray", vmin=0, vmax=1)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=8)
    fig.suptitle("The same held-out actions, 64 px: MyPaint (one seed) | VAE | GAN (paper's) | dab mean | dab sample")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def transfer_row(name: str, table: dict[str, Any]) -> dict[str, Any]:
    """The agent's row of a ``paint-gym eval --json`` table."""
    row = table["rows"][0]
    return {"agent": name, **{k: v for k, v in row.items() if isinstance(v, (int, float, str))}}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paper", required=True, help="the paper's GAN (painter.pt of --reconstruction-weight 0)")
    parser.add_argument("--n", type=int, default=1000, help="held-out actions")
    parser.add_argument("--seeds", type=int, default=8, help="MyPaint brush seeds per action")
    parser.add_argument("--calibration", type=int, default=512, help="training-seed actions for the dab sampler")
    parser.add_argument("--eval", action="append", default=[], help="NAME=FILE: an agent's paint-gym eval --json")
    parser.add_argument("--minutes", type=float, default=None, help="the paper's GAN's training minutes (stated)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON and figure")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {describe(info)}; torch threads {torch.get_num_threads()}")
    actions = np.random.default_rng(HELD_OUT_SEED).uniform(-1, 1, (args.n, 12)).astype(np.float32)
    seeds = [1_000_003 * (k + 1) for k in range(args.seeds)]
    dab = load_painter("dab")
    dab_scale = calibrate(dab, MyPaintPainter(64), args.calibration, seeds[:4])
    painters = {"VAE": load_painter("vae"), "GAN": load_painter("gan"), "GAN (paper's)": load_painter(args.paper)}
    painters["dab"] = dab
    block, _, _ = score_size(64, actions, seeds, painters, 250)
    for row in block["painters"]:
        print({k: round(v, 5) if isinstance(v, float) else v for k, v in row.items()})
    transfer = [
        transfer_row(*item.split("=", 1)[:1], json.loads(Path(item.split("=", 1)[1]).read_text())) for item in args.eval
    ]
    for row in transfer:
        print(row)
    shown = np.random.default_rng(HELD_OUT_SEED + 1).uniform(-1, 1, (10, 12)).astype(np.float32)
    shown[:, :2] = np.abs(shown[:, :2])  # firm pressure: strokes that show their texture
    rows = texture_rows("classic/dry_brush", shown, args.paper, args.calibration)
    rows += texture_rows("classic/charcoal", shown, args.paper, args.calibration)
    figure(rows, args.out / FIGURE)
    payload = {
        "machine": info,
        "torch_threads": torch.get_num_threads(),
        "fidelity_64px": block,
        "dab_count_scale": dab_scale,
        "paper_gan_minutes": args.minutes,
        "transfer": transfer,
        "figures": [FIGURE],
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "out"},
    }
    path = write_json("gan_paper", payload, args.out)
    print(f"wrote {path} and {FIGURE}")
    return payload


def readme_sections(results: Path) -> list[Section]:
    """The README's section: the paper's GAN against the shipped painters, transfer, the figure."""
    d = read_result(results, "gan_paper")
    if d is None:
        return [Section("The paper's GAN and texture", "*not run*", [])]
    ref = d["fidelity_64px"]["reference"]
    rows = [
        [p["painter"], f"{p['alpha_mse']:.5f}", f"{p['ratio_to_ideal']:.2f}", f"{p['sharpness_vs_mypaint']:.2f}"]
        + [f"{p['sample_sharpness_vs_mypaint']:.2f}" if "sample_sharpness_vs_mypaint" in p else ""]
        for p in d["fidelity_64px"]["painters"]
    ]
    keys = [k for k in (d["transfer"][0] if d["transfer"] else {}) if k not in ("agent", "method", "seconds")]
    transfer = [
        [t["agent"], *(f"{t[k]:.4f}" if isinstance(t[k], float) else str(t[k]) for k in keys)] for t in d["transfer"]
    ]
    by_name = {p["painter"]: p for p in d["fidelity_64px"]["painters"]}
    paper, vae, gan = by_name["GAN (paper's)"], by_name["VAE"], by_name["GAN"]
    claim = (
        f"The paper's claim, GAN sharper than VAE, measured: the paper's GAN {paper['sharpness_vs_mypaint']:.2f}x "
        f"MyPaint's sharpness at alpha MSE {paper['alpha_mse']:.4f} ({paper['ratio_to_ideal']:.1f}x the ideal), the "
        f"shipped GAN (with reconstruction) {gan['sharpness_vs_mypaint']:.2f}x at {gan['alpha_mse']:.4f}, the VAE "
        f"{vae['sharpness_vs_mypaint']:.2f}x at {vae['alpha_mse']:.4f}. A sharpness far above 1 with that alpha MSE "
        "is the artefacts of a generator that has not learned the strokes (see the figure), not the brush's texture."
    )
    md = "\n\n".join(
        [
            f"The paper's GAN (adversarial loss only, `paint-gym train-painter --kind gan --reconstruction-weight 0`, "
            f"{d['paper_gan_minutes']} min here) against the shipped painters on {ref['actions']} held-out actions x "
            f"{d['args']['seeds']} MyPaint seeds at 64 px (`python benchmarks/gan_paper.py`; {machine_line(d)}); "
            f"noise floor {ref['noise_floor_alpha_mse']:.5f}. {claim}",
            md_table(["painter", "alpha MSE vs one render", "x ideal", "sharpness: mean", "sharpness: sample"], rows),
            "Transfer: backprop agents (MNIST, 8 strokes, `paint-gym train-agent --painter ... --minutes 4`, the "
            "same 4-minute budget on this shared CPU) trained through each painter, scored on 200 evaluation images "
            "replayed in MyPaint (4 brush seeds) by `paint-gym eval` (a blank canvas scores 0.0900):",
            md_table(["agent", *keys], transfer) if transfer else "*not run*",
            f"![the same actions: MyPaint, VAE, the paper's GAN, dab mean, dab sample](results/{FIGURE})",
        ]
    )
    return [Section("The paper's GAN and texture", md, [])]


if __name__ == "__main__":
    main()
