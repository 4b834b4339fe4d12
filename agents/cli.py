"""The agent subcommands of ``paint-gym``: ``train-agent``, ``eval``, ``ship-agent``.

Thin callers of :mod:`agents.backprop`, :mod:`agents.evaluate` and :mod:`agents.zoo`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

DATASETS = ["mnist", "kmnist", "celeba"]


def _train_agent(args: argparse.Namespace) -> int:
    from .backprop import AgentConfig, train_agent

    run_dir = args.run_dir or f"runs/agent_{args.dataset}_{args.strokes}"
    cfg = AgentConfig(
        dataset=args.dataset, strokes=args.strokes, painter=args.painter, pixel=args.pixel, pixel_weight=args.pixel_weight,
        adversarial=args.adversarial, template=args.template, template_only_steps=args.template_only_steps,
        template_decay_steps=args.template_decay_steps, batch_size=args.batch_size, lr=args.lr, steps=args.steps,
        minutes=args.minutes, eval_every=args.eval_every, eval_images=args.eval_images, seed=args.seed, threads=args.threads,
        device=args.device, run_dir=run_dir,
    )
    result = train_agent(cfg, args.data_dir)
    if result:
        print(f"evaluation ({cfg.eval_images} {args.dataset} images): neural {result['eval_neural_mse']:.4f}, "
              f"MyPaint replay {result['eval_mypaint_mse']:.4f}, gap {result['eval_gap']:+.4f}")
        print(f"wrote {run_dir}/agent.pt (best evaluation), checkpoint.pt (resumes), log.csv, curves.png")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_table

    table = evaluate_table(args.agent, args.dataset, images=args.images, direct_steps=args.direct_steps, direct_images=args.direct_images,
                           figure=args.figure, data_dir=args.data_dir, painter=args.painter)
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=2))
        print(f"wrote {args.json}")
    return 0


def _ship_agent(args: argparse.Namespace) -> int:
    from .zoo import ship_agent

    entry = ship_agent(args.run, args.name, args.command or "paint-gym " + shlex.join(sys.argv[1:]), {"note": args.note} if args.note else None,
                       local=True if args.local else None)
    print(f"shipped {entry['file']}{' to the user cache' if entry.get('location') == 'cache' else ''} ({entry['bytes'] / 2**20:.1f} MiB, sha256 {entry['sha256'][:12]}...)")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the agent subcommands to the ``paint-gym`` parser."""
    train = sub.add_parser("train-agent", help="train the backprop agent through a neural painter (checkpoints, resumes; torchrun for data-parallel)")
    train.add_argument("--dataset", choices=DATASETS, default="mnist")
    train.add_argument("--strokes", type=int, default=8)
    train.add_argument("--painter", default="gan", help="neural painter to train through ('gan', 'vae' or a checkpoint)")
    train.add_argument("--pixel", choices=["expected", "mse", "none"], default="expected",
                       help="pixel objective: expected MSE over brush seeds (default), MSE of the neural canvas, or none (pure adversarial)")
    train.add_argument("--pixel-weight", type=float, default=1.0)
    train.add_argument("--adversarial", type=float, default=0.0, help="weight of the conditional WGAN-GP critic's loss")
    train.add_argument("--template", type=float, default=0.0, help="preconditioning: template loss weight at the start of stage 2 (MNIST)")
    train.add_argument("--template-only-steps", type=int, default=0, help="preconditioning stage 1: steps of template loss alone")
    train.add_argument("--template-decay-steps", type=int, default=2000)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--steps", type=int, default=20_000, help="total optimisation steps (over resumes)")
    train.add_argument("--minutes", type=float, default=0.0, help="wall-clock budget over resumes (0: none)")
    train.add_argument("--eval-every", type=int, default=250)
    train.add_argument("--eval-images", type=int, default=64)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=0, help="torch threads per process (0: default)")
    train.add_argument("--device", default="cpu", help="cpu or cuda (under torchrun: one GPU per process, nccl)")
    train.add_argument("--run-dir", default=None, help="run folder (default runs/agent_DATASET_STROKES); an existing one resumes")
    train.add_argument("--data-dir", default=None)
    train.set_defaults(func=_train_agent)

    ev = sub.add_parser("eval", help="score an agent on the evaluation split: neural canvas, MyPaint replay, transfer gap; Figure 7")
    ev.add_argument("--agent", required=True, help="shipped agent name (mnist, kmnist, celeba) or a checkpoint path")
    ev.add_argument("--dataset", choices=DATASETS, default=None, help="default: the agent's own data set")
    ev.add_argument("--images", type=int, default=200, help="evaluation images (the first N of the split)")
    ev.add_argument("--direct-steps", type=int, default=400, help="Adam steps of the per-image direct optimisation reference (0: skip)")
    ev.add_argument("--direct-images", type=int, default=20, help="images for the (slow) direct optimisation reference")
    ev.add_argument("--painter", default="gan", help="neural painter for the neural canvas")
    ev.add_argument("--figure", default="figure7.png", help="PNG of target | neural | MyPaint rows")
    ev.add_argument("--json", default=None, help="also write the table as JSON")
    ev.add_argument("--data-dir", default=None)
    ev.set_defaults(func=_eval)

    ship = sub.add_parser("ship-agent", help="copy a trained agent into paint_gym/weights and the MANIFEST")
    ship.add_argument("--run", required=True, help="run folder of train-agent")
    ship.add_argument("--name", required=True, help="shipped name, e.g. agent_mnist")
    ship.add_argument("--command", default=None, help="the training command, recorded in the MANIFEST")
    ship.add_argument("--local", action="store_true", help="keep the weights in the user cache, not the package (default for CelebA, whose licence forbids redistribution)")
    ship.add_argument("--note", default=None, help="how it was trained (machine, sharing), recorded in the MANIFEST")
    ship.set_defaults(func=_ship_agent)
