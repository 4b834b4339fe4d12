"""What every agent shares: the verbs (:class:`Agent`) and the kinds of agent checkpoints.

Every agent of this package answers to the same verbs, as Stable-Baselines3's algorithms do:

* ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)``: all strokes of each painting;
* ``act(observation) -> (12,)``: the next stroke for an env observation ``{"canvas", "target"}``;
  after ``reset()``, T calls on one env episode give the strokes ``paint`` gives for its target;
* ``reset()``: forget the episode (recurrent state, pen, stroke counter);
* ``save(path)`` and the classmethod ``load(path)``: one checkpoint, written atomically and read
  with ``torch.load(weights_only=True)`` (:mod:`paint_gym.checkpoint`), holding the agent's
  ``kind`` (:data:`KINDS`) and its config as JSON;
* the classmethod ``train(config, budget_seconds=None, run_dir=None) -> agent``: trains (resuming
  from ``run_dir`` when it holds a checkpoint) and returns the best agent of the run.

A plug-in agent scored by ``paint-gym bench`` needs only ``paint`` and ``act``
(:class:`paint_gym.benchmark.protocol.PaintingAgent`). :func:`paint_gym_agents.load_agent`
reads the kind of a checkpoint and loads it with the right class.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import numpy as np

from paint_gym.benchmark.protocol import check_targets
from paint_gym.checkpoint import (
    CheckpointError,
    config_to_json,
    describe_payload,
    read_checkpoint,
    write_checkpoint,
)
from paint_gym.outputs import Output, check_all, run_folder_outputs
from paint_gym.runlog import CURVES_PNG, LOG_CSV

T = TypeVar("T")

#: Checkpoint kind -> the class that loads it, and what the evaluation tables call it.
KINDS: dict[str, tuple[str, str]] = {
    "backprop_agent": ("paint_gym_agents.backprop.BackpropAgent", "backprop agent"),
    "sb3_agent": ("paint_gym_agents.sb3.SB3Agent", "SB3 agent"),
    "random_agent": ("paint_gym_agents.random_agent.RandomAgent", "random agent"),
    "rllib_policy": ("paint_gym_agents.rllib_export.RLlibPolicyAgent", "RLlib agent"),
}
#: Kinds no class loads any more -> why, and what to use instead (their checkpoints get a CheckpointError saying so).
RETIRED_KINDS: dict[str, str] = {
    "spiral_agent": (
        "the in-house SPIRAL-style trainer (train-spiral) was retired in favour of Ray RLlib, whose PPO learned "
        "faster at equal budget (benchmarks/results/rllib_scaling.json): train SPIRAL with `paint-gym train-rllib "
        "--algo APPO --reward critic` in the RLlib venv (make rllib-venv) and export it with `paint-gym "
        "export-rllib`"
    ),
}
#: Training checkpoints written before they recorded their kind, recognised by a key only they hold.
_LEGACY_TRAINING_KEYS = {"agent": "backprop_agent", "policy": "spiral_agent", "params": "sb3_agent"}


@runtime_checkable
class Agent(Protocol):
    """The verbs every agent of this package has (see the module docstring)."""

    KIND: ClassVar[str]
    n_strokes: int

    def paint(self, targets: np.ndarray) -> np.ndarray: ...

    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray: ...

    def reset(self) -> None: ...

    def save(self, path: str | os.PathLike) -> Path: ...

    @classmethod
    def load(cls, path: str | os.PathLike) -> Agent: ...

    @classmethod
    def train(
        cls, config: Any, budget_seconds: float | None = None, run_dir: str | os.PathLike | None = None
    ) -> Agent: ...


def kind_of(payload: dict[str, Any]) -> str | None:
    """The agent kind of a checkpoint's payload (``agent.pt`` or a training ``checkpoint.pt``),
    or None when it is no agent checkpoint (a painter's, say)."""
    kind = _stored_kind(payload)
    return kind if kind in KINDS else None


def _stored_kind(payload: dict[str, Any]) -> str | None:
    """The kind a checkpoint's payload records, or the one its legacy key names (known or not)."""
    kind = payload.get("kind")
    return kind if kind is not None else next((k for key, k in _LEGACY_TRAINING_KEYS.items() if key in payload), None)


def retired_kind(payload: dict[str, Any]) -> str | None:
    """The retired kind (:data:`RETIRED_KINDS`) of a checkpoint's payload, or None."""
    kind = _stored_kind(payload)
    return kind if kind in RETIRED_KINDS else None


def raise_if_retired(path: str | os.PathLike, payload: dict[str, Any]) -> None:
    """:class:`CheckpointError` naming what replaced it when ``payload`` (read from ``path``) is
    of a retired kind (:data:`RETIRED_KINDS`)."""
    retired = retired_kind(payload)
    if retired is not None:
        why = RETIRED_KINDS[retired]
        raise CheckpointError(f"{path} is a {retired} checkpoint, which paint-gym no longer loads: {why}")


def write_agent_checkpoint(agent: Any, path: str | os.PathLike, **state: Any) -> Path:
    """Write ``agent`` to ``path`` atomically: its ``kind``, its config as JSON, ``state`` (the
    weights, under the keys its ``load`` reads) and its ``info`` as JSON (``extra``); return the path."""
    write_checkpoint(
        {"kind": agent.KIND, "config": config_to_json(agent.config), **state, "extra": json.dumps(agent.info)}, path
    )
    return Path(path)


def info_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``info`` an agent checkpoint's payload holds (``{}`` for a training checkpoint)."""
    return json.loads(payload.get("extra", "{}"))


#: The files every agent trainer writes in its run folder.
RUN_FILES = ("checkpoint.pt", "agent.pt", LOG_CSV, CURVES_PNG)


def run_outputs(run_dir: str | os.PathLike, name: str = "run_dir") -> list[Output]:
    """A training run's folder and the files written in it (:data:`RUN_FILES`), for
    :func:`paint_gym.outputs.check_all` (``name``: how messages call the folder)."""
    return run_folder_outputs(run_dir, name, RUN_FILES)


def check_agent_targets(targets: Any, canvas_size: int) -> np.ndarray:
    """``targets`` as :func:`paint_gym.benchmark.protocol.check_targets` returns them, for an agent
    that paints ``canvas_size`` x ``canvas_size`` canvases: ``ValueError`` naming both sizes otherwise."""
    arr = check_targets(targets)
    if arr.shape[1:3] != (canvas_size,) * 2:
        raise ValueError(f"this agent paints {canvas_size}x{canvas_size} targets; got {arr.shape[1]}x{arr.shape[2]}")
    return arr


def train_with(
    trainer_class: Callable[[Any, str | os.PathLike | None], Any],
    config: Any,
    budget_seconds: float | None,
    run_dir: str | os.PathLike | None,
    data_dir: str | os.PathLike | None,
    eval_every_seconds: float,
    progress: bool,
) -> Any:
    """What every trained agent's ``train`` does: run ``trainer_class(config, data_dir)`` (in
    ``run_dir`` when given, else ``config.run_dir``) and return the best agent of the run.
    The run folder and its files (:data:`RUN_FILES`) are checked first, before the data are
    read: ``ValueError`` naming one that cannot be written (:mod:`paint_gym.outputs`)."""
    if run_dir is not None:
        config = dataclasses.replace(config, run_dir=str(run_dir))
    check_all(run_outputs(config.run_dir))
    with trainer_class(config, data_dir) as trainer:
        trainer.run(budget_seconds, eval_every_seconds, progress)
        return trainer.best_agent()


def read_agent_checkpoint(
    path: str | os.PathLike,
    kind: str,
    build: Callable[[dict[str, Any]], T],
    *,
    sha256: str | None = None,
    missing: str | None = None,
) -> T:
    """Read the agent checkpoint ``path`` with ``weights_only=True`` (SHA-256 checked when given)
    and ``build`` the agent from its payload.

    Raises ``FileNotFoundError`` (with ``missing``: say how to make one) and
    :class:`paint_gym.checkpoint.CheckpointError` for a corrupt file or one of another kind,
    naming the class that loads it.
    """

    def checked(payload: dict[str, Any]) -> T:
        raise_if_retired(path, payload)
        found = kind_of(payload)
        if found != kind:
            what = (
                f"a {found} checkpoint" if found else f"not an agent checkpoint (it holds {describe_payload(payload)})"
            )
            fix = (
                f"load it with {KINDS[found][0]}.load or " if found else "give an agent.pt or checkpoint.pt of a run; "
            )
            raise CheckpointError(
                f"{path} is {what}, not a {kind} one: {fix}paint_gym_agents.load_agent loads any kind"
            )
        return build(payload)

    return read_checkpoint(path, f"{kind.replace('_', ' ')} checkpoint", checked, sha256=sha256, missing=missing)


def read_kind(path: str | os.PathLike, sha256: str | None = None) -> str:
    """The agent kind stored in the checkpoint ``path`` (:class:`CheckpointError` if it has none)."""
    payload = read_checkpoint(path, "agent checkpoint", sha256=sha256, missing=f"no agent checkpoint at {path}")
    raise_if_retired(path, payload)
    kind = kind_of(payload)
    if kind is None:
        held = describe_payload(payload)
        raise CheckpointError(
            f"{path} is not an agent checkpoint: it holds {held} (no agent kind, one of {', '.join(KINDS)}): "
            "give the agent.pt or checkpoint.pt of a training run"
            + (" (load a painter with paint_gym.load_painter)" if "painter" in held else "")
        )
    return kind


def label_of(agent: Any) -> str:
    """What evaluation tables call ``agent``: ``"backprop agent"``, ... or its class name (a plug-in)."""
    kind = getattr(agent, "KIND", None)
    return KINDS[kind][1] if kind in KINDS else type(agent).__name__


__all__ = [
    "KINDS",
    "RETIRED_KINDS",
    "Agent",
    "check_agent_targets",
    "info_of",
    "kind_of",
    "label_of",
    "read_agent_checkpoint",
    "raise_if_retired",
    "read_kind",
    "retired_kind",
    "train_with",
    "write_agent_checkpoint",
]
