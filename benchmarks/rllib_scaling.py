"""RLlib on paint-gym: strokes/s and learning against env runners, and RLlib's PPO against the in-house PPO.

Issue 26: RLlib is the engine for scaling RL out, so this measures what adding env runners buys
and whether RLlib's PPO learns as well as the in-house trainer at the same budget. One run after
the other, each from scratch, on MNIST's batched dab-painter env (``NeuralPaint-MNIST-v0``,
64 px, 8 strokes), each for ``--seconds`` of *training* clock (evaluations excluded), evaluated
as the reconstruction benchmark does (the policy's strokes on the first ``--images`` evaluation
targets, replayed in MyPaint, brush seeds 0-3):

* RLlib PPO with 1 and 2 env runners (``--runners``; 16 episodes each, the SB3 search's PPO
  settings, :class:`paint_gym_agents.rllib_config.RLlibConfig`'s defaults), a local Ray of
  ``max(2, N)`` CPUs;
* the in-house PPO, ``spiral-dense`` (the SPIRAL-style trainer with the dense reward, the
  benchmark's configuration then), on the same env. This comparison retired that trainer (RLlib's
  PPO learned faster at equal training time), so it is no longer run: a rerun keeps its row from
  the committed ``results/rllib_scaling.json`` when the seconds per run match
  (:func:`retired_inhouse_row`), as the record of the decision.

Outputs: ``results/rllib_scaling.json`` (every run's points, strokes/s, the machine) and
``rllib_scaling.png`` (replay MSE against training seconds, strokes/s against env runners).
Needs the RLlib venv: ``.venv-rllib/bin/python benchmarks/rllib_scaling.py`` (about
2 x ``--seconds`` plus evaluations and start-up).

    .venv-rllib/bin/python benchmarks/rllib_scaling.py --seconds 150
    .venv-rllib/bin/python benchmarks/rllib_scaling.py --seconds 10 --images 8 --out /tmp/r   # a smoke test
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import matplotlib
from common import RESULTS, Section, describe, machine, read_result, stored_table, write_json

from paint_gym_agents.rllib_config import RLlibConfig

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


def rllib_run(runners: int, args: argparse.Namespace) -> dict[str, Any]:
    """RLlib PPO with ``runners`` env runners for ``args.seconds`` of training clock."""
    from paint_gym_agents.rllib import train  # lazy: needs ray, which only the RLlib venv has (the README does not)

    with tempfile.TemporaryDirectory() as tmp:
        config = RLlibConfig(
            env_runners=runners,
            iterations=10**6,
            eval_images=args.images,
            eval_every=args.eval_every,
            run_dir=tmp,
        )
        start = time.perf_counter()
        summary = train(config, args.data_dir, progress=False, seconds=args.seconds)
    return {
        "method": "rllib-ppo",
        "label": f"RLlib PPO, {runners} env runner{'s' * (runners > 1)}",
        "env_runners": runners,
        "strokes": summary["points"][-1]["strokes"],
        "training_seconds": summary["budget_seconds"],
        "strokes_per_second": summary["strokes_per_second"],
        "final_mse": summary["final_mse"],
        "points": summary["points"],
        "wall_seconds": time.perf_counter() - start,
    }


def retired_inhouse_row(out: Path, seconds: float) -> dict[str, Any] | None:
    """The in-house PPO's row (``spiral-dense``) of the results already in ``out``, when it ran for
    ``seconds`` per run too: the retired trainer cannot run again, so its measured row is carried
    into a rerun's results as the record of why it was retired. None otherwise."""
    path = out / "rllib_scaling.json"
    if not path.exists():
        return None
    saved = json.loads(path.read_text())
    if saved.get("args", {}).get("seconds") != seconds:
        return None
    row = next((r for r in saved.get("rows", []) if r.get("method") == "spiral-dense"), None)
    return None if row is None else {**row, "kept_from": saved.get("machine", {}).get("date", "an earlier run")}


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = ["| run | strokes/s | strokes painted | first replay MSE | final replay MSE |", "|---|---|---|---|---|"]
    for r in rows:
        first = r["points"][0]["mse"]
        lines.append(
            f"| {r['label']} | {r['strokes_per_second']:,.0f} | {r['strokes']:,} | {first:.4f} | {r['final_mse']:.4f} |"
        )
    return "\n".join(lines)


def figure(rows: list[dict[str, Any]], out: Path) -> None:
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    for r in rows:
        ax.plot([p["seconds"] for p in r["points"]], [p["mse"] for p in r["points"]], marker="o", label=r["label"])
    ax.set_xlabel("training seconds")
    ax.set_ylabel("MyPaint replay MSE")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    scaling = [r for r in rows if r["method"] == "rllib-ppo"]
    bx.plot([r["env_runners"] for r in scaling], [r["strokes_per_second"] for r in scaling], marker="o")
    bx.set_xlabel("env runners")
    bx.set_ylabel("strokes per training second")
    bx.set_xticks([r["env_runners"] for r in scaling])
    bx.grid(alpha=0.3)
    fig.suptitle("RLlib PPO on NeuralPaint-MNIST-v0 (64 px, 8 strokes)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def scaling_sentence(rows: list[dict[str, Any]], cores: Any) -> str:
    """What the env-runner curve says: the most runners' strokes/s against the fewest's, on ``cores``
    cores that the env runners share with the learner (empty with fewer than two RLlib runs)."""
    runs = sorted((r for r in rows if r["method"] == "rllib-ppo"), key=lambda r: r["env_runners"])
    if len(runs) < 2:
        return ""
    few, many = runs[0], runs[-1]
    ratio = many["strokes_per_second"] / few["strokes_per_second"]
    return (
        f"{many['env_runners']} env runners: {many['strokes_per_second']:,.0f} strokes/s against "
        f"{few['strokes_per_second']:,.0f} with {few['env_runners']} ({ratio:.2f}x) on {cores} cores shared with the "
        "learner: a cluster adds throughput only with cores beyond the learner's; this machine cannot show scaling."
    )


def comparison_sentence(rows: list[dict[str, Any]], seconds: float) -> str:
    """RLlib's PPO (its fewest-runner run) against the in-house PPO, each for ``seconds`` of training
    clock: final replay MSE and strokes/s of each (empty unless both ran)."""
    runs = sorted((r for r in rows if r["method"] == "rllib-ppo"), key=lambda r: r["env_runners"])
    inhouse = next((r for r in rows if r["method"] == "spiral-dense"), None)
    if not runs or inhouse is None:
        return ""

    def run(r: dict[str, Any]) -> str:
        first = r["points"][0]["mse"]
        return (
            f"final replay MSE {r['final_mse']:.4f} ({(r['final_mse'] - first) / first:+.0%} from its first "
            f"evaluation) at {r['strokes_per_second']:,.0f} strokes/s"
        )

    rl = runs[0]
    better = "lower (better)" if rl["final_mse"] < inhouse["final_mse"] else "higher (worse)"
    return (
        f"RLlib's PPO against the in-house PPO at {seconds:g} training s each: {rl['label']}, {run(rl)}; "
        f"{inhouse['label']}, {run(inhouse)}. "
        f"RLlib's final MSE is {better}, {rl['final_mse'] / inhouse['final_mse']:.2f}x the in-house one, at "
        f"{rl['strokes_per_second'] / inhouse['strokes_per_second']:.2f}x its strokes/s."
    )


def readme_sections(results: Path) -> list[Section]:
    """The README's section: the stored header and table, the command, the figure, then what the
    env-runner curve and the comparison with the in-house PPO say, generated from the rows."""
    title = "RLlib: env runners and RLlib's PPO against the in-house PPO"
    d = read_result(results, "rllib_scaling")
    if d is None:
        return [Section(title, "*not run yet*", [])]
    md = stored_table(d, ".venv-rllib/bin/python benchmarks/rllib_scaling.py", "RLlib scaling", "rllib_scaling.png")
    rows, cores, seconds = d.get("rows", []), (d.get("machine") or {}).get("cores", "?"), d["args"]["seconds"]
    notes = [s for s in (scaling_sentence(rows, cores), comparison_sentence(rows, seconds)) if s]
    return [Section(title, "\n\n".join([md, *notes]), [])]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runners", nargs="+", type=int, default=[1, 2], help="env runners of each RLlib run")
    parser.add_argument("--seconds", type=float, default=150.0, help="training seconds per run")
    parser.add_argument("--images", type=int, default=64, help="evaluation images")
    parser.add_argument("--eval-every", type=int, default=10, help="RLlib iterations between evaluations")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    m = machine()
    rows = []
    for runners in args.runners:
        print(f"== RLlib PPO, {runners} env runners", flush=True)
        rows.append(rllib_run(runners, args))
        print(f"   {rows[-1]['strokes_per_second']:,.0f} strokes/s, MSE {rows[-1]['final_mse']:.4f}", flush=True)
    out = Path(args.out)
    inhouse = retired_inhouse_row(out, args.seconds)
    if inhouse is not None:
        print(f"== in-house PPO (retired): its row kept from {out / 'rllib_scaling.json'}", flush=True)
        rows.append(inhouse)
    table = format_rows(rows)
    header = (
        f"NeuralPaint-MNIST-v0, 64 px, 8-stroke episodes, {args.seconds:g} training s per run, replay MSE on "
        f"{args.images} evaluation images (MyPaint, seeds 0-3); {describe(m)}."
    )
    out.mkdir(parents=True, exist_ok=True)
    figure(rows, out / "rllib_scaling.png")
    payload = {"machine": m, "args": {k: v for k, v in vars(args).items()}, "header": header, "table": table}
    payload["rows"] = rows
    write_json("rllib_scaling", payload, out)
    print(header)
    print(table)
    return payload


if __name__ == "__main__":
    main()
