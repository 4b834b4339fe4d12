r"""Ship trained weights into the repository: copy the file and record its MANIFEST entry.

A maintainer's tool, not a ``paint-gym`` command: an installed package never writes into its
own folder. It writes into this checkout's ``paint_gym/weights/`` (or ``--weights-dir``), from
where the next release carries the file; :mod:`paint_gym.shipped_weights` reads the entries.

    python scripts/ship_weights.py painter --kind gan --run runs/gan_painter --command "paint-gym train-painter ..."
    python scripts/ship_weights.py painter --kind dab --brush classic/pen --run runs/dab_pen --command "..."
    python scripts/ship_weights.py agent --run runs/agent_mnist_8 --name agent_mnist \
        --command "paint-gym train-agent ..."
    python scripts/ship_weights.py agent --run runs/agent_celeba --name agent_celeba  # + its NOTICE (CelebA)
    python scripts/ship_weights.py classifier --minutes 3 --threads 1                        # trains, then ships

Each MANIFEST entry keeps the file, its SHA-256 and size, the command that produced it, how long
it trained and its figures. Agents derived from data with terms of their own (CelebA:
non-commercial research) record them (``notice``; ``paint_gym/weights/NOTICE``). ``--local``
keeps a file in the user cache instead: its entry records the figures and the command, and
loading it skips the hash (a retrained agent differs).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import torch

from paint_gym.checkpoint import atomic_path, read_checkpoint, sha256_of, write_checkpoint, write_text_atomic
from paint_gym.param import mnist_classifier
from paint_gym.shipped_weights import MANIFEST, file_of, read_manifest
from paint_gym_agents.backprop import config_of
from paint_gym_agents.zoo import DATA_NOTICES, LOCAL_ONLY

#: This checkout's weights folder (the one a release packages).
REPO_WEIGHTS = Path(__file__).resolve().parents[1] / "paint_gym" / "weights"


def record_in_manifest(entry: dict[str, Any], weights_dir: Path = REPO_WEIGHTS) -> None:
    """Add or replace (by ``name``) one entry of ``weights_dir/MANIFEST``, atomically."""
    entries = read_manifest(weights_dir)
    entries[entry["name"]] = entry
    write_text_atomic(weights_dir / MANIFEST, "".join(json.dumps(e) + "\n" for e in entries.values()))


def _copy(source: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
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


def ship_agent(
    run_dir: str | Path,
    name: str,
    command: str,
    notes: dict[str, Any] | None = None,
    local: bool | None = None,
    weights_dir: Path = REPO_WEIGHTS,
) -> dict[str, Any]:
    """Copy a training run's best ``agent.pt`` (any agent kind) to ``weights_dir/<name>.pt`` and record it.

    ``local`` (default: for the data sets in ``LOCAL_ONLY``) copies it into the user cache
    instead; its entry says ``"location": "cache"`` and its hash is of this machine's file only.
    """
    run = Path(run_dir)
    missing = f"{run}/agent.pt not found: train with `paint-gym train-agent --run-dir {run}` first"
    payload = read_checkpoint(run / "agent.pt", "agent checkpoint", missing=missing)
    best, config = json.loads(payload["extra"]), config_of(payload["config"])  # old field names read too
    run_steps, run_seconds = _run_length(run, missing)
    local = config.task in LOCAL_ONLY if local is None else local
    location = {"location": "cache"} if local else {}
    dest = _copy(run / "agent.pt", file_of({"file": f"{name}.pt", **location}) if local else weights_dir / f"{name}.pt")
    entry = {
        "name": name,
        "file": dest.name,
        **location,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "command": command,
        "dataset": config.task,  # the MANIFEST's key
        "strokes": config.strokes,
        "steps": int(best.get("step", run_steps)),
        "training_minutes": round(
            float(best["minutes"] if "minutes" in best else best.get("seconds", run_seconds) / 60), 1
        ),
        "run_steps": run_steps,
        "run_minutes": round(run_seconds / 60, 1),
        "eval": {k: round(v, 5) for k, v in best.items() if k.startswith("eval_")},
        **({"notice": DATA_NOTICES[config.task]} if config.task in DATA_NOTICES else {}),
        **(notes or {}),
    }
    record_in_manifest(entry, weights_dir)
    return entry


def _run_length(run: Path, missing: str) -> tuple[int, float]:
    """Steps and training seconds of a run: from its ``checkpoint.pt``, else from the last row of
    its ``log.csv`` (a GPU run brings back ``agent.pt`` and ``log.csv``, not its 17 MB checkpoint)."""
    if (run / "checkpoint.pt").exists():
        state = read_checkpoint(run / "checkpoint.pt", "agent training checkpoint", missing=missing)
        return int(state["step"]), float(state["elapsed"])
    try:
        last = (run / "log.csv").read_text().strip().splitlines()[-1].split(",")
        return int(last[0]), float(last[1]) * 60
    except (FileNotFoundError, IndexError, ValueError) as e:
        raise FileNotFoundError(f"{run} has neither checkpoint.pt nor a log.csv with rows ({e})") from e


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
    agent = sub.add_parser("agent", help="a train-agent run's best agent.pt")
    agent.add_argument("--run", required=True, help="run folder of train-agent")
    agent.add_argument("--name", required=True, help="shipped name, e.g. agent_mnist")
    agent.add_argument("--command", default=None, help="the training command, recorded in the MANIFEST")
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    invoked = "python scripts/ship_weights.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.what == "painter":
        name = f"{args.kind}_painter"
        if args.kind == "dab":
            if not args.brush:
                raise SystemExit("--kind dab needs --brush (the brush the run's data was rendered with)")
            name = f"dab_painter_{Path(args.brush).name}"
        elif args.brush:
            raise SystemExit("--brush is for --kind dab (the VAE and GAN imitate classic/dry_brush)")
        entry = ship_painter(args.run, name, args.command, args.weights_dir)
    elif args.what == "agent":
        entry = ship_agent(
            args.run,
            args.name,
            args.command or invoked,
            {"note": args.note} if args.note else None,
            local=True if args.local else None,
            weights_dir=args.weights_dir,
        )
    else:
        entry = ship_classifier(args.minutes, args.seed, args.threads, invoked, args.weights_dir)
    where = " to the user cache" if entry.get("location") == "cache" else f" to {args.weights_dir}"
    print(f"shipped {entry['file']}{where} ({entry['bytes'] / 2**20:.2f} MiB, sha256 {entry['sha256'][:12]}...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
