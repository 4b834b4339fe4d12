"""Shipped agents: ``load_agent`` by name or path, and ``ship_agent`` to add one.

Shipped agents live in ``paint_gym/weights/agent_<dataset>.pt``, each with a MANIFEST entry
(SHA-256, training command, steps, minutes on the machine that trained it, evaluation
figures); loading verifies the hash and uses ``torch.load(weights_only=True)``.

Agents trained on data whose licence forbids redistribution (CelebA: research only) are never
put in the package: their MANIFEST entry says ``"location": "cache"`` and the weights live in
the user cache (``PAINT_GYM_CACHE`` or ``~/.cache/paint_gym``, folder ``agents/``), where
``paint-gym ship-agent`` puts them after the user trains one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch

from paint_gym.painters.neural import WEIGHTS_DIR, read_manifest, record_in_manifest, sha256_of

from .backprop import BackpropAgent, read_agent

SHIPPED = ("mnist", "kmnist", "celeba")
#: Data sets whose licence keeps trained weights out of the package (they stay in the user cache).
LOCAL_ONLY = ("celeba",)


def agent_file(entry: dict[str, Any]) -> Path:
    """Where a MANIFEST entry's weights live: the package, or the user cache for local-only ones."""
    from paint_gym.data import cache_dir

    return cache_dir() / "agents" / entry["file"] if entry.get("location") == "cache" else WEIGHTS_DIR / entry["file"]


def available_agents() -> dict[str, dict[str, Any]]:
    """Shipped agents whose weights are present on this machine."""
    return {k: e for k, e in shipped_agents().items() if agent_file(e).is_file()}


def shipped_agents() -> dict[str, dict[str, Any]]:
    """MANIFEST entries of the shipped agents, by short name (``mnist``, ...)."""
    return {name[len("agent_"):]: e for name, e in read_manifest().items() if name.startswith("agent_")}


def load_agent(name_or_path: str | os.PathLike, painter: Any = None) -> BackpropAgent:
    """A shipped agent (``"mnist"``, ``"kmnist"``, ``"celeba"``) or an agent checkpoint.

    Checkpoints may be ``agent.pt`` from a training run or its ``checkpoint.pt``. The result
    paints with ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)``. ``painter``
    overrides the neural painter the agent tracks its canvas with (default: the one it was
    trained through).
    """
    key = str(name_or_path)
    shipped = shipped_agents()
    if key in shipped:
        entry = shipped[key]
        path = agent_file(entry)
        if not path.is_file() and entry.get("location") == "cache":
            raise FileNotFoundError(
                f"the {key} agent is not in the package (its training data may not be redistributed); train it with "
                f"`{entry['command']} --run-dir runs/agent_{key}` and then `paint-gym ship-agent --run runs/agent_{key} --name {entry['name']} --local`, "
                f"which puts it in {path.parent}")
        network, config, _ = read_agent(path, sha256=None if entry.get("location") == "cache" else entry["sha256"])
    elif Path(key).suffix in (".pt", ".pth") or Path(key).exists():
        network, config, _ = read_agent(key)
    else:
        raise ValueError(f"unknown agent {key!r}: use one of {', '.join(sorted(shipped)) or '(none shipped)'} or a checkpoint path")
    return BackpropAgent(network, config, painter)


def ship_agent(run_dir: str | os.PathLike, name: str, command: str, notes: dict[str, Any] | None = None, local: bool | None = None) -> dict[str, Any]:
    """Copy a run's best ``agent.pt`` into ``paint_gym/weights/<name>.pt`` with its MANIFEST entry.

    ``local`` (default: for the :data:`LOCAL_ONLY` data sets) copies it into the user cache
    instead; its entry records the figures and the command but the hash is of this machine's
    file only (a retrained agent differs), so a cache agent is loaded without a hash check.
    """
    run = Path(run_dir)
    if not (run / "agent.pt").is_file():
        raise FileNotFoundError(f"{run}/agent.pt not found: train with `paint-gym train-agent --run-dir {run}` first")
    state = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=True)
    payload = torch.load(run / "agent.pt", map_location="cpu", weights_only=True)
    best = json.loads(payload["extra"])
    config = json.loads(state["config"])
    local = config["dataset"] in LOCAL_ONLY if local is None else local
    file = f"{name}.pt"
    location = {"location": "cache"} if local else {}
    dest = agent_file({"file": file, **location})
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run / "agent.pt", dest)
    entry = {
        "name": name,
        "file": file,
        **location,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "command": command,
        "dataset": config["dataset"],
        "strokes": config["strokes"],
        "steps": int(best.get("step", state["step"])),
        "training_minutes": round(float(best.get("minutes", state["elapsed"] / 60)), 1),
        "run_steps": int(state["step"]),
        "run_minutes": round(float(state["elapsed"]) / 60, 1),
        "eval": {k: round(v, 5) for k, v in best.items() if k.startswith("eval_")},
        **(notes or {}),
    }
    record_in_manifest(entry)
    return entry
