"""The agents' ``paint-gym`` commands: ``demo``, ``train-agent``, ``train-rllib``,
``export-rllib``, ``eval``, ``paint``.

Registered with the ``paint-gym`` command through the ``paint_gym.commands`` entry point (see
pyproject.toml), as a plug-in's commands would be: :func:`commands` returns them by name, and
the library never imports this package. Each command is a function of one config dataclass,
whose fields are its flags with their docstrings as help (:mod:`paint_gym.command`); the
training commands take the agents' own configs (:class:`~paint_gym_agents.backprop.BackpropConfig`,
:class:`~paint_gym_agents.rllib_config.RLlibConfig`), so every hyperparameter is a flag. Thin callers
of :mod:`paint_gym_agents.backprop`, :mod:`~paint_gym_agents.rllib`,
:mod:`~paint_gym_agents.evaluate` and :mod:`~paint_gym_agents.demo`. Shipping trained weights into the
package is a maintainer's tool, ``scripts/ship_weights.py``, not a command: an installed package never
writes into its own folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar, Literal

import tyro

from paint_gym.checkpoint import write_text_atomic
from paint_gym.command import Command, base_config
from paint_gym.data import DATASETS
from paint_gym.devices import check_device
from paint_gym.envs.task import TASKS
from paint_gym.outputs import Output, run_folder_outputs
from paint_gym.painters.base import DEFAULT_PAINTER
from paint_gym.photo.cli import ERROR_GUESS, PaintArgs, run_paint
from paint_gym.validation import check_int

from .backprop import BackpropAgent, BackpropConfig
from .base import run_outputs
from .demo import random_demo, run_compare, run_demo
from .evaluate import evaluate_table
from .rllib_config import RUN_FILES as RLLIB_RUN_FILES
from .rllib_config import RLlibConfig
from .zoo import load_agent

TASK_NAMES = tuple(TASKS)


@dataclass(frozen=True)
class DemoArgs:
    tasks: tuple[Literal[DATASETS], ...] = ()
    """Tasks to paint, each by its shipped agent (none given: every task with a shipped agent and its data
    on this machine)."""
    images: int = 8
    """Evaluation images per task."""
    first: int = 0
    """Index of the first evaluation image."""
    out: str = "demo.png"
    """PNG to write."""
    scale: int = 3
    """Pixel zoom of the written PNG."""
    random: bool = False
    """Instead: one MyPaint env episode of random strokes (--task, --seed, --painter)."""
    compare: bool = False
    """Instead: RL and backprop side by side, rows of target | backprop agent | PPO agent | SPIRAL agent,
    each replayed in MyPaint, on the same images (--tasks; none given: those with shipped RL agents, else mnist;
    an RL agent not shipped, or SB3 not installed, is left out with a note)."""
    task: Literal[TASK_NAMES] = "MNIST"
    """Task of the random episode."""
    seed: int = 0
    """Seed of the random episode (its target and its strokes)."""
    painter: str = DEFAULT_PAINTER
    """Neural painter shown beside MyPaint in the random episode: 'dab' (default), 'gan', 'vae' or a checkpoint."""
    data_dir: str | None = None
    """Folder with the data archives (None: PAINT_GYM_DATA, the cache, or a download)."""

    cli_outputs: ClassVar[dict[str, str]] = {"out": "image"}  # checked before any work (paint_gym.command)
    renamed: ClassVar[dict[str, str]] = {"datasets": "tasks"}  # the old flag still works (docs/glossary.md)

    def __post_init__(self) -> None:
        for name, low in (("images", 1), ("first", 0), ("scale", 1), ("seed", 0)):
            check_int(f"--{name}", getattr(self, name), low=low)
        if self.random and self.compare:
            raise ValueError("--random and --compare are two different demos: give one of them")


def demo(config: DemoArgs) -> int:
    """The shipped agents paint evaluation images; writes target | neural | MyPaint rows as a PNG."""
    if config.random:
        random_demo(config.task, config.seed, config.painter, config.out, config.scale, config.data_dir)
    else:
        demo = run_compare if config.compare else run_demo  # the same arguments: one call
        demo(
            config.tasks or None,
            config.images,
            config.out,
            first=config.first,
            data_dir=config.data_dir,
            scale=config.scale,
        )
    return 0


def _report(agent: object, run_dir: str) -> None:
    """Print the best evaluation of a training run and what it wrote (once under torchrun)."""
    if int(os.environ.get("RANK", "0")) != 0:
        return
    info = getattr(agent, "info", {}) or {}
    if "eval_mypaint_mse" in info:
        neural = f"neural {info['eval_neural_mse']:.4f}, " if "eval_neural_mse" in info else ""
        print(f"best evaluation: {neural}MyPaint replay {info['eval_mypaint_mse']:.4f}")
    print(f"wrote {run_dir}/agent.pt (best evaluation), checkpoint.pt (resumes), log.csv, curves.png")


@dataclass(kw_only=True)
class TrainAgentArgs(BackpropConfig):
    """A backprop agent run (:class:`BackpropConfig`) and where its data are."""

    run_dir: str | None = None
    """Run folder: checkpoint.pt (resumes), agent.pt (best evaluation), log.csv, curves.png
    (None: runs/agent_TASK_STROKES)."""
    data_dir: str | None = None
    """Folder with the data archives (None: PAINT_GYM_DATA, the cache, or a download)."""

    cli_outputs: ClassVar[dict[str, str]] = {"run_dir": "folder"}

    def __post_init__(self) -> None:
        super().__post_init__()
        check_device(self.device)  # this machine trains on it: a missing GPU is refused before the data load

    def resolved_run_dir(self) -> str:
        """``--run-dir``, or its default runs/agent_TASK_STROKES."""
        return self.run_dir or f"runs/agent_{self.task}_{self.strokes}"

    def derived_outputs(self) -> list[Output]:
        """The run folder (its default too) and the files written in it, checked before any work."""
        return run_outputs(self.resolved_run_dir(), "--run-dir")


def train_agent(config: TrainAgentArgs) -> int:
    """Train the backprop agent through a neural painter (checkpoints, resumes; torchrun for data-parallel)."""
    cfg = base_config(config, BackpropConfig, run_dir=config.resolved_run_dir())
    agent = BackpropAgent.train(cfg, data_dir=config.data_dir)
    _report(agent, cfg.run_dir)
    return 0


@dataclass(kw_only=True)
class TrainRLlibArgs(RLlibConfig):
    """An RLlib run (:class:`~paint_gym_agents.rllib_config.RLlibConfig`) and where its data are."""

    data_dir: str | None = None
    """Folder with the data archives (None: PAINT_GYM_DATA, the cache, or a download)."""

    cli_outputs: ClassVar[dict[str, str]] = {"run_dir": "folder"}

    def derived_outputs(self) -> list[Output]:
        """The run folder and the files written in it, checked before any work."""
        return run_folder_outputs(self.run_dir, "--run-dir", RLLIB_RUN_FILES)


def train_rllib(config: TrainRLlibArgs) -> int:
    """Train PPO, APPO or IMPALA with Ray RLlib on a paint-gym id (local Ray or --address; resumes)."""
    try:
        from .rllib import train
    except ModuleNotFoundError as error:  # Ray is not in this environment
        raise SystemExit(
            f"train-rllib needs Ray RLlib ({error}); it lives in its own environment: `make rllib-venv`, then "
            ".venv-rllib/bin/paint-gym train-rllib ... (docs/agents.md, RLlib)"
        ) from error
    summary = train(base_config(config, RLlibConfig), data_dir=config.data_dir)
    print(
        f"{summary['method']}: MyPaint replay MSE {summary['final_mse']:.4f} after "
        f"{summary['points'][-1]['strokes']:,} strokes, {summary['strokes_per_second']:.0f} strokes/s"
    )
    print(f"wrote {config.run_dir}/rllib_checkpoint (resumes), result.json, log.csv, curves.png")
    return 0


@dataclass(frozen=True)
class ExportRLlibArgs:
    run: Annotated[str, tyro.conf.Positional, tyro.conf.arg(metavar="RUN_DIR")] = "runs/rllib"
    """RLlib run folder to export (train-rllib's --run-dir): its progress.json and rllib_checkpoint/."""
    out: str | None = None
    """Agent checkpoint to write (.pt; None: RUN_DIR/agent.pt), loadable without Ray by load_agent (and shipped
    by scripts/ship_weights.py agent)."""

    cli_outputs: ClassVar[dict[str, str]] = {"out": "checkpoint"}

    def resolved_out(self) -> str:
        """``--out``, or its default RUN_DIR/agent.pt."""
        return self.out if self.out is not None else str(Path(self.run) / "agent.pt")

    def derived_outputs(self) -> list[Output]:
        """The default agent.pt in the run folder, checked before any work when --out is not given."""
        if self.out is not None:
            return []
        return [Output("RUN_DIR's agent.pt", "checkpoint", Path(self.resolved_out()), derived=True)]


def export_rllib(config: ExportRLlibArgs) -> int:
    """Export an RLlib run's policy as an agent checkpoint that loads without Ray (needs Ray to read the run)."""
    from .rllib_export import export_policy

    try:
        path = export_policy(config.run, config.resolved_out())
    except ModuleNotFoundError as error:  # Ray is not in this environment; its message says how to get it
        raise SystemExit(f"paint-gym: error: {error}; the agent.pt it writes then loads without Ray") from error
    print(f"wrote {path}: the policy of {config.run} (kind rllib_policy); load it with load_agent({str(path)!r})")
    return 0


@dataclass(frozen=True)
class EvalArgs:
    agent: str
    """Shipped agent name (mnist, kmnist, mnist_precond, celeba, celeba30, mnist_ppo, mnist_spiral) or a checkpoint."""
    task: Literal[DATASETS] | None = None
    """Task to evaluate on (None: the agent's own)."""
    images: int = 200
    """Evaluation images (the first N of the split)."""
    direct_steps: int = 400
    """Adam steps of the per-image direct optimisation reference (0: skip it)."""
    direct_images: int = 20
    """Images for the (slow) direct optimisation reference."""
    painter: str = DEFAULT_PAINTER
    """Neural painter of the neural canvas: 'dab' (default), 'gan', 'vae' or a checkpoint."""
    figure: str | None = "figure7.png"
    """Image of target | neural | MyPaint rows (the paper's Figure 7; None: no figure)."""
    json: str | None = None
    """Also write the table as JSON to this file (.json)."""
    data_dir: str | None = None
    """Folder with the data archives (None: PAINT_GYM_DATA, the cache, or a download)."""

    cli_outputs: ClassVar[dict[str, str]] = {"figure": "image", "json": "json"}
    renamed: ClassVar[dict[str, str]] = {"dataset": "task"}  # the old flag still works (docs/glossary.md)

    def __post_init__(self) -> None:
        for name, low in (("images", 1), ("direct_steps", 0), ("direct_images", 0)):
            check_int(f"--{name.replace('_', '-')}", getattr(self, name), low=low)


def evaluate(config: EvalArgs) -> int:
    """Score an agent on the evaluation split: neural canvas, MyPaint replay, transfer gap; Figure 7."""
    table = evaluate_table(
        config.agent,
        config.task,
        images=config.images,
        direct_steps=config.direct_steps,
        direct_images=config.direct_images,
        figure=config.figure,
        data_dir=config.data_dir,
        painter=config.painter,
    )
    if config.json:
        write_text_atomic(config.json, json.dumps(table, indent=2))
        print(f"wrote {config.json}")
    return 0


def paint(config: PaintArgs) -> int:
    """Paint a photo with strokes, coarse to fine, replayed in MyPaint; writes its strokes (JSON), SVG, ORA and GIF."""
    guess = None if config.first_guess == ERROR_GUESS else load_agent(config.first_guess)
    return run_paint(config, guess)


def commands() -> dict[str, Command]:
    """The agents' commands by name: the ``paint_gym.commands`` entry point."""
    return {
        "demo": demo,
        "train-agent": train_agent,
        "train-rllib": train_rllib,
        "export-rllib": export_rllib,
        "eval": evaluate,
        "paint": paint,
    }


__all__ = ["commands"]
