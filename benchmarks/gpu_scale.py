"""The batched env on a device at RL scale: env strokes/s and PPO strokes/s at N = 1k-16k (issue 26).

Measures, for each ``N`` in ``--num-envs`` on ``--device``: the tensor-mode vector env
(``gym.make_vec("NeuralPaint-MNIST-v0", N, device=DEV, tensors=True)``) stepped with random
tensor strokes (env strokes/s, nothing read back to the host), and one-file PPO
(``paint_gym_agents.torch_ppo``) trained on it (strokes/s with updates). ``--cpu-num-envs`` runs
the same on the CPU beside it. Outputs ``results/gpu_scale.json`` (rows, the machine, the
device) and the table printed.

    python benchmarks/gpu_scale.py --device cuda                                 # the GPU run (a few minutes)
    python benchmarks/gpu_scale.py --device cpu --num-envs 64 256 --cpu-num-envs  # CPU only, small N
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import torch
from common import RESULTS, Section, describe, machine, read_result, write_json

import paint_gym  # noqa: F401  (registers the ids)
from paint_gym_agents.torch_ppo import PPOArgs, train


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def env_rate(num_envs: int, device: str, seconds: float) -> float:
    """Strokes per second of the tensor-mode env, random strokes made on the device."""
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs, device=device, tensors=True)
    envs.reset(seed=0)
    dev = envs.unwrapped.device
    actions = lambda: torch.rand(num_envs, 12, device=dev) * 2 - 1  # noqa: E731
    for _ in range(3):
        envs.step(actions())
    sync(dev)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        envs.step(actions())
        steps += 1
    sync(dev)
    envs.close()
    return steps * num_envs / (time.perf_counter() - start)


def ppo_rate(num_envs: int, device: str, iterations: int) -> float:
    """Strokes per second of PPO (rollout, advantages, update) on the tensor-mode env, after one warm-up iteration."""
    args = PPOArgs(num_envs=num_envs, device=device, total_strokes=(iterations + 1) * num_envs * 16)
    history = train(args)
    rates = [row["strokes_per_second"] for row in history[1:]]
    return sum(rates) / len(rates)


def measure(device: str, sizes: list[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        row = {"device": device, "num_envs": n}
        try:
            row["env_strokes_per_second"] = env_rate(n, device, args.seconds)
            row["ppo_strokes_per_second"] = ppo_rate(n, device, args.iterations)
        except torch.OutOfMemoryError as exc:  # the largest N may not fit: say so, go on
            row["error"] = f"out of memory: {exc}".splitlines()[0]
        rows.append(row)
        print(row, flush=True)
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = ["| device | N | env strokes/s | PPO strokes/s (updates included) |", "|---|---|---|---|"]
    for r in rows:
        cells = [
            f"{r[k]:,.0f}" if k in r else r.get("error", "-")
            for k in ("env_strokes_per_second", "ppo_strokes_per_second")
        ]
        lines.append(f"| {r['device']} | {r['num_envs']:,} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def readme_sections(results: Path) -> list[Section]:
    """The README's section: the stored header and table (the CPU rows alone where no GPU ran) and the command."""
    title = "The batched env on a device at RL scale"
    command = "python benchmarks/gpu_scale.py --device cuda"
    d = read_result(results, "gpu_scale")
    if d is None:
        return [Section(title, f"*not run yet* (`{command}`)", [])]
    note = "" if d.get("gpu") else f" No GPU ran: CPU figures only; the GPU run is `{command}`."
    return [Section(title, "\n\n".join([f"{d['header']} (`python benchmarks/gpu_scale.py`).{note}", d["table"]]), [])]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--num-envs", type=int, nargs="+", default=[1024, 4096, 16384])
    parser.add_argument("--cpu-num-envs", type=int, nargs="*", default=None, help="CPU sizes beside (default: 64 256)")
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds of env stepping per N")
    parser.add_argument(
        "--iterations", type=int, default=2, help="timed PPO iterations per N (16 strokes per env each)"
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    rows = measure(args.device, args.num_envs, args)
    cpu_sizes = [64, 256] if args.cpu_num_envs is None or args.cpu_num_envs == [] else args.cpu_num_envs
    if args.device != "cpu":
        rows += measure("cpu", cpu_sizes, args)
    m = machine()
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else None
    header = f"NeuralPaint-MNIST-v0 (dab, 64 px), tensors=True; {describe(m)}" + (f"; GPU {gpu}" if gpu else "") + "."
    table = format_rows(rows)
    print(header)
    print(table)
    path = write_json(
        "gpu_scale", {"header": header, "rows": rows, "table": table, "machine": m, "gpu": gpu}, Path(args.out)
    )
    print(f"wrote {path}")
    return {"rows": rows, "table": table}


if __name__ == "__main__":
    main()
