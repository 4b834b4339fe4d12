"""``paint-gym demo --compare``: RL and backprop painting the same digits side by side.

A weights folder of the test's own holds the shipped backprop ``mnist`` agent, a tiny real SB3
PPO run shipped as ``mnist_ppo`` and an exported RLlib policy (random weights) shipped as
``mnist_spiral`` (``scripts/ship_weights.py``); the figure's columns are counted from its width
(64 px targets, 2 px gaps, scale 1)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from paint_gym import shipped_weights
from paint_gym.cli import main
from paint_gym_agents.demo import run_compare, run_demo

from .helpers import ship_weights_script
from .test_ship_agent import HAS_SB3, train_tiny_agents

SIZE, HEADER, GAP = 64, 30, 2  # the backprop agent's canvas (the figure's), label_block's header, the gaps


@pytest.fixture(scope="module")
def rl_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return train_tiny_agents(tmp_path_factory.mktemp("runs"))


def weights_with(tmp_path: Path, rl_runs: dict[str, Path], *names: str) -> Path:
    """A weights folder with the shipped ``mnist`` agent and the RL agents ``names``, shipped."""
    weights = tmp_path / "weights"
    weights.mkdir()
    entry = shipped_weights.read_manifest()["agent_mnist"]
    shutil.copyfile(shipped_weights.WEIGHTS_DIR / entry["file"], weights / entry["file"])
    lines = (shipped_weights.WEIGHTS_DIR / "MANIFEST").read_text().splitlines()
    (weights / "MANIFEST").write_text(next(line for line in lines if '"agent_mnist"' in line) + "\n")
    for name in names:
        ship_weights_script().ship_agent(rl_runs[name], f"agent_{name}", "a tiny test run", weights_dir=weights)
    return weights


def columns_of(png: Path, images: int) -> int:
    """Image columns of a one-task comparison figure at scale 1 (from its size)."""
    width, height = Image.open(png).size
    assert height == HEADER + images * (SIZE + GAP) - GAP
    assert (width + GAP) % (SIZE + GAP) == 0, width
    return (width + GAP) // (SIZE + GAP)


@pytest.mark.skipif(not HAS_SB3, reason="the PPO agent needs the rl extra (SB3)")
def test_compare_paints_the_same_digits_with_backprop_ppo_and_spiral(rl_runs, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights_with(tmp_path, rl_runs, "mnist_ppo", "mnist_spiral"))
    out = tmp_path / "compare.png"
    results = run_compare(None, images=2, out=out, scale=1)
    assert [r["agent"] for r in results] == ["mnist", "mnist_ppo", "mnist_spiral"]
    assert [r["kind"] for r in results] == ["backprop_agent", "sb3_agent", "rllib_policy"]
    assert columns_of(out, 2) == 4  # target | backprop | PPO | SPIRAL
    printed = capsys.readouterr().out
    for r in results:
        assert 0 < r["mypaint_mse"] < 1 and f"{r['agent']:16s} {r['label']:20s}" in printed
        assert f"{r['mypaint_mse']:8.4f}" in printed
    assert "MyPaint replay MSE on 2 evaluation images" in printed and f"wrote {out}" in printed


def test_an_rl_agent_that_is_not_shipped_is_left_out_with_a_note(rl_runs, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights_with(tmp_path, rl_runs, "mnist_spiral"))
    out = tmp_path / "compare.png"
    results = run_compare(["mnist"], images=1, out=out, scale=1)
    assert [r["agent"] for r in results] == ["mnist", "mnist_spiral"] and columns_of(out, 1) == 3
    assert "no PPO agent for mnist: agent_mnist_ppo is not shipped" in capsys.readouterr().out


@pytest.mark.skipif(not HAS_SB3, reason="ships a real SB3 agent first")
def test_without_stable_baselines3_the_ppo_column_is_left_out_with_a_note(rl_runs, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights_with(tmp_path, rl_runs, "mnist_ppo", "mnist_spiral"))
    monkeypatch.setitem(sys.modules, "stable_baselines3", None)  # as if the rl extra were not installed
    monkeypatch.delitem(sys.modules, "paint_gym_agents.sb3")
    out = tmp_path / "compare.png"
    results = run_compare(None, images=1, out=out, scale=1)
    assert [r["agent"] for r in results] == ["mnist", "mnist_spiral"] and columns_of(out, 1) == 3
    printed = capsys.readouterr().out
    assert "mnist_ppo cannot load here" in printed and "paint-gym[rl]" in printed


def test_with_no_rl_agent_shipped_compare_paints_the_backprop_agent_alone(rl_runs, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights_with(tmp_path, rl_runs))
    out = tmp_path / "compare.png"
    assert [r["agent"] for r in run_compare(None, images=1, out=out, scale=1)] == ["mnist"]
    assert columns_of(out, 1) == 2
    printed = capsys.readouterr().out
    assert "no PPO agent for mnist" in printed and "no SPIRAL agent for mnist" in printed


def test_the_demo_command_compares_with_compare_and_hints_at_it_without(rl_runs, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights_with(tmp_path, rl_runs, "mnist_spiral"))
    out = tmp_path / "demo.png"
    assert main(["demo", "--compare", "--tasks", "mnist", "--images", "1", "--out", str(out), "--scale", "1"]) == 0
    assert columns_of(out, 1) == 3  # target | backprop | SPIRAL (no PPO shipped here)
    capsys.readouterr()
    figure7 = tmp_path / "figure7.png"
    results = run_demo(["mnist"], images=1, out=figure7, scale=1)  # the default demo: unchanged, plus one line
    assert [r["dataset"] for r in results] == ["mnist"] and np.asarray(Image.open(figure7)).shape[1] == 3 * SIZE + 4
    assert "RL agents shipped for mnist: mnist_spiral; `paint-gym demo --compare`" in capsys.readouterr().out
    assert main(["demo", "--compare", "--random", "--out", str(out)]) == 2
    assert "--random and --compare" in capsys.readouterr().err
