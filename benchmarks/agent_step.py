"""Agent training step by painter: the backprop agent's step through the GAN and the dab painter.

The dab painter issue's target: a training step of the backprop agent (CelebA, 16 targets x 15
strokes, expected-error objective) at least 2x faster through the dab painter than through the
GAN. Both painters are timed in the same run, alternating round by round (the machine is noisy),
at 1 and 2 torch threads. For each, the painter's own share of the step is measured the same
way (its forward and backward over the step's strokes, alone), and torch's profiler lists the
operations where the rest goes.

    python benchmarks/agent_step.py            # about 3 minutes on 2 cores
    python benchmarks/agent_step.py --quick    # a trial run: results under /tmp

Writes ``results/agent_step.json`` and ``results/agent_step.png``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from common import RESULTS, Section, describe, machine, machine_line, md_table, read_result, verdict, write_json

from paint_gym.canvas import to_float_tensor
from paint_gym_agents.backprop import BackpropConfig, BackpropTrainer

PAINTERS = ("gan", "dab")


def _trainer(painter: str, args: argparse.Namespace, run_dir: str) -> BackpropTrainer:
    config = BackpropConfig(
        task=args.dataset,
        strokes=args.strokes,
        painter=painter,
        batch_size=args.batch,
        lr=1e-4,
        run_dir=run_dir,
        eval_images=16,
    )
    return BackpropTrainer(config)


def _painter_seconds(trainer: BackpropTrainer, n: int) -> float:
    """Forward + backward of the painter alone over ``n`` random strokes (the step's count)."""
    actions = (torch.rand(n, 12) * 2 - 1).requires_grad_(True)
    t0 = time.perf_counter()
    mean, var = trainer.painter.render_alpha(actions, return_var=True)
    (mean.sum() + var.sum()).backward()
    return time.perf_counter() - t0


def _top_ops(trainer: BackpropTrainer, target: torch.Tensor, rows: int = 6) -> list[dict[str, Any]]:
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(2):
            trainer.train_step(target)
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events) or 1.0
    return [{"op": e.key, "share": e.self_cpu_time_total / total} for e in events[:rows]]


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        trainers = {p: _trainer(p, args, f"{tmp}/{p}") for p in PAINTERS}
        target = to_float_tensor(trainers["gan"].train_images[: args.batch])
        n_strokes = args.batch * args.strokes
        for threads in args.threads:
            torch.set_num_threads(threads)
            steps: dict[str, list[float]] = {p: [] for p in PAINTERS}
            paint: dict[str, list[float]] = {p: [] for p in PAINTERS}
            for p in PAINTERS:  # warm-up
                trainers[p].train_step(target)
            for _ in range(args.rounds):
                for p in PAINTERS:
                    t0 = time.perf_counter()
                    trainers[p].train_step(target)
                    steps[p].append(time.perf_counter() - t0)
                    paint[p].append(_painter_seconds(trainers[p], n_strokes))
            for p in PAINTERS:
                step, painter = statistics.median(steps[p]), statistics.median(paint[p])
                rows.append({"painter": p, "threads": threads, "step_s": step, "painter_s": painter})
                print(f"{threads} thread(s), {p}: {step:.3f} s per step, painter alone {painter:.3f} s")
        top = {p: _top_ops(trainers[p], target) for p in PAINTERS}
    for threads in args.threads:
        gan, dab = (next(r for r in rows if r["painter"] == p and r["threads"] == threads) for p in PAINTERS)
        dab["speedup_vs_gan"] = gan["step_s"] / dab["step_s"]
    return {
        "machine": machine(),
        "args": vars(args),
        "rows": rows,
        "top_ops": top,
        "target_speedup": 2.0,
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"Agent training step ({result['args']['dataset']}, {result['args']['batch']} targets x "
        f"{result['args']['strokes']} strokes), median of {result['args']['rounds']} rounds; "
        f"{describe(result['machine'])}",
        "",
        "| threads | painter | s per step | painter alone (fwd+bwd) | share of the step | step speed-up vs GAN |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        speed = f"{r['speedup_vs_gan']:.2f}x" if "speedup_vs_gan" in r else "1 (reference)"
        lines.append(
            f"| {r['threads']} | {r['painter']} | {r['step_s']:.3f} | {r['painter_s']:.3f} s | "
            f"{r['painter_s'] / r['step_s']:.0%} | {speed} |"
        )
    lines.append("")
    for p, ops in result["top_ops"].items():
        lines.append(
            f"{p} step, top operations by self CPU time: " + ", ".join(f"{o['op']} {o['share']:.0%}" for o in ops)
        )
    return "\n".join(lines)


def figure(result: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    threads = result["args"]["threads"]
    width = 0.38
    for i, p in enumerate(PAINTERS):
        rows = [next(r for r in result["rows"] if r["painter"] == p and r["threads"] == t) for t in threads]
        xs = [j + (i - 0.5) * width for j in range(len(threads))]
        ax.bar(xs, [r["step_s"] for r in rows], width, label=f"{p}: whole step", color=f"C{i}", alpha=0.5)
        ax.bar(xs, [r["painter_s"] for r in rows], width, label=f"{p}: painter alone", color=f"C{i}")
    ax.set_xticks(range(len(threads)), [f"{t} thread(s)" for t in threads])
    ax.set_ylabel("seconds per training step")
    ax.set_title("Backprop agent step, CelebA 16 x 15 strokes")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="celeba")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--strokes", type=int, default=15)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="a trial run (2 rounds, 1 thread), results under /tmp")
    args = parser.parse_args()
    folder = RESULTS
    if args.quick:
        args.rounds, args.threads, args.batch, args.strokes = 2, [1], 4, 3
        folder = Path(tempfile.mkdtemp(prefix="agent_step_"))
    result = run(args)
    print(table(result))
    write_json("agent_step", result, folder)
    figure(result, folder / "agent_step.png")
    print(f"wrote {folder / 'agent_step.json'} and {folder / 'agent_step.png'}")


def readme_sections(results: Path) -> list[Section]:
    """The README's section: step and painter seconds by painter and threads, the top operations, the target."""
    d = read_result(results, "agent_step")
    if d is None:
        return [Section("Agents: a training step by painter", "*not run*", [])]
    a = d["args"]
    rows = [
        [
            r["threads"],
            r["painter"],
            f"{r['step_s']:.3f}",
            f"{r['painter_s']:.3f}",
            f"{r['painter_s'] / r['step_s']:.0%}",
            f"{r['speedup_vs_gan']:.2f}x" if "speedup_vs_gan" in r else "1 (reference)",
        ]
        for r in d["rows"]
    ]
    ops = [
        f"{p} step, top operations by self CPU time: " + ", ".join(f"`{o['op']}` {o['share']:.0%}" for o in top)
        for p, top in d["top_ops"].items()
    ]
    md = "\n\n".join(
        [
            f"A backprop agent's training step ({a['dataset']}, {a['batch']} targets x {a['strokes']} strokes, "
            f"expected error), through each painter in the same run, alternating, median of {a['rounds']} rounds "
            f"(`python benchmarks/agent_step.py`; {machine_line(d)}). Painter alone: the painter's forward and "
            "backward over the step's strokes by themselves.",
            md_table(
                ["threads", "painter", "s per step", "painter alone (s)", "share of the step", "speed-up vs GAN"], rows
            ),
            "\n".join(f"- {line}" for line in ops),
            "![agent step](results/agent_step.png)",
        ]
    )
    best = max((r["speedup_vs_gan"] for r in d["rows"] if "speedup_vs_gan" in r), default=float("nan"))
    target = d.get("target_speedup", 2.0)
    return [
        Section(
            "Agents: a training step by painter",
            md,
            [
                (
                    "agent step",
                    f"dab agent step >= {target:g}x faster than the GAN's",
                    f"{best:.2f}x: {verdict(best >= target)}",
                )
            ],
        )
    ]


if __name__ == "__main__":
    main()
