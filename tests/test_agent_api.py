"""One agent API, checked for every agent: tiny real training runs that resume, the checkpoint
round trip, ``load_agent``'s dispatch on the stored kind, and ``paint`` and ``act`` agreeing.

As Stable-Baselines3's ``test_save_load(model_class)``: every case below is a class with the
verbs of :mod:`paint_gym_agents.base` and a tiny config (16 px canvases, a few steps); the
plug-in of ``examples/my_agent.py`` needs only ``paint`` and ``act`` and is checked for those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.benchmark.plugins import load_class, make_agent
from paint_gym.benchmark.protocol import PaintingAgent
from paint_gym.checkpoint import CheckpointError
from paint_gym_agents import RandomAgent, RandomConfig, load_agent
from paint_gym_agents.backprop import BackpropAgent, BackpropConfig
from paint_gym_agents.base import Agent

from .helpers import ROOT

sb3 = pytest.importorskip("paint_gym_agents.sb3")

SIZE, STROKES = 16, 2


@dataclass(frozen=True)
class Case:
    """An agent class, its tiny config for ``steps`` training steps, and the steps of a first
    run and of the resumed one (0: nothing to train)."""

    cls: type
    config: Callable[[int], Any]
    steps: tuple[int, int] = (0, 0)


def neural_env(config: Any) -> gym.Env:
    return gym.make(
        "NeuralPaint-MNIST-v0", episode_length=STROKES, canvas_size=SIZE, painter=getattr(config, "painter", "gan")
    )


def backprop_config(steps: int) -> BackpropConfig:
    return BackpropConfig(
        strokes=STROKES,
        canvas_size=SIZE,
        width=4,
        hidden=8,
        batch_size=2,
        steps=steps,
        eval_every=100,
        eval_images=2,
        replay_seeds=(0,),
        threads=1,
    )


def sb3_config(algo: str) -> Callable[[int], Any]:
    extra = (
        {"n_steps": 4, "batch_size": 2, "n_epochs": 1}
        if algo == "ppo"
        else {"learning_starts": 1, "sac_batch_size": 2, "buffer_size": 16}
    )
    return lambda steps: sb3.SB3Config(
        algo=algo, strokes=STROKES, canvas_size=SIZE, steps=steps, eval_images=2, replay_seeds=(0,), threads=1, **extra
    )


CASES = {
    "backprop": Case(BackpropAgent, backprop_config, (1, 3)),
    "sb3-ppo": Case(sb3.SB3Agent, sb3_config("ppo"), (4, 8)),
    "sb3-sac": Case(sb3.SB3Agent, sb3_config("sac"), (3, 6)),
    "random": Case(RandomAgent, lambda steps: RandomConfig(strokes=STROKES, seed=3)),
}


def weights(agent: Any) -> torch.Tensor | None:
    policy = getattr(agent, "policy", None)
    return None if policy is None else torch.cat([p.detach().flatten().clone() for p in policy.parameters()])


@dataclass
class Trained:
    """A case after a first training run and its resumption in the same run folder."""

    case: Case
    agent: Any
    run_dir: Path
    steps: tuple[int, int]  # the checkpoint's step count after each run
    weights: tuple[torch.Tensor | None, torch.Tensor | None]  # the latest weights after each run


def checkpoint_state(case: Case, run_dir: Path) -> tuple[int, torch.Tensor | None]:
    path = run_dir / "checkpoint.pt"
    if not path.exists():
        return 0, None
    return int(torch.load(path, weights_only=True)["step"]), weights(case.cls.load(path))


@pytest.fixture(scope="module", params=list(CASES))
def trained(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trained]:
    case = CASES[request.param]
    run_dir = tmp_path_factory.mktemp(request.param)
    case.cls.train(case.config(case.steps[0]), run_dir=run_dir, progress=False)
    first = checkpoint_state(case, run_dir)
    agent = case.cls.train(case.config(case.steps[1]), run_dir=run_dir, progress=False)
    second = checkpoint_state(case, run_dir)
    yield Trained(case, agent, run_dir, (first[0], second[0]), (first[1], second[1]))
    getattr(agent, "close", lambda: None)()


@pytest.fixture(scope="module")
def targets() -> np.ndarray:
    return eval_targets("mnist", 3, canvas_size=SIZE)


def test_every_agent_has_the_verbs(trained):
    assert isinstance(trained.agent, Agent) and isinstance(trained.agent, PaintingAgent)
    assert type(trained.agent) is trained.case.cls and trained.agent.n_strokes == STROKES


def test_train_resumes_from_its_run_dir_and_changes_the_weights(trained):
    assert (trained.run_dir / "agent.pt").is_file()
    if not trained.case.steps[1]:
        return  # nothing to learn (the random agent): train only saves it
    assert trained.steps == trained.case.steps  # the second run continued the first one's count
    assert {"checkpoint.pt", "log.csv", "curves.png"} <= {p.name for p in trained.run_dir.iterdir()}
    before, after = trained.weights
    assert before is not None and after is not None and not torch.equal(before, after)


def test_save_and_load_paint_the_same_strokes(trained, targets, tmp_path):
    strokes = trained.agent.paint(targets)
    assert strokes.shape == (3, STROKES, 12) and strokes.dtype == np.float32 and np.abs(strokes).max() <= 1
    np.testing.assert_array_equal(trained.agent.paint(targets), strokes)  # deterministic
    path = trained.agent.save(tmp_path / "agent.pt")
    loaded = trained.case.cls.load(path)
    assert type(loaded) is trained.case.cls and loaded.config == trained.agent.config
    np.testing.assert_array_equal(loaded.paint(targets), strokes)


def test_load_agent_dispatches_on_the_stored_kind(trained):
    assert type(load_agent(trained.run_dir / "agent.pt")) is trained.case.cls
    if trained.case.steps[1]:
        assert type(load_agent(trained.run_dir / "checkpoint.pt")) is trained.case.cls
    other = RandomAgent if trained.case.cls is not RandomAgent else BackpropAgent
    with pytest.raises(CheckpointError, match=trained.case.cls.__name__):
        other.load(trained.run_dir / "agent.pt")


def play_episode(agent: Any, env: gym.Env, target: np.ndarray) -> np.ndarray:
    """The strokes of one env episode on ``target`` by ``act`` (seed 0, as ``paint``'s first episode)."""
    obs, _ = env.reset(seed=0, options={"target": target})
    strokes = []
    for _ in range(STROKES):
        strokes.append(agent.act(obs))
        obs, *_ = env.step(strokes[-1])
    return np.stack(strokes)


def test_paint_and_act_agree_on_an_env_episode(trained, targets):
    agent = trained.agent
    env = (
        sb3.make_env(agent.config, scale_reward=False) if isinstance(agent, sb3.SB3Agent) else neural_env(agent.config)
    )
    painted = agent.paint(targets[1:2])[0]
    agent.reset()
    np.testing.assert_allclose(play_episode(agent, env, targets[1]), painted, atol=1e-4)
    agent.reset()
    np.testing.assert_allclose(play_episode(agent, env, targets[1]), painted, atol=1e-4)  # reset made act repeatable
    np.testing.assert_allclose(
        play_episode(agent, env, targets[1]), painted, atol=1e-4
    )  # and so does a finished episode
    env.close()


def test_the_plugin_example_paints_and_acts(targets):
    plugin = make_agent(load_class(f"{ROOT / 'examples' / 'my_agent.py'}:InkAgent"), STROKES)
    assert isinstance(plugin, PaintingAgent) and not isinstance(plugin, Agent)  # paint and act are all a plug-in needs
    strokes = plugin.paint(targets)
    assert strokes.shape == (3, STROKES, 12) and strokes.dtype == np.float32 and np.abs(strokes).max() <= 1
    obs, _ = neural_env(None).reset(seed=0, options={"target": targets[0]})
    assert plugin.act(obs).shape == (12,)
