"""Neural envs in worker processes: torch's default threads against one thread per worker (issue 26).

A worker process that runs torch at its default thread count (one per core) competes with every
other worker for the same cores. paint_gym runs a neural env's torch on one thread in any worker
process (:mod:`paint_gym.forksafe`), whatever the start method; ``PAINT_GYM_WORKER_THREADS=0``
gives torch's default back (what every spawn and forkserver worker ran before), so this script
measures both, one engine after the other, with the same random strokes:

* Stable-Baselines3's ``SubprocVecEnv`` (forkserver) of ``NeuralPaintEnv``s, strokes/s;
* Gymnasium's ``AsyncVectorEnv`` with the spawn start method, strokes/s;
* TorchRL's ``GymEnv(id, num_envs=N)`` (its own worker processes), frames/s;
* and one process stepping one env, for scale.

Outputs ``results/worker_threads.json`` and the table printed.

    flock /tmp/heavy.lock python benchmarks/worker_threads.py                 # about 3 minutes here
    python benchmarks/worker_threads.py --seconds 2 --workers 2 --out /tmp/w    # a smoke test
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from common import RESULTS, Section, describe, machine, read_result, write_json

import paint_gym
from paint_gym.forksafe import WORKER_THREADS

ID = "paint_gym:NeuralPaint-MNIST-v0"  # spawned workers import paint_gym through the id
SETTINGS = {"torch default (before)": "0", "one thread (now)": None}


def timed(step: Callable[[], int], seconds: float) -> float:
    """Strokes per second of ``step()`` (returns strokes painted) over about ``seconds``, after 3 warm-up calls."""
    for _ in range(3):
        step()
    strokes, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        strokes += step()
    return strokes / (time.perf_counter() - start)


def single(workers: int, seconds: float) -> float:
    env = gym.make(ID, disable_env_checker=True)
    env.reset(seed=0)

    def step() -> int:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
        return 1

    try:
        return timed(step, seconds)
    finally:
        env.close()


def sb3_subproc(workers: int, seconds: float) -> float:
    from stable_baselines3.common.vec_env import SubprocVecEnv

    venv = SubprocVecEnv([lambda: gym.make(ID, disable_env_checker=True)] * workers, start_method="forkserver")
    venv.reset()
    actions = np.zeros((workers, 12), np.float32)

    def step() -> int:
        venv.step(np.clip(actions + np.random.default_rng().uniform(-1, 1, actions.shape), -1, 1).astype(np.float32))
        return workers

    try:
        return timed(step, seconds)
    finally:
        venv.close()


def gymnasium_spawn(workers: int, seconds: float) -> float:
    envs = gym.make_vec(ID, workers, vectorization_mode="async", vector_kwargs={"context": "spawn"})
    envs.reset(seed=0)

    def step() -> int:
        envs.step(envs.action_space.sample())
        return workers

    try:
        return timed(step, seconds)
    finally:
        envs.close()


def torchrl_gym_env(workers: int, seconds: float) -> float:
    from torchrl.envs import GymEnv

    env = GymEnv(ID, num_envs=workers)
    env.rollout(2)

    def step() -> int:
        return env.rollout(10, break_when_any_done=False).numel()

    try:
        return timed(step, seconds)
    finally:
        env.close()


ENGINES: dict[str, Callable[[int, float], float]] = {
    "one process, one env": single,
    "SB3 SubprocVecEnv (forkserver)": sb3_subproc,
    "Gymnasium async (spawn)": gymnasium_spawn,
    "TorchRL GymEnv(num_envs)": torchrl_gym_env,
}


def measure_in_fresh_process(engine: str, setting: str | None, args: argparse.Namespace) -> float:
    """Strokes/s of ``engine`` measured in a fresh Python process whose ``PAINT_GYM_WORKER_THREADS``
    is ``setting`` (None: unset). A fresh process per reading, because multiprocessing's
    forkserver is started once per process and keeps the environment it started with: in one
    process the second setting's SubprocVecEnv workers would still run the first's."""
    env = {k: v for k, v in os.environ.items() if k != WORKER_THREADS}
    if setting is not None:
        env[WORKER_THREADS] = setting
    cmd = [sys.executable, __file__, "--one", engine, "--workers", str(args.workers), "--seconds", str(args.seconds)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} ({WORKER_THREADS}={setting}) failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every engine under every setting of ``PAINT_GYM_WORKER_THREADS``, each in a fresh process;
    one row each."""
    rows = []
    for engine in ENGINES:
        if engine.startswith("TorchRL") and importlib.util.find_spec("torchrl") is None:
            print(f"== {engine}: torchrl is not installed, skipped", flush=True)
            continue
        for setting, value in SETTINGS.items():
            if engine.startswith("one process") and value is not None:
                continue  # the main process is never changed
            rate = measure_in_fresh_process(engine, value, args)
            rows.append({"engine": engine, "setting": setting, "workers": args.workers, "strokes_per_second": rate})
            print(f"== {engine}, {setting}: {rate:,.0f} strokes/s", flush=True)
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = ["| engine | torch default (before), strokes/s | one thread (now), strokes/s | now / before |"]
    lines.append("|---|---|---|---|")
    for engine in dict.fromkeys(r["engine"] for r in rows):
        by = {r["setting"]: r["strokes_per_second"] for r in rows if r["engine"] == engine}
        before, now = by.get("torch default (before)"), by.get("one thread (now)", by.get(None))
        if engine.startswith("one process"):
            lines.append(f"| {engine} (main process, unchanged) | {by[next(iter(by))]:,.0f} | - | - |")
            continue
        ratio = f"{now / before:.2f}x" if before and now else "-"
        cells = [f"{v:,.0f}" if v else "-" for v in (before, now)]
        lines.append(f"| {engine} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(lines)


def readme_sections(results: Path) -> list[Section]:
    """The README's section: the stored header and table, the command, and what the two settings are."""
    title = "Neural envs in worker processes: torch's threads"
    d = read_result(results, "worker_threads")
    if d is None:
        return [Section(title, "*not run yet*", [])]
    md = "\n\n".join(
        [
            f"{d['header']} (`python benchmarks/worker_threads.py`). Before: torch's default thread count in every "
            f"worker process (`{WORKER_THREADS}=0`); now: one torch thread per worker (`paint_gym.forksafe`). "
            "TorchRL's rate counts frames, one stroke of one sub-env each.",
            d["table"],
        ]
    )
    return [Section(title, md, [])]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4, help="worker processes (sub-envs) per engine")
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per engine and setting")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--one", choices=list(ENGINES), help=argparse.SUPPRESS)  # one reading, in this process
    args = parser.parse_args(argv)
    if args.workers < 1 or args.seconds <= 0:
        parser.error("--workers must be >= 1 and --seconds positive")
    paint_gym.load_painter("dab")  # the shipped painter is found before the workers start
    if args.one:
        print(ENGINES[args.one](args.workers, args.seconds))
        return {}
    m = machine()
    rows = measure(args)
    table = format_rows(rows)
    header = (
        f"NeuralPaint-MNIST-v0 (dab painter, 64 px), {args.workers} worker processes, random strokes, "
        f"{args.seconds:g} timed s each; {describe(m)}."
    )
    print(header)
    print(table)
    path = write_json("worker_threads", {"header": header, "rows": rows, "table": table, "machine": m}, Path(args.out))
    print(f"wrote {path}")
    return {"rows": rows, "table": table}


if __name__ == "__main__":
    main()
