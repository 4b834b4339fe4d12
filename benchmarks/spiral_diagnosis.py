"""Why SPIRAL-style RL collapsed to a blank canvas, and what each fix changes (issue 15, part 1).

Trains the SPIRAL-style agent (:mod:`paint_gym_agents.spiral`) on MNIST's batched dab-painter env
for the same wall-clock budget once per *variant*, a variant being the default config with a few
fields changed, one after the other on this machine, and records for each:

* the MyPaint-replay MSE of the first ``--images`` evaluation images against training seconds
  (the same geometric schedule as the reconstruction benchmark), beside the blank canvas's;
* per update: the training canvases' MSE, the fraction of *silent strokes* (both pressures at
  the box's floor, so no paint: the collapse), the critic's reward and the policy's entropy;
* strokes painted per second of training.

Outputs: ``results/spiral_diagnosis.json`` (all of it and the machine), ``spiral_diagnosis.png``
(eval MSE against seconds with the blank level; silent strokes against updates) and the table
printed. Each variant's result lands in ``results/spiral_diagnosis/<variant>.json`` when it
finishes (its checkpoints in ``--runs``), so a stopped run resumes and finished variants are kept.

    python benchmarks/spiral_diagnosis.py                      # 7 variants x 5 min, about 45 min here
    python benchmarks/spiral_diagnosis.py --variants bounded --minutes 0.2 --images 8 --out /tmp/d  # smoke
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import matplotlib
from common import (
    describe,
    kept_result,
    machine,
    save_result,
    train_for_budget,
    training_arguments,
    write_json,
)

from paint_gym.benchmark.evaluation import blank_row, eval_targets
from paint_gym_agents.spiral import SpiralConfig, SpiralTrainer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

#: name -> (label, SpiralConfig fields changed from the defaults)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "unbounded": ("first release: unbounded mean, raw critic reward", {"bounded_mean": False, "reward_norm": False}),
    "bounded": ("tanh-bounded mean, raw critic reward", {"reward_norm": False}),
    "bounded_dense": ("tanh-bounded mean, raw critic + dense L2 x100", {"reward_norm": False, "dense_l2": 100.0}),
    "normalized": ("bounded mean, normalised critic reward (default)", {}),
    "normalized_dense": ("bounded mean, normalised critic + dense L2 x100", {"dense_l2": 100.0}),
    "dense": ("bounded mean, dense L2 reward only (no critic)", {"adversarial": 0.0, "dense_l2": 100.0}),
    "dense_wide": (
        "dense L2 only, 64 envs, 2 epochs x 4 minibatches, no entropy bonus",
        {"adversarial": 0.0, "dense_l2": 100.0, "num_envs": 64, "update_epochs": 2, "minibatches": 4, "ent_coef": 0.0},
    ),
}


def run_variant(name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Train one variant for the budget (resuming its run) and return its result (saved as JSON)."""
    path = folder / f"{name}.json"
    setup = {"minutes": args.minutes, "images": args.images, "dataset": args.dataset, "seed": args.seed}
    done = kept_result(path, {"setup": setup})
    if done is not None:
        return done
    label, fields = VARIANTS[name]
    config = SpiralConfig(
        dataset=args.dataset,
        run_dir=str(Path(args.runs) / name),
        eval_images=args.images,
        threads=args.threads,
        seed=args.seed,
        **fields,
    )
    with SpiralTrainer(config, args.data_dir) as trainer:
        run = train_for_budget(trainer, args.minutes, args.eval_every)
        history, updates = trainer.history, trainer.step
    result = {"variant": name, "label": label, "config_changes": fields, "setup": setup, "history": history}
    return save_result(path, {**result, "updates": updates, **run})


def last_of(history: list[dict[str, float]], key: str, n: int = 5) -> float:
    """Mean of ``key`` over the last ``n`` logged rows that have it (NaN if none)."""
    vals = [r[key] for r in history if key in r and r[key] == r[key]][-n:]
    return sum(vals) / len(vals) if vals else math.nan


def summary_rows(results: list[dict[str, Any]], blank: float) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        mses = [p["mse"] for p in r["points"]]
        rows.append(
            {
                "variant": r["variant"],
                "label": r["label"],
                "final_mse": mses[-1] if mses else math.nan,
                "best_mse": min(mses) if mses else math.nan,
                "best_vs_blank": (min(mses) / blank) if mses else math.nan,
                "silent_strokes_end": last_of(r["history"], "silent_strokes"),
                "train_mse_end": last_of(r["history"], "train_mse"),
                "updates": r["updates"],
                "strokes_per_second": r["strokes_per_second"],
            }
        )
    return rows


def format_rows(rows: list[dict[str, Any]], blank: float) -> str:
    head = (
        "| variant | final MSE | best MSE | best / blank | silent strokes (end) | training MSE (end) "
        "| updates | strokes/s |"
    )
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['final_mse']:.4f} | {r['best_mse']:.4f} | {r['best_vs_blank']:.2f} | "
            f"{r['silent_strokes_end']:.0%} | {r['train_mse_end']:.4f} | {r['updates']:,} | "
            f"{r['strokes_per_second']:,.0f} |"
        )
    lines.append(f"| blank canvas | {blank:.4f} | {blank:.4f} | 1.00 | - | - | - | - |")
    return "\n".join(lines)


def figure(results: list[dict[str, Any]], blank: float, out: Path) -> None:
    """Eval MSE against training seconds (blank and half-blank drawn); training MSE and silent
    strokes against updates."""
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(17, 4.8))
    for r in results:
        pts = r["points"]
        (line,) = ax1.plot([p["seconds"] for p in pts], [p["mse"] for p in pts], marker=".", label=r["label"])
        hist = [h for h in r["history"] if "train_mse" in h]
        ax2.plot([h["step"] for h in hist], [h["train_mse"] for h in hist], color=line.get_color())
        silent = [h for h in hist if "silent_strokes" in h]
        ax3.plot([h["step"] for h in silent], [h["silent_strokes"] for h in silent], color=line.get_color())
    for ax in (ax1, ax2):
        ax.axhline(blank, color="k", ls="--", lw=1, label="blank canvas")
        ax.axhline(blank / 2, color="gray", ls=":", lw=1, label="half of blank (issue 15 target)")
    ax1.set_xscale("symlog", linthresh=10)
    ax1.set_xlim(left=0)
    ax1.set_xlabel("training seconds")
    ax1.set_ylabel("MyPaint replay MSE (eval images)")
    ax1.legend(fontsize=7)
    ax2.set_xlabel("update")
    ax2.set_ylabel("training rollouts' final MSE (sampled strokes)")
    ax3.set_xlabel("update")
    ax3.set_ylabel("silent strokes (no paint), training rollouts")
    ax3.set_ylim(-0.02, 1.02)
    fig.suptitle("SPIRAL-style RL on MNIST, dab-painter env: what each change does (5 training minutes each)")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = training_arguments(__doc__, VARIANTS, item="variant", minutes=5.0, runs="runs/spiral_diagnosis", argv=argv)
    out = Path(args.out)
    m = machine()
    targets = eval_targets(args.dataset, args.images, 64, args.data_dir)
    blank = blank_row(targets).mypaint
    results = [run_variant(v, args, out / "spiral_diagnosis") for v in args.variants]
    rows = summary_rows(results, blank)
    table = format_rows(rows, blank)
    header = (
        f"{args.dataset}, 8 strokes, {args.images} eval images, {args.minutes:g} training min per variant, "
        f"SPIRAL-style RL on the dab-painter vector env; {describe(m)}."
    )
    print(header)
    print(table)
    write_json(
        "spiral_diagnosis",
        {"header": header, "blank_mse": blank, "rows": rows, "results": results, "machine": m, "table": table},
        out,
    )
    figure(results, blank, out / "spiral_diagnosis.png")
    print(f"wrote {out / 'spiral_diagnosis.json'} and {out / 'spiral_diagnosis.png'}")
    return {"rows": rows, "results": results, "blank_mse": blank}


if __name__ == "__main__":
    main()
