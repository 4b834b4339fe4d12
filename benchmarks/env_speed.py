"""Strokes per second of the real painter, from the bare binding up to a vector env.

Side by side in one run, single process unless stated, classic/dry_brush, uniform random
actions, at 64/128/256 px:

* ``bare binding``    - ``Brush.stroke`` on one surface: the ctypes calls and libmypaint's work,
                        no action mapping, no seeding, no read-back (the ceiling);
* ``render_alpha``    - ``MyPaintPainter.render_alpha``: each stroke alone on a cleared surface,
                        reseeded, alpha read back;
* ``MyPaintEnv.step`` - the env itself (validation, painting on the persistent surface, canvas
                        update, reward);
* ``gym.make step``   - the same through ``gym.make`` (its checker and order wrappers);
* ``AsyncVectorEnv``  - 2 worker processes (total strokes/s; this machine has 2 cores).

Then the batched neural env (``NeuralPaintVectorEnv``) beside ``MyPaintEnv.step`` in the same
run: ``step`` (forward only) and the differentiable path (``paint``, i.e.
``paint_gym.canvas.paint_differentiable``, + a loss + ``backward``), in strokes/s:

* at batch 64 with each painter of ``--painters`` (the shipped GAN and VAE, trained at 64 px and
  resized to larger canvases; the dab painter, which renders every size natively) at every size;
* at 64 px with ``--painter`` at batch 1, 16, 64 and 256.

Methods are interleaved over ``--rounds`` rounds and the median rate is reported, because the
machine is noisy. Then 100,000 strokes go through one env with RSS measured before and after.

    python benchmarks/env_speed.py            # about 9 minutes here
    python benchmarks/env_speed.py --dab runs/dab_dry_brush/painter.pt
    python benchmarks/env_speed.py --quick --out /tmp/speed   # seconds: a trial run
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import psutil
from common import (
    RESULTS,
    Section,
    describe,
    load_dab,
    machine,
    machine_line,
    md_table,
    number,
    read_result,
    verdict,
    write_json,
)
from tqdm import tqdm

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym import actions as act
from paint_gym.canvas import mse
from paint_gym.envs import MyPaintEnv
from paint_gym.painters.mypaint import Brush, MyPaintPainter, Surface

METHODS = ("bare binding", "render_alpha", "MyPaintEnv.step", "gym.make step", "AsyncVectorEnv x2")
NEURAL_BATCHES = (1, 16, 64, 256)
#: The batch of the painter-by-size table and of the targets.
TARGET_BATCH = 64
#: Targets at 64 px, batch 64: (painter, kind, minimum ratio to MyPaintEnv.step).
NEURAL_TARGETS = (("gan", "forward", 3.0), ("dab", "forward", 5.0), ("dab", "forward+backward", 2.0))


def bare_binding(size: int, actions: np.ndarray) -> Callable[[], float]:
    brush, surface = Brush(), Surface(size, size)
    strokes = act.to_physical(actions, size)
    xs, ys = strokes.points[..., 0].tolist(), strokes.points[..., 1].tolist()
    ps, radii = strokes.pressures.tolist(), strokes.radius.tolist()

    def run() -> float:
        start = time.perf_counter()
        for i in range(len(radii)):
            brush.set_radius(radii[i])
            brush.stroke(surface, xs[i], ys[i], ps[i])
        return len(radii) / (time.perf_counter() - start)

    return run


def render_alpha(size: int, actions: np.ndarray) -> Callable[[], float]:
    painter = MyPaintPainter(size, seed=0)

    def run() -> float:
        start = time.perf_counter()
        painter.render_alpha(actions)
        return len(actions) / (time.perf_counter() - start)

    return run


def env_steps(env: gym.Env, actions: np.ndarray) -> Callable[[], float]:
    """One long episode per run, so only ``step`` is timed (strokes land on one surface, as in
    the bare binding)."""

    def run() -> float:
        env.reset(seed=0)
        start = time.perf_counter()
        for a in actions:
            env.step(a)
        return len(actions) / (time.perf_counter() - start)

    return run


def vector_steps(size: int, actions: np.ndarray, n: int) -> tuple[Callable[[], float], gym.vector.VectorEnv]:
    envs = gym.vector.AsyncVectorEnv(
        [lambda: gym.make("MyPaint-Strokes-v0", canvas_size=size, episode_length=10**9) for _ in range(n)]
    )
    batches = actions[: len(actions) // n * n].reshape(-1, n, 12)

    def run() -> float:
        envs.reset(seed=0)
        start = time.perf_counter()
        for a in batches:
            envs.step(a)
        return batches.size / 12 / (time.perf_counter() - start)

    return run, envs


def measure_speed(sizes: list[int], strokes: int, rounds: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    rng = np.random.default_rng(0)
    for size in sizes:
        n = max(200, strokes * 64 // size)  # fewer strokes on larger canvases (each costs more)
        actions = rng.uniform(-1, 1, (n, 12)).astype(np.float32)
        env = MyPaintEnv("Strokes", canvas_size=size, episode_length=10**9)
        made = gym.make("MyPaint-Strokes-v0", canvas_size=size, episode_length=10**9)
        vec_run, vec = vector_steps(size, actions, 2)
        runners = {
            "bare binding": bare_binding(size, actions),
            "render_alpha": render_alpha(size, actions),
            "MyPaintEnv.step": env_steps(env, actions),
            "gym.make step": env_steps(made, actions),
            "AsyncVectorEnv x2": vec_run,
        }
        rates: dict[str, list[float]] = {m: [] for m in METHODS}
        for _ in tqdm(range(rounds), desc=f"{size} px", leave=False):
            for method in METHODS:  # interleaved, so drifts in machine load hit every method alike
                rates[method].append(runners[method]())
        results[str(size)] = {m: statistics.median(r) for m, r in rates.items()}
        vec.close()
        env.close()
        made.close()
    return results


def neural_runners(painter: Any, batch: int, strokes: int, size: int = 64) -> dict[str, Callable[[], float]]:
    """Forward (``step``) and forward+backward (``paint`` + MSE + ``backward``) runners of a
    ``NeuralPaintVectorEnv`` of ``batch`` sub-envs at ``size`` px; ``painter`` a name or an object."""
    import torch  # lazy: the MyPaint speed and memory measurements run without torch loaded

    from paint_gym.envs.neural_env import NeuralPaintVectorEnv  # lazy: (torch, as above)

    env = NeuralPaintVectorEnv(batch, "MNIST", painter=painter, canvas_size=size, episode_length=10**9)
    env.reset(seed=0)
    steps = max(3, strokes // batch)
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (steps, batch, 12)).astype(np.float32)
    target = torch.rand(batch, 3, size, size)

    def forward() -> float:
        start = time.perf_counter()
        for a in actions:
            env.step(a)
        return steps * batch / (time.perf_counter() - start)

    def backward() -> float:
        start = time.perf_counter()
        for a in actions:
            a_t = torch.tensor(a[:, None], requires_grad=True)
            loss = mse(env.paint(a_t), target).mean()
            loss.backward()
        return steps * batch / (time.perf_counter() - start)

    return {"forward": forward, "forward+backward": backward}


def measure_neural(
    painter: Any, strokes: int, rounds: int, batches: tuple[int, ...] = NEURAL_BATCHES
) -> dict[str, float]:
    """Strokes/s of the batched neural env at each batch size, interleaved with MyPaintEnv.step (64 px)."""
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (strokes, 12)).astype(np.float32)
    mypaint = env_steps(MyPaintEnv("Strokes", episode_length=10**9), actions)
    runners = {b: neural_runners(painter, b, strokes) for b in batches}
    rates: dict[str, list[float]] = {"MyPaintEnv.step": []}
    for _ in tqdm(range(rounds), desc="neural env", leave=False):
        rates["MyPaintEnv.step"].append(mypaint())
        for b, fns in runners.items():
            for kind, fn in fns.items():
                rates.setdefault(f"batch {b} {kind}", []).append(fn())
    return {k: statistics.median(v) for k, v in rates.items()}


def measure_painters(
    painters: dict[str, Any], sizes: list[int], strokes: int, rounds: int
) -> dict[str, dict[str, float]]:
    """Strokes/s of the neural env at batch 64 with each painter, interleaved with
    MyPaintEnv.step at each size: ``{size: {"MyPaintEnv.step": r, "<painter> forward": r, ...}}``.
    ``painters`` maps a name to a painter name or to a callable giving the painter for a size."""
    rng = np.random.default_rng(0)
    out: dict[str, dict[str, float]] = {}
    for size in sizes:
        n = max(200, strokes * 64 // size)  # fewer strokes on larger canvases (each costs more)
        actions = rng.uniform(-1, 1, (n, 12)).astype(np.float32)
        env = MyPaintEnv("Strokes", canvas_size=size, episode_length=10**9)
        runners = {"MyPaintEnv.step": env_steps(env, actions)}
        for name, source in painters.items():
            painter = source(size) if callable(source) else source
            for kind, fn in neural_runners(painter, TARGET_BATCH, n, size).items():
                runners[f"{name} {kind}"] = fn
        rates: dict[str, list[float]] = {k: [] for k in runners}
        for _ in tqdm(range(rounds), desc=f"neural env {size} px", leave=False):
            for key, fn in runners.items():  # interleaved, as above
                rates[key].append(fn())
        out[str(size)] = {k: statistics.median(v) for k, v in rates.items()}
        env.close()
    return out


def neural_targets(table: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """The neural env's targets at 64 px and batch 64 (those whose painter was measured)."""
    rates = table.get("64", {})
    out = []
    for painter, kind, goal in NEURAL_TARGETS:
        key = f"{painter} {kind}"
        if key in rates:
            ratio = rates[key] / rates["MyPaintEnv.step"]
            what = "vector env step" if kind == "forward" else "paint + backward"
            out.append(
                {
                    "target": f"{painter} {what} at batch {TARGET_BATCH} >= {goal:g}x MyPaintEnv.step (64 px)",
                    "ratio": ratio,
                    "met": ratio >= goal,
                }
            )
    return out


def measure_memory(total: int) -> dict[str, float]:
    env = MyPaintEnv("MNIST", data_dir=None)
    rng = np.random.default_rng(1)
    env.reset(seed=0)
    for a in rng.uniform(-1, 1, (1000, 12)).astype(np.float32):  # warm up allocators and caches
        if env.step(a)[2]:
            env.reset()
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    samples = []
    done = 0
    start = time.perf_counter()
    with tqdm(total=total, desc="memory soak", leave=False) as bar:
        while done < total:
            chunk = rng.uniform(-1, 1, (1000, 12)).astype(np.float32)
            for a in chunk:
                if env.step(a)[2]:
                    env.reset()
            done += len(chunk)
            bar.update(len(chunk))
            samples.append(process.memory_info().rss)
    elapsed = time.perf_counter() - start
    env.close()
    return {
        "strokes": total,
        "rss_before_mib": before / 2**20,
        "rss_after_mib": samples[-1] / 2**20,
        "rss_max_mib": max(samples) / 2**20,
        "growth_mib": (samples[-1] - before) / 2**20,
        "strokes_per_s_with_resets": total / elapsed,
    }


def plot(results: dict[str, dict[str, float]], painters: dict[str, dict[str, float]] | None, path: Path) -> None:
    import matplotlib  # lazy: kept out of the measured process until the measurements are done

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: after the backend is chosen

    fig, axes = plt.subplots(1, 2 if painters else 1, figsize=(13 if painters else 8, 4), squeeze=False)
    ax = axes[0, 0]
    sizes = list(results)
    width = 0.8 / len(METHODS)
    for i, method in enumerate(METHODS):
        xs = np.arange(len(sizes)) + (i - (len(METHODS) - 1) / 2) * width
        ax.bar(xs, [results[s][method] for s in sizes], width, label=method)
    ax.set_xticks(range(len(sizes)), [f"{s} px" for s in sizes])
    ax.set_ylabel("strokes / s")
    ax.set_yscale("log")
    ax.set_title("MyPaint strokes per second (classic/dry_brush, random strokes)", fontsize=9)
    ax.legend(fontsize=8)
    if painters:
        ax = axes[0, 1]
        sizes = list(painters)
        keys = list(painters[sizes[0]])
        width = 0.8 / len(keys)
        for i, key in enumerate(keys):
            xs = np.arange(len(sizes)) + (i - (len(keys) - 1) / 2) * width
            ax.bar(xs, [painters[s][key] for s in sizes], width, label=key, hatch="//" if "backward" in key else None)
        ax.set_xticks(range(len(sizes)), [f"{s} px" for s in sizes])
        ax.set_yscale("log")
        ax.set_title(f"NeuralPaintVectorEnv at batch {TARGET_BATCH} against MyPaintEnv.step, same run", fontsize=9)
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def print_neural(painters: dict[str, dict[str, float]] | None, sweep: dict[str, float] | None, name: str) -> None:
    if painters:
        keys = [k for k in next(iter(painters.values())) if k != "MyPaintEnv.step"]
        print(f"| canvas | MyPaintEnv.step | {' | '.join(f'{k} (x step)' for k in keys)} |")
        print("|" + "---|" * (len(keys) + 2))
        for size, rates in painters.items():
            base = rates["MyPaintEnv.step"]
            cells = " | ".join(f"{rates[k]:,.0f} ({rates[k] / base:.2f}x)" for k in keys)
            print(f"| {size} px | {base:,.0f} | {cells} |")
    if sweep:
        base = sweep["MyPaintEnv.step"]
        print(f"| 64 px, {name} painter | strokes/s | x MyPaintEnv.step |")
        print("|---|---|---|")
        for key, rate in sweep.items():
            print(f"| {key} | {rate:,.0f} | {rate / base:.2f} |")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--strokes", type=int, default=1500, help="strokes per measurement at 64 px")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-strokes", type=int, default=100_000)
    parser.add_argument(
        "--painters", nargs="*", default=["gan", "vae", "dab"], help="painters of the batch-64 table, by size"
    )
    parser.add_argument("--painter", default="dab", help="painter of the 64 px batch sweep ('' to skip)")
    parser.add_argument("--dab", default=None, help="dab painter checkpoint (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON and the figure")
    parser.add_argument("--quick", action="store_true", help="a trial run in seconds (64 px, one round)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.strokes, args.rounds, args.memory_strokes = args.sizes[:1], 200, 1, 0
    args.out.mkdir(parents=True, exist_ok=True)

    info = machine()
    import torch  # lazy: loaded by machine() already; for the thread count

    print(f"machine: {describe(info)}; torch threads {torch.get_num_threads()}")
    dab = load_dab(args.dab) if "dab" in (*args.painters, args.painter) else None

    def source(name: str) -> Any:
        """A painter name, or for the dab painter a function of the canvas size (native at each)."""
        return dab.at_size if name == "dab" else name

    speed = measure_speed(args.sizes, args.strokes, args.rounds)
    painters = (
        measure_painters({p: source(p) for p in args.painters}, args.sizes, args.strokes, args.rounds)
        if args.painters
        else None
    )
    sweep_painter = dab.at_size(64) if args.painter == "dab" else args.painter
    batches = (1, TARGET_BATCH) if args.quick else NEURAL_BATCHES
    neural = measure_neural(sweep_painter, args.strokes, args.rounds, batches) if args.painter else None
    memory = measure_memory(args.memory_strokes) if args.memory_strokes else None

    header = f"| canvas | {' | '.join(METHODS)} | step / bare |"
    print(header)
    print("|" + "---|" * (len(METHODS) + 2))
    for size, rates in speed.items():
        ratio = rates["MyPaintEnv.step"] / rates["bare binding"]
        cells = " | ".join(f"{rates[m]:,.0f}" for m in METHODS)
        print(f"| {size} px | {cells} | {ratio:.0%} |")
    if memory:
        print(
            f"memory: {memory['strokes']:,} env strokes, RSS {memory['rss_before_mib']:.1f} -> "
            f"{memory['rss_after_mib']:.1f} MiB (max "
            f"{memory['rss_max_mib']:.1f}, growth {memory['growth_mib']:+.1f} MiB)"
        )
    print_neural(painters, neural, args.painter)
    targets = neural_targets(painters or {})
    target = speed.get("64", {})
    verdict = None
    if target:
        ratio = target["MyPaintEnv.step"] / target["bare binding"]
        verdict = {"target": "MyPaintEnv.step >= 75% of bare binding at 64 px", "ratio": ratio, "met": ratio >= 0.75}
        print(f"target: {verdict['target']}: {ratio:.0%} -> {'met' if verdict['met'] else 'NOT met'}")
    for t in targets:
        print(f"target: {t['target']}: {t['ratio']:.2f}x -> {'met' if t['met'] else 'NOT met'}")
    payload = {
        "machine": info,
        "torch_threads": torch.get_num_threads(),
        "strokes_per_s": speed,
        "neural_by_painter": painters,
        "neural_64px": neural,
        "memory": memory,
        "target": verdict,
        "neural_targets": targets,
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "out"},
    }
    path = write_json("env_speed", payload, args.out)
    plot(speed, painters, args.out / "env_speed.png")
    print(f"wrote {path} and {args.out / 'env_speed.png'}")
    return payload


def readme_sections(results: Path) -> list[Section]:
    """The README's section: strokes per second by canvas size, memory, the neural env beside MyPaint."""
    d = read_result(results, "env_speed")
    if d is None:
        return [Section("Environment speed", "*not run*", [])]
    sizes = sorted(d["strokes_per_s"], key=int)
    cols = list(d["strokes_per_s"][sizes[0]])
    rows = [
        [
            f"{s} px",
            *(number(d["strokes_per_s"][s][c]) for c in cols),
            f"{d['strokes_per_s'][s]['MyPaintEnv.step'] / d['strokes_per_s'][s]['bare binding']:.0%}",
        ]
        for s in sizes
    ]
    mem = d["memory"]
    t = d["target"]
    md = "\n\n".join(
        [
            f"Strokes per second (`python benchmarks/env_speed.py`; {machine_line(d)}), `classic/dry_brush`, "
            "uniform random strokes, all methods interleaved in one run (median of rounds).",
            md_table(["canvas", *cols, "step / bare"], rows),
            f"Target: {t['target']}: measured {t['ratio']:.0%}, {verdict(t['met'])}.",
            *(
                [
                    f"Memory: {number(mem['strokes'])} strokes through one `MyPaintEnv` (resets every episode) "
                    f"moved RSS from {mem['rss_before_mib']:.1f} to {mem['rss_after_mib']:.1f} MiB "
                    f"(max {mem['rss_max_mib']:.1f})."
                ]
                if mem
                else []
            ),
            *(painters_paragraph(d) if d.get("neural_by_painter") else []),
            *(batches_paragraph(d) if d.get("neural_64px") else []),
            "![strokes per second](results/env_speed.png)",
        ]
    )
    targets = [("env speed", t["target"], f"{t['ratio']:.0%}: {verdict(t['met'])}")]
    targets += [("env speed", x["target"], f"{x['ratio']:.2f}x: {verdict(x['met'])}") for x in d["neural_targets"]]
    return [Section("Environment speed", md, targets)]


def batches_paragraph(d: dict[str, Any]) -> list[str]:
    """The neural env at 64 px with one painter at several batch sizes, against MyPaintEnv.step."""
    neural = d["neural_64px"]
    base = neural["MyPaintEnv.step"]
    batches = sorted({int(k.split()[1]) for k in neural if k.startswith("batch")})
    rows = [
        [
            b,
            number(neural[f"batch {b} forward"]),
            f"{neural[f'batch {b} forward'] / base:.2f}",
            number(neural[f"batch {b} forward+backward"]),
            f"{neural[f'batch {b} forward+backward'] / base:.2f}",
        ]
        for b in batches
    ]
    painter = d["args"].get("painter", "gan")
    return [
        f"Neural env, 64 px, {'shipped ' if painter in ('gan', 'vae') else ''}painter `{painter}`, "
        f"`NeuralPaintVectorEnv` against `MyPaintEnv.step` at {number(base)} strokes/s in the same run "
        "(forward = `step`; forward+backward = `paint` + loss + `backward`):",
        md_table(["batch", "forward", "x MyPaintEnv.step", "forward+backward", "x MyPaintEnv.step"], rows),
    ]


def painters_paragraph(d: dict[str, Any]) -> list[str]:
    """The neural env at batch 64 with each painter, at each size, against MyPaintEnv.step."""
    table_ = d["neural_by_painter"]
    sizes = sorted(table_, key=int)
    painters = list(dict.fromkeys(k.rsplit(" ", 1)[0] for k in table_[sizes[0]] if k != "MyPaintEnv.step"))
    rows = []
    for s in sizes:
        rates = table_[s]
        base = rates["MyPaintEnv.step"]
        for p in painters:
            fwd, bwd = rates[f"{p} forward"], rates[f"{p} forward+backward"]
            rows.append(
                [f"{s} px", p, number(base), number(fwd), f"{fwd / base:.2f}", number(bwd), f"{bwd / base:.2f}"]
            )
    return [
        f"Neural env at batch 64 with each painter (`NeuralPaintVectorEnv`; torch threads: "
        f"{d.get('torch_threads', '?')}), against `MyPaintEnv.step` at the same size in the same run. "
        "The VAE and GAN paint 64 px and are resized; the dab painter renders each size natively. "
        "Forward = `step`; forward+backward = `paint` "
        "(`paint_differentiable`) + MSE + `backward`:",
        md_table(
            [
                "canvas",
                "painter",
                "MyPaintEnv.step",
                "forward",
                "x MyPaintEnv.step",
                "forward+backward",
                "x MyPaintEnv.step",
            ],
            rows,
        ),
    ]


if __name__ == "__main__":
    main()
