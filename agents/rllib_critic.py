"""SPIRAL's reward on RLlib: a conditional WGAN-GP critic scores each finished painting.

After Ganin et al., "Synthesizing Programs for Images using Reinforced Adversarial Learning"
(SPIRAL, 2018), whose actors score their final canvases with the latest snapshot of a
discriminator that a separate learner trains on those canvases. Here:

* each env runner wraps its vector env in :class:`CriticReward`, which holds a copy of the
  critic (:class:`paint_gym_agents.discriminator.PairCritic`, CPU, no gradients): at the step that
  ends an episode the reward becomes ``D(canvas, target) - D(target, target)`` (the offset of a
  WGAN critic is arbitrary and drifts, so the target's own score is subtracted), *standardised*
  by a running mean and standard deviation of the scores (:class:`RunningStandardizer`), plus
  the env's own reward; the final (canvas, target) pairs are kept for the critic's training (at most
  :data:`MAX_PAIRS` per runner, the newest). With ``reward="critic-delta"`` every stroke is
  rewarded instead with the change of the critic's score it made, ``D(canvas_t, target) -
  D(canvas_t-1, target)``, standardised alike: the reward of Huang et al., "Learning to Paint
  with Model-based Deep Reinforcement Learning" (ICCV 2019), whose sum over an episode is the
  final score less the blank canvas's;
* after every training iteration the driver's :class:`CriticLearner` collects those pairs from
  every env runner, takes ``critic_steps`` Adam steps of :func:`critic_loss` (real pair
  (target, target), fake pair (canvas, target), gradient penalty) and sends the new weights
  back. The policy and the critic train side by side; as in SPIRAL, an actor's critic is at most
  one iteration old.

It works alike for PPO, APPO and IMPALA, on the neural env and on MyPaint: it sees only the
stacked observation (uint8 ``(N, H, W, 6)``, canvas then target) the env returns.

Why standardised: as the critic learns to separate real from painted pairs its scores drift far
from 0 and grow (the retired in-house trainer's diagnosis saw ``D(canvas, target) - D(target,
target)`` go from 0.003 to -75 within 150 updates). Episodes have a fixed length, so subtracting
a running mean from the episode's last reward changes no policy's ranking, and dividing by a
running standard deviation keeps the reward of order 1 as the critic's scale drifts. Measured on
MNIST (IMPALA, 20 training minutes, 2 cores): with raw scores (the Wasserstein estimate reached
-268, the value loss hundreds) the policy's entropy fell from 5 to -77 and its strokes collapsed
within a minute to one painting 3x worse than the blank canvas (replay MSE 0.264 against 0.086);
standardised, the policy still collapses, to the blank canvas (entropy 5 to -18 within four
minutes, then flat).

The collapse is IMPALA's here, not the critic's (probes of about 4 minutes each, the benchmark's
settings, 2026-12-06): IMPALA collapses with the dense L2 reward too (entropy 5 to -14 within 23
training seconds, then nothing painted), and with the per-stroke critic reward (entropy 5 to -22
within 143 s, final canvases at the blank's 0.0859); an entropy bonus of 0.01 slows it (entropy
down to -3.8, back to -0.9; still blank at 207 s) and one of 0.05 makes the strokes' spread
explode (entropy 257) without learning. APPO, IMPALA with PPO's clipped objective, keeps its
entropy near 5 with the dense reward (replay MSE 0.0823 to 0.0783 in 71 s) and with the critic's
(0.0823 to 0.0810 in 144 s, the blank canvas 0.0860).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from paint_gym.canvas import to_float_tensor

from .discriminator import PairCritic, critic_loss

#: Final (canvas, target) pairs an env runner keeps for the critic between two iterations.
MAX_PAIRS = 512
#: Weight of each new batch of scores in the running mean and variance (an exponential moving
#: average: the critic's scale drifts, so old scores are forgotten; the retired in-house trainer's 0.1).
SCORE_EMA = 0.1


class RunningStandardizer:
    """Standardises a drifting signal: ``(x - mean) / std`` with the mean and variance exponential
    moving averages (rate ``rate``) of the batches seen, the first batch taken whole. ``std`` is at
    least ``floor``; until a batch of two or more has been seen the variance is 1."""

    def __init__(self, rate: float = SCORE_EMA, floor: float = 1e-3) -> None:
        self.rate, self.floor = float(rate), float(floor)
        self.mean, self.var, self.count = 0.0, 1.0, 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Update with the batch ``x`` (1-D float), then return it standardised (float32)."""
        x = np.asarray(x, dtype=np.float64)
        if x.size:
            mean, var = float(x.mean()), float(x.var()) if x.size > 1 else self.var
            if self.count == 0:
                self.mean, self.var = mean, var
            else:
                self.mean += self.rate * (mean - self.mean)
                self.var += self.rate * (var - self.var)
            self.count += int(x.size)
        return ((x - self.mean) / self.std).astype(np.float32)

    @property
    def std(self) -> float:
        """The running standard deviation (at least the floor)."""
        return max(float(np.sqrt(self.var)), self.floor)


def critic_scores(critic: PairCritic, canvas: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The critic's ``D(canvas, target)`` ``(B,)`` float32 of uint8 ``(B, H, W, 3)`` canvases and
    targets (no gradients)."""
    with torch.no_grad():
        return critic(to_float_tensor(canvas), to_float_tensor(target)).numpy().astype(np.float32)


def score(critic: PairCritic, canvas: np.ndarray, target: np.ndarray) -> np.ndarray:
    """SPIRAL's reward ``D(canvas, target) - D(target, target)`` ``(B,)`` float32 of uint8
    ``(B, H, W, 3)`` canvases and targets (no gradients)."""
    return critic_scores(critic, canvas, target) - critic_scores(critic, target, target)


class CriticReward(gym.vector.VectorWrapper):
    """A vector env rewarded by a critic (module docstring).

    Observations must be the stacked image, uint8 ``(N, H, W, 6)`` (``obs_mode="stacked"``), in
    Gymnasium's default next-step autoreset (the step that ends an episode returns its final
    canvas; the next step of that env only resets it). ``weight`` multiplies the critic's
    standardised reward (:class:`RunningStandardizer`, per env runner); the env's reward is added
    unchanged.

    * ``per_stroke=False`` (SPIRAL): the step that ends an episode gets ``D(canvas, target) -
      D(target, target)``; the other steps none.
    * ``per_stroke=True`` (``reward="critic-delta"``, Huang et al., 2019, "Learning to Paint"):
      every stroke gets ``D(canvas_t, target) - D(canvas_t-1, target)``, the change of the
      critic's score; over an episode they sum to the final score less the blank canvas's, so
      the critic's ranking of finished paintings is kept (a potential-based shaping of SPIRAL's
      reward, Ng et al., 1999) and each stroke is credited with its own effect. A reset step
      (next-step autoreset) gets none. When new critic weights arrive (:meth:`load_critic`) the
      current canvases are scored anew, so a stroke's change is always one critic's.

    In both, the final (canvas, target) pairs are kept for the critic's training (at most
    :data:`MAX_PAIRS`, the newest).
    """

    def __init__(
        self,
        env: gym.vector.VectorEnv,
        canvas_size: int,
        width: int = 32,
        weight: float = 1.0,
        per_stroke: bool = False,
    ) -> None:
        super().__init__(env)
        self.critic = PairCritic(canvas_size, width).eval().requires_grad_(False)
        self.weight, self.per_stroke = float(weight), bool(per_stroke)
        self.pairs: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=MAX_PAIRS)
        self.standardize = RunningStandardizer()
        # per_stroke: the observations last returned, their scores D(canvas, target), and which envs reset next step
        self.last_obs: np.ndarray | None = None
        self.last_score = np.zeros(self.num_envs, np.float32)
        self.resetting = np.zeros(self.num_envs, bool)

    def _scores(self, obs: np.ndarray) -> np.ndarray:
        """``D(canvas, target)`` ``(N,)`` float32 of stacked observations (no gradients)."""
        return critic_scores(self.critic, obs[..., :3], obs[..., 3:])

    def reset(self, *, seed: Any = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        if self.per_stroke:
            self.last_obs, self.last_score = np.array(obs, copy=True), self._scores(obs)
            self.resetting = np.zeros(self.num_envs, bool)
        return obs, info

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(actions)
        done = np.asarray(terminated) | np.asarray(truncated)
        reward = np.asarray(reward, dtype=np.float32).copy()
        if self.per_stroke:
            if self.last_obs is None:
                raise RuntimeError("CriticReward.step before reset: call reset() first")
            now, painted = self._scores(obs), ~self.resetting
            if painted.any():
                reward[painted] += self.weight * self.standardize(now[painted] - self.last_score[painted])
            self.last_obs, self.last_score, self.resetting = np.array(obs, copy=True), now, done
        elif done.any():
            canvas, target = obs[done, ..., :3], obs[done, ..., 3:]
            reward[done] += self.weight * self.standardize(score(self.critic, canvas, target))
        if done.any():
            self.pairs.extend(zip(obs[done, ..., :3], obs[done, ..., 3:], strict=True))
        return obs, reward, terminated, truncated, info

    def take_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The final (canvas, target) pairs since the last call, uint8 ``(P, H, W, 3)`` each, and forget them."""
        pairs = list(self.pairs)
        self.pairs.clear()
        if not pairs:
            empty = np.zeros((0, *self.single_observation_space.shape[:2], 3), np.uint8)
            return empty, empty.copy()
        canvas, target = zip(*pairs, strict=True)
        return np.stack(canvas), np.stack(target)

    def load_critic(self, state: dict[str, torch.Tensor]) -> None:
        """Take the learner's newest critic weights (``per_stroke``: and score the current canvases with them)."""
        self.critic.load_state_dict(state)
        if self.per_stroke and self.last_obs is not None:
            self.last_score = self._scores(self.last_obs)


def find_critic_reward(env: Any) -> CriticReward | None:
    """The :class:`CriticReward` inside an env runner's (wrapped) env, or None."""
    while env is not None:
        if isinstance(env, CriticReward):
            return env
        env = getattr(env, "env", None)
    return None


def _take_pairs(runner: Any) -> tuple[np.ndarray, np.ndarray] | None:
    wrapper = find_critic_reward(getattr(runner, "env", None))
    return None if wrapper is None else wrapper.take_pairs()


def _loader(state: dict[str, torch.Tensor]) -> Any:
    def load(runner: Any) -> bool:
        wrapper = find_critic_reward(getattr(runner, "env", None))
        if wrapper is not None:
            wrapper.load_critic(state)
        return wrapper is not None

    return load


class CriticLearner:
    """The critic's learner in the driver: trains on the env runners' final canvases after each
    iteration and sends its weights to them (:meth:`step`); :meth:`state_dict` for checkpoints."""

    def __init__(self, canvas_size: int, width: int, lr: float, steps: int, gp_lambda: float, seed: int) -> None:
        torch.manual_seed(seed)
        self.critic = PairCritic(canvas_size, width)
        self.opt = torch.optim.Adam(self.critic.parameters(), lr=lr, betas=(0.5, 0.9))
        self.steps, self.gp_lambda = steps, gp_lambda

    def state_dict(self) -> dict[str, Any]:
        return {"critic": self.critic.state_dict(), "critic_opt": self.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.critic.load_state_dict(state["critic"])
        self.opt.load_state_dict(state["critic_opt"])

    def broadcast(self, algo: Any) -> None:
        """Send the critic's weights to every env runner (the driver's own included)."""
        state = {k: v.detach().clone() for k, v in self.critic.state_dict().items()}
        algo.env_runner_group.foreach_env_runner(_loader(state), local_env_runner=True)

    def step(self, algo: Any) -> dict[str, float]:
        """Collect the final pairs from ``algo``'s env runners, take ``steps`` critic updates,
        broadcast the weights. Returns ``{"critic_pairs", "critic_loss", "wasserstein"}``."""
        results = algo.env_runner_group.foreach_env_runner(_take_pairs, local_env_runner=True)
        found = [r for r in results if r is not None and len(r[0])]
        row: dict[str, float] = {"critic_pairs": float(sum(len(r[0]) for r in found))}
        if found:
            canvas = to_float_tensor(np.concatenate([r[0] for r in found]))
            target = to_float_tensor(np.concatenate([r[1] for r in found]))
            for _ in range(self.steps):
                loss, wasserstein = critic_loss(self.critic, canvas, target, self.gp_lambda)
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"the critic's loss is {float(loss)}: lower --critic-lr")
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                self.opt.step()
                row.update(critic_loss=float(loss.detach()), wasserstein=wasserstein)
        self.broadcast(algo)
        return row


__all__ = [
    "MAX_PAIRS",
    "SCORE_EMA",
    "CriticLearner",
    "CriticReward",
    "RunningStandardizer",
    "critic_scores",
    "find_critic_reward",
    "score",
]
