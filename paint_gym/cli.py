"""The ``paint-gym`` command: a thin caller of the library (no logic of its own).

The library's own commands are defined here (``brushes``, ``download``, ``strokes``,
``train-painter``, ``bench`` and the parameterization's commands). Other packages add theirs
through the ``paint_gym.commands`` entry point group: each entry point is a function
``add_commands(subparsers)`` (the agents' ``train-agent``, ``eval`` and ``demo`` arrive this way,
as a plug-in's would), so the library never imports the agents. A plug-in that fails to load
is reported on one line naming it; the other commands still work.

Each handler imports its module when it runs, so a command starts without loading torch unless
it needs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from .data import DATASETS, cache_dir, download

#: The entry point group through which packages add ``paint-gym`` commands.
COMMANDS_GROUP = "paint_gym.commands"


def _brushes(args: argparse.Namespace) -> int:
    from .painters.mypaint import SUPPORTED_BRUSHES, brush_dirs, list_brushes  # lazy: CLI start-up loads no painter

    names = list_brushes()
    print(f"{len(names)} brushes in {', '.join(str(d) for d in brush_dirs()) or '(no brush folder found)'}")
    for name in names:
        print(f"  {name}{'  (supported default)' if name in SUPPORTED_BRUSHES else ''}")
    return 0


def _download(args: argparse.Namespace) -> int:
    path = download(args.dataset, Path(args.folder) if args.folder else cache_dir())
    print(f"wrote {path}")
    return 0


def _strokes(args: argparse.Namespace) -> int:
    from .painters.strokes import StrokeDataSpec, generate  # lazy: CLI start-up loads no painter

    spec = StrokeDataSpec(args.n, args.seeds, args.canvas_size, args.brush, args.shard_size, args.seed)
    generate(spec, args.out, workers=args.workers)
    return 0


def _train_painter(args: argparse.Namespace) -> int:
    from .painters.train import PainterTrainer, TrainConfig  # lazy: only this command loads torch and the trainer

    cfg = TrainConfig(kind=args.kind, data=args.data, out=args.out or f"runs/{args.kind}_painter", minutes=args.minutes,
                      batch=args.batch, lr=args.lr, threads=args.threads, seed=args.seed)
    trainer = PainterTrainer(cfg)
    trainer.run()
    last = trainer.history[-1]
    print(f"{args.kind} painter: {trainer.step} steps, {trainer.elapsed / 60:.1f} min; held-out alpha MSE "
          f"{last['val_mse_single']:.5f} vs one MyPaint render, {last['val_mse_mean']:.5f} vs the mean of seeds")
    print(f"wrote {cfg.out}/painter.pt, log.csv, curves.png (checkpoint.pt resumes)")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .benchmark.plugins import bench_agent  # lazy: only this command loads torch and the benchmark

    bench_agent(args.agent, args.dataset, args.images, args.strokes, args.threshold, args.name, args.data_dir)
    return 0


def _add_library_commands(sub: argparse._SubParsersAction) -> None:
    brushes = sub.add_parser("brushes", help="list the installed MyPaint brushes")
    brushes.set_defaults(func=_brushes)

    dl = sub.add_parser("download", help="download a data set from its official source")
    dl.add_argument("dataset", choices=DATASETS)
    dl.add_argument("--folder", default=None, help="destination (default: the user cache)")
    dl.set_defaults(func=_download)

    strokes = sub.add_parser("strokes", help="render stroke data for the neural painters (resumable)")
    strokes.add_argument("-n", type=int, default=200_000, help="number of random actions")
    strokes.add_argument("--seeds", type=int, default=4, help="brush seeds rendered per action")
    strokes.add_argument("--canvas-size", type=int, default=64)
    strokes.add_argument("--brush", default="classic/dry_brush")
    strokes.add_argument("--shard-size", type=int, default=2048)
    strokes.add_argument("--seed", type=int, default=0)
    strokes.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    strokes.add_argument("--out", default=None, help="folder (default: PAINT_GYM_STROKES or the user cache)")
    strokes.set_defaults(func=_strokes)

    train = sub.add_parser("train-painter", help="train a neural painter on stroke data (checkpoints, resumes)")
    train.add_argument("--kind", choices=["vae", "gan"], required=True)
    train.add_argument("--data", required=True, help="stroke data folder (from `paint-gym strokes`)")
    train.add_argument("--out", default=None, help="run folder (default runs/KIND_painter); an existing one resumes")
    train.add_argument("--minutes", type=float, default=30.0, help="training time budget (in total, over resumes)")
    train.add_argument("--batch", type=int, default=64)
    train.add_argument("--lr", type=float, default=3e-4)
    train.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(func=_train_painter)

    bench = sub.add_parser("bench", help="evaluate your own PaintingAgent (module:Class) as a row of the reconstruction benchmark's table")
    bench.add_argument("--agent", required=True, help="module:Class or path/to/file.py:Class of a class with act() and paint()")
    bench.add_argument("--dataset", choices=DATASETS, default="mnist")
    bench.add_argument("--images", type=int, default=64, help="evaluation images (the first N of the split; the benchmark uses 64)")
    bench.add_argument("--strokes", type=int, default=None, help="strokes per painting (default: the task's episode length)")
    bench.add_argument("--threshold", type=float, default=None, help="MSE threshold of the 'time to threshold' column (from the benchmark's table)")
    bench.add_argument("--name", default=None, help="row label (default: the class name)")
    bench.add_argument("--data-dir", default=None)
    bench.set_defaults(func=_bench)


def command_entry_points() -> list[EntryPoint]:
    """The installed ``paint_gym.commands`` entry points, by name."""
    return sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name)


def add_plugin_commands(sub: argparse._SubParsersAction) -> list[str]:
    """Call every ``paint_gym.commands`` entry point's ``add_commands(sub)``.

    A plug-in that cannot be imported, is not callable or fails (a command name already taken,
    say) is skipped with one line on stderr naming the entry point and the error; returns the
    names of the entry points that loaded.
    """
    loaded = []
    for ep in command_entry_points():
        try:
            add_commands = ep.load()
            if not callable(add_commands):
                raise TypeError(f"{ep.value} is not a function add_commands(subparsers)")
            add_commands(sub)
        except Exception as exc:  # a broken plug-in must not take the other commands down
            print(f"paint-gym: warning: skipped the commands of plug-in {ep.name!r} ({ep.value}): {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        loaded.append(ep.name)
    return loaded


def build_parser() -> argparse.ArgumentParser:
    """The ``paint-gym`` parser: the library's commands, then the plug-ins'."""
    from .param.cli import add_commands as add_param_commands  # lazy: the paint_gym.param package loads torch

    parser = argparse.ArgumentParser(prog="paint-gym", description="Stroke-based painting as a Gymnasium benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_library_commands(sub)
    add_param_commands(sub)
    add_plugin_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``paint-gym`` with ``argv``; returns the exit code (2 with a one-line error for missing
    files, bad values and runtime failures)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"paint-gym: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
