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
    mem = d["memory"]
    t = d["target"]
    md = "\n\n".join(
        [
            f"Strokes per second (`python benchmarks/env_speed.py`; {machine(d)}), `classic/dry_brush`, "
            "uniform random strokes, all methods interleaved in one run (median of rounds).",
            table(["canvas", *cols, "step / bare"], rows),
            f"Target: {t['target']}: measured {t['ratio']:.0%}, {verdict(t['met'])}.",
            *(
                [
                    f"Memory: {n(mem['strokes'])} strokes through one `MyPaintEnv` (resets every episode) moved RSS "
                    f"from {mem['rss_before_mib']:.1f} to {mem['rss_after_mib']:.1f} MiB "
                    f"(max {mem['rss_max_mib']:.1f})."
                ]
                if mem
                else []
            ),
            *(env_speed_by_painter(d) if d.get("neural_by_painter") else []),
            *(env_speed_batches(d) if d.get("neural_64px") else []),
            "![strokes per second](results/env_speed.png)",
        ]
    )
    targets = [("env speed", t["target"], f"{t['ratio']:.0%}: {verdict(t['met'])}")]
    targets += [("env speed", x["target"], f"{x['ratio']:.2f}x: {verdict(x['met'])}") for x in d["neural_targets"]]
    return md, targets


def env_speed_batches(d: dict[str, Any]) -> list[str]:
    """The neural env at 64 px with one painter at several batch sizes, against MyPaintEnv.step."""
    neural = d["neural_64px"]
    base = neural["MyPaintEnv.step"]
    batches = sorted({int(k.split()[1]) for k in neural if k.startswith("batch")})
    rows = [
        [
            b,
            n(neural[f"batch {b} forward"]),
            f"{neural[f'batch {b} forward'] / base:.2f}",
            n(neural[f"batch {b} forward+backward"]),
            f"{neural[f'batch {b} forward+backward'] / base:.2f}",
        ]
        for b in batches
    ]
    painter = d["args"].get("painter", "gan")
    return [
        f"Neural env, 64 px, {'shipped ' if painter in ('gan', 'vae') else ''}painter `{painter}`, "
        f"`NeuralPaintVectorEnv` against `MyPaintEnv.step` at {n(base)} strokes/s in the same run "
        "(forward = `step`; forward+backward = `paint` + loss + `backward`):",
        table(["batch", "forward", "x MyPaintEnv.step", "forward+backward", "x MyPaintEnv.step"], rows),
    ]


def env_speed_by_painter(d: dict[str, Any]) -> list[str]:
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
            rows.append([f"{s} px", p, n(base), n(fwd), f"{fwd / base:.2f}", n(bwd), f"{bwd / base:.2f}"])
    return [
        f"Neural env at batch 64 with each painter (`NeuralPaintVectorEnv`; torch threads: "
        f"{d.get('torch_threads', '?')}), against `MyPaintEnv.step` at the same size in the same run. "
        "The VAE and GAN paint 64 px and are resized; the dab painter renders each size natively. "
        "Forward = `step`; forward+backward = `paint` "
        "(`paint_differentiable`) + MSE + `backward`:",
        table(
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


PAINTER_FIDELITY_TARGETS = {
    "vae_alpha_mse_le_0.0040": "VAE alpha MSE <= 0.0040",
    "gan_below_noise_floor": "GAN alpha MSE below the noise floor",
    "gan_sharpness_within_20pct": "GAN sharpness within 20% of MyPaint's",
    "vae_sharpness_below_gan": "VAE less sharp than the GAN",
    "dab_alpha_mse_le_0.0037_at_64px": "dab alpha MSE <= 0.0037 at 64 px",
    "dab_within_1.15x_ideal_at_128px": "dab alpha MSE within 1.15x of the ideal at 128 px",
    "dab_within_1.15x_ideal_at_256px": "dab alpha MSE within 1.15x of the ideal at 256 px",
    "dab_sample_sharpness_within_20pct_at_64px": "dab `sample()` sharpness within 20% of MyPaint's (64 px)",
    "dab_sample_variance_within_10pct_at_64px": "dab `sample()` variance total within 10% of MyPaint's (64 px)",
}


def painter_fidelity() -> Section:
    d = load("painter_fidelity")
    if d is None:
        return "*not run*", []
    sizes = sorted(d["sizes"], key=int)
    accuracy, texture = [], []
    for s in sizes:
        ref = d["sizes"][s]["reference"]
        ideal = ref["ideal_alpha_mse"]
        accuracy += [
            [f"{s} px", "MyPaint, another brush seed (noise floor)", f"{ref['noise_floor_alpha_mse']:.5f}", "2.00"]
            + [""] * 3,
            [f"{s} px", "ideal: the exact mean (half the noise floor)", f"{ideal:.5f}", "1.00"]
            + [f"{ref['ideal_vs_seed_mean']:.5f}", "", ""],
            [
                f"{s} px",
                f"oracle: mean of the other {d['args']['seeds'] - 1} seeds",
                f"{ref['oracle_mean_alpha_mse']:.5f}",
                f"{ref['oracle_mean_alpha_mse'] / ideal:.2f}",
            ]
            + [""] * 3,
        ]
        for p in d["sizes"][s]["painters"]:
            accuracy.append(
                [
                    f"{s} px",
                    p["painter"],
                    f"{p['alpha_mse']:.5f}",
                    f"{p['ratio_to_ideal']:.2f}",
                    f"{p['alpha_mse_vs_seed_mean']:.5f}",
                    f"{p['ink_over_white_mse']:.5f}",
                    f"{p['coverage_rel_error']:.1%}",
                ]
            )
            sampled = "sample_sharpness_vs_mypaint" in p
            texture.append(
                [
                    f"{s} px",
                    p["painter"],
                    f"{p['sharpness_vs_mypaint']:.2f}",
                    f"{p['sample_sharpness_vs_mypaint']:.2f}" if sampled else "",
                    f"{p['variance_total_ratio']:.2f}",
                    f"{p['variance_corr']:.2f}",
                    f"{p['sample_variance_total_ratio']:.2f}" if sampled else "",
                    f"{p['sample_variance_corr']:.2f}" if sampled else "",
                    f"{p['sample_mse_vs_noise_floor']:.2f}" if sampled else "",
                ]
            )
    timing = "; ".join(
        f"{s} px: {n(d['sizes'][s]['reference']['actions'])} actions, "
        f"{n(d['sizes'][s]['reference']['mypaint_strokes_per_s'])} strokes/s"
        for s in sizes
    )
    ct = d["canvas_transfer"]
    crow = [
        [
            name,
            f"{ct[name]['canvas_mse_vs_mypaint']:.4f}",
            f"{ct[name]['neural_mse_to_target']:.4f}",
            f"{ct[name]['expected_mse_to_target']:.4f}",
        ]
        for name in ct
        if isinstance(ct[name], dict)
    ]
    targets = [
        ("painter fidelity", PAINTER_FIDELITY_TARGETS.get(name, name.replace("_", " ")), verdict(met))
        for name, met in d["targets"].items()
    ]
    figures = [f for f in d.get("figures", []) if (RESULTS / f).is_file()]
    md = "\n\n".join(
        [
            f"{n(d['args']['n'])} held-out actions (seed 12345; the training data use seed 0), each rendered by "
            f"MyPaint with {d['args']['seeds']} brush seeds at each canvas size, against the shipped painters "
            f"(`python benchmarks/painter_fidelity.py`; {machine(d)}). The VAE and GAN paint 64 px and are resized "
            "bilinearly; the dab painter renders each size natively with the same weights. The ideal is the exact "
            "conditional mean: against one render it scores half the noise floor (MyPaint against itself with "
            "another seed), so *x ideal* is a painter's alpha MSE over half the noise floor. MyPaint's rendering "
            f"in this run (one process; a timing, not a speed benchmark): {timing}.",
            table(
                [
                    "canvas",
                    "painter",
                    "alpha MSE vs one render",
                    "x ideal",
                    "vs the seeds' mean",
                    "ink-over-white MSE",
                    "coverage error",
                ],
                accuracy,
            ),
            "Texture and variance. Sharpness is high-frequency energy (a stroke minus its 3x3 box blur, "
            "squared) relative to MyPaint's, of the mean and of `sample()` (the VAE and GAN sample independent "
            "pixel noise; the dab painter jitters its dabs as the brush does). Variance: the predicted per-pixel "
            "variance, and that of one `sample()` per brush seed, against the variance across MyPaint's seeds. "
            "Sample MSE: a sample against a MyPaint render, over the noise floor (1.00 for a sampler with "
            "MyPaint's mean and variance; too little variance scores lower, so read it beside the variance ratio):",
            table(
                [
                    "canvas",
                    "painter",
                    "sharpness: mean",
                    "sharpness: sample",
                    "predicted / measured variance",
                    "variance correlation",
                    "sample / MyPaint variance",
                    "sample variance correlation",
                    "sample MSE / noise floor",
                ],
                texture,
            ),
            table(["target", "verdict"], [[t, v] for _, t, v in targets]),
            f"Whole paintings ({ct['sequences']} sequences of 8 strokes on MNIST targets, 64 px): MyPaint's "
            f"MSE to the target is {ct['mypaint_mse_to_target']:.4f} (mean of "
            f"{ct['mypaint_seeds']} seeds; MyPaint against itself with another seed: "
            f"{ct['mypaint_seed_to_seed_canvas_mse']:.4f}). `expected_mse` prices the brush's variance in:",
            table(["painter", "canvas MSE vs MyPaint", "neural canvas MSE to target", "expected_mse prediction"], crow),
            "\n".join(f"![{f.removesuffix('.png').replace('_', ' ')}](results/{f})" for f in figures),
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
                    f"{block.get('dataset', ds)}, {block['strokes']}",
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
            *agent_refinement(d),
            "Stroke order against the hand-made MNIST templates "
            "(first stroke agrees: starts near the template's and runs its way):",
            table(["agent", "first stroke agrees", "starts near", "same direction", "MyPaint MSE"], srows),
            "Expected-error objective against plain MSE, same run otherwise, at the same step"
            + (f" (read from those runs' logs, {str(ob['measured'])[:10]}):" if ob.get("measured") else ":"),
            table(["run", "step", "neural canvas", "MyPaint replay", "transfer gap"], orows),
            "![agent transfer](results/agent_transfer.png) ![objectives](results/agent_objectives.png)",
        ]
    )
    targets = []
    goal = {"mnist": 0.008, "kmnist": 0.025, "celeba": 0.019, "celeba30": 0.015}  # issue 14
    for ds, block in d["transfer"].items():
        agent = next((r for r in block["rows"] if r["method"].startswith("backprop agent (")), None)
        if agent and ds in goal:
            targets.append(
                (
                    "agent transfer",
                    f"{block.get('dataset', ds)}, {block['strokes']} strokes: MyPaint MSE <= {goal[ds]}",
                    f"{agent['mypaint_mse']:.4f}: {verdict(agent['mypaint_mse'] <= goal[ds])}",
                )
            )
    runs = ob["runs"]
    if {"mnist_expected", "mnist_mse"} <= set(runs):
        better = runs["mnist_expected"]["eval_mypaint_mse"] < runs["mnist_mse"]["eval_mypaint_mse"]
        targets.append(("agent transfer", "expected-error objective beats plain MSE in MyPaint", verdict(better)))
    return md, targets


def agent_refinement(d: dict[str, Any]) -> list[str]:
    """Test-time refinement: MyPaint MSE and seconds per image against refinement steps, per agent,
    beside direct optimisation on the same images."""
    ref = d.get("refinement")
    if not ref:
        return []
    rows = []
    for name, block in ref.items():
        direct = next(
            (r for r in d["transfer"].get(name, {}).get("rows", []) if r["method"].startswith("direct")), None
        )
        for r in block["rows"]:
            rows.append(
                [
                    name,
                    r["refine_steps"],
                    f"{r['neural_mse']:.4f}",
                    f"**{r['mypaint_mse']:.4f}**",
                    f"{r['seconds_per_image']:.2f}",
                ]
            )
        if direct:
            per_image = direct["seconds"] / d["transfer"][name]["direct_images"]
            rows.append(
                [
                    name,
                    direct["method"],
                    f"{direct['neural_mse']:.4f}",
                    f"**{direct['mypaint_mse']:.4f}**",
                    f"{per_image:.2f}",
                ]
            )
    return [
        "Test-time refinement (`agent.paint(targets, refine=N)`: the agent's strokes, then N Adam steps per image of "
        "the expected error through its painter, batched), on the direct-optimisation images, against direct "
        "optimisation from random starts:",
        table(["agent", "refinement steps", "neural canvas", "MyPaint replay", "seconds per image"], rows),
        "![refinement](results/agent_refinement.png)",
    ]


def agent_step() -> Section:
    d = load("agent_step")
    if d is None:
        return "*not run*", []
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
            f"(`python benchmarks/agent_step.py`; {machine(d)}). Painter alone: the painter's forward and "
            "backward over the step's strokes by themselves.",
            table(
                ["threads", "painter", "s per step", "painter alone (s)", "share of the step", "speed-up vs GAN"], rows
            ),
            "\n".join(f"- {line}" for line in ops),
            "![agent step](results/agent_step.png)",
        ]
    )
    best = max((r["speedup_vs_gan"] for r in d["rows"] if "speedup_vs_gan" in r), default=float("nan"))
    target = d.get("target_speedup", 2.0)
    return md, [
        (
            "agent step",
            f"dab agent step >= {target:g}x faster than the GAN's",
            f"{best:.2f}x: {verdict(best >= target)}",
        )
    ]


def ratio(value: float | None) -> str:
    return "undefined" if value is None else f"{value:,.1f}x"


def when(seconds_: float | None, strokes: int | None) -> str:
    return "never" if seconds_ is None else f"{seconds(seconds_)} / {n(strokes)}"


def level_ratios(r: dict[str, Any]) -> list[str]:
    """The two ratio cells of a level: "-" if RL never reached it, "backprop never" if only RL did."""
    if r["rl_seconds"] is None:
        return ["-", "-"]
    if r["backprop_seconds"] is None:
        return ["backprop never"] * 2
    return [ratio(r["ratio"]), ratio(r["ratio_with_costs"])]


def random_reach(d: dict[str, Any]) -> list[str]:
    """A sentence when untrained strokes (the random agent) already reach some levels: there the
    levels, fractions of the blank canvas, ask less than they seem (a white canvas is far from a face)."""
    rand = d["methods"].get("random")
    if rand is None:
        return []
    reached = [lv["label"] for lv in d["levels"] if rand["final_mse"] <= lv["mse"]]
    if not reached:
        return []
    return [
        f"The random agent's untrained strokes ({rand['final_mse']:.4f}, {rand['final_mse'] / d['blank_mse']:.0%} of "
        f"blank) already reach {', '.join(reached)}: a level that untrained strokes reach says little on this data "
        "set; the lower levels are the ones that separate the methods."
    ]


def reconstruction(name: str) -> Section:
    """The side-by-side benchmark of one data set: the levels table, the claim at the lowest level
    the best RL method reaches (without and with the painter's one-off cost), the plots."""
    d = load(name)
    if d is None:
        return "*not run yet*", []
    dataset = name.removeprefix("reconstruction_")
    if "levels" not in d:  # written by the first protocol (one threshold): not comparable, rerun
        return f"*results of the first protocol (one threshold); rerun `{d['command']}`*", []
    c = d["claim"]
    labels = {key: m.get("method", key) for key, m in d["methods"].items()}
    cost = d["painter_cost"]
    parts = [
        f"{d['dataset']}, {d['strokes']} strokes, {d['images']} evaluation images, {d['budget_minutes']:g} minutes "
        f"of training per method, MyPaint replay averaged over brush seeds 0-3 (`{d['command'].split(' --runs')[0]}`; "
        f"{machine(d)}). Levels: 75%, 50% and 25% of the blank canvas's MSE ({d['blank_mse']:.4f}) and the best RL "
        "method's final MSE; each level's cell is the training time / strokes painted at the first evaluation at or "
        "below it (evaluations are spaced geometrically: upper bounds).",
        d["table"],
    ]
    parts += random_reach(d)
    row: tuple[str, str, str] | None = None
    if c.get("tested"):
        dec = c["decision"]
        parts += [
            "Claim (Nakano 2019: the backprop agent reaches the level >= 10x sooner), decided at the lowest level the "
            f"best RL method ({labels.get(c['best_rl'], c['best_rl'])}) reaches, "
            f"**{dec['level']} = {dec['mse']:.4f}**: "
            f"training time only {ratio(dec['ratio'])}, {verdict(c['met'])}; with the painter's one-off cost "
            f"({cost['total_seconds'] / 60:.1f} min: rendering {n(cost['n_actions'])} x {cost['seeds_per_action']} "
            f"strokes, {cost['data_seconds'] / 60:.1f} min here, and fitting, {cost['fit_seconds'] / 60:.1f} min) "
            f"charged to every method that needs the painter, {ratio(dec['ratio_with_costs'])}, "
            f"{verdict(c['met_with_costs'])}.",
            table(
                ["level", "MSE", "best RL: time / strokes", "backprop: time / strokes", "ratio", "with painter cost"],
                [
                    [
                        r["level"],
                        f"{r['mse']:.4f}",
                        when(r["rl_seconds"], r["rl_strokes"]),
                        when(r["backprop_seconds"], r["backprop_strokes"]),
                        *level_ratios(r),
                    ]
                    for r in c["per_level"]
                ],
            ),
        ]
        row = (
            f"reconstruction ({dataset})",
            "backprop reaches the lowest level the best RL method reaches >= 10x sooner",
            f"{ratio(dec['ratio'])} at {dec['level']} ({dec['mse']:.4f}): {verdict(c['met'])}; "
            f"with painter cost {ratio(dec['ratio_with_costs'])}: {verdict(c['met_with_costs'])}",
        )
    else:
        parts.append(f"Claim not tested: {c.get('reason', 'no RL method')}.")
    plots = [f"results/{name}_{x}.png" for x in ("wallclock", "strokes") if (RESULTS / f"{name}_{x}.png").is_file()]
    parts += [f"![{dataset}: MSE against {'wall-clock' if 'wall' in p_ else 'strokes'}]({p_})" for p_ in plots]
    rl_best = min(
        (min(pt["mse"] for pt in m["points"]) for k, m in d["methods"].items() if k.startswith(("spiral", "sb3"))),
        default=float("nan"),
    )
    targets = [row] if row else []
    if dataset == "mnist":
        targets.append(
            (
                "RL learns (mnist)",
                "an RL method at or below half the blank canvas's MSE within its budget",
                f"best RL evaluation {rl_best:.4f}, half of blank {d['blank_mse'] / 2:.4f}: "
                f"{verdict(rl_best <= d['blank_mse'] / 2)}",
            )
        )
    return "\n\n".join(parts), targets


def script_table(d: dict[str, Any], script: str, figure: str, note: str = "") -> str:
    """A section made of a benchmark's own header and table (stored in its JSON), its command and figure."""
    return "\n\n".join(
        [f"{d['header']} (`python benchmarks/{script}.py`).{note}", d["table"], f"![{figure}](results/{script}.png)"]
    )


def sb3_search() -> Section:
    """The SB3 PPO/SAC hyperparameter search on the batched dab-painter env (issue 15)."""
    d = load("sb3_search")
    if d is None:
        return "*not run yet*", []
    note = (
        " Each row changes a few fields of the one above it or of the base; the best configuration of each "
        "algorithm (bold) is the one `reconstruction.py` runs."
    )
    best = {algo: next(r for r in d["rows"] if r["config"] == name) for algo, name in d["best"].items()}
    return script_table(d, "sb3_search", "SB3 search", note), [
        (
            "SB3 search (mnist)",
            "4-8 documented configurations; the best of each algorithm used by the benchmark",
            ", ".join(f"{a.upper()} {r['config']} best {r['best_mse']:.4f}" for a, r in best.items()),
        )
    ]


def rl_throughput() -> Section:
    """Strokes per training second of each RL method on the dab-painter env and on MyPaint."""
    d = load("rl_throughput")
    if d is None:
        return "*not run yet*", []
    return script_table(d, "rl_throughput", "RL throughput"), []


def spiral_diagnosis() -> Section:
    """Why SPIRAL-style RL collapsed: each fix's learning curve beside the blank canvas (issue 15)."""
    d = load("spiral_diagnosis")
    if d is None:
        return "*not run*", []
    rows = [
        [
            r["label"],
            f"{r['final_mse']:.4f}",
            f"{r['best_mse']:.4f}",
            f"{r['best_vs_blank']:.2f}",
            f"{r['silent_strokes_end']:.0%}",
            f"{r['train_mse_end']:.4f}",
            n(r["updates"]),
            n(r["strokes_per_second"]),
        ]
        for r in d["rows"]
    ]
    rows.append(["blank canvas", f"{d['blank_mse']:.4f}", f"{d['blank_mse']:.4f}", "1.00", "-", "-", "-", "-"])
    md = "\n\n".join(
        [
            f"{d['header']} (`python benchmarks/spiral_diagnosis.py`). Silent strokes: the share of the training "
            "rollouts' strokes with both pressures at the floor (no paint), the collapse's symptom; training MSE: "
            "the rollouts' final canvases (sampled strokes), the last 5 updates.",
            table(
                [
                    "variant",
                    "final MSE",
                    "best MSE",
                    "best / blank",
                    "silent strokes (end)",
                    "training MSE (end)",
                    "updates",
                    "strokes/s",
                ],
                rows,
            ),
            "![SPIRAL diagnosis](results/spiral_diagnosis.png)",
        ]
    )
    best = min((r["best_mse"] for r in d["rows"]), default=float("nan"))
    return md, [
        (
            "SPIRAL diagnosis (mnist)",
            "a SPIRAL-style variant at or below half the blank canvas's MSE (issue 15's RL target)",
            f"best {best:.4f}, blank {d['blank_mse']:.4f}: {verdict(best <= d['blank_mse'] / 2)}",
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


def style_layouts() -> Section:
    d = load("style_layouts")
    if d is None:
        return "*not run*", []
    rows = [
        [
            f"{r['size']} px",
            r["layout"],
            f"{r['canvases']} x {r['canvas_px']} px",
            n(r["strokes"]),
            f"{r['step_s_median']:.2f}",
            f"{r['step_cpu_s_median']:.2f}",
            f"{r['loss_first']:.1f} -> {r['loss_last']:.1f}",
            f"{r['content_loss_neural']:.1f}",
            f"{r['content_loss_mypaint']:.1f}",
            f"{n(r['peak_rss_mib'])} MiB",
        ]
        for r in d["rows"]
    ]
    md = [
        f"`python benchmarks/style_speed.py --layouts` ({machine(d)}; {d['note']}): the dab painter painting the "
        "whole image on one canvas (`layout='native'`) against stitched 64 px tiles (`'tiles'`, the default), "
        "the same strokes in all, the same photo, seed and learning rate.",
        table(
            [
                "image",
                "layout",
                "canvases",
                "strokes",
                "wall s / step",
                "CPU s / step",
                "loss, step 1 -> last",
                "content loss (neural)",
                "content loss (MyPaint)",
                "peak RSS",
            ],
            rows,
        ),
        "![style layouts](results/style_layouts.png)",
    ]
    return "\n\n".join(md), []


SECTIONS: list[tuple[str, Callable[[], Section]]] = [
    ("Environment speed", env_speed),
    ("Brushes", brush_survey),
    ("Painter fidelity", painter_fidelity),
    ("Discrete actions and the lift flag", discrete_lift_sweep),
    ("Agents: transfer to MyPaint", agent_transfer),
    ("Agents: a training step by painter", agent_step),
    ("Side-by-side: backprop against RL, MNIST", lambda: reconstruction("reconstruction_mnist")),
    ("Side-by-side: backprop against RL, KMNIST", lambda: reconstruction("reconstruction_kmnist")),
    ("Side-by-side: backprop against RL, CelebA (15 strokes)", lambda: reconstruction("reconstruction_celeba")),
    ("SPIRAL-style RL: why it collapsed, and the fixes", spiral_diagnosis),
    ("SB3 PPO and SAC: the search", sb3_search),
    ("RL throughput: dab-painter env against MyPaint", rl_throughput),
    ("Class visualization", class_visualization),
    ("Intrinsic style transfer", style_transfer),
    ("Style transfer speed and memory", style_speed),
    ("Style transfer: one native canvas against stitched tiles", style_layouts),
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
