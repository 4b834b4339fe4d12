"""RLlib in the zoo and the CLI, without Ray: ``load_agent`` knows the ``rllib_agent`` kind and,
where Ray is not installed (the main venv), says how to get it; ``train-rllib --reward l2`` is
the dense reward. Ray's absence is forced, so these run the same in the RLlib venv."""

from __future__ import annotations

import json
import sys
import types

import pytest

from paint_gym.cli import main
from paint_gym_agents import load_agent
from paint_gym_agents.rllib_config import REWARDS, RLlibConfig
from paint_gym_agents.zoo import RLLIB_KIND, agent_class, is_rllib_run


@pytest.fixture
def no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment without Ray: ``import ray`` fails, and paint_gym_agents.rllib is imported anew."""
    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.delitem(sys.modules, "paint_gym_agents.rllib", raising=False)


def test_the_rllib_kind_without_ray_says_how_to_install_it(no_ray):
    with pytest.raises(ModuleNotFoundError, match=r"make rllib-venv.*paint-gym\[rllib\]") as error:
        agent_class(RLLIB_KIND)
    assert "Ray RLlib" in str(error.value) and error.value.name == "ray"


def test_load_agent_takes_an_rllib_run_folder_and_without_ray_says_how_to_install_it(no_ray, tmp_path):
    run = tmp_path / "rllib_run"
    run.mkdir()
    assert not is_rllib_run(run)
    (run / "progress.json").write_text(json.dumps({"config": {}}))
    assert is_rllib_run(run) and not is_rllib_run(run / "progress.json")
    with pytest.raises(ModuleNotFoundError, match="make rllib-venv"):
        load_agent(run)


def test_an_unknown_agent_kind_is_a_value_error_naming_the_kinds():
    with pytest.raises(ValueError, match=r"'ppo_agent'.*backprop_agent.*rllib_agent"):
        agent_class("ppo_agent")


@pytest.mark.parametrize("given", ["l2", "L2", "dense"])
def test_the_reward_l2_is_the_dense_reward(given):
    assert RLlibConfig(reward=given).reward == "dense" and "l2" not in REWARDS  # one name kept in configs
    assert RLlibConfig(reward="critic").reward == "critic"


def test_an_unknown_reward_is_refused_naming_the_rewards():
    with pytest.raises(ValueError, match=r"reward must be one of \['dense', 'critic', 'critic-delta'\]; got 'sparse'"):
        RLlibConfig(reward="sparse")


def test_train_rllib_takes_reward_l2_from_the_command_line(tmp_path, monkeypatch, capsys):
    """The flag reaches the run as the dense reward (RLlib's training itself is faked: no Ray here)."""
    seen = {}

    def train(config: RLlibConfig, data_dir: object = None) -> dict:
        seen["config"] = config
        return {"method": "rllib-ppo", "final_mse": 0.1, "points": [{"strokes": 256}], "strokes_per_second": 9.0}

    monkeypatch.setitem(sys.modules, "paint_gym_agents.rllib", types.SimpleNamespace(train=train))
    assert main(["train-rllib", "--reward", "l2", "--iterations", "1", "--run-dir", str(tmp_path / "r")]) == 0
    assert seen["config"].reward == "dense" and "rllib-ppo" in capsys.readouterr().out
    assert main(["train-rllib", "--reward", "sparse", "--run-dir", str(tmp_path / "r")]) == 2
    assert "reward" in capsys.readouterr().err
