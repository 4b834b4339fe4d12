"""The reconstruction benchmark's pieces and ``paint-gym bench --agent module:Class``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from agents.bench_cli import add_commands, bench_agent, load_class, make_agent
from agents.budget import EvalSchedule, Point
from agents.results import TABLE_HEADER, MethodResult, format_row

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "my_agent.py")


def run_bench_command(argv: list[str]) -> int:
    """``paint-gym bench ...`` through the subcommand's own parser (what paint_gym.cli adds)."""
    parser = argparse.ArgumentParser(prog="paint-gym")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_example_agent_through_the_bench_command_prints_a_table_row(capsys):
    assert run_bench_command(["bench", "--agent", f"{EXAMPLE}:InkAgent", "--dataset", "mnist", "--images", "8", "--threshold", "0.2"]) == 0
    out = capsys.readouterr().out
    assert TABLE_HEADER in out
    row = next(line for line in out.splitlines() if line.startswith("| InkAgent |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == len(TABLE_HEADER.splitlines()[0].strip("|").split("|"))
    mse = float(cells[1])
    assert 0 < mse < 0.086  # better than the blank canvas (0.086 on these images)
    assert cells[2:] == ["0 s", "0", "0", "0 s"]  # below the threshold without training


def test_dotted_module_agents_get_the_number_of_strokes():
    agent = make_agent(load_class("agents.random_agent:RandomAgent"), strokes=5)
    assert agent.n_strokes == 5
    text = bench_agent("agents.random_agent:RandomAgent", images=4, strokes=5, name="random, 5 strokes")
    assert "| random, 5 strokes |" in text


def test_bad_agent_specs_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="module:Class"):
        load_class("examples/my_agent.py")
    with pytest.raises(FileNotFoundError):
        load_class(f"{tmp_path}/nowhere.py:Agent")
    with pytest.raises(ValueError, match="no class"):
        load_class(f"{EXAMPLE}:NoSuchAgent")
    with pytest.raises(ValueError, match="cannot import"):
        load_class("no_such_module_xyz:Agent")
    with pytest.raises(ValueError, match="not a PaintingAgent"):
        make_agent(load_class("agents.budget:EvalSchedule"), 8)
    with pytest.raises(ValueError, match="images"):
        bench_agent(f"{EXAMPLE}:InkAgent", images=0)


def test_eval_schedule_is_geometric_then_capped():
    s = EvalSchedule(every=60.0, first=5.0, ratio=1.5)
    times = [0.0]
    while times[-1] < 900:
        times.append(s.next_after(times[-1]))
    assert times[1:4] == [5.0, 7.5, 11.25]
    gaps = np.diff(times)
    assert gaps.max() == pytest.approx(60.0) and 12 <= len(times) <= 30
    with pytest.raises(ValueError):
        EvalSchedule(every=0)


def test_time_to_threshold_is_the_first_evaluation_at_or_below_it():
    r = MethodResult("m", [Point(0, 0, 0.09), Point(10, 500, 0.05), Point(20, 900, 0.06), Point(40, 2000, 0.04)], 40.0)
    assert r.first_reaching(0.05).seconds == 10 and r.first_reaching(0.01) is None and r.final_mse == 0.04
    assert format_row(r, 0.05) == "| m | 0.0400 | 10 s | 500 | 2,000 | 40 s |"
    assert format_row(r, 0.01).split("|")[3].strip() == "never"
    fast = MethodResult("f", [Point(0, 0, 0.09), Point(1.5, 40, 0.05)], 1.5)
    assert format_row(fast, 0.05) == "| f | 0.0500 | 1.5 s | 40 | 40 | 1.5 s |"  # sub-10 s times keep a decimal
    assert MethodResult.from_dict(r.as_dict()).points == r.points
    with pytest.raises(ValueError):
        MethodResult("empty", [])


@pytest.fixture
def reconstruction(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import reconstruction

    yield reconstruction
    sys.modules.pop("reconstruction", None)


def test_claim_compares_backprop_with_the_best_rl_method(reconstruction):
    bp = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(5, 10, 0.05), Point(30, 90, 0.02)], 900.0)
    ppo = MethodResult("SB3 PPO", [Point(0, 0, 0.09), Point(300, 10, 0.06), Point(900, 90, 0.05)], 900.0)
    sac = MethodResult("SB3 SAC", [Point(0, 0, 0.09), Point(900, 90, 0.07)], 900.0)
    c = reconstruction.claim({"backprop": bp, "sb3-ppo": ppo, "sb3-sac": sac})
    assert c["best_rl"] == "sb3-ppo" and c["threshold_mse"] == 0.05 and c["speedup"] == pytest.approx(180.0) and c["met"]
    slow = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(600, 10, 0.05)], 900.0)
    c = reconstruction.claim({"backprop": slow, "sb3-ppo": ppo})
    assert c["speedup"] == pytest.approx(1.5) and not c["met"] and "NOT MET" in reconstruction.claim_text(c)
    flat = MethodResult("SB3 SAC", [Point(0, 0, 0.08), Point(900, 90, 0.08)], 900.0)  # never improved on its untrained policy
    c = reconstruction.claim({"backprop": bp, "sb3-sac": flat})
    assert c["met"] is None and "UNDECIDED" in reconstruction.claim_text(c)
    # the budget reading still decides: bp at 90 s (its point at 30 s: 0.02) vs the flat RL end (0.08)
    assert c["tenth_budget_met"] and c["backprop_seconds_at_tenth"] == 30 and c["backprop_mse_at_tenth"] == 0.02
    c = reconstruction.claim({"backprop": slow, "sb3-ppo": ppo})  # slow is still at 0.09 at 90 s
    assert not c["tenth_budget_met"] and "Budget reading" in reconstruction.claim_text(c)
    with pytest.raises(ValueError, match="unknown"):
        reconstruction.parse_methods("backprop,dqn")


def test_benchmark_writes_table_plots_and_json_and_resumes(reconstruction, tmp_path, capsys):
    argv = ["--methods", "random,blank", "--images", "4", "--budget", "0.1", "--threshold", "0.08", "--out", str(tmp_path), "--runs", str(tmp_path / "runs")]
    payload = reconstruction.main(argv)
    for name in ("reconstruction_mnist.json", "reconstruction_mnist.md", "reconstruction_mnist_wallclock.png", "reconstruction_mnist_strokes.png",
                 "reconstruction_mnist/random.json", "reconstruction_mnist/blank.json"):
        assert (tmp_path / name).is_file(), name
    saved = json.loads((tmp_path / "reconstruction_mnist.json").read_text())
    assert saved["methods"]["blank"]["final_mse"] == payload["methods"]["blank"]["final_mse"] > 0
    assert "| blank canvas |" in (tmp_path / "reconstruction_mnist.md").read_text()
    capsys.readouterr()
    reconstruction.main(argv)
    assert capsys.readouterr().out.count("done earlier") == 2
