"""A search over the configurations of one RL method, each trained for the same budget (issue 15, part 1).

Trains one RL method on MNIST's batched dab-painter env for the same wall-clock budget once per
*configuration* (listed in ``methods.py``), one after the other on this machine. Each
configuration is a base with a few fields changed, so each row says what one choice does.

``--method sb3``: Stable-Baselines3 PPO and SAC (:mod:`paint_gym_agents.sb3`,
``SB3Config(env="neural")``: all sub-envs painted in one painter call per step, dense L2 reward
x100, 8-stroke episodes), varying

* the CNN: one NatureCNN on canvas and target stacked as 6 channels (the default,
  ``extractor="stacked"``) against SB3's own one-CNN-per-image (``"separate"``);
* PPO: rollout shape (sub-envs x steps, minibatch), learning rate, initial policy spread;
* SAC: learning rate and discount.

The best configuration of each algorithm is what ``benchmarks/reconstruction.py`` runs.

The SPIRAL diagnosis this script also ran (``--method spiral``: why the in-house SPIRAL-style
agent collapsed to a blank canvas, and what each fix changed) is history: that trainer is retired
in favour of RLlib (``results/rllib_scaling.json``), and its committed ``results/spiral_diagnosis.json``
and ``.png`` stay in the README as the record (:func:`spiral_diagnosis_section`).

For each configuration: the MyPaint-replay MSE of the first ``--images`` evaluation images
against training seconds (the reconstruction benchmark's geometric schedule), the best and final
MSE against the blank canvas's, and strokes painted per training second.

Outputs, ``<name>`` being ``sb3_search``: ``results/<name>.json`` (every point, the table, the
machine), ``<name>.png`` (MSE against seconds, blank and half-blank drawn) and the table printed. A
configuration's result lands in ``results/<name>/<configuration>.json`` when it finishes (its
checkpoints in ``--runs``), so a stopped search resumes and finished configurations are kept.

    python benchmarks/rl_search.py --method sb3      # 8 configurations x 3 min, about 30 min here
    python benchmarks/rl_search.py --method sb3 --configs ppo --minutes 0.2 --images 4 --out /tmp/s  # smoke test
"""

from __future__ import annotations

import argparse
import json
import math
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import matplotlib
from common import (
    RESULTS,
    Section,
    describe,
    machine,
    md_table,
    number,
    read_result,
    stored_table,
    verdict,
    write_json,
)
from methods import SB3_CONFIGS, sb3_fields

from paint_gym.benchmark.evaluation import blank_row, eval_targets
from paint_gym.checkpoint import write_text_atomic
from paint_gym_agents.sb3 import SB3Config, SB3Trainer

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


class Search(ABC):
    """What one method's search is: its configurations, trainer, table, figure and README section.
    The run itself (:func:`run_config`, :func:`main`) is the same for every method."""

    name: ClassVar[str]  # results/<name>.json and .png, results/<name>/, runs/<name>
    item: ClassVar[str]  # what its JSON calls a configuration ("config" or "variant")
    fields_key: ClassVar[str]  # the result's key of the fields a configuration sets
    minutes: ClassVar[float]  # default training minutes per configuration
    configs: ClassVar[dict[str, tuple[str, dict[str, Any]]]]  # name -> (label, fields)
    config_class: ClassVar[type]  # the config dataclass the fields belong to
    what: ClassVar[str]  # the header's words for the runs
    title: ClassVar[str]  # the README section's title
    figure_alt: ClassVar[str]  # the figure's alt text in the README
    not_run: ClassVar[str] = "*not run*"  # the README section while results/<name>.json is missing

    def fields(self, name: str) -> dict[str, Any]:
        """The config fields configuration ``name`` sets (stored with its result; a change retrains it)."""
        return dict(self.configs[name][1])

    @abstractmethod
    def trainer(self, config: dict[str, Any], data_dir: str | None) -> Any:
        """The trainer of one configuration; ``config`` holds its config dataclass's fields."""

    def logged(self, trainer: Any) -> dict[str, Any]:
        """What a finished run keeps from its trainer beyond the evaluation points."""
        return {}

    @abstractmethod
    def row(self, result: dict[str, Any], scores: dict[str, float]) -> dict[str, Any]:
        """A configuration's row of the JSON: ``scores`` (final, best, best / blank) and its own columns."""

    @abstractmethod
    def table(self, rows: list[dict[str, Any]], blank: float) -> str:
        """The markdown table of ``rows``, the blank canvas last (printed and stored in the JSON)."""

    @abstractmethod
    def figure(self, results: list[dict[str, Any]], blank: float, minutes: float, out: Path) -> None:
        """The search's figure, written to ``out``."""

    def summary(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Extra fields of the search's JSON (after ``rows``)."""
        return {}

    @abstractmethod
    def readme(self, d: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
        """The README section's markdown and rows of the targets table, from the search's JSON ``d``."""


class SB3Search(Search):
    name, item, fields_key, minutes, configs = "sb3_search", "config", "fields", 3.0, SB3_CONFIGS
    config_class = SB3Config
    what = "configuration, SB3 on the dab-painter vector env (16 sub-envs unless stated), dense L2 reward x100"
    title, figure_alt, not_run = "SB3 PPO and SAC: the search", "SB3 search", "*not run yet*"

    def fields(self, name: str) -> dict[str, Any]:
        return sb3_fields(name)

    def trainer(self, config: dict[str, Any], data_dir: str | None) -> Any:
        return SB3Trainer(SB3Config(**config), data_dir)

    def row(self, result: dict[str, Any], scores: dict[str, float]) -> dict[str, Any]:
        head = {"config": result["config"], "algo": result["fields"]["algo"], "label": result["label"]}
        return {**head, **scores, "strokes": result["strokes"], "strokes_per_second": result["strokes_per_second"]}

    def table(self, rows: list[dict[str, Any]], blank: float) -> str:
        best = set(best_configs(rows).values())
        body = [
            [
                f"**{r['label']}** (best {r['algo'].upper()})" if r["config"] in best else r["label"],
                *score_cells(r),
                number(r["strokes"]),
                number(r["strokes_per_second"]),
            ]
            for r in rows
        ]
        header = ["configuration", "final MSE", "best MSE", "best / blank", "strokes", "strokes/s"]
        return md_table(header, [*body, blank_cells(blank, 2)])

    def figure(self, results: list[dict[str, Any]], blank: float, minutes: float, out: Path) -> None:
        """Evaluation MSE against training seconds, one line per configuration (SAC dashed)."""
        fig, ax = plt.subplots(figsize=(8.5, 4.8))
        eval_panel(ax, results, blank)
        ax.legend(fontsize=6.5)
        ax.grid(alpha=0.3)
        ax.set_title(f"SB3 on MNIST, batched dab-painter env: the search ({minutes:g} training min each)", fontsize=9)
        save(fig, out)

    def summary(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"best": best_configs(rows)}

    def readme(self, d: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
        note = (
            " Each row changes a few fields of the one above it or of the base; the best configuration of each "
            "algorithm (bold) is the one `reconstruction.py` runs."
        )
        best = {algo: next(r for r in d["rows"] if r["config"] == name) for algo, name in d["best"].items()}
        measured = ", ".join(f"{a.upper()} {r['config']} best {r['best_mse']:.4f}" for a, r in best.items())
        target = "4-8 documented configurations; the best of each algorithm used by the benchmark"
        return stored_table(d, command("sb3"), self.figure_alt, f"{self.name}.png", note), [
            ("SB3 search (mnist)", target, measured)
        ]


def spiral_diagnosis_section(d: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    """The README section of the committed SPIRAL diagnosis (``results/spiral_diagnosis.json``),
    kept as history: the in-house trainer that ran it is retired, so nothing re-runs it."""
    note = (
        " Silent strokes: the share of the training rollouts' strokes with both pressures at the floor (no "
        "paint), the collapse's symptom; training MSE: the rollouts' final canvases (sampled strokes), the last "
        "5 updates. History: the in-house SPIRAL-style trainer that ran it is retired in favour of RLlib, whose PPO "
        "learned faster at equal training time (RLlib section); SPIRAL is now RLlib's APPO with the critic's reward "
        "(RLlib's IMPALA collapses here)."
    )
    best = min((r["best_mse"] for r in d["rows"]), default=float("nan"))
    target = "a SPIRAL-style variant at or below half the blank canvas's MSE (issue 15's RL target)"
    measured = f"best {best:.4f}, blank {d['blank_mse']:.4f}: {verdict(best <= d['blank_mse'] / 2)} (retired trainer)"
    command_then = "python benchmarks/rl_search.py --method spiral, before the trainer was retired"
    return stored_table(d, command_then, "SPIRAL diagnosis", "spiral_diagnosis.png", note), [
        ("SPIRAL diagnosis (mnist)", target, measured)
    ]


#: The README section title of the SPIRAL diagnosis (history).
SPIRAL_DIAGNOSIS_TITLE = "SPIRAL-style RL: why it collapsed, and the fixes (retired trainer)"


SEARCHES: dict[str, Search] = {"sb3": SB3Search()}


def command(method: str) -> str:
    return f"python benchmarks/rl_search.py --method {method}"


# -- running the search ------------------------------------------------------------------------
def kept_result(
    path: Path, expected: dict[str, Any], fields_key: str = "", renamed: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """The result a finished run saved at ``path`` when every key of ``expected`` matches it (the run is
    kept and not repeated), else ``None`` (no file, or the setup or config changed since). Config fields
    saved under ``fields_key`` by their old names (``renamed``: the config's ``RENAMED_FIELDS``) compare
    by their new names."""
    if not path.exists():
        return None
    done = json.loads(path.read_text())
    saved = dict(done)
    if isinstance(saved.get(fields_key), dict):
        saved[fields_key] = {(renamed or {}).get(k, k): v for k, v in saved[fields_key].items()}
    if any(saved.get(k) != v for k, v in expected.items()):
        return None
    print(f"{path.stem}: finished before, kept ({path})")
    return done


def train_for_budget(trainer: Any, minutes: float, eval_seconds: float) -> dict[str, Any]:
    """Run a trainer (resuming from its run folder) for ``minutes`` of training time, evaluating every
    ``eval_seconds`` seconds; returns its evaluation points, strokes painted, training seconds and strokes/s."""
    start = time.perf_counter()
    points = trainer.run(minutes * 60, eval_every_seconds=eval_seconds)
    strokes, seconds = trainer.strokes, trainer.elapsed
    return {
        "points": [p.as_dict() for p in points],
        "strokes": strokes,
        "training_seconds": seconds,
        "strokes_per_second": strokes / seconds if seconds else math.nan,
        "wall_seconds": time.perf_counter() - start,
    }


def run_config(search: Search, name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Train one configuration for the budget (resuming its run); returns its result, saved as
    ``folder/<name>.json``. A result saved before with the same setup and fields is kept instead."""
    path = folder / f"{name}.json"
    setup = {"minutes": args.minutes, "images": args.images, "dataset": args.dataset, "seed": args.seed}
    label, fields = search.configs[name][0], search.fields(name)
    renamed = search.config_class.renamed
    done = kept_result(path, {"setup": setup, search.fields_key: fields}, search.fields_key, renamed)
    if done is not None:
        return done
    print(f"== {name}: {label}", flush=True)
    run_dir = str(Path(args.runs) / name)
    config = {"task": args.dataset, "run_dir": run_dir, "eval_images": args.images, "threads": args.threads}
    with search.trainer({**config, "seed": args.seed, **fields}, args.data_dir) as trainer:
        run = train_for_budget(trainer, args.minutes, args.eval_seconds)
        logged = search.logged(trainer)
    result = {search.item: name, "label": label, search.fields_key: fields, "setup": setup, **logged, **run}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(result, indent=1) + "\n")
    return result


def summary_rows(search: Search, results: list[dict[str, Any]], blank: float) -> list[dict[str, Any]]:
    """One row per configuration: final and best evaluation MSE, best over blank, and the method's own columns."""
    rows = []
    for r in results:
        mses = [p["mse"] for p in r["points"]]
        best = min(mses) if mses else math.nan
        scores = {"final_mse": mses[-1] if mses else math.nan, "best_mse": best, "best_vs_blank": best / blank}
        rows.append(search.row(r, scores))
    return rows


def best_configs(rows: list[dict[str, Any]]) -> dict[str, str]:
    """algo -> the name of its configuration with the lowest best MSE (the SB3 search)."""
    best: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["algo"] not in best or r["best_mse"] < best[r["algo"]]["best_mse"]:
            best[r["algo"]] = r
    return {algo: r["config"] for algo, r in best.items()}


def score_cells(r: dict[str, Any]) -> list[str]:
    return [f"{r['final_mse']:.4f}", f"{r['best_mse']:.4f}", f"{r['best_vs_blank']:.2f}"]


def blank_cells(blank: float, dashes: int) -> list[str]:
    """The table's last row: the blank canvas, at 1.00 of itself, "-" in the method's own columns."""
    return ["blank canvas", f"{blank:.4f}", f"{blank:.4f}", "1.00", *["-"] * dashes]


# -- figures -----------------------------------------------------------------------------------
def blank_lines(ax: plt.Axes, blank: float) -> None:
    ax.axhline(blank, color="k", ls="--", lw=1, label="blank canvas")
    ax.axhline(blank / 2, color="gray", ls=":", lw=1, label="half of blank (issue 15 target)")


def eval_panel(ax: plt.Axes, results: list[dict[str, Any]], blank: float) -> list[str]:
    """Evaluation MSE against training seconds, a line per configuration (SAC dashed), blank and
    half-blank drawn; returns the lines' colours."""
    colours = []
    for r in results:
        pts = r["points"]
        style = "--" if r.get("fields", {}).get("algo") == "sac" else "-"
        (line,) = ax.plot([p["seconds"] for p in pts], [p["mse"] for p in pts], style, marker=".", label=r["label"])
        colours.append(line.get_color())
    blank_lines(ax, blank)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_xlabel("training seconds")
    ax.set_ylabel("MyPaint replay MSE (eval images)")
    return colours


def save(fig: plt.Figure, out: Path) -> None:
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


# -- command line and README -------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; ``--configs``, ``--minutes`` and ``--runs`` default to the method's."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", required=True, choices=SEARCHES, help="the RL method whose configurations to run")
    parser.add_argument("--configs", nargs="+", default=None, help="which configurations (default: all; methods.py)")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--minutes", type=float, default=None, help="training minutes per configuration (sb3: 3)")
    parser.add_argument("--images", type=int, default=64, help="evaluation images")
    parser.add_argument(  # --eval-every: its old name (docs/glossary.md)
        "--eval-seconds", "--eval-every", type=float, default=30.0, help="longest gap between evaluations, seconds"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", default=None, help="run folders (checkpoints; resumable; default runs/<name>)")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    search = SEARCHES[args.method]
    args.configs = args.configs or list(search.configs)
    unknown = [c for c in args.configs if c not in search.configs]
    if unknown:
        parser.error(f"--method {args.method} has no configuration {', '.join(unknown)}: {', '.join(search.configs)}")
    args.minutes = search.minutes if args.minutes is None else args.minutes
    args.runs = args.runs or f"runs/{search.name}"
    if args.minutes <= 0 or args.images < 1:
        parser.error("--minutes and --images must be positive")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    search = SEARCHES[args.method]
    out = Path(args.out)
    m = machine()
    blank = blank_row(eval_targets(args.dataset, args.images, 64, args.data_dir)).mypaint
    results = [run_config(search, c, args, out / search.name) for c in args.configs]
    rows = summary_rows(search, results, blank)
    table = search.table(rows, blank)
    header = (
        f"{args.dataset}, 8 strokes, {args.images} eval images, {args.minutes:g} training min per {search.what}; "
        f"{describe(m)}."
    )
    print(header)
    print(table)
    payload = {"header": header, "blank_mse": blank, "rows": rows, **search.summary(rows)}
    payload.update(results=results, machine=m, table=table)
    write_json(search.name, payload, out)
    search.figure(results, blank, args.minutes, out / f"{search.name}.png")
    print(f"wrote {out / (search.name + '.json')} and {out / (search.name + '.png')}")
    return payload


def readme_sections(results: Path) -> list[Section]:
    """The README's sections: the SPIRAL diagnosis (history), then the SB3 search."""
    diagnosis = read_result(results, "spiral_diagnosis")
    sections = [] if diagnosis is None else [Section(SPIRAL_DIAGNOSIS_TITLE, *spiral_diagnosis_section(diagnosis))]
    for search in (SEARCHES["sb3"],):
        d = read_result(results, search.name)
        sections.append(
            Section(search.title, search.not_run, []) if d is None else Section(search.title, *search.readme(d))
        )
    return sections


if __name__ == "__main__":
    main()
