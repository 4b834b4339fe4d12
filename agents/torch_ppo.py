"""PPO on the device, in one file: CleanRL's ``ppo_continuous_action.py`` over the batched neural env.

The env is ``gym.make_vec("NeuralPaint-...", num_envs=N, device=DEV, tensors=True,
obs_mode="stacked")`` (:class:`~paint_gym.envs.neural_env.NeuralPaintVectorEnv` in its tensor
mode): observations, rewards and done flags are tensors on DEV and the actions go back as tensors,
so a rollout, its advantages and the update never leave the device. Episodes end by their length
(``terminated``), and the env resets them in the step that ends them (``SAME_STEP``), as
CleanRL's loop expects. Read top to bottom: :class:`PPOArgs` (CleanRL's defaults, sized for
painting), :class:`PPOAgent` (a small CNN over the stacked canvas | target image, a Gaussian
policy with a learned log-std, a value head), :func:`train` (rollout, advantages, update, each
step named), which returns the logged scalars of every iteration.

    python -m paint_gym_agents.torch_ppo --num-envs 1024 --device cuda --total-strokes 2000000
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import gymnasium as gym
import torch
from gymnasium.vector import AutoresetMode
from torch import nn
from torch.distributions import Normal

import paint_gym  # noqa: F401  (registers the ids)


@dataclasses.dataclass
class PPOArgs:
    """PPO's hyperparameters (CleanRL's defaults where painting does not need others)."""

    env_id: str = "NeuralPaint-MNIST-v0"
    """a NeuralPaint-*-v0 id"""
    num_envs: int = 256
    """episodes stepped as one batch on the device"""
    num_steps: int = 16
    """strokes per env per rollout (two 8-stroke episodes)"""
    total_strokes: int = 200_000
    """strokes painted in all (num_envs x num_steps per iteration)"""
    canvas_size: int = 64
    """canvas side in pixels"""
    device: str = "cpu"
    """where the env, the agent and the update run ("cuda" for a GPU)"""
    learning_rate: float = 3e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    num_minibatches: int = 4
    update_epochs: int = 4
    clip_coef: float = 0.2
    ent_coef: float = 0.0
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    reward_scale: float = 10.0
    """factor on the env's dense reward (a decrease of the MSE, a few hundredths per stroke)"""
    seed: int = 0


class PPOAgent(nn.Module):
    """Policy and value of stacked observations, uint8 ``(B, H, W, 6)`` (canvas | target).

    A CNN of four stride-2 convolutions (the canvas size must be a multiple of 16), then a
    Gaussian policy over the stroke ``(B, 12)`` (mean, learned log-std; the env clips to [-1, 1])
    and a value ``(B,)``.
    """

    def __init__(self, canvas_size: int, width: int = 32) -> None:
        super().__init__()
        if canvas_size % 16:
            raise ValueError(f"canvas_size must be a multiple of 16 for PPOAgent's CNN; got {canvas_size}")
        layers: list[nn.Module] = []
        channels = 6
        for _ in range(4):
            layers += [nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.ReLU()]
            channels = width
        features = width * (canvas_size // 16) ** 2
        self.encoder = nn.Sequential(*layers, nn.Flatten(), nn.Linear(features, 256), nn.ReLU())
        self.actor_mean = nn.Linear(256, 12)
        self.actor_logstd = nn.Parameter(torch.full((1, 12), -0.5))
        self.critic = nn.Linear(256, 1)
        nn.init.orthogonal_(self.actor_mean.weight, 0.01)
        nn.init.zeros_(self.actor_mean.bias)

    def features(self, obs: torch.Tensor) -> torch.Tensor:
        return self.encoder(obs.permute(0, 3, 1, 2).float() / 255.0)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(self.features(obs)).squeeze(-1)

    def action_and_value(
        self, obs: torch.Tensor, action: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """A sampled (or the given) action ``(B, 12)``, its log-probability, the entropy and the value."""
        h = self.features(obs)
        dist = Normal(self.actor_mean(h), self.actor_logstd.expand(len(h), -1).exp())
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action).sum(-1), dist.entropy().sum(-1), self.critic(h).squeeze(-1)


def make_env(args: PPOArgs) -> gym.vector.VectorEnv:
    """The batched env on ``args.device``: tensors there, stacked observations, SAME_STEP resets."""
    return gym.make_vec(
        args.env_id,
        args.num_envs,
        device=args.device,
        tensors=True,
        obs_mode="stacked",
        canvas_size=args.canvas_size,
        autoreset_mode=AutoresetMode.SAME_STEP,
    )


def train(
    args: PPOArgs, envs: gym.vector.VectorEnv | None = None, agent: PPOAgent | None = None
) -> list[dict[str, Any]]:
    """Train ``agent`` (a new one by default) with PPO on ``envs`` (``make_env(args)`` by default)
    for ``args.total_strokes`` strokes; every iteration's logged scalars (losses, mean reward,
    strokes per second)."""
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    envs = envs if envs is not None else make_env(args)
    agent = (agent if agent is not None else PPOAgent(args.canvas_size)).to(device)
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
    n, t = args.num_envs, args.num_steps
    batch = n * t
    minibatch = max(1, batch // args.num_minibatches)
    obs_buf = torch.zeros((t, *envs.observation_space.shape), dtype=torch.uint8, device=device)
    actions, logprobs, rewards, dones, values = (
        torch.zeros((t, n, *s), device=device) for s in ((12,), (), (), (), ())
    )
    next_obs, _ = envs.reset(seed=args.seed)
    next_done = torch.zeros(n, device=device)
    history = []
    for iteration in range(max(1, args.total_strokes // batch)):
        start = time.perf_counter()
        # -- rollout: every tensor stays on the device ------------------------------------------
        for step in range(t):
            obs_buf[step], dones[step] = next_obs, next_done
            with torch.no_grad():
                action, logprob, _, value = agent.action_and_value(next_obs)
            actions[step], logprobs[step], values[step] = action, logprob, value
            next_obs, reward, terminated, truncated, _ = envs.step(action)
            rewards[step] = reward.float() * args.reward_scale
            next_done = (terminated | truncated).float()
        # -- advantages (GAE) ------------------------------------------------------------------
        with torch.no_grad():
            next_value = agent.value(next_obs)
            advantages = torch.zeros_like(rewards)
            last = torch.zeros(n, device=device)
            for step in reversed(range(t)):
                following = next_value if step == t - 1 else values[step + 1]
                alive = 1.0 - (next_done if step == t - 1 else dones[step + 1])
                delta = rewards[step] + args.gamma * following * alive - values[step]
                last = delta + args.gamma * args.gae_lambda * alive * last
                advantages[step] = last
            returns = advantages + values
        # -- update: clipped surrogate, value loss, entropy bonus --------------------------------
        b_obs, b_actions = obs_buf.reshape(batch, *obs_buf.shape[2:]), actions.reshape(batch, 12)
        b_logprobs, b_adv, b_returns = logprobs.reshape(-1), advantages.reshape(-1), returns.reshape(-1)
        for _ in range(args.update_epochs):
            for idx in torch.randperm(batch, device=device).split(minibatch):
                _, newlogprob, entropy, newvalue = agent.action_and_value(b_obs[idx], b_actions[idx])
                ratio = (newlogprob - b_logprobs[idx]).exp()
                adv = (b_adv[idx] - b_adv[idx].mean()) / (b_adv[idx].std() + 1e-8) if len(idx) > 1 else b_adv[idx]
                pg_loss = torch.max(-adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)).mean()
                v_loss = 0.5 * (newvalue - b_returns[idx]).pow(2).mean()
                loss = pg_loss - args.ent_coef * entropy.mean() + args.vf_coef * v_loss
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()
        seconds = time.perf_counter() - start
        history.append(
            {
                "iteration": iteration,
                "loss": loss.item(),
                "policy_loss": pg_loss.item(),
                "value_loss": v_loss.item(),
                "mean_reward": float(rewards.mean()) / args.reward_scale,
                "strokes_per_second": batch / seconds,
            }
        )
    return history


def main() -> None:
    import tyro

    args = tyro.cli(PPOArgs)
    for row in train(args):
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()

__all__ = ["PPOAgent", "PPOArgs", "make_env", "train"]
