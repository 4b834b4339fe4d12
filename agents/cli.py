"""The agents' ``paint-gym`` commands: ``train-agent``, ``eval``, ``demo``.

Registered with the ``paint-gym`` command through the ``paint_gym.commands`` entry point (see
pyproject.toml), as a plug-in's commands would be: the library never imports this package.
Thin callers of :mod:`paint_gym_agents.backprop`, :mod:`paint_gym_agents.evaluate` and
:mod:`paint_gym_agents.demo`. Each handler imports its module when it runs, so every other
``paint-gym`` command starts without loading torch and the agents.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from paint_gym.data import DATASETS
from paint_gym.envs.task import TASKS


def _train_agent(args: argparse.Namespace) -> int:
    from .backprop import AgentConfig, train_agent  # lazy: only this command loads torch and the trainer

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
    from .evaluate import evaluate_table  # lazy: only this command loads torch and the agents

    table = evaluate_table(args.agent, args.dataset, images=args.images, direct_steps=args.direct_steps, direct_images=args.direct_images,
                           figure=args.figure, data_dir=args.data_dir, painter=args.painter)
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=2))
        print(f"wrote {args.json}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import random_demo, run_demo  # lazy: only this command loads torch and the agents

    if args.random:
        random_demo(args.task, args.seed, args.painter, args.out, args.scale, args.data_dir)
    else:
        run_demo(args.datasets, args.images, args.out, first=args.first, data_dir=args.data_dir, scale=args.scale)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``train-agent``, ``eval`` and ``demo`` to the ``paint-gym`` parser's subcommands
    (the ``paint_gym.commands`` entry point)."""
    demo = sub.add_parser("demo", help="the shipped agents paint evaluation images; writes target | neural | MyPaint rows as a PNG")
    demo.add_argument("--datasets", nargs="+", choices=DATASETS, default=None, help="default: every data set with a shipped agent")
    demo.add_argument("--images", type=int, default=8, help="evaluation images per data set")
    demo.add_argument("--first", type=int, default=0, help="index of the first evaluation image")
    demo.add_argument("--out", default="demo.png")
    demo.add_argument("--scale", type=int, default=3, help="pixel zoom of the written PNG")
    demo.add_argument("--random", action="store_true", help="instead: one MyPaint env episode of random strokes (--task, --seed, --painter)")
    demo.add_argument("--task", default="MNIST", choices=list(TASKS))
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--painter", default="gan", help="neural painter shown beside MyPaint ('gan', 'vae' or a checkpoint)")
    demo.add_argument("--data-dir", default=None, help="folder with the data archives (else PAINT_GYM_DATA, cache, download)")
    demo.set_defaults(func=_demo)

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


__all__ = ["add_commands"]
