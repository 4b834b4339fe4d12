"""Shipping a trained agent of any kind as a named one, with the maintainers' tool
``python scripts/ship_weights.py agent`` (not a ``paint-gym`` command): real tiny backprop and SB3
PPO runs, and an RLlib policy as ``paint-gym export-rllib`` writes it (random weights: Ray lives in
its own venv), are shipped into a weights folder of the test's own, and ``load_agent`` then loads
them by name, checks their hash and paints with them."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from paint_gym import shipped_weights
from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.checkpoint import CheckpointError
from paint_gym_agents import load_agent
from paint_gym_agents.backprop import BackpropAgent, BackpropConfig
from paint_gym_agents.base import info_of
from paint_gym_agents.zoo import DATA_NOTICES

from .helpers import hand_made_rllib_policy, ship_weights_script

SHIP = ship_weights_script()
SIZE, STROKES = 16, 2
COMMAND = "paint-gym train-agent --strokes 2 (a test run)"
HAS_SB3 = importlib.util.find_spec("stable_baselines3") is not None


def train_tiny_agents(root: Path) -> dict[str, Path]:
    """Agent files in ``root`` by short name: a real tiny backprop run (``mnist_tiny``: 16 px
    canvases, 2 strokes, 3 steps, its run folder with checkpoint.pt and log.csv), an RLlib policy
    as ``paint-gym export-rllib`` writes it (``mnist_spiral``: random weights of an IMPALA run's
    architecture) and, with Stable-Baselines3, a real tiny SB3 PPO run (``mnist_ppo``)."""
    backprop = BackpropConfig(
        strokes=STROKES,
        canvas_size=SIZE,
        width=4,
        hidden=8,
        batch_size=2,
        steps=3,
        eval_every=100,
        eval_images=2,
        replay_seeds=(0,),
        threads=1,
    )
    BackpropAgent.train(backprop, run_dir=root / "backprop", progress=False)
    runs = {"mnist_tiny": root / "backprop" / "agent.pt"}
    info = {"step": 3, "strokes": 768, "seconds": 90.0, "eval_mypaint_mse": 0.0834}  # as its run recorded
    runs["mnist_spiral"] = hand_made_rllib_policy(SIZE, STROKES, info).save(root / "spiral" / "agent.pt")
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
    pytest.param("mnist_tiny", "backprop_agent", id="backprop"),
    pytest.param("mnist_spiral", "rllib_policy", id="rllib-policy"),
    pytest.param(
        "mnist_ppo", "sb3_agent", id="sb3-ppo", marks=pytest.mark.skipif(not HAS_SB3, reason="the rl extra: SB3")
    ),
]


@pytest.mark.parametrize(("name", "kind"), KINDS)
def test_a_trained_run_ships_as_a_named_agent_that_loads_and_paints(runs, name, kind, tmp_path, monkeypatch):
    weights, run = tmp_path / "weights", runs[name].parent  # the run folder: its agent.pt is shipped
    entry = SHIP.ship_agent(run, f"agent_{name}", COMMAND, note="2-core CPU, a test", weights_dir=weights)
    info = info_of(torch.load(runs[name], weights_only=True))
    assert entry["name"] == f"agent_{name}" and entry["file"] == f"agent_{name}.pt"
    assert (weights / entry["file"]).read_bytes() == runs[name].read_bytes()  # a copy, byte for byte
    assert entry["bytes"] == runs[name].stat().st_size and len(entry["sha256"]) == 64
    assert (entry["kind"], entry["dataset"], entry["strokes"]) == (kind, "mnist", STROKES)
    minutes = info["minutes"] if "minutes" in info else info["seconds"] / 60  # backprop records minutes, RL seconds
    assert entry["steps"] == info["step"] and entry["training_minutes"] == round(minutes, 1)
    assert entry["eval"]["eval_mypaint_mse"] == round(info["eval_mypaint_mse"], 5)
    assert entry["eval"] == {k: round(v, 5) for k, v in info.items() if k.startswith("eval_")}
    assert entry.get("run_steps", entry["steps"]) >= entry["steps"]
    assert (entry["command"], entry["note"]) == (COMMAND, "2-core CPU, a test")
    assert [json.loads(line) for line in manifest_lines(weights)] == [entry]  # one JSON object per line

    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights)
    agent = load_agent(name)
    assert agent.KIND == kind
    strokes = agent.paint(eval_targets("mnist", 3, canvas_size=SIZE))
    assert strokes.shape == (3, STROKES, 12) and strokes.dtype == np.float32 and np.abs(strokes).max() <= 1
    getattr(agent, "close", lambda: None)()


def test_a_tampered_shipped_agent_gives_the_checkpoint_error(runs, tmp_path, monkeypatch):
    weights = tmp_path / "weights"
    entry = SHIP.ship_agent(runs["mnist_spiral"], "agent_mnist_spiral", COMMAND, weights_dir=weights)
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
    hand_written = '{"file": "x.pt",  "name": "x_painter", "note": "caf\\u00e9"}'  # not as json.dumps writes it
    (weights / "MANIFEST").write_text(f"{real[0]}\n{hand_written}\n")
    SHIP.ship_agent(runs["mnist_tiny"], "agent_mnist_tiny", COMMAND, weights_dir=weights)
    (weights / "MANIFEST").write_text((weights / "MANIFEST").read_text() + real[2] + "\n")
    again = SHIP.ship_agent(
        runs["mnist_tiny"], "agent_mnist_tiny", "the same run", steps=5, training_minutes=1.25, weights_dir=weights
    )
    lines = manifest_lines(weights)
    assert lines[:2] == [real[0], hand_written] and lines[3] == real[2]  # the others, byte for byte, in order
    assert json.loads(lines[2]) == again and again["command"] == "the same run"
    assert (again["steps"], again["training_minutes"]) == (5, 1.2)  # given values win; minutes to 0.1
    assert sorted(p.name for p in weights.iterdir()) == ["MANIFEST", "agent_mnist_tiny.pt"]


ODD_NAMES = [
    "",
    "mnist_tiny",  # the short name: the MANIFEST's is agent_mnist_tiny
    "agent_",
    "agent_MNIST",
    "agent_mnist-ppo",
    "agent_mnist ppo",
    "agent_../mnist",
    "agent__ppo",
    "agent_ppo_",
    "agent_mnist__ppo",
    "agent_agent_mnist",
    "agent_" + "a" * 41,
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_name_that_is_not_agent_and_a_short_name_is_refused_before_anything_is_written(runs, name, tmp_path):
    with pytest.raises(ValueError, match="agent name"):
        SHIP.ship_agent(runs["mnist_tiny"], name, COMMAND, weights_dir=tmp_path / "weights")
    assert not (tmp_path / "weights").exists()


def test_files_that_are_not_agents_are_refused_with_what_they_hold(runs, tmp_path):
    weights = tmp_path / "weights"
    text = tmp_path / "notes.pt"
    text.write_text("not a checkpoint")
    cases = [
        (shipped_weights.WEIGHTS_DIR / "dab_painter_pen.pt", "not an agent checkpoint"),  # a painter
        (text, "not a readable agent checkpoint"),
        (runs["mnist_tiny"].with_name("checkpoint.pt"), "training checkpoint.*agent.pt"),
    ]
    for path, message in cases:
        with pytest.raises(CheckpointError, match=message):
            SHIP.ship_agent(path, "agent_mnist_tiny", COMMAND, weights_dir=weights)
    with pytest.raises(FileNotFoundError, match="no agent checkpoint"):
        SHIP.ship_agent(tmp_path / "absent.pt", "agent_mnist_tiny", COMMAND, weights_dir=weights)
    with pytest.raises(FileNotFoundError, match="agent.pt not found: train"):
        SHIP.ship_agent(tmp_path, "agent_mnist_tiny", COMMAND, weights_dir=weights)  # a folder without one
    with pytest.raises(ValueError, match="command"):
        SHIP.ship_agent(runs["mnist_tiny"], "agent_mnist_tiny", "  ", weights_dir=weights)
    assert not weights.exists()


def test_a_checkpoint_that_records_no_training_length_needs_it_given(runs, tmp_path):
    agent = BackpropAgent.load(runs["mnist_tiny"])
    agent.info = {}
    bare = agent.save(tmp_path / "bare" / "agent.pt")
    assert SHIP.checkpoint_facts(bare)["kind"] == "backprop_agent"
    weights = tmp_path / "weights"
    with pytest.raises(ValueError, match="--steps N"):
        SHIP.ship_agent(bare, "agent_mnist_tiny", COMMAND, weights_dir=weights)
    with pytest.raises(ValueError, match="--training-minutes M"):
        SHIP.ship_agent(bare, "agent_mnist_tiny", COMMAND, steps=3, weights_dir=weights)
    entry = SHIP.ship_agent(bare, "agent_mnist_tiny", COMMAND, steps=3, training_minutes=2.0, weights_dir=weights)
    assert (entry["steps"], entry["training_minutes"], entry["eval"]) == (3, 2.0, {})


def test_a_run_brought_back_without_its_checkpoint_takes_its_length_from_log_csv(runs, tmp_path):
    """A GPU run brings back agent.pt and log.csv, not its checkpoint.pt: the run's length is the log's last row."""
    back = tmp_path / "back"
    back.mkdir()
    for name in ("agent.pt", "log.csv"):
        shutil.copyfile(runs["mnist_tiny"].with_name(name), back / name)
    last = SHIP.run_length(runs["mnist_tiny"])  # from the run's checkpoint.pt
    assert SHIP.run_length(back / "agent.pt") == last
    entry = SHIP.ship_agent(back, "agent_mnist_tiny", COMMAND, weights_dir=tmp_path / "weights")
    assert (entry["run_steps"], entry["run_minutes"]) == (last["run_steps"], last["run_minutes"])


def test_a_celeba_agent_ships_with_its_notice_and_local_keeps_it_in_the_cache(tmp_path, monkeypatch):
    """A backprop agent's file (here the shipped celeba one) records CelebA's terms; --local copies
    it to the user cache instead, and its entry says so."""
    monkeypatch.setenv("PAINT_GYM_CACHE", str(tmp_path / "cache"))
    source, weights = shipped_weights.WEIGHTS_DIR / "agent_celeba.pt", tmp_path / "weights"
    entry = SHIP.ship_agent(source, "agent_celeba_copy", COMMAND, local=True, weights_dir=weights)
    assert (entry["kind"], entry["dataset"], entry["strokes"]) == ("backprop_agent", "celeba", 15)
    assert entry["notice"] == DATA_NOTICES["celeba"] and entry["location"] == "cache"
    assert (tmp_path / "cache" / "agents" / "agent_celeba_copy.pt").read_bytes() == source.read_bytes()
    assert sorted(p.name for p in weights.iterdir()) == ["MANIFEST"]


def test_the_script_ships_from_the_command_line_and_refuses_in_one_line(runs, tmp_path, capsys):
    weights = tmp_path / "weights"
    agent = ["agent", "--run", str(runs["mnist_tiny"].parent), "--name", "agent_mnist_tiny", "--command", COMMAND]
    assert SHIP.main(["--weights-dir", str(weights), *agent, "--note", "a test"]) == 0
    out = capsys.readouterr().out
    assert "agent_mnist_tiny.pt" in out and "load_agent('mnist_tiny')" in out
    assert shipped_weights.read_manifest(weights)["agent_mnist_tiny"]["note"] == "a test"

    assert SHIP.main(["--weights-dir", str(weights), *agent[:4], "Mnist-PPO", *agent[5:]]) == 2
    assert "Mnist-PPO" in capsys.readouterr().err
    (tmp_path / "a_file").write_text("")
    assert SHIP.main(["--weights-dir", str(tmp_path / "a_file"), *agent]) == 2  # checked before any work
    assert "a_file" in capsys.readouterr().err.strip()


@pytest.mark.parametrize("payload", [{"kind": "spiral_agent", "config": "{}"}, {"policy": {}, "config": "{}"}])
def test_a_checkpoint_of_the_retired_spiral_trainer_names_what_replaced_it(payload, tmp_path):
    """The in-house SPIRAL-style trainer is retired: its agent files (with their kind, or from before
    kinds were recorded) are refused by load_agent and by the ship script, naming RLlib's IMPALA."""
    from paint_gym.checkpoint import write_checkpoint

    path = tmp_path / "agent.pt"
    write_checkpoint(payload, path)
    ship = lambda: SHIP.ship_agent(path, "agent_mnist_x", COMMAND, weights_dir=tmp_path / "w")  # noqa: E731
    for call in (lambda: load_agent(path), ship):
        with pytest.raises(CheckpointError, match="spiral_agent checkpoint, which paint-gym no longer loads") as exc:
            call()
        assert "train-rllib --algo APPO --reward critic" in str(exc.value) and "export-rllib" in str(exc.value)
    assert not (tmp_path / "w").exists()
