"""The reconstruction benchmark (benchmarks/reconstruction.py, its report and the methods registry): the claim,
the table, resuming, the configurations it runs."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from types import SimpleNamespace

import pytest

from paint_gym.benchmark.budget import Point
from paint_gym.benchmark.results import MethodResult, protocol_levels

from .helpers import ROOT

SCRIPTS = ("reconstruction", "reconstruction_report", "methods", "common")


@pytest.fixture
def bench(monkeypatch):
    """The benchmark's modules (``reconstruction``, ``reconstruction_report``, ``methods``), imported
    with their folder on sys.path (scripts, not a package) and forgotten afterwards."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    yield SimpleNamespace(**{name: importlib.import_module(name) for name in SCRIPTS[:3]})
    for name in SCRIPTS:
        sys.modules.pop(name, None)


def test_claim_is_decided_at_the_lowest_level_the_best_rl_method_reaches(bench):
    report = bench.reconstruction_report
    bp = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(5, 10, 0.05), Point(30, 90, 0.02)], 900.0)
    ppo = MethodResult(
        "SB3 PPO", [Point(0, 0, 0.09), Point(300, 10, 0.06), Point(600, 50, 0.039), Point(900, 90, 0.041)]
    )
    sac = MethodResult("SB3 SAC", [Point(0, 0, 0.09), Point(900, 90, 0.07)], 900.0)
    results = {"backprop": bp, "sb3-ppo": ppo, "sb3-sac": sac}
    levels = protocol_levels(0.08, 0.041)  # 0.06, 0.04, 0.02 and PPO's final 0.041
    c = report.claim(results, levels)
    # PPO (lowest final) reached 50% of blank (0.039 at 600 s) but not 25%: the deciding level is 0.04
    assert c["best_rl"] == "sb3-ppo" and c["decision"]["level"] == "50% of blank"
    assert c["decision"]["rl_seconds"] == 600 and c["decision"]["backprop_seconds"] == 30
    assert c["decision"]["ratio"] == pytest.approx(20.0) and c["met"]
    assert [r["ratio"] for r in c["per_level"]] == [pytest.approx(60.0), pytest.approx(20.0), None, pytest.approx(20.0)]
    # the painter's one-off cost, charged to both (PPO runs on the dab-painter env): (600 + 300) / (30 + 300)
    c = report.claim(results, levels, painter_seconds=300.0)
    assert c["decision"]["ratio_with_costs"] == pytest.approx(900 / 330) and c["met"] and not c["met_with_costs"]
    text = report.claim_text(c)
    assert "met, 20.0x at 50% of blank (0.0400)" in text and "NOT MET" in text and "5.0 min" in text
    # an RL method on MyPaint needs no painter: only the backprop agent is charged
    mypaint = {"backprop": bp, "spiral-mypaint": ppo}
    c = report.claim(mypaint, levels, painter_seconds=300.0)
    assert c["decision"]["ratio_with_costs"] == pytest.approx(600 / 330) and c["rl_charged_seconds"] == 0
    slow = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(600, 10, 0.05)], 900.0)  # never reaches 0.04
    c = report.claim({"backprop": slow, "sb3-ppo": ppo}, levels)
    assert c["decision"]["ratio"] == 0.0 and not c["met"] and "never reached it" in report.claim_text(c)
    flat = MethodResult("SB3 SAC", [Point(0, 0, 0.05), Point(900, 90, 0.05)], 900.0)  # untrained already at 75%
    c = report.claim({"backprop": bp, "sb3-sac": flat}, protocol_levels(0.08, 0.05))
    assert c["decision"]["level"] == "best RL final" and c["met"] is None
    assert "UNDECIDED" in report.claim_text(c)
    assert "| 75% of blank | 0.0600 | 0.0 s / 0 |" in report.ratio_table(c)
    assert not report.claim({"backprop": bp}, levels)["tested"]
    with pytest.raises(ValueError, match="unknown"):
        bench.reconstruction.parse_methods("backprop,dqn")
    assert "spiral-mypaint" not in bench.reconstruction.parse_methods("all")


def test_painter_cost_is_the_recipe_measured_end_to_end(bench, monkeypatch, tmp_path):
    """The painter's one-off cost is the dab recipe run for real (data rendered fresh, fitted,
    calibrated), timed; a trial run with a few actions and steps here."""
    monkeypatch.setenv("PAINT_GYM_STROKES", str(tmp_path / "cache"))
    cost = bench.reconstruction.measure_painter_cost("classic/pen", n_actions=64, holdout=16, steps=3)
    assert cost["steps"] == 3 and cost["n_actions"] == 64 and cost["seeds_per_action"] == 2
    assert 0 < cost["data_seconds"] < cost["total_seconds"]
    assert cost["fit_seconds"] == pytest.approx(cost["total_seconds"] - cost["data_seconds"])
    assert not (tmp_path / "cache").exists()  # rendered into its own folder, not the cache


def test_benchmark_writes_table_plots_and_json_and_resumes(bench, tmp_path, capsys):
    reconstruction = bench.reconstruction
    argv = [
        "--methods",
        "random,blank",
        "--images",
        "4",
        "--budget",
        "0.1",
        "--out",
        str(tmp_path),
        "--runs",
        str(tmp_path / "runs"),
    ]
    measured = {"n_actions": 64, "seeds_per_action": 2, "steps": 3, "data_seconds": 1.0, "fit_seconds": 2.0}
    measured.update(total_seconds=3.0, measured="end to end (not scaled from a sample)")
    (tmp_path / "painter_cost.json").write_text(json.dumps(measured))  # measured once per folder, then read
    payload = reconstruction.main(argv)
    assert payload["painter_cost"] == measured
    for name in (
        "reconstruction_mnist.json",
        "reconstruction_mnist.md",
        "reconstruction_mnist_wallclock.png",
        "reconstruction_mnist_strokes.png",
        "reconstruction_mnist/random.json",
        "reconstruction_mnist/blank.json",
    ):
        assert (tmp_path / name).is_file(), name
    saved = json.loads((tmp_path / "reconstruction_mnist.json").read_text())
    assert saved["methods"]["blank"]["final_mse"] == payload["methods"]["blank"]["final_mse"] > 0
    assert "| blank canvas |" in (tmp_path / "reconstruction_mnist.md").read_text()
    capsys.readouterr()
    reconstruction.main(argv)
    assert capsys.readouterr().out.count("done earlier") == 2
    # a new painter cost re-decides the claim from the saved results, training nothing
    (tmp_path / "painter_cost.json").write_text(json.dumps({**measured, "total_seconds": 9.0}))
    again = reconstruction.main([*argv, "--recharge"])
    assert again["painter_cost"]["total_seconds"] == 9.0 and set(again["methods"]) == set(payload["methods"])
    assert "==" not in capsys.readouterr().out  # no method was run or loaded as a run


def test_the_benchmark_runs_the_best_configurations_of_the_committed_searches(bench):
    """SB3_CHOICE is what the SB3 search found best (its committed JSON), and spiral-dense is the
    SPIRAL configuration it names; a search rerun that changes its winner fails here until
    benchmarks/methods.py follows it."""
    methods = bench.methods
    search = json.loads((ROOT / "benchmarks" / "results" / "sb3_search.json").read_text())
    assert methods.SB3_CHOICE == search["best"]
    args = argparse.Namespace(
        dataset="mnist", strokes=8, images=4, threads=1, budget=1.0, spiral_mode="continuous", data_dir=None
    )
    ppo = methods.method_config("sb3-ppo", args, ROOT / "unused")
    assert ppo.env == "neural"
    chosen = next(r for r in search["results"] if r["config"] == search["best"]["ppo"])
    assert all(getattr(ppo, k) == v for k, v in chosen["fields"].items())
    dense = methods.method_config("spiral-dense", args, ROOT / "unused")
    assert dense.adversarial == 0 and dense.dense_l2 > 0 and dense.env == "neural"
    assert methods.method_config("spiral-mypaint", args, ROOT / "unused").env == "mypaint"


def test_level_labels_are_moved_apart_but_keep_their_order(bench):
    """Levels a few thousandths apart in MSE (50% of blank 0.0430, best RL final 0.0412) get labels at
    least ``gap`` apart, in the levels' order; labels already apart stay where their line is."""
    ys = [0.70, 0.45, 0.44, 0.20]
    out = bench.reconstruction_report._spread(ys, gap=0.07)
    assert out[0] == 0.70 and out[3] == 0.20 and out[2] == 0.44
    assert out[1] == pytest.approx(0.51)
    ranked = sorted(out)
    assert all(b - a >= 0.07 - 1e-12 for a, b in zip(ranked, ranked[1:], strict=False))
    assert sorted(range(4), key=out.__getitem__) == sorted(range(4), key=ys.__getitem__)
