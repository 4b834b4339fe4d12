"""SPIRAL-style adversarial RL: a recurrent actor-critic painting T strokes, rewarded by a critic.

After Ganin et al., "Synthesizing Programs for Images using Reinforced Adversarial Learning"
(SPIRAL, 2018), in CleanRL's shape: the inference wrapper (:class:`SpiralAgent`, with the verbs
of every agent: paint, act, reset, save, load, train) and the update (:class:`SpiralTrainer`:
rollout, reward, critic update, advantages, PPO update) read top to bottom here; the
hyperparameters (:class:`SpiralConfig`) are :mod:`paint_gym_agents.spiral_config`, the network
(:class:`SpiralPolicy`) :mod:`paint_gym_agents.spiral_policy`, the action decoder, envs, rollouts
and advantages :mod:`paint_gym_agents.spiral_rollout` (their public names are re-exported here).

    agent = SpiralAgent.train(SpiralConfig(task="mnist"), budget_seconds=15 * 60, run_dir="runs/spiral")
    strokes = agent.paint(targets)            # uint8 (B, H, W, 3) -> float32 (B, T, 12)

* The policy is an LSTM over strokes that sees the target and the current canvas (a conv
  encoder with coordinate channels) and its previous stroke, and outputs a stroke: a diagonal
  Gaussian over the 12 continuous fields, or SPIRAL's discrete choices
  (:class:`paint_gym.DiscreteActions`: grid points, lift flag, pressure, size, colour levels).
* The env is a black box: the batched ``NeuralPaintVectorEnv`` (``env="neural"``; no gradient
  flows through its painter) or MyPaint itself in ``AsyncVectorEnv`` worker processes
  (``env="mypaint"``, the real program, as SPIRAL used libmypaint).
* Reward, as in SPIRAL: at the episode's end the conditional WGAN-GP critic
  (:class:`paint_gym_agents.discriminator.PairCritic`) scores (final canvas, target); we use
  ``D(canvas, target) - D(target, target)`` because a WGAN critic's offset is arbitrary and
  drifts. Optionally plus the env's dense L2 reward (``dense_l2`` > 0). The critic trains on the
  same final canvases against (target, target) pairs.
* Update: PPO with a clipped objective (``update_epochs=1`` and a wide clip make it A2C),
  GAE over the T strokes, recomputing each episode's recurrent sequence (backpropagation
  through time over the strokes).

In discrete mode the agent turns choices into continuous strokes itself (a stroke starts where
the pen rests, as in ``MyPaintEnv(action_mode="discrete")``), so the same continuous vector envs
serve both modes and ``paint()`` returns continuous ``(B, T, 12)`` strokes that replay anywhere.
A lift becomes :data:`LIFT_STROKE`, a stroke at zero pressure that lays no paint.

Training stops when the wall-clock budget is spent (``train(config, budget_seconds)``, the
reconstruction benchmark) or, without one, after the config's ``steps`` updates (the loop, the
run folder, resume and checkpoints are :class:`paint_gym.training.Trainer`'s, as for every
trainer; this file holds the update). The run folder: ``run_dir/checkpoint.pt`` (everything to resume),
``agent.pt`` (best evaluation so far), ``log.csv`` and ``curves.png``; loads use
``torch.load(weights_only=True)``. As there, divergence stops training with
:class:`paint_gym.errors.TrainingDivergedError` (the policy's outputs, the losses and gradient
norms every update; weights and a probe step before every checkpoint), and a resumed run uses
the config's learning rates (only the fields in :data:`RESUME_MAY_CHANGE` may differ from the
checkpoint's config).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.actions import ACTION_DIM
from paint_gym.benchmark.evaluation import eval_targets, replay_mse
from paint_gym.canvas import to_float_tensor
from paint_gym.checkpoint import config_to_json
from paint_gym.envs.episode import Episodes
from paint_gym.envs.task import TaskConfig, task_spec
from paint_gym.errors import NonFiniteOutputError, check_finite_tensors
from paint_gym.painters.canvases import Canvases
from paint_gym.painters.load import PainterLike, as_numpy, load_painter
from paint_gym.runlog import CURVES_PNG, curves_figure, plot_columns
from paint_gym.training import EvalSchedule, Limits, Point, Schedule, Trainer

from .base import check_agent_targets, info_of, read_agent_checkpoint, train_with, write_agent_checkpoint
from .discriminator import PairCritic, critic_loss
from .spiral_config import (
    ACTION_MODES,
    ENVS,
    LEGACY_FIELDS,
    RENAMED_FIELDS,
    RESUME_MAY_CHANGE,
    SpiralConfig,
    config_of,
)
from .spiral_policy import DiagGaussian, MultiCategorical, SpiralPolicy, obs_images
from .spiral_rollout import LIFT_STROKE, ActionDecoder, Rollout, advantages, make_envs, silent_fraction

#: EMA rate of the running mean square of episode returns (``SpiralConfig.reward_norm``).
RETURN_EMA = 0.1


# ----------------------------------------------------------------------------------------
# Inference: paint, act, save, load, train
# ----------------------------------------------------------------------------------------


class SpiralAgent:
    """A :class:`SpiralPolicy` that paints: the agent API of :mod:`paint_gym_agents.base`.

    ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)`` paints its own canvases stroke by
    stroke, as a batch of episodes (:class:`paint_gym.envs.episode.Episodes`), with the painter it
    trained on (the neural painter, or MyPaint with brush seed ``seed`` for ``env="mypaint"``;
    ``painter`` overrides it) composited in numpy; the policy's most likely stroke is
    taken unless ``deterministic=False``. ``act(observation)`` reads the env's canvas instead, so
    on the env it trained on, T calls after :meth:`reset` give the strokes ``paint`` gives for the
    episode's target; its recurrent state restarts after T strokes, for a new target or on
    :meth:`reset`. ``info`` holds what the checkpoint recorded (step, evaluation MSE).
    """

    KIND: ClassVar[str] = "spiral_agent"

    def __init__(
        self,
        policy: SpiralPolicy,
        config: SpiralConfig,
        painter: PainterLike | None = None,
        batch: int = 64,
        deterministic: bool = True,
        seed: int = 0,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.policy = policy.eval()
        self.config = config
        self.n_strokes = config.strokes
        painter = painter if painter is not None else ("mypaint" if config.env == "mypaint" else config.painter)
        loaded = load_painter(painter, canvas_size=config.canvas_size, seed=seed)
        self.canvases = Canvases(loaded, config.background, tensors=False)
        self.seed = seed
        task = task_spec(config.task).name
        self.task = TaskConfig.create(
            task, canvas_size=config.canvas_size, episode_length=config.strokes, background=config.background
        )
        self.decoder = ActionDecoder(config.action_mode)
        self.batch = batch
        self.deterministic = deterministic
        self.info = dict(info or {})
        self.reset()

    def _choose(self, dist: Any) -> torch.Tensor:
        if not bool(torch.isfinite(dist.raw).all()):
            raise NonFiniteOutputError(
                "the SPIRAL policy produced NaN or inf outputs: its weights are not finite or "
                "overflow (a diverged training run?); load a checkpoint from before the divergence"
            )
        return dist.mode() if self.deterministic else dist.sample()

    def _check(self, targets: np.ndarray) -> np.ndarray:
        return check_agent_targets(targets, self.config.canvas_size)

    @torch.no_grad()
    def paint(self, targets: np.ndarray) -> np.ndarray:
        """Strokes ``(B, T, 12)`` float32 in [-1, 1] for uint8 targets ``(B, H, W, 3)``."""
        arr = self._check(targets)
        out = []
        for i in range(0, len(arr), self.batch):
            tgt = arr[i : i + self.batch]
            every = np.arange(len(tgt))
            episodes = Episodes(self.task, len(tgt))
            self.canvases.reseed(self.seed)  # the same strokes give the same canvases (MyPaint's brush)
            episodes.reset(every, self.canvases, given=tgt)
            state = self.policy.initial_state(len(tgt))
            prev = torch.zeros(len(tgt), ACTION_DIM)
            pens = np.zeros((len(tgt), 2), np.float32)
            strokes = []
            for t in range(self.n_strokes):
                dist, _, state = self.policy.step(obs_images(episodes.canvas, tgt), prev, t, state)
                stroke, pens = self.decoder(self._choose(dist), pens)
                episodes.step(every, stroke, np.ones(len(tgt), bool), self.canvases)  # a lift paints LIFT_STROKE
                prev = torch.from_numpy(stroke)
                strokes.append(stroke)
            out.append(np.stack(strokes, axis=1))
        return np.concatenate(out).astype(np.float32)

    def reset(self) -> None:
        """Start a new episode: LSTM state, previous stroke, pen and stroke counter."""
        self._target: np.ndarray | None = None
        self._state = self.policy.initial_state(1)
        self._prev = torch.zeros(1, ACTION_DIM)
        self._pens = np.zeros((1, 2), np.float32)
        self._t = 0

    @torch.no_grad()
    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        """One continuous stroke ``(12,)`` for an env observation ``{"canvas", "target"}`` (numpy or torch)."""
        target = np.asarray(as_numpy(observation["target"]))
        if self._target is None or not np.array_equal(target, self._target) or self._t >= self.n_strokes:
            self.reset()
            self._target = target.copy()
        canvas = self._check(np.asarray(as_numpy(observation["canvas"]))[None])
        dist, _, self._state = self.policy.step(obs_images(canvas, target[None]), self._prev, self._t, self._state)
        stroke, self._pens = self.decoder(self._choose(dist), self._pens)
        self._prev = torch.from_numpy(stroke)
        self._t += 1
        return stroke[0]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the agent (``kind: spiral_agent``, config, weights, ``info``) atomically."""
        return write_agent_checkpoint(self, path, state_dict=self.policy.state_dict())

    @classmethod
    def load(cls, path: str | os.PathLike, **kwargs: Any) -> SpiralAgent:
        """The agent of ``agent.pt`` or of a training ``checkpoint.pt`` (``weights_only=True``);
        ``kwargs`` go to the constructor (``painter``, ``deterministic``, ...). Raises
        ``FileNotFoundError`` and :class:`paint_gym.checkpoint.CheckpointError`."""

        def build(payload: dict[str, Any]) -> SpiralAgent:
            config = config_of(payload["config"])
            policy = SpiralPolicy.from_config(config)
            policy.load_state_dict(
                payload["state_dict"] if "state_dict" in payload else payload["policy"]
            )  # else a training checkpoint
            return cls(policy, config, info=info_of(payload), **kwargs)

        missing = (
            f"no SPIRAL agent checkpoint at {path}; train one with SpiralAgent.train(SpiralConfig(...), run_dir=...)"
        )
        return read_agent_checkpoint(path, cls.KIND, build, missing=missing)

    @classmethod
    def train(
        cls,
        config: SpiralConfig,
        budget_seconds: float | None = None,
        run_dir: str | os.PathLike | None = None,
        *,
        data_dir: str | os.PathLike | None = None,
        eval_every_seconds: float = 60.0,
        progress: bool = True,
    ) -> SpiralAgent:
        """Train an agent (resuming from ``run_dir``, default ``config.run_dir``, when it holds a
        checkpoint) for ``budget_seconds`` of training wall-clock, or without a budget for the
        config's ``steps`` updates; returns the best agent of the run (``agent.pt``)."""
        return train_with(SpiralTrainer, config, budget_seconds, run_dir, data_dir, eval_every_seconds, progress)


# ----------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------


class SpiralTrainer(Trainer):
    """Trains a :class:`SpiralPolicy` and its critic; resumable from ``run_dir/checkpoint.pt``.

    ``train_once()`` is one update (rollout, critic, PPO); ``run(budget_seconds, ...)`` trains
    for a wall-clock budget (in total over resumes), or without one for the config's ``steps``
    updates, and returns the evaluation points. The run folder, resume, checkpoints, log and loop
    are :class:`paint_gym.training.Trainer`'s. Use as a context manager (or call :meth:`close`)
    to stop MyPaint worker processes.
    """

    trainer_name = "SPIRAL training"
    resume_may_change = RESUME_MAY_CHANGE
    checkpoint_label = "SPIRAL training checkpoint"
    log_columns = ("step", "seconds", "strokes")

    def __init__(self, config: SpiralConfig, data_dir: str | os.PathLike | None = None) -> None:
        super().__init__(config, config.run_dir)
        if config.threads:
            torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        self.eval_targets = eval_targets(config.task, config.eval_images, config.canvas_size, data_dir)
        self.policy = SpiralPolicy.from_config(config)
        self.critic = PairCritic(config.canvas_size, config.critic_width)
        self.opt = torch.optim.Adam(self.policy.parameters(), lr=config.lr, eps=1e-5)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=config.critic_lr, betas=(0.5, 0.9))
        self.decoder = ActionDecoder(config.action_mode)
        self.strokes = 0
        self.return_ms = math.nan  # running mean square of episode returns (reward_norm); NaN until the first update
        self._agent: SpiralAgent | None = None
        self.resume()
        self._seed: int | None = (config.seed * 7919 + 1_000_003 * self.step) % 2**31  # first reset of this process
        self.envs = make_envs(config, data_dir)

    # -- checkpoints (the run folder and resume are Trainer's) -----------------------------------
    def saved_config(self, state: dict[str, Any]) -> SpiralConfig:
        return config_of(state["config"])

    def state_dict(self) -> dict[str, Any]:
        return {
            "kind": SpiralAgent.KIND,
            "config": config_to_json(self.cfg),
            "policy": self.policy.state_dict(),
            "critic": self.critic.state_dict(),
            "opt": self.opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "torch_rng": torch.get_rng_state(),
            **self.progress_state(),
            "strokes": self.strokes,
            "return_ms": self.return_ms,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.policy.load_state_dict(state["policy"])
        self.critic.load_state_dict(state["critic"])
        self.opt.load_state_dict(state["opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        torch.set_rng_state(state["torch_rng"])
        self.strokes = int(state["strokes"])
        self.return_ms = float(state.get("return_ms", math.nan))

    def learning_rates(self) -> list[tuple[torch.optim.Optimizer, float]]:
        return [(self.opt, self.cfg.lr), (self.critic_opt, self.cfg.critic_lr)]

    # -- divergence -----------------------------------------------------------------------------
    def _check_outputs(self, dist: DiagGaussian | MultiCategorical, value: torch.Tensor, step: int) -> None:
        check_finite_tensors(
            [("strokes", dist.raw), ("value", value)],
            step=step,
            lr=self.cfg.lr,
            what="policy's output",
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )

    def check_healthy(self) -> None:
        """Raise :class:`paint_gym.errors.TrainingDivergedError` unless the policy's and critic's
        weights and the policy's first stroke for two evaluation images are finite (run before
        every checkpoint is written, so a diverged state never replaces a good one)."""
        kw = {"step": self.step, "checkpoint": self.checkpoint_path, "trainer": self.trainer_name}
        check_finite_tensors(self.policy.state_dict().items(), lr=self.cfg.lr, what="policy's weights", **kw)
        check_finite_tensors(self.critic.state_dict().items(), lr=self.cfg.critic_lr, what="critic's weights", **kw)
        targets = self.eval_targets[:2]
        with torch.no_grad():
            dist, value, _ = self.policy.step(
                obs_images(np.full_like(targets, 255), targets),
                torch.zeros(len(targets), ACTION_DIM),
                0,
                self.policy.initial_state(len(targets)),
            )
        self._check_outputs(dist, value, self.step)

    def close(self) -> None:
        self.envs.close()

    # -- one update ---------------------------------------------------------------------------
    @torch.no_grad()
    def _rollout(self) -> Rollout:
        """Play ``episodes_per_env`` episodes in every sub-env with the current policy."""
        cfg, n, steps = self.cfg, self.cfg.num_envs, self.cfg.strokes
        cols: list[dict[str, Any]] = []
        for _ in range(cfg.episodes_per_env):
            obs, _ = self.envs.reset(seed=self._seed)
            self._seed = None  # seeded once per process; later resets continue the sub-envs' streams
            state = self.policy.initial_state(n)
            prev = torch.zeros(n, ACTION_DIM)
            pens = np.zeros((n, 2), np.float32)
            ep: dict[str, list[Any]] = {k: [] for k in ("images", "prev", "raw", "logp", "values", "rewards")}
            painted: list[torch.Tensor] = []
            for t in range(steps):
                images = obs_images(obs["canvas"], obs["target"])
                dist, value, state = self.policy.step(images, prev, t, state)
                self._check_outputs(dist, value, self.step + 1)
                raw = dist.sample()
                stroke, pens = self.decoder(raw, pens)
                obs, reward, terminated, _, info = self.envs.step(stroke)
                for key, item in zip(
                    ep,
                    (images, prev, raw, dist.log_prob(raw), value, torch.as_tensor(reward, dtype=torch.float32)),
                    strict=True,
                ):
                    ep[key].append(item)
                prev = torch.from_numpy(stroke)
                painted.append(prev)
            if not np.all(terminated):
                raise RuntimeError(
                    f"episodes did not end after {steps} strokes: the env's episode_length differs from strokes={steps}"
                )
            cols.append(
                {
                    **{k: torch.stack(v) for k, v in ep.items()},
                    "canvas": obs["canvas"],
                    "target": obs["target"],
                    "l2": np.asarray(info["l2"]),
                    "strokes": torch.stack(painted),
                }
            )

        def cat(key: str) -> torch.Tensor:
            return torch.cat([c[key] for c in cols], dim=1)

        return Rollout(
            cat("images"),
            cat("prev"),
            cat("raw"),
            cat("logp"),
            cat("values"),
            cat("rewards") * cfg.dense_l2,
            np.concatenate([c["canvas"] for c in cols]),
            np.concatenate([c["target"] for c in cols]),
            np.concatenate([c["l2"] for c in cols]),
            cat("strokes"),
        )

    def _critic_reward(self, roll: Rollout) -> tuple[torch.Tensor, dict[str, float]]:
        """SPIRAL's reward of each final canvas ``(E,)``, then the critic's own update."""
        canvas, target = to_float_tensor(roll.final_canvas), to_float_tensor(roll.final_target)
        with torch.no_grad():
            reward = self.critic(canvas, target) - self.critic(target, target)
        row: dict[str, float] = {"critic_reward": float(reward.mean())}
        for _ in range(self.cfg.critic_steps):
            loss, wasserstein = critic_loss(self.critic, canvas, target, self.cfg.gp_lambda)
            self._check(loss, "critic loss", self.cfg.critic_lr)
            self.critic_opt.zero_grad(set_to_none=True)
            loss.backward()
            self._check(
                nn.utils.get_total_norm([p.grad for p in self.critic.parameters() if p.grad is not None]),
                "critic's gradient norm",
                self.cfg.critic_lr,
            )
            self.critic_opt.step()
            row.update(critic_loss=float(loss.detach()), wasserstein=wasserstein)
        return reward, row

    def train_once(self) -> dict[str, float]:
        """One update: rollout, rewards, critic, advantages, PPO epochs. Returns its scalars."""
        cfg = self.cfg
        roll = self._rollout()
        rewards = roll.rewards.clone()
        row: dict[str, float] = {"train_mse": float(roll.final_l2.mean()), "silent_strokes": silent_fraction(roll)}
        if cfg.adversarial > 0:
            reward, critic_row = self._critic_reward(roll)
            rewards[-1] += cfg.adversarial * reward
            row.update(critic_row)
        if cfg.reward_norm:
            rewards = rewards / self._return_scale(rewards.sum(0))
            row["return_scale"] = math.sqrt(self.return_ms)
        adv, returns = advantages(rewards, roll.values, cfg.gamma, cfg.gae_lambda)
        episodes = rewards.shape[1]
        for _ in range(cfg.update_epochs):
            for mb in torch.randperm(episodes).chunk(cfg.minibatches):
                logp, entropy, values = self.policy.evaluate_sequence(
                    roll.images[:, mb], roll.prev[:, mb], roll.raw[:, mb]
                )
                a = adv[:, mb]
                a = (a - a.mean()) / (a.std() + 1e-8)
                ratio = (logp - roll.logp[:, mb]).exp()
                pg_loss = torch.max(-a * ratio, -a * ratio.clamp(1 - cfg.clip_coef, 1 + cfg.clip_coef)).mean()
                v_loss = 0.5 * ((values - returns[:, mb]) ** 2).mean()
                loss = pg_loss - cfg.ent_coef * entropy.mean() + cfg.vf_coef * v_loss
                self._check(loss)
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                self._check(nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.max_grad_norm), "gradient norm")
                self.opt.step()
        self.step += 1
        self.strokes += episodes * cfg.strokes
        row.update(
            loss=float(loss.detach()),
            pg_loss=float(pg_loss.detach()),
            v_loss=float(v_loss.detach()),
            entropy=float(entropy.detach().mean()),
            return_mean=float(returns[0].mean()),
        )
        self._recent.append(row)
        return row

    def _return_scale(self, episode_returns: torch.Tensor) -> float:
        """Update the running mean square of the episode returns and return its root (the factor the
        rewards are divided by; at least 1e-8)."""
        ms = float((episode_returns.double() ** 2).mean())
        self.return_ms = ms if math.isnan(self.return_ms) else (1 - RETURN_EMA) * self.return_ms + RETURN_EMA * ms
        return max(math.sqrt(self.return_ms), 1e-8)

    # -- evaluation and the budget loop ----------------------------------------------------------
    def agent(self) -> SpiralAgent:
        """The policy being trained as a PaintingAgent (built once: it loads its canvas painter)."""
        if self._agent is None:
            self._agent = SpiralAgent(self.policy, self.cfg)
        self.policy.eval()
        return self._agent

    def evaluate(self) -> float:
        """MyPaint-replay MSE of the evaluation images; logs it and keeps the best ``agent.pt``."""
        try:
            actions = self.agent().paint(self.eval_targets)
        except NonFiniteOutputError as exc:
            self.check_healthy()  # names the weights or the output that went non-finite
            raise self._diverged("policy's strokes on the evaluation images") from exc
        finally:
            self.policy.train()
        mse = float(replay_mse(actions, self.eval_targets, self.cfg.replay_seeds).mean())
        self.history.append(
            {
                "step": self.step,
                "seconds": self.elapsed,
                "strokes": self.strokes,
                **self.training_means(),
                "eval_mypaint_mse": mse,
            }
        )

        def save_best() -> None:
            agent = self.agent()
            agent.info = {"step": self.step, "seconds": self.elapsed, "eval_mypaint_mse": mse}
            agent.save(self.run_dir / "agent.pt")
            self.policy.train()

        self.keep_best(mse, save_best)
        return mse

    def best_agent(self) -> SpiralAgent:
        """The run's best agent (``agent.pt``), or the current one if none was saved."""
        path = self.run_dir / "agent.pt"
        return SpiralAgent.load(path) if path.exists() else SpiralAgent(self.policy, self.cfg, info={"step": self.step})

    def run(
        self, budget_seconds: float | None = None, eval_every_seconds: float = 60.0, progress: bool = True
    ) -> list[Point]:
        """Train until the training clock reaches ``budget_seconds`` (in total over resumes) or,
        without a budget, until ``steps`` updates are done, evaluating as every method of the
        benchmark (:class:`paint_gym.training.Schedule`: at the start, on
        :class:`paint_gym.training.EvalSchedule` (``eval_every_seconds``) and at the stop) with a
        checkpoint at each evaluation. Returns the evaluation points ``(seconds, strokes, MSE)``."""
        self.policy.train()
        desc = f"SPIRAL {self.cfg.env} {self.cfg.action_mode} {self.cfg.task}"
        limits = Limits.budget_or_steps(budget_seconds, self.cfg.steps)
        return self.fit(limits, Schedule(EvalSchedule(eval_every_seconds)), progress, desc)

    # -- logs ---------------------------------------------------------------------------------------
    def plot(self) -> Path:
        """``curves.png``: training figures against updates, evaluation MSE against seconds."""
        out = self.run_dir / CURVES_PNG
        title = (
            f"SPIRAL-style agent, {self.cfg.env} env, {self.cfg.action_mode}, "
            f"{self.cfg.task}, {self.cfg.strokes} strokes"
        )
        with curves_figure(out, 2, title) as (_, (ax1, ax2)):
            plot_columns(ax1, self.history, "step", ("train_mse", "silent_strokes", "wasserstein", "entropy"))
            ax1.set_xlabel("update")
            if ax1.lines:
                ax1.legend(fontsize=8)
            ax2.plot(
                [r["seconds"] for r in self.history],
                [r["eval_mypaint_mse"] for r in self.history],
                marker="o",
                label="eval: MyPaint replay",
            )
            ax2.set_xlabel("training seconds")
            ax2.set_ylabel("MSE")
            ax2.legend(fontsize=8)
        return out


__all__ = [
    "ACTION_MODES",
    "ENVS",
    "LEGACY_FIELDS",
    "LIFT_STROKE",
    "RENAMED_FIELDS",
    "RESUME_MAY_CHANGE",
    "ActionDecoder",
    "SpiralAgent",
    "SpiralConfig",
    "SpiralPolicy",
    "SpiralTrainer",
    "config_of",
    "make_envs",
    "silent_fraction",
]
