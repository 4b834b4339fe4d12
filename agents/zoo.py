"""Shipped agents and checkpoints of any kind: ``load_agent`` by name or path.

A checkpoint records its agent's kind (:data:`paint_gym_agents.base.KINDS`: ``backprop_agent``,
``sb3_agent``, ``random_agent``, ``rllib_policy``); :func:`load_agent` reads it and loads the
file with that class's ``load``, so an SB3 or exported RLlib run is shipped, demoed and evaluated as a
backprop one is. An RLlib run is a folder, not a file (``progress.json`` and RLlib's checkpoint):
``load_agent(run_dir)`` loads it as kind ``rllib_agent`` (:class:`paint_gym_agents.rllib.RLlibAgent`,
which needs Ray RLlib, in its own environment: ``make rllib-venv``); its policy exported with
``paint-gym export-rllib`` is a file of kind ``rllib_policy``
(:class:`paint_gym_agents.rllib_export.RLlibPolicyAgent`), which loads without Ray.

Shipped agents are listed in the weights MANIFEST as ``agent_<short name>`` (SHA-256, training
command, steps, minutes on the machine that trained it, evaluation figures), read anew at each
call: ``agent_mnist`` loads as ``load_agent("mnist")``, an RL agent shipped with
``python scripts/ship_weights.py agent --name agent_mnist_ppo`` (a maintainer's tool) as ``"mnist_ppo"``. Their
files are found and hash-checked by :mod:`paint_gym.shipped_weights` and loaded with
``torch.load(weights_only=True)``.

The CelebA agents (``celeba``: 15 strokes, ``celeba30``: 30 strokes) are in the package under
their own terms, stated in ``paint_gym/weights/NOTICE``: derived from CelebA (Liu et al., 2015),
for non-commercial research only; the code stays MIT. (An entry may still say
``"location": "cache"`` for weights kept in the user cache, ``PAINT_GYM_CACHE`` or
``~/.cache/paint_gym``, folder ``agents/``; none of the shipped ones does.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from paint_gym.shipped_weights import file_of, is_present, read_manifest, verified_path

from .backprop import BackpropAgent
from .base import Agent, read_kind
from .random_agent import RandomAgent
from .rllib_config import RLLIB_INSTALL
from .rllib_config import RUN_FILES as RLLIB_RUN_FILES
from .rllib_export import RLlibPolicyAgent

SHIPPED = ("mnist", "kmnist", "celeba", "celeba30")
#: Data sets whose licence keeps trained weights out of the package (they stay in the user cache):
#: none; CelebA's terms allow derived data for non-commercial research, stated in weights/NOTICE.
LOCAL_ONLY: tuple[str, ...] = ()
#: The terms of agents derived from a data set, recorded in their MANIFEST entries (weights/NOTICE).
DATA_NOTICES = {
    "celeba": "derived from CelebA (Liu et al., 2015): non-commercial research use only; see paint_gym/weights/NOTICE"
}
PREFIX = "agent_"
#: The kind of an RLlib run folder (:class:`paint_gym_agents.rllib.RLlibAgent`), recognised by the
#: file every RLlib run writes (its config and progress).
RLLIB_KIND = "rllib_agent"
RLLIB_PROGRESS = RLLIB_RUN_FILES[0]  # progress.json


def shipped_agents() -> dict[str, dict[str, Any]]:
    """MANIFEST entries of the shipped agents, by short name (``mnist``, ...)."""
    return {name[len(PREFIX) :]: e for name, e in read_manifest().items() if name.startswith(PREFIX)}


def available_agents() -> dict[str, dict[str, Any]]:
    """Shipped agents whose weights are present on this machine."""
    return {k: e for k, e in shipped_agents().items() if is_present(e)}


def _missing_message(key: str, entry: dict[str, Any]) -> str:
    if entry.get("location") == "cache":
        return (
            f"the {key} agent is not in the package (its training data may not be redistributed); train it with "
            f"`{entry['command']} --run-dir runs/agent_{key}` and copy runs/agent_{key}/agent.pt to {file_of(entry)}"
        )
    return f"the shipped {key} agent ({entry['file']}) is missing: reinstall paint-gym"


def agent_class(kind: str) -> type:
    """The class that loads agents of ``kind``: a checkpoint's kind (:data:`paint_gym_agents.base.KINDS`)
    or :data:`RLLIB_KIND` (an RLlib run folder).

    SB3's class and RLlib's run-folder class are imported only when asked for: without
    Stable-Baselines3 (the ``rl`` extra) or Ray RLlib (its own venv, ``make rllib-venv``) this raises
    ``ModuleNotFoundError`` saying how to install it (an exported ``rllib_policy`` needs neither).
    ``ValueError`` for an unknown kind.
    """
    if kind == "sb3_agent":
        from .sb3 import SB3Agent  # lazy: Stable-Baselines3 is optional; ModuleNotFoundError says how to install it

        return SB3Agent
    if kind == RLLIB_KIND:
        try:
            from .rllib import RLlibAgent  # lazy: Ray is not in the main environment
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(f"RLlib agents need Ray RLlib ({exc}): {RLLIB_INSTALL}", name=exc.name) from exc
        return RLlibAgent
    classes: dict[str, type] = {cls.KIND: cls for cls in (BackpropAgent, RandomAgent, RLlibPolicyAgent)}
    if kind not in classes:
        known = ", ".join([*classes, "sb3_agent", RLLIB_KIND])
        raise ValueError(f"unknown agent kind {kind!r}: one of {known}")
    return classes[kind]


def is_rllib_run(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an RLlib run folder (it holds ``progress.json``): what ``load_agent`` loads as
    :data:`RLLIB_KIND`."""
    return Path(path).is_dir() and (Path(path) / RLLIB_PROGRESS).is_file()


def load_agent(name_or_path: str | os.PathLike, **kwargs: Any) -> Agent:
    """A shipped agent (``"mnist"``, ``"kmnist"``, ``"celeba"``, ``"mnist_ppo"``, ...: any
    ``agent_<name>`` of the MANIFEST), an agent checkpoint of any kind, or an RLlib run folder.

    Checkpoints may be ``agent.pt`` from a training run or its ``checkpoint.pt``; the kind stored
    in the file picks the class, whose ``load`` gets ``kwargs`` (e.g. ``painter=`` for the
    neural painter a backprop agent paints its own canvas with). A folder holding
    ``progress.json`` is an RLlib run (:data:`RLLIB_KIND`). Every agent paints with
    ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)``. Raises ``ValueError`` for an
    unknown name, ``FileNotFoundError`` for absent weights (saying how to get them),
    :class:`paint_gym.checkpoint.CheckpointError` for a corrupt or tampered file or one that
    holds no agent, and ``ModuleNotFoundError`` (saying how to install it) for an SB3 agent
    without Stable-Baselines3 or an RLlib run without Ray.
    """
    key = str(name_or_path)
    shipped = shipped_agents()
    if key in shipped:
        path = verified_path(PREFIX + key, _missing_message(key, shipped[key]))
    elif is_rllib_run(key):
        return agent_class(RLLIB_KIND).load(key, **kwargs)
    elif Path(key).suffix in (".pt", ".pth") or Path(key).exists():
        path = Path(key)
    else:
        raise ValueError(
            f"unknown agent {key!r}: use one of {', '.join(sorted(shipped)) or '(none shipped)'} or a checkpoint path"
        )
    return agent_class(read_kind(path)).load(path, **kwargs)


__all__ = [
    "DATA_NOTICES",
    "LOCAL_ONLY",
    "RLLIB_KIND",
    "SHIPPED",
    "agent_class",
    "available_agents",
    "is_rllib_run",
    "load_agent",
    "shipped_agents",
]
