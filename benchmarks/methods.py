"""The painting methods the benchmarks compare, and each one's configurations, in one place.

``reconstruction.py`` runs :data:`METHODS` side by side, ``rl_throughput.py`` times their RL
methods, and ``rl_search.py`` searches the configurations of one RL method (:data:`SB3_CONFIGS`,
:data:`SPIRAL_CONFIGS`); every script reads them here, none from another script.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paint_gym_agents.backprop import BackpropConfig, BackpropTrainer
from paint_gym_agents.spiral import SpiralConfig, SpiralTrainer

#: key -> label of every method the side-by-side benchmark knows, in its tables' and plots' order.
METHODS: dict[str, str] = {
    "backprop": "backprop agent",
    "spiral": "SPIRAL-style RL, critic reward",
    "spiral-dense": "SPIRAL-style RL, dense L2 reward",
    "spiral-mypaint": "SPIRAL-style RL, dense L2, MyPaint env",
    "sb3-ppo": "SB3 PPO",
    "sb3-sac": "SB3 SAC",
    "random": "random agent",
    "blank": "blank canvas",
}
RL_METHODS = ("spiral", "spiral-dense", "spiral-mypaint", "sb3-ppo", "sb3-sac")
#: Methods that need the neural painter (charged its one-off cost in the benchmark's second ratio).
PAINTER_METHODS = ("backprop", "spiral", "spiral-dense", "sb3-ppo", "sb3-sac")

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

#: The SPIRAL diagnosis (``rl_search.py --method spiral``): name -> (label, SpiralConfig fields
#: changed from the defaults). Its JSON calls them variants.
SPIRAL_CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "unbounded": ("first release: unbounded mean, raw critic reward", {"bounded_mean": False, "reward_norm": False}),
    "bounded": ("tanh-bounded mean, raw critic reward", {"reward_norm": False}),
    "bounded_dense": ("tanh-bounded mean, raw critic + dense L2 x100", {"reward_norm": False, "dense_l2": 100.0}),
    "normalized": ("bounded mean, normalised critic reward (default)", {}),
    "normalized_dense": ("bounded mean, normalised critic + dense L2 x100", {"dense_l2": 100.0}),
    "dense": ("bounded mean, dense L2 reward only (no critic)", {"adversarial": 0.0, "dense_l2": 100.0}),
    "dense_wide": (
        "dense L2 only, 64 envs, 2 epochs x 4 minibatches, no entropy bonus",
        {"adversarial": 0.0, "dense_l2": 100.0, "num_envs": 64, "update_epochs": 2, "minibatches": 4, "ent_coef": 0.0},
    ),
}
#: The SPIRAL configuration ``spiral-dense`` and ``spiral-mypaint`` run: the diagnosis's best.
SPIRAL_CHOICE = "dense_wide"


def sb3_fields(name: str) -> dict[str, Any]:
    """The SB3Config fields of search configuration ``name``: :data:`SB3_BASE` and its changes."""
    return {**SB3_BASE, **SB3_CONFIGS[name][1]}


def method_config(key: str, args: argparse.Namespace, run_dir: Path, seed: int = 0) -> Any:
    """The trainer config of method ``key`` of :data:`METHODS` (not ``random`` or ``blank``) for
    the task in ``args`` (``dataset``, ``strokes``, ``images``, ``threads``, ``budget`` in minutes,
    ``spiral_mode``) and training ``seed`` (the network's initialisation, batches, env resets and
    sampled actions); it resumes from ``run_dir``."""
    common = {
        "task": args.dataset,
        "strokes": args.strokes,
        "run_dir": str(run_dir),
        "eval_images": args.images,
        "threads": args.threads,
        "seed": seed,
    }
    if key == "backprop":
        return BackpropConfig(**common, minutes=args.budget, steps=10**9, eval_every=10**9, eval_split="eval")
    if key == "spiral":  # SPIRAL's own reward: the critic's score of the final canvas (the default config)
        return SpiralConfig(**common, action_mode=args.spiral_mode)
    if key.startswith("spiral"):
        dense = dict(SPIRAL_CONFIGS[SPIRAL_CHOICE][1])
        if key == "spiral-mypaint":  # 2 MyPaint worker processes x 8 episodes each per update
            dense.update(env="mypaint", num_envs=2, episodes_per_env=8)
        return SpiralConfig(**common, action_mode=args.spiral_mode, **dense)
    from paint_gym_agents.sb3 import SB3Config  # lazy: Stable-Baselines3 is optional (the rl extra)

    algo = key.split("-")[1]
    return SB3Config(**common, **sb3_fields(SB3_CHOICE[algo]))


def make_trainer(key: str, config: Any, data_dir: str | None = None) -> Any:
    """The trainer of method ``key`` for ``config`` (BackpropTrainer, SpiralTrainer or SB3Trainer)."""
    if key == "backprop":
        return BackpropTrainer(config, data_dir)
    if key.startswith("spiral"):
        return SpiralTrainer(config, data_dir)
    from paint_gym_agents.sb3 import SB3Trainer  # lazy: Stable-Baselines3 is optional (the rl extra)

    return SB3Trainer(config, data_dir)
