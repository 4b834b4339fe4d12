"""Stable-Baselines3 baselines: PPO and SAC on the registered env ids, with the dense L2 reward.

The off-the-shelf reference: SB3's ``MultiInputPolicy`` (by default one NatureCNN reading the
``{"canvas", "target"}`` observation stacked as 6 channels, :class:`StackedCanvasExtractor`;
``extractor="separate"`` is SB3's own one-CNN-per-image) trained one stroke per step, no recurrence, no
adversary. Hyperparameters are :class:`SB3Config`; :class:`SB3Agent` wraps a model with the
verbs of every agent (paint, act, reset, save, load, train); :class:`SB3Trainer` trains it
(a :class:`paint_gym.training.Trainer`: run folder, resume, checkpoints, log), SB3's ``learn``
being the loop: :class:`BudgetCallback` applies the trainers' loop rules to it, stopping when
the wall-clock budget is spent (without one, ``learn`` runs the config's ``steps`` environment
steps) and evaluating the MyPaint-replay MSE on the benchmark's schedule (also logged to SB3's
logger as ``eval/mypaint_mse``).

    agent = SB3Agent.train(SB3Config(algo="sac"), budget_seconds=15 * 60, run_dir="runs/sac")
    strokes = agent.paint(targets)            # uint8 (B, H, W, 3) -> float32 (B, T, 12)

The dense reward (the MSE decrease a stroke makes, about 0.1 over a whole MNIST episode) is
multiplied by ``reward_scale`` (default 100): SAC's entropy tuning and both algorithms' value
losses assume rewards of order 1.

NatureCNN needs at least 36 px; on smaller canvases (16 to 35 px) the CNNs are 3x3
convolutions that fit any size (:func:`image_cnn`, :class:`SmallCanvasExtractor`), so every
``canvas_size`` an :class:`SB3Config` accepts trains.

Divergence: while learning, :class:`DivergenceGuard` watches the policy's output layers (the
action mean, log-std and values, through forward hooks), SB3's logged training losses and the
parameters; a NaN or inf stops training with :class:`paint_gym.errors.TrainingDivergedError`
(step, value, learning rate, the fix) before anything is checkpointed, so ``checkpoint.pt``
keeps the last good state.

Checkpoints: ``run_dir/checkpoint.pt`` holds the agent kind, the config, SB3's parameter
state dicts (``model.get_parameters()``: networks and optimizers), SAC's entropy coefficient,
the step count (environment steps), the training seconds and the points; it is read with
``torch.load(weights_only=True)`` and the model is rebuilt from the config (SB3's ``.zip``
format unpickles objects, so it is not used). SAC's replay buffer is not saved: a resumed SAC
run refills it before training again. ``agent.pt`` is the best evaluation so far; ``log.csv``
and ``curves.png`` as the other agents. Only the fields in :data:`RESUME_MAY_CHANGE` may
differ from the checkpoint's config when a run resumes.

Stable-Baselines3 is an optional dependency (``pip install 'paint-gym[rl]'``): importing this
module without it raises ``ModuleNotFoundError`` saying so.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from torch import nn

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.benchmark.evaluation import REPLAY_SEEDS, eval_targets, replay_mse
from paint_gym.benchmark.protocol import check_targets
from paint_gym.checkpoint import config_from_json, config_to_json
from paint_gym.data import DATASETS
from paint_gym.envs.task import task_spec
from paint_gym.errors import NonFiniteOutputError
from paint_gym.painters.load import as_numpy
from paint_gym.runlog import CURVES_PNG, curves_figure
from paint_gym.training import EvalSchedule, Limits, Pacer, Point, Schedule, Trainer
from paint_gym.validation import (
    Bound,
    CanvasSize,
    NonNegativeFloat,
    NonNegativeInt,
    OneOf,
    PositiveFloat,
    PositiveInt,
    Seeds,
    ValidatedConfig,
)

from .base import info_of, read_agent_checkpoint, train_with, write_agent_checkpoint

try:
    from stable_baselines3 import PPO, SAC
    from stable_baselines3.common.callbacks import BaseCallback, CallbackList

    from .sb3_divergence import DivergenceCallback, DivergenceGuard
    from .sb3_extractors import NATURE_CNN_MIN, SmallCanvasExtractor, StackedCanvasExtractor, image_cnn
    from .sb3_vecenv import make_env, make_venv
except ModuleNotFoundError as exc:  # the optional rl extra
    raise ModuleNotFoundError(
        f"paint_gym_agents.sb3 needs Stable-Baselines3 ({exc}): pip install 'paint-gym[rl]'"
    ) from exc

ALGOS = ("ppo", "sac")
ENVS = ("mypaint", "neural")
EXTRACTORS = ("stacked", "separate")
#: SB3Config fields added after checkpoints were first written, with the value those runs used.
LEGACY_FIELDS = {"extractor": "separate", "log_std_init": 0.0}
#: SB3Config fields renamed after checkpoints were written, ``{old: new}`` (docs/glossary.md): the old
#: name still loads from a checkpoint and is still taken as a keyword and a flag.
RENAMED_FIELDS: dict[str, str] = {"dataset": "task", "n_envs": "num_envs"}
#: SB3Config fields that may change when a run resumes (the model is rebuilt from the requested
#: config, so its learning rate applies; a wall-clock budget is an argument of :meth:`SB3Trainer.run`).
RESUME_MAY_CHANGE = frozenset({"steps", "lr", "threads", "run_dir"})


@dataclass
class SB3Config(ValidatedConfig):
    """Hyperparameters of an SB3 baseline run (saved as JSON in every checkpoint; old field names:
    :data:`RENAMED_FIELDS`). Each field's range is declared in its type."""

    renamed: ClassVar[dict[str, str]] = RENAMED_FIELDS

    algo: Annotated[str, OneOf(ALGOS)] = "ppo"
    """Stable-Baselines3 algorithm: "ppo" (on-policy) or "sac" (off-policy)"""
    task: Annotated[str, OneOf(DATASETS)] = "mnist"
    """task painted: its data set's targets (:data:`paint_gym.data.DATASETS`; docs/glossary.md)"""
    strokes: PositiveInt = 8
    """strokes per painting (the env's episode length), T"""
    env: Annotated[str, OneOf(ENVS)] = "mypaint"
    (
        'training env: "mypaint" (MyPaint-<Task>-v0, num_envs copies one after the other) or "neural" (the batched '
        "NeuralPaint-<Task>-v0 vector env: num_envs canvases painted in one dab-painter call)"
    )
    canvas_size: CanvasSize = 64
    """canvas side in pixels (below 36 px the CNNs are SmallCanvasExtractor's 3x3 convolutions)"""
    extractor: Annotated[str, OneOf(EXTRACTORS)] = "stacked"
    (
        'how the policy reads the observation: "stacked" (one CNN on canvas and target stacked as 6 channels, '
        ':class:`StackedCanvasExtractor`, so the first layer can compare them pixel by pixel) or "separate" '
        "(SB3's CombinedExtractor: one CNN per image, features compared only after flattening)"
    )
    reward_scale: PositiveFloat = 100.0
    """factor on the dense reward (the MSE decrease per stroke)"""
    num_envs: PositiveInt = 1
    """episodes stepped together: MyPaint copies in SB3's DummyVecEnv, or the neural vector env's sub-envs"""
    lr: PositiveFloat = 3e-4
    """Adam learning rate"""
    gamma: Annotated[float, Bound(0, 1, open_low=True)] = 0.99
    """discount per stroke"""
    n_steps: PositiveInt = 256
    """PPO: environment steps per env and rollout"""
    batch_size: PositiveInt = 64
    """PPO: minibatch size, between 2 and n_steps x num_envs"""
    n_epochs: PositiveInt = 4
    """PPO: epochs over each rollout"""
    ent_coef: NonNegativeFloat = 0.0
    """PPO: entropy bonus weight"""
    log_std_init: Annotated[float, Bound(-20, 2)] = 0.0
    (
        "PPO: initial log standard deviation of the Gaussian policy (SB3's default 0: std 1, half the [-1, 1] box, "
        "so most sampled strokes are clipped at first)"
    )
    buffer_size: PositiveInt = 10_000
    """SAC: replay buffer transitions (image observations: 10,000 are about 0.5 GB)"""
    learning_starts: NonNegativeInt = 256
    """SAC: environment steps before the first update"""
    sac_batch_size: PositiveInt = 64
    """SAC: minibatch size, at most buffer_size"""
    steps: NonNegativeInt = 100_000
    """environment steps (strokes) to train for, in total over resumes, when no wall-clock budget is given"""
    eval_images: PositiveInt = 64
    """evaluation images (the first of the evaluation split)"""
    replay_seeds: Seeds = REPLAY_SEEDS
    """MyPaint brush seeds the evaluation replay averages over"""
    seed: NonNegativeInt = 0
    """seed of SB3 (initialisation, env resets, sampled actions)"""
    threads: NonNegativeInt = 0
    """torch threads (0: torch's default)"""
    run_dir: str = "runs/sb3"
    """run folder: checkpoint.pt (resumes), agent.pt (best evaluation), log.csv, curves.png"""

    def __post_init__(self) -> None:
        """Check every field (``ValueError`` naming the field), so a model that is built can learn:
        PPO minibatches of at least 2 samples, SAC batches that fit the buffer."""
        super().__post_init__()
        if self.algo == "ppo":
            if self.batch_size < 2:
                raise ValueError(
                    f"PPO normalises advantages over a minibatch: batch_size must be at least 2; got {self.batch_size}"
                )
            if self.batch_size > self.n_steps * self.num_envs:
                raise ValueError(
                    f"batch_size ({self.batch_size}) cannot exceed the "
                    f"rollout, n_steps * num_envs = {self.n_steps * self.num_envs}"
                )
        elif self.sac_batch_size > self.buffer_size:
            raise ValueError(f"sac_batch_size ({self.sac_batch_size}) cannot exceed buffer_size ({self.buffer_size})")

    @property
    def env_id(self) -> str:
        return f"{'MyPaint' if self.env == 'mypaint' else 'NeuralPaint'}-{task_spec(self.task).name}-v0"


def policy_kwargs(config: SB3Config) -> dict[str, Any]:
    """SB3 ``policy_kwargs`` for this config: :class:`StackedCanvasExtractor` for
    ``extractor="stacked"``; for ``"separate"`` SB3's defaults (a NatureCNN per image) from 36 px
    up and :class:`SmallCanvasExtractor` below; PPO's ``log_std_init`` when it is not SB3's 0."""
    kwargs: dict[str, Any] = {}
    if config.algo == "ppo" and config.log_std_init != 0.0:
        kwargs["log_std_init"] = config.log_std_init
    if config.extractor == "stacked":
        kwargs["features_extractor_class"] = StackedCanvasExtractor
    elif config.canvas_size < NATURE_CNN_MIN:
        kwargs["features_extractor_class"] = SmallCanvasExtractor
    return kwargs


def build_model(config: SB3Config, data_dir: str | os.PathLike | None = None) -> Any:
    """A fresh SB3 model on ``num_envs`` monitored copies of the env (``threads`` sets torch's)."""
    if config.threads:
        torch.set_num_threads(config.threads)
    venv = make_venv(config, data_dir)
    common = {
        "learning_rate": config.lr,
        "gamma": config.gamma,
        "seed": config.seed,
        "verbose": 0,
        "device": "cpu",
        "policy_kwargs": policy_kwargs(config),
    }
    if config.algo == "ppo":
        return PPO(
            "MultiInputPolicy",
            venv,
            n_steps=config.n_steps,
            batch_size=config.batch_size,
            n_epochs=config.n_epochs,
            ent_coef=config.ent_coef,
            **common,
        )
    return SAC(
        "MultiInputPolicy",
        venv,
        buffer_size=config.buffer_size,
        learning_starts=config.learning_starts,
        batch_size=config.sac_batch_size,
        **common,
    )


# ----------------------------------------------------------------------------------------
# Inference: paint, act, save, load, train
# ----------------------------------------------------------------------------------------


class SB3Agent:
    """An SB3 model that paints: the agent API of :mod:`paint_gym_agents.base`.

    SB3 policies paint one stroke per env step, so ``paint(targets)`` plays one episode per
    target in the env the model trained on (``reset(seed=i, options={"target": target})``, up
    to ``batch`` envs stepped side by side with one batched ``predict``) and returns the strokes
    the env painted, ``(B, T, 12)`` float32 in [-1, 1]. ``act(observation)`` is one ``predict``:
    the policy has no memory, so :meth:`reset` has nothing to forget, and on the env episode
    ``paint`` plays for a target (seed ``i`` for the ``i``-th) it gives the same strokes.
    ``deterministic`` takes the policy's most likely action. ``info`` holds what the
    checkpoint recorded (environment steps, evaluation MSE).
    """

    KIND: ClassVar[str] = "sb3_agent"

    def __init__(
        self,
        model: Any,
        config: SB3Config,
        data_dir: str | os.PathLike | None = None,
        batch: int = 16,
        deterministic: bool = True,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.config = config
        self.n_strokes = config.strokes
        self.batch = batch
        self.deterministic = deterministic
        self.info = dict(info or {})
        self._data_dir = data_dir
        self._envs: list[gym.Env] = []

    @property
    def policy(self) -> nn.Module:
        """SB3's policy network (``model.policy``)."""
        return self.model.policy

    def _env_pool(self, n: int) -> list[gym.Env]:
        while len(self._envs) < n:
            self._envs.append(make_env(self.config, self._data_dir, scale_reward=False))
        return self._envs[:n]

    def _predict(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        """The model's action(s); a model whose outputs are NaN or inf raises
        :class:`paint_gym.errors.NonFiniteOutputError` naming the layer."""
        with DivergenceGuard(self.model, self.config, training=False):
            action, _ = self.model.predict(observation, deterministic=self.deterministic)
        return action

    def reset(self) -> None:
        """Start a new episode (the policy is memoryless: nothing to clear)."""

    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        """One stroke ``(12,)`` float32 in [-1, 1] for an env observation (numpy or torch)."""
        action = self._predict({k: np.asarray(as_numpy(v)) for k, v in observation.items()})
        return np.clip(np.asarray(action, np.float32), -1, 1)

    def paint(self, targets: np.ndarray) -> np.ndarray:
        """Strokes ``(B, T, 12)`` float32 in [-1, 1] for uint8 targets ``(B, H, W, 3)``."""
        arr = check_targets(targets)
        out = np.empty((len(arr), self.n_strokes, 12), np.float32)
        for start in range(0, len(arr), self.batch):
            chunk = arr[start : start + self.batch]
            envs = self._env_pool(len(chunk))
            obs = [
                env.reset(seed=start + i, options={"target": t})[0]
                for i, (env, t) in enumerate(zip(envs, chunk, strict=True))
            ]
            for t in range(self.n_strokes):
                batch_obs = {k: np.stack([o[k] for o in obs]) for k in obs[0]}
                actions = self._predict(batch_obs)
                for i, env in enumerate(envs):
                    obs[i], _, _, _, info = env.step(actions[i])
                    out[start + i, t] = info["stroke"]  # the clipped stroke the env painted
        return out

    def close(self) -> None:
        """Close the envs :meth:`paint` plays in."""
        for env in self._envs:
            env.close()
        self._envs = []

    def save(self, path: str | os.PathLike) -> Path:
        """Write the agent (``kind: sb3_agent``, config, SB3's parameters, ``info``) atomically."""
        return write_agent_checkpoint(self, path, **_state(self.model, self.config))

    @classmethod
    def load(cls, path: str | os.PathLike, data_dir: str | os.PathLike | None = None, **kwargs: Any) -> SB3Agent:
        """The agent of ``agent.pt`` or of a training ``checkpoint.pt``: the model is rebuilt from
        the config and its parameters restored (``weights_only=True``); ``kwargs`` go to the
        constructor. Raises ``FileNotFoundError`` and :class:`paint_gym.checkpoint.CheckpointError`."""

        def build(state: dict[str, Any]) -> SB3Agent:
            config = config_from_json(SB3Config, state["config"], LEGACY_FIELDS)
            model = build_model(config, data_dir)
            _restore(model, state)
            return cls(model, config, data_dir, info=info_of(state), **kwargs)

        missing = f"no SB3 agent checkpoint at {path}; train one with SB3Agent.train(SB3Config(...), run_dir=...)"
        return read_agent_checkpoint(path, cls.KIND, build, missing=missing)

    @classmethod
    def train(
        cls,
        config: SB3Config,
        budget_seconds: float | None = None,
        run_dir: str | os.PathLike | None = None,
        *,
        data_dir: str | os.PathLike | None = None,
        eval_every_seconds: float = 60.0,
        progress: bool = True,
    ) -> SB3Agent:
        """Train an agent (resuming from ``run_dir``, default ``config.run_dir``, when it holds a
        checkpoint) for ``budget_seconds`` of training wall-clock, or without a budget for the
        config's ``steps`` environment steps; returns the best agent of the run (``agent.pt``)."""
        return train_with(SB3Trainer, config, budget_seconds, run_dir, data_dir, eval_every_seconds, progress)


# ----------------------------------------------------------------------------------------
# Checkpoints
# ----------------------------------------------------------------------------------------


def _state(model: Any, config: SB3Config) -> dict[str, Any]:
    state: dict[str, Any] = {
        "config": config_to_json(config),
        "params": model.get_parameters(),
        "num_timesteps": int(model.num_timesteps),
    }
    if config.algo == "sac" and getattr(model, "log_ent_coef", None) is not None:
        state["log_ent_coef"] = model.log_ent_coef.detach().clone()
    return state


def _restore(model: Any, state: dict[str, Any]) -> None:
    model.set_parameters(state["params"], exact_match=True)
    model.num_timesteps = int(state["num_timesteps"])
    if "log_ent_coef" in state:
        with torch.no_grad():
            model.log_ent_coef.copy_(state["log_ent_coef"])


# ----------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------


class BudgetCallback(BaseCallback):
    """Paces SB3's ``learn`` with the trainer's loop rules (:class:`paint_gym.training.Pacer`):
    the time between calls (env steps and SB3's updates) is charged to the training clock,
    evaluations happen on the schedule (also logged to SB3's logger as ``eval/mypaint_mse``)
    and ``learn`` stops when the budget is spent. The clock is paused while evaluating, as for
    every method of the benchmark.
    """

    def __init__(self, pacer: Pacer) -> None:
        super().__init__()
        self.pacer = pacer
        self._t = 0.0

    def _on_training_start(self) -> None:
        self._t = time.monotonic()

    def _on_step(self) -> bool:
        points = self.pacer.run.points
        evaluated = len(points)
        done = self.pacer.after_update(time.monotonic() - self._t)
        if len(points) > evaluated:
            self.logger.record("eval/mypaint_mse", points[-1].mse)
            self.logger.record("eval/training_seconds", points[-1].seconds)
        self._t = time.monotonic()  # evaluation is not charged to the budget
        return not done

    def charge(self) -> None:
        """Add the time since the last callback (SB3's last update, when ``learn`` ended by
        itself) to the run's clock."""
        self.pacer.run.elapsed += time.monotonic() - self._t
        self._t = time.monotonic()


class SB3Trainer(Trainer):
    """An SB3 model with its budget bookkeeping; resumable from ``run_dir/checkpoint.pt``.
    The run folder, resume, checkpoints, log and the loop's rules are
    :class:`paint_gym.training.Trainer`'s; SB3's ``learn`` is the loop (:class:`BudgetCallback`).
    Use as a context manager (or call :meth:`close`) to close its envs."""

    resume_may_change = RESUME_MAY_CHANGE
    checkpoint_label = "SB3 training checkpoint"
    log_columns = ("seconds", "strokes")

    def __init__(self, config: SB3Config, data_dir: str | os.PathLike | None = None) -> None:
        self.data_dir = data_dir
        self.eval_targets = eval_targets(config.task, config.eval_images, config.canvas_size, data_dir)
        self.model = build_model(config, data_dir)
        super().__init__(config, config.run_dir)
        self.resume()
        self.agent = SB3Agent(self.model, config, data_dir)

    @property
    def trainer_name(self) -> str:  # type: ignore[override]
        return f"SB3 {self.cfg.algo.upper()} training (steps are environment steps)"

    @property
    def step(self) -> int:
        """Environment steps so far (SB3's ``num_timesteps``), over resumes."""
        return int(self.model.num_timesteps)

    @step.setter
    def step(self, value: int) -> None:
        self.model.num_timesteps = int(value)

    @property
    def strokes(self) -> int:
        """Strokes painted so far: one per environment step."""
        return self.step

    # -- checkpoints (the run folder and resume are Trainer's; SB3 applies its own learning rate) --
    def saved_config(self, state: dict[str, Any]) -> SB3Config:
        return config_from_json(SB3Config, state["config"], LEGACY_FIELDS)

    def state_dict(self) -> dict[str, Any]:
        return {"kind": SB3Agent.KIND, **_state(self.model, self.cfg), **self.progress_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        _restore(self.model, state)
        if self.cfg.algo == "sac":  # the replay buffer was not saved: refill it before updating again
            self.model.learning_starts = self.model.num_timesteps + self.cfg.learning_starts

    def check_healthy(self) -> None:
        """Never checkpoint a diverged state (:meth:`DivergenceGuard.check`)."""
        DivergenceGuard(self.model, self.cfg, self.checkpoint_path).check()

    def evaluate(self) -> float:
        """MyPaint-replay MSE of the evaluation images; logs it and keeps the best ``agent.pt``."""
        try:
            actions = self.agent.paint(self.eval_targets)
        except NonFiniteOutputError as exc:
            raise self._diverged("policy's strokes on the evaluation images", step=self.strokes) from exc
        self.model.policy.set_training_mode(False)
        mse = float(replay_mse(actions, self.eval_targets, self.cfg.replay_seeds).mean())
        self.history.append({"seconds": self.elapsed, "strokes": self.strokes, "eval_mypaint_mse": mse})

        def save_best() -> None:
            info = {"step": self.step, "strokes": self.strokes, "seconds": self.elapsed, "eval_mypaint_mse": mse}
            self.agent.info = info
            self.agent.save(self.run_dir / "agent.pt")

        self.keep_best(mse, save_best)
        return mse

    def best_agent(self) -> SB3Agent:
        """The run's best agent (``agent.pt``), or the current one if none was saved."""
        path = self.run_dir / "agent.pt"
        return SB3Agent.load(path, self.data_dir) if path.exists() else SB3Agent(self.model, self.cfg, self.data_dir)

    def run(
        self, budget_seconds: float | None = None, eval_every_seconds: float = 60.0, progress: bool = True
    ) -> list[Point]:
        """Train until the training clock reaches ``budget_seconds`` (in total, over resumes) or,
        without a budget, for the config's ``steps`` environment steps; evaluates as every method
        of the benchmark (:class:`paint_gym.training.Schedule`). Returns the evaluation points.

        SB3's ``learn`` is the loop: :class:`BudgetCallback` applies the budget and the schedule
        after every environment step; the step count is ``learn``'s own ``total_timesteps`` (PPO
        finishes its last rollout and its update), after which the final point is recorded."""
        limits = Limits.budget_or_steps(budget_seconds, self.cfg.steps)
        remaining = 10**12 if budget_seconds is not None else self.cfg.steps - self.step
        pacer = Pacer(
            self,
            Limits(seconds=limits.seconds),  # the step count is learn's total_timesteps
            Schedule(EvalSchedule(eval_every_seconds)),
            progress,
            f"SB3 {self.cfg.algo.upper()} {self.cfg.task}",
        )
        pacer.start()  # evaluates the untrained model (a fresh run's point at 0 s)
        try:
            if pacer.stopped() or remaining <= 0:
                return list(self.points)
            guard = DivergenceGuard(self.model, self.cfg, self.checkpoint_path)
            callback = BudgetCallback(pacer)
            with guard:
                self.model.learn(
                    total_timesteps=remaining,
                    callback=CallbackList([DivergenceCallback(guard), callback]),
                    reset_num_timesteps=False,
                )
        finally:
            pacer.close()
        if budget_seconds is None:  # learn ended by itself, after an update no evaluation has seen: the final point
            callback.charge()
            self.record(checkpoint=True)
        return list(self.points)

    def close(self) -> None:
        self.agent.close()
        self.model.get_env().close()

    def plot(self) -> Path:
        """``curves.png``: evaluation MSE against training seconds."""
        out = self.run_dir / CURVES_PNG
        with curves_figure(out, 1, f"SB3 {self.cfg.algo.upper()}, {self.cfg.env_id}, {self.cfg.strokes} strokes") as (
            _,
            ax,
        ):
            ax.plot(
                [r["seconds"] for r in self.history],
                [r["eval_mypaint_mse"] for r in self.history],
                marker="o",
                label="eval: MyPaint replay",
            )
            ax.set_xlabel("training seconds")
            ax.set_ylabel("MSE")
            ax.legend(fontsize=8)
        return out


__all__ = [
    "EXTRACTORS",
    "LEGACY_FIELDS",
    "RENAMED_FIELDS",
    "NATURE_CNN_MIN",
    "RESUME_MAY_CHANGE",
    "BudgetCallback",
    "DivergenceCallback",
    "DivergenceGuard",
    "SB3Agent",
    "SB3Config",
    "SB3Trainer",
    "SmallCanvasExtractor",
    "StackedCanvasExtractor",
    "build_model",
    "image_cnn",
    "make_env",
    "policy_kwargs",
]
