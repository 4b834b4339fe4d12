"""The one-file torch PPO (paint_gym_agents.torch_ppo) trains on the batched env's tensor mode:
the rollout, advantages and update run on the env's device, and an update changes the agent."""

from __future__ import annotations

import math

import pytest
import torch

from paint_gym_agents.torch_ppo import PPOAgent, PPOArgs, make_env, train

TINY = PPOArgs(num_envs=4, num_steps=8, total_strokes=64, canvas_size=16, update_epochs=2, num_minibatches=2)


def test_ppo_trains_on_device_tensors_and_its_updates_change_the_agent_and_its_loss():
    envs = make_env(TINY)
    obs, _ = envs.reset(seed=0)
    assert isinstance(obs, torch.Tensor) and obs.shape == (4, 16, 16, 6) and obs.dtype == torch.uint8
    agent = PPOAgent(TINY.canvas_size)
    before = [p.detach().clone() for p in agent.parameters()]
    value_before = agent.value(obs).detach()
    history = train(TINY, envs, agent)
    assert len(history) == 2
    for row in history:
        assert all(math.isfinite(row[key]) for key in ("loss", "policy_loss", "value_loss", "mean_reward"))
    assert history[0]["loss"] != history[1]["loss"]
    assert any(not torch.equal(a, b) for a, b in zip(before, agent.parameters(), strict=True))
    assert not torch.equal(value_before, agent.value(obs).detach())


def test_ppo_agent_needs_a_canvas_size_its_cnn_can_divide():
    with pytest.raises(ValueError, match="multiple of 16"):
        PPOAgent(20)
