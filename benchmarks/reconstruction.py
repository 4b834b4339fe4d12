"""The side-by-side benchmark: every painting method on the same wall-clock budget (issue 15).

Each trainable method trains for ``--budget`` minutes of training wall-clock on this machine
(set-up and evaluation are not charged; default 20 min on MNIST, 10 on KMNIST and CelebA), one
after the other, and is evaluated on a geometric schedule (1 s, 1.5 s, 2.3 s, ... then at most
every ``--eval-seconds`` seconds) on the same first ``--images`` images of the evaluation split,
with the task's number of strokes, by replaying its strokes in MyPaint (MSE on [0, 1] images
averaged over brush seeds 0-3):

* ``backprop``       - the backprop agent, trained through the dab painter (paint_gym_agents.backprop)
* ``sb3-ppo``, ``sb3-sac`` - Stable-Baselines3 on the batched dab-painter env, dense L2 reward, each
  with the best configuration of ``rl_search.py --method sb3``
* ``rllib-ppo``      - Ray RLlib's PPO on the batched dab-painter env, dense L2 reward, 1 env runner
* ``rllib-spiral``   - SPIRAL on RLlib: APPO with SPIRAL's reward (the critic's), dab-painter env
* ``rllib-spiral-mypaint`` - ``rllib-spiral`` on MyPaint (not in the default run)
* ``random``, ``blank`` - the random agent and the blank canvas (no training)

The in-house SPIRAL-style trainer (``spiral``, ``spiral-dense``, ``spiral-mypaint``) is retired in
favour of RLlib (RLlib's PPO beat it at equal training time: ``results/rllib_scaling.json``): its
committed results are read as saved and shown marked until the RLlib ones replace them, and a run
that would have to train one is refused (``methods.RETIRED_METHODS``). The RLlib methods need Ray
RLlib, which lives in its own venv (``make rllib-venv``): train them there with ``--no-summary``
(each writes its method result, as every method does), then a run in the main venv summarises every
method. A venv without Ray plans and summarises them but refuses, before training anything, a run
that would have to train one.

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
The methods' configurations are in ``methods.py``; the claim, tables, plots and README section in
``reconstruction_report.py``.

**Training seeds** (issue 26): the backprop agent and the best RL method (``--seeded``, default
:data:`SEEDED_METHODS`: SB3 PPO had the lowest final MSE on every data set) train with seeds
``0 .. --seeds - 1`` (default 3); the other methods keep one run (seed 0). Seed ``k > 0`` of a
method is saved as ``<method>_seed<k>.json`` beside ``<method>.json`` (seed 0), its checkpoints in
``--runs/<dataset>/<method>_seed<k>``, so the benchmark resumes per method *and* seed from the
committed results across sittings (``--plan`` lists what is done and what is left, training
nothing). The results of a seeded method record the SHA-256 of the painter it trained through,
and are kept only while it is the shipped one; a single-seed method's result from before
painters were recorded is kept and marked. The tables give each level's mean time over the
seeds with the spread, and the claim is decided on the means (``reconstruction_report.py``).

    .venv-rllib/bin/python benchmarks/reconstruction.py --dataset mnist --methods rllib-ppo,rllib-spiral --no-summary
    python benchmarks/reconstruction.py --dataset mnist        # 20 min per method and seed
    python benchmarks/reconstruction.py --dataset kmnist       # 10 min per method and seed (first the RLlib venv's)
    python benchmarks/reconstruction.py --dataset mnist --plan     # what is done and what is left
    python benchmarks/reconstruction.py --budget 0.5 --images 16 --out /tmp/bench   # a smoke test
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from common import RESULTS
from methods import METHODS, PAINTER_METHODS, RETIRED_METHODS, RETIRED_WHY, RLLIB_METHODS, make_trainer, method_config
from reconstruction_report import summarise

from paint_gym.benchmark.budget import Point
from paint_gym.benchmark.evaluation import blank_row, eval_targets, evaluate_agent
from paint_gym.benchmark.results import MethodResult
from paint_gym.checkpoint import config_to_json
from paint_gym.envs.task import task_spec
from paint_gym.painters.load import DAB_WEIGHTS
from paint_gym.painters.mypaint import DEFAULT_BRUSH
from paint_gym.shipped_weights import read_manifest
from paint_gym_agents import RandomAgent

#: torch's default thread count in this process (this machine's cores), what ``--threads 0`` uses.
TORCH_THREADS = torch.get_num_threads()
#: What ``--methods all`` runs (the MyPaint-env RL method only when asked: slow; never a retired one).
DEFAULT_METHODS = tuple(k for k in METHODS if k != "rllib-spiral-mypaint" and k not in RETIRED_METHODS)
#: Training minutes per method by data set (issue 15: at least 20 for the RL methods on MNIST; the
#: whole benchmark in two sittings: MNIST in one, KMNIST and CelebA in the other).
BUDGET_MINUTES = {"mnist": 20.0, "kmnist": 10.0, "celeba": 10.0}
#: Methods trained with several seeds (issue 26: the backprop agent and the best RL method of each
#: data set; SB3 PPO had the lowest final MSE of the RL methods on MNIST, KMNIST and CelebA).
SEEDED_METHODS = ("backprop", "sb3-ppo")
#: Training seeds of the seeded methods (0 .. N-1).
DEFAULT_SEEDS = 3
#: Defaults of the flags that :func:`rllib_command` repeats when they differ.
DEFAULT_IMAGES, DEFAULT_EVAL_SECONDS, DEFAULT_RUNS = 64, 60.0, "runs/reconstruction"


# ----------------------------------------------------------------------------------------
# Running one method
# ----------------------------------------------------------------------------------------


def train_method(key: str, args: argparse.Namespace, run_dir: Path, seed: int = 0) -> list[Point]:
    """Train one method with training ``seed`` for the budget; returns its evaluation points."""
    with make_trainer(key, method_config(key, args, run_dir, seed), args.data_dir) as trainer:
        return trainer.run(args.budget * 60, eval_every_seconds=args.eval_seconds)


def run_name(key: str, seed: int) -> str:
    """A run's file stem and checkpoint folder: ``<key>`` for seed 0, ``<key>_seed<k>`` after."""
    return key if seed == 0 else f"{key}_seed{seed}"


def painter_sha256(key: str) -> str | None:
    """SHA-256 of the shipped painter that method ``key`` trains through (the default dab
    painter, ``dab_painter_<brush>`` in the MANIFEST); None for a method without a painter."""
    if key not in PAINTER_METHODS:
        return None
    return read_manifest()[DAB_WEIGHTS.format(DEFAULT_BRUSH.split("/")[-1])]["sha256"]


def reference_point(key: str, targets: np.ndarray, strokes: int) -> Point:
    """The single point of a method without training (at 0 s, 0 strokes)."""
    row = (
        blank_row(targets)
        if key == "blank"
        else evaluate_agent(RandomAgent(strokes, seed=0), targets, "random agent")[0]
    )
    return Point(0.0, 0, row.mypaint)


def method_setup(key: str, args: argparse.Namespace, n_images: int, seed: int = 0) -> dict[str, Any]:
    """What a finished result must match to be kept: the method, task, images, budget, the
    trainer's config (without its run folder; its ``seed`` included) and, for a method trained
    with several seeds, the SHA-256 of the painter it trains through."""
    setup: dict[str, Any] = {
        "key": key,
        "dataset": args.dataset,
        "strokes": args.strokes,
        "images": n_images,
        "budget_seconds": args.budget * 60,
    }
    if key not in ("random", "blank") and key not in RETIRED_METHODS:  # a retired one is read as saved
        config = json.loads(config_to_json(method_config(key, args, Path("."), seed)))
        config.pop("run_dir", None)
        setup["config"] = config
    sha = painter_sha256(key)
    if sha is not None and key in args.seeded:
        setup["painter_sha256"] = sha
    return setup


#: The parts of a run's setup its checkpoints depend on: a saved result that differs in one of them
#: was trained as another run (its folder is not resumed); a longer budget or more evaluation
#: images continue the same run.
CHECKPOINT_SETUP = ("key", "dataset", "strokes", "config", "painter_sha256")


def saved_setup(key: str, args: argparse.Namespace, path: Path) -> tuple[MethodResult, dict[str, Any]]:
    """The result saved at ``path`` and its setup as :func:`method_setup` words it now (fields
    saved by an old name compare by the new one; a field added since, with the value its config
    module's ``LEGACY_FIELDS`` says the older runs had; a retired method's config is not compared)."""
    done = MethodResult.load(path)
    saved = done.as_dict()
    if isinstance(saved.get("config"), dict) and key not in RETIRED_METHODS:
        config_type = type(method_config(key, args, Path(".")))
        legacy = getattr(sys.modules[config_type.__module__], "LEGACY_FIELDS", {})
        saved["config"] = {**legacy, **{config_type.renamed.get(k, k): v for k, v in saved["config"].items()}}
        saved["config"].setdefault("seed", 0)  # results saved before configs had seeds ran seed 0
    return done, saved


def setup_difference(saved: dict[str, Any], setup: dict[str, Any]) -> list[str]:
    """What a saved result's setup (:func:`saved_setup`) differs in from this one's
    (:func:`method_setup`), one ``"field: saved X, now Y"`` per field (a config's fields by name,
    ``config.threads``), so a user sees which option to give to reuse the result; empty when the
    saved result is this setup's."""
    differences = []
    for field, now in setup.items():
        was = saved.get(field)
        if isinstance(now, dict) and isinstance(was, dict):
            differences += [
                f"{field}.{k}: saved {was.get(k, 'nothing')!r}, now {now.get(k, 'nothing')!r}"
                for k in {**was, **now}
                if was.get(k) != now.get(k) or (k in was) != (k in now)
            ]
        elif was != now:
            differences.append(f"{field}: saved {was!r}, now {now!r}")
    return differences


def saved_result(key: str, args: argparse.Namespace, n_images: int, folder: Path, seed: int = 0) -> MethodResult | None:
    """The finished result of ``key`` with ``seed`` saved in ``folder``, if its setup is this one's
    (:func:`method_setup`); None when absent or made under another setup."""
    path = folder / f"{run_name(key, seed)}.json"
    if not path.exists():
        return None
    done, saved = saved_setup(key, args, path)
    return None if setup_difference(saved, method_setup(key, args, n_images, seed)) else done


def run_method(key: str, args: argparse.Namespace, targets: np.ndarray, folder: Path, seed: int = 0) -> MethodResult:
    """One method's result with training ``seed``: loaded if this setup already finished, else
    trained (resuming from its checkpoints in ``--runs``: an interrupted run continues) and saved.
    A result saved under another painter or config (:data:`CHECKPOINT_SETUP`) is trained anew: its
    run folder, whose checkpoints belong to that run, is moved aside (``<run>.stale-<time>``), not
    resumed; under a longer budget the run continues from its folder."""
    path = folder / f"{run_name(key, seed)}.json"
    setup = method_setup(key, args, len(targets), seed)
    label = METHODS[key] + (f", seed {seed}" if key in args.seeded else "")
    done = saved_result(key, args, len(targets), folder, seed)
    if done is not None:
        print(f"== {label}: done earlier ({path}), final MSE {done.final_mse:.4f}")
        return done
    print(f"== {label}", flush=True)
    run_dir = Path(args.runs) / args.dataset / run_name(key, seed)
    if path.exists():  # a result of another setup: say in what before training over it
        saved = saved_setup(key, args, path)[1]
        differences = "; ".join(setup_difference(saved, setup))
        print(f"   {path.name} was saved under another setup ({differences}): trained anew")
        if run_dir.exists() and any(saved.get(k) != setup[k] for k in CHECKPOINT_SETUP if k in setup):
            stale = run_dir.with_name(f"{run_dir.name}.stale-{time.strftime('%Y%m%d-%H%M%S')}")
            run_dir.rename(stale)
            print(f"   {path.name} was trained under another painter or config: run folder moved to {stale}")
    t0 = time.monotonic()
    if key in ("random", "blank"):
        points = [reference_point(key, targets, args.strokes)]
    else:
        points = train_method(key, args, run_dir, seed)
    info = {k: v for k, v in setup.items() if k != "budget_seconds"}
    sha = painter_sha256(key)
    if sha is not None:  # recorded for every painter method (compared only for the seeded ones)
        info["painter_sha256"] = sha
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


def measure_painter_cost(brush: str = DEFAULT_BRUSH, **overrides: Any) -> dict[str, Any]:
    """The default dab painter's one-off cost on this machine, measured end to end: its recipe
    (``paint-gym train-painter --kind dab --brush BRUSH``, :func:`painter_fit.fit`: rendering the
    stroke data in MyPaint over every core into a fresh folder, fitting, calibrating the sampler),
    timed on the wall clock. ``overrides`` (TrainConfig fields) make a trial run smaller."""
    from painter_fit import fit

    from paint_gym.painters.train import KIND_SEEDS, KIND_STROKES

    with tempfile.TemporaryDirectory() as tmp:
        result = fit(brush, Path(tmp) / "painter", **overrides)
    return {
        "painter": f"dab painter of {brush} (the one-minute recipe)",
        "n_actions": overrides.get("n_actions") or KIND_STROKES["dab"],
        "seeds_per_action": KIND_SEEDS["dab"],
        "steps": result["steps"],
        "data_seconds": result["data_seconds"],
        "fit_seconds": result["total_seconds"] - result["data_seconds"],
        "total_seconds": result["total_seconds"],
        "measured": "end to end (not scaled from a sample)",
    }


def painter_cost(folder: Path, remeasure: bool = False) -> dict[str, Any]:
    """:func:`measure_painter_cost`, measured once per results folder (``painter_cost.json``;
    ``remeasure``: measured again)."""
    path = folder / "painter_cost.json"
    if path.exists() and not remeasure and "measured" in json.loads(path.read_text()):
        return json.loads(path.read_text())
    cost = measure_painter_cost()
    path.write_text(json.dumps(cost, indent=2) + "\n")
    return cost


# ----------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------


def recharge(args: argparse.Namespace, out: Path, folder: Path, cost: dict[str, Any]) -> dict[str, Any]:
    """Re-decide a data set's claim with ``cost`` from the method results saved in ``folder``
    (their budget, strokes, images and seeds as they ran; nothing is trained). The summary keeps
    the command that trained them, which reproduces them (``--recharge`` does not)."""
    saved = json.loads((out / f"reconstruction_{args.dataset}.json").read_text())
    args.budget, args.strokes, args.images = saved["budget_minutes"], saved["strokes"], saved["images"]
    results: dict[str, list[MethodResult]] = {}
    for k in (k for k in METHODS if k in saved["methods"]):
        seeds = saved["methods"][k].get("seeds", [0])
        results[k] = [MethodResult.load(folder / f"{run_name(k, seed)}.json") for seed in seeds]
    return summarise(results, args, out, saved["blank_mse"], cost, painter_sha256("backprop"), saved.get("command"))


def run_order(keys: list[str], args: argparse.Namespace) -> list[tuple[str, int]]:
    """(method, seed) of every run, in the order trained: seed 0 of each of ``keys`` in the order
    asked, then seed 1 of each seeded method, then seed 2, ..."""
    return [(k, 0) for k in keys] + [(k, s) for s in range(1, args.seeds) for k in keys if k in args.seeded]


def plan(keys: list[str], args: argparse.Namespace, n_images: int, folder: Path) -> list[tuple[str, int]]:
    """The (method, seed) runs of :func:`run_order` (a sitting that stops early leaves whole seeds,
    every method's seed 0 first). Prints which are done (saved with this setup) and which
    are left, with the training minutes left; returns the ones left."""
    runs = run_order(keys, args)
    left = [(k, s) for k, s in runs if saved_result(k, args, n_images, folder, s) is None]
    for k, s in runs:
        path = folder / f"{run_name(k, s)}.json"
        state = "left" if (k, s) in left else "done"
        print(f"  {state:4}  {METHODS[k]}{f', seed {s}' if k in args.seeded else ''}  ({path})")
        if state == "left" and path.exists():  # saved under another setup: say in what, so it can be reused
            differences = setup_difference(saved_setup(k, args, path)[1], method_setup(k, args, n_images, s))
            print(f"        saved under another setup: {'; '.join(differences)}")
    trained = sum(1 for k, _ in left if k not in ("random", "blank"))
    print(f"{len(left)} of {len(runs)} runs left: {trained} x {args.budget:g} min of training plus evaluations")
    retired = methods_among(left, RETIRED_METHODS)
    if retired:
        print(f"{', '.join(retired)}: {RETIRED_WHY}; nothing can run them: drop them from --methods")
    if methods_among(left, RLLIB_METHODS) and ray_missing():
        command = rllib_command(methods_among(left, RLLIB_METHODS), args)
        print(f"the RLlib runs train in the RLlib venv (make rllib-venv): {command}")
    return left


def ray_missing() -> bool:
    """Whether this Python lacks Ray (the main venv: Ray RLlib lives in ``.venv-rllib``)."""
    return importlib.util.find_spec("ray") is None


def rllib_command(keys: list[str], args: argparse.Namespace) -> str:
    """The command that trains RLlib methods ``keys`` in the RLlib venv with this run's setup
    (the flags that differ from their defaults) and writes their results, not the summary."""
    argv = [".venv-rllib/bin/python benchmarks/reconstruction.py", f"--dataset {args.dataset}"]
    argv.append(f"--methods {','.join(keys)}")
    changed = {
        "--budget": (args.budget, BUDGET_MINUTES[args.dataset]),
        "--images": (args.images, DEFAULT_IMAGES),
        "--strokes": (args.strokes, task_spec(args.dataset).episode_length),
        "--eval-seconds": (args.eval_seconds, DEFAULT_EVAL_SECONDS),
        "--threads": (args.threads, TORCH_THREADS),
        "--out": (args.out, str(RESULTS)),
        "--runs": (args.runs, DEFAULT_RUNS),
        "--data-dir": (args.data_dir, None),
    }
    argv += [
        f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}"
        for flag, (value, default) in changed.items()
        if value != default
    ]
    seeded = [k for k in keys if k in args.seeded]
    if seeded:
        argv += [f"--seeds {args.seeds}", f"--seeded {','.join(seeded)}"]
    return " ".join([*argv, "--no-summary"])


def methods_among(runs: list[tuple[str, int]], group: Any) -> list[str]:
    """The methods of ``group`` (RETIRED_METHODS, RLLIB_METHODS) among ``runs`` (method, seed), in their order."""
    return list(dict.fromkeys(k for k, _ in runs if k in group))


def parse_seeded(text: str, keys: list[str]) -> tuple[str, ...]:
    """``--seeded``: comma-separated method keys (or "none"); each must be a trainable method."""
    if text == "none":
        return ()
    seeded = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in seeded if k not in METHODS or k in ("random", "blank") or k in RETIRED_METHODS]
    if bad:
        raise ValueError(f"--seeded: {bad} cannot take seeds; choose trainable methods of {', '.join(METHODS)}")
    missing = [k for k in seeded if k not in keys]
    if missing:
        raise ValueError(f"--seeded {missing} are not among --methods {','.join(keys)}: add them or drop them")
    return seeded


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
    parser.add_argument(
        "--images", type=int, default=DEFAULT_IMAGES, help="evaluation images (the first N of the eval split)"
    )
    parser.add_argument(
        "--strokes", type=int, default=None, help="strokes per painting (default: the task's episode length)"
    )
    parser.add_argument(
        "--eval-seconds",
        "--eval-every",  # its old name (docs/glossary.md)
        type=float,
        default=DEFAULT_EVAL_SECONDS,
        help="longest gap between evaluations, in training seconds",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads for every method (0: torch's default, this machine's cores); saved in each result's "
        "config as the number used, so a result counts as done for the same number",
    )
    parser.add_argument("--out", default=str(RESULTS), help="folder of the JSON, tables and plots")
    parser.add_argument("--runs", default=DEFAULT_RUNS, help="folder of the methods' checkpoints (resumable)")
    parser.add_argument(
        "--recharge",
        action="store_true",
        help="re-decide the claim from the saved results with the painter cost in painter_cost.json (trains nothing)",
    )
    parser.add_argument(
        "--seeds", type=int, default=DEFAULT_SEEDS, help="training seeds (0 .. N-1) of the --seeded methods"
    )
    parser.add_argument(
        "--seeded",
        default=None,
        help=f"methods trained with --seeds seeds (the others: seed 0 only), comma-separated, or 'none' (default: "
        f"those of {','.join(SEEDED_METHODS)} among --methods)",
    )
    parser.add_argument("--plan", action="store_true", help="list the runs done and left, and train nothing")
    parser.add_argument(
        "--no-summary",
        action="store_true",
        help="train and save the methods' results only, without tables, plots or claim (for methods trained in "
        "another venv, the RLlib ones: a later run in the main venv summarises every method)",
    )
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    if args.budget is None:
        args.budget = BUDGET_MINUTES[args.dataset]
    if args.budget <= 0 or args.images < 1 or args.seeds < 1:
        parser.error("--budget, --images and --seeds must be positive")
    keys = parse_methods(args.methods)
    try:
        args.seeded = (
            tuple(k for k in SEEDED_METHODS if k in keys) if args.seeded is None else parse_seeded(args.seeded, keys)
        )
    except ValueError as e:
        parser.error(str(e))
    args.strokes = args.strokes or task_spec(args.dataset).episode_length
    if args.threads < 0:
        parser.error("--threads must be 0 (torch's default) or positive")
    args.threads = args.threads or TORCH_THREADS  # the number used: a default run reuses --threads N's results
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    folder = out / f"reconstruction_{args.dataset}"
    folder.mkdir(parents=True, exist_ok=True)
    targets = eval_targets(args.dataset, args.images, data_dir=args.data_dir)
    args.images = len(targets)
    if args.plan:
        plan(keys, args, len(targets), folder)
        return {}
    if args.recharge and args.no_summary:
        parser.error("--recharge writes the summary: drop --no-summary")
    if args.recharge:
        return recharge(args, out, folder, painter_cost(out))  # painter cost measured end to end once per folder
    runs = run_order(keys, args)
    unsaved = [(k, s) for k, s in runs if saved_result(k, args, len(targets), folder, s) is None]
    retired = methods_among(unsaved, RETIRED_METHODS)
    if retired:  # refused at the door: nothing can train them
        parser.error(
            f"{', '.join(retired)}: {RETIRED_WHY}, and no result of theirs for this setup is saved in {folder}; "
            f"run {', '.join(RETIRED_METHODS[k] for k in retired)} instead"
        )
    if ray_missing():  # refused at the door, not after hours of the other methods' training
        need_ray = methods_among(unsaved, RLLIB_METHODS)
        if need_ray:
            parser.error(
                f"{', '.join(need_ray)} train with Ray RLlib, which this Python lacks. Train them first in the RLlib "
                f"venv (make rllib-venv):\n  {rllib_command(need_ray, args)}\nthen run this again (it summarises "
                "them with the others), or leave them out of --methods"
            )
    cost = None if args.no_summary else painter_cost(out)
    done: dict[str, list[MethodResult]] = {}
    for k, seed in runs:  # every method's seed 0 in the order asked, then the next seed of each seeded one
        done.setdefault(k, []).append(run_method(k, args, targets, folder, seed))
    if args.no_summary:
        print(f"wrote the method results in {folder}; no summary (--no-summary): a run without it summarises them")
        return {"methods": {k: [r.as_dict() for r in rs] for k, rs in done.items()}}
    results = {k: done[k] for k in METHODS if k in done}  # tables and plots in METHODS's order
    return summarise(results, args, out, blank_row(targets).mypaint, cost, painter_sha256("backprop"))


if __name__ == "__main__":
    main()
