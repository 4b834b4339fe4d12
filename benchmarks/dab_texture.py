"""Does the dab painter's ``sample()`` carry each brush's texture? Measured against MyPaint per brush.

For ``--n`` held-out random actions (seed 12345, as benchmarks/painter_fidelity.py; the stroke data
use seed 0), MyPaint renders every action with ``--seeds`` brush seeds, and the shipped dab painter
of each supported brush draws as many samples. Per brush and canvas size:

* sharpness (benchmarks/painter_fidelity.py's ``high_frequency``: a stroke minus its 3x3 box blur,
  squared, averaged) of the mean head and of the samples, over MyPaint's (target: the samples within
  20%);
* the samples' total per-pixel variance over MyPaint's across seeds (target: within 10%);
* the samples' mean alpha mass over the mean head's (the sampler keeps the mean head's ink);
* the sample's alpha MSE against one MyPaint render, over MyPaint's own seed-to-seed error;
* ``sample()`` seconds per 1,024 strokes (forward, no gradient; and forward + backward).

Results are kept per ``--label`` in ``results/dab_texture.json`` (a run with another label keeps the
others): ``before`` was measured with the jittered-Gaussian sampler, ``after`` with
:mod:`paint_gym.painters.dab_texture`.

    python benchmarks/dab_texture.py --label after            # five brushes, 64 px, about 5 minutes here
    python benchmarks/dab_texture.py --quick --out /tmp/texture  # seconds: a trial run
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from common import RESULTS, Section, describe, machine, machine_line, md_table, read_result, verdict, write_json
from painter_fidelity import HELD_OUT_SEED, high_frequency

from paint_gym.canvas import to_float
from paint_gym.painters.load import load_painter
from paint_gym.painters.mypaint import SUPPORTED_BRUSHES, MyPaintPainter
from paint_gym.painters.strokes import render_seeds

#: Targets of ISSUE 25 section 3 for ``sample()`` against MyPaint.
SHARPNESS_TOLERANCE = 0.2
VARIANCE_TOLERANCE = 0.1


def sample_seconds(painter: Any, actions: torch.Tensor, repeats: int = 2) -> dict[str, float]:
    """Seconds of ``painter.sample`` on ``actions`` ``(1024, 12)``: forward (best of ``repeats``) and
    forward + backward of the samples' sum with respect to the actions (best of ``repeats``)."""
    gen = torch.Generator().manual_seed(0)
    forward, backward = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with torch.no_grad():
            painter.sample(actions, gen)
        forward.append(time.perf_counter() - t0)
        x = actions.clone().requires_grad_(True)
        t0 = time.perf_counter()
        painter.sample(x, gen).sum().backward()
        backward.append(time.perf_counter() - t0)
    return {"sample_seconds_per_1024": min(forward), "sample_backward_seconds_per_1024": min(backward)}


def calibrate(painter: Any, mypaint: MyPaintPainter, n: int, seeds: list[int]) -> float:
    """Calibrate the painter's sampler (``dab_count_scale``) as the fitting does, on ``n`` actions
    of the training data's seed (0, disjoint from the held-out seed), rendered by MyPaint with
    ``seeds``; returns the scale."""
    from paint_gym.painters.dab_texture import calibrate_dab_count

    actions = np.random.default_rng(0).uniform(-1, 1, (n, 12)).astype(np.float32)
    renders = to_float(np.stack([render_seeds(mypaint, actions, [s])[0] for s in seeds]))
    variance, mean = torch.as_tensor(renders.var(axis=0, ddof=1)), torch.as_tensor(renders.mean(axis=0))
    calibrate_dab_count(painter, torch.as_tensor(actions), variance, torch.Generator().manual_seed(1), mean=mean)
    return float(painter.dab_count_scale)


def brush_texture(
    brush: str, actions: np.ndarray, seeds: list[int], size: int, calibration: int, chunk: int = 250
) -> dict[str, Any]:
    """One brush at ``size`` px: MyPaint's renders ``(K, N, H, W)`` against the shipped dab
    painter's mean and ``K`` samples per action (its sampler calibrated first on ``calibration``
    training-seed actions when that is positive and the painter has ``dab_count_scale``)."""
    painter = load_painter("dab", brush=brush, canvas_size=size)
    mypaint = MyPaintPainter(size, brush=brush)
    scale = None
    if calibration and hasattr(painter, "dab_count_scale"):
        scale = calibrate(painter, mypaint, calibration, seeds[:4])
    renders = to_float(np.stack([render_seeds(mypaint, actions, [s])[0] for s in seeds]))  # (K, N, H, W)
    gen = torch.Generator().manual_seed(0)
    means, drawn = [], []
    with torch.no_grad():
        for i in range(0, len(actions), chunk):
            a = torch.as_tensor(actions[i : i + chunk])
            means.append(painter.render_alpha(a).numpy())
            drawn.append(np.stack([painter.sample(a, gen).numpy() for _ in seeds]))
    mean, samples = np.concatenate(means), np.concatenate(drawn, axis=1)  # (N, H, W), (K, N, H, W)
    k = len(seeds)
    floor = float(np.mean([(renders[i] - renders[(i + 1) % k]) ** 2 for i in range(k)]))
    real_var = float(renders.var(axis=0, ddof=1).mean())
    real_hf = high_frequency(renders)
    row = {
        "brush": brush,
        "dab_count_scale": scale,
        "hard_dabs": bool(getattr(painter, "hard_dabs", torch.tensor(0.0)) > 0),
        "mypaint_high_frequency": real_hf,
        "mypaint_variance": real_var,
        "noise_floor": floor,
        "mean_sharpness_vs_mypaint": high_frequency(mean) / real_hf,
        "sample_sharpness_vs_mypaint": high_frequency(samples) / real_hf,
        "sample_variance_ratio": float(samples.var(axis=0, ddof=1).mean() + 1e-12) / (real_var + 1e-12),
        "sample_mass_vs_mean_head": float(samples.mean() / max(mean.mean(), 1e-12)),
        # over MyPaint's seed-to-seed error (None for deterministic brushes, whose floor is 0)
        "sample_mse_vs_noise_floor": float(((renders - samples) ** 2).mean() / floor) if floor > 1e-9 else None,
        "mean_mse_vs_noise_floor": float(((renders - mean[None]) ** 2).mean() / floor) if floor > 1e-9 else None,
        "sample_mse": float(((renders - samples) ** 2).mean()),
        "mean_mse": float(((renders - mean[None]) ** 2).mean()),
    }
    if size == 64:
        row |= sample_seconds(painter, torch.as_tensor(np.resize(actions, (1024, 12))))
    return row


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="after", help="name of this measurement (a key of the JSON)")
    parser.add_argument("--brushes", nargs="+", default=list(SUPPORTED_BRUSHES), help="MyPaint brushes")
    parser.add_argument("--n", type=int, default=1000, help="held-out actions")
    parser.add_argument("--seeds", type=int, default=8, help="MyPaint brush seeds (and samples) per action")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64], help="canvas sizes, px")
    parser.add_argument(
        "--calibrate", type=int, default=512, help="training-seed actions to calibrate the sampler on (0: as loaded)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    parser.add_argument("--quick", action="store_true", help="a trial run: 24 actions, 3 seeds")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.seeds, args.calibrate = min(args.n, 24), 3, min(args.calibrate, 16)
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {describe(info)}; torch threads {torch.get_num_threads()}")
    actions = np.random.default_rng(HELD_OUT_SEED).uniform(-1, 1, (args.n, 12)).astype(np.float32)
    seeds = [1_000_003 * (k + 1) for k in range(args.seeds)]
    rows = []
    for size in args.sizes:
        for brush in args.brushes:
            row = {"size": size, **brush_texture(brush, actions, seeds, size, args.calibrate)}
            print({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()})
            rows.append(row)
    previous = read_result(args.out, "dab_texture") or {}
    labels = previous.get("labels", {})
    labels[args.label] = {"machine": info, "torch_threads": torch.get_num_threads(), "rows": rows, "args": vars(args)}
    labels[args.label]["args"]["out"] = str(args.out)
    payload = {"labels": labels}
    path = write_json("dab_texture", payload, args.out)
    print(f"wrote {path}")
    return payload


def _judge(row: dict[str, Any]) -> tuple[bool, bool]:
    return (
        abs(row["sample_sharpness_vs_mypaint"] - 1) <= SHARPNESS_TOLERANCE,
        abs(row["sample_variance_ratio"] - 1) <= VARIANCE_TOLERANCE if row["mypaint_variance"] > 1e-7 else True,
    )


def _ratio(x: float | None) -> str:
    return "n/a (deterministic)" if x is None else f"{x:.2f}"


def readme_sections(results: Path) -> list[Section]:
    """The README's section: per brush, before and after, the sample's sharpness and variance."""
    d = read_result(results, "dab_texture")
    if d is None:
        return [Section("Dab painter texture", "*not run*", [])]
    header = [
        "sampler",
        "canvas",
        "brush",
        "sharpness: mean",
        "sharpness: sample",
        "sample / MyPaint variance",
        "sample / mean-head mass",
        "sample MSE / noise floor",
        "sample() s per 1,024 (fwd / fwd+bwd)",
    ]
    table, targets = [], []
    for label, block in d["labels"].items():
        for r in block["rows"]:
            timing = (
                f"{r['sample_seconds_per_1024']:.2f} / {r['sample_backward_seconds_per_1024']:.2f}"
                if "sample_seconds_per_1024" in r
                else ""
            )
            table.append(
                [label, f"{r['size']} px", r["brush"], f"{r['mean_sharpness_vs_mypaint']:.2f}"]
                + [f"{r['sample_sharpness_vs_mypaint']:.2f}", f"{r['sample_variance_ratio']:.2f}"]
                + [f"{r['sample_mass_vs_mean_head']:.3f}", _ratio(r["sample_mse_vs_noise_floor"]), timing]
            )
            if label == "after":
                sharp, var = _judge(r)
                name = f"{r['brush']} {r['size']} px"
                targets.append(("dab texture", f"{name}: `sample()` sharpness within 20% of MyPaint's", verdict(sharp)))
                targets.append(("dab texture", f"{name}: `sample()` variance within 10% of MyPaint's", verdict(var)))
    block = d["labels"].get("after") or next(iter(d["labels"].values()))
    md = "\n\n".join(
        [
            f"{block['args']['n']} held-out actions (seed 12345), {block['args']['seeds']} MyPaint brush seeds and as "
            "many `sample()` draws per action, per supported brush (`python benchmarks/dab_texture.py --label after`; "
            f"{machine_line(block)}). Sharpness is painter_fidelity's high-frequency energy over MyPaint's; "
            "*before*: dab centres jittered as Gaussians with a lognormal ink spread; *after*: libmypaint's own dabs "
            "(count, hardness, random offsets and radii; `paint_gym/painters/dab_texture.py`).",
            md_table(header, table),
        ]
    )
    return [Section("Dab painter texture", md, targets)]


if __name__ == "__main__":
    main()
