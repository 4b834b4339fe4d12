"""How fast each RL baseline trains on the batched dab-painter env and on MyPaint (issue 15).

The world model's promise for RL is speed: the dab painter paints every sub-env's stroke in one
call, where MyPaint renders one stroke at a time in C (one after the other in SB3's
DummyVecEnv). This script trains each SB3 method of
``benchmarks/reconstruction.py``, with the configuration the benchmark uses (``methods.py``), for
``--seconds`` of training wall-clock on each env, one run after the other, and reports strokes painted per
training second (policy updates included, evaluation excluded) side by side.

On MyPaint SB3 runs 16 envs in a DummyVecEnv; everything else is the benchmark's configuration.
The committed results also hold the rows of the retired in-house SPIRAL-style trainer (2 MyPaint
worker processes x 8 episodes per update), measured before it was retired; the RLlib methods'
strokes/s are in ``rllib_scaling.py`` (they train in the RLlib venv).

Outputs: ``results/rl_throughput.json`` (rows, the machine), ``rl_throughput.png`` (bars) and
the table printed.

    python benchmarks/rl_throughput.py                       # 2 methods x 2 envs x 60 s, about 5 min here
    python benchmarks/rl_throughput.py --methods sb3-ppo --seconds 5 --out /tmp/t   # a smoke test
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any

import matplotlib
from common import RESULTS, Section, describe, machine, read_result, stored_table, write_json
from methods import METHODS, make_trainer, method_config

from paint_gym.envs.task import task_spec

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

RL = ("sb3-ppo", "sb3-sac")
ENVS = ("neural", "mypaint")


def config_on(key: str, env: str, args: argparse.Namespace, run_dir: Path) -> Any:
    """The benchmark's config of ``key``, moved to ``env`` ("neural" or "mypaint")."""
    config = method_config(key, args, run_dir)
    if env == "neural":
        return config
    return dataclasses.replace(config, env="mypaint")


def measure(key: str, env: str, args: argparse.Namespace) -> dict[str, Any]:
    """Train ``key`` on ``env`` for ``args.seconds`` from scratch; strokes per training second."""
    with tempfile.TemporaryDirectory() as tmp:
        config = config_on(key, env, args, Path(tmp))
        start = time.perf_counter()
        with make_trainer(key, config, args.data_dir) as trainer:
            trainer.run(args.seconds, eval_every_seconds=10**9, progress=False)
            strokes, seconds = trainer.strokes, trainer.elapsed
    return {
        "method": key,
        "label": METHODS[key],
        "env": env,
        "strokes": strokes,
        "training_seconds": seconds,
        "strokes_per_second": strokes / seconds,
        "wall_seconds": time.perf_counter() - start,
    }


def format_rows(rows: list[dict[str, Any]]) -> str:
    by = {(r["method"], r["env"]): r for r in rows}
    lines = ["| method | dab-painter env, strokes/s | MyPaint env, strokes/s | dab / MyPaint |", "|---|---|---|---|"]
    for key in dict.fromkeys(r["method"] for r in rows):
        neural, mypaint = by.get((key, "neural")), by.get((key, "mypaint"))
        cells = [f"{r['strokes_per_second']:,.0f}" if r else "-" for r in (neural, mypaint)]
        ratio = f"{neural['strokes_per_second'] / mypaint['strokes_per_second']:.1f}x" if neural and mypaint else "-"
        lines.append(f"| {METHODS[key]} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(lines)


def figure(rows: list[dict[str, Any]], out: Path) -> None:
    keys = list(dict.fromkeys(r["method"] for r in rows))
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    width = 0.38
    for i, env in enumerate(ENVS):
        values = [
            next((r["strokes_per_second"] for r in rows if r["method"] == k and r["env"] == env), 0) for k in keys
        ]
        label = "dab-painter env (batched)" if env == "neural" else "MyPaint env"
        ax.bar([j + (i - 0.5) * width for j in range(len(keys))], values, width, label=label)
    ax.set_xticks(range(len(keys)), [METHODS[k] for k in keys], fontsize=7)
    ax.set_ylabel("strokes painted per training second")
    ax.set_title("RL training throughput, MNIST (updates included)", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def readme_sections(results: Path) -> list[Section]:
    """The README's section: the stored header and table, the command, the figure."""
    title = "RL throughput: dab-painter env against MyPaint"
    d = read_result(results, "rl_throughput")
    if d is None:
        return [Section(title, "*not run yet*", [])]
    md = stored_table(d, "python benchmarks/rl_throughput.py", "RL throughput", "rl_throughput.png")
    return [Section(title, md, [])]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", nargs="+", default=list(RL), choices=RL)
    parser.add_argument("--envs", nargs="+", default=list(ENVS), choices=ENVS)
    parser.add_argument("--dataset", default="mnist", choices=["mnist", "kmnist", "celeba"])
    parser.add_argument("--seconds", type=float, default=60.0, help="training seconds per method and env")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    args.strokes, args.images, args.budget = task_spec(args.dataset).episode_length, 4, 1.0
    m = machine()
    rows = []
    for key in args.methods:
        for env in args.envs:
            print(f"== {METHODS[key]} on the {env} env", flush=True)
            rows.append(measure(key, env, args))
            print(f"   {rows[-1]['strokes_per_second']:,.0f} strokes/s", flush=True)
    table = format_rows(rows)
    header = (
        f"{args.dataset}, {args.strokes}-stroke episodes, {args.seconds:g} training s per method and env, "
        f"the reconstruction benchmark's configurations; {describe(m)}."
    )
    print(header)
    print(table)
    out = Path(args.out)
    write_json("rl_throughput", {"header": header, "rows": rows, "table": table, "machine": m}, out)
    figure(rows, out / "rl_throughput.png")
    print(f"wrote {out / 'rl_throughput.json'} and {out / 'rl_throughput.png'}")
    return {"rows": rows, "table": table}


if __name__ == "__main__":
    main()
