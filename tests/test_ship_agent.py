"""Shipping a trained agent as a named one (``paint-gym ship-agent``, :mod:`paint_gym_agents.ship`):
real tiny SB3 PPO and SPIRAL runs are shipped into a weights folder of the test's own, and
``load_agent`` then loads them by name, checks their hash and paints with them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from paint_gym import shipped_weights
from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.checkpoint import CheckpointError
from paint_gym.cli import main
from paint_gym_agents import load_agent
from paint_gym_agents.base import info_of
from paint_gym_agents.ship import checkpoint_facts, default_weights_dir, ship_agent
from paint_gym_agents.spiral import SpiralAgent, SpiralConfig

SIZE, STROKES = 16, 2
COMMAND = "paint-gym train-spiral --strokes 2 (a test run)"
HAS_SB3 = importlib.util.find_spec("stable_baselines3") is not None


def train_tiny_agents(root: Path) -> dict[str, Path]:
    """Real tiny training runs in ``root``: a SPIRAL-style run and, with Stable-Baselines3, an SB3
    PPO run (16 px canvases, 2 strokes, a few updates). Returns their ``agent.pt`` by short
    name: ``{"mnist_spiral": ..., "mnist_ppo": ...}``."""
    spiral = SpiralConfig(
        strokes=STROKES,
        canvas_size=SIZE,
        num_envs=2,
        minibatches=1,
        update_epochs=1,
        width=4,
        hidden=8,
        critic_width=4,
        dense_l2=100.0,
        steps=2,
        eval_images=2,
        replay_seeds=(0,),
        threads=1,
    )
    SpiralAgent.train(spiral, run_dir=root / "spiral", progress=False)
    runs = {"mnist_spiral": root / "spiral" / "agent.pt"}
    if HAS_SB3:
        from paint_gym_agents.sb3 import SB3Agent, SB3Config

        ppo = SB3Config(
            algo="ppo",
            strokes=STROKES,
            canvas_size=SIZE,
            steps=8,
            n_steps=4,
            batch_size=2,
            n_epochs=1,
            eval_images=2,
            replay_seeds=(0,),
            threads=1,
        )
        SB3Agent.train(ppo, run_dir=root / "ppo", progress=False).close()
        runs["mnist_ppo"] = root / "ppo" / "agent.pt"
    return runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return train_tiny_agents(tmp_path_factory.mktemp("runs"))


def manifest_lines(weights: Path) -> list[str]:
    return (weights / "MANIFEST").read_text().splitlines()


KINDS = [
    pytest.param("mnist_spiral", "spiral_agent", id="spiral"),
    pytest.param(
        "mnist_ppo", "sb3_agent", id="sb3-ppo", marks=pytest.mark.skipif(not HAS_SB3, reason="the rl extra: SB3")
    ),
]


@pytest.mark.parametrize(("name", "kind"), KINDS)
def test_a_trained_run_ships_as_a_named_agent_that_loads_and_paints(runs, name, kind, tmp_path, monkeypatch):
    weights = tmp_path / "weights"
    entry = ship_agent(runs[name], name, COMMAND, note="2-core CPU, a test", weights_dir=weights)
    info = info_of(torch.load(runs[name], weights_only=True))
    assert entry["name"] == f"agent_{name}" and entry["file"] == f"agent_{name}.pt"
    assert (weights / entry["file"]).read_bytes() == runs[name].read_bytes()  # a copy, byte for byte
    assert entry["bytes"] == runs[name].stat().st_size and len(entry["sha256"]) == 64
    assert (entry["kind"], entry["dataset"], entry["strokes"]) == (kind, "mnist", STROKES)
    assert entry["steps"] == info["step"] and entry["training_minutes"] == round(info["seconds"] / 60, 1)
    assert entry["eval"] == {"eval_mypaint_mse": round(info["eval_mypaint_mse"], 5)}
    assert entry["run_steps"] >= entry["steps"] and (entry["command"], entry["note"]) == (COMMAND, "2-core CPU, a test")
    assert [json.loads(line) for line in manifest_lines(weights)] == [entry]  # one JSON object per line

    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights)
    agent = load_agent(name)
    assert agent.KIND == kind
    strokes = agent.paint(eval_targets("mnist", 3, canvas_size=SIZE))
    assert strokes.shape == (3, STROKES, 12) and strokes.dtype == np.float32 and np.abs(strokes).max() <= 1
    getattr(agent, "close", lambda: None)()


def test_a_tampered_shipped_agent_gives_the_checkpoint_error(runs, tmp_path, monkeypatch):
    weights = tmp_path / "weights"
    entry = ship_agent(runs["mnist_spiral"], "mnist_spiral", COMMAND, weights_dir=weights)
    data = bytearray((weights / entry["file"]).read_bytes())
    data[-100] ^= 0xFF
    (weights / entry["file"]).write_bytes(bytes(data))
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights)
    with pytest.raises(CheckpointError, match="SHA-256"):
        load_agent("mnist_spiral")


def test_shipping_again_replaces_its_entry_in_place_and_keeps_every_other_line(runs, tmp_path):
    weights = tmp_path / "weights"
    weights.mkdir()
    real = manifest_lines(shipped_weights.WEIGHTS_DIR)
    (weights / "MANIFEST").write_text(f"{real[0]}\n{real[1]}\n")
    ship_agent(runs["mnist_spiral"], "mnist_spiral", COMMAND, weights_dir=weights)
    (weights / "MANIFEST").write_text((weights / "MANIFEST").read_text() + real[2] + "\n")
    again = ship_agent(
        runs["mnist_spiral"], "mnist_spiral", "the same run", steps=5, training_minutes=1.25, weights_dir=weights
    )
    lines = manifest_lines(weights)
    assert lines[:2] == real[:2] and lines[3] == real[2]  # the others, byte for byte, in their order
    assert json.loads(lines[2]) == again and again["command"] == "the same run"
    assert (again["steps"], again["training_minutes"]) == (5, 1.2)  # given values win; minutes to 0.1
    assert sorted(p.name for p in weights.iterdir()) == ["MANIFEST", "agent_mnist_spiral.pt"]


ODD_NAMES = ["", "MNIST", "mnist-ppo", "mnist ppo", "../mnist", "_ppo", "ppo_", "mnist__ppo", "agent_mnist", "a" * 41]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_name_that_is_not_a_short_name_is_refused_before_anything_is_written(runs, name, tmp_path):
    with pytest.raises(ValueError, match="name"):
        ship_agent(runs["mnist_spiral"], name, COMMAND, weights_dir=tmp_path / "weights")
    assert not (tmp_path / "weights").exists()


def test_files_that_are_not_agents_are_refused_with_what_they_hold(runs, tmp_path):
    weights = tmp_path / "weights"
    text = tmp_path / "notes.pt"
    text.write_text("not a checkpoint")
    cases = [
        (shipped_weights.WEIGHTS_DIR / "dab_painter_pen.pt", "not an agent checkpoint"),  # a painter
        (text, "not a readable agent checkpoint"),
        (runs["mnist_spiral"].with_name("checkpoint.pt"), "training checkpoint.*agent.pt"),
    ]
    for path, message in cases:
        with pytest.raises(CheckpointError, match=message):
            ship_agent(path, "mnist_spiral", COMMAND, weights_dir=weights)
    with pytest.raises(FileNotFoundError, match="no agent checkpoint"):
        ship_agent(tmp_path / "absent.pt", "mnist_spiral", COMMAND, weights_dir=weights)
    with pytest.raises(ValueError, match="command"):
        ship_agent(runs["mnist_spiral"], "mnist_spiral", "  ", weights_dir=weights)
    assert not weights.exists()


def test_a_checkpoint_that_records_no_training_length_needs_it_given(runs, tmp_path):
    agent = SpiralAgent.load(runs["mnist_spiral"])
    agent.info = {}
    bare = agent.save(tmp_path / "bare" / "agent.pt")
    assert checkpoint_facts(bare)["kind"] == "spiral_agent"
    with pytest.raises(ValueError, match="steps=N"):
        ship_agent(bare, "mnist_spiral", COMMAND, weights_dir=tmp_path / "weights")
    with pytest.raises(ValueError, match="training_minutes=M"):
        ship_agent(bare, "mnist_spiral", COMMAND, steps=3, weights_dir=tmp_path / "weights")
    entry = ship_agent(bare, "mnist_spiral", COMMAND, steps=3, training_minutes=2.0, weights_dir=tmp_path / "weights")
    assert (entry["steps"], entry["training_minutes"], entry["eval"]) == (3, 2.0, {})


def test_the_default_weights_folder_is_a_checkouts_and_never_an_installed_packages(tmp_path, monkeypatch):
    assert default_weights_dir() == shipped_weights.WEIGHTS_DIR  # this checkout (pyproject.toml two levels up)
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", tmp_path / "site-packages" / "paint_gym" / "weights")
    with pytest.raises(ValueError, match="installed package"):
        default_weights_dir()


def test_paint_gym_ship_agent_ships_from_the_command_line(runs, tmp_path, capsys, monkeypatch):
    weights = tmp_path / "weights"
    argv = ["ship-agent", str(runs["mnist_spiral"]), "--name", "mnist_spiral", "--command", COMMAND]
    assert main([*argv, "--note", "a test", "--weights-dir", str(weights)]) == 0
    out = capsys.readouterr().out
    assert "agent_mnist_spiral" in out and "load_agent('mnist_spiral')" in out
    assert shipped_weights.read_manifest(weights)["agent_mnist_spiral"]["note"] == "a test"

    assert main([*argv[:3], "Mnist-PPO", *argv[4:], "--weights-dir", str(weights)]) == 2
    assert "Mnist-PPO" in capsys.readouterr().err
    (tmp_path / "a_file").write_text("")
    assert main([*argv, "--weights-dir", str(tmp_path / "a_file")]) == 2  # checked before any work
    assert "a_file" in capsys.readouterr().err
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", tmp_path / "site-packages" / "paint_gym" / "weights")
    assert main(argv) == 2 and "installed package" in capsys.readouterr().err
