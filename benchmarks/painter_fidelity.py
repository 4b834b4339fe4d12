"""How faithfully do the neural painters imitate MyPaint? Measured on held-out seeded actions.

For ``--n`` random actions (seed 12345, disjoint from the training data's seed 0), MyPaint
renders every action with ``--seeds`` brush seeds. Against those renders:

* alpha MSE and ink-over-white MSE (each stroke in its own colour over white) of each painter;
* the noise floor: MyPaint against itself with another brush seed (the real program is random),
  and the oracle conditional mean (the average of the other seeds' renders, leave-one-out): the
  best any deterministic predictor can do is about half the noise floor;
* coverage error (relative error of a stroke's mean alpha) and sharpness (high-frequency energy,
  the mean squared difference between a stroke and its 3x3 box blur, relative to MyPaint's);
* the variance head: predicted against measured per-pixel variance across the seeds
  (calibration plot);
* a figure like the paper's Figures 3 and 5: rows MyPaint | VAE | GAN for the same actions;
* whole paintings (8 coloured strokes on MNIST targets): the canvas MSE between MyPaint and each
  painter, and how well ``expected_mse`` predicts MyPaint's error against the target.

    python benchmarks/painter_fidelity.py              # shipped painters, about 2 minutes
    python benchmarks/painter_fidelity.py --gan runs/gan_painter/painter.pt
"""

from __future__ import annotations

import argparse
import time

import matplotlib
import numpy as np
import torch
from common import RESULTS, describe, machine, write_json

from paint_gym import actions as act
from paint_gym.canvas import expected_mse, mse, to_float
from paint_gym.data import ImageTargets
from paint_gym.painters.base import DifferentiablePainter
from paint_gym.painters.load import load_painter, replay
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.strokes import render_seeds

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


def high_frequency(alpha: np.ndarray) -> float:
    """Mean squared difference between strokes ``(N, H, W)`` and their 3x3 box blur."""
    t = torch.as_tensor(alpha)[:, None]
    blur = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(t, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return float(((t - blur) ** 2).mean())


def predict(painter: DifferentiablePainter, actions: np.ndarray, batch: int = 500) -> tuple[np.ndarray, np.ndarray]:
    means, variances = [], []
    with torch.no_grad():
        for i in range(0, len(actions), batch):
            m, v = painter.render_alpha(torch.as_tensor(actions[i : i + batch]), return_var=True)
            means.append(m.numpy())
            variances.append(v.numpy())
    return np.concatenate(means), np.concatenate(variances)


def ink_over_white_mse(pred: np.ndarray, renders: np.ndarray, colors: np.ndarray) -> float:
    """MSE of each stroke laid in its colour over white: (alpha - alpha')^2 (1 - colour)^2."""
    weight = ((1 - colors) ** 2).mean(axis=1)[None, :, None, None]  # mean over RGB
    return float(np.mean((renders - pred[None]) ** 2 * weight))


def evaluate(
    name: str,
    pred: np.ndarray,
    var: np.ndarray,
    renders: np.ndarray,
    colors: np.ndarray,
    measured_var: np.ndarray,
    hf_real: float,
) -> dict:
    coverage_real = renders.mean(axis=(0, 2, 3))
    coverage_pred = pred.mean(axis=(1, 2))
    return {
        "painter": name,
        "alpha_mse": float(np.mean((renders - pred[None]) ** 2)),
        "ink_over_white_mse": ink_over_white_mse(pred, renders, colors),
        "coverage_rel_error": float(np.mean(np.abs(coverage_pred - coverage_real)) / coverage_real.mean()),
        "sharpness_vs_mypaint": high_frequency(pred) / hf_real,
        "variance_total_ratio": float(var.sum() / measured_var.sum()),
        "variance_corr": float(np.corrcoef(var.ravel(), measured_var.ravel())[0, 1]),
    }


def canvas_transfer(painters: dict[str, DifferentiablePainter], sequences: int, seeds: int) -> dict:
    """Whole paintings: 8 random coloured strokes on MNIST eval targets, painted by MyPaint
    (several brush seeds) and by each neural painter; with the error each predicts."""
    rng = np.random.default_rng(777)
    actions = rng.uniform(-1, 1, (sequences, 8, 12)).astype(np.float32)
    targets = ImageTargets("mnist", "eval").batch(range(sequences))
    mypaint = load_painter("mypaint")
    real = to_float(np.stack([replay(actions, mypaint, seed=s) for s in range(seeds)]))  # (S, B, H, W, 3)
    t = to_float(targets)[None]
    out = {
        "sequences": sequences,
        "mypaint_seeds": seeds,
        "mypaint_mse_to_target": float(mse(real, t).mean()),
        "mypaint_seed_to_seed_canvas_mse": float(mse(real[0], real[1]).mean()),
    }
    for name, painter in painters.items():
        neural = to_float(replay(actions, painter))
        with torch.no_grad():
            predicted = expected_mse(torch.as_tensor(actions), targets, painter).mean().item()
        out[name] = {
            "canvas_mse_vs_mypaint": float(mse(real, neural[None]).mean()),
            "neural_mse_to_target": float(mse(neural, t[0]).mean()),
            "expected_mse_to_target": predicted,
        }
    return out


def figure(actions: np.ndarray, renders: np.ndarray, preds: dict[str, np.ndarray], path: str, n: int = 10) -> None:
    rows = [("MyPaint", renders[0])] + list(preds.items())
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 1.1, len(rows) * 1.2))
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(1 - images[c], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle("The same held-out actions: MyPaint (one brush seed) and the neural painters", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def calibration_plot(pairs: dict[str, tuple[np.ndarray, np.ndarray]], path: str) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    top = 0.0
    for name, (pred, measured) in pairs.items():
        edges = np.quantile(pred, np.linspace(0, 1, 21))
        idx = np.clip(np.digitize(pred, edges[1:-1]), 0, 19)
        xs = [pred[idx == b].mean() for b in range(20) if (idx == b).any()]
        ys = [measured[idx == b].mean() for b in range(20) if (idx == b).any()]
        ax.plot(xs, ys, "o-", ms=3, label=name)
        top = max(top, max(xs), max(ys))
    ax.plot([0, top], [0, top], "k--", lw=0.8, label="ideal")
    ax.set_xlabel("predicted variance of alpha")
    ax.set_ylabel("measured variance over brush seeds")
    ax.set_title("Variance head calibration (20 quantile bins)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--vae", default="vae", help="'vae' (shipped) or a checkpoint path")
    parser.add_argument("--gan", default="gan", help="'gan' (shipped) or a checkpoint path")
    parser.add_argument("--sequences", type=int, default=200, help="paintings of 8 strokes for the canvas-level check")
    args = parser.parse_args()

    info = machine()
    print(f"machine: {describe(info)}")
    actions = np.random.default_rng(12345).uniform(-1, 1, (args.n, 12)).astype(np.float32)
    start = time.perf_counter()
    renders = to_float(render_seeds(MyPaintPainter(64), actions, [1_000_003 * (k + 1) for k in range(args.seeds)]))
    print(f"rendered {args.n} x {args.seeds} MyPaint strokes in {time.perf_counter() - start:.1f} s")
    colors = act.colors_of(actions)
    measured_var = renders.var(axis=0, ddof=1)
    k = args.seeds
    noise_floor = float(np.mean([np.mean((renders[i] - renders[(i + 1) % k]) ** 2) for i in range(k)]))
    loo = (renders.sum(axis=0, keepdims=True) - renders) / (k - 1)  # leave-one-out mean
    oracle = float(np.mean((renders - loo) ** 2))
    hf_real = high_frequency(renders[0])

    rows, preds, calib, painters = [], {}, {}, {}
    for name, source in (("VAE", args.vae), ("GAN", args.gan)):
        painter = load_painter(source)
        painters[name] = painter
        pred, var = predict(painter, actions)
        preds[name] = pred
        calib[name] = (var.ravel(), measured_var.ravel())
        rows.append(evaluate(name, pred, var, renders, colors, measured_var, hf_real))
    reference = {
        "noise_floor_alpha_mse": noise_floor,
        "oracle_mean_alpha_mse": oracle,
        "oracle_note": f"average of the other {k - 1} seeds' renders; the exact conditional mean scores a little less",
        "mypaint_high_frequency": hf_real,
        "mypaint_mean_coverage": float(renders.mean()),
    }
    print(
        f"noise floor (MyPaint vs MyPaint, another seed): {noise_floor:.5f} "
        f"alpha MSE; oracle mean (leave-one-out): {oracle:.5f}"
    )
    print(
        "| painter | alpha MSE | ink-over-white MSE | coverage error | "
        "sharpness vs MyPaint | variance total ratio | variance corr |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['painter']} | {r['alpha_mse']:.5f} | {r['ink_over_white_mse']:.5f} | {r['coverage_rel_error']:.1%} "
            f"| {r['sharpness_vs_mypaint']:.2f} | {r['variance_total_ratio']:.2f} | {r['variance_corr']:.2f} |"
        )
    targets = {
        "vae_alpha_mse_le_0.0040": rows[0]["alpha_mse"] <= 0.0040,
        "gan_below_noise_floor": rows[1]["alpha_mse"] < noise_floor,
        "gan_sharpness_within_20pct": abs(rows[1]["sharpness_vs_mypaint"] - 1) <= 0.2,
        "vae_sharpness_below_gan": rows[0]["sharpness_vs_mypaint"] < rows[1]["sharpness_vs_mypaint"],
    }
    for key, ok in targets.items():
        print(f"target {key}: {'met' if ok else 'NOT met'}")
    transfer = canvas_transfer(painters, args.sequences, 4)
    print(
        f"canvases of 8 strokes on {args.sequences} MNIST targets: MyPaint MSE to "
        f"target {transfer['mypaint_mse_to_target']:.4f} (4 brush seeds; "
        f"seed-to-seed canvas MSE {transfer['mypaint_seed_to_seed_canvas_mse']:.4f})"
    )
    for name in painters:
        r = transfer[name]
        print(
            f"  {name}: canvas MSE vs MyPaint {r['canvas_mse_vs_mypaint']:.4f}; MSE to target: neural canvas "
            f"{r['neural_mse_to_target']:.4f}, expected_mse prediction {r['expected_mse_to_target']:.4f}"
        )
    figure(actions, renders, preds, str(RESULTS / "painter_fidelity_strokes.png"))
    calibration_plot(calib, str(RESULTS / "painter_fidelity_calibration.png"))
    path = write_json(
        "painter_fidelity",
        {
            "machine": info,
            "reference": reference,
            "painters": rows,
            "targets": targets,
            "canvas_transfer": transfer,
            "args": vars(args),
        },
    )
    print(f"wrote {path}, painter_fidelity_strokes.png and painter_fidelity_calibration.png in {RESULTS}")


if __name__ == "__main__":
    main()
