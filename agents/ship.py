"""Ship a trained agent checkpoint as a named agent: ``paint-gym ship-agent``.

A maintainer's step, run in a source checkout: :func:`ship_agent` copies a training run's
``agent.pt`` (any kind of :data:`paint_gym_agents.base.KINDS`: a backprop, SPIRAL-style or SB3
agent) to ``paint_gym/weights/agent_<name>.pt`` and writes its entry in the weights ``MANIFEST``
(one JSON object per line; an entry of the same name is replaced, the others are kept as they
are), so that ``load_agent("<name>")`` finds it, checks its SHA-256 and loads it with the class
its stored kind names::

    paint-gym ship-agent runs/reconstruction/mnist/sb3-ppo_seed1/agent.pt --name mnist_ppo \\
        --command "python benchmarks/reconstruction.py ..." --note "2-core CPU, ..."

The entry holds ``name`` (``agent_<name>``), ``file``, ``sha256``, ``bytes``, the training
``command``, the agent's ``kind``, ``dataset`` and ``strokes`` (from the checkpoint's config),
``steps`` and ``training_minutes`` (from what the checkpoint recorded of its best evaluation;
:func:`ship_agent` takes them for a checkpoint that recorded none), ``run_steps`` and
``run_minutes`` when the run's ``checkpoint.pt`` lies beside it, its ``eval`` figures (the
``eval_*`` values it recorded), a data set's ``notice`` (:data:`paint_gym_agents.zoo.DATA_NOTICES`)
and the ``note``: the format of the entries ``scripts/ship_weights.py`` writes for the backprop agents.

An installed package never writes into its own folder: without ``weights_dir`` the weights go to
the package's folder only when it is a source checkout's (an editable install, with
``pyproject.toml`` two levels up); otherwise give the checkout's ``paint_gym/weights``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from paint_gym import shipped_weights
from paint_gym.checkpoint import (
    CheckpointError,
    atomic_path,
    describe_payload,
    read_checkpoint,
    sha256_of,
    write_text_atomic,
)
from paint_gym.outputs import check_output_folder

from .base import KINDS, info_of, kind_of
from .zoo import DATA_NOTICES, PREFIX

#: A shipped agent's short name: lower-case letters and digits in words joined by ``_``
#: (``mnist_ppo``), at most :data:`MAX_NAME` characters; it is a file name and a MANIFEST key.
NAME_PATTERN = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
MAX_NAME = 40
#: Keys only a training checkpoint (``checkpoint.pt``: a resume state) holds, never an ``agent.pt``.
TRAINING_KEYS = ("elapsed", "history")


def check_agent_name(name: str) -> str:
    """``name`` if it can name a shipped agent (:data:`NAME_PATTERN`, at most :data:`MAX_NAME`
    characters, not starting with ``agent_``); else ``ValueError`` saying what a name may hold."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME:
        raise ValueError(
            f"agent name {name!r} is not a short name: use lower-case letters and digits in words joined by '_' "
            f"(at most {MAX_NAME} characters), e.g. 'mnist_ppo'"
        )
    if name.startswith(PREFIX):
        raise ValueError(
            f"agent name {name!r}: give the short name ({name[len(PREFIX) :]!r}); it ships as {PREFIX}<name>"
        )
    return name


def default_weights_dir() -> Path:
    """The package's weights folder (:data:`paint_gym.shipped_weights.WEIGHTS_DIR`) when it is a
    source checkout's (``pyproject.toml`` two levels up); ``ValueError`` for an installed package,
    which never writes into itself."""
    weights = Path(shipped_weights.WEIGHTS_DIR)
    if not (weights.parents[1] / "pyproject.toml").is_file():
        raise ValueError(
            f"{weights} is an installed package's folder, not a source checkout's: ship into a checkout's "
            "paint_gym/weights (--weights-dir, or run in an editable install: pip install -e .)"
        )
    return weights


def checkpoint_facts(path: str | os.PathLike) -> dict[str, Any]:
    """What the agent checkpoint ``path`` says about itself: ``kind``, ``dataset`` (its config's
    task), ``strokes``, ``config`` (the dict), ``info`` (what it recorded of its best evaluation:
    ``step``, ``seconds`` or ``minutes``, ``eval_*``). Reads with ``weights_only=True``; loads no
    model, so an SB3 agent needs no Stable-Baselines3 here.

    Raises ``FileNotFoundError`` for no file and :class:`paint_gym.checkpoint.CheckpointError`
    (a ``ValueError``) for a file that is not a torch checkpoint, holds no agent (a painter's, a
    state dict), is a training ``checkpoint.pt`` (a resume state: ship the run's ``agent.pt``)
    or has no config with the task and the strokes.
    """
    payload = read_checkpoint(path, "agent checkpoint", missing=f"no agent checkpoint at {path}")
    kind = kind_of(payload)
    if kind is None:
        raise CheckpointError(
            f"{path} is not an agent checkpoint: it holds {describe_payload(payload)} (no agent kind, one of "
            f"{', '.join(KINDS)}); ship the agent.pt of a training run"
        )
    if any(key in payload for key in TRAINING_KEYS):
        raise CheckpointError(
            f"{path} is a training checkpoint (a resume state with the optimizer's moments), not an agent: ship "
            f"the run's agent.pt (its best evaluation), {Path(path).with_name('agent.pt')}"
        )
    try:
        saved = payload["config"]
        config = json.loads(saved) if isinstance(saved, str) else dict(saved)
        dataset = str(config.get("task", config.get("dataset")))  # "dataset": the field's old name
        strokes = int(config["strokes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(
            f"{path} holds a {kind} without a readable config (its task and strokes: {type(exc).__name__}: {exc}); "
            "ship the agent.pt a trainer wrote"
        ) from exc
    return {"kind": kind, "dataset": dataset, "strokes": strokes, "config": config, "info": info_of(payload)}


def _run_length(agent_pt: Path) -> dict[str, Any]:
    """``run_steps`` and ``run_minutes`` of the run whose ``agent.pt`` this is, from the
    ``checkpoint.pt`` beside it (empty without one)."""
    state_path = agent_pt.with_name("checkpoint.pt")
    if agent_pt.name != "agent.pt" or not state_path.is_file():
        return {}
    state = read_checkpoint(state_path, "training checkpoint")
    if "step" not in state or "elapsed" not in state:
        return {}
    return {"run_steps": int(state["step"]), "run_minutes": round(float(state["elapsed"]) / 60, 1)}


def _training_length(
    path: Path, info: dict[str, Any], steps: int | None, training_minutes: float | None
) -> tuple[int, float]:
    """Steps and minutes of training of the shipped weights: given, else what the checkpoint
    recorded (``step``; ``minutes`` or ``seconds``); ``ValueError`` saying which to give if neither."""
    if steps is None:
        if "step" not in info:
            raise ValueError(f"{path} records no training step count: give it, ship_agent(..., steps=N)")
        steps = int(info["step"])
    if training_minutes is None:
        if "minutes" in info:
            training_minutes = float(info["minutes"])
        elif "seconds" in info:
            training_minutes = float(info["seconds"]) / 60
        else:
            raise ValueError(f"{path} records no training time: give it, ship_agent(..., training_minutes=M)")
    if steps < 0 or not training_minutes >= 0:
        raise ValueError(f"steps ({steps}) and training_minutes ({training_minutes}) must be >= 0")
    return int(steps), round(float(training_minutes), 1)


def record_in_manifest(entry: dict[str, Any], weights_dir: str | os.PathLike) -> None:
    """Add ``entry`` to ``weights_dir/MANIFEST``, or replace the entry of the same ``name`` in
    its place; every other line is kept, one JSON object per line; written atomically."""
    entries = shipped_weights.read_manifest(weights_dir)
    entries[entry["name"]] = entry
    text = "".join(json.dumps(e) + "\n" for e in entries.values())
    write_text_atomic(Path(weights_dir) / shipped_weights.MANIFEST, text)


def ship_agent(
    path: str | os.PathLike,
    name: str,
    command: str,
    *,
    note: str | None = None,
    steps: int | None = None,
    training_minutes: float | None = None,
    weights_dir: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Ship the agent checkpoint ``path`` as ``name``: copy it to ``weights_dir/agent_<name>.pt``
    and record its MANIFEST entry (replacing one of the same name); returns the entry.

    Args:
        path: an agent checkpoint of any kind, the ``agent.pt`` of a training run.
        name: the short name ``load_agent`` takes (``"mnist_ppo"``; :func:`check_agent_name`).
        command: the training command that produced it (recorded; not run).
        note: how it was trained (machine, sharing), recorded when given.
        steps, training_minutes: override what the checkpoint recorded (needed when it records none).
        weights_dir: the weights folder (default: the package's, in a source checkout only;
            :func:`default_weights_dir`).

    Everything is checked before anything is written. Raises ``ValueError`` for a bad name, an
    empty command, a weights folder that cannot be written or an unknown training length,
    ``FileNotFoundError`` for no file and :class:`paint_gym.checkpoint.CheckpointError` (a
    ``ValueError``) for a file that is not an agent checkpoint (:func:`checkpoint_facts`).
    """
    name = check_agent_name(name)
    if not isinstance(command, str) or not command.strip():
        raise ValueError("command: give the training command that produced the agent (it is recorded)")
    weights = check_output_folder(default_weights_dir() if weights_dir is None else weights_dir, "weights_dir")
    source = Path(path)
    facts = checkpoint_facts(source)
    done_steps, minutes = _training_length(source, facts["info"], steps, training_minutes)
    run = _run_length(source)
    shipped_weights.read_manifest(weights)  # a broken MANIFEST is refused before the copy

    dest = weights / f"{PREFIX}{name}.pt"
    weights.mkdir(parents=True, exist_ok=True)
    if not (dest.exists() and dest.resolve() == source.resolve()):  # shipping it again: keep the file
        with atomic_path(dest) as tmp:
            shutil.copyfile(source, tmp)
    entry: dict[str, Any] = {
        "name": PREFIX + name,
        "file": dest.name,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "command": command,
        "kind": facts["kind"],
        "dataset": facts["dataset"],
        "strokes": facts["strokes"],
        "steps": done_steps,
        "training_minutes": minutes,
        **run,
        "eval": {k: round(float(v), 5) for k, v in facts["info"].items() if k.startswith("eval_")},
        **({"notice": DATA_NOTICES[facts["dataset"]]} if facts["dataset"] in DATA_NOTICES else {}),
        **({"note": note} if note else {}),
    }
    record_in_manifest(entry, weights)
    return entry


__all__ = ["MAX_NAME", "NAME_PATTERN", "check_agent_name", "checkpoint_facts", "default_weights_dir", "ship_agent"]
