"""A small, documented hyperparameter search for the Stable-Baselines3 baselines (issue 15, part 1).

Trains SB3 PPO and SAC (:mod:`paint_gym_agents.sb3`) on MNIST's batched dab-painter env
(``SB3Config(env="neural")``: all sub-envs painted in one painter call per step, dense L2
reward x100, 8-stroke episodes) for the same wall-clock budget once per *configuration*, one
after the other on this machine. Each configuration is the base config with a few fields
changed, so each row says what one choice does:

* the CNN: one NatureCNN on canvas and target stacked as 6 channels (the default,
  ``extractor="stacked"``) against SB3's own one-CNN-per-image (``"separate"``);
* PPO: rollout shape (sub-envs x steps, minibatch), learning rate, initial policy spread;
* SAC: learning rate and discount.

For each: the MyPaint-replay MSE of the first ``--images`` evaluation images against training
seconds (the reconstruction benchmark's geometric schedule), the best and final MSE against the
blank canvas's, and strokes painted per training second. The best configuration of each
algorithm is what ``benchmarks/reconstruction.py`` runs.

Outputs: ``results/sb3_search.json`` (every point, the table, the machine), ``sb3_search.png``
(MSE against seconds, blank and half-blank drawn) and the table printed. A configuration's result
lands in ``results/sb3_search/<name>.json`` when it finishes (its checkpoints in ``--runs``), so a
stopped search resumes and finished configurations are kept.

    python benchmarks/sb3_search.py                     # 8 configurations x 3 min, about 30 min here
    python benchmarks/sb3_search.py --configs ppo --minutes 0.2 --images 4 --out /tmp/s   # smoke test
"""

from __future__ import annotations

import argparse
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
from paint_gym_agents.sb3 import SB3Config, SB3Trainer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

#: Fields every configuration shares (the batched dab-painter env, 16 sub-envs).
BASE: dict[str, Any] = {"env": "neural", "n_envs": 16}
#: name -> (label, SB3Config fields on top of BASE)
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "ppo_separate": (
        "PPO, SB3's CNN per image (n_steps 64, batch 256, lr 3e-4, gamma 0.99)",
        {"algo": "ppo", "extractor": "separate", "n_steps": 64, "batch_size": 256},
    ),
    "ppo": (
        "PPO, stacked CNN (n_steps 64, batch 256, lr 3e-4, gamma 0.99)",
        {"algo": "ppo", "n_steps": 64, "batch_size": 256},
    ),
    "ppo_wide": (
        "PPO, stacked, 64 sub-envs x 16 steps, batch 256",
        {"algo": "ppo", "n_envs": 64, "n_steps": 16, "batch_size": 256},
    ),
    "ppo_lr1e-3": ("PPO, stacked, lr 1e-3", {"algo": "ppo", "n_steps": 64, "batch_size": 256, "lr": 1e-3}),
    "ppo_std0.37": (
        "PPO, stacked, initial policy std 0.37 (log_std_init -1)",
        {"algo": "ppo", "n_steps": 64, "batch_size": 256, "log_std_init": -1.0},
    ),
    "ppo_std0.37_short": (
        "PPO, stacked, std 0.37, short rollouts (n_steps 16, batch 64: 4x the updates per stroke)",
        {"algo": "ppo", "n_steps": 16, "batch_size": 64, "log_std_init": -1.0},
    ),
    "sac": (
        "SAC, stacked (buffer 20k, batch 256, lr 3e-4, gamma 0.99)",
        {"algo": "sac", "buffer_size": 20_000, "sac_batch_size": 256, "learning_starts": 1024},
    ),
    "sac_lr1e-3_gamma0.9": (
        "SAC, stacked, lr 1e-3, gamma 0.9",
        {
            "algo": "sac",
            "buffer_size": 20_000,
            "sac_batch_size": 256,
            "learning_starts": 1024,
            "lr": 1e-3,
            "gamma": 0.9,
        },
    ),
}


def config_of(name: str, args: argparse.Namespace) -> SB3Config:
    """The SB3Config of configuration ``name`` for this search's data set and run folder."""
    fields = {**BASE, **CONFIGS[name][1]}
    return SB3Config(
        dataset=args.dataset,
        run_dir=str(Path(args.runs) / name),
        eval_images=args.images,
        threads=args.threads,
        seed=args.seed,
        **fields,
    )


def run_config(name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Train one configuration for the budget (resuming its run); returns its result (saved as JSON)."""
    path = folder / f"{name}.json"
    setup = {"minutes": args.minutes, "images": args.images, "dataset": args.dataset, "seed": args.seed}
    fields = {**BASE, **CONFIGS[name][1]}
    done = kept_result(path, {"setup": setup, "fields": fields})
    if done is not None:
        return done
    print(f"== {name}: {CONFIGS[name][0]}", flush=True)
    with SB3Trainer(config_of(name, args), args.data_dir) as trainer:
        run = train_for_budget(trainer, args.minutes, args.eval_every)
    return save_result(path, {"config": name, "label": CONFIGS[name][0], "fields": fields, "setup": setup, **run})


def summary_rows(results: list[dict[str, Any]], blank: float) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        mses = [p["mse"] for p in r["points"]]
        rows.append(
            {
                "config": r["config"],
                "algo": r["fields"]["algo"],
                "label": r["label"],
                "final_mse": mses[-1],
                "best_mse": min(mses),
                "best_vs_blank": min(mses) / blank,
                "strokes": r["strokes"],
                "strokes_per_second": r["strokes_per_second"],
            }
        )
    return rows


def best_configs(rows: list[dict[str, Any]]) -> dict[str, str]:
    """algo -> the name of its configuration with the lowest best MSE."""
    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["algo"] not in best or r["best_mse"] < best[r["algo"]]["best_mse"]:
            best[r["algo"]] = r
    return {algo: r["config"] for algo, r in best.items()}


def format_rows(rows: list[dict[str, Any]], blank: float) -> str:
    best = set(best_configs(rows).values())
    lines = ["| configuration | final MSE | best MSE | best / blank | strokes | strokes/s |", "|" + "---|" * 6]
    for r in rows:
        name = f"**{r['label']}** (best {r['algo'].upper()})" if r["config"] in best else r["label"]
        lines.append(
            f"| {name} | {r['final_mse']:.4f} | {r['best_mse']:.4f} | {r['best_vs_blank']:.2f} | "
            f"{r['strokes']:,} | {r['strokes_per_second']:,.0f} |"
        )
    lines.append(f"| blank canvas | {blank:.4f} | {blank:.4f} | 1.00 | - | - |")
    return "\n".join(lines)


def figure(results: list[dict[str, Any]], blank: float, minutes: float, out: Path) -> None:
    """Evaluation MSE against training seconds, one line per configuration (SAC dashed)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    for r in results:
        pts = r["points"]
        style = "--" if r["fields"]["algo"] == "sac" else "-"
        ax.plot([p["seconds"] for p in pts], [p["mse"] for p in pts], style, marker=".", label=r["label"])
    ax.axhline(blank, color="k", ls="--", lw=1, label="blank canvas")
    ax.axhline(blank / 2, color="gray", ls=":", lw=1, label="half of blank (issue 15 target)")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_xlabel("training seconds")
    ax.set_ylabel("MyPaint replay MSE (eval images)")
    ax.legend(fontsize=6.5)
    ax.grid(alpha=0.3)
    ax.set_title(f"SB3 on MNIST, batched dab-painter env: the search ({minutes:g} training min each)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = training_arguments(__doc__, CONFIGS, item="config", minutes=3.0, runs="runs/sb3_search", argv=argv)
    out = Path(args.out)
    m = machine()
    blank = blank_row(eval_targets(args.dataset, args.images, 64, args.data_dir)).mypaint
    results = [run_config(c, args, out / "sb3_search") for c in args.configs]
    rows = summary_rows(results, blank)
    table = format_rows(rows, blank)
    header = (
        f"{args.dataset}, 8 strokes, {args.images} eval images, {args.minutes:g} training min per configuration, "
        f"SB3 on the dab-painter vector env (16 sub-envs unless stated), dense L2 reward x100; {describe(m)}."
    )
    print(header)
    print(table)
    payload = {
        "header": header,
        "blank_mse": blank,
        "rows": rows,
        "best": best_configs(rows),
        "results": results,
        "machine": m,
        "table": table,
    }
    write_json("sb3_search", payload, out)
    figure(results, blank, args.minutes, out / "sb3_search.png")
    print(f"wrote {out / 'sb3_search.json'} and {out / 'sb3_search.png'}")
    return payload


if __name__ == "__main__":
    main()
