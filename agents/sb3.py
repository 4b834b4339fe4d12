"""Stable-Baselines3 baselines: PPO and SAC on the registered env ids, with the dense L2 reward.

The off-the-shelf reference: SB3's ``MultiInputPolicy`` (by default one NatureCNN reading the
``{"canvas", "target"}`` observation stacked as 6 channels, :class:`StackedCanvasExtractor`;
``extractor="separate"`` is SB3's own one-CNN-per-image) trained one stroke per step, no recurrence, no
adversary. Hyperparameters are :class:`SB3Config`; :class:`SB3Agent` wraps a model with the
verbs of every agent (paint, act, reset, save, load, train); :class:`SB3Trainer` trains it,
with :class:`BudgetCallback` stopping when the wall-clock budget (or, without one, the
config's ``steps`` environment steps) is spent and evaluating the MyPaint-replay MSE on the
benchmark's schedule (also logged to SB3's logger as ``eval/mypaint_mse``).

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

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from torch import nn
from tqdm import tqdm

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.benchmark.budget import EvalSchedule, Point, points_from_json
from paint_gym.benchmark.evaluation import REPLAY_SEEDS, eval_targets, replay_mse
from paint_gym.benchmark.protocol import check_targets
from paint_gym.checkpoint import check_resume, config_from_json, config_to_json, read_checkpoint, write_checkpoint
from paint_gym.data import DATASETS
from paint_gym.envs.task import task_spec
from paint_gym.errors import NonFiniteOutputError, TrainingDivergedError, check_finite_tensors
from paint_gym.painters.load import as_numpy
from paint_gym.runlog import CURVES_PNG, LOG_CSV, curves_figure, write_log_csv
from paint_gym.validation import check_canvas_size, check_float, check_int, check_seeds

from .base import info_of, read_agent_checkpoint, run_progress, train_with, write_agent_checkpoint

try:
    from stable_baselines3 import PPO, SAC
    from stable_baselines3.common.callbacks import BaseCallback, CallbackList
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.preprocessing import get_flattened_obs_dim, is_image_space
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
    from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv, VecMonitor

    from .sb3_vecenv import BatchedVecEnv
except ModuleNotFoundError as exc:  # the optional rl extra
    raise ModuleNotFoundError(
        f"paint_gym_agents.sb3 needs Stable-Baselines3 ({exc}): pip install 'paint-gym[rl]'"
    ) from exc

ALGOS = ("ppo", "sac")
ENVS = ("mypaint", "neural")
EXTRACTORS = ("stacked", "separate")
#: SB3Config fields added after checkpoints were first written, with the value those runs used.
LEGACY_FIELDS = {"extractor": "separate", "log_std_init": 0.0}
#: Smallest image SB3's NatureCNN reads (8x8 stride 4, 4x4 stride 2, 3x3: 36 px -> 1 px).
NATURE_CNN_MIN = 36
#: SB3Config fields that may change when a run resumes (the model is rebuilt from the requested
#: config, so its learning rate applies; a wall-clock budget is an argument of :meth:`SB3Trainer.run`).
RESUME_MAY_CHANGE = frozenset({"steps", "lr", "threads", "run_dir"})


@dataclass
class SB3Config:
    """Hyperparameters of an SB3 baseline run (saved as JSON in every checkpoint)."""

    algo: str = "ppo"
    """Stable-Baselines3 algorithm: "ppo" (on-policy) or "sac" (off-policy)"""
    dataset: str = "mnist"
    """data set of the targets: "mnist", "kmnist" or "celeba" (:data:`paint_gym.data.DATASETS`)"""
    strokes: int = 8
    """strokes per painting (the env's episode length), T >= 1"""
    env: str = "mypaint"
    (
        'training env: "mypaint" (MyPaint-<Task>-v0, n_envs copies one after the other) or "neural" (the batched '
        "NeuralPaint-<Task>-v0 vector env: n_envs canvases painted in one dab-painter call)"
    )
    canvas_size: int = 64
    """canvas side in pixels, 8..8192 (below 36 px the CNNs are SmallCanvasExtractor's 3x3 convolutions)"""
    extractor: str = "stacked"
    (
        'how the policy reads the observation: "stacked" (one CNN on canvas and target stacked as 6 channels, '
        ':class:`StackedCanvasExtractor`, so the first layer can compare them pixel by pixel) or "separate" '
        "(SB3's CombinedExtractor: one CNN per image, features compared only after flattening)"
    )
    reward_scale: float = 100.0
    """factor on the dense reward (the MSE decrease per stroke), > 0"""
    n_envs: int = 1
    """episodes stepped together, >= 1: MyPaint copies in SB3's DummyVecEnv, or the neural vector env's sub-envs"""
    lr: float = 3e-4
    """Adam learning rate, > 0"""
    gamma: float = 0.99
    """discount per stroke, in (0, 1]"""
    n_steps: int = 256
    """PPO: environment steps per env and rollout, >= 1"""
    batch_size: int = 64
    """PPO: minibatch size, between 2 and n_steps x n_envs"""
    n_epochs: int = 4
    """PPO: epochs over each rollout, >= 1"""
    ent_coef: float = 0.0
    """PPO: entropy bonus weight, >= 0"""
    log_std_init: float = 0.0
    (
        "PPO: initial log standard deviation of the Gaussian policy (SB3's default 0: std 1, half the [-1, 1] box, "
        "so most sampled strokes are clipped at first), in [-20, 2]"
    )
    buffer_size: int = 10_000
    """SAC: replay buffer transitions, >= 1 (image observations: 10,000 are about 0.5 GB)"""
    learning_starts: int = 256
    """SAC: environment steps before the first update, >= 0"""
    sac_batch_size: int = 64
    """SAC: minibatch size, between 1 and buffer_size"""
    steps: int = 100_000
    """environment steps (strokes) to train for, in total over resumes, when no wall-clock budget is given, >= 0"""
    eval_images: int = 64
    """evaluation images (the first of the evaluation split), >= 1"""
    replay_seeds: tuple[int, ...] = REPLAY_SEEDS
    """MyPaint brush seeds the evaluation replay averages over (at least one)"""
    seed: int = 0
    """seed of SB3 (initialisation, env resets, sampled actions), >= 0"""
    threads: int = 0
    """torch threads (0: torch's default)"""
    run_dir: str = "runs/sb3"
    """run folder: checkpoint.pt (resumes), agent.pt (best evaluation), log.csv, curves.png"""

    def __post_init__(self) -> None:
        """Validate every field (``ValueError`` naming the field), so a model that is built can learn:
        ``canvas_size`` >= 16 (below NatureCNN's 36 px a small CNN is used), PPO minibatches of
        at least 2 samples, SAC batches that fit the buffer."""
        if self.algo not in ALGOS:
            raise ValueError(f"algo must be one of {ALGOS}; got {self.algo!r}")
        if self.env not in ENVS:
            raise ValueError(f"env must be one of {ENVS}; got {self.env!r}")
        if self.extractor not in EXTRACTORS:
            raise ValueError(f"extractor must be one of {EXTRACTORS}; got {self.extractor!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}; got {self.dataset!r}")
        for name in (
            "strokes",
            "n_envs",
            "n_steps",
            "batch_size",
            "n_epochs",
            "buffer_size",
            "sac_batch_size",
            "eval_images",
        ):
            setattr(self, name, check_int(name, getattr(self, name), 1))
        for name in ("learning_starts", "steps", "seed", "threads"):
            setattr(self, name, check_int(name, getattr(self, name), 0))
        self.canvas_size = check_canvas_size(self.canvas_size)
        self.reward_scale = check_float("reward_scale", self.reward_scale, 0.0, open_low=True)
        self.lr = check_float("lr", self.lr, 0.0, open_low=True)
        self.gamma = check_float("gamma", self.gamma, 0.0, 1.0, open_low=True)
        self.ent_coef = check_float("ent_coef", self.ent_coef, 0.0)
        self.log_std_init = check_float("log_std_init", self.log_std_init, -20.0, 2.0)
        if self.algo == "ppo":
            if self.batch_size < 2:
                raise ValueError(
                    f"PPO normalises advantages over a minibatch: batch_size must be at least 2; got {self.batch_size}"
                )
            if self.batch_size > self.n_steps * self.n_envs:
                raise ValueError(
                    f"batch_size ({self.batch_size}) cannot exceed the "
                    f"rollout, n_steps * n_envs = {self.n_steps * self.n_envs}"
                )
        elif self.sac_batch_size > self.buffer_size:
            raise ValueError(f"sac_batch_size ({self.sac_batch_size}) cannot exceed buffer_size ({self.buffer_size})")
        self.replay_seeds = check_seeds("replay_seeds", self.replay_seeds)

    @property
    def env_id(self) -> str:
        return f"{'MyPaint' if self.env == 'mypaint' else 'NeuralPaint'}-{task_spec(self.dataset).name}-v0"


def make_env(config: SB3Config, data_dir: str | os.PathLike | None = None, scale_reward: bool = True) -> gym.Env:
    """One env of the run: the registered id, ``reward="dense"``, ``episode_length=strokes``."""
    env = gym.make(
        config.env_id, episode_length=config.strokes, reward="dense", canvas_size=config.canvas_size, data_dir=data_dir
    )
    if scale_reward:
        scale = float(config.reward_scale)
        env = gym.wrappers.TransformReward(env, lambda r: r * scale)
    return env


def make_venv(config: SB3Config, data_dir: str | os.PathLike | None = None) -> VecEnv:
    """The run's SB3 vector env, episode returns monitored: for ``env="mypaint"`` ``n_envs``
    copies of :func:`make_env` in a ``DummyVecEnv``; for ``env="neural"`` the batched vector env
    (``gym.make_vec``, one painter call for all ``n_envs`` strokes) through
    :class:`~paint_gym_agents.sb3_vecenv.BatchedVecEnv`, the reward scaled the same way."""
    if config.env == "mypaint":
        return DummyVecEnv([lambda: Monitor(make_env(config, data_dir)) for _ in range(config.n_envs)])
    envs = gym.make_vec(
        config.env_id,
        num_envs=config.n_envs,
        episode_length=config.strokes,
        reward="dense",
        canvas_size=config.canvas_size,
        data_dir=data_dir,
        autoreset_mode=gym.vector.AutoresetMode.SAME_STEP,
    )
    return VecMonitor(BatchedVecEnv(envs, reward_scale=config.reward_scale))


def image_cnn(channels: int, size: int) -> nn.Sequential:
    """The convolutional trunk for ``(channels, size, size)`` images, ending flattened: NatureCNN's
    (Mnih et al. 2015; 8x8/4, 4x4/2, 3x3/1 convolutions, 32-64-64 channels) from 36 px up, below
    that 3x3 convolutions (32, 64, 64 channels; strides 2, 2, 1; padded, so any size >= 1 px works)."""
    if size >= NATURE_CNN_MIN:
        layers = [nn.Conv2d(channels, 32, 8, stride=4), nn.ReLU(), nn.Conv2d(32, 64, 4, stride=2), nn.ReLU()]
        layers += [nn.Conv2d(64, 64, 3, stride=1), nn.ReLU()]
    else:
        layers = [nn.Conv2d(channels, 32, 3, stride=2, padding=1), nn.ReLU()]
        layers += [nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, stride=1, padding=1)]
        layers += [nn.ReLU()]
    return nn.Sequential(*layers, nn.Flatten())


def _with_head(cnn: nn.Sequential, shape: tuple[int, ...], features: int) -> tuple[nn.Sequential, int]:
    with torch.no_grad():
        n_flat = cnn(torch.zeros(1, *shape)).shape[1]
    return nn.Sequential(cnn, nn.Linear(n_flat, features), nn.ReLU()), features


class SmallCanvasExtractor(BaseFeaturesExtractor):
    """SB3 features extractor for the ``{"canvas", "target"}`` observation on canvases too small
    for NatureCNN (< 36 px): per image ``(C, H, W)``, :func:`image_cnn`'s 3x3 convolutions and a
    linear layer to ``cnn_output_dim`` features, concatenated as SB3's ``CombinedExtractor``
    does with NatureCNN (``extractor="separate"`` below 36 px)."""

    def __init__(self, observation_space: spaces.Dict, cnn_output_dim: int = 256) -> None:
        super().__init__(observation_space, features_dim=1)
        extractors: dict[str, nn.Module] = {}
        total = 0
        for key, sub in observation_space.spaces.items():
            if is_image_space(sub):
                extractors[key], n = _with_head(image_cnn(sub.shape[0], min(sub.shape[1:])), sub.shape, cnn_output_dim)
            else:
                extractors[key], n = nn.Flatten(), get_flattened_obs_dim(sub)
            total += n
        self.extractors = nn.ModuleDict(extractors)
        self._features_dim = total

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        return torch.cat([extractor(observations[key]) for key, extractor in self.extractors.items()], dim=1)


class StackedCanvasExtractor(BaseFeaturesExtractor):
    """SB3 features extractor that reads all image keys of a Dict observation (``canvas`` and
    ``target``: ``(3, H, W)`` each after SB3's transpose, scaled to [0, 1]) *stacked* along the
    channels, ``(6, H, W)``, with one :func:`image_cnn` and a linear layer to ``features_dim``
    features; other keys are flattened and appended.

    Why: what a stroke should do depends on where canvas and target differ; with one CNN per
    image (SB3's ``CombinedExtractor``) that difference can only be formed after each image is
    flattened to 256 features, while stacked channels let the first convolution subtract them
    pixel by pixel (as SPIRAL's and the backprop agent's encoders do). Images of one size only.
    """

    def __init__(self, observation_space: spaces.Dict, features_dim: int = 512) -> None:
        super().__init__(observation_space, features_dim=1)
        self.image_keys = [k for k, sub in observation_space.spaces.items() if is_image_space(sub)]
        self.other_keys = [k for k in observation_space.spaces if k not in self.image_keys]
        if not self.image_keys:
            raise ValueError("StackedCanvasExtractor needs at least one image in the observation")
        shapes = {observation_space.spaces[k].shape[1:] for k in self.image_keys}
        if len(shapes) != 1:
            raise ValueError(f"StackedCanvasExtractor stacks images of one size; got sizes {sorted(shapes)}")
        (hw,) = shapes
        channels = sum(observation_space.spaces[k].shape[0] for k in self.image_keys)
        self.cnn, n = _with_head(image_cnn(channels, min(hw)), (channels, *hw), features_dim)
        self._features_dim = n + sum(get_flattened_obs_dim(observation_space.spaces[k]) for k in self.other_keys)

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        stacked = torch.cat([observations[k] for k in self.image_keys], dim=1)
        others = [observations[k].flatten(1) for k in self.other_keys]
        return torch.cat([self.cnn(stacked), *others], dim=1)


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
    """A fresh SB3 model on ``n_envs`` monitored copies of the env (``threads`` sets torch's)."""
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
# Divergence
# ----------------------------------------------------------------------------------------


class DivergenceGuard:
    """Stops an SB3 model at the first NaN or inf in its outputs, losses or parameters.

    As a context manager it puts forward hooks on the policy's output layers (PPO:
    ``action_net``, ``value_net``; SAC: ``actor.mu``, ``actor.log_std`` and the critics'
    Q-networks), which run before SB3 builds a distribution from them, so a diverged policy is
    named here instead of failing inside ``torch.distributions`` (or painting NaN strokes).
    :meth:`check` reads SB3's logged training losses and the parameters. While ``training``, a
    failure raises :class:`paint_gym.errors.TrainingDivergedError` (step = environment steps so
    far, the value, the learning rate, the last good checkpoint); otherwise
    :class:`paint_gym.errors.NonFiniteOutputError`.
    """

    LAYERS = ("action_net", "value_net", "actor.mu", "actor.log_std", "critic.q_networks")

    def __init__(
        self, model: Any, config: SB3Config, checkpoint: str | os.PathLike | None = None, training: bool = True
    ) -> None:
        self.model, self.config, self.checkpoint, self.training = model, config, checkpoint, training
        self._handles: list[Any] = []

    def _layers(self) -> list[tuple[str, torch.nn.Module]]:
        found = []
        for dotted in self.LAYERS:
            obj: Any = self.model.policy
            for part in dotted.split("."):
                obj = getattr(obj, part, None)
            if isinstance(obj, torch.nn.ModuleList):
                found += [(f"{dotted}[{i}]", m) for i, m in enumerate(obj)]
            elif isinstance(obj, torch.nn.Module):
                found.append((dotted, obj))
        return found

    def fail(self, what: str, value: float) -> None:
        if self.training:
            raise TrainingDivergedError(
                step=int(self.model.num_timesteps),
                loss=value,
                lr=self.config.lr,
                what=what,
                checkpoint=self.checkpoint,
                trainer=f"SB3 {self.config.algo.upper()} training (steps are environment steps)",
            )
        raise NonFiniteOutputError(
            f"the SB3 {self.config.algo.upper()} policy's {what} is {value}: its weights are not finite or overflow "
            "(a diverged training run?); load a checkpoint from before the divergence"
        )

    def __enter__(self) -> DivergenceGuard:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        for name, module in self._layers():

            def hook(_module: Any, _inputs: Any, output: Any, name: str = name) -> None:
                if isinstance(output, torch.Tensor) and not bool(torch.isfinite(output).all()):
                    self.fail(f"{name} output", float(output.detach()[~torch.isfinite(output.detach())].flatten()[0]))

            self._handles.append(module.register_forward_hook(hook))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def check(self) -> None:
        """Check SB3's last logged training losses (``train/*loss*``, ``train/std``,
        ``train/ent_coef``) and every parameter (and SAC's entropy coefficient)."""
        logger = getattr(self.model, "_logger", None)  # set up by learn(); absent before the first call
        for key, value in dict(getattr(logger, "name_to_value", {})).items():
            watched = key.startswith("train/") and ("loss" in key or key in ("train/std", "train/ent_coef"))
            if watched and isinstance(value, (int, float, np.floating)) and not np.isfinite(value):
                self.fail(key, float(value))
        named = list(self.model.policy.state_dict().items())
        if getattr(self.model, "log_ent_coef", None) is not None:
            named.append(("log_ent_coef", self.model.log_ent_coef))
        try:
            check_finite_tensors(
                named,
                step=int(self.model.num_timesteps),
                lr=self.config.lr,
                what="policy's parameters",
                checkpoint=self.checkpoint,
                trainer=f"SB3 {self.config.algo.upper()} training (steps are environment steps)",
            )
        except TrainingDivergedError as exc:
            if self.training:
                raise
            self.fail(exc.what, exc.loss)


class DivergenceCallback(BaseCallback):
    """Runs :meth:`DivergenceGuard.check` after every update (at each rollout's start)."""

    def __init__(self, guard: DivergenceGuard) -> None:
        super().__init__()
        self.guard = guard

    def _on_rollout_start(self) -> None:
        self.guard.check()

    def _on_step(self) -> bool:
        return True


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
    """Stops ``learn`` when ``run.elapsed`` reaches the budget (``math.inf``: never); evaluates
    on the schedule.

    The clock runs between callback calls (env steps and SB3's updates) and is paused
    while evaluating, as for every method of the benchmark.
    """

    def __init__(self, run: SB3Trainer, budget_seconds: float, schedule: EvalSchedule, bar: Any) -> None:
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

    def charge(self) -> None:
        """Add the time since the last callback (SB3's last update, when ``learn`` ended by
        itself) to the run's clock."""
        self.run.elapsed += time.monotonic() - self._t
        self._t = time.monotonic()


class SB3Trainer:
    """An SB3 model with its budget bookkeeping; resumable from ``run_dir/checkpoint.pt``.
    Use as a context manager (or call :meth:`close`) to close its envs."""

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
    def step(self) -> int:
        """Environment steps so far (SB3's ``num_timesteps``), over resumes."""
        return int(self.model.num_timesteps)

    @property
    def strokes(self) -> int:
        """Strokes painted so far: one per environment step."""
        return self.step

    def _resume(self) -> None:
        """Continue from ``checkpoint.pt`` if there is one (``ResumeError`` if its config differs
        in a field outside :data:`RESUME_MAY_CHANGE`)."""
        if not self.checkpoint_path.exists():
            return
        state = read_checkpoint(self.checkpoint_path, "SB3 training checkpoint")
        saved = config_from_json(SB3Config, state["config"], LEGACY_FIELDS)
        check_resume(saved, self.cfg, RESUME_MAY_CHANGE, self.checkpoint_path)
        _restore(self.model, state)
        if self.cfg.algo == "sac":  # the replay buffer was not saved: refill it before updating again
            self.model.learning_starts = self.model.num_timesteps + self.cfg.learning_starts
        self.elapsed, self.best = float(state["elapsed"]), float(state["best"])
        self.points = points_from_json(state["points"])
        self.history = json.loads(state["history"])

    def save_checkpoint(self) -> None:
        """Write ``checkpoint.pt`` atomically; never a diverged state (:meth:`DivergenceGuard.check`)."""
        DivergenceGuard(self.model, self.cfg, self.checkpoint_path).check()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "kind": SB3Agent.KIND,
            **_state(self.model, self.cfg),
            **run_progress(self),
        }
        write_checkpoint(state, self.checkpoint_path)
        self._write_log()

    def evaluate(self) -> float:
        """MyPaint-replay MSE of the evaluation images; keeps the best ``agent.pt``."""
        try:
            actions = self.agent.paint(self.eval_targets)
        except NonFiniteOutputError as exc:
            raise TrainingDivergedError(
                step=self.strokes,
                loss=float("nan"),
                lr=self.cfg.lr,
                what="policy's strokes on the evaluation images",
                checkpoint=self.checkpoint_path,
                trainer=f"SB3 {self.cfg.algo.upper()} training (steps are environment steps)",
            ) from exc
        self.model.policy.set_training_mode(False)
        mse = float(replay_mse(actions, self.eval_targets, self.cfg.replay_seeds).mean())
        if mse < self.best:
            self.best = mse
            self.agent.info = {
                "step": self.step,
                "strokes": self.strokes,
                "seconds": self.elapsed,
                "eval_mypaint_mse": mse,
            }
            self.agent.save(self.run_dir / "agent.pt")
        return mse

    def record(self) -> Point:
        point = Point(self.elapsed, self.strokes, self.evaluate())
        self.points.append(point)
        self.history.append({"seconds": point.seconds, "strokes": point.strokes, "eval_mypaint_mse": point.mse})
        self.save_checkpoint()
        return point

    def best_agent(self) -> SB3Agent:
        """The run's best agent (``agent.pt``), or the current one if none was saved."""
        path = self.run_dir / "agent.pt"
        return SB3Agent.load(path, self.data_dir) if path.exists() else SB3Agent(self.model, self.cfg, self.data_dir)

    def run(
        self, budget_seconds: float | None = None, eval_every_seconds: float = 60.0, progress: bool = True
    ) -> list[Point]:
        """Train until the training clock reaches ``budget_seconds`` (in total, over resumes) or,
        without a budget, for the config's ``steps`` environment steps (PPO finishes its last
        rollout and its update); returns the evaluation points."""
        if budget_seconds is not None and budget_seconds <= 0:
            raise ValueError(f"budget_seconds must be positive; got {budget_seconds}")
        budget = math.inf if budget_seconds is None else budget_seconds
        remaining = 10**12 if budget_seconds is not None else self.cfg.steps - self.step
        if not self.points:
            self.record()
        if self.elapsed < budget and remaining > 0:
            total = None if budget_seconds is None else round(budget, 1)
            bar = tqdm(
                total=total,
                initial=round(self.elapsed, 1),
                unit="s",
                desc=f"SB3 {self.cfg.algo.upper()} {self.cfg.dataset}",
                disable=not progress,
                dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}" if total else "{desc}: {n:.0f} s {postfix}",
            )
            guard = DivergenceGuard(self.model, self.cfg, self.checkpoint_path)
            callback = BudgetCallback(self, budget, EvalSchedule(eval_every_seconds), bar)
            try:
                with guard:
                    self.model.learn(
                        total_timesteps=remaining,
                        callback=CallbackList([DivergenceCallback(guard), callback]),
                        reset_num_timesteps=False,
                    )
            finally:
                bar.close()
            if budget_seconds is None:  # learn ended by itself, after an update no evaluation has seen: the final point
                callback.charge()
                self.record()
        return list(self.points)

    def close(self) -> None:
        self.agent.close()
        self.model.get_env().close()

    def __enter__(self) -> SB3Trainer:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_log(self) -> None:
        if not self.history:
            return
        write_log_csv(self.run_dir / LOG_CSV, self.history, ("seconds", "strokes"))
        self.plot()

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
