"""Stable-Baselines3 baselines: PPO and SAC on the registered env ids, with the dense L2 reward.

The off-the-shelf reference: SB3's ``MultiInputPolicy`` (a NatureCNN per image of the
``{"canvas", "target"}`` observation) trained one stroke per step, no recurrence, no
adversary. :class:`BudgetCallback` stops training when the wall-clock budget is spent and
evaluates the MyPaint-replay MSE on the benchmark's schedule (also logged to SB3's logger as
``eval/mypaint_mse``); :class:`SB3Agent` wraps a model to ``paint(targets)``.

The dense reward (the MSE decrease a stroke makes, about 0.1 over a whole MNIST episode) is
multiplied by ``reward_scale`` (default 100): SAC's entropy tuning and both algorithms' value
losses assume rewards of order 1.

Checkpoints: ``run_dir/checkpoint.pt`` holds the config, SB3's parameter state dicts
(``model.get_parameters()``: networks and optimizers), SAC's entropy coefficient, the step
count, the training seconds and the points; it is read with ``torch.load(weights_only=True)``
and the model is rebuilt from the config (SB3's ``.zip`` format unpickles objects, so it is
not used). SAC's replay buffer is not saved: a resumed SAC run refills it before training
again. ``agent.pt`` is the best evaluation so far; ``log.csv`` and ``curves.png`` as the
other agents.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.data import DATASETS
from paint_gym.envs.task import task_spec

from .budget import EvalSchedule, Point, points_from_json, points_to_json
from .evaluate import REPLAY_SEEDS, eval_targets, replay_mse
from .protocol import check_targets

ALGOS = ("ppo", "sac")
ENVS = ("mypaint", "neural")


@dataclass
class SB3Config:
    """Hyperparameters of an SB3 baseline run (saved in every checkpoint)."""

    algo: str = "ppo"  # "ppo" | "sac"
    dataset: str = "mnist"
    strokes: int = 8
    env: str = "mypaint"  # "mypaint": MyPaint-<Task>-v0 (fastest single env here); "neural": NeuralPaint-<Task>-v0
    canvas_size: int = 64
    reward_scale: float = 100.0
    n_envs: int = 1  # DummyVecEnv copies (SB3 steps them in one process)
    lr: float = 3e-4
    gamma: float = 0.99
    # PPO
    n_steps: int = 256
    batch_size: int = 64
    n_epochs: int = 4
    ent_coef: float = 0.0
    # SAC
    buffer_size: int = 10_000  # image observations: 10,000 transitions are about 0.5 GB
    learning_starts: int = 256
    sac_batch_size: int = 64
    # evaluation and bookkeeping
    eval_images: int = 64
    replay_seeds: tuple[int, ...] = REPLAY_SEEDS
    seed: int = 0
    threads: int = 0
    run_dir: str = "runs/sb3"

    def __post_init__(self) -> None:
        if self.algo not in ALGOS:
            raise ValueError(f"algo must be one of {ALGOS}; got {self.algo!r}")
        if self.env not in ENVS:
            raise ValueError(f"env must be one of {ENVS}; got {self.env!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}; got {self.dataset!r}")
        for name in ("strokes", "n_envs", "n_steps", "batch_size", "n_epochs", "buffer_size", "sac_batch_size", "eval_images"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer; got {getattr(self, name)!r}")
        if not self.reward_scale > 0:
            raise ValueError(f"reward_scale must be positive; got {self.reward_scale}")
        self.replay_seeds = tuple(int(s) for s in self.replay_seeds)

    @property
    def env_id(self) -> str:
        return f"{'MyPaint' if self.env == 'mypaint' else 'NeuralPaint'}-{task_spec(self.dataset).name}-v0"

    @classmethod
    def from_json(cls, text: str) -> SB3Config:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: (tuple(v) if k == "replay_seeds" else v) for k, v in data.items() if k in known})


def make_env(config: SB3Config, data_dir: str | os.PathLike | None = None, scale_reward: bool = True) -> gym.Env:
    """One env of the run: the registered id, ``reward="dense"``, ``episode_length=strokes``."""
    env = gym.make(config.env_id, episode_length=config.strokes, reward="dense", canvas_size=config.canvas_size, data_dir=data_dir)
    if scale_reward:
        scale = float(config.reward_scale)
        env = gym.wrappers.TransformReward(env, lambda r: r * scale)
    return env


def build_model(config: SB3Config, data_dir: str | os.PathLike | None = None) -> Any:
    """A fresh SB3 model on ``n_envs`` monitored copies of the env (``threads`` sets torch's)."""
    from stable_baselines3 import PPO, SAC
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    if config.threads:
        torch.set_num_threads(config.threads)
    venv = DummyVecEnv([lambda: Monitor(make_env(config, data_dir)) for _ in range(config.n_envs)])
    common = {"learning_rate": config.lr, "gamma": config.gamma, "seed": config.seed, "verbose": 0, "device": "cpu"}
    if config.algo == "ppo":
        return PPO("MultiInputPolicy", venv, n_steps=config.n_steps, batch_size=config.batch_size, n_epochs=config.n_epochs,
                   ent_coef=config.ent_coef, **common)
    return SAC("MultiInputPolicy", venv, buffer_size=config.buffer_size, learning_starts=config.learning_starts,
               batch_size=config.sac_batch_size, **common)


# ----------------------------------------------------------------------------------------
# Inference: the PaintingAgent
# ----------------------------------------------------------------------------------------


class SB3Agent:
    """An SB3 model behind the ``PaintingAgent`` interface.

    SB3 policies paint one stroke per env step, so ``paint(targets)`` plays one episode per
    target in the env the model trained on (``reset(seed=i, options={"target": target})``, up
    to ``batch`` envs stepped side by side with one batched ``predict``) and returns the strokes
    the env painted, ``(B, T, 12)`` float32 in [-1, 1].
    """

    def __init__(self, model: Any, config: SB3Config, data_dir: str | os.PathLike | None = None, batch: int = 16, deterministic: bool = True) -> None:
        self.model = model
        self.config = config
        self.n_strokes = config.strokes
        self.batch = batch
        self.deterministic = deterministic
        self._data_dir = data_dir
        self._envs: list[gym.Env] = []

    def _env_pool(self, n: int) -> list[gym.Env]:
        while len(self._envs) < n:
            self._envs.append(make_env(self.config, self._data_dir, scale_reward=False))
        return self._envs[:n]

    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        action, _ = self.model.predict({k: np.asarray(v) for k, v in observation.items()}, deterministic=self.deterministic)
        return np.clip(np.asarray(action, np.float32), -1, 1)

    def paint(self, targets: np.ndarray) -> np.ndarray:
        arr = check_targets(targets)
        out = np.empty((len(arr), self.n_strokes, 12), np.float32)
        for start in range(0, len(arr), self.batch):
            chunk = arr[start : start + self.batch]
            envs = self._env_pool(len(chunk))
            obs = [env.reset(seed=start + i, options={"target": t})[0] for i, (env, t) in enumerate(zip(envs, chunk))]
            for t in range(self.n_strokes):
                batch_obs = {k: np.stack([o[k] for o in obs]) for k in obs[0]}
                actions, _ = self.model.predict(batch_obs, deterministic=self.deterministic)
                for i, env in enumerate(envs):
                    obs[i], _, _, _, info = env.step(actions[i])
                    out[start + i, t] = info["action"]  # the clipped stroke the env painted
        return out

    def close(self) -> None:
        for env in self._envs:
            env.close()
        self._envs = []

    @classmethod
    def load(cls, path: str | os.PathLike, data_dir: str | os.PathLike | None = None, **kwargs: Any) -> SB3Agent:
        """An agent from ``agent.pt`` or a training ``checkpoint.pt``."""
        model, config, _ = read_agent(path, data_dir)
        return cls(model, config, data_dir, **kwargs)


# ----------------------------------------------------------------------------------------
# Checkpoints
# ----------------------------------------------------------------------------------------


def _state(model: Any, config: SB3Config) -> dict[str, Any]:
    state: dict[str, Any] = {"config": json.dumps(asdict(config)), "params": model.get_parameters(), "num_timesteps": int(model.num_timesteps)}
    if config.algo == "sac" and getattr(model, "log_ent_coef", None) is not None:
        state["log_ent_coef"] = model.log_ent_coef.detach().clone()
    return state


def save_agent(path: str | os.PathLike, model: Any, config: SB3Config, extra: dict[str, Any] | None = None) -> Path:
    """Write an SB3 agent checkpoint (``kind: sb3_agent``) atomically."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    torch.save({"kind": "sb3_agent", **_state(model, config), "extra": json.dumps(extra or {})}, tmp)
    os.replace(tmp, path)
    return path


def _restore(model: Any, state: dict[str, Any]) -> None:
    model.set_parameters(state["params"], exact_match=True)
    model.num_timesteps = int(state["num_timesteps"])
    if "log_ent_coef" in state:
        with torch.no_grad():
            model.log_ent_coef.copy_(state["log_ent_coef"])


def read_agent(path: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> tuple[Any, SB3Config, dict[str, Any]]:
    """Rebuild the model of ``agent.pt`` or ``checkpoint.pt`` (``weights_only=True``)."""
    from paint_gym.painters.neural import CheckpointError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no SB3 agent checkpoint at {path}; train one with agents.sb3.train_for(..., run_dir=...)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        config = SB3Config.from_json(state["config"])
        model = build_model(config, data_dir)
        _restore(model, state)
    except Exception as exc:  # unpickling errors, missing keys, wrong shapes
        raise CheckpointError(f"{path} is not a readable SB3 agent checkpoint ({type(exc).__name__}: {exc})") from exc
    return model, config, json.loads(state.get("extra", "{}"))


# ----------------------------------------------------------------------------------------
# Training for a budget
# ----------------------------------------------------------------------------------------


def _budget_callback_class() -> type:
    from stable_baselines3.common.callbacks import BaseCallback

    class BudgetCallback(BaseCallback):
        """Stops ``learn`` when ``run.elapsed`` reaches the budget; evaluates on the schedule.

        The clock runs between callback calls (env steps and SB3's updates) and is paused
        while evaluating, as for every method of the benchmark.
        """

        def __init__(self, run: SB3Run, budget_seconds: float, schedule: EvalSchedule, bar: Any) -> None:
            super().__init__()
            self.run, self.budget, self.schedule, self.bar = run, budget_seconds, schedule, bar
            self._t = 0.0
            self.next_eval = schedule.next_after(run.points[-1].seconds if run.points else 0.0)

        def _on_training_start(self) -> None:
            self._t = time.monotonic()

        def _on_step(self) -> bool:
            now = time.monotonic()
            dt = now - self._t
            self.run.elapsed += dt
            self.bar.update(min(dt, self.budget - self.bar.n))
            done = self.run.elapsed >= self.budget
            if done or self.run.elapsed >= self.next_eval:
                point = self.run.record()
                self.logger.record("eval/mypaint_mse", point.mse)
                self.logger.record("eval/training_seconds", point.seconds)
                self.next_eval = self.schedule.next_after(point.seconds)
                self.bar.set_postfix_str(f"eval MSE {point.mse:.4f}, {point.strokes:,} strokes")
            self._t = time.monotonic()  # evaluation is not charged to the budget
            return not done

    return BudgetCallback


class SB3Run:
    """An SB3 model with its budget bookkeeping; resumable from ``run_dir/checkpoint.pt``."""

    def __init__(self, config: SB3Config, data_dir: str | os.PathLike | None = None) -> None:
        self.cfg = config
        self.run_dir = Path(config.run_dir)
        self.data_dir = data_dir
        self.eval_targets = eval_targets(config.dataset, config.eval_images, config.canvas_size, data_dir)
        self.model = build_model(config, data_dir)
        self.elapsed, self.best = 0.0, math.inf
        self.points: list[Point] = []
        self.history: list[dict[str, float]] = []
        self._resume()
        self.agent = SB3Agent(self.model, config, data_dir)

    @property
    def checkpoint_path(self) -> Path:
        return self.run_dir / "checkpoint.pt"

    @property
    def strokes(self) -> int:
        return int(self.model.num_timesteps)

    def _resume(self) -> None:
        if not self.checkpoint_path.exists():
            return
        state = torch.load(self.checkpoint_path, map_location="cpu", weights_only=True)
        saved = SB3Config.from_json(state["config"])
        for key in ("algo", "dataset", "strokes", "env", "canvas_size"):
            if getattr(saved, key) != getattr(self.cfg, key):
                raise ValueError(f"{self.checkpoint_path} was trained with {key}={getattr(saved, key)!r}, not {getattr(self.cfg, key)!r}: use another run_dir")
        _restore(self.model, state)
        if self.cfg.algo == "sac":  # the replay buffer was not saved: refill it before updating again
            self.model.learning_starts = self.model.num_timesteps + self.cfg.learning_starts
        self.elapsed, self.best = float(state["elapsed"]), float(state["best"])
        self.points = points_from_json(state["points"])
        self.history = json.loads(state["history"])

    def save_checkpoint(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        state = {**_state(self.model, self.cfg), "elapsed": self.elapsed, "best": self.best, "points": points_to_json(self.points),
                 "history": json.dumps(self.history)}
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save(state, tmp)
        os.replace(tmp, self.checkpoint_path)
        self._write_log()

    def evaluate(self) -> float:
        actions = self.agent.paint(self.eval_targets)
        self.model.policy.set_training_mode(False)
        mse = float(replay_mse(actions, self.eval_targets, self.cfg.replay_seeds).mean())
        if mse < self.best:
            self.best = mse
            self.run_dir.mkdir(parents=True, exist_ok=True)
            save_agent(self.run_dir / "agent.pt", self.model, self.cfg, {"strokes": self.strokes, "seconds": self.elapsed, "eval_mypaint_mse": mse})
        return mse

    def record(self) -> Point:
        point = Point(self.elapsed, self.strokes, self.evaluate())
        self.points.append(point)
        self.history.append({"seconds": point.seconds, "strokes": point.strokes, "eval_mypaint_mse": point.mse})
        self.save_checkpoint()
        return point

    def run(self, budget_seconds: float, eval_every_seconds: float = 60.0, progress: bool = True) -> list[Point]:
        """Train until the training clock reaches ``budget_seconds`` (in total, over resumes)."""
        from tqdm import tqdm

        if budget_seconds <= 0:
            raise ValueError(f"budget_seconds must be positive; got {budget_seconds}")
        if not self.points:
            self.record()
        if self.elapsed < budget_seconds:
            bar = tqdm(total=round(budget_seconds, 1), initial=round(self.elapsed, 1), unit="s", desc=f"SB3 {self.cfg.algo.upper()} {self.cfg.dataset}",
                       disable=not progress, dynamic_ncols=True, bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}")
            callback = _budget_callback_class()(self, budget_seconds, EvalSchedule(eval_every_seconds), bar)
            self.model.learn(total_timesteps=10**12, callback=callback, reset_num_timesteps=False)
            bar.close()
        return list(self.points)

    def close(self) -> None:
        self.agent.close()
        self.model.get_env().close()

    def _write_log(self) -> None:
        from .runlog import write_log_csv

        if not self.history:
            return
        write_log_csv(self.run_dir / "log.csv", self.history, ("seconds", "strokes"))
        self.plot()

    def plot(self) -> Path:
        from .runlog import curves_figure

        out = self.run_dir / "curves.png"
        with curves_figure(out, 1, f"SB3 {self.cfg.algo.upper()}, {self.cfg.env_id}, {self.cfg.strokes} strokes") as (_, ax):
            ax.plot([r["seconds"] for r in self.history], [r["eval_mypaint_mse"] for r in self.history], marker="o", label="eval: MyPaint replay")
            ax.set_xlabel("training seconds")
            ax.set_ylabel("MSE")
            ax.legend(fontsize=8)
        return out


def train_for(budget_seconds: float, dataset: str = "mnist", strokes: int = 8, run_dir: str | os.PathLike = "runs/sb3",
              eval_every_seconds: float = 60.0, *, algo: str = "ppo", eval_images: int = 64, data_dir: str | os.PathLike | None = None,
              progress: bool = True, **config: Any) -> list[Point]:
    """Train SB3 PPO or SAC for a wall-clock budget; returns its (seconds, strokes, MSE) points.

    ``config`` overrides :class:`SB3Config` fields; an existing ``run_dir`` resumes.
    """
    cfg = SB3Config(algo=algo, dataset=dataset, strokes=strokes, run_dir=str(run_dir), eval_images=eval_images, **config)
    run = SB3Run(cfg, data_dir)
    try:
        return run.run(budget_seconds, eval_every_seconds, progress)
    finally:
        run.close()


__all__ = ["SB3Agent", "SB3Config", "SB3Run", "build_model", "make_env", "read_agent", "save_agent", "train_for"]
