"""What a side-by-side run reports (``reconstruction.py``): the levels' claim, its tables and plots,
the JSON and markdown it writes, and its sections of ``benchmarks/README.md``."""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from common import Section, describe, duration, machine, machine_line, md_table, number, read_result, verdict
from methods import METHODS, PAINTER_METHODS, RL_METHODS

from paint_gym.benchmark.results import Level, MethodResult, format_table, protocol_levels

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

CLAIM_SPEEDUP = 10.0
#: data set -> its section's name in the README, in the README's order.
README_DATASETS = {"mnist": "MNIST", "kmnist": "KMNIST", "celeba": "CelebA (15 strokes)"}


def level_ratio(rl: MethodResult, backprop: MethodResult, level: Level, costs: tuple[float, float]) -> dict[str, Any]:
    """When the RL method and the backprop agent first reached ``level``, and the ratio of those
    training times, without and with the one-off costs ``(rl_cost, backprop_cost)`` in seconds.
    A ratio is None when a time is 0 (an untrained policy already at the level measures no
    training speed) and 0 when the backprop agent never reached the level."""
    rl_hit, bp_hit = rl.first_reaching(level.mse), backprop.first_reaching(level.mse)
    out: dict[str, Any] = {
        "level": level.label,
        "mse": level.mse,
        "rl_seconds": None if rl_hit is None else rl_hit.seconds,
        "rl_strokes": None if rl_hit is None else rl_hit.strokes,
        "backprop_seconds": None if bp_hit is None else bp_hit.seconds,
        "backprop_strokes": None if bp_hit is None else bp_hit.strokes,
        "ratio": None,
        "ratio_with_costs": None,
    }
    if rl_hit is None:
        return out
    if bp_hit is None:
        return {**out, "ratio": 0.0, "ratio_with_costs": 0.0}
    if rl_hit.seconds > 0 and bp_hit.seconds > 0:
        out["ratio"] = rl_hit.seconds / bp_hit.seconds
    out["ratio_with_costs"] = (rl_hit.seconds + costs[0]) / (bp_hit.seconds + costs[1])
    return out


def claim(results: dict[str, MethodResult], levels: list[Level], painter_seconds: float = 0.0) -> dict[str, Any]:
    """Does the backprop agent reach the lowest level the best RL method reaches >= 10x sooner?

    The best RL method is the one with the lowest final MSE; the deciding level is the lowest
    of ``levels`` it reached at any evaluation. ``painter_seconds`` (the painter's one-off cost)
    is added to every method in :data:`PAINTER_METHODS` for the second ratio. ``met`` is None
    when the ratio is undefined (a time of 0); ``per_level`` holds every level's reading."""
    rl = {k: r for k, r in results.items() if k in RL_METHODS}
    if "backprop" not in results or not rl:
        return {"tested": False, "reason": "needs the backprop agent and at least one RL method"}
    best = min(rl, key=lambda k: rl[k].final_mse)
    costs = (painter_seconds if best in PAINTER_METHODS else 0.0, painter_seconds)
    per_level = [level_ratio(rl[best], results["backprop"], lv, costs) for lv in levels]
    reached = [r for r in per_level if r["rl_seconds"] is not None]
    if not reached:  # cannot happen with the best RL final level among ``levels``; kept for given levels
        return {"tested": False, "reason": f"{METHODS[best]} reached none of the levels", "per_level": per_level}
    decision = min(reached, key=lambda r: r["mse"])
    ratio, with_costs = decision["ratio"], decision["ratio_with_costs"]
    return {
        "tested": True,
        "best_rl": best,
        "decision": decision,
        "painter_seconds": painter_seconds,
        "rl_charged_seconds": costs[0],
        "per_level": per_level,
        "met": None if ratio is None else ratio >= CLAIM_SPEEDUP,
        "met_with_costs": with_costs >= CLAIM_SPEEDUP,
    }


def _ratio(value: float | None, undefined: str = "undefined (a time of 0)") -> str:
    return undefined if value is None else f"{value:,.1f}x"


def claim_text(c: dict[str, Any]) -> str:
    """The verdict in words: the deciding level beside the ratio, without and with one-off costs."""
    if not c["tested"]:
        return f"Claim not tested: {c['reason']}."
    d = c["decision"]
    target = f"Target: the backprop agent reaches the level >= {CLAIM_SPEEDUP:.0f}x sooner in wall-clock"
    rl = (
        f"the best RL method, {METHODS[c['best_rl']]} (lowest final MSE), reached the lowest level it reaches, "
        f"{d['level']} = {d['mse']:.4f}, after {d['rl_seconds']:.0f} s and {d['rl_strokes']:,} strokes"
    )
    if d["backprop_seconds"] is None:
        return f"{target}: NOT MET: {rl}; the backprop agent never reached it within its budget."
    word = {True: "met", False: "NOT MET", None: "UNDECIDED"}
    cost = (
        f"with the painter's one-off cost ({c['painter_seconds'] / 60:.1f} min: stroke data + fitting) charged to "
        f"the backprop agent{' and to the RL method' if c['rl_charged_seconds'] else ''}"
    )
    return (
        f"{target}: {word[c['met']]}, {_ratio(d['ratio'])} at {d['level']} ({d['mse']:.4f}). "
        f"{rl[0].upper()}{rl[1:]}; "
        f"the backprop agent after {d['backprop_seconds']:.1f} s and {d['backprop_strokes']:,} strokes "
        f"(times are those of the first evaluation at or below the level; evaluations are spaced geometrically, so "
        f"each is an upper bound). {cost[0].upper()}{cost[1:]}: {_ratio(d['ratio_with_costs'])}, "
        f"{word[c['met_with_costs']]}."
    )


def level_rows(c: dict[str, Any], time: Callable[[float], str], undefined: str) -> list[list[str]]:
    """Every level's reading of the claim: level, MSE, when the best RL method and the backprop agent
    first reached it (``time`` / strokes, or never) and the two ratios ("-" where the RL method never
    reached it: no reading; "backprop never": not met)."""
    rows = []
    for r in c["per_level"]:
        if r["rl_seconds"] is None or r["backprop_seconds"] is None:
            ratios = ["-" if r["rl_seconds"] is None else "backprop never"] * 2
        else:
            ratios = [_ratio(r["ratio"], undefined), _ratio(r["ratio_with_costs"], undefined)]
        rl, bp = (r["rl_seconds"], r["rl_strokes"]), (r["backprop_seconds"], r["backprop_strokes"])
        when = ["never" if s is None else f"{time(s)} / {number(k)}" for s, k in (rl, bp)]
        rows.append([r["level"], f"{r['mse']:.4f}", *when, *ratios])
    return rows


def ratio_table(c: dict[str, Any]) -> str:
    """Markdown table of every level's reading of the claim (best RL method vs backprop agent)."""
    if not c.get("per_level"):
        return ""
    header = ["level", "MSE", "best RL: time / strokes", "backprop: time / strokes", "ratio", "ratio with painter cost"]
    return md_table(header, level_rows(c, lambda s: f"{s:,.1f} s", "undefined (a time of 0)"))


def plot(results: dict[str, MethodResult], levels: list[Level], x: str, out: Path, title: str) -> Path:
    """MSE against training seconds (``x="seconds"``) or strokes painted (``"strokes"``), one line
    per trained method, the blank and random agent's MSE and the protocol's levels drawn."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    trained = [k for k in results if k not in ("random", "blank")]
    for k in trained:
        pts = results[k].points
        color = f"C{list(METHODS).index(k) % 10}"  # one colour per method on every data set
        ax.plot(
            [getattr(p, x) for p in pts], [p.mse for p in pts], marker="o", markersize=3, color=color, label=METHODS[k]
        )
    for k, style in (("random", ":"), ("blank", "--")):
        if k in results:
            mse = results[k].final_mse
            ax.axhline(mse, color="grey", linestyle=style, linewidth=1, label=f"{METHODS[k]} ({mse:.4f})")
    if "blank" in results:  # the view from 0 to just above the blank canvas (a random agent is far above it)
        ax.set_ylim(0, 1.15 * results["blank"].final_mse)
    for lv in levels:
        ax.axhline(lv.mse, color="black", linestyle="-.", linewidth=0.6, alpha=0.6)
    bottom, top = ax.get_ylim()
    for lv, y in zip(levels, _spread([(lv.mse - bottom) / (top - bottom) for lv in levels], gap=0.07), strict=True):
        ax.annotate(f"{lv.label}\n{lv.mse:.4f}", (1.01, y), xycoords="axes fraction", fontsize=6, va="center")
    if x == "seconds":
        ax.set_xscale("symlog", linthresh=1.0, linscale=0.3)
        ax.set_xlabel("training wall-clock (s; linear below 1 s, log above)")
    else:
        ax.set_xscale("symlog", linthresh=1000.0, linscale=0.5)
        ax.set_xlabel("strokes painted while training (linear below 1,000, log above)")
        # ticks 0, 10^3, 10^4, ...: symlog's own locator also marks 10^2, which lands on the 0
        most = max((p.strokes for k in trained for p in results[k].points), default=0)
        ax.set_xticks([0] + [10**k for k in range(3, int(math.log10(max(most, 1000))) + 1)])
    ax.set_xlim(left=0)
    ax.set_ylabel("MSE of the MyPaint replay (eval images)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _spread(ys: list[float], gap: float) -> list[float]:
    """Label positions (axes fractions) near ``ys``, moved apart so no two are closer than ``gap``:
    labels of levels a few thousandths apart in MSE would print on top of each other."""
    order = sorted(range(len(ys)), key=ys.__getitem__)
    out = list(ys)
    for prev, i in itertools.pairwise(order):
        out[i] = max(out[i], out[prev] + gap)
    return out


def _finite(value: Any) -> Any:
    """JSON has no infinity: non-finite floats become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def summarise(
    results: dict[str, MethodResult], args: argparse.Namespace, out: Path, blank: float, cost: dict[str, Any]
) -> dict[str, Any]:
    """Levels, table, claim, plots, markdown and JSON of one data set's run."""
    rl_finals = [r.final_mse for k, r in results.items() if k in RL_METHODS]
    levels = protocol_levels(blank, min(rl_finals) if rl_finals else None)
    table = format_table(list(results.values()), levels)
    c = claim(results, levels, cost["total_seconds"])
    m = machine()
    stem = f"reconstruction_{args.dataset}"
    title = f"{args.dataset}, {args.strokes} strokes, {args.images} eval images, {args.budget:g} min per method"
    figs = [
        plot(results, levels, "seconds", out / f"{stem}_wallclock.png", title),
        plot(results, levels, "strokes", out / f"{stem}_strokes.png", title),
    ]
    head = (
        f"{title}; MyPaint replay averaged over brush seeds 0-3; levels: 75/50/25% of the blank canvas's MSE "
        f"({blank:.4f}) and the best RL method's final MSE; each level's cell is training time / strokes painted at "
        f"the first evaluation at or below it. Painter one-off cost {duration(cost['total_seconds'])} "
        f"(rendering {cost['n_actions']:,} x {cost['seeds_per_action']} strokes: {duration(cost['data_seconds'])}; "
        f"fitting {duration(cost['fit_seconds'])}; {cost.get('measured', 'scaled from a sample')}). {describe(m)}."
    )
    md = f"{head}\n\n{table}\n\n{claim_text(c)}\n\n{ratio_table(c)}\n"
    (out / f"{stem}.md").write_text(md)
    payload = {
        "dataset": args.dataset,
        "strokes": args.strokes,
        "images": args.images,
        "budget_minutes": args.budget,
        "blank_mse": blank,
        "levels": [{"label": lv.label, "mse": lv.mse} for lv in levels],
        "painter_cost": cost,
        "claim": c,
        "methods": {k: r.as_dict() for k, r in results.items()},
        "table": table,
        "machine": m,
        "command": "python benchmarks/reconstruction.py " + " ".join(sys.argv[1:]),
    }
    (out / f"{stem}.json").write_text(json.dumps(_finite(payload), indent=2) + "\n")
    print("\n" + md)
    print(f"wrote {out / (stem + '.json')}, {out / (stem + '.md')}, {figs[0]}, {figs[1]}")
    return payload


# -- the README sections --------------------------------------------------------------------------------
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


def claim_section(d: dict[str, Any], dataset: str) -> tuple[list[str], tuple[str, str, str] | None]:
    """The claim's paragraph and per-level table, and its row of the targets table (None: not tested)."""
    c, cost = d["claim"], d["painter_cost"]
    if not c.get("tested"):
        return [f"Claim not tested: {c.get('reason', 'no RL method')}."], None
    labels = {key: m.get("method", key) for key, m in d["methods"].items()}
    dec = c["decision"]
    parts = [
        "Claim (Nakano 2019: the backprop agent reaches the level >= 10x sooner), decided at the lowest level the "
        f"best RL method ({labels.get(c['best_rl'], c['best_rl'])}) reaches, "
        f"**{dec['level']} = {dec['mse']:.4f}**: "
        f"training time only {_ratio(dec['ratio'], 'undefined')}, {verdict(c['met'])}; with the painter's one-off "
        f"cost ({duration(cost['total_seconds'])}: rendering {number(cost['n_actions'])} x "
        f"{cost['seeds_per_action']} strokes, {duration(cost['data_seconds'])} here, and fitting, "
        f"{duration(cost['fit_seconds'])}; {cost.get('measured', 'scaled from a sample')}) charged to every "
        "method that needs the painter, "
        f"{_ratio(dec['ratio_with_costs'], 'undefined')}, {verdict(c['met_with_costs'])}.",
        md_table(
            ["level", "MSE", "best RL: time / strokes", "backprop: time / strokes", "ratio", "with painter cost"],
            level_rows(c, duration, "undefined"),
        ),
    ]
    row = (
        f"reconstruction ({dataset})",
        "backprop reaches the lowest level the best RL method reaches >= 10x sooner",
        f"{_ratio(dec['ratio'], 'undefined')} at {dec['level']} ({dec['mse']:.4f}): {verdict(c['met'])}; "
        f"with painter cost {_ratio(dec['ratio_with_costs'], 'undefined')}: {verdict(c['met_with_costs'])}",
    )
    return parts, row


def readme_section(results: Path, dataset: str) -> tuple[str, list[tuple[str, str, str]]]:
    """One data set's section: the levels table, the claim at the lowest level the best RL method
    reaches (without and with the painter's one-off cost), the plots; and its targets."""
    name = f"reconstruction_{dataset}"
    d = read_result(results, name)
    if d is None:
        return "*not run yet*", []
    if "levels" not in d:  # written by the first protocol (one threshold): not comparable, rerun
        return f"*results of the first protocol (one threshold); rerun `{d['command']}`*", []
    parts = [
        f"{d['dataset']}, {d['strokes']} strokes, {d['images']} evaluation images, {d['budget_minutes']:g} minutes "
        f"of training per method, MyPaint replay averaged over brush seeds 0-3 (`{d['command'].split(' --runs')[0]}`; "
        f"{machine_line(d)}). Levels: 75%, 50% and 25% of the blank canvas's MSE ({d['blank_mse']:.4f}) and the best "
        "RL method's final MSE; each level's cell is the training time / strokes painted at the first evaluation at "
        "or below it (evaluations are spaced geometrically: upper bounds).",
        d["table"],
        *random_reach(d),
    ]
    claim_parts, row = claim_section(d, dataset)
    parts += claim_parts
    plots = [f"{name}_{x}.png" for x in ("wallclock", "strokes") if (Path(results) / f"{name}_{x}.png").is_file()]
    parts += [f"![{dataset}: MSE against {'wall-clock' if 'wall' in p else 'strokes'}](results/{p})" for p in plots]
    targets = [row] if row else []
    if dataset == "mnist":
        rl_best = min(
            (min(pt["mse"] for pt in m["points"]) for k, m in d["methods"].items() if k.startswith(("spiral", "sb3"))),
            default=float("nan"),
        )
        targets.append(
            (
                "RL learns (mnist)",
                "an RL method at or below half the blank canvas's MSE within its budget",
                f"best RL evaluation {rl_best:.4f}, half of blank {d['blank_mse'] / 2:.4f}: "
                f"{verdict(rl_best <= d['blank_mse'] / 2)}",
            )
        )
    return "\n\n".join(parts), targets


def readme_sections(results: Path) -> list[Section]:
    """The README's side-by-side sections, one per data set of :data:`README_DATASETS`."""
    return [
        Section(f"Side-by-side: backprop against RL, {title}", *readme_section(results, dataset))
        for dataset, title in README_DATASETS.items()
    ]
