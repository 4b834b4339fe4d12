"""Time one training step of the backprop agent, and say where it goes (issue 14: profile a step).

A step paints ``batch`` targets with ``strokes`` strokes through the painter and back-propagates
the expected-error objective to the agent (:meth:`BackpropTrainer.train_step` on a fixed batch of
training images). Prints the median and fastest step over ``--steps`` timed steps, the number of
tensor operations a step runs (what bounds a GPU step: each is a kernel launch) and, with
``--profile``, torch's profiler table of the ops that take the time.

    python scripts/time_agent_step.py --dataset celeba --batch 16 --strokes 15 --painter gan --threads 2
    python scripts/time_agent_step.py --painter dab --device cuda --batch 128 --profile
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from paint_gym.canvas import to_float_tensor
from paint_gym_agents.backprop import BackpropConfig, BackpropTrainer


class CountOps(TorchDispatchMode):
    """Counts the tensor operations (aten ops: one kernel launch each on a GPU) run inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.ops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        self.ops += 1
        return func(*args, **(kwargs or {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="celeba")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--strokes", type=int, default=15)
    parser.add_argument("--painter", default="gan", help="'gan', 'vae', 'dab' or a painter checkpoint")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps (after 2 warm-up steps)")
    parser.add_argument("--profile", action="store_true", help="also print torch's profiler table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as run_dir:
        config = BackpropConfig(
            task=args.dataset,
            strokes=args.strokes,
            painter=args.painter,
            batch_size=args.batch,
            lr=1e-4,
            threads=args.threads,
            device=args.device,
            run_dir=run_dir,
        )
        with BackpropTrainer(config) as trainer:
            target = to_float_tensor(trainer.train_images[: args.batch], trainer.device)
            sync = torch.cuda.synchronize if trainer.device.type == "cuda" else (lambda: None)
            for _ in range(2):
                trainer.train_step(target)
            times = []
            for _ in range(args.steps):
                sync()
                t0 = time.perf_counter()
                trainer.train_step(target)
                sync()
                times.append(time.perf_counter() - t0)
            with CountOps() as count:
                trainer.train_step(target)
            print(
                f"{args.dataset}, batch {args.batch} x {args.strokes} strokes, painter {args.painter}, {args.device} "
                f"({torch.get_num_threads()} threads): {statistics.median(times):.3f} s per step (median of "
                f"{args.steps}; fastest {min(times):.3f}), {count.ops} tensor ops per step"
            )
            if args.profile:
                from torch.profiler import ProfilerActivity, profile

                activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if args.device != "cpu" else [])
                with profile(activities=activities) as prof:
                    for _ in range(3):
                        trainer.train_step(target)
                    sync()
                print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


if __name__ == "__main__":
    main()
