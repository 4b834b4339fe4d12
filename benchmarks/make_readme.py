"""Write ``benchmarks/README.md`` from the JSON results, so no number there can drift from a run.

Every table, figure reference and verdict in the benchmark README is generated here from
``benchmarks/results/*.json`` (what each benchmark script wrote when it ran). The prose around
them states no number of its own. A results file that is missing is reported as not run.

    python benchmarks/make_readme.py            # rewrites benchmarks/README.md
    python benchmarks/make_readme.py --check    # exit 1 if benchmarks/README.md is out of date (CI)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
OUT = HERE / "README.md"

Section = tuple[str, list[tuple[str, str, str]]]  # markdown, [(benchmark, target, verdict)]


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def machine(d: dict[str, Any]) -> str:
    m = d.get("machine") or {}
    if not m:
        return "machine not recorded"
    date = str(m.get("date", ""))[:10]
    return (
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('memory_gib', '?')} GiB, Python {m.get('python', '?')}, "
        f"torch {m.get('torch', '?')}, libmypaint {m.get('libmypaint_deb', '?')}" + (f"; run {date}" if date else "")
    )


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("**met**" if met else "**NOT met**")


def n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def seconds(s: float) -> str:
    if s != s:  # NaN: never
        return "never"
    return f"{s:.1f} s" if s < 60 else f"{s / 60:.1f} min"


# -- one renderer per benchmark ----------------------------------------------------------------
def env_speed() -> Section:
    d = load("env_speed")
    if d is None:
        return "*not run*", []
    sizes = sorted(d["strokes_per_s"], key=int)
    cols = list(d["strokes_per_s"][sizes[0]])
    rows = [
        [
            f"{s} px",
            *(n(d["strokes_per_s"][s][c]) for c in cols),
            f"{d['strokes_per_s'][s]['MyPaintEnv.step'] / d['strokes_per_s'][s]['bare binding']:.0%}",
        ]
        for s in sizes
    ]
    neural = d["neural_64px"]
    base = neural["MyPaintEnv.step"]
    batches = sorted({int(k.split()[1]) for k in neural if k.startswith("batch")})
    nrows = [
        [
            b,
            n(neural[f"batch {b} forward"]),
            f"{neural[f'batch {b} forward'] / base:.2f}",
            n(neural[f"batch {b} forward+backward"]),
            f"{neural[f'batch {b} forward+backward'] / base:.2f}",
        ]
        for b in batches
    ]
    mem = d["memory"]
    t = d["target"]
    md = "\n\n".join(
        [
            f"Strokes per second (`python benchmarks/env_speed.py`; {machine(d)}), `classic/dry_brush`, "
            "uniform random strokes, all methods interleaved in one run (median of rounds).",
            table(["canvas", *cols, "step / bare"], rows),
            f"Target: {t['target']}: measured {t['ratio']:.0%}, {verdict(t['met'])}.",
            f"Memory: {n(mem['strokes'])} strokes through one `MyPaintEnv` (resets every episode) moved RSS from "
            f"{mem['rss_before_mib']:.1f} to {mem['rss_after_mib']:.1f} MiB (max {mem['rss_max_mib']:.1f}).",
            f"Neural env, 64 px, shipped painter `{d['args'].get('painter', 'gan')}`, `NeuralPaintVectorEnv` against "
            f"`MyPaintEnv.step` at {n(base)} strokes/s in the same run "
            "(forward = `step`; forward+backward = `paint` + loss + `backward`):",
            table(["batch", "forward", "x MyPaintEnv.step", "forward+backward", "x MyPaintEnv.step"], nrows),
            "![strokes per second](results/env_speed.png)",
        ]
    )
    b64 = neural.get("batch 64 forward", float("nan")) / base
    return md, [
        ("env speed", t["target"], f"{t['ratio']:.0%}: {verdict(t['met'])}"),
        ("env speed", "batched neural env at batch 64 >= 3x MyPaintEnv.step", f"{b64:.2f}x: {verdict(b64 >= 3)}"),
    ]


def brush_survey() -> Section:
    d = load("brush_survey")
    if d is None:
        return "*not run*", []
    rows = [
        [
            r["brush"],
            f"{r['coverage_1px']:.4f}",
            f"{r['coverage_8px']:.4f}",
            f"{r['coverage_8px'] / r['coverage_1px']:.1f}" if r["coverage_1px"] > 0 else "-",
            "yes" if r["supported"] else "",
        ]
        for r in d["rows"]
    ]
    md = "\n\n".join(
        [
            f"Mean alpha (fraction of a 64 px canvas covered) of {d['args']['strokes']} random strokes "
            f"painted alone at the smallest (1 px) and largest (8 px) radius, every `{d['args']['group']}/` "
            f"brush (`python benchmarks/brush_survey.py`; {machine(d)}). The binding removes "
            "every input mapping of a brush's radius, so the action's size is the radius for every brush.",
            table(["brush", "coverage at 1 px", "coverage at 8 px", "ratio", "supported default"], rows),
            "![brush survey](results/brush_survey.png)",
        ]
    )
    return md, []


def painter_fidelity() -> Section:
    d = load("painter_fidelity")
    if d is None:
        return "*not run*", []
    ref = d["reference"]
    rows = [
        ["MyPaint, another brush seed (noise floor)", f"{ref['noise_floor_alpha_mse']:.5f}", "", "", "1.00", "", ""],
        [
            f"oracle: mean of the other {d['args']['seeds'] - 1} seeds",
            f"{ref['oracle_mean_alpha_mse']:.5f}",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    rows += [
        [
            p["painter"],
            f"{p['alpha_mse']:.5f}",
            f"{p['ink_over_white_mse']:.5f}",
            f"{p['coverage_rel_error']:.1%}",
            f"{p['sharpness_vs_mypaint']:.2f}",
            f"{p['variance_total_ratio']:.2f}",
            f"{p['variance_corr']:.2f}",
        ]
        for p in d["painters"]
    ]
    ct = d["canvas_transfer"]
    crow = [
        [
            name,
            f"{ct[name]['canvas_mse_vs_mypaint']:.4f}",
            f"{ct[name]['neural_mse_to_target']:.4f}",
            f"{ct[name]['expected_mse_to_target']:.4f}",
        ]
        for name in ("VAE", "GAN")
        if name in ct
    ]
    readable = {
        "vae_alpha_mse_le_0.0040": "VAE alpha MSE <= 0.0040",
        "gan_below_noise_floor": "GAN alpha MSE below the noise floor",
        "gan_sharpness_within_20pct": "GAN sharpness within 20% of MyPaint's",
        "vae_sharpness_below_gan": "VAE less sharp than the GAN",
    }
    targets = [
        ("painter fidelity", readable.get(name, name.replace("_", " ")), verdict(met))
        for name, met in d["targets"].items()
    ]
    md = "\n\n".join(
        [
            f"{n(d['args']['n'])} held-out actions, each rendered by MyPaint with {d['args']['seeds']} brush "
            f"seeds, against the shipped painters (`python benchmarks/painter_fidelity.py`; {machine(d)}). "
            "The best a deterministic painter can score against one render is about half the noise floor.",
            table(
                [
                    "painter",
                    "alpha MSE vs one render",
                    "ink-over-white MSE",
                    "coverage error",
                    "sharpness vs MyPaint",
                    "predicted / measured variance",
                    "variance correlation",
                ],
                rows,
            ),
            table(["target", "verdict"], [[t, v] for _, t, v in targets]),
            f"Whole paintings ({ct['sequences']} sequences of strokes on MNIST targets): MyPaint's "
            f"MSE to the target is {ct['mypaint_mse_to_target']:.4f} (mean of "
            f"{ct['mypaint_seeds']} seeds; MyPaint against itself with another seed: "
            f"{ct['mypaint_seed_to_seed_canvas_mse']:.4f}). `expected_mse` prices the brush's variance in:",
            table(["painter", "canvas MSE vs MyPaint", "neural canvas MSE to target", "expected_mse prediction"], crow),
            "![MyPaint, VAE and GAN strokes](results/painter_fidelity_strokes.png)\n"
            "![variance calibration](results/painter_fidelity_calibration.png)",
        ]
    )
    return md, targets


def discrete_lift_sweep() -> Section:
    d = load("discrete_lift_sweep")
    if d is None:
        return "*not run*", []
    tr = d["training"]
    flicker = max(abs(x) for x in d["flicker_relative"])
    md = "\n\n".join(
        [
            f"A small painter learned {n(tr['examples'])} MyPaint strokes whose inputs include SPIRAL's lift flag "
            f"({tr['minutes']:.0f} minutes, {n(tr['steps'])} steps, held-out MSE {d['held_out_mse']:.4f}; "
            f"`python benchmarks/discrete_lift_sweep.py`; {machine(d)}). Lifted strokes paint "
            f"mean alpha {d['mean_alpha_when_lifted']:.1e}. Sweeping the lift input from 0 to 1, "
            f"the largest variation beyond a monotone fade is {flicker:.1e} of the coverage: no "
            "flicker; intermediate values shorten the stroke from its end rather than fade it.",
            "![lift sweep](results/discrete_lift_sweep.png)",
        ]
    )
    return md, [("lift sweep", "the paper's flicker at intermediate lift values", f"{flicker:.1e}: not seen")]


def agent_transfer() -> Section:
    d = load("agent_transfer")
    if d is None:
        return "*not run*", []
    rows = []
    for ds, block in d["transfer"].items():
        for r in block["rows"]:
            rows.append(
                [
                    f"{ds}, {block['strokes']}",
                    r["method"],
                    f"{r['neural_mse']:.4f}",
                    f"**{r['mypaint_mse']:.4f}**",
                    f"{r['transfer_gap']:+.4f}",
                    f"{r['seconds']:.0f}" if r.get("seconds") is not None else "",
                ]
            )
    so = d["stroke_order"]
    srows = [
        [k, f"{v['agree']:.2f}", f"{v['start_near']:.2f}", f"{v['direction']:.2f}", f"{v['mypaint_mse']:.4f}"]
        for k, v in so.items()
    ]
    ob = d["objectives"]
    orows = [
        [k, ob["step"], f"{v['eval_neural_mse']:.4f}", f"**{v['eval_mypaint_mse']:.4f}**", f"{v['eval_gap']:+.4f}"]
        for k, v in ob["runs"].items()
    ]
    md = "\n\n".join(
        [
            f"Shipped agents on the evaluation split, strokes replayed in MyPaint and averaged over brush seeds "
            f"(`python benchmarks/agent_transfer.py`; {machine(d)}). Direct optimisation is per-image Adam "
            "through the painter on the first images, with the agent scored on the same images beside it.",
            table(["data set, strokes", "method", "neural canvas", "MyPaint replay", "transfer gap", "seconds"], rows),
            "Stroke order against the hand-made MNIST templates "
            "(first stroke agrees: starts near the template's and runs its way):",
            table(["agent", "first stroke agrees", "starts near", "same direction", "MyPaint MSE"], srows),
            "Expected-error objective against plain MSE, same run otherwise, at the same step:",
            table(["run", "step", "neural canvas", "MyPaint replay", "transfer gap"], orows),
            "![agent transfer](results/agent_transfer.png) ![objectives](results/agent_objectives.png)",
        ]
    )
    targets = []
    goal = {"mnist": 0.008, "kmnist": 0.025, "celeba": 0.019}
    for ds, block in d["transfer"].items():
        agent = next((r for r in block["rows"] if r["method"].startswith("backprop agent (")), None)
        if agent and ds in goal:
            targets.append(
                (
                    "agent transfer",
                    f"{ds}, {block['strokes']} strokes: MyPaint MSE <= {goal[ds]}",
                    f"{agent['mypaint_mse']:.4f}: {verdict(agent['mypaint_mse'] <= goal[ds])}",
                )
            )
    runs = ob["runs"]
    if {"mnist_expected", "mnist_mse"} <= set(runs):
        better = runs["mnist_expected"]["eval_mypaint_mse"] < runs["mnist_mse"]["eval_mypaint_mse"]
        targets.append(("agent transfer", "expected-error objective beats plain MSE in MyPaint", verdict(better)))
    return md, targets


def reconstruction(name: str) -> Section:
    d = load(name)
    if d is None:
        return "*not run*", []
    c = d["claim"]
    labels = {key: m.get("method", key) for key, m in d["methods"].items()}  # the names the run wrote
    threshold = c["threshold_mse"]
    rows = []
    for key, m in d["methods"].items():
        hit = next((p for p in m["points"] if p["mse"] <= threshold), None)
        last = m["points"][-1] if m["points"] else {"strokes": 0, "seconds": 0.0}
        rows.append(
            [
                labels.get(key, key),
                f"{m['final_mse']:.4f}",
                seconds(hit["seconds"]) if hit else "never",
                n(hit["strokes"]) if hit else "never",
                n(last["strokes"]),
                seconds(m["budget_seconds"]) if m["budget_seconds"] else "0 s",
            ]
        )
    claim = (
        f"the backprop agent reaches the best RL method's final MSE ({labels.get(c['best_rl'], c['best_rl'])}, "
        f"{threshold:.4f}) >= 10x sooner in wall-clock: {verdict(c['met'])}, "
        f"{c['speedup']:.0f}x ({seconds(c['backprop_seconds'])} against {seconds(c['rl_seconds'])})"
    )
    md = "\n\n".join(
        [
            f"{d['dataset']}, {d['strokes']} strokes, {d['images']} evaluation images, "
            f"{d['budget_minutes']:g} minutes of training per method, MyPaint replay "
            f"averaged over brush seeds (`{d['command'].split(' --runs')[0]}`; {machine(d)}).",
            table(
                ["method", "final MSE", "time to threshold", "strokes to threshold", "strokes consumed", "trained"],
                rows,
            ),
            f"Claim: {claim}."
            + (
                " After a tenth of the budget the agent is at "
                f"{c['backprop_mse_at_tenth']:.4f}: {verdict(c['tenth_budget_met'])}."
                if "tenth_budget_met" in c
                else ""
            ),
            *(
                [f"![{name}: MSE against wall-clock](results/{name}_wallclock.png)"]
                if (RESULTS / f"{name}_wallclock.png").is_file()
                else []
            ),
        ]
    )
    return md, [
        (
            f"reconstruction ({name.removeprefix('reconstruction_')})",
            "backprop reaches the best RL final MSE >= 10x sooner",
            f"{c['speedup']:.0f}x at {threshold:.4f}: {verdict(c['met'])}",
        )
    ]


def class_visualization() -> Section:
    d = load("class_visualization")
    if d is None:
        return "*not run*", []
    rows = [
        [
            f"{c['label']} ({c['index']})",
            c["models"],
            f"{c['canvases']} x {c['strokes_per_canvas']}",
            c["steps"],
            f"{c['probability_neural']:.3f}",
            f"{c['probability_mypaint']:.3f}",
            c.get("mypaint_rank_of_target", ""),
        ]
        for c in d["classes"]
    ]
    md = "\n\n".join(
        [
            f"`python benchmarks/class_visualization.py` ({machine(d)}). {d['note']}.",
            table(
                [
                    "class",
                    "judged by",
                    "canvases x strokes",
                    "Adam steps",
                    "p, neural painter",
                    "p, MyPaint re-render",
                    "MyPaint rank",
                ],
                rows,
            ),
            "![class visualization](../docs/class_visualization.png)",
        ]
    )
    return md, []


def style_transfer() -> Section:
    d = load("style_transfer")
    if d is None:
        return "*not run*", []
    s = d["settings"]
    rows = [
        [k, f"{v['loss_first']:.1f}", f"{v['content_loss_neural']:.1f}", f"{v['content_loss_mypaint']:.1f}", v["steps"]]
        for k, v in d["variants"].items()
    ]
    md = "\n\n".join(
        [
            f"`python benchmarks/style_transfer_figure.py` ({machine(d)}): {s['size']} px, {s['strokes_per_canvas']} "
            f"strokes per canvas, lr {s['lr']}, content loss of {s['model']} `{s['layer']}` only.",
            table(
                ["variant", "content loss: random strokes", "neural painter", "same strokes in MyPaint", "Adam steps"],
                rows,
            ),
            "![style transfer](../docs/style_transfer.png)",
        ]
    )
    return md, []


def style_speed() -> Section:
    md_parts = []
    for name in ("style_speed", "style_speed_checkpoint"):
        d = load(name)
        if d is None:
            continue
        rows = [
            [
                f"{r['size']} px",
                r["canvases"],
                n(r["strokes"]),
                "recomputed" if r["checkpoint"] else "stored",
                f"{r['step_cpu_s_median']:.2f}",
                f"{r['step_s_median']:.2f}",
                f"{r['mypaint_rerender_s']:.1f} s",
                f"{n(r['peak_rss_mib'])} MiB",
            ]
            for r in d["rows"]
        ]
        md_parts += [
            f"`{name}.json` ({machine(d)}; {d['note']}):",
            table(
                [
                    "image",
                    "canvases",
                    "strokes",
                    "painter activations",
                    "CPU s / step",
                    "wall s / step",
                    "MyPaint re-render",
                    "peak RSS",
                ],
                rows,
            ),
        ]
    if not md_parts:
        return "*not run*", []
    return "\n\n".join([*md_parts, "![style speed](results/style_speed.png)"]), []


SECTIONS: list[tuple[str, Callable[[], Section]]] = [
    ("Environment speed", env_speed),
    ("Brushes", brush_survey),
    ("Painter fidelity", painter_fidelity),
    ("Discrete actions and the lift flag", discrete_lift_sweep),
    ("Agents: transfer to MyPaint", agent_transfer),
    ("Side-by-side: backprop against RL, MNIST", lambda: reconstruction("reconstruction_mnist")),
    ("Side-by-side: backprop against RL, KMNIST", lambda: reconstruction("reconstruction_kmnist")),
    ("Class visualization", class_visualization),
    ("Intrinsic style transfer", style_transfer),
    ("Style transfer speed and memory", style_speed),
]


def render() -> str:
    parts, targets = [], []
    for title, fn in SECTIONS:
        md, tg = fn()
        parts.append(f"## {title}\n\n{md}\n")
        targets += tg
    head = [
        "# Benchmark results",
        "",
        "*Generated by `python benchmarks/make_readme.py` from "
        "`benchmarks/results/*.json`: edit the scripts, not this file.*",
        "Each benchmark is a script in this folder that prints its table, writes JSON and a PNG under `results/`, and "
        "records the machine. Ratios are measured side by side in one run. What falls short is reported as measured.",
        "",
        "## Targets at a glance",
        "",
        table(["benchmark", "target", "measured"], [list(t) for t in targets]),
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if benchmarks/README.md differs from the JSON results"
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text() if OUT.is_file() else ""
        if current != text:
            print("benchmarks/README.md is out of date: run python benchmarks/make_readme.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
