"""Ray RLlib on paint-gym: a ready ``AlgorithmConfig`` for any id, and a training run that resumes.

RLlib (its new API stack: RLModule, Catalog, AlgorithmConfig, EnvRunners) is paint-gym's engine
for scaling RL out, from two env runners on a laptop to a multi-node cluster with the same
command (docs/agents.md, "RLlib"). Needs the ``rllib`` extra (``ray[rllib]==2.60.0``, which pins
gymnasium 1.2.2), installed in its own environment: ``make rllib-venv``.

    config = algorithm_config(RLlibConfig(algo="PPO", env="NeuralPaint-MNIST-v0", env_runners=2))
    algo = config.build_algo()                       # a plain RLlib Algorithm: algo.train(), ...
    summary = train(RLlibConfig(iterations=20, run_dir="runs/rllib"))   # or: paint-gym train-rllib

What paint-gym adds to RLlib:

* **The observation.** Every env runs with ``obs_mode="stacked"``: one uint8 image
  ``Box(0, 255, (H, W, 6))``, the canvas's channels then the target's. :class:`PaintCatalog`
  gives PPO's, APPO's and IMPALA's default RLModules the encoder the Stable-Baselines3 search
  chose (:class:`StackedCNNEncoder`: :func:`paint_gym_agents.cnn.image_cnn` on the 6 channels
  and a linear layer to ``features``, ReLU), which reads uint8 and divides by 255 itself (RLlib's
  own CNN refuses uint8 input); heads of 64-64 units as SB3's, value and policy sharing the encoder.
* **The batched env inside each env runner.** :func:`paint_vector_env` is the env creator: a
  paint-gym vector env (for a neural id the batched ``NeuralPaintVectorEnv``, which paints all
  ``envs_per_runner`` canvases in one painter call), made by ``gym.make_vec`` in
  ``VECTOR_ENTRY_POINT`` mode; env runners are Ray workers, so its torch runs on one thread
  (:mod:`paint_gym.forksafe`). Dense rewards are scaled by ``reward_scale``; ``reward="critic"``
  is SPIRAL's, ``"critic-delta"`` the same critic's per stroke (:mod:`paint_gym_agents.rllib_critic`).
* **The run** (:func:`train`): the run folder holds ``rllib_checkpoint/`` (RLlib's own checkpoint,
  written atomically each iteration: ``train`` resumes from it), ``critic.pt``, ``progress.json``,
  ``log.csv`` (per iteration: strokes, training seconds, strokes/s, returns, losses, MyPaint
  replay MSE), ``curves.png`` and ``result.json`` (:class:`paint_gym.benchmark.results.MethodResult`,
  the format of every method of the reconstruction benchmark).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import ray
import torch
from ray.rllib.algorithms.algorithm import Algorithm
from ray.rllib.algorithms.algorithm_config import AlgorithmConfig
from ray.rllib.algorithms.appo import APPOConfig
from ray.rllib.algorithms.impala import IMPALAConfig
from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.core import DEFAULT_MODULE_ID
from ray.rllib.core.columns import Columns
from ray.rllib.core.rl_module.rl_module import RLModule, RLModuleSpec
from ray.tune.registry import register_env
from tqdm import tqdm

import paint_gym  # noqa: F401  (registers the env ids, in the driver and in every env runner)
from paint_gym.benchmark.evaluation import eval_targets, replay_mse
from paint_gym.benchmark.results import MethodResult
from paint_gym.checkpoint import check_resume, config_from_json, config_to_json, write_text_atomic
from paint_gym.runlog import CURVES_PNG, LOG_CSV, curves_figure, plot_columns, write_log_csv
from paint_gym.training import EvalSchedule, Point

from .base import check_agent_targets
from .rllib_config import LEGACY_FIELDS, RESUME_MAY_CHANGE, RUN_FILES, RLlibConfig
from .rllib_critic import CriticLearner, CriticReward
from .rllib_module import PaintCatalog, StackedCNNEncoder, StackedCNNEncoderConfig

#: The run folder's files (:data:`paint_gym_agents.rllib_config.RUN_FILES`, with log.csv and curves.png).
CHECKPOINT_DIR = "rllib_checkpoint"
PROGRESS_JSON, RESULT_JSON, CRITIC_PT = RUN_FILES[:3]
#: The name :func:`paint_vector_env` is registered under with Ray (``config.env`` of every run).
ENV_NAME = "paint-gym"
#: Hidden layers of the policy and value heads (SB3's default for PPO on a features extractor).
HEAD_HIDDENS = (64, 64)

# ----------------------------------------------------------------------------------------
# The env creator and the AlgorithmConfig
# ----------------------------------------------------------------------------------------


def paint_vector_env(env_config: dict[str, Any]) -> gym.vector.VectorEnv:
    """RLlib's env creator (``VECTOR_ENTRY_POINT`` mode): ``gym.make_vec(env_config["id"],
    num_envs=env_config["num_envs"], obs_mode="stacked", **the other keys)``, its reward times
    ``reward_scale``, wrapped in :class:`CriticReward` when ``critic`` holds its settings
    (``{"canvas_size", "width"}``). Observations uint8 ``(N, H, W, 6)``, actions ``(N, 12)``."""
    kwargs = dict(env_config)
    env_id, num_envs = kwargs.pop("id"), int(kwargs.pop("num_envs", 1))
    scale, critic = float(kwargs.pop("reward_scale", 1.0)), kwargs.pop("critic", None)
    env = gym.make_vec(env_id, num_envs=num_envs, obs_mode="stacked", **kwargs)
    if scale != 1.0:
        env = gym.wrappers.vector.TransformReward(env, lambda reward: reward * scale)
    if critic:
        env = CriticReward(env, **critic)
    return env


def env_config(config: RLlibConfig, data_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``env_config`` :func:`paint_vector_env` reads for ``config`` (RLlib adds ``num_envs``)."""
    critic = config.uses_critic
    out: dict[str, Any] = {
        "id": config.env,
        "episode_length": config.episode_length,
        "canvas_size": config.canvas_size,
        "reward": "none" if critic else "dense",
        "reward_scale": 1.0 if critic else config.reward_scale,
        "data_dir": None if data_dir is None else str(data_dir),
    }
    if config.neural:
        out["painter"] = config.painter
    if critic:
        out["critic"] = {
            "canvas_size": config.canvas_size,
            "width": config.critic_width,
            "per_stroke": config.reward == "critic-delta",
        }
    return out


def algorithm_config(config: RLlibConfig, data_dir: str | os.PathLike | None = None) -> AlgorithmConfig:
    """A ready RLlib ``AlgorithmConfig`` (PPO, APPO or IMPALA) for ``config``'s paint-gym id:
    the stacked observation and :class:`PaintCatalog`'s encoder, :func:`paint_vector_env` in
    every env runner (``env_runners`` Ray actors of one CPU, ``envs_per_runner`` episodes each),
    one local learner, the config's learning settings. Change anything with RLlib's own methods
    before ``build_algo()``; ``data_dir`` is where env runners read the data sets."""
    register_env(ENV_NAME, paint_vector_env)  # kept in Ray's registry: every env runner finds it
    base = {"PPO": PPOConfig, "APPO": APPOConfig, "IMPALA": IMPALAConfig}[config.algo]()
    algo = (
        base.environment(env=ENV_NAME, env_config=env_config(config, data_dir))
        .env_runners(
            num_env_runners=config.env_runners,
            num_envs_per_env_runner=config.envs_per_runner,
            num_cpus_per_env_runner=1,
            gym_env_vectorize_mode=gym.VectorizeMode.VECTOR_ENTRY_POINT,
        )
        .learners(num_learners=0)
        .rl_module(
            rl_module_spec=RLModuleSpec(catalog_class=PaintCatalog),
            model_config={
                "features": config.features,
                "log_std_init": config.log_std_init,
                "log_std_max": config.log_std_max,
                "head_fcnet_hiddens": list(HEAD_HIDDENS),
                "vf_share_layers": True,
            },
        )
        .training(
            lr=config.lr,
            gamma=config.gamma,
            train_batch_size_per_learner=config.train_batch,
            entropy_coeff=config.ent_coef,
        )
        .debugging(seed=config.seed, log_level="WARN")
    )
    if config.algo == "PPO":
        algo = algo.training(minibatch_size=config.minibatch, num_epochs=config.epochs, lambda_=0.95)
    if config.min_iteration_seconds is not None:
        algo = algo.reporting(min_time_s_per_iteration=config.min_iteration_seconds)
    return algo


def init_ray(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Start a local Ray (``num_cpus``, default the machine's, on 127.0.0.1, no dashboard) or join
    the cluster at ``address`` ("auto", HOST:PORT); nothing when Ray is running in this process
    already. Returns whether it started or joined one (then :func:`train` shuts it down)."""
    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
    else:
        ray.init(
            address="local",
            num_cpus=num_cpus or os.cpu_count(),
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            logging_level=logging.WARNING,
        )
    return True


# ----------------------------------------------------------------------------------------
# Painting with the trained module, and the benchmark's evaluation
# ----------------------------------------------------------------------------------------


def module_actions(module: RLModule, obs: np.ndarray) -> np.ndarray:
    """The module's most likely strokes float32 ``(N, 12)`` in [-1, 1] for stacked observations
    uint8 ``(N, H, W, 6)`` (the mean of RLlib's Gaussian, clipped to the action box)."""
    with torch.no_grad():
        out = module.forward_inference({Columns.OBS: torch.as_tensor(np.asarray(obs))})
        dist = module.get_inference_action_dist_cls().from_logits(out[Columns.ACTION_DIST_INPUTS])
        return np.clip(dist.to_deterministic().sample().numpy(), -1.0, 1.0).astype(np.float32)


def paint_episodes(module: RLModule, env: gym.vector.VectorEnv, targets: np.ndarray | None, strokes: int) -> tuple:
    """The module paints one episode per sub-env of ``env`` (a stacked paint-gym vector env without
    autoreset) on ``targets`` uint8 ``(B, H, W, 3)`` (None: the env's own of seed 0): its strokes
    float32 ``(B, T, 12)`` and the targets uint8 ``(B, H, W, 3)``."""
    obs, _ = env.reset(seed=0, options=None if targets is None else {"target": targets})
    targets, painted = obs[..., 3:].copy(), []
    for _ in range(strokes):
        painted.append(module_actions(module, obs))
        obs, *_ = env.step(painted[-1])
    return np.stack(painted, axis=1), targets


def eval_env(config: RLlibConfig, n: int, data_dir: str | os.PathLike | None = None) -> gym.vector.VectorEnv:
    """``n`` episodes of ``config``'s env to paint targets on: stacked, no reward, no autoreset."""
    kwargs = {k: v for k, v in env_config(config, data_dir).items() if k not in ("id", "reward_scale", "critic")}
    kwargs.update(reward="none", obs_mode="stacked", autoreset_mode=gym.vector.AutoresetMode.DISABLED)
    return gym.make_vec(config.env, num_envs=n, **kwargs)


def policy_module(algo: Algorithm) -> RLModule:
    """The policy as the learner has it now: the driver's RLModule (``algo.get_module()``) loaded
    with the learner group's newest weights. (APPO and IMPALA update their env runners' copies
    asynchronously, and the driver's own copy not at all, so ``algo.get_module()`` alone may be
    the untrained policy.)"""
    module = algo.get_module()
    module.set_state(algo.learner_group.get_weights(module_ids=[DEFAULT_MODULE_ID])[DEFAULT_MODULE_ID])
    return module


class Evaluator:
    """The benchmark's evaluation of an RLlib policy: the module paints ``eval_images`` targets
    (the evaluation split's first; for the Strokes task, the env's own of seed 0) on the env it
    trains on, and the strokes are replayed in MyPaint (:func:`replay_mse`, mean of the replay
    seeds). Returns the mean MSE on [0, 1] images."""

    def __init__(self, config: RLlibConfig, data_dir: str | os.PathLike | None = None) -> None:
        self.config = config
        self.env = eval_env(config, config.eval_images, data_dir)
        dataset = config.task.dataset
        self.targets = (
            None if dataset is None else eval_targets(dataset, config.eval_images, config.canvas_size, data_dir)
        )
        if self.targets is not None and len(self.targets) < config.eval_images:
            raise ValueError(f"the evaluation split has {len(self.targets)} images; ask for --eval-images at most that")

    def paint(self, module: RLModule) -> tuple[np.ndarray, np.ndarray]:
        """The module's strokes float32 ``(B, T, 12)`` and the targets uint8 ``(B, H, W, 3)``."""
        return paint_episodes(module, self.env, self.targets, self.config.episode_length)

    def __call__(self, module: RLModule) -> float:
        strokes, targets = self.paint(module)
        return float(np.mean(replay_mse(strokes, targets, self.config.replay_seeds)))

    def close(self) -> None:
        self.env.close()


class RLlibAgent:
    """A trained RLlib policy with the agent verbs (:mod:`paint_gym_agents.base`), without Ray:
    ``RLlibAgent.load(run_dir)`` reads the run's config and its learner's RLModule;
    ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)`` paints them on the run's env
    (the neural painter or MyPaint), the policy's most likely stroke at each step;
    ``act(observation)`` is one stroke for an observation (stacked ``(H, W, 6)`` or the
    ``{"canvas", "target"}`` dict)."""

    KIND = "rllib_agent"

    def __init__(self, module: RLModule, config: RLlibConfig, data_dir: str | os.PathLike | None = None) -> None:
        self.module, self.config, self.data_dir = module, config, data_dir

    @classmethod
    def load(cls, run_dir: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> RLlibAgent:
        """The policy of a run folder (its last checkpoint). ``FileNotFoundError`` if it has none."""
        run = Path(run_dir)
        config = config_from_json(RLlibConfig, json.loads((run / PROGRESS_JSON).read_text())["config"], LEGACY_FIELDS)
        module_dir = run / CHECKPOINT_DIR / "learner_group" / "learner" / "rl_module" / DEFAULT_MODULE_ID
        if not module_dir.is_dir():
            raise FileNotFoundError(f"{run_dir} holds no RLlib checkpoint ({module_dir}): train it first")
        return cls(RLModule.from_checkpoint(str(module_dir.resolve())), config, data_dir)

    def reset(self) -> None:
        """Nothing to forget: the policy reads the canvas, not a memory."""

    def act(self, observation: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        """One stroke float32 ``(12,)`` for one observation."""
        if isinstance(observation, dict):
            observation = np.concatenate([observation["canvas"], observation["target"]], axis=-1)
        return module_actions(self.module, np.asarray(observation)[None])[0]

    def paint(self, targets: np.ndarray) -> np.ndarray:
        """Strokes float32 ``(B, T, 12)`` for targets uint8 ``(B, H, W, 3)``."""
        targets = check_agent_targets(targets, self.config.canvas_size)
        env = eval_env(self.config, len(targets), self.data_dir)
        try:
            return paint_episodes(self.module, env, targets, self.config.episode_length)[0]
        finally:
            env.close()


# ----------------------------------------------------------------------------------------
# The run: train, log, checkpoint, resume
# ----------------------------------------------------------------------------------------


def _get(result: dict[str, Any], *path: str) -> float:
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return math.nan
        result = result[key]
    try:
        return float(result)
    except (TypeError, ValueError):
        return math.nan


def iteration_row(result: dict[str, Any]) -> dict[str, float]:
    """The scalars of one ``algo.train()`` result that the log keeps: env steps sampled this
    iteration (strokes), episode return, the policy's losses and entropy (NaN where absent)."""
    learner = result.get("learners", {}).get("default_policy", {})
    row = {
        "iteration_strokes": _get(result, "env_runners", "num_env_steps_sampled"),
        "episode_return_mean": _get(result, "env_runners", "episode_return_mean"),
    }
    for key in ("policy_loss", "vf_loss", "entropy", "mean_kl_loss", "total_loss"):
        if key in learner:
            row[key] = _get(learner, key)
    return row


@dataclass
class Progress:
    """What ``progress.json`` holds besides the config: iterations done, training seconds and
    strokes so far, the evaluation points and the log's rows."""

    iteration: int = 0
    seconds: float = 0.0
    strokes: int = 0
    points: list[Point] | None = None
    history: list[dict[str, float]] | None = None

    def as_json(self, config: RLlibConfig) -> str:
        return json.dumps(
            {
                "config": json.loads(config_to_json(config)),
                "iteration": self.iteration,
                "seconds": self.seconds,
                "strokes": self.strokes,
                "points": [p.as_dict() for p in self.points or []],
                "history": self.history or [],
            },
            indent=1,
        )

    @classmethod
    def read(cls, path: Path, config: RLlibConfig) -> Progress:
        """The progress of the run folder's ``progress.json``, after checking that ``config`` may
        resume it (:data:`RESUME_MAY_CHANGE`; :class:`paint_gym.checkpoint.ResumeError` otherwise)."""
        data = json.loads(path.read_text())
        check_resume(config_from_json(RLlibConfig, data["config"], LEGACY_FIELDS), config, RESUME_MAY_CHANGE, path)
        points = [Point.from_dict(p) for p in data["points"]]
        return cls(int(data["iteration"]), float(data["seconds"]), int(data["strokes"]), points, data["history"])


def method_name(config: RLlibConfig) -> str:
    """The run's name in results tables: ``rllib-ppo``, ``rllib-impala-critic``, ``rllib-impala-critic-delta``,
    ``...-mypaint``."""
    name = f"rllib-{config.algo.lower()}" + (f"-{config.reward}" if config.uses_critic else "")
    return name + ("" if config.neural else "-mypaint")


class RLlibRun:
    """One run folder's training (module docstring): :meth:`run` trains to ``config.iterations``
    iterations, resuming from the folder's checkpoint."""

    def __init__(self, config: RLlibConfig, data_dir: str | os.PathLike | None = None) -> None:
        self.config, self.dir = config, Path(config.run_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        resumed = (self.dir / PROGRESS_JSON).is_file() and (self.dir / CHECKPOINT_DIR).is_dir()
        self.progress = Progress.read(self.dir / PROGRESS_JSON, config) if resumed else Progress(points=[], history=[])
        self.algo: Algorithm = algorithm_config(config, data_dir).build_algo()
        self.critic = None
        if config.uses_critic:
            self.critic = CriticLearner(
                config.canvas_size,
                config.critic_width,
                config.critic_lr,
                config.critic_steps,
                config.gp_lambda,
                config.seed,
            )
        if resumed:
            self.algo.restore_from_path(str((self.dir / CHECKPOINT_DIR).resolve()))
            if self.critic is not None:
                self.critic.load_state_dict(torch.load(self.dir / CRITIC_PT, weights_only=True))
            print(f"resumed {self.dir} at iteration {self.progress.iteration}")
        if self.critic is not None:
            self.critic.broadcast(self.algo)
        self.evaluator = Evaluator(config, data_dir)

    def evaluate(self, row: dict[str, float]) -> None:
        """MyPaint-replay MSE of the current policy, recorded as a point and in ``row``."""
        mse = self.evaluator(policy_module(self.algo))
        self.progress.points.append(Point(self.progress.seconds, self.progress.strokes, mse))
        row["eval_mypaint_mse"] = mse

    def train_once(self) -> dict[str, float]:
        """One iteration: ``algo.train()`` (sampling on the env runners, the learner's update),
        then the critic's update when the reward is the critic's. Timed as training."""
        start = time.perf_counter()
        row = iteration_row(self.algo.train())
        if self.critic is not None:
            row.update(self.critic.step(self.algo))
        seconds = time.perf_counter() - start
        strokes = 0 if math.isnan(row["iteration_strokes"]) else int(row["iteration_strokes"])
        self.progress.iteration += 1
        self.progress.seconds += seconds
        self.progress.strokes += strokes
        row.update(
            iteration=self.progress.iteration,
            strokes=self.progress.strokes,
            seconds=self.progress.seconds,
            strokes_per_second=strokes / seconds,
        )
        return row

    def save(self) -> None:
        """Checkpoint (RLlib's folder swapped in whole, the critic, the progress last), then the
        log, the curves and the results JSON."""
        tmp, final, old = (self.dir / f"{CHECKPOINT_DIR}{s}" for s in (".tmp", "", ".old"))
        shutil.rmtree(tmp, ignore_errors=True)
        self.algo.save_to_path(str(tmp.resolve()))
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        if self.critic is not None:
            torch.save(self.critic.state_dict(), self.dir / CRITIC_PT)
        write_text_atomic(self.dir / PROGRESS_JSON, self.progress.as_json(self.config))
        write_log_csv(self.dir / LOG_CSV, self.progress.history, first=("iteration", "strokes", "seconds"))
        self.plot()
        if self.progress.points:
            result = MethodResult(
                method_name(self.config),
                self.progress.points,
                self.progress.seconds,
                info={"config": json.loads(config_to_json(self.config))},
            )
            result.save(self.dir / RESULT_JSON)

    def plot(self) -> None:
        """``curves.png``: replay MSE, strokes/s and the episode return against strokes."""
        rows = self.progress.history
        with curves_figure(self.dir / CURVES_PNG, panels=3, title=method_name(self.config)) as (_, axes):
            plot_columns(axes[0], [r for r in rows if "eval_mypaint_mse" in r], "strokes", ["eval_mypaint_mse"])
            plot_columns(axes[1], rows, "strokes", ["strokes_per_second"])
            plot_columns(axes[2], rows, "strokes", ["episode_return_mean"])

    def run(
        self, progress: bool = True, seconds: float | None = None, eval_clock: EvalSchedule | None = None
    ) -> dict[str, Any]:
        """Train until ``config.iterations`` iterations are done (over resumes) or, when given, the
        training clock has reached ``seconds`` (checked before each iteration), evaluating at the
        start, every ``eval_every`` iterations, when the training clock has reached ``eval_clock``'s
        next time (:class:`paint_gym.training.EvalSchedule`, checked after each iteration: the
        reconstruction benchmark's geometric schedule) and at the end; checkpointing every
        iteration. Returns the result as :meth:`MethodResult.as_dict` with ``strokes_per_second``
        (all iterations' strokes over their training seconds) added."""
        cfg, prog = self.config, self.progress
        if not prog.points:
            row = {"iteration": 0, "strokes": 0, "seconds": 0.0}
            self.evaluate(row)
            prog.history.append(row)
        next_eval = math.inf if eval_clock is None else eval_clock.next_after(prog.seconds)
        bar = self.progress_bar(progress, seconds)

        def done() -> bool:
            return prog.iteration >= cfg.iterations or (seconds is not None and prog.seconds >= seconds)

        while not done():
            row = self.train_once()
            last = done()
            if last or (cfg.eval_every and prog.iteration % cfg.eval_every == 0) or prog.seconds >= next_eval:
                self.evaluate(row)
                if eval_clock is not None:
                    next_eval = eval_clock.next_after(prog.seconds)
            prog.history.append(row)
            self.save()
            bar.update(1 if seconds is None else min(prog.seconds, seconds) - bar.n)
            bar.set_postfix(strokes_s=f"{row['strokes_per_second']:.0f}", mse=f"{prog.points[-1].mse:.4f}")
        bar.close()
        if not prog.history or prog.iteration == 0:
            self.save()
        summary = MethodResult(method_name(cfg), prog.points, prog.seconds).as_dict()
        summary["strokes_per_second"] = prog.strokes / prog.seconds if prog.seconds else math.nan
        return summary

    def progress_bar(self, progress: bool, seconds: float | None) -> tqdm:
        """The run's bar: in iterations, or in training seconds when a time limit is given."""
        desc, disable = method_name(self.config), not progress
        if seconds is None:
            return tqdm(total=self.config.iterations, initial=self.progress.iteration, desc=desc, disable=disable)
        return tqdm(
            total=seconds,
            initial=min(self.progress.seconds, seconds),
            desc=desc,
            disable=disable,
            bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s{postfix}",
        )

    def close(self) -> None:
        self.evaluator.close()
        self.algo.stop()


def train(
    config: RLlibConfig,
    data_dir: str | os.PathLike | None = None,
    progress: bool = True,
    num_cpus: int | None = None,
    seconds: float | None = None,
    eval_clock: EvalSchedule | None = None,
) -> dict[str, Any]:
    """Train ``config`` in its run folder (resuming it) on a local Ray (``num_cpus``: default
    ``max(2, env_runners)``) or the cluster at ``config.address``, for its iterations or
    ``seconds`` of training clock, evaluating also on ``eval_clock`` when given; returns
    :meth:`RLlibRun.run`'s summary. Ray is shut down afterwards if this call started it."""
    started = init_ray(config.address, num_cpus or max(2, config.env_runners))
    try:
        run = RLlibRun(config, data_dir)
        try:
            return run.run(progress, seconds, eval_clock)
        finally:
            run.close()
    finally:
        if started:
            ray.shutdown()


__all__ = [
    "Evaluator",
    "PaintCatalog",
    "RLlibAgent",
    "RLlibConfig",
    "RLlibRun",
    "StackedCNNEncoder",
    "StackedCNNEncoderConfig",
    "algorithm_config",
    "env_config",
    "init_ray",
    "method_name",
    "module_actions",
    "paint_episodes",
    "policy_module",
    "paint_vector_env",
    "train",
]
