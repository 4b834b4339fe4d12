"""Hyperparameters of an RLlib run on a paint-gym env (:class:`RLlibConfig`); imports no Ray.

The config is plain data so that ``paint-gym --help`` lists ``train-rllib`` and its flags in an
environment without Ray; :mod:`paint_gym_agents.rllib` turns it into RLlib's ``AlgorithmConfig``
(it needs the ``rllib`` extra, in its own environment: ``make rllib-venv``). Only the fields in
:data:`RESUME_MAY_CHANGE` may differ when a run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from paint_gym.benchmark.evaluation import REPLAY_SEEDS
from paint_gym.envs.task import TASKS, TaskSpec, task_spec
from paint_gym.painters.base import DEFAULT_PAINTER
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

#: RLlib algorithms a run may use: PPO (synchronous), APPO and IMPALA (asynchronous, SPIRAL's).
ALGOS = ("PPO", "APPO", "IMPALA")
#: Every paint-gym id (both painters, every task).
ENV_IDS = tuple(f"{painter}-{task}-v0" for painter in ("NeuralPaint", "MyPaint") for task in TASKS)
#: ``"dense"``: the env's MSE decrease per stroke (x ``reward_scale``); ``"critic"``: SPIRAL's
#: conditional WGAN-GP critic score of the final canvas, trained beside the policy;
#: ``"critic-delta"``: the same critic's score change per stroke (Huang et al., 2019, "Learning to
#: Paint"), whose sum over an episode is the final score less the blank canvas's.
REWARDS = ("dense", "critic", "critic-delta")
#: Other names of the rewards, ``{alias: name}``: the issue's ``l2`` is the dense reward (the MSE
#: decrease; docs/glossary.md). A config keeps the name, so a run's saved config says ``"dense"``.
REWARD_ALIASES: dict[str, str] = {"l2": "dense"}
#: The files a run writes in its folder (besides RLlib's checkpoint folder, rllib_checkpoint/).
RUN_FILES = ("progress.json", "result.json", "critic.pt", "log.csv", "curves.png")
#: Fields that may change when a run resumes: the budget, the cluster and bookkeeping.
RESUME_MAY_CHANGE = frozenset({"iterations", "env_runners", "address", "eval_every", "run_dir"})
#: Fields added after runs were saved, with what those runs did (read from an older progress.json).
LEGACY_FIELDS: dict[str, Any] = {"min_iteration_seconds": None, "log_std_max": None}


#: How to get Ray RLlib, for the message of a missing ``ray``.
RLLIB_INSTALL = (
    "Ray RLlib lives in its own environment (ray[rllib]==2.60 pins gymnasium 1.2.2): `make rllib-venv`, then "
    "use .venv-rllib/bin/python or .venv-rllib/bin/paint-gym (or pip install 'paint-gym[rllib]' in a venv of its "
    "own; docs/agents.md, RLlib)"
)


@dataclass
class RLlibConfig(ValidatedConfig):
    """An RLlib run on a paint-gym id (saved as JSON beside every checkpoint). Each field's range
    is declared in its type; the env is ``obs_mode="stacked"`` (uint8 canvas|target, 6 channels)."""

    renamed: ClassVar[dict[str, str]] = {"out": "run_dir"}  # the issue's --out names the run folder too

    algo: Annotated[str, OneOf(ALGOS)] = "PPO"
    """RLlib algorithm: PPO, APPO or IMPALA (the last two are SPIRAL's asynchronous actor-learner)"""
    env: Annotated[str, OneOf(ENV_IDS)] = "NeuralPaint-MNIST-v0"
    (
        "paint-gym id trained on: NeuralPaint-<Task>-v0 (the batched vector env: one painter call per step of all "
        "envs_per_runner canvases) or MyPaint-<Task>-v0 (the real program, as SPIRAL trained)"
    )
    strokes: NonNegativeInt = 0
    """strokes per painting (the env's episode length), T (0: the task's own, 8 for MNIST)"""
    canvas_size: CanvasSize = 64
    """canvas side in pixels (below 36 px the encoder is the 3x3 CNN of paint_gym_agents.cnn)"""
    painter: str = DEFAULT_PAINTER
    """neural painter of the neural env: 'dab' (default), 'gan', 'vae' or a checkpoint"""
    reward: Annotated[str, OneOf(REWARDS)] = "dense"
    (
        '"dense" (the env\'s MSE decrease per stroke, x reward_scale; "l2" names it too), "critic" (SPIRAL: the '
        "conditional WGAN-GP critic's D(canvas, target) - D(target, target) at the episode's end, the critic "
        "trained beside the policy on the env runners' final canvases) or \"critic-delta\" (the same critic's "
        "score change per stroke, D(canvas_t, target) - D(canvas_t-1, target), as in Huang et al. 2019)"
    )
    reward_scale: PositiveFloat = 100.0
    """factor on the dense reward (the MSE decrease per stroke; about 0.1 in total on MNIST)"""
    env_runners: NonNegativeInt = 2
    """RLlib env runners (Ray actors, one CPU each; 0: sample in the driver)"""
    envs_per_runner: PositiveInt = 16
    """episodes each env runner steps together (the neural env paints them in one batch)"""
    iterations: PositiveInt = 10
    """training iterations (algo.train() calls) in total, over resumes"""
    min_iteration_seconds: NonNegativeFloat | None = None
    (
        "shortest training iteration in seconds (RLlib's min_time_s_per_iteration; None: RLlib's default, 10 for "
        "APPO and IMPALA, none for PPO); each iteration ends with the critic's update, a checkpoint and maybe an "
        "evaluation"
    )
    lr: PositiveFloat = 3e-4
    """Adam learning rate of the policy"""
    gamma: Annotated[float, Bound(0, 1, open_low=True)] = 0.99
    """discount per stroke"""
    train_batch: PositiveInt = 256
    """strokes per training batch (per learner; the SB3 search's best PPO: 16 steps x 16 envs)"""
    minibatch: PositiveInt = 64
    """PPO: minibatch size, at most train_batch"""
    epochs: PositiveInt = 4
    """PPO: epochs over each batch"""
    ent_coef: NonNegativeFloat = 0.0
    """entropy bonus weight"""
    features: PositiveInt = 512
    """width of the encoder's linear layer after the CNN (the SB3 search's StackedCanvasExtractor)"""
    log_std_init: Annotated[float, Bound(-20, 2)] = -1.0
    (
        "initial log standard deviation of the Gaussian strokes (the bias of the policy head's log-std outputs; "
        "-1: std 0.37, what moved SB3's PPO in the search, where RLlib's 0 clips most sampled strokes at first)"
    )
    log_std_max: Annotated[float, Bound(-20, 20)] | None = None
    (
        "upper bound of the policy's log standard deviation, approached smoothly (max - softplus(max - x), so its "
        "gradient never vanishes); None: RLlib's own clamp at 20. The stroke box is [-1, 1], so a std far above 1 "
        "only piles sampled strokes onto the box's corners (RLlib PPO's log std ran to 20 on CelebA: docs/agents.md)"
    )
    critic_lr: PositiveFloat = 1e-4
    """critic reward: the critic's Adam learning rate"""
    critic_steps: PositiveInt = 4
    """critic reward: critic updates after each iteration, on the final canvases it sampled"""
    critic_width: PositiveInt = 32
    """critic reward: channels of the critic's first convolution"""
    gp_lambda: NonNegativeFloat = 10.0
    """critic reward: weight of the critic's gradient penalty"""
    eval_images: PositiveInt = 64
    """evaluation images (the first of the evaluation split), painted and replayed in MyPaint"""
    eval_every: NonNegativeInt = 5
    """iterations between evaluations (0: only at the start and the end)"""
    replay_seeds: Seeds = REPLAY_SEEDS
    """MyPaint brush seeds the evaluation replay averages over"""
    seed: NonNegativeInt = 0
    """seed of RLlib (initialisation, env resets, sampled strokes)"""
    address: str | None = None
    (
        "Ray cluster to join (e.g. 'auto' on a node of a cluster started with `ray start`, or HOST:6379); None: "
        "a local Ray on this machine's CPUs"
    )
    run_dir: str = "runs/rllib"
    """run folder: rllib_checkpoint/ (resumes), critic.pt, progress.json, log.csv, curves.png, result.json"""

    def __post_init__(self) -> None:
        """Check every field (``ValueError`` naming the field and the fix); an alias of a reward
        (:data:`REWARD_ALIASES`: ``"l2"``) becomes its name (``"dense"``)."""
        if isinstance(self.reward, str):
            self.reward = REWARD_ALIASES.get(self.reward.lower(), self.reward)
        super().__post_init__()
        if self.minibatch > self.train_batch:
            raise ValueError(f"minibatch ({self.minibatch}) cannot exceed train_batch ({self.train_batch})")

    @property
    def uses_critic(self) -> bool:
        """Whether the reward is a critic's (``"critic"`` or ``"critic-delta"``): the run trains one."""
        return self.reward.startswith("critic")

    @property
    def task(self) -> TaskSpec:
        """The task of :attr:`env` (its data set, its default stroke count)."""
        return task_spec(self.env.split("-")[1])

    @property
    def neural(self) -> bool:
        """Whether :attr:`env` is a neural-painter id (else MyPaint's)."""
        return self.env.startswith("NeuralPaint-")

    @property
    def episode_length(self) -> int:
        """T: :attr:`strokes`, or the task's own stroke count when it is 0."""
        return self.strokes or self.task.episode_length


__all__ = [
    "ALGOS",
    "ENV_IDS",
    "LEGACY_FIELDS",
    "RESUME_MAY_CHANGE",
    "REWARDS",
    "REWARD_ALIASES",
    "RUN_FILES",
    "RLlibConfig",
]
