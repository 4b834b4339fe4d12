"""How faithfully do the neural painters imitate MyPaint? Measured on held-out seeded actions.

For ``--n`` random actions (seed 12345, disjoint from the training data's seed 0), MyPaint
renders every action with ``--seeds`` brush seeds at each canvas size (64, 128 and 256 px: the
ground truth at that size). The VAE and GAN were trained at 64 px and are resized bilinearly
(``load_painter(name, canvas_size=...)``); the dab painter renders every size natively with the
same weights (``DabPainter.at_size``). Against those renders, at each size:

* alpha MSE against one render (averaged over the seeds) and against the seeds' mean, and the
  ratio to the *ideal*: half the noise floor, the noise floor being MyPaint against itself with
  another brush seed (the real program is random; the exact conditional mean scores floor / 2
  against one render, and floor / (2 x seeds) against the seeds' mean); the oracle mean (the
  average of the other seeds' renders, leave-one-out) for reference;
* ink-over-white MSE (each stroke in its own colour over white) and coverage error (relative
  error of a stroke's mean alpha);
* sharpness (high-frequency energy, the mean squared difference between a stroke and its 3x3
  box blur, relative to MyPaint's; MyPaint's is averaged over all its seeds' renders) of each
  painter's mean and of the dab painter's ``sample()``;
* the variance: each painter's predicted per-pixel variance against the variance measured across
  MyPaint's seeds (total ratio and correlation; calibration plot at 64 px), and the per-pixel
  variance of ``--seeds`` dab samples against MyPaint's (total ratio and correlation);
* figures: rows MyPaint | VAE | GAN | dab mean | dab sample for the same actions, per size;
* whole paintings (8 coloured strokes on MNIST targets, 64 px): the canvas MSE between MyPaint
  and each painter, and how well ``expected_mse`` predicts MyPaint's error against the target.

MyPaint is timed at each size (printed, and in the JSON); ``--n-large`` uses fewer actions at
256 px and above when that is too slow (printed with the results when it is used).

    python benchmarks/painter_fidelity.py              # shipped painters, 20-30 minutes here
    python benchmarks/painter_fidelity.py --dab runs/dab_dry_brush/painter.pt
    python benchmarks/painter_fidelity.py --quick --out /tmp/fidelity   # seconds: a trial run
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import torch
from common import (
    RESULTS,
    Section,
    describe,
    load_dab,
    machine,
    machine_line,
    md_table,
    number,
    read_result,
    verdict,
    write_json,
)
from tqdm import tqdm

from paint_gym import actions as act
from paint_gym.canvas import expected_mse, mse, to_float
from paint_gym.data import ImageTargets
from paint_gym.painters.base import DifferentiablePainter
from paint_gym.painters.load import load_painter, replay
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.strokes import render_seeds

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

#: Seed of the held-out actions (the stroke data sets use seed 0).
HELD_OUT_SEED = 12345
#: Target thresholds for the dab painter (alpha MSE at 64 px, ratio to the ideal at larger sizes).
DAB_MSE_64 = 0.0037
DAB_IDEAL_RATIO = 1.15


def high_frequency(alpha: np.ndarray | torch.Tensor) -> float:
    """Mean squared difference between strokes ``(N, H, W)`` and their 3x3 box blur."""
    t = torch.as_tensor(alpha).reshape(-1, 1, *alpha.shape[-2:])
    blur = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(t, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return float(((t - blur) ** 2).mean())


def predict(painter: DifferentiablePainter, actions: np.ndarray, batch: int = 250) -> tuple[np.ndarray, np.ndarray]:
    """Mean alpha and its predicted variance, ``(N, H, W)`` each."""
    means, variances = [], []
    with torch.no_grad():
        for i in range(0, len(actions), batch):
            m, v = painter.render_alpha(torch.as_tensor(actions[i : i + batch]), return_var=True)
            means.append(m.numpy())
            variances.append(v.numpy())
    return np.concatenate(means), np.concatenate(variances)


def samples(painter: Any, actions: np.ndarray, k: int, generator: torch.Generator) -> np.ndarray:
    """``k`` random strokes per action from the painter's ``sample()``: ``(k, N, H, W)``."""
    a = torch.as_tensor(actions)
    with torch.no_grad():
        return np.stack([painter.sample(a, generator).numpy() for _ in range(k)])


class Means:
    """Running means of named quantities over chunks of actions, each weighted by its element
    count: the 256 px renders are scored chunk by chunk, never all as floats at once."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def add(self, name: str, x: np.ndarray) -> None:
        self.total[name] += float(np.sum(x, dtype=np.float64))
        self.count[name] += x.size

    def add_mean(self, name: str, mean: float, count: int) -> None:
        """A mean already taken over ``count`` elements."""
        self.total[name] += mean * count
        self.count[name] += count

    def add_pair(self, name: str, x: np.ndarray, y: np.ndarray) -> None:
        """The moments :meth:`corr` needs, of paired samples ``x`` and ``y``."""
        x, y = x.ravel().astype(np.float64), y.ravel().astype(np.float64)
        for key, v in (("x", x), ("y", y), ("xx", x * x), ("yy", y * y), ("xy", x * y)):
            self.add(f"{name}.{key}", v)

    def __getitem__(self, name: str) -> float:
        return self.total[name] / self.count[name]

    def corr(self, name: str) -> float:
        x, y = self[f"{name}.x"], self[f"{name}.y"]
        cov = self[f"{name}.xy"] - x * y
        return float(cov / np.sqrt((self[f"{name}.xx"] - x * x) * (self[f"{name}.yy"] - y * y)))

    def ratio(self, name: str) -> float:
        return self[f"{name}.x"] / self[f"{name}.y"]


def add_reference(ref: Means, renders: np.ndarray) -> None:
    """MyPaint against itself on one chunk: renders ``(K, n, H, W)`` in [0, 1]."""
    k = len(renders)
    ref.add("noise_floor", np.stack([(renders[i] - renders[(i + 1) % k]) ** 2 for i in range(k)]))
    loo = (renders.sum(axis=0, keepdims=True) - renders) / (k - 1)  # leave-one-out mean
    ref.add("oracle", (renders - loo) ** 2)
    ref.add_mean("hf", high_frequency(renders), renders.size)
    ref.add("coverage", renders)


def add_painter(
    m: Means,
    coverage: list[np.ndarray],
    pred: np.ndarray,
    var: np.ndarray,
    drawn: np.ndarray | None,
    renders: np.ndarray,
    measured_var: np.ndarray,
    colors: np.ndarray,
) -> None:
    """One painter on one chunk: mean ``pred`` and variance ``var`` ``(n, H, W)``, its samples
    ``drawn`` ``(K, n, H, W)`` (or None) against MyPaint's ``renders`` ``(K, n, H, W)``."""
    weight = ((1 - colors) ** 2).mean(axis=1)[None, :, None, None]  # ink over white: mean over RGB
    err = (renders - pred[None]) ** 2
    m.add("mse_one", err)
    m.add("ink_over_white", err * weight)
    m.add("mse_seed_mean", (renders.mean(axis=0) - pred) ** 2)
    m.add_mean("hf", high_frequency(pred), pred.size)
    m.add_pair("variance", var, measured_var)
    coverage.append(pred.mean(axis=(1, 2)))
    if drawn is not None:
        m.add_mean("sample_hf", high_frequency(drawn), drawn.size)
        m.add_pair("sample_variance", drawn.var(axis=0, ddof=1), measured_var)
        m.add("sample_mse_one", (renders - drawn) ** 2)  # independent pairs: the noise floor if perfect


def score_size(
    size: int, actions: np.ndarray, seeds: list[int], painters: dict[str, Any], chunk: int, keep: int = 10
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Every painter against MyPaint at ``size`` px: (results, ``keep`` strokes per row of the
    figure, (predicted, measured) variances for the calibration plot)."""
    mypaint = MyPaintPainter(size)
    start = time.perf_counter()
    stored = np.stack([render_seeds(mypaint, actions, [s])[0] for s in tqdm(seeds, desc=f"MyPaint {size} px")])
    mypaint_seconds = time.perf_counter() - start
    print(
        f"{size} px: rendered {len(actions)} x {len(seeds)} MyPaint strokes in {mypaint_seconds:.1f} s "
        f"({len(actions) * len(seeds) / mypaint_seconds:,.0f} strokes/s, one process)"
    )
    ref = Means()
    stats = {name: Means() for name in painters}
    coverage: dict[str, list[np.ndarray]] = {name: [] for name in painters}
    coverage_real: list[np.ndarray] = []
    shown: dict[str, np.ndarray] = {"MyPaint": to_float(stored[0, :keep])}
    calib: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {name: ([], []) for name in painters}
    generator = torch.Generator().manual_seed(0)
    timing: dict[str, float] = defaultdict(float)
    for i in tqdm(range(0, len(actions), chunk), desc=f"painters {size} px", leave=False):
        a = actions[i : i + chunk]
        renders = to_float(stored[:, i : i + chunk])
        measured_var = renders.var(axis=0, ddof=1)
        add_reference(ref, renders)
        coverage_real.append(renders.mean(axis=(0, 2, 3)))
        for name, painter in painters.items():
            t0 = time.perf_counter()
            pred, var = predict(painter, a)
            drawn = samples(painter, a, len(seeds), generator) if hasattr(painter, "sample") else None
            timing[name] += time.perf_counter() - t0
            add_painter(stats[name], coverage[name], pred, var, drawn, renders, measured_var, act.colors_of(a))
            if i == 0:
                shown[f"{name} mean" if name == "dab" else name] = pred[:keep]
                if name == "dab":
                    shown["dab sample"] = drawn[0, :keep]
            if size == 64:
                calib[name][0].append(var.ravel())
                calib[name][1].append(measured_var.ravel())
    floor = ref["noise_floor"]
    real_cov = np.concatenate(coverage_real)
    reference = {
        "actions": len(actions),
        "noise_floor_alpha_mse": floor,
        "ideal_alpha_mse": floor / 2,
        "ideal_vs_seed_mean": floor / (2 * len(seeds)),
        "oracle_mean_alpha_mse": ref["oracle"],
        "oracle_note": f"average of the other {len(seeds) - 1} seeds' renders; the exact conditional mean "
        "scores the ideal, half the noise floor",
        "mypaint_high_frequency": ref["hf"],
        "mypaint_mean_coverage": ref["coverage"],
        "mypaint_seconds": mypaint_seconds,
        "mypaint_strokes_per_s": len(actions) * len(seeds) / mypaint_seconds,
    }
    rows = []
    for name, m in stats.items():
        pred_cov = np.concatenate(coverage[name])
        row = {
            "painter": name,
            "alpha_mse": m["mse_one"],
            "ratio_to_ideal": m["mse_one"] / (floor / 2),
            "alpha_mse_vs_seed_mean": m["mse_seed_mean"],
            "ink_over_white_mse": m["ink_over_white"],
            "coverage_rel_error": float(np.mean(np.abs(pred_cov - real_cov)) / real_cov.mean()),
            "sharpness_vs_mypaint": m["hf"] / ref["hf"],
            "variance_total_ratio": m.ratio("variance"),
            "variance_corr": m.corr("variance"),
            "seconds": timing[name],
        }
        if m.count["sample_hf"]:
            row |= {
                "sample_sharpness_vs_mypaint": m["sample_hf"] / ref["hf"],
                "sample_variance_total_ratio": m.ratio("sample_variance"),
                "sample_variance_corr": m.corr("sample_variance"),
                "sample_mse_vs_noise_floor": m["sample_mse_one"] / floor,
            }
        rows.append(row)
    calibration = {name: (np.concatenate(p), np.concatenate(q)) for name, (p, q) in calib.items() if p}
    return {"reference": reference, "painters": rows}, shown, calibration


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


def figure(rows: dict[str, np.ndarray], size: int, path: Path, n: int = 10) -> None:
    n = min(n, *(len(v) for v in rows.values()))
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 1.1, len(rows) * 1.2), squeeze=False)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(1 - images[c], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle(
        f"The same held-out actions at {size} px: MyPaint (one brush seed), the neural painters' means "
        "and a dab sample",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def calibration_plot(pairs: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
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
    ax.set_title("Variance head calibration at 64 px (20 quantile bins)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def judge(sizes: dict[str, dict[str, Any]]) -> dict[str, bool | None]:
    """The targets; None where the size was not measured."""

    def row(size: int, name: str) -> dict[str, Any] | None:
        block = sizes.get(str(size))
        return next((r for r in block["painters"] if r["painter"] == name), None) if block else None

    vae, gan, dab = row(64, "VAE"), row(64, "GAN"), row(64, "dab")
    floor = sizes["64"]["reference"]["noise_floor_alpha_mse"] if "64" in sizes else None
    out: dict[str, bool | None] = {
        "vae_alpha_mse_le_0.0040": vae["alpha_mse"] <= 0.0040 if vae else None,
        "gan_below_noise_floor": gan["alpha_mse"] < floor if gan else None,
        "gan_sharpness_within_20pct": abs(gan["sharpness_vs_mypaint"] - 1) <= 0.2 if gan else None,
        "vae_sharpness_below_gan": vae["sharpness_vs_mypaint"] < gan["sharpness_vs_mypaint"] if vae and gan else None,
        f"dab_alpha_mse_le_{DAB_MSE_64}_at_64px": dab["alpha_mse"] <= DAB_MSE_64 if dab else None,
    }
    for size in (128, 256):
        r = row(size, "dab")
        out[f"dab_within_{DAB_IDEAL_RATIO}x_ideal_at_{size}px"] = r["ratio_to_ideal"] <= DAB_IDEAL_RATIO if r else None
    out["dab_sample_sharpness_within_20pct_at_64px"] = (
        abs(dab["sample_sharpness_vs_mypaint"] - 1) <= 0.2 if dab else None
    )
    out["dab_sample_variance_within_10pct_at_64px"] = (
        abs(dab["sample_variance_total_ratio"] - 1) <= 0.1 if dab else None
    )
    return out


def print_tables(sizes: dict[str, dict[str, Any]], seeds: int) -> None:
    """The accuracy and the texture tables, as the README shows them."""
    accuracy, texture = fidelity_rows(sizes, seeds)
    print(md_table(ACCURACY_HEADER, accuracy) + "\n\n" + md_table(TEXTURE_HEADER, texture))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="held-out actions")
    parser.add_argument("--seeds", type=int, default=8, help="MyPaint brush seeds per action (and dab samples)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256], help="canvas sizes, px")
    parser.add_argument("--n-large", type=int, default=None, help="actions at 256 px and above (default: --n)")
    parser.add_argument("--chunk", type=int, default=250, help="actions scored at once up to 128 px (fewer above)")
    parser.add_argument("--vae", default="vae", help="'vae' (shipped) or a checkpoint path")
    parser.add_argument("--gan", default="gan", help="'gan' (shipped) or a checkpoint path")
    parser.add_argument("--dab", default=None, help="dab painter checkpoint (default: the shipped one)")
    parser.add_argument("--sequences", type=int, default=200, help="paintings of 8 strokes for the canvas-level check")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON and figures")
    parser.add_argument("--quick", action="store_true", help="a trial run in seconds: 24 actions, 3 seeds")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.seeds, args.sequences, args.n_large = min(args.n, 24), 3, 4, min(args.n, 8)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {describe(info)}; torch threads {torch.get_num_threads()}")
    actions = np.random.default_rng(HELD_OUT_SEED).uniform(-1, 1, (args.n, 12)).astype(np.float32)
    seeds = [1_000_003 * (k + 1) for k in range(args.seeds)]
    base = {"VAE": load_painter(args.vae), "GAN": load_painter(args.gan), "dab": load_dab(args.dab)}

    sizes: dict[str, dict[str, Any]] = {}
    calib: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    figures = []
    for size in args.sizes:
        n = args.n if size < 256 or args.n_large is None else min(args.n, args.n_large)
        if n < args.n:
            print(f"{size} px: {n} of the {args.n} actions (--n-large), MyPaint being slow at this size")
        painters = {
            "VAE": load_painter(args.vae, canvas_size=size),  # trained at 64 px: resized bilinearly
            "GAN": load_painter(args.gan, canvas_size=size),
            "dab": base["dab"].at_size(size),  # native at every size
        }
        chunk = max(8, args.chunk * 128**2 // max(size, 128) ** 2)  # fewer actions at a time on large canvases
        block, shown, pairs = score_size(size, actions[:n], seeds, painters, chunk)
        sizes[str(size)] = block
        calib |= pairs
        name = "painter_fidelity_strokes.png" if size == 64 else f"painter_fidelity_strokes_{size}px.png"
        figure(shown, size, args.out / name)
        figures.append(name)
    print_tables(sizes, args.seeds)
    targets = judge(sizes)
    for key, ok in targets.items():
        print(f"target {key}: {'not measured' if ok is None else 'met' if ok else 'NOT met'}")

    transfer = canvas_transfer(base, args.sequences, 4)
    print(
        f"canvases of 8 strokes on {args.sequences} MNIST targets: MyPaint MSE to "
        f"target {transfer['mypaint_mse_to_target']:.4f} (4 brush seeds; "
        f"seed-to-seed canvas MSE {transfer['mypaint_seed_to_seed_canvas_mse']:.4f})"
    )
    for name in base:
        r = transfer[name]
        print(
            f"  {name}: canvas MSE vs MyPaint {r['canvas_mse_vs_mypaint']:.4f}; MSE to target: neural canvas "
            f"{r['neural_mse_to_target']:.4f}, expected_mse prediction {r['expected_mse_to_target']:.4f}"
        )
    if calib:
        calibration_plot(calib, args.out / "painter_fidelity_calibration.png")
        figures.append("painter_fidelity_calibration.png")
    payload = {
        "machine": info,
        "torch_threads": torch.get_num_threads(),
        "sizes": sizes,
        "targets": targets,
        "canvas_transfer": transfer,
        "figures": figures,
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "out"},
    }
    path = write_json("painter_fidelity", payload, args.out)
    print(f"wrote {path} and {', '.join(figures)} in {args.out}")
    return payload


#: The README's words for each target of :func:`judge`.
TARGET_WORDS = {
    "vae_alpha_mse_le_0.0040": "VAE alpha MSE <= 0.0040",
    "gan_below_noise_floor": "GAN alpha MSE below the noise floor",
    "gan_sharpness_within_20pct": "GAN sharpness within 20% of MyPaint's",
    "vae_sharpness_below_gan": "VAE less sharp than the GAN",
    "dab_alpha_mse_le_0.0037_at_64px": "dab alpha MSE <= 0.0037 at 64 px",
    "dab_within_1.15x_ideal_at_128px": "dab alpha MSE within 1.15x of the ideal at 128 px",
    "dab_within_1.15x_ideal_at_256px": "dab alpha MSE within 1.15x of the ideal at 256 px",
    "dab_sample_sharpness_within_20pct_at_64px": "dab `sample()` sharpness within 20% of MyPaint's (64 px)",
    "dab_sample_variance_within_10pct_at_64px": "dab `sample()` variance total within 10% of MyPaint's (64 px)",
}


#: The columns of the accuracy and the texture tables (the console's and the README's).
ACCURACY_HEADER = [
    "canvas",
    "painter",
    "alpha MSE vs one render",
    "x ideal",
    "vs the seeds' mean",
    "ink-over-white MSE",
    "coverage error",
]
TEXTURE_HEADER = [
    "canvas",
    "painter",
    "sharpness: mean",
    "sharpness: sample",
    "predicted / measured variance",
    "variance correlation",
    "sample / MyPaint variance",
    "sample variance correlation",
    "sample MSE / noise floor",
]


def fidelity_rows(sizes: dict[str, dict[str, Any]], seeds: int) -> tuple[list[list[str]], list[list[str]]]:
    """The rows of the accuracy table (MyPaint's references, then each painter, per size) and of the
    texture table (each painter per size; the sample columns blank for a painter without ``sample()``)."""
    accuracy, texture = [], []
    for s in sorted(sizes, key=int):
        ref = sizes[s]["reference"]
        ideal = ref["ideal_alpha_mse"]
        accuracy += [
            [f"{s} px", "MyPaint, another brush seed (noise floor)", f"{ref['noise_floor_alpha_mse']:.5f}", "2.00"]
            + [""] * 3,
            [f"{s} px", "ideal: the exact mean (half the noise floor)", f"{ideal:.5f}", "1.00"]
            + [f"{ref['ideal_vs_seed_mean']:.5f}", "", ""],
            [f"{s} px", f"oracle: mean of the other {seeds - 1} seeds", f"{ref['oracle_mean_alpha_mse']:.5f}"]
            + [f"{ref['oracle_mean_alpha_mse'] / ideal:.2f}", "", "", ""],
        ]
        for p in sizes[s]["painters"]:
            accuracy.append(
                [f"{s} px", p["painter"], f"{p['alpha_mse']:.5f}", f"{p['ratio_to_ideal']:.2f}"]
                + [f"{p['alpha_mse_vs_seed_mean']:.5f}", f"{p['ink_over_white_mse']:.5f}"]
                + [f"{p['coverage_rel_error']:.1%}"]
            )
            keys = ("sample_sharpness_vs_mypaint", "sample_variance_total_ratio", "sample_variance_corr")
            sample = [f"{p[k]:.2f}" if keys[0] in p else "" for k in (*keys, "sample_mse_vs_noise_floor")]
            texture.append(
                [f"{s} px", p["painter"], f"{p['sharpness_vs_mypaint']:.2f}", sample[0]]
                + [f"{p['variance_total_ratio']:.2f}", f"{p['variance_corr']:.2f}", *sample[1:]]
            )
    return accuracy, texture


def readme_sections(results: Path) -> list[Section]:
    """The README's section: accuracy, texture and variance per size and painter, the targets, whole paintings."""
    d = read_result(results, "painter_fidelity")
    if d is None:
        return [Section("Painter fidelity", "*not run*", [])]
    sizes = sorted(d["sizes"], key=int)
    accuracy, texture = fidelity_rows(d["sizes"], d["args"]["seeds"])
    timing = "; ".join(
        f"{s} px: {number(d['sizes'][s]['reference']['actions'])} actions, "
        f"{number(d['sizes'][s]['reference']['mypaint_strokes_per_s'])} strokes/s"
        for s in sizes
    )
    ct = d["canvas_transfer"]
    crow = [
        [
            name,
            f"{ct[name]['canvas_mse_vs_mypaint']:.4f}",
            f"{ct[name]['neural_mse_to_target']:.4f}",
            f"{ct[name]['expected_mse_to_target']:.4f}",
        ]
        for name in ct
        if isinstance(ct[name], dict)
    ]
    targets = [
        ("painter fidelity", TARGET_WORDS.get(name, name.replace("_", " ")), verdict(met))
        for name, met in d["targets"].items()
    ]
    figures = [f for f in d.get("figures", []) if (Path(results) / f).is_file()]
    md = "\n\n".join(
        [
            f"{number(d['args']['n'])} held-out actions (seed 12345; the training data use seed 0), each rendered by "
            f"MyPaint with {d['args']['seeds']} brush seeds at each canvas size, against the shipped painters "
            f"(`python benchmarks/painter_fidelity.py`; {machine_line(d)}). The VAE and GAN paint 64 px and are "
            "resized bilinearly; the dab painter renders each size natively with the same weights. The ideal is "
            "the exact conditional mean: against one render it scores half the noise floor (MyPaint against itself "
            "with another seed), so *x ideal* is a painter's alpha MSE over half the noise floor. MyPaint's rendering "
            f"in this run (one process; a timing, not a speed benchmark): {timing}.",
            md_table(ACCURACY_HEADER, accuracy),
            "Texture and variance. Sharpness is high-frequency energy (a stroke minus its 3x3 box blur, "
            "squared) relative to MyPaint's, of the mean and of `sample()` (the VAE and GAN sample independent "
            "pixel noise; the dab painter jitters its dabs as the brush does). Variance: the predicted per-pixel "
            "variance, and that of one `sample()` per brush seed, against the variance across MyPaint's seeds. "
            "Sample MSE: a sample against a MyPaint render, over the noise floor (1.00 for a sampler with "
            "MyPaint's mean and variance; too little variance scores lower, so read it beside the variance ratio):",
            md_table(TEXTURE_HEADER, texture),
            md_table(["target", "verdict"], [[t, v] for _, t, v in targets]),
            f"Whole paintings ({ct['sequences']} sequences of 8 strokes on MNIST targets, 64 px): MyPaint's "
            f"MSE to the target is {ct['mypaint_mse_to_target']:.4f} (mean of "
            f"{ct['mypaint_seeds']} seeds; MyPaint against itself with another seed: "
            f"{ct['mypaint_seed_to_seed_canvas_mse']:.4f}). `expected_mse` prices the brush's variance in:",
            md_table(
                ["painter", "canvas MSE vs MyPaint", "neural canvas MSE to target", "expected_mse prediction"], crow
            ),
            "\n".join(f"![{f.removesuffix('.png').replace('_', ' ')}](results/{f})" for f in figures),
        ]
    )
    return [Section("Painter fidelity", md, targets)]


if __name__ == "__main__":
    main()
