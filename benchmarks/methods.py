"""The painting methods the benchmarks compare, and each one's configurations, in one place.

``reconstruction.py`` runs :data:`METHODS` side by side, ``rl_throughput.py`` times their RL
methods, and ``rl_search.py`` searches the SB3 configurations (:data:`SB3_CONFIGS`); every script
reads them here, none from another script.

The in-house SPIRAL-style trainer is retired (:data:`RETIRED_METHODS`): RLlib's PPO learned faster
at equal training time (``results/rllib_scaling.json``), and SPIRAL itself is RLlib's APPO with
the critic's reward (``rllib-spiral``). Its committed results stay in the tables, marked, beside
the RLlib rows that replace them; nothing trains it any more.

The RLlib methods (:data:`RLLIB_METHODS`) train with Ray RLlib, which lives in its own venv
(``make rllib-venv``): their configs are plain data (:class:`paint_gym_agents.rllib_config.RLlibConfig`),
so any venv plans and summarises them; only :meth:`RLlibMethod.run` imports Ray.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paint_gym.envs.task import task_spec
from paint_gym.training import EvalSchedule, Point
from paint_gym_agents.backprop import BackpropConfig, BackpropTrainer
from paint_gym_agents.rllib_config import RLlibConfig

#: key -> label of every method the side-by-side benchmark knows, in its tables' and plots' order.
METHODS: dict[str, str] = {
    "backprop": "backprop agent",
    "spiral": "SPIRAL-style RL, critic reward (retired trainer)",
    "spiral-dense": "SPIRAL-style RL, dense L2 reward (retired trainer)",
    "spiral-mypaint": "SPIRAL-style RL, dense L2, MyPaint env (retired trainer)",
    "sb3-ppo": "SB3 PPO",
    "sb3-sac": "SB3 SAC",
    "rllib-ppo": "RLlib PPO, dense L2 reward",
    "rllib-spiral": "SPIRAL on RLlib: APPO, critic reward",
    "rllib-spiral-mypaint": "SPIRAL on RLlib: APPO, critic reward, MyPaint env",
    "random": "random agent",
    "blank": "blank canvas",
}
#: Methods whose trainer is gone -> what replaces it: their saved results are read as they are (no
#: config to compare: nothing can re-run them), and a run asking for one without a saved result is
#: refused before anything trains.
RETIRED_METHODS: dict[str, str] = {
    "spiral": "rllib-spiral",
    "spiral-dense": "rllib-ppo",
    "spiral-mypaint": "rllib-spiral-mypaint",
}
#: Why they are retired, for the refusals.
RETIRED_WHY = (
    "the in-house SPIRAL-style trainer is retired: RLlib's PPO learned faster at equal training time "
    "(benchmarks/results/rllib_scaling.json)"
)


def retired_error(key: str) -> ValueError:
    """The error for asking to train retired method ``key``, naming the method that replaces it."""
    return ValueError(f"{key}: {RETIRED_WHY}; run {RETIRED_METHODS[key]} instead")


#: SPIRAL on RLlib: APPO with the critic's reward (SPIRAL's), in iterations of at least 1 s, not
#: RLlib's 10 s for APPO: the benchmark evaluates after an iteration (its first evaluations fall
#: at 1, 1.5, 2.3 s, ...) and the critic learns after each one (SPIRAL's actors score with a fresh one).
#: APPO, not SPIRAL's IMPALA: here IMPALA's policy collapses whatever the reward (its entropy 5 to
#: -14 within 23 s with the dense reward, to -22 within 143 s with the per-stroke critic's), APPO's
#: (IMPALA with PPO's clipped objective) does not (docs/agents.md).
#: The IMPALA run of 2026-12-06 ended at the blank canvas, 0.0860.
SPIRAL_ON_RLLIB: dict[str, Any] = {"algo": "APPO", "reward": "critic", "min_iteration_seconds": 1.0}
#: The RLlib methods (Ray RLlib, in its own venv: ``make rllib-venv``): key -> (the env's painter:
#: "NeuralPaint" the batched dab-painter env, "MyPaint" the real program as SPIRAL trained; its
#: RLlibConfig fields, RLlibConfig's defaults for the others).
RLLIB_METHODS: dict[str, tuple[str, dict[str, Any]]] = {
    "rllib-ppo": ("NeuralPaint", {"algo": "PPO", "reward": "dense"}),
    "rllib-spiral": ("NeuralPaint", SPIRAL_ON_RLLIB),
    "rllib-spiral-mypaint": ("MyPaint", SPIRAL_ON_RLLIB),
}
#: Env runners of every RLlib method: one (results/rllib_scaling.json: two were slower on 2 cores,
#: where the env runners share the cores with the learner).
RLLIB_ENV_RUNNERS = 1
RL_METHODS = ("spiral", "spiral-dense", "spiral-mypaint", "sb3-ppo", "sb3-sac", *RLLIB_METHODS)
#: Methods that need the neural painter (charged its one-off cost in the benchmark's second ratio).
PAINTER_METHODS = ("backprop", "spiral", "spiral-dense", "sb3-ppo", "sb3-sac", "rllib-ppo", "rllib-spiral")

#: Fields every SB3 configuration shares (the batched dab-painter env, 16 sub-envs).
SB3_BASE: dict[str, Any] = {"env": "neural", "num_envs": 16}
#: The SB3 search (``rl_search.py --method sb3``): name -> (label, SB3Config fields on top of SB3_BASE).
SB3_CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "ppo_separate": (
        "PPO, SB3's CNN per image (n_steps 64, batch 256, lr 3e-4, gamma 0.99)",
        {"algo": "ppo", "extractor": "separate", "n_steps": 64, "batch_size": 256},
    ),
    "ppo": (
        "PPO, stacked CNN (n_steps 64, batch 256, lr 3e-4, gamma 0.99)",
        {"algo": "ppo", "n_steps": 64, "batch_size": 256},
    ),
    "ppo_wide": (
        "PPO, stacked, 64 sub-envs x 16 steps, batch 256",
        {"algo": "ppo", "num_envs": 64, "n_steps": 16, "batch_size": 256},
    ),
    "ppo_lr1e-3": ("PPO, stacked, lr 1e-3", {"algo": "ppo", "n_steps": 64, "batch_size": 256, "lr": 1e-3}),
    "ppo_std0.37": (
        "PPO, stacked, initial policy std 0.37 (log_std_init -1)",
        {"algo": "ppo", "n_steps": 64, "batch_size": 256, "log_std_init": -1.0},
    ),
    "ppo_std0.37_short": (
        "PPO, stacked, std 0.37, short rollouts (n_steps 16, batch 64: 4x the updates per stroke)",
        {"algo": "ppo", "n_steps": 16, "batch_size": 64, "log_std_init": -1.0},
    ),
    "sac": (
        "SAC, stacked (buffer 20k, batch 256, lr 3e-4, gamma 0.99)",
        {"algo": "sac", "buffer_size": 20_000, "sac_batch_size": 256, "learning_starts": 1024},
    ),
    "sac_lr1e-3_gamma0.9": (
        "SAC, stacked, lr 1e-3, gamma 0.9",
        {
            "algo": "sac",
            "buffer_size": 20_000,
            "sac_batch_size": 256,
            "learning_starts": 1024,
            "lr": 1e-3,
            "gamma": 0.9,
        },
    ),
}
#: The SB3 configurations the side-by-side benchmark runs: the best of each algorithm in the search
#: (``results/sb3_search.json``'s ``best``; a test fails when a rerun of the search changes it).
SB3_CHOICE = {"ppo": "ppo_std0.37_short", "sac": "sac_lr1e-3_gamma0.9"}


#: The backprop agent's learning rate where the task's differs from BackpropConfig's 1e-3: CelebA
#: trains at 3e-4, as its shipped agent was trained (MANIFEST's agent_celeba). At 1e-3 two of the
#: benchmark's CelebA runs through the dab painter of 2026-12 reached 0.054 and 0.056 within 2.5
#: minutes, then their training loss rose and stayed up (finals 0.074, 0.074; benchmarks/README.md).
BACKPROP_LR: dict[str, float] = {"celeba": 3e-4}


def sb3_fields(name: str) -> dict[str, Any]:
    """The SB3Config fields of search configuration ``name``: :data:`SB3_BASE` and its changes."""
    return {**SB3_BASE, **SB3_CONFIGS[name][1]}


def method_config(key: str, args: argparse.Namespace, run_dir: Path, seed: int = 0) -> Any:
    """The trainer config of method ``key`` of :data:`METHODS` (not ``random``, ``blank`` or a
    retired one: ``ValueError``) for the task in ``args`` (``dataset``, ``strokes``, ``images``,
    ``threads``, ``budget`` in minutes) and training ``seed`` (the network's initialisation,
    batches, env resets and sampled actions); it resumes from ``run_dir``."""
    if key in RLLIB_METHODS:
        return rllib_config(key, args, run_dir, seed)
    if key in RETIRED_METHODS:
        raise retired_error(key)
    common = {
        "task": args.dataset,
        "strokes": args.strokes,
        "run_dir": str(run_dir),
        "eval_images": args.images,
        "threads": args.threads,
        "seed": seed,
    }
    if key == "backprop":
        lr = {"lr": BACKPROP_LR[args.dataset]} if args.dataset in BACKPROP_LR else {}
        return BackpropConfig(**common, **lr, minutes=args.budget, steps=10**9, eval_every=10**9, eval_split="eval")
    from paint_gym_agents.sb3 import SB3Config  # lazy: Stable-Baselines3 is optional (the rl extra)

    algo = key.split("-")[1]
    return SB3Config(**common, **sb3_fields(SB3_CHOICE[algo]))


def rllib_config(key: str, args: argparse.Namespace, run_dir: Path, seed: int = 0) -> RLlibConfig:
    """The RLlibConfig of RLlib method ``key`` (:data:`RLLIB_METHODS`) for the task in ``args``
    (``dataset``, ``strokes``, ``images``): :data:`RLLIB_ENV_RUNNERS` env runners, no iteration
    limit (the benchmark's budget stops it) and no evaluations by count (:class:`RLlibMethod`
    evaluates on the benchmark's clock). The driver's torch threads are ``--threads``'s."""
    painter, fields = RLLIB_METHODS[key]
    return RLlibConfig(
        **fields,
        env=f"{painter}-{task_spec(args.dataset).name}-v0",
        strokes=args.strokes,
        env_runners=RLLIB_ENV_RUNNERS,
        iterations=10**9,
        eval_images=args.images,
        eval_every=0,
        seed=seed,
        run_dir=str(run_dir),
    )


class RLlibMethod:
    """An RLlib method driven as the benchmark drives every trainer: a context manager whose
    :meth:`run` trains for a budget of training seconds, evaluating on the benchmark's geometric
    clock, and returns the evaluation points; ``strokes`` and ``elapsed`` (training seconds) are
    the run's totals afterwards. The run is :func:`paint_gym_agents.rllib.train` in the config's
    run folder (a local Ray started and stopped per call; it resumes from the folder's RLlib
    checkpoint). Constructing it imports no Ray; :meth:`run` needs the RLlib venv."""

    def __init__(self, config: RLlibConfig, data_dir: str | None = None) -> None:
        self.config, self.data_dir = config, data_dir
        self.strokes, self.elapsed = 0, 0.0

    def __enter__(self) -> RLlibMethod:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to release: :func:`paint_gym_agents.rllib.train` stops its algorithm and Ray."""

    def run(self, budget_seconds: float, eval_every_seconds: float = 60.0, progress: bool = True) -> list[Point]:
        """Train until the training clock (over resumes) reaches ``budget_seconds``, evaluating at
        the start, on :class:`paint_gym.training.EvalSchedule` (``eval_every_seconds``: 1 s, 1.5 s,
        2.3 s, ... then at most that far apart; checked after each RLlib iteration) and at the stop.
        ``ValueError`` for a budget that is not positive; ``ModuleNotFoundError`` without Ray."""
        if not budget_seconds > 0:
            raise ValueError(f"budget_seconds must be positive; got {budget_seconds}")
        try:
            from paint_gym_agents.rllib import train  # lazy: Ray lives in the RLlib venv
        except ModuleNotFoundError as e:
            raise ModuleNotFoundError(
                f"{e}: the RLlib methods train in the RLlib venv (make rllib-venv), e.g. "
                ".venv-rllib/bin/python benchmarks/reconstruction.py --methods rllib-ppo --no-summary"
            ) from e
        summary = train(
            self.config, self.data_dir, progress, seconds=budget_seconds, eval_clock=EvalSchedule(eval_every_seconds)
        )
        points = [Point.from_dict(p) for p in summary["points"]]
        self.strokes, self.elapsed = points[-1].strokes, float(summary["budget_seconds"])
        return points


def make_trainer(key: str, config: Any, data_dir: str | None = None) -> Any:
    """The trainer of method ``key`` for ``config`` (BackpropTrainer, SB3Trainer or
    :class:`RLlibMethod`); ``ValueError`` for a retired method (:data:`RETIRED_METHODS`)."""
    if key in RETIRED_METHODS:
        raise retired_error(key)
    if key in RLLIB_METHODS:
        return RLlibMethod(config, data_dir)
    if key == "backprop":
        return BackpropTrainer(config, data_dir)
    from paint_gym_agents.sb3 import SB3Trainer  # lazy: Stable-Baselines3 is optional (the rl extra)

    return SB3Trainer(config, data_dir)
