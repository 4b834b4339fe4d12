"""SPIRAL's reward on RLlib without Ray (:mod:`paint_gym_agents.rllib_critic`): the critic's score of
each finished painting, standardised by a running mean and deviation so that a critic whose scale
drifts (as a WGAN critic's does while it learns) still gives rewards of order 1."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from paint_gym_agents.rllib_critic import CriticReward, RunningStandardizer, score

SIZE, STROKES, N = 16, 2, 4


def make_env() -> gym.vector.VectorEnv:
    """The batched neural env with the stacked observation, as RLlib's env runners make it."""
    kwargs = {"obs_mode": "stacked", "canvas_size": SIZE, "episode_length": STROKES}
    return gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N, **kwargs)


def test_the_standardizer_keeps_a_drifting_signal_of_order_one():
    """Scores drift from N(0, 1) to N(-75, 10), as the diagnosis saw the critic's do: after the
    drift each batch comes out with a mean near 0 and a spread near 1 again."""
    rng = np.random.default_rng(0)
    standardize = RunningStandardizer()
    first = standardize(rng.normal(0.0, 1.0, 64))
    assert abs(first.mean()) < 1e-6 and first.std() == pytest.approx(1.0, rel=1e-6) and first.dtype == np.float32
    for _ in range(100):
        out = standardize(rng.normal(-75.0, 10.0, 64))
    assert abs(out.mean()) < 0.5 and 0.7 < out.std() < 1.3
    assert standardize.mean == pytest.approx(-75.0, abs=3.0) and standardize.std == pytest.approx(10.0, rel=0.3)
    assert standardize(np.zeros(0)).shape == (0,)  # an empty batch changes nothing
    one = RunningStandardizer()
    assert one(np.array([5.0]))[0] == 0.0 and one.std == 1.0  # one score: its own mean, no spread yet


def test_the_critic_reward_adds_the_standardised_score_at_each_episodes_end():
    """On the batched neural env with the stacked observation: steps before the end keep the env's
    reward; the last step adds the standardised critic score, which stays of order 1 however large
    the critic's raw scores are (here its head scaled 1000x), and the final pairs are kept."""
    torch.manual_seed(0)
    wrapped = CriticReward(make_env(), canvas_size=SIZE, width=4)
    with torch.no_grad():
        wrapped.critic.head.weight.mul_(1000.0)
    rng = np.random.default_rng(0)
    raw_scores, rewards = [], []
    obs, _ = wrapped.reset(seed=0)
    env_only = make_env()  # the same env unwrapped: its rewards are the env's own
    env_only.reset(seed=0)
    for _ in range(3):  # three episodes of STROKES strokes (next-step autoreset: one reset step between)
        for _step in range(STROKES + 1):
            actions = rng.uniform(-1, 1, (N, 12)).astype(np.float32)
            obs, reward, terminated, truncated, _ = wrapped.step(actions)
            _, env_reward, *_ = env_only.step(actions)
            done = terminated | truncated
            if done.any():
                raw_scores.append(score(wrapped.critic, obs[done, ..., :3], obs[done, ..., 3:]))
                rewards.append(reward[done] - env_reward[done])
            else:
                np.testing.assert_allclose(reward, env_reward, rtol=1e-6)
    raw, added = np.concatenate(raw_scores), np.concatenate(rewards)
    assert len(added) == 3 * N and np.abs(raw).max() > 50  # a critic of a large scale
    # standardised: of order 1 (a batch of 4 against the running moments), not constant
    assert np.abs(added).max() < 6 and added.std() > 0.1 and np.abs(added).max() < np.abs(raw).max() / 10
    canvas, target = wrapped.take_pairs()
    assert canvas.shape == target.shape == (3 * N, SIZE, SIZE, 3) and canvas.dtype == np.uint8
    assert wrapped.take_pairs()[0].shape[0] == 0  # taken once


def test_the_per_stroke_critic_reward_credits_each_stroke_with_its_score_change():
    """``per_stroke`` (reward "critic-delta", Huang et al. 2019): every painted stroke gets the
    standardised change ``D(canvas_t, target) - D(canvas_t-1, target)``, replayed here with the
    critic scored independently and a fresh RunningStandardizer; a reset step (next-step autoreset)
    gets the env's reward only; new critic weights score the current canvases anew, so the change
    of the next stroke is one critic's; final pairs are still kept."""
    torch.manual_seed(0)
    wrapped = CriticReward(make_env(), canvas_size=SIZE, width=4, per_stroke=True)
    with pytest.raises(RuntimeError, match="reset"):
        wrapped.step(np.zeros((N, 12), np.float32))
    env_only = make_env()
    rng = np.random.default_rng(1)

    def scores(obs: np.ndarray) -> np.ndarray:
        c, t = torch.from_numpy(obs[..., :3]), torch.from_numpy(obs[..., 3:])
        c, t = (x.permute(0, 3, 1, 2).float() / 255.0 for x in (c, t))
        with torch.no_grad():
            return wrapped.critic(c, t).numpy()

    replay = RunningStandardizer()
    obs, _ = wrapped.reset(seed=0)
    env_only.reset(seed=0)
    last, resetting, added = scores(obs), np.zeros(N, bool), []
    for step in range(3 * (STROKES + 1)):
        if step == 4:  # the learner sends new weights mid-episode
            state = {k: torch.randn_like(v) for k, v in wrapped.critic.state_dict().items()}
            wrapped.load_critic(state)
            last = scores(obs)
        actions = rng.uniform(-1, 1, (N, 12)).astype(np.float32)
        obs, reward, terminated, truncated, _ = wrapped.step(actions)
        _, env_reward, *_ = env_only.step(actions)
        now = scores(obs)
        expected = env_reward.astype(np.float32).copy()
        if (~resetting).any():
            expected[~resetting] += replay(now[~resetting] - last[~resetting])
        np.testing.assert_allclose(reward, expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(reward[resetting], env_reward[resetting])  # a reset step: no critic reward
        added.append(reward[~resetting] - env_reward[~resetting])
        last, resetting = now, terminated | truncated
    assert np.concatenate(added).std() > 0.1  # the strokes are told apart
    canvas, _ = wrapped.take_pairs()
    assert canvas.shape == (3 * N, SIZE, SIZE, 3)
