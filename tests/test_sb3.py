"""Stable-Baselines3 baselines: real PPO and SAC runs on the registered ids, wrapped to paint()."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch

from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.benchmark.protocol import PaintingAgent
from paint_gym.checkpoint import config_from_json, config_to_json
from paint_gym_agents.sb3 import (
    NATURE_CNN_MIN,
    SB3Agent,
    SB3Config,
    SB3Trainer,
    build_model,
    make_env,
    policy_kwargs,
)


def policy_vector(model) -> torch.Tensor:
    return torch.cat([p.detach().flatten().clone() for p in model.policy.parameters()])


def test_make_env_is_the_registered_id_with_scaled_dense_reward():
    env = make_env(SB3Config(strokes=3, reward_scale=100.0))
    assert env.spec.id == "MyPaint-MNIST-v0"
    _, info = env.reset(seed=0)
    _, reward, terminated, _, step_info = env.step(env.action_space.sample())
    assert reward == pytest.approx(100.0 * (info["l2"] - step_info["l2"]))
    for _ in range(2):
        *_, terminated, _, _ = env.step(env.action_space.sample())
    assert terminated


@pytest.mark.parametrize(
    ("algo", "steps", "extra"),
    [
        ("ppo", 192, {"n_steps": 64, "batch_size": 32, "n_epochs": 1}),
        ("sac", 200, {"learning_starts": 180, "sac_batch_size": 16, "buffer_size": 500}),
    ],
)
def test_a_few_hundred_steps_change_the_policy_and_paint(tmp_path, algo, steps, extra):
    cfg = SB3Config(algo=algo, strokes=4, threads=1, **extra)
    model = build_model(cfg)
    before = policy_vector(model)
    model.learn(total_timesteps=steps)
    assert model.num_timesteps >= steps and not torch.equal(policy_vector(model), before)
    agent = SB3Agent(model, cfg, batch=3)
    assert isinstance(agent, PaintingAgent)
    targets = eval_targets("mnist", 5)
    actions = agent.paint(targets)
    assert actions.shape == (5, 4, 12) and actions.dtype == np.float32 and np.abs(actions).max() <= 1
    assert np.array_equal(actions, agent.paint(targets))  # deterministic policy, seeded episodes
    agent.save(tmp_path / "agent.pt")
    loaded = SB3Agent.load(tmp_path / "agent.pt", batch=3)
    assert loaded.config == cfg
    assert np.array_equal(loaded.paint(targets), actions)
    with pytest.raises(ValueError, match="uint8"):
        agent.paint(targets.astype(np.float32))
    assert agent.act({"canvas": targets[0], "target": targets[0]}).shape == (12,)
    agent.close()


def budget_run(budget_seconds: float, **kw) -> list:
    with SB3Trainer(SB3Config(**kw)) as trainer:
        return trainer.run(budget_seconds, eval_every_seconds=1.0, progress=False)


def test_budget_run_logs_eval_points_and_resumes(tmp_path):
    kw = {
        "strokes": 3,
        "run_dir": str(tmp_path / "run"),
        "eval_images": 4,
        "algo": "ppo",
        "n_steps": 32,
        "batch_size": 16,
        "n_epochs": 1,
        "threads": 1,
    }
    first = budget_run(1.0, **kw)
    assert first[0].seconds == 0 and first[0].strokes == 0 and first[-1].seconds >= 1.0 and len(first) >= 2
    assert all(b.strokes >= a.strokes for a, b in itertools.pairwise(first))
    for name in ("checkpoint.pt", "agent.pt", "log.csv", "curves.png"):
        assert (tmp_path / "run" / name).is_file()
    steps = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["num_timesteps"]
    second = budget_run(2.0, **kw)
    assert second[: len(first)] == first and second[-1].seconds >= 2.0
    assert (
        torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["num_timesteps"] > steps == first[-1].strokes
    )
    agent = SB3Agent.load(tmp_path / "run" / "checkpoint.pt")
    assert agent.paint(eval_targets("mnist", 2)).shape == (2, 3, 12)


def test_bad_inputs_raise(tmp_path):
    for bad in ({"algo": "dqn"}, {"env": "gpu"}, {"dataset": "cifar"}, {"strokes": 0}, {"reward_scale": 0.0}):
        with pytest.raises(ValueError):
            SB3Config(**bad)
    with pytest.raises(FileNotFoundError):
        SB3Agent.load(tmp_path / "missing.pt")
    with (
        SB3Trainer(SB3Config(run_dir=str(tmp_path / "r"), eval_images=2)) as trainer,
        pytest.raises(ValueError, match="budget"),
    ):
        trainer.run(0.0, progress=False)


@pytest.mark.parametrize("extractor", ["stacked", "separate"])
@pytest.mark.parametrize(
    ("algo", "size", "extra"),
    [
        ("ppo", 32, {"n_steps": 16, "batch_size": 8, "n_epochs": 1}),
        ("sac", 16, {"learning_starts": 8, "sac_batch_size": 4, "buffer_size": 64}),
    ],
)
def test_canvases_below_nature_cnn_size_train_and_paint(tmp_path, algo, size, extra, extractor):
    """SB3Config(canvas_size=32) was accepted and then crashed inside SB3's NatureCNN (>= 36 px)."""
    cfg = SB3Config(algo=algo, canvas_size=size, strokes=2, threads=1, extractor=extractor, **extra)
    assert size < NATURE_CNN_MIN and "features_extractor_class" in policy_kwargs(cfg)
    model = build_model(cfg)
    before = policy_vector(model)
    model.learn(total_timesteps=16)
    assert not torch.equal(policy_vector(model), before)
    targets = eval_targets("mnist", 2, canvas_size=size)
    actions = SB3Agent(model, cfg, batch=2).paint(targets)
    assert actions.shape == (2, 2, 12) and np.isfinite(actions).all()
    SB3Agent(model, cfg).save(tmp_path / "agent.pt")
    assert np.array_equal(SB3Agent.load(tmp_path / "agent.pt", batch=2).paint(targets), actions)
    assert policy_kwargs(SB3Config(canvas_size=64, extractor="separate")) == {}  # SB3's own NatureCNN from 36 px up


def test_the_stacked_extractor_compares_canvas_and_target_in_its_first_layer():
    """extractor="stacked" (the default): one CNN whose first convolution reads canvas and target
    as 6 channels; old checkpoints' configs load as "separate" (what those runs used)."""
    from paint_gym_agents.sb3 import LEGACY_FIELDS, StackedCanvasExtractor

    cfg = SB3Config(strokes=2, n_steps=8, batch_size=8, n_epochs=1, threads=1)
    model = build_model(cfg)
    extractor = model.policy.features_extractor
    assert isinstance(extractor, StackedCanvasExtractor) and extractor.image_keys == ["canvas", "target"]
    first = next(m for m in extractor.cnn.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.in_channels == 6
    a, b = torch.rand(1, 3, 64, 64), torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        ab, ba = extractor({"canvas": a, "target": b}), extractor({"canvas": b, "target": a})
    assert ab.shape == (1, extractor.features_dim) and not torch.equal(ab, ba)  # which image is which matters
    with pytest.raises(ValueError, match="extractor"):
        SB3Config(extractor="nature")
    saved = json.loads(config_to_json(cfg))
    del saved["extractor"], saved["log_std_init"]  # a checkpoint written before the fields existed
    old = config_from_json(SB3Config, saved, LEGACY_FIELDS)
    assert old.extractor == "separate" and old.log_std_init == 0.0


def test_ppo_starts_from_the_configured_policy_spread():
    """log_std_init=-1: PPO's Gaussian starts at std e^-1 ~ 0.37 instead of SB3's 1 (half the box)."""
    model = build_model(SB3Config(strokes=2, n_steps=8, batch_size=8, n_epochs=1, threads=1, log_std_init=-1.0))
    assert torch.allclose(model.policy.log_std, torch.full((12,), -1.0))
    assert torch.allclose(
        build_model(SB3Config(strokes=2, n_steps=8, batch_size=8, threads=1)).policy.log_std, torch.zeros(12)
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"canvas_size": 4},
        {"canvas_size": 64.5},
        {"canvas_size": True},
        {"lr": float("nan")},
        {"gamma": 0.0},
        {"batch_size": 1},
        {"batch_size": 512, "n_steps": 256},
        {"learning_starts": -1},
        {"n_steps": 2.5},
        {"algo": "sac", "sac_batch_size": 64, "buffer_size": 32},
        {"replay_seeds": ()},
        {"log_std_init": float("inf")},
        {"log_std_init": 5.0},
    ],
)
def test_config_rejects_values_the_model_would_break_on(bad):
    with pytest.raises(ValueError):
        SB3Config(**bad)


def test_the_batched_neural_env_gives_sb3_what_its_vec_envs_give():
    """env="neural": SB3 steps the dab painter's vector env (one painter call per step) through
    BatchedVecEnv: rewards scaled, episodes reset in the step that ends them with the last canvas in
    terminal_observation, the same strokes as painting each sub-env's episode with the single env."""
    import gymnasium as gym

    from paint_gym_agents.sb3 import make_venv
    from paint_gym_agents.sb3_vecenv import BatchedVecEnv

    cfg = SB3Config(env="neural", strokes=2, n_envs=3, reward_scale=10.0)
    venv = make_venv(cfg)
    venv.seed(5)
    obs = venv.reset()
    assert obs["canvas"].shape == (3, 64, 64, 3) and obs["target"].dtype == np.uint8
    single = gym.make("NeuralPaint-MNIST-v0", episode_length=2, reward="dense")
    first, _ = single.reset(seed=6)  # sub-env 1 of reset(seed=5)
    assert np.array_equal(first["target"], obs["target"][1])
    actions = np.random.default_rng(0).uniform(-1, 1, (2, 3, 12)).astype(np.float32)
    obs1, rewards, dones, infos = venv.step(actions[0])
    _, reward, *_ = single.step(actions[0, 1])
    assert rewards.dtype == np.float32 and rewards[1] == pytest.approx(10.0 * reward, rel=1e-5, abs=1e-6)
    assert not dones.any() and infos == [{}, {}, {}]
    obs2, _, dones, infos = venv.step(actions[1])
    last, *_ = single.step(actions[1, 1])
    assert dones.all()
    assert np.array_equal(infos[1]["terminal_observation"]["canvas"], last["canvas"])
    assert infos[1]["TimeLimit.truncated"] is False and "episode" in infos[1]  # VecMonitor's episode stats
    assert not np.array_equal(obs2["canvas"], last["canvas"][None].repeat(3, 0))  # new episodes' blank canvases
    assert (obs2["canvas"] == 255).all()
    venv.close()
    with pytest.raises(ValueError, match="SAME_STEP"):
        BatchedVecEnv(gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2))


def test_ppo_on_the_batched_neural_env_learns_a_few_steps(tmp_path):
    cfg = SB3Config(env="neural", n_envs=8, strokes=4, n_steps=8, batch_size=32, n_epochs=1, threads=1)
    model = build_model(cfg)
    before = policy_vector(model)
    model.learn(total_timesteps=128)
    assert model.num_timesteps >= 128 and not torch.equal(policy_vector(model), before)
    actions = SB3Agent(model, cfg, batch=2).paint(eval_targets("mnist", 2))
    assert actions.shape == (2, 4, 12)


def test_batched_vec_env_refuses_what_it_cannot_honour():
    import gymnasium as gym

    from paint_gym_agents.sb3_vecenv import BatchedVecEnv

    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    with pytest.raises(TypeError, match="VectorEnv"):
        BatchedVecEnv(gym.make("NeuralPaint-MNIST-v0"))
    with pytest.raises(ValueError, match="reward_scale"):
        BatchedVecEnv(envs, reward_scale=0.0)
    venv = BatchedVecEnv(envs)
    venv.set_options({"target": np.zeros((64, 64, 3), np.uint8)})
    with pytest.raises(ValueError, match="reset options"):
        venv.reset()
    with pytest.raises(RuntimeError, match="step_async"):
        venv.step_wait()
    assert venv.get_attr("num_envs") == [2, 2] and venv.env_is_wrapped(gym.Wrapper) == [False, False]
    venv.close()
