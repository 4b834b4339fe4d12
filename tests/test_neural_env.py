"""NeuralPaintEnv and its vector env: same task as MyPaintEnv, differentiable and batched."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch

import paint_gym  # noqa: F401  (registers the ids)
from paint_gym.envs import MyPaintEnv
from paint_gym.envs.neural_env import NeuralPaintEnv, NeuralPaintVectorEnv
from paint_gym.envs.task import TASKS
from paint_gym.painters.neural import GANPainter

from .helpers import random_actions


@pytest.fixture(scope="module")
def painter():
    torch.manual_seed(0)
    return GANPainter().eval()


@pytest.mark.parametrize("task", list(TASKS))
def test_ids_are_registered_with_the_same_spaces_as_mypaint(task, painter):
    env = gym.make(f"NeuralPaint-{task}-v0", painter=painter)
    real = MyPaintEnv(task)
    assert env.action_space == real.action_space and env.observation_space == real.observation_space
    obs, _ = env.reset(seed=0)
    assert (obs["canvas"] == 255).all() and env.unwrapped.episode_length == TASKS[task].episode_length
    env.close()


def test_passes_the_env_checkers_without_warnings(painter):
    from gymnasium.utils.env_checker import check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = gym.make("NeuralPaint-MNIST-v0", painter=painter, render_mode="rgb_array").unwrapped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env)
        sb3_check_env(env, warn=True)


def test_bad_actions_raise_and_leave_the_episode_unchanged(painter, rng):
    env = NeuralPaintEnv("MNIST", painter=painter)
    env.reset(seed=0)
    env.step(random_actions(rng))
    canvas, steps = env._canvas.copy(), env._steps
    for bad in (np.full(12, np.nan, np.float32), np.zeros(5, np.float32), np.array(["a"] * 12)):
        with pytest.raises(ValueError):
            env.step(bad)
    assert (env._canvas == canvas).all() and env._steps == steps
    assert env.step(random_actions(rng))[4]["step"] == 2


def test_stepping_equals_the_differentiable_path(painter, rng):
    env = NeuralPaintEnv("MNIST", painter=painter)
    env.reset(seed=1)
    acts = random_actions(rng, 8)
    for a in acts:
        obs, *_ = env.step(a)
    painted = env.paint(torch.tensor(acts[None]))
    assert painted.shape == (1, 3, 64, 64)
    as_uint8 = (painted[0].permute(1, 2, 0).clamp(0, 1) * 255 + 0.5).to(torch.uint8).numpy()
    assert np.abs(as_uint8.astype(int) - obs["canvas"]).max() <= 1


def test_gradients_reach_the_actions_through_paint(painter, rng):
    env = NeuralPaintEnv("MNIST", painter=painter)
    a = torch.tensor(random_actions(rng, 2, 3), requires_grad=True)
    target = torch.zeros(2, 3, 64, 64)
    loss = ((env.paint(a) - target) ** 2).mean()
    loss.backward()
    assert a.grad.abs().sum() > 0
    # painting over a given canvas starts from it
    start = torch.zeros(2, 3, 64, 64)
    assert env.paint(a.detach()[:, :0], canvas=start).abs().sum() == 0


def test_strokes_targets_are_reproduced_by_their_actions(painter):
    env = NeuralPaintEnv("Strokes", painter=painter)
    obs, info = env.reset(seed=2)
    for a in info["target_actions"]:
        obs, *_ = env.step(a)
    assert np.abs(obs["canvas"].astype(int) - obs["target"]).max() <= 1


def test_make_vec_gives_the_batched_env_with_next_step_autoreset(painter, rng):
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=3, painter=painter, episode_length=2)
    assert isinstance(envs.unwrapped, NeuralPaintVectorEnv)
    obs, info = envs.reset(seed=5)
    assert obs["canvas"].shape == (3, 64, 64, 3) and obs["canvas"].dtype == np.uint8
    assert info["target_label"].dtype.kind == "i" and info["_target_label"].all()
    for expected_done in (False, True):
        obs, reward, terminated, truncated, info = envs.step(random_actions(rng, 3))
        assert (terminated == expected_done).all() and not truncated.any()
    targets_before = obs["target"].copy()
    obs, reward, terminated, truncated, info = envs.step(random_actions(rng, 3))  # the autoreset step
    assert (reward == 0).all() and (obs["canvas"] == 255).all() and (info["step"] == 0).all()
    assert info["_target_index"].all()  # the reset infos of the sub-envs that restarted
    assert not np.array_equal(obs["target"], targets_before)
    with pytest.raises(ValueError):
        envs.step(random_actions(rng, 2))
    with pytest.raises(ValueError, match="NaN"):
        envs.step(np.full((3, 12), np.nan, np.float32))


def test_vector_sub_envs_match_single_envs_with_offset_seeds(painter, rng):
    acts = random_actions(rng, 4, 2)
    vec = NeuralPaintVectorEnv(2, "MNIST", painter=painter)
    vec.reset(seed=10)
    single = [NeuralPaintEnv("MNIST", painter=painter) for _ in range(2)]
    for i, env in enumerate(single):
        env.reset(seed=10 + i)
    for a in acts:
        vobs, vrew, *_ = vec.step(a)
        for i, env in enumerate(single):
            obs, rew, *_ = env.step(a[i])
            np.testing.assert_array_equal(vobs["target"][i], obs["target"])
            assert np.abs(vobs["canvas"][i].astype(int) - obs["canvas"]).max() <= 1
            assert vrew[i] == pytest.approx(rew, abs=1e-4)


def test_vector_env_rejects_bad_arguments(painter):
    with pytest.raises(ValueError, match="num_envs"):
        NeuralPaintVectorEnv(0, painter=painter)
    with pytest.raises(ValueError, match="task"):
        NeuralPaintVectorEnv(2, "CIFAR", painter=painter)
    with pytest.raises(ValueError, match="seeds"):
        NeuralPaintVectorEnv(2, painter=painter).reset(seed=[1, 2, 3])


def test_paint_takes_numpy_or_tensors_and_rejects_bad_input_with_value_errors(painter, rng):
    env = gym.make("NeuralPaint-MNIST-v0", painter=painter).unwrapped
    vec = NeuralPaintVectorEnv(2, "MNIST", painter=painter)
    acts = random_actions(rng, 2, 3)
    from_tensor = env.paint(torch.tensor(acts))
    for paint in (env.paint, vec.paint):
        assert torch.equal(paint(acts), from_tensor) and torch.equal(paint(acts.astype(np.float64)), from_tensor)
        assert torch.equal(
            paint(acts, canvas=np.zeros((2, 3, 64, 64))), paint(torch.tensor(acts), canvas=torch.zeros(2, 3, 64, 64))
        )
    assert from_tensor.shape == (2, 3, 64, 64)
    bad = [
        (acts[0], "3-d"),
        (np.full_like(acts, np.nan), "NaN"),
        (torch.full((2, 3, 12), float("inf")), "NaN or inf"),
        (torch.zeros(2, 3, 12, dtype=torch.int64), "float"),
        (torch.zeros(2, 3, 11), "shape"),
        ("strokes", "real numbers"),
    ]
    for actions, match in bad:
        with pytest.raises(ValueError, match=match):
            env.paint(actions)
    for canvas, match in [
        (np.zeros((2, 64, 64, 3), np.uint8), "canvas must be"),
        (torch.zeros(2, 3, 64, 64, dtype=torch.uint8), "floats"),
        (torch.full((2, 3, 64, 64), float("nan")), "NaN"),
    ]:
        with pytest.raises(ValueError, match=match):
            env.paint(acts, canvas=canvas)
    # a tensor that requires grad keeps its graph, as the canvas does
    a = torch.tensor(acts, requires_grad=True)
    start = torch.full((2, 3, 64, 64), 0.5, requires_grad=True)
    vec.paint(a, canvas=start).sum().backward()
    assert a.grad.abs().sum() > 0 and start.grad.abs().sum() > 0
