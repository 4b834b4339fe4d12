"""The ``paint-gym`` command: a thin caller of the library (no logic of its own)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _demo(args: argparse.Namespace) -> int:
    """The shipped agents paint evaluation images, replayed in MyPaint (``--random``: one env
    episode of random strokes instead)."""
    if args.random:
        return _random_demo(args)
    from agents.demo import run_demo

    run_demo(args.datasets, args.images, args.out, first=args.first, data_dir=args.data_dir, scale=args.scale)
    return 0


def _random_demo(args: argparse.Namespace) -> int:
    """Play one episode with random strokes; write ``target | MyPaint canvas | neural canvas``."""
    import gymnasium as gym
    from PIL import Image

    import paint_gym  # noqa: F401  (registers the env ids)

    from .painters.load import replay

    env = gym.make(f"MyPaint-{args.task}-v0", render_mode="rgb_array", data_dir=args.data_dir)
    obs, info = env.reset(seed=args.seed)
    env.action_space.seed(args.seed)  # the random strokes too are reproducible
    start = info["l2"]
    strokes, terminated = [], False
    while not terminated:
        obs, _, terminated, _, info = env.step(env.action_space.sample())
        strokes.append(info["stroke"])
    frame = env.render()
    env.close()
    neural = replay(np.stack(strokes)[None], args.painter)[0]
    frame = np.concatenate([frame, neural], axis=1)
    scale = max(1, args.scale)
    Image.fromarray(frame).resize((frame.shape[1] * scale, frame.shape[0] * scale), Image.Resampling.NEAREST).save(args.out)
    print(f"painted {info['step']} random MyPaint strokes on a {args.task} target: L2 {start:.4f} -> {info['l2']:.4f}")
    from .canvas import mse_uint8

    gap = mse_uint8(neural, obs["canvas"])
    print(f"the {args.painter} painter's canvas differs from MyPaint's by MSE {gap:.4f}; its L2 to the target is {mse_uint8(neural, obs['target']):.4f}")
    print(f"wrote {args.out} (target | MyPaint canvas | the same strokes by the {args.painter} painter)")
    return 0


def _brushes(args: argparse.Namespace) -> int:
    from .painters.mypaint import SUPPORTED_BRUSHES, brush_dirs, list_brushes

    names = list_brushes()
    print(f"{len(names)} brushes in {', '.join(str(d) for d in brush_dirs()) or '(no brush folder found)'}")
    for name in names:
        print(f"  {name}{'  (supported default)' if name in SUPPORTED_BRUSHES else ''}")
    return 0


def _download(args: argparse.Namespace) -> int:
    from .data import cache_dir, download

    path = download(args.dataset, Path(args.folder) if args.folder else cache_dir())
    print(f"wrote {path}")
    return 0


def _strokes(args: argparse.Namespace) -> int:
    from .painters.strokes import StrokeDataSpec, generate

    spec = StrokeDataSpec(args.n, args.seeds, args.canvas_size, args.brush, args.shard_size, args.seed)
    generate(spec, args.out, workers=args.workers)
    return 0


def _train_painter(args: argparse.Namespace) -> int:
    from .painters.train import PainterTrainer, TrainConfig

    cfg = TrainConfig(kind=args.kind, data=args.data, out=args.out or f"runs/{args.kind}_painter", minutes=args.minutes,
                      batch=args.batch, lr=args.lr, threads=args.threads, seed=args.seed)
    trainer = PainterTrainer(cfg)
    trainer.run()
    last = trainer.history[-1]
    print(f"{args.kind} painter: {trainer.step} steps, {trainer.elapsed / 60:.1f} min; held-out alpha MSE "
          f"{last['val_mse_single']:.5f} vs one MyPaint render, {last['val_mse_mean']:.5f} vs the mean of seeds")
    print(f"wrote {cfg.out}/painter.pt, log.csv, loss.png (checkpoint.pt resumes)")
    return 0


def _ship_painter(args: argparse.Namespace) -> int:
    from .painters.train import ship

    entry = ship(args.run, f"{args.kind}_painter", args.command)
    print(f"shipped {entry['file']} ({entry['bytes'] / 2**20:.1f} MiB, sha256 {entry['sha256'][:12]}...)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paint-gym", description="Stroke-based painting as a Gymnasium benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the shipped agents paint evaluation images; writes target | neural | MyPaint rows as a PNG")
    demo.add_argument("--datasets", nargs="+", choices=["mnist", "kmnist", "celeba"], default=None, help="default: every data set with a shipped agent")
    demo.add_argument("--images", type=int, default=8, help="evaluation images per data set")
    demo.add_argument("--first", type=int, default=0, help="index of the first evaluation image")
    demo.add_argument("--out", default="demo.png")
    demo.add_argument("--scale", type=int, default=3, help="pixel zoom of the written PNG")
    demo.add_argument("--random", action="store_true", help="instead: one MyPaint env episode of random strokes (--task, --seed, --painter)")
    demo.add_argument("--task", default="MNIST", choices=["MNIST", "KMNIST", "CelebA", "Strokes"])
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--painter", default="gan", help="neural painter shown beside MyPaint ('gan', 'vae' or a checkpoint)")
    demo.add_argument("--data-dir", default=None, help="folder with the data archives (else PAINT_GYM_DATA, cache, download)")
    demo.set_defaults(func=_demo)

    brushes = sub.add_parser("brushes", help="list the installed MyPaint brushes")
    brushes.set_defaults(func=_brushes)

    dl = sub.add_parser("download", help="download a data set from its official source")
    dl.add_argument("dataset", choices=["mnist", "kmnist", "celeba"])
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

    ship = sub.add_parser("ship-painter", help="copy a trained painter into paint_gym/weights and the MANIFEST")
    ship.add_argument("--kind", choices=["vae", "gan"], required=True)
    ship.add_argument("--run", required=True, help="run folder of train-painter")
    ship.add_argument("--command", required=True, help="the training command, recorded in the MANIFEST")
    ship.set_defaults(func=_ship_painter)

    from agents.bench_cli import add_commands as add_bench_commands
    from agents.cli import add_commands as add_agent_commands

    add_agent_commands(sub)
    add_bench_commands(sub)
    from .param.cli import add_commands as add_param_commands

    add_param_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"paint-gym: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
