"""An RLlib policy exported as an agent checkpoint (``rllib_policy``, :mod:`paint_gym_agents.rllib_export`)
loads, paints and ships without Ray.

The checkpoints here are built by hand: random weights in the recorded architecture of a 16 px,
2-stroke MNIST run on the neural env. Ray's absence is forced (``import ray`` fails), so these run
the same in the RLlib venv. That an export of a real RLlib run takes the RLlib module's own strokes
is tested there (tests/test_rllib.py, ``test_an_exported_rllib_policy_...``).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

from paint_gym import shipped_weights
from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.checkpoint import CheckpointError
from paint_gym.cli import main
from paint_gym_agents import load_agent
from paint_gym_agents.base import KINDS, label_of
from paint_gym_agents.random_agent import RandomAgent
from paint_gym_agents.rllib_export import (
    RLlibPolicyAgent,
    export_policy,
)
from paint_gym_agents.zoo import agent_class

from .helpers import hand_made_rllib_policy, ship_weights_script

SIZE, STROKES = 16, 2
COMMAND = ".venv-rllib/bin/paint-gym train-rllib --algo IMPALA --reward critic (a test: random weights)"
INFO = {"step": 3, "strokes": 768, "seconds": 90.0, "eval_mypaint_mse": 0.0834}


@pytest.fixture(autouse=True)
def no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment without Ray: ``import ray`` fails, and paint_gym_agents.rllib is imported anew."""
    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.delitem(sys.modules, "paint_gym_agents.rllib", raising=False)


def hand_made_agent(seed: int = 0) -> RLlibPolicyAgent:
    """:func:`tests.helpers.hand_made_rllib_policy` of this module's size, strokes and info."""
    return hand_made_rllib_policy(SIZE, STROKES, INFO, seed)


@pytest.fixture
def agent_pt(tmp_path):
    return hand_made_agent().save(tmp_path / "agent.pt")


def test_an_rllib_policy_loads_with_load_agent_and_paints_strokes_in_the_action_box(agent_pt):
    agent = load_agent(agent_pt)
    assert agent.KIND == "rllib_policy" and agent_class("rllib_policy") is RLlibPolicyAgent
    assert label_of(agent) == KINDS["rllib_policy"][1] and agent.n_strokes == STROKES
    assert (agent.config.task, agent.config.canvas_size, agent.info) == ("mnist", SIZE, INFO)
    strokes = agent.paint(eval_targets("mnist", 3, SIZE))
    assert strokes.shape == (3, STROKES, 12) and strokes.dtype == np.float32
    assert np.abs(strokes).max() <= 1 and np.isfinite(strokes).all()
    assert "ray" not in sys.modules or sys.modules["ray"] is None  # painted without Ray


def test_loading_gives_the_saved_network_and_act_gives_the_first_stroke_of_paint(agent_pt):
    saved, loaded = hand_made_agent(), load_agent(agent_pt)
    for name, value in saved.policy.state_dict().items():
        torch.testing.assert_close(loaded.policy.state_dict()[name], value, rtol=0, atol=0)
    targets = eval_targets("mnist", 2, SIZE)
    painted = loaded.paint(targets)
    np.testing.assert_array_equal(loaded.paint(targets), painted)  # deterministic: the mean stroke
    loaded.reset()
    obs = {"canvas": np.full_like(targets[1], 255), "target": targets[1]}  # a blank white canvas
    np.testing.assert_allclose(loaded.act(obs), painted[1, 0], atol=1e-6)


def test_the_checkpoint_holds_kind_config_architecture_and_weights_read_with_weights_only(agent_pt):
    payload = torch.load(agent_pt, weights_only=True)
    assert payload["kind"] == "rllib_policy" and set(payload) == {"kind", "config", "architecture", "state", "extra"}
    config = json.loads(payload["config"])
    assert (config["task"], config["strokes"], config["canvas_size"]) == ("mnist", STROKES, SIZE)
    assert (config["env"], config["run"]["algo"]) == ("NeuralPaint-MNIST-v0", "IMPALA")
    arch = json.loads(payload["architecture"])
    assert arch == {
        "obs_shape": [SIZE, SIZE, 6],
        "features": 16,
        "head_hiddens": [64, 64],
        "head_activation": "relu",
        "action_dim": 12,
        "action_rule": "clipped_mean",
    }
    assert payload["state"]["pi.4.weight"].shape == (24, 64)  # a mean and a log std per stroke field
    assert all(v.dtype == torch.float32 for v in payload["state"].values())
    assert json.loads(payload["extra"]) == INFO


def _truncated(payload: dict, path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def _wrong_width(payload: dict, path) -> None:  # the weights of another architecture
    arch = json.loads(payload["architecture"])
    torch.save({**payload, "architecture": json.dumps({**arch, "features": 32})}, path)


def _strokes_unlike_its_run(payload: dict, path) -> None:  # the config's strokes edited, not its run's
    torch.save({**payload, "config": json.dumps({**json.loads(payload["config"]), "strokes": 5})}, path)


def _unknown_action_rule(payload: dict, path) -> None:
    arch = json.loads(payload["architecture"])
    torch.save({**payload, "architecture": json.dumps({**arch, "action_rule": "sample"})}, path)


def _no_architecture(payload: dict, path) -> None:
    torch.save({k: v for k, v in payload.items() if k != "architecture"}, path)


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (_truncated, "not a readable"),
        (_wrong_width, "size mismatch"),
        (_strokes_unlike_its_run, "strokes is 5 but the run's config gives 2"),
        (_unknown_action_rule, "action_rule must be one of"),
        (_no_architecture, "architecture"),
    ],
)
def test_a_corrupt_or_tampered_checkpoint_raises_the_checkpoint_error(agent_pt, damage, match):
    damage(torch.load(agent_pt, weights_only=True), agent_pt)
    with pytest.raises(CheckpointError, match=match):
        load_agent(agent_pt)


def test_another_kind_of_checkpoint_is_refused_naming_the_class_that_loads_it(tmp_path):
    path = RandomAgent(STROKES).save(tmp_path / "random.pt")
    with pytest.raises(CheckpointError, match="random_agent checkpoint.*RandomAgent.load"):
        RLlibPolicyAgent.load(path)


def test_the_ship_script_ships_an_rllib_policy_that_loads_by_name(agent_pt, tmp_path, monkeypatch):
    ship = ship_weights_script()
    facts = ship.checkpoint_facts(agent_pt)
    assert (facts["kind"], facts["dataset"], facts["strokes"]) == ("rllib_policy", "mnist", STROKES)
    weights = tmp_path / "weights"
    entry = ship.ship_agent(agent_pt, "agent_mnist_spiral", COMMAND, weights_dir=weights)
    assert (entry["kind"], entry["dataset"], entry["strokes"]) == ("rllib_policy", "mnist", STROKES)
    assert (entry["steps"], entry["training_minutes"], entry["eval"]) == (3, 1.5, {"eval_mypaint_mse": 0.0834})
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights)
    agent = load_agent("mnist_spiral")
    assert agent.KIND == "rllib_policy"
    assert agent.paint(eval_targets("mnist", 2, SIZE)).shape == (2, STROKES, 12)


def test_the_ship_script_given_an_rllib_run_folder_says_to_export_it_first(tmp_path):
    (tmp_path / "progress.json").write_text(json.dumps({"config": {}}))
    with pytest.raises(FileNotFoundError, match="export-rllib"):
        ship_weights_script().ship_agent(tmp_path, "agent_mnist_spiral", COMMAND, weights_dir=tmp_path / "weights")


def test_export_without_ray_is_a_module_not_found_error_naming_make_rllib_venv(tmp_path, capsys):
    with pytest.raises(ModuleNotFoundError, match="make rllib-venv") as error:
        export_policy(tmp_path, tmp_path / "agent.pt")
    assert error.value.name == "ray"
    with pytest.raises(SystemExit, match="make rllib-venv"):
        main(["export-rllib", str(tmp_path), "--out", str(tmp_path / "agent.pt")])
    assert not (tmp_path / "agent.pt").exists()


def test_export_rllib_refuses_an_out_that_is_no_checkpoint_before_any_work(tmp_path, capsys):
    assert main(["export-rllib", str(tmp_path), "--out", str(tmp_path / "agent.zip")]) == 2
    assert ".pt" in capsys.readouterr().err and not list(tmp_path.iterdir())
