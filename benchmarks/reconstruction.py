"""The side-by-side benchmark: every painting method on the same wall-clock budget (issue 15).

Each trainable method trains for ``--budget`` minutes of training wall-clock on this machine
(set-up and evaluation are not charged; default 20 min on MNIST, 10 on KMNIST and CelebA), one
after the other, and is evaluated on a geometric schedule (1 s, 1.5 s, 2.3 s, ... then at most
every ``--eval-every`` seconds) on the same first ``--images`` images of the evaluation split,
with the task's number of strokes, by replaying its strokes in MyPaint (MSE on [0, 1] images
averaged over brush seeds 0-3):

* ``backprop``       - the backprop agent, trained through the dab painter (paint_gym_agents.backprop)
* ``spiral``         - SPIRAL-style RL with SPIRAL's reward (a critic's score at the end), dab-painter env
* ``spiral-dense``   - SPIRAL-style RL with the dense L2 reward, 64 envs (spiral_diagnosis.py's best)
* ``spiral-mypaint`` - the same on MyPaint in AsyncVectorEnv workers (not in the default run: slow)
* ``sb3-ppo``, ``sb3-sac`` - Stable-Baselines3 on the batched dab-painter env, dense L2 reward, each
  with the best configuration of ``sb3_search.py``
* ``random``, ``blank`` - the random agent and the blank canvas (no training)

The protocol: per method, the training time and strokes painted until its first evaluation at or
below each *level*: 75%, 50% and 25% of the blank canvas's MSE, and the best RL method's final MSE.
The claim (Nakano 2019, "backprop reaches it >= 10x sooner") is decided at the lowest level the
best RL method (lowest final MSE) reaches, and the ratio is given twice: training times only, and
with the painter's one-off cost (rendering its stroke data in MyPaint and fitting it: measured
here on a sample and scaled to the shipped painter's MANIFEST recipe) charged to every method
that needs the painter (the backprop agent and the RL methods on the dab-painter env).

Outputs in ``--out`` (default benchmarks/results): ``reconstruction_<dataset>.json`` (all
points, the levels, the table, the claim, the machine), ``reconstruction_<dataset>_wallclock.png``
and ``_strokes.png`` (MSE against training time and strokes painted, the levels drawn),
``reconstruction_<dataset>.md`` (the tables). Each method's result is written to
``reconstruction_<dataset>/<method>.json`` as soon as it finishes (kept while its configuration
and budget are unchanged: commit them, and a later sitting runs only what is missing), and its
checkpoints live in ``--runs``, so an interrupted method continues from its last evaluation.

    python benchmarks/reconstruction.py --dataset mnist        # 20 min x 5 methods, about 1 h 50 min here
    python benchmarks/reconstruction.py --dataset kmnist       # 10 min x 5 methods
    python benchmarks/reconstruction.py --budget 0.5 --images 16 --out /tmp/bench   # a smoke test
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import torch
from common import RESULTS, describe, machine
from sb3_search import BASE as SB3_BASE
from sb3_search import CONFIGS as SB3_CONFIGS
from spiral_diagnosis import VARIANTS as SPIRAL_VARIANTS

from paint_gym.benchmark.budget import Point
from paint_gym.benchmark.evaluation import blank_row, eval_targets, evaluate_agent
from paint_gym.benchmark.results import Level, MethodResult, format_table, protocol_levels
from paint_gym.checkpoint import config_to_json
from paint_gym.envs.task import task_spec
from paint_gym.painters.strokes import StrokeDataSpec, generate
from paint_gym.shipped_weights import read_manifest
from paint_gym_agents import RandomAgent
from paint_gym_agents.backprop import BackpropConfig, BackpropTrainer
from paint_gym_agents.spiral import SpiralConfig, SpiralTrainer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

METHODS: dict[str, str] = {
    "backprop": "backprop agent",
    "spiral": "SPIRAL-style RL, critic reward",
    "spiral-dense": "SPIRAL-style RL, dense L2 reward",
    "spiral-mypaint": "SPIRAL-style RL, dense L2, MyPaint env",
    "sb3-ppo": "SB3 PPO",
    "sb3-sac": "SB3 SAC",
    "random": "random agent",
    "blank": "blank canvas",
}
#: What ``--methods all`` runs (``spiral-mypaint`` only when asked: its strokes/s is in rl_throughput.py).
DEFAULT_METHODS = tuple(k for k in METHODS if k != "spiral-mypaint")
RL_METHODS = ("spiral", "spiral-dense", "spiral-mypaint", "sb3-ppo", "sb3-sac")
#: Methods that need the neural painter (charged its one-off cost in the second ratio).
PAINTER_METHODS = ("backprop", "spiral", "spiral-dense", "sb3-ppo", "sb3-sac")
#: Training minutes per method by data set (issue 15: at least 20 for the RL methods on MNIST; the
#: whole benchmark in two sittings: MNIST in one, KMNIST and CelebA in the other).
BUDGET_MINUTES = {"mnist": 20.0, "kmnist": 10.0, "celeba": 10.0}
#: The SB3 configurations the benchmark runs: the best of each algorithm in sb3_search.py's search.
SB3_CHOICE = {"ppo": "ppo_std0.37_short", "sac": "sac_lr1e-3_gamma0.9"}
#: The shipped painter whose one-off cost is charged (the default dab painter's brush).
PAINTER_ENTRY = "dab_painter_brush"
CLAIM_SPEEDUP = 10.0


# ----------------------------------------------------------------------------------------
# Running one method
# ----------------------------------------------------------------------------------------


def method_config(key: str, args: argparse.Namespace, run_dir: Path) -> Any:
    """The config of one method's trainer as the benchmark sets it (resumes from ``run_dir``)."""
    common = {
        "dataset": args.dataset,
        "strokes": args.strokes,
        "run_dir": str(run_dir),
        "eval_images": args.images,
        "threads": args.threads,
    }
    if key == "backprop":
        return BackpropConfig(**common, minutes=args.budget, steps=10**9, eval_every=10**9, eval_split="eval")
    if key == "spiral":  # SPIRAL's own reward: the critic's score of the final canvas (the default config)
        return SpiralConfig(**common, action_mode=args.spiral_mode)
    if key.startswith("spiral"):
        dense = dict(SPIRAL_VARIANTS["dense_wide"][1])
        if key == "spiral-mypaint":  # 2 MyPaint worker processes x 8 episodes each per update
            dense.update(env="mypaint", num_envs=2, episodes_per_env=8)
        return SpiralConfig(**common, action_mode=args.spiral_mode, **dense)
    from paint_gym_agents.sb3 import SB3Config  # lazy: Stable-Baselines3 is optional (the rl extra)

    algo = key.split("-")[1]
    return SB3Config(**common, **SB3_BASE, **SB3_CONFIGS[SB3_CHOICE[algo]][1])


def make_trainer_for(key: str, config: Any, data_dir: str | None = None) -> Any:
    """The trainer of method ``key`` for ``config`` (BackpropTrainer, SpiralTrainer or SB3Trainer)."""
    if key == "backprop":
        return BackpropTrainer(config, data_dir)
    if key.startswith("spiral"):
        return SpiralTrainer(config, data_dir)
    from paint_gym_agents.sb3 import SB3Trainer  # lazy: Stable-Baselines3 is optional (the rl extra)

    return SB3Trainer(config, data_dir)


def make_trainer(key: str, args: argparse.Namespace, run_dir: Path) -> Any:
    """The trainer of one method as the benchmark configures it (:func:`method_config`)."""
    return make_trainer_for(key, method_config(key, args, run_dir), args.data_dir)


def train_method(key: str, args: argparse.Namespace, run_dir: Path) -> list[Point]:
    """Train one method for the budget; returns its evaluation points."""
    with make_trainer(key, args, run_dir) as trainer:
        return trainer.run(args.budget * 60, eval_every_seconds=args.eval_every)


def reference_point(key: str, targets: np.ndarray, strokes: int) -> Point:
    """The single point of a method without training (at 0 s, 0 strokes)."""
    row = (
        blank_row(targets)
        if key == "blank"
        else evaluate_agent(RandomAgent(strokes, seed=0), targets, "random agent")[0]
    )
    return Point(0.0, 0, row.mypaint)


def method_setup(key: str, args: argparse.Namespace, n_images: int) -> dict[str, Any]:
    """What a finished result must match to be kept: the method, task, images, budget and the
    trainer's config (without its run folder)."""
    setup: dict[str, Any] = {
        "key": key,
        "dataset": args.dataset,
        "strokes": args.strokes,
        "images": n_images,
        "budget_seconds": args.budget * 60,
    }
    if key not in ("random", "blank"):
        config = json.loads(config_to_json(method_config(key, args, Path("."))))
        config.pop("run_dir", None)
        setup["config"] = config
    return setup


def run_method(key: str, args: argparse.Namespace, targets: np.ndarray, folder: Path) -> MethodResult:
    """One method's result: loaded if this configuration already finished, else computed and saved."""
    path = folder / f"{key}.json"
    setup = method_setup(key, args, len(targets))
    if path.exists():
        done = MethodResult.load(path)
        if all(done.as_dict().get(k) == v for k, v in setup.items()):
            print(f"== {METHODS[key]}: done earlier ({path}), final MSE {done.final_mse:.4f}")
            return done
    print(f"== {METHODS[key]}", flush=True)
    t0 = time.monotonic()
    if key in ("random", "blank"):
        points = [reference_point(key, targets, args.strokes)]
    else:
        points = train_method(key, args, Path(args.runs) / args.dataset / key)
    info = {k: v for k, v in setup.items() if k != "budget_seconds"}
    result = MethodResult(
        METHODS[key], points, setup["budget_seconds"], {**info, "wall_seconds": time.monotonic() - t0}
    )
    result.save(path)
    gc.collect()
    print(
        f"   final MSE {result.final_mse:.4f} after {result.final.seconds:.0f} s "
        f"and {result.final.strokes:,} strokes; wrote {path}"
    )
    return result


# ----------------------------------------------------------------------------------------
# The painter's one-off cost
# ----------------------------------------------------------------------------------------


def painter_recipe(entry: dict[str, Any]) -> dict[str, Any]:
    """Stroke data size and fitting minutes of a shipped painter, from its MANIFEST entry
    (``paint-gym strokes -n N --seeds K ... && paint-gym train-painter ... --minutes M``)."""
    n = re.search(r"strokes -n (\d+)", entry["command"])
    seeds = re.search(r"--seeds (\d+)", entry["command"])
    if n is None or "training_minutes" not in entry:
        raise ValueError(f"MANIFEST entry {entry['name']} does not say its stroke data size and fitting minutes")
    return {
        "n_actions": int(n.group(1)),
        "seeds_per_action": int(seeds.group(1)) if seeds else StrokeDataSpec.seeds_per_action,
        "fit_seconds": 60.0 * float(entry["training_minutes"]),
    }


def measure_painter_cost(sample_actions: int = 1024, workers: int = 2) -> dict[str, Any]:
    """The shipped dab painter's one-off cost on this machine: rendering ``sample_actions`` of its
    stroke data in MyPaint (with ``workers`` processes), scaled to the recipe's size, plus the
    fitting time its MANIFEST entry records (``training_minutes``)."""
    recipe = painter_recipe(read_manifest()[PAINTER_ENTRY])
    spec = StrokeDataSpec(
        n_actions=sample_actions, seeds_per_action=recipe["seeds_per_action"], shard_size=max(1, sample_actions // 2)
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        generate(spec, tmp, workers=workers, progress=False)
        sample_seconds = time.perf_counter() - start
    data_seconds = sample_seconds * recipe["n_actions"] / sample_actions
    return {
        "painter": PAINTER_ENTRY,
        **recipe,
        "sample_actions": sample_actions,
        "sample_seconds": sample_seconds,
        "data_seconds": data_seconds,
        "total_seconds": data_seconds + recipe["fit_seconds"],
    }


def painter_cost(folder: Path, sample_actions: int = 1024) -> dict[str, Any]:
    """:func:`measure_painter_cost`, measured once per results folder (``painter_cost.json``)."""
    path = folder / "painter_cost.json"
    if path.exists():
        return json.loads(path.read_text())
    cost = measure_painter_cost(sample_actions)
    path.write_text(json.dumps(cost, indent=2) + "\n")
    return cost


# ----------------------------------------------------------------------------------------
# Summary: threshold, claim, plots
# ----------------------------------------------------------------------------------------


def level_ratio(rl: MethodResult, backprop: MethodResult, level: Level, costs: tuple[float, float]) -> dict[str, Any]:
    """When the RL method and the backprop agent first reached ``level``, and the ratio of those
    training times, without and with the one-off costs ``(rl_cost, backprop_cost)`` in seconds.
    A ratio is None when a time is 0 (an untrained policy already at the level measures no
    training speed) and 0 when the backprop agent never reached the level."""
    rl_hit, bp_hit = rl.first_reaching(level.mse), backprop.first_reaching(level.mse)
    out: dict[str, Any] = {
        "level": level.label,
        "mse": level.mse,
        "rl_seconds": None if rl_hit is None else rl_hit.seconds,
        "rl_strokes": None if rl_hit is None else rl_hit.strokes,
        "backprop_seconds": None if bp_hit is None else bp_hit.seconds,
        "backprop_strokes": None if bp_hit is None else bp_hit.strokes,
        "ratio": None,
        "ratio_with_costs": None,
    }
    if rl_hit is None:
        return out
    if bp_hit is None:
        return {**out, "ratio": 0.0, "ratio_with_costs": 0.0}
    if rl_hit.seconds > 0 and bp_hit.seconds > 0:
        out["ratio"] = rl_hit.seconds / bp_hit.seconds
    out["ratio_with_costs"] = (rl_hit.seconds + costs[0]) / (bp_hit.seconds + costs[1])
    return out


def claim(results: dict[str, MethodResult], levels: list[Level], painter_seconds: float = 0.0) -> dict[str, Any]:
    """Does the backprop agent reach the lowest level the best RL method reaches >= 10x sooner?

    The best RL method is the one with the lowest final MSE; the deciding level is the lowest
    of ``levels`` it reached at any evaluation. ``painter_seconds`` (the painter's one-off cost)
    is added to every method in :data:`PAINTER_METHODS` for the second ratio. ``met`` is None
    when the ratio is undefined (a time of 0); ``per_level`` holds every level's reading."""
    rl = {k: r for k, r in results.items() if k in RL_METHODS}
    if "backprop" not in results or not rl:
        return {"tested": False, "reason": "needs the backprop agent and at least one RL method"}
    best = min(rl, key=lambda k: rl[k].final_mse)
    costs = (painter_seconds if best in PAINTER_METHODS else 0.0, painter_seconds)
    per_level = [level_ratio(rl[best], results["backprop"], lv, costs) for lv in levels]
    reached = [r for r in per_level if r["rl_seconds"] is not None]
    if not reached:  # cannot happen with the best RL final level among ``levels``; kept for given levels
        return {"tested": False, "reason": f"{METHODS[best]} reached none of the levels", "per_level": per_level}
    decision = min(reached, key=lambda r: r["mse"])
    ratio, with_costs = decision["ratio"], decision["ratio_with_costs"]
    return {
        "tested": True,
        "best_rl": best,
        "decision": decision,
        "painter_seconds": painter_seconds,
        "rl_charged_seconds": costs[0],
        "per_level": per_level,
        "met": None if ratio is None else ratio >= CLAIM_SPEEDUP,
        "met_with_costs": with_costs >= CLAIM_SPEEDUP,
    }


def _ratio(value: float | None) -> str:
    return "undefined (a time of 0)" if value is None else f"{value:,.1f}x"


def claim_text(c: dict[str, Any]) -> str:
    """The verdict in words: the deciding level beside the ratio, without and with one-off costs."""
    if not c["tested"]:
        return f"Claim not tested: {c['reason']}."
    d = c["decision"]
    target = f"Target: the backprop agent reaches the level >= {CLAIM_SPEEDUP:.0f}x sooner in wall-clock"
    rl = (
        f"the best RL method, {METHODS[c['best_rl']]} (lowest final MSE), reached the lowest level it reaches, "
        f"{d['level']} = {d['mse']:.4f}, after {d['rl_seconds']:.0f} s and {d['rl_strokes']:,} strokes"
    )
    if d["backprop_seconds"] is None:
        return f"{target}: NOT MET: {rl}; the backprop agent never reached it within its budget."
    verdict = {True: "met", False: "NOT MET", None: "UNDECIDED"}
    cost = (
        f"with the painter's one-off cost ({c['painter_seconds'] / 60:.1f} min: stroke data + fitting) charged to "
        f"the backprop agent{' and to the RL method' if c['rl_charged_seconds'] else ''}"
    )
    return (
        f"{target}: {verdict[c['met']]}, {_ratio(d['ratio'])} at {d['level']} ({d['mse']:.4f}). "
        f"{rl[0].upper()}{rl[1:]}; "
        f"the backprop agent after {d['backprop_seconds']:.1f} s and {d['backprop_strokes']:,} strokes "
        f"(times are those of the first evaluation at or below the level; evaluations are spaced geometrically, so "
        f"each is an upper bound). {cost[0].upper()}{cost[1:]}: {_ratio(d['ratio_with_costs'])}, "
        f"{verdict[c['met_with_costs']]}."
    )


def ratio_table(c: dict[str, Any]) -> str:
    """Markdown table of every level's reading of the claim (best RL method vs backprop agent)."""
    if not c.get("per_level"):
        return ""

    def when(seconds: float | None, strokes: int | None) -> str:
        return "never" if seconds is None else f"{seconds:,.1f} s / {strokes:,}"

    lines = [
        "| level | MSE | best RL: time / strokes | backprop: time / strokes | ratio | ratio with painter cost |",
        "|---|---|---|---|---|---|",
    ]
    for r in c["per_level"]:
        if r["rl_seconds"] is None or r["backprop_seconds"] is None:  # RL never: no reading; backprop never: not met
            ratio = with_costs = "-" if r["rl_seconds"] is None else "backprop never"
        else:
            ratio, with_costs = _ratio(r["ratio"]), _ratio(r["ratio_with_costs"])
        lines.append(
            f"| {r['level']} | {r['mse']:.4f} | {when(r['rl_seconds'], r['rl_strokes'])} | "
            f"{when(r['backprop_seconds'], r['backprop_strokes'])} | {ratio} | {with_costs} |"
        )
    return "\n".join(lines)


def plot(results: dict[str, MethodResult], levels: list[Level], x: str, out: Path, title: str) -> Path:
    """MSE against training seconds (``x="seconds"``) or strokes painted (``"strokes"``), one line
    per trained method, the blank and random agent's MSE and the protocol's levels drawn."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    trained = [k for k in results if k not in ("random", "blank")]
    for k in trained:
        pts = results[k].points
        color = f"C{list(METHODS).index(k) % 10}"  # one colour per method on every data set
        ax.plot(
            [getattr(p, x) for p in pts], [p.mse for p in pts], marker="o", markersize=3, color=color, label=METHODS[k]
        )
    for k, style in (("random", ":"), ("blank", "--")):
        if k in results:
            mse = results[k].final_mse
            ax.axhline(mse, color="grey", linestyle=style, linewidth=1, label=f"{METHODS[k]} ({mse:.4f})")
    if "blank" in results:  # the view from 0 to just above the blank canvas (a random agent is far above it)
        ax.set_ylim(0, 1.15 * results["blank"].final_mse)
    for lv in levels:
        ax.axhline(lv.mse, color="black", linestyle="-.", linewidth=0.6, alpha=0.6)
    bottom, top = ax.get_ylim()
    for lv, y in zip(levels, _spread([(lv.mse - bottom) / (top - bottom) for lv in levels], gap=0.07), strict=True):
        ax.annotate(f"{lv.label}\n{lv.mse:.4f}", (1.01, y), xycoords="axes fraction", fontsize=6, va="center")
    if x == "seconds":
        ax.set_xscale("symlog", linthresh=1.0, linscale=0.3)
        ax.set_xlabel("training wall-clock (s; linear below 1 s, log above)")
    else:
        ax.set_xscale("symlog", linthresh=1000.0, linscale=0.5)
        ax.set_xlabel("strokes painted while training (linear below 1,000, log above)")
        # ticks 0, 10^3, 10^4, ...: symlog's own locator also marks 10^2, which lands on the 0
        most = max((p.strokes for k in trained for p in results[k].points), default=0)
        ax.set_xticks([0] + [10**k for k in range(3, int(math.log10(max(most, 1000))) + 1)])
    ax.set_xlim(left=0)
    ax.set_ylabel("MSE of the MyPaint replay (eval images)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _spread(ys: list[float], gap: float) -> list[float]:
    """Label positions (axes fractions) near ``ys``, moved apart so no two are closer than ``gap``:
    labels of levels a few thousandths apart in MSE would print on top of each other."""
    order = sorted(range(len(ys)), key=ys.__getitem__)
    out = list(ys)
    for prev, i in itertools.pairwise(order):
        out[i] = max(out[i], out[prev] + gap)
    return out


def _finite(value: Any) -> Any:
    """JSON has no infinity: non-finite floats become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def summarise(
    results: dict[str, MethodResult], args: argparse.Namespace, out: Path, blank: float, cost: dict[str, Any]
) -> dict[str, Any]:
    """Levels, table, claim, plots, markdown and JSON of one data set's run."""
    rl_finals = [r.final_mse for k, r in results.items() if k in RL_METHODS]
    levels = protocol_levels(blank, min(rl_finals) if rl_finals else None)
    table = format_table(list(results.values()), levels)
    c = claim(results, levels, cost["total_seconds"])
    m = machine()
    stem = f"reconstruction_{args.dataset}"
    title = f"{args.dataset}, {args.strokes} strokes, {args.images} eval images, {args.budget:g} min per method"
    figs = [
        plot(results, levels, "seconds", out / f"{stem}_wallclock.png", title),
        plot(results, levels, "strokes", out / f"{stem}_strokes.png", title),
    ]
    head = (
        f"{title}; MyPaint replay averaged over brush seeds 0-3; levels: 75/50/25% of the blank canvas's MSE "
        f"({blank:.4f}) and the best RL method's final MSE; each level's cell is training time / strokes painted at "
        f"the first evaluation at or below it. Painter one-off cost {cost['total_seconds'] / 60:.1f} min "
        f"(rendering {cost['n_actions']:,} x {cost['seeds_per_action']} strokes: {cost['data_seconds'] / 60:.1f} min "
        f"here, measured on {cost['sample_actions']:,}; fitting {cost['fit_seconds'] / 60:.1f} min). {describe(m)}."
    )
    md = f"{head}\n\n{table}\n\n{claim_text(c)}\n\n{ratio_table(c)}\n"
    (out / f"{stem}.md").write_text(md)
    payload = {
        "dataset": args.dataset,
        "strokes": args.strokes,
        "images": args.images,
        "budget_minutes": args.budget,
        "blank_mse": blank,
        "levels": [{"label": lv.label, "mse": lv.mse} for lv in levels],
        "painter_cost": cost,
        "claim": c,
        "methods": {k: r.as_dict() for k, r in results.items()},
        "table": table,
        "machine": m,
        "command": "python benchmarks/reconstruction.py " + " ".join(sys.argv[1:]),
    }
    (out / f"{stem}.json").write_text(json.dumps(_finite(payload), indent=2) + "\n")
    print("\n" + md)
    print(f"wrote {out / (stem + '.json')}, {out / (stem + '.md')}, {figs[0]}, {figs[1]}")
    return payload


# ----------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------


def parse_methods(text: str) -> list[str]:
    keys = list(DEFAULT_METHODS) if text == "all" else [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in METHODS]
    if unknown or not keys:
        raise ValueError(f"unknown method(s) {unknown or text!r}; choose from {', '.join(METHODS)} or 'all'")
    return keys


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["mnist", "kmnist", "celeba"], default="mnist")
    parser.add_argument(
        "--budget", type=float, default=None, help=f"training minutes per method (default {BUDGET_MINUTES})"
    )
    parser.add_argument(
        "--methods",
        default="all",
        help=f"comma-separated from {', '.join(METHODS)} (all: {', '.join(DEFAULT_METHODS)})",
    )
    parser.add_argument("--images", type=int, default=64, help="evaluation images (the first N of the eval split)")
    parser.add_argument(
        "--strokes", type=int, default=None, help="strokes per painting (default: the task's episode length)"
    )
    parser.add_argument(
        "--eval-every", type=float, default=60.0, help="longest gap between evaluations, in training seconds"
    )
    parser.add_argument(
        "--spiral-mode", choices=["continuous", "discrete"], default="continuous", help="SPIRAL agents' action space"
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads for every method (0: torch's default)")
    parser.add_argument("--out", default=str(RESULTS), help="folder of the JSON, tables and plots")
    parser.add_argument("--runs", default="runs/reconstruction", help="folder of the methods' checkpoints (resumable)")
    parser.add_argument(
        "--painter-sample", type=int, default=1024, help="stroke-data actions rendered to measure the painter's cost"
    )
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    if args.budget is None:
        args.budget = BUDGET_MINUTES[args.dataset]
    if args.budget <= 0 or args.images < 1:
        parser.error("--budget and --images must be positive")
    keys = parse_methods(args.methods)
    args.strokes = args.strokes or task_spec(args.dataset).episode_length
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    folder = out / f"reconstruction_{args.dataset}"
    folder.mkdir(parents=True, exist_ok=True)
    targets = eval_targets(args.dataset, args.images, data_dir=args.data_dir)
    args.images = len(targets)
    cost = painter_cost(out, args.painter_sample)
    done = {k: run_method(k, args, targets, folder) for k in keys}  # in the order asked (cheap ones first, say)
    results = {k: done[k] for k in METHODS if k in done}  # tables and plots in METHODS's order
    return summarise(results, args, out, blank_row(targets).mypaint, cost)


if __name__ == "__main__":
    main()
