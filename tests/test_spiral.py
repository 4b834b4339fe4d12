"""The SPIRAL-style agent: real tiny runs on the neural vector env and on MyPaint workers."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest
import torch

from paint_gym.actions import PRESSURE
from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.benchmark.protocol import PaintingAgent
from paint_gym.checkpoint import config_to_json
from paint_gym.painters.load import replay
from paint_gym_agents.spiral import (
    LIFT_STROKE,
    ActionDecoder,
    SpiralAgent,
    SpiralConfig,
    SpiralPolicy,
    SpiralTrainer,
    obs_images,
)

TINY = {
    "strokes": 3,
    "num_envs": 4,
    "eval_images": 4,
    "width": 8,
    "hidden": 32,
    "critic_width": 8,
    "minibatches": 2,
    "update_epochs": 2,
    "threads": 1,
}


def tiny_config(tmp_path, **kw) -> SpiralConfig:
    return SpiralConfig(**{**TINY, "run_dir": str(tmp_path / "run"), **kw})


def parameters(module: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten().clone() for p in module.parameters()])


@pytest.mark.parametrize("mode", ["continuous", "discrete"])
def test_updates_on_the_neural_vector_env_train_policy_and_critic(tmp_path, mode):
    with SpiralTrainer(tiny_config(tmp_path, action_mode=mode, dense_l2=100.0)) as trainer:
        assert trainer.envs.num_envs == 4 and type(trainer.envs).__name__ == "NeuralPaintVectorEnv"
        policy0, critic0 = parameters(trainer.policy), parameters(trainer.critic)
        rows = [trainer.train_once() for _ in range(2)]
        assert not torch.equal(parameters(trainer.policy), policy0)
        assert not torch.equal(parameters(trainer.critic), critic0)
        assert trainer.step == 2 and trainer.strokes == 2 * 4 * 3
        for row in rows:
            assert all(np.isfinite(v) for v in row.values())
            assert {"pg_loss", "v_loss", "critic_loss", "wasserstein", "train_mse"} <= row.keys()
        actions = trainer.agent().paint(trainer.eval_targets)
    assert actions.shape == (4, 3, 12) and actions.dtype == np.float32
    assert actions.min() >= -1 and actions.max() <= 1


def test_pure_l2_reward_needs_no_critic(tmp_path):
    with SpiralTrainer(tiny_config(tmp_path, adversarial=0.0, dense_l2=100.0)) as trainer:
        critic0 = parameters(trainer.critic)
        row = trainer.train_once()
        assert "critic_loss" not in row and torch.equal(parameters(trainer.critic), critic0)


def test_a_run_on_mypaint_through_async_vector_env(tmp_path):
    cfg = tiny_config(tmp_path, env="mypaint", num_envs=2, episodes_per_env=2, action_mode="discrete")
    with SpiralTrainer(cfg) as trainer:
        assert isinstance(trainer.envs, gym.vector.AsyncVectorEnv) and trainer.envs.num_envs == 2
        policy0 = parameters(trainer.policy)
        row = trainer.train_once()
        assert np.isfinite(row["critic_loss"]) and not torch.equal(parameters(trainer.policy), policy0)
        assert trainer.strokes == 2 * 2 * 3
        mse = trainer.evaluate()  # paints its own canvases with MyPaint, as it trained
    assert 0 < mse < 1


def test_lift_stroke_lays_no_paint_in_mypaint_or_the_gan_painter():
    strokes = np.tile(LIFT_STROKE, (1, 2, 1))
    assert (replay(strokes, "mypaint", seed=3) == 255).all()
    assert (replay(strokes, "gan") == 255).all()


def test_discrete_strokes_start_where_the_pen_rests():
    decoder = ActionDecoder("discrete")
    pens = np.zeros((2, 2), np.float32)
    first = torch.tensor(
        [[31, 31, 5, 5, 1, 9, 3, 0, 0, 0], [0, 0, 5, 5, 0, 9, 3, 0, 0, 0]]
    )  # env 0 lifts to the corner
    strokes1, pens = decoder(first, pens)
    np.testing.assert_array_equal(strokes1[0], LIFT_STROKE)
    np.testing.assert_allclose(pens, [[1, 1], [-1, -1]])
    strokes2, _ = decoder(torch.tensor([[16, 16, 5, 5, 0, 9, 3, 0, 0, 0]] * 2), pens)
    np.testing.assert_allclose(strokes2[:, 6:8], [[1, 1], [-1, -1]])  # start_x, start_y = where each pen rested


def test_paint_and_act_follow_the_protocol(tmp_path):
    with SpiralTrainer(tiny_config(tmp_path, action_mode="discrete")) as trainer:
        agent = trainer.agent()
    assert isinstance(agent, PaintingAgent)
    targets = eval_targets("mnist", 5)
    actions = agent.paint(targets)
    assert actions.shape == (5, 3, 12) and actions.dtype == np.float32 and np.abs(actions).max() <= 1
    env = gym.make("NeuralPaint-MNIST-v0", episode_length=3)
    obs, _ = env.reset(seed=0)
    for _ in range(3):
        obs, *_ = env.step(agent.act(obs))
    with pytest.raises(ValueError, match="uint8"):
        agent.paint(targets.astype(np.float32))
    with pytest.raises(ValueError, match="64x64"):
        agent.paint(np.zeros((1, 32, 32, 3), np.uint8))


def budget_run(tmp_path, budget_seconds: float) -> list:
    with SpiralTrainer(tiny_config(tmp_path, dataset="mnist")) as trainer:
        return trainer.run(budget_seconds, eval_every_seconds=0.5, progress=False)


def test_checkpoint_round_trip_and_resume(tmp_path):
    first = budget_run(tmp_path, 1.0)
    assert first[0].seconds == 0 and first[-1].seconds >= 1.0 and len(first) >= 2
    loaded = SpiralAgent.load(tmp_path / "run" / "checkpoint.pt")
    steps_before = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["step"]
    targets = eval_targets("mnist", 4)
    assert np.array_equal(SpiralAgent(loaded.policy, loaded.config).paint(targets), loaded.paint(targets))
    assert (
        (tmp_path / "run" / "agent.pt").is_file()
        and (tmp_path / "run" / "log.csv").is_file()
        and (tmp_path / "run" / "curves.png").is_file()
    )
    second = budget_run(tmp_path, 2.0)
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    assert second[: len(first)] == first and second[-1].seconds >= 2.0
    assert state["step"] > steps_before and state["strokes"] == state["step"] * 4 * 3


def test_bad_configs_and_checkpoints_raise(tmp_path):
    for bad in (
        {"env": "gpu"},
        {"action_mode": "binary"},
        {"strokes": 0},
        {"adversarial": 0.0, "dense_l2": 0.0},
        {"dataset": "cifar"},
        {"minibatches": 8, "num_envs": 4},
    ):
        with pytest.raises(ValueError):
            SpiralConfig(**bad)
    with pytest.raises(FileNotFoundError):
        SpiralAgent.load(tmp_path / "missing.pt")
    with SpiralTrainer(tiny_config(tmp_path)) as trainer:
        trainer.save_checkpoint()
    with pytest.raises(ValueError, match="hidden"):
        SpiralTrainer(tiny_config(tmp_path, hidden=16))


@pytest.mark.parametrize(
    "bad",
    [
        {"canvas_size": 64.5},
        {"canvas_size": 3},
        {"lr": 0.0},
        {"gamma": 1.5},
        {"gae_lambda": -0.1},
        {"width": 0},
        {"num_envs": 2.5},
        {"background": "blue"},
        {"max_grad_norm": float("nan")},
    ],
)
def test_config_rejects_values_a_run_would_break_on(bad):
    with pytest.raises(ValueError):
        SpiralConfig(**bad)


@pytest.mark.parametrize("mode", ["continuous", "discrete"])
@pytest.mark.parametrize("size", [8, 36])
def test_every_accepted_canvas_size_builds_a_policy_that_acts(size, mode):
    policy = SpiralPolicy(size, width=8, hidden=16, action_mode=mode, strokes=2)
    images = obs_images(np.full((2, size, size, 3), 255, np.uint8), np.zeros((2, size, size, 3), np.uint8))
    dist, value, _ = policy.step(images, torch.zeros(2, 12), 0, policy.initial_state(2))
    assert value.shape == (2,) and torch.isfinite(dist.sample().float()).all()
    assert SpiralConfig(canvas_size=size).canvas_size == size


def test_the_bounded_mean_stays_in_the_action_box_where_the_unbounded_one_left_it():
    """The collapse: an unbounded mean pushed past -1 in pressure paints nothing, and the env's clip
    gives every nearby sample the same blank stroke (no gradient back). tanh keeps the mean inside."""
    images = torch.zeros(5, 6, 16, 16, dtype=torch.uint8)
    state_args = (torch.zeros(5, 12), 0)
    for bounded in (True, False):
        policy = SpiralPolicy(canvas_size=16, width=4, hidden=8, init_log_std=-1.0, bounded_mean=bounded)
        with torch.no_grad():
            policy.head.bias.fill_(-3.0)  # what a drifting policy's output does
            dist, _, _ = policy.step(images, *state_args, policy.initial_state(5))
        mean = dist.mode()
        if bounded:
            assert mean.min() > -1 and mean.max() < 1
        else:
            assert (mean < -2).all()


def test_silent_strokes_are_counted_and_old_checkpoints_keep_their_unbounded_mean(tmp_path):
    from paint_gym_agents.spiral import config_of, silent_fraction

    with SpiralTrainer(tiny_config(tmp_path, dense_l2=100.0)) as trainer:
        roll = trainer._rollout()
        assert roll.strokes.shape == (3, 4, 12)
        silent = float((roll.strokes[..., PRESSURE] <= -1).all(-1).float().mean())
        assert silent_fraction(roll) == pytest.approx(silent)
        roll.strokes[..., PRESSURE] = -1.0
        assert silent_fraction(roll) == 1.0
        row = trainer.train_once()
        assert 0.0 <= row["silent_strokes"] <= 1.0
    saved = json.loads(config_to_json(tiny_config(tmp_path)))
    del saved["bounded_mean"]  # a checkpoint written before the field existed
    assert config_of(saved).bounded_mean is False
    assert config_of(json.dumps({**saved, "bounded_mean": True})).bounded_mean is True
