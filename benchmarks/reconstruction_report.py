"""What a side-by-side run reports (``reconstruction.py``): the levels' claim, its tables and plots,
the JSON and markdown it writes, and its sections of ``benchmarks/README.md``."""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from common import Section, describe, duration, machine, machine_line, md_table, number, read_result, verdict
from methods import METHODS, PAINTER_METHODS, RETIRED_METHODS, RL_METHODS

from paint_gym.benchmark.results import Level, MethodResult, format_row, protocol_levels, table_header

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

CLAIM_SPEEDUP = 10.0
#: data set -> its section's name in the README, in the README's order.
README_DATASETS = {"mnist": "MNIST", "kmnist": "KMNIST", "celeba": "CelebA (15 strokes)"}


#: A method's runs: one MethodResult per training seed (a single result counts as one run).
Runs = list[MethodResult]


def as_runs(result: MethodResult | Runs) -> Runs:
    """``result`` as a list of runs (one per training seed)."""
    return list(result) if isinstance(result, list | tuple) else [result]


def mean_final(runs: Runs) -> float:
    """The mean over seeds of the runs' final MSE."""
    return statistics.fmean(r.final_mse for r in runs)


def _sd(values: list[float]) -> float:
    """The sample standard deviation (0 for one value)."""
    return statistics.stdev(values) if len(values) > 1 else 0.0


def reaching(runs: Runs, level: Level) -> dict[str, Any]:
    """When the runs (one per seed) first reached ``level``: the mean over seeds of the training
    seconds and strokes, their standard deviation, how many of the ``n`` seeds reached it and
    each seed's seconds (None: never). A seed that never reached it counts at its budget (a
    lower bound on its time: ``censored`` of them); ``seconds`` is None when no seed reached it."""
    hits = [r.first_reaching(level.mse) for r in runs]
    per_seed = [None if h is None else h.seconds for h in hits]
    out: dict[str, Any] = {"n": len(runs), "reached": sum(h is not None for h in hits), "per_seed_seconds": per_seed}
    if out["reached"] == 0:
        return {**out, "seconds": None, "seconds_sd": None, "strokes": None, "censored": 0}
    secs = [h.seconds if h else (r.budget_seconds or r.final.seconds) for h, r in zip(hits, runs, strict=True)]
    strokes = [h.strokes if h else r.final.strokes for h, r in zip(hits, runs, strict=True)]
    return {
        **out,
        "seconds": statistics.fmean(secs),
        "seconds_sd": _sd(secs),
        "strokes": round(statistics.fmean(strokes)),
        "censored": len(runs) - out["reached"],
    }


def level_ratio(
    rl: MethodResult | Runs, backprop: MethodResult | Runs, level: Level, costs: tuple[float, float]
) -> dict[str, Any]:
    """When the RL method and the backprop agent first reached ``level`` (the means over their
    seeds, :func:`reaching`), and the ratio of those mean training times, without and with the
    one-off costs ``(rl_cost, backprop_cost)`` in seconds; ``ratio_range`` is the lowest and
    highest ratio of one RL seed's time to one backprop seed's (the spread). A ratio is None when
    a time is 0 (an untrained policy already at the level measures no training speed) and 0 when
    no backprop seed reached the level."""
    rl_at, bp_at = reaching(as_runs(rl), level), reaching(as_runs(backprop), level)
    out: dict[str, Any] = {
        "level": level.label,
        "mse": level.mse,
        "rl_seconds": rl_at["seconds"],
        "rl_seconds_sd": rl_at["seconds_sd"],
        "rl_strokes": rl_at["strokes"],
        "rl_reached": rl_at["reached"],
        "rl_censored": rl_at["censored"],
        "rl_seeds": rl_at["n"],
        "rl_per_seed_seconds": rl_at["per_seed_seconds"],
        "backprop_seconds": bp_at["seconds"],
        "backprop_seconds_sd": bp_at["seconds_sd"],
        "backprop_strokes": bp_at["strokes"],
        "backprop_reached": bp_at["reached"],
        "backprop_censored": bp_at["censored"],
        "backprop_seeds": bp_at["n"],
        "backprop_per_seed_seconds": bp_at["per_seed_seconds"],
        "ratio": None,
        "ratio_with_costs": None,
        "ratio_range": None,
    }
    if rl_at["seconds"] is None:
        return out
    if bp_at["seconds"] is None:
        return {**out, "ratio": 0.0, "ratio_with_costs": 0.0}
    if rl_at["seconds"] > 0 and bp_at["seconds"] > 0:
        out["ratio"] = rl_at["seconds"] / bp_at["seconds"]
        rl_times = [t for t in rl_at["per_seed_seconds"] if t is not None] + [
            r.budget_seconds or r.final.seconds
            for r, t in zip(as_runs(rl), rl_at["per_seed_seconds"], strict=True)
            if t is None
        ]
        bp_times = [t for t in bp_at["per_seed_seconds"] if t is not None]
        if min(bp_times) > 0:
            out["ratio_range"] = [min(rl_times) / max(bp_times), max(rl_times) / min(bp_times)]
    if bp_at["seconds"] + costs[1] > 0:
        out["ratio_with_costs"] = (rl_at["seconds"] + costs[0]) / (bp_at["seconds"] + costs[1])
    return out


def claim(results: dict[str, MethodResult | Runs], levels: list[Level], painter_seconds: float = 0.0) -> dict[str, Any]:
    """Does the backprop agent reach the lowest level the best RL method reaches >= 10x sooner?

    ``results`` holds each method's runs (one per training seed, or a single result). The best RL
    method is the one with the lowest mean final MSE over its seeds; the deciding level is the
    lowest of ``levels`` any of its seeds reached at any evaluation, and the ratio is that of the
    mean times over seeds (a seed that never reached a level counts at its budget: the RL mean
    is then a lower bound). ``painter_seconds`` (the painter's one-off cost) is added to every
    method in :data:`PAINTER_METHODS` for the second ratio. ``met`` is None when the ratio is
    undefined (a time of 0); ``per_level`` holds every level's reading."""
    runs = {k: as_runs(r) for k, r in results.items()}
    rl = {k: r for k, r in runs.items() if k in RL_METHODS}
    if "backprop" not in runs or not rl:
        return {"tested": False, "reason": "needs the backprop agent and at least one RL method"}
    best = min(rl, key=lambda k: mean_final(rl[k]))
    costs = (painter_seconds if best in PAINTER_METHODS else 0.0, painter_seconds)
    per_level = [level_ratio(rl[best], runs["backprop"], lv, costs) for lv in levels]
    reached = [r for r in per_level if r["rl_seconds"] is not None]
    if not reached:  # cannot happen with the best RL final level among ``levels``; kept for given levels
        return {"tested": False, "reason": f"{METHODS[best]} reached none of the levels", "per_level": per_level}
    decision = min(reached, key=lambda r: r["mse"])
    ratio, with_costs = decision["ratio"], decision["ratio_with_costs"]
    return {
        "tested": True,
        "best_rl": best,
        "seeds": {"rl": len(rl[best]), "backprop": len(runs["backprop"])},
        "decision": decision,
        "painter_seconds": painter_seconds,
        "rl_charged_seconds": costs[0],
        "per_level": per_level,
        "met": None if ratio is None else ratio >= CLAIM_SPEEDUP,
        "met_with_costs": None if with_costs is None else with_costs >= CLAIM_SPEEDUP,
    }


def _ratio(value: float | None, undefined: str = "undefined (a time of 0)") -> str:
    return undefined if value is None else f"{value:,.1f}x"


def _seeds_note(d: dict[str, Any], who: str) -> str:
    """The seeds behind a reading over several seeds (their number, sd, how many reached it); empty for one."""
    n = d[f"{who}_seeds"]
    if n <= 1:
        return ""
    note = f" (mean of {n} seeds, sd {d[f'{who}_seconds_sd']:.0f} s"
    if d[f"{who}_censored"]:
        note += (
            f"; {d[f'{who}_reached']} of {n} reached it, the others count at their budget, so the mean is a lower bound"
        )
    return note + ")"


def claim_text(c: dict[str, Any]) -> str:
    """The verdict in words: the deciding level beside the ratio, without and with one-off costs."""
    if not c["tested"]:
        return f"Claim not tested: {c['reason']}."
    d = c["decision"]
    seeds = c.get("seeds", {"rl": 1, "backprop": 1})
    several = max(seeds.values()) > 1
    target = f"Target: the backprop agent reaches the level >= {CLAIM_SPEEDUP:.0f}x sooner in wall-clock"
    if several:
        target += f" (decided on the means over {seeds['backprop']} backprop and {seeds['rl']} RL training seeds)"
    best = "lowest mean final MSE" if several else "lowest final MSE"
    rl = (
        f"the best RL method, {METHODS[c['best_rl']]} ({best}), reached the lowest level it reaches, "
        f"{d['level']} = {d['mse']:.4f}, after {d['rl_seconds']:.0f} s and {d['rl_strokes']:,} strokes"
        f"{_seeds_note(d, 'rl')}"
    )
    if d["backprop_seconds"] is None:
        return f"{target}: NOT MET: {rl}; the backprop agent never reached it within its budget."
    word = {True: "met", False: "NOT MET", None: "UNDECIDED"}
    cost = (
        f"with the painter's one-off cost ({c['painter_seconds'] / 60:.1f} min: stroke data + fitting) charged to "
        f"the backprop agent{' and to the RL method' if c['rl_charged_seconds'] else ''}"
    )
    spread = ""
    if d.get("ratio_range") and several:
        lo, hi = d["ratio_range"]
        spread = f" (one seed against one seed: {lo:,.1f}x to {hi:,.1f}x)"
    return (
        f"{target}: {word[c['met']]}, {_ratio(d['ratio'])} at {d['level']} ({d['mse']:.4f}){spread}. "
        f"{rl[0].upper()}{rl[1:]}; "
        f"the backprop agent after {d['backprop_seconds']:.1f} s and {d['backprop_strokes']:,} strokes"
        f"{_seeds_note(d, 'backprop')} "
        f"(times are those of the first evaluation at or below the level; evaluations are spaced geometrically, so "
        f"each is an upper bound). {cost[0].upper()}{cost[1:]}: {_ratio(d['ratio_with_costs'])}, "
        f"{word[c['met_with_costs']]}."
    )


def _when(r: dict[str, Any], who: str, time: Callable[[float], str]) -> str:
    """A level's cell for the RL method or the backprop agent: time / strokes, with the spread and
    the seeds that reached it over several seeds; "never" when none did."""
    seconds, strokes = r[f"{who}_seconds"], r[f"{who}_strokes"]
    if seconds is None:
        return "never"
    n = r.get(f"{who}_seeds", 1)
    if n <= 1:
        return f"{time(seconds)} / {number(strokes)}"
    reached = r[f"{who}_reached"]
    bound = ">= " if r[f"{who}_censored"] else ""
    return f"{bound}{time(seconds)} ± {time(r[f'{who}_seconds_sd'])} / {number(strokes)} ({reached}/{n})"


def level_rows(c: dict[str, Any], time: Callable[[float], str], undefined: str) -> list[list[str]]:
    """Every level's reading of the claim: level, MSE, when the best RL method and the backprop agent
    first reached it (``time`` / strokes, over several seeds the mean ± sd and the seeds that
    reached it, or never) and the two ratios of the means ("-" where the RL method never reached it:
    no reading; "backprop never": not met), with the seed-against-seed range."""
    rows = []
    for r in c["per_level"]:
        if r["rl_seconds"] is None or r["backprop_seconds"] is None:
            ratios = ["-" if r["rl_seconds"] is None else "backprop never"] * 2
        else:
            ratios = [_ratio(r["ratio"], undefined), _ratio(r["ratio_with_costs"], undefined)]
            if r.get("ratio_range") and max(r.get("rl_seeds", 1), r.get("backprop_seeds", 1)) > 1:
                lo, hi = r["ratio_range"]
                ratios[0] += f" ({lo:,.1f}-{hi:,.1f}x)"
        rows.append([r["level"], f"{r['mse']:.4f}", _when(r, "rl", time), _when(r, "backprop", time), *ratios])
    return rows


def ratio_table(c: dict[str, Any]) -> str:
    """Markdown table of every level's reading of the claim (best RL method vs backprop agent)."""
    if not c.get("per_level"):
        return ""
    header = ["level", "MSE", "best RL: time / strokes", "backprop: time / strokes", "ratio", "ratio with painter cost"]
    return md_table(header, level_rows(c, lambda s: f"{s:,.1f} s", "undefined (a time of 0)"))


def earlier_painter(result: MethodResult, key: str, current: str | None) -> bool:
    """Whether ``result`` of painter method ``key`` trained through another painter than ``current``
    (the shipped one's SHA-256), or one not recorded (results from before painters were recorded)."""
    if key not in PAINTER_METHODS or current is None:
        return False
    return result.info.get("painter_sha256") != current


def seeded_row(runs: Runs, levels: list[Level], mark: str = "") -> str:
    """A method's row of the methods table: :func:`format_row` for one run; over several seeds the
    mean final MSE ± sd, the mean best MSE, each level's mean time ± sd / mean strokes with the
    seeds that reached it ((k/n); ">=" when some did not: they count at their budget), the mean
    strokes painted and training time."""
    if len(runs) == 1:
        row = format_row(runs[0], levels)
        return row.replace(f"| {runs[0].method} |", f"| {runs[0].method}{mark} |", 1)
    finals = [r.final_mse for r in runs]
    cells = [
        f"{runs[0].method}{mark} ({len(runs)} seeds)",
        f"{statistics.fmean(finals):.4f} ± {_sd(finals):.4f}",
        f"{statistics.fmean(r.best_mse for r in runs):.4f}",
    ]
    for lv in levels:
        at = reaching(runs, lv)
        if at["seconds"] is None:
            cells.append("never")
            continue
        bound = ">= " if at["censored"] else ""
        cells.append(
            f"{bound}{duration(at['seconds'])} ± {duration(at['seconds_sd'])} / {number(at['strokes'])} "
            f"({at['reached']}/{at['n']})"
        )
    cells += [
        number(statistics.fmean(r.final.strokes for r in runs)),
        duration(statistics.fmean(r.final.seconds for r in runs)),
    ]
    return "| " + " | ".join(cells) + " |"


def seeded_table(results: dict[str, Runs], levels: list[Level], current_painter: str | None = None) -> str:
    """The methods table (:func:`table_header`'s columns), one row per method over its seeds;
    a method trained through an earlier painter than ``current_painter`` is marked with a dagger, a
    retired one (:data:`methods.RETIRED_METHODS`) with "(retired trainer)"."""
    rows = [
        seeded_row(
            runs,
            levels,
            (" (retired trainer)" if k in RETIRED_METHODS else "")
            + (" †" if any(earlier_painter(r, k, current_painter) for r in runs) else ""),
        )
        for k, runs in results.items()
    ]
    return "\n".join([table_header(levels), *rows])


def plot(results: dict[str, Runs], levels: list[Level], x: str, out: Path, title: str) -> Path:
    """MSE against training seconds (``x="seconds"``) or strokes painted (``"strokes"``), one line
    per trained method and seed (one colour per method), the blank and random agent's MSE and the
    protocol's levels drawn."""
    fig, ax = plt.subplots(figsize=(8, 4.8))
    trained = [k for k in results if k not in ("random", "blank")]
    for k in trained:
        color = f"C{list(METHODS).index(k) % 10}"  # one colour per method on every data set
        n = len(results[k])
        for i, run in enumerate(results[k]):
            label = (METHODS[k] + (f" ({n} seeds)" if n > 1 else "")) if i == 0 else None
            ax.plot(
                [getattr(p, x) for p in run.points],
                [p.mse for p in run.points],
                marker="o",
                markersize=3 if n == 1 else 2,
                linewidth=1.5 if n == 1 else 1.0,
                alpha=1.0 if n == 1 else 0.75,
                color=color,
                label=label,
            )
    for k, style in (("random", ":"), ("blank", "--")):
        if k in results:
            mse = results[k][0].final_mse
            ax.axhline(mse, color="grey", linestyle=style, linewidth=1, label=f"{METHODS[k]} ({mse:.4f})")
    if "blank" in results:  # the view from 0 to just above the blank canvas (a random agent is far above it)
        ax.set_ylim(0, 1.15 * results["blank"][0].final_mse)
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
        most = max((p.strokes for k in trained for run in results[k] for p in run.points), default=0)
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


def seed_of(result: MethodResult) -> int:
    """The training seed a result ran with (its config's ``seed``; 0 for results without one)."""
    return int((result.info.get("config") or {}).get("seed", 0))


def method_entry(runs: Runs) -> dict[str, Any]:
    """A method's JSON entry: its first run's fields with the mean final MSE over seeds, the sd,
    the seeds and (over several seeds) every run."""
    entry = runs[0].as_dict()
    finals = [r.final_mse for r in runs]
    entry.update(final_mse=statistics.fmean(finals), final_mse_sd=_sd(finals), seeds=[seed_of(r) for r in runs])
    if len(runs) > 1:
        entry["runs"] = [r.as_dict() for r in runs]
    return entry


def summarise(
    results: dict[str, MethodResult | Runs],
    args: argparse.Namespace,
    out: Path,
    blank: float,
    cost: dict[str, Any],
    current_painter: str | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Levels, table, claim, plots, markdown and JSON of one data set's run. ``results`` holds each
    method's runs (one per training seed); the best RL final level is the mean over seeds of the
    best RL method's final MSE. ``current_painter`` (the shipped painter's SHA-256) marks the
    methods trained through an earlier one. ``command``: the command that reproduces the results
    (default: this process's)."""
    runs = {k: as_runs(r) for k, r in results.items()}
    rl_finals = [mean_final(r) for k, r in runs.items() if k in RL_METHODS]
    levels = protocol_levels(blank, min(rl_finals) if rl_finals else None)
    table = seeded_table(runs, levels, current_painter)
    c = claim(runs, levels, cost["total_seconds"])
    m = machine()
    stem = f"reconstruction_{args.dataset}"
    title = f"{args.dataset}, {args.strokes} strokes, {args.images} eval images, {args.budget:g} min per method"
    figs = [
        plot(runs, levels, "seconds", out / f"{stem}_wallclock.png", title),
        plot(runs, levels, "strokes", out / f"{stem}_strokes.png", title),
    ]
    seeded = [f"{METHODS[k]} ({len(r)})" for k, r in runs.items() if len(r) > 1]
    seeds_line = (
        f"Training seeds: {', '.join(seeded)}, each level's cell the mean ± sd over the seeds (k/n: the seeds that "
        "reached it; >=: some did not, counted at their budget), the others one seed. "
        if seeded
        else ""
    )
    marked = any(earlier_painter(r, k, current_painter) for k, rs in runs.items() for r in rs)
    painter_line = (
        "†: trained through an earlier dab painter than the shipped one (run before the painter was refitted with "
        "the one-minute recipe; not re-run). "
        if marked
        else ""
    )
    retired = [k for k in runs if k in RETIRED_METHODS]
    retired_line = (
        "(retired trainer): the in-house SPIRAL-style trainer, retired in favour of RLlib (RLlib's PPO learned "
        "faster in 150 s of equal training, SB3's PPO ends lower over the full budget); its rows are kept as measured, "
        "beside the RLlib methods that replace them where those ran. "
        if retired
        else ""
    )
    head = (
        f"{title}; MyPaint replay averaged over brush seeds 0-3; levels: 75/50/25% of the blank canvas's MSE "
        f"({blank:.4f}) and the best RL method's {'mean ' if seeded else ''}final MSE; each level's cell is training "
        f"time / strokes painted at the first evaluation at or below it. {seeds_line}{painter_line}{retired_line}"
        f"Painter one-off cost {duration(cost['total_seconds'])} "
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
        "painter_sha256": current_painter,
        "claim": c,
        "methods": {k: method_entry(r) for k, r in runs.items()},
        "table": table,
        "notes": (seeds_line + painter_line + retired_line).strip(),
        "machine": m,
        "command": command or "python benchmarks/reconstruction.py " + " ".join(sys.argv[1:]),
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


def seeds_words(c: dict[str, Any]) -> str:
    """The words naming the seeds behind the claim's means, or "" when every method had one seed."""
    seeds = c.get("seeds", {})
    if max(seeds.values(), default=1) <= 1:
        return ""
    return (
        f"on the means over {seeds['backprop']} backprop and {seeds['rl']} RL training seeds (the ratio's range, one "
        "seed against one seed, in brackets), "
    )


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
        f"{seeds_words(c)}"
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
        *([d["notes"]] if d.get("notes") else []),
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
            (
                min(pt["mse"] for run in m.get("runs", [m]) for pt in run["points"])
                for k, m in d["methods"].items()
                if k in RL_METHODS
            ),
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
