"""Torch threads in worker processes: fork safety, and one thread per worker by default.

**Fork safety.** GNU OpenMP (torch's CPU thread pool on Linux) does not survive ``fork``: a
process forked after its parent ran a parallel torch operation (a matrix product, a convolution,
loading a painter) waits forever in its first parallel region for threads that exist only in the
parent. That is what ``multiprocessing``'s "fork" start method (the default on Linux before
Python 3.14), a fork ``Pool`` and Gymnasium's ``AsyncVectorEnv`` do. Importing paint_gym
registers an ``os.register_at_fork(after_in_child=...)`` handler: in a forked child of a process
that has imported torch, it sets torch to one thread, so no OpenMP parallel region is ever entered
there. It runs once, at the fork, outside any traced code, so ``torch.func.vmap`` and
``torch.compile(fullgraph=True)`` of a painter's ``render_alpha`` are untouched. It covers every
torch entry point (the envs, ``replay``, ``expected_mse``, ``paint_differentiable``,
``load_painter``, a painter object's ``render_alpha``, the agents), whether the object was made
before or after the fork.

**One thread per worker, whatever the start method.** A worker process that runs torch at its
default thread count (one per core) competes with every other worker for the same cores, and
all of them slow down (issue 26 measured SB3's ``SubprocVecEnv`` and TorchRL's
``GymEnv(num_envs=8)`` at a quarter to a third of one process's speed; see
``benchmarks/worker_threads.py``). So the neural envs run torch on
:func:`worker_torch_threads` threads: in a worker process (:func:`worker_process`: a forked
child, a child of ``multiprocessing`` started by "spawn" or "forkserver", which covers Gymnasium's
``AsyncVectorEnv``, SB3's ``SubprocVecEnv``, TorchRL's ``ParallelEnv`` and ``GymEnv(num_envs)``,
or a Ray worker) one thread, or ``PAINT_GYM_WORKER_THREADS`` (:data:`WORKER_THREADS`) threads
when that variable is set (``0``: torch's own default; with "forkserver", set it before the
process's first forkserver worker: later workers inherit the forkserver's environment, not the
main process's); the main process is never changed. A
forked child stays on one thread whatever the variable says (more would risk the hang above);
start workers with "spawn" or "forkserver" for more.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys

#: The environment variable that sets a worker process's torch threads: a whole number >= 1, or
#: 0 for torch's default (one per core). Set it before the workers start; they inherit it.
WORKER_THREADS = "PAINT_GYM_WORKER_THREADS"

_forked_child = False


def _after_fork_in_child() -> None:
    """The at-fork handler: mark this process as forked; torch (if the parent had imported it)
    runs on one thread from here on."""
    global _forked_child
    _forked_child = True
    torch = sys.modules.get("torch")
    set_num_threads = getattr(torch, "set_num_threads", None)  # None: torch absent or half imported
    if set_num_threads is not None:
        with contextlib.suppress(Exception):  # a fork handler must never break the child
            set_num_threads(1)  # sets OpenMP's thread count; enters no parallel region


def forked_child() -> bool:
    """Whether this process was forked (``os.fork``, multiprocessing's "fork" start method,
    Gymnasium's ``AsyncVectorEnv`` on Linux) from a process that had imported paint_gym."""
    return _forked_child


def _ray_worker() -> bool:
    """Whether this process is a Ray worker (an RLlib env runner, a Ray task or actor)."""
    worker = sys.modules.get("ray._private.worker")  # loaded in every Ray worker, never imported here
    try:
        return worker is not None and worker.global_worker.mode == worker.WORKER_MODE
    except AttributeError:  # another Ray layout: not recognised
        return False


def worker_process() -> bool:
    """Whether this process is a worker: forked (:func:`forked_child`), a ``multiprocessing``
    child of any start method, or a Ray worker."""
    return _forked_child or multiprocessing.parent_process() is not None or _ray_worker()


def worker_threads() -> int | None:
    """The torch threads a worker process runs: 1, or ``PAINT_GYM_WORKER_THREADS`` when it is set
    (None for ``0``: torch's default).

    Raises:
        ValueError: when the variable is set to anything but a whole number >= 0.
    """
    raw = os.environ.get(WORKER_THREADS, "").strip()
    if not raw:
        return 1
    if not raw.isdigit():
        raise ValueError(
            f"{WORKER_THREADS} must be a whole number of torch threads per worker process (0: torch's default); "
            f"got {raw!r}"
        )
    return int(raw) or None


def worker_torch_threads() -> int | None:
    """The torch threads this process should run, or None to leave torch as it is: 1 in a forked
    child, :func:`worker_threads` in another worker process, None in the main process."""
    if _forked_child:
        return 1
    return worker_threads() if worker_process() else None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

__all__ = ["WORKER_THREADS", "forked_child", "worker_process", "worker_threads", "worker_torch_threads"]
