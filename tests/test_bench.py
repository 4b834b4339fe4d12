"""The reconstruction benchmark script (benchmarks/reconstruction.py): the claim, the table, resuming."""

from __future__ import annotations

import json
import sys

import pytest

from paint_gym.benchmark.budget import Point
from paint_gym.benchmark.results import MethodResult

from .helpers import ROOT


@pytest.fixture
def reconstruction(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import reconstruction  # lazy: a script, importable only once its folder is on sys.path

    yield reconstruction
    sys.modules.pop("reconstruction", None)


def test_claim_compares_backprop_with_the_best_rl_method(reconstruction):
    bp = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(5, 10, 0.05), Point(30, 90, 0.02)], 900.0)
    ppo = MethodResult("SB3 PPO", [Point(0, 0, 0.09), Point(300, 10, 0.06), Point(900, 90, 0.05)], 900.0)
    sac = MethodResult("SB3 SAC", [Point(0, 0, 0.09), Point(900, 90, 0.07)], 900.0)
    c = reconstruction.claim({"backprop": bp, "sb3-ppo": ppo, "sb3-sac": sac})
    assert (
        c["best_rl"] == "sb3-ppo" and c["threshold_mse"] == 0.05 and c["speedup"] == pytest.approx(180.0) and c["met"]
    )
    slow = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(600, 10, 0.05)], 900.0)
    c = reconstruction.claim({"backprop": slow, "sb3-ppo": ppo})
    assert c["speedup"] == pytest.approx(1.5) and not c["met"] and "NOT MET" in reconstruction.claim_text(c)
    flat = MethodResult(
        "SB3 SAC", [Point(0, 0, 0.08), Point(900, 90, 0.08)], 900.0
    )  # never improved on its untrained policy
    c = reconstruction.claim({"backprop": bp, "sb3-sac": flat})
    assert c["met"] is None and "UNDECIDED" in reconstruction.claim_text(c)
    # the budget reading still decides: bp at 90 s (its point at 30 s: 0.02) vs the flat RL end (0.08)
    assert c["tenth_budget_met"] and c["backprop_seconds_at_tenth"] == 30 and c["backprop_mse_at_tenth"] == 0.02
    c = reconstruction.claim({"backprop": slow, "sb3-ppo": ppo})  # slow is still at 0.09 at 90 s
    assert not c["tenth_budget_met"] and "Budget reading" in reconstruction.claim_text(c)
    with pytest.raises(ValueError, match="unknown"):
        reconstruction.parse_methods("backprop,dqn")


def test_benchmark_writes_table_plots_and_json_and_resumes(reconstruction, tmp_path, capsys):
    argv = [
        "--methods",
        "random,blank",
        "--images",
        "4",
        "--budget",
        "0.1",
        "--threshold",
        "0.08",
        "--out",
        str(tmp_path),
        "--runs",
        str(tmp_path / "runs"),
    ]
    payload = reconstruction.main(argv)
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
