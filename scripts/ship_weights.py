r"""Ship trained weights into the repository: copy the file and record its MANIFEST entry.

A maintainer's tool, not a ``paint-gym`` command: an installed package never writes into its
own folder. It writes into this checkout's ``paint_gym/weights/`` (or ``--weights-dir``), from
where the next release carries the file; :mod:`paint_gym.shipped_weights` reads the entries.

    python scripts/ship_weights.py painter --kind gan --run runs/gan_painter --command "paint-gym train-painter ..."
    python scripts/ship_weights.py painter --kind dab --brush classic/pen --run runs/dab_pen --command "..."
    python scripts/ship_weights.py agent --run runs/agent_mnist_8 --name agent_mnist \
        --command "paint-gym train-agent ..."
    python scripts/ship_weights.py agent --run runs/reconstruction/mnist/sb3-ppo_seed1/agent.pt \
        --name agent_mnist_ppo --command "python benchmarks/reconstruction.py ..." --note "2-core CPU, ..."
    python scripts/ship_weights.py agent --run runs/agent_celeba --name agent_celeba  # + its NOTICE (CelebA)
    python scripts/ship_weights.py classifier --minutes 3 --threads 1                        # trains, then ships

Each MANIFEST entry keeps the file, its SHA-256 and size, the command that produced it, how long
it trained and its figures. ``agent`` ships a run's ``agent.pt`` of any kind of
:data:`paint_gym_agents.base.KINDS` (backprop, SB3, an RLlib policy exported by
``paint-gym export-rllib``) as ``agent_<name>``, which ``load_agent("<name>")`` then loads with the
class its stored kind names; it reads the checkpoint without loading its model (no
Stable-Baselines3 or Ray needed). Agents derived from data with terms of their own (CelebA:
non-commercial research) record them (``notice``; ``paint_gym/weights/NOTICE``). ``--local``
keeps a file in the user cache instead: its entry records the figures and the command, and
loading it skips the hash (a retrained agent differs). Shipping a name again replaces its entry
in place; every other MANIFEST line is kept as it was.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import torch

from paint_gym.checkpoint import (
    CheckpointError,
    atomic_path,
    describe_payload,
    read_checkpoint,
    sha256_of,
    write_checkpoint,
    write_text_atomic,
)
from paint_gym.outputs import check_output_folder
from paint_gym.param import mnist_classifier
from paint_gym.runlog import LOG_CSV
from paint_gym.shipped_weights import MANIFEST, file_of, read_manifest
from paint_gym_agents.base import KINDS, info_of, kind_of, raise_if_retired
from paint_gym_agents.zoo import DATA_NOTICES, LOCAL_ONLY, PREFIX, RLLIB_PROGRESS

#: This checkout's weights folder (the one a release packages).
REPO_WEIGHTS = Path(__file__).resolve().parents[1] / "paint_gym" / "weights"
#: A shipped agent's name: ``agent_`` and a short name of lower-case letters and digits in words
#: joined by ``_`` (``agent_mnist_ppo``, loaded as ``load_agent("mnist_ppo")``); it is a file name
#: and a MANIFEST key.
AGENT_NAME = re.compile(rf"{PREFIX}[a-z0-9]+(?:_[a-z0-9]+)*")
#: The most characters of the short name (after ``agent_``).
MAX_SHORT_NAME = 40
#: Keys only a training checkpoint (``checkpoint.pt``: a resume state) holds, never an ``agent.pt``.
TRAINING_KEYS = ("elapsed", "history")


def record_in_manifest(entry: dict[str, Any], weights_dir: str | os.PathLike = REPO_WEIGHTS) -> None:
    """Add ``entry`` to ``weights_dir/MANIFEST`` (one JSON object per line), or replace the line of
    the same ``name`` in its place; every other line is kept byte for byte, in its order. Written
    atomically; a broken MANIFEST is refused (:class:`~paint_gym.checkpoint.CheckpointError`, naming its line)."""
    path = Path(weights_dir) / MANIFEST
    read_manifest(weights_dir)  # every line is an entry with a name
    lines = path.read_text().splitlines() if path.is_file() else []
    names = [json.loads(line)["name"] if line.strip() else None for line in lines]
    if entry["name"] in names:
        lines[names.index(entry["name"])] = json.dumps(entry)
    else:
        lines.append(json.dumps(entry))
    write_text_atomic(path, "".join(line + "\n" for line in lines))


def _copy(source: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() and dest.resolve() == source.resolve():  # shipped again from its shipped file: keep it
        return dest
    with atomic_path(dest) as tmp:
        shutil.copyfile(source, tmp)
    return dest


def ship_painter(
    run_dir: str | Path, name: str, command: str, weights_dir: Path = REPO_WEIGHTS, notes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Copy a ``train-painter`` run's ``painter.pt`` to ``weights_dir/<name>.pt`` and record it
    (steps, training minutes and the last held-out figures from the run's ``checkpoint.pt``)."""
    run = Path(run_dir)
    state = read_checkpoint(
        run / "checkpoint.pt",
        "painter training checkpoint",
        missing=f"{run}/checkpoint.pt not found: train with `paint-gym train-painter --out {run}` first",
    )
    history = json.loads(state["history"])
    dest = _copy(run / "painter.pt", weights_dir / f"{name}.pt")
    entry = {
        "name": name,
        "file": dest.name,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "command": command,
        "steps": int(state["step"]),
        "training_minutes": round(float(state["elapsed"]) / 60, 1),
        "held_out": {k: v for k, v in history[-1].items() if k.startswith("val_")},
        **(notes or {}),
    }
    record_in_manifest(entry, weights_dir)
    return entry


def check_agent_name(name: str) -> str:
    """``name`` if it can name a shipped agent (:data:`AGENT_NAME`, with a short name of at most
    :data:`MAX_SHORT_NAME` characters after ``agent_``); else ``ValueError`` saying what a name holds."""
    short = name[len(PREFIX) :] if isinstance(name, str) and AGENT_NAME.fullmatch(name) else None
    if short is None or len(short) > MAX_SHORT_NAME or short.startswith(PREFIX):
        raise ValueError(
            f"agent name {name!r} is not {PREFIX} and a short name: lower-case letters and digits in words joined by "
            f"'_' (at most {MAX_SHORT_NAME} characters after {PREFIX}), e.g. 'agent_mnist_ppo', which "
            "load_agent('mnist_ppo') loads"
        )
    return name


def agent_file(run: str | os.PathLike) -> Path:
    """The agent checkpoint ``run`` names: a training run's folder (its ``agent.pt``, the best
    evaluation) or the file itself. ``FileNotFoundError`` for a folder without one, saying how to
    make it (an RLlib run folder: export its policy first, ``paint-gym export-rllib``)."""
    run = Path(run)
    if not run.is_dir():
        return run
    if (run / "agent.pt").is_file():
        return run / "agent.pt"
    if (run / RLLIB_PROGRESS).is_file():
        raise FileNotFoundError(
            f"{run} is an RLlib run folder without an exported policy: export it first, "
            f"`.venv-rllib/bin/paint-gym export-rllib {run}` (writes {run / 'agent.pt'}), and ship that"
        )
    raise FileNotFoundError(
        f"{run}/agent.pt not found: train with `paint-gym train-agent --run-dir {run}` (or an SB3 "
        "run) first, or give the agent checkpoint's path"
    )


def checkpoint_facts(path: str | os.PathLike) -> dict[str, Any]:
    """What the agent checkpoint ``path`` says about itself: ``kind``, ``dataset`` (its config's
    task), ``strokes``, ``config`` (the dict), ``info`` (what it recorded of its best evaluation:
    ``step``, ``seconds`` or ``minutes``, ``eval_*``). Reads with ``weights_only=True`` and loads no
    model, so an SB3 agent needs no Stable-Baselines3 here, an RLlib policy no Ray.

    Raises ``FileNotFoundError`` for no file and :class:`~paint_gym.checkpoint.CheckpointError` (a
    ``ValueError``) for a file that is not a torch checkpoint, holds no agent (a painter's, a state
    dict), is a training ``checkpoint.pt`` (a resume state: ship the run's ``agent.pt``) or has no
    config with the task and the strokes.
    """
    payload = read_checkpoint(path, "agent checkpoint", missing=f"no agent checkpoint at {path}")
    raise_if_retired(path, payload)
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
        dataset = str(config["task"] if "task" in config else config["dataset"])  # "dataset": the field's old name
        strokes = int(config["strokes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(
            f"{path} holds a {kind} without a readable config (its task and strokes: {type(exc).__name__}: {exc}); "
            "ship the agent.pt a trainer wrote"
        ) from exc
    return {"kind": kind, "dataset": dataset, "strokes": strokes, "config": config, "info": info_of(payload)}


def run_length(agent_pt: Path) -> dict[str, Any]:
    """``run_steps`` and ``run_minutes`` of the run whose ``agent.pt`` this is: from the
    ``checkpoint.pt`` beside it, else from the last row of its ``log.csv`` with a step and a time
    (a GPU run brings back ``agent.pt`` and ``log.csv``, not its checkpoint); empty without either,
    or for a file of another name (not a run's ``agent.pt``)."""
    if agent_pt.name != "agent.pt":
        return {}
    state_path = agent_pt.with_name("checkpoint.pt")
    if state_path.is_file():
        state = read_checkpoint(state_path, "training checkpoint")
        if "step" in state and "elapsed" in state:
            return {"run_steps": int(state["step"]), "run_minutes": round(float(state["elapsed"]) / 60, 1)}
    log = agent_pt.with_name(LOG_CSV)
    rows = list(csv.DictReader(log.read_text().splitlines())) if log.is_file() else []
    for row in reversed(rows):  # backprop: step, minutes; SPIRAL: step, seconds; RLlib: iteration, seconds
        steps, minutes, seconds = row.get("step") or row.get("iteration"), row.get("minutes"), row.get("seconds")
        if steps and (minutes or seconds):
            done = float(minutes) if minutes else float(seconds) / 60
            return {"run_steps": int(float(steps)), "run_minutes": round(done, 1)}
    return {}


def training_length(
    path: Path, info: dict[str, Any], run: dict[str, Any], steps: int | None, minutes: float | None
) -> tuple[int, float]:
    """Steps and minutes of training of the shipped weights: given; else what the checkpoint
    recorded of its best evaluation (``step``; ``minutes`` or ``seconds``); else the run's length
    (:func:`run_length`). ``ValueError`` saying what to give when none says."""
    if steps is None:
        steps = info.get("step", run.get("run_steps"))
        if steps is None:
            raise ValueError(f"{path} records no training step count: give it, --steps N (ship_agent(..., steps=N))")
    if minutes is None:
        if "minutes" in info:
            minutes = info["minutes"]
        elif "seconds" in info:
            minutes = info["seconds"] / 60
        else:
            minutes = run.get("run_minutes")
        if minutes is None:
            raise ValueError(
                f"{path} records no training time: give it, --training-minutes M (ship_agent(..., training_minutes=M))"
            )
    if int(steps) < 0 or not float(minutes) >= 0:
        raise ValueError(f"steps ({steps}) and training minutes ({minutes}) must be >= 0")
    return int(steps), round(float(minutes), 1)


def ship_agent(
    run: str | os.PathLike,
    name: str,
    command: str,
    *,
    note: str | None = None,
    steps: int | None = None,
    training_minutes: float | None = None,
    local: bool | None = None,
    weights_dir: str | os.PathLike = REPO_WEIGHTS,
) -> dict[str, Any]:
    """Ship a training run's best agent (any kind) as ``name``: copy it to ``weights_dir/<name>.pt``
    and record its MANIFEST entry (replacing one of the same name in place); returns the entry.

    Args:
        run: a training run's folder (its ``agent.pt``) or an agent checkpoint (:func:`agent_file`).
        name: the MANIFEST name, ``agent_<short name>``; ``load_agent("<short name>")`` loads it
            (:func:`check_agent_name`).
        command: the training command that produced it (recorded; not run).
        note: how it was trained (machine, sharing), recorded when given.
        steps, training_minutes: override what the checkpoint and its run recorded
            (:func:`training_length`; needed when neither records them).
        local: keep the file in the user cache instead (default: for the data sets in
            ``LOCAL_ONLY``); its entry says ``"location": "cache"`` and its hash is of this machine's file.
        weights_dir: the weights folder holding the MANIFEST (default: this checkout's).

    The entry holds ``name``, ``file``, ``sha256``, ``bytes``, ``command``, the agent's ``kind``,
    ``dataset`` and ``strokes`` (its config), ``steps`` and ``training_minutes``, ``run_steps`` and
    ``run_minutes`` (:func:`run_length`, when the run says), its ``eval_*`` figures (``eval``), a
    data set's ``notice`` (``DATA_NOTICES``) and the ``note``. Everything is checked before anything
    is written: ``ValueError`` for a bad name, an empty command, a weights folder that cannot be
    written or an unknown training length, ``FileNotFoundError`` for no agent and
    :class:`~paint_gym.checkpoint.CheckpointError` (a ``ValueError``) for a file that is not an
    agent checkpoint (:func:`checkpoint_facts`) or a broken MANIFEST.
    """
    name = check_agent_name(name)
    if not isinstance(command, str) or not command.strip():
        raise ValueError("command: give the training command that produced the agent (it is recorded)")
    weights = check_output_folder(weights_dir, "weights_dir")
    source = agent_file(run)
    facts = checkpoint_facts(source)
    ran = run_length(source)
    done_steps, minutes = training_length(source, facts["info"], ran, steps, training_minutes)
    read_manifest(weights)  # a broken MANIFEST is refused before the copy
    local = facts["dataset"] in LOCAL_ONLY if local is None else local
    location = {"location": "cache"} if local else {}
    dest = _copy(source, file_of({"file": f"{name}.pt", **location}) if local else weights / f"{name}.pt")
    entry = {
        "name": name,
        "file": dest.name,
        **location,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "command": command,
        "kind": facts["kind"],
        "dataset": facts["dataset"],  # the MANIFEST's key
        "strokes": facts["strokes"],
        "steps": done_steps,
        "training_minutes": minutes,
        **ran,
        "eval": {k: round(float(v), 5) for k, v in facts["info"].items() if k.startswith("eval_")},
        **({"notice": DATA_NOTICES[facts["dataset"]]} if facts["dataset"] in DATA_NOTICES else {}),
        **({"note": note} if note else {}),
    }
    record_in_manifest(entry, weights)
    return entry


def ship_classifier(
    minutes: float, seed: int, threads: int, command: str, weights_dir: Path = REPO_WEIGHTS
) -> dict[str, Any]:
    """Train the MNIST classifier of :mod:`paint_gym.param.mnist_classifier` and ship its float16
    state dict as ``weights_dir/mnist_classifier.pt`` with its test accuracy."""
    if threads:
        torch.set_num_threads(threads)
    model, stats = mnist_classifier.train(minutes, seed)
    dest = weights_dir / f"{mnist_classifier.NAME}.pt"
    write_checkpoint({k: v.half() for k, v in model.state_dict().items()}, dest)
    entry = {
        "name": mnist_classifier.NAME,
        "file": dest.name,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "command": command,
        **stats,
    }
    record_in_manifest(entry, weights_dir)
    return entry


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ship_weights.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--weights-dir",
        type=Path,
        default=REPO_WEIGHTS,
        help="where to ship (default: this checkout's paint_gym/weights)",
    )
    sub = parser.add_subparsers(dest="what", required=True)
    painter = sub.add_parser("painter", help="a train-painter run's painter.pt")
    painter.add_argument("--kind", choices=["vae", "gan", "dab"], required=True)
    painter.add_argument(
        "--brush", default=None, help="dab painters: the brush (shipped as dab_painter_<brush name>, e.g. dry_brush)"
    )
    painter.add_argument("--run", required=True, help="run folder of train-painter")
    painter.add_argument("--command", required=True, help="the training command, recorded in the MANIFEST")
    agent = sub.add_parser("agent", help="a training run's best agent.pt, of any agent kind")
    agent.add_argument(
        "--run",
        required=True,
        help="run folder (its agent.pt: train-agent, SB3, an exported RLlib run) or an agent checkpoint",
    )
    agent.add_argument("--name", required=True, help="shipped name, agent_<short name>, e.g. agent_mnist_ppo")
    agent.add_argument("--command", default=None, help="the training command, recorded in the MANIFEST")
    agent.add_argument("--steps", type=int, default=None, help="training steps (default: what the agent recorded)")
    agent.add_argument(
        "--training-minutes", type=float, default=None, help="training minutes (default: what the agent recorded)"
    )
    agent.add_argument(
        "--local",
        action="store_true",
        help="keep the weights in the user cache instead of the package",
    )
    agent.add_argument("--note", default=None, help="how it was trained (machine, sharing), recorded in the MANIFEST")
    classifier = sub.add_parser("classifier", help="train and ship the MNIST classifier of 'the optimal 3'")
    classifier.add_argument("--minutes", type=float, default=3.0)
    classifier.add_argument("--seed", type=int, default=0)
    classifier.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    return parser


def ship(args: argparse.Namespace, invoked: str) -> dict[str, Any]:
    """Ship what the parsed command line ``args`` names; returns its MANIFEST entry."""
    if args.what == "painter":
        name = f"{args.kind}_painter"
        if args.kind == "dab":
            if not args.brush:
                raise ValueError("--kind dab needs --brush (the brush the run's data was rendered with)")
            name = f"dab_painter_{Path(args.brush).name}"
        elif args.brush:
            raise ValueError("--brush is for --kind dab (the VAE and GAN imitate classic/dry_brush)")
        return ship_painter(args.run, name, args.command, args.weights_dir)
    if args.what == "agent":
        return ship_agent(
            args.run,
            args.name,
            args.command or invoked,
            note=args.note,
            steps=args.steps,
            training_minutes=args.training_minutes,
            local=True if args.local else None,
            weights_dir=args.weights_dir,
        )
    return ship_classifier(args.minutes, args.seed, args.threads, invoked, args.weights_dir)


def main(argv: list[str] | None = None) -> int:
    """Ship as the command line says; 2 with a one-line error for what cannot be shipped."""
    args = build_parser().parse_args(argv)
    invoked = "python scripts/ship_weights.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        entry = ship(args, invoked)
    except (ValueError, FileNotFoundError) as error:  # CheckpointError is a ValueError
        print(f"ship_weights.py: error: {error}", file=sys.stderr)
        return 2
    where = " to the user cache" if entry.get("location") == "cache" else f" to {args.weights_dir}"
    print(f"shipped {entry['file']}{where} ({entry['bytes'] / 2**20:.2f} MiB, sha256 {entry['sha256'][:12]}...)")
    if args.what == "agent":
        print(
            f"{entry['kind']}, {entry['dataset']}, {entry['strokes']} strokes, eval {entry['eval']}: load it with "
            f"paint_gym_agents.load_agent({entry['name'][len(PREFIX) :]!r})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
