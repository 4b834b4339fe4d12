"""Fork safety for every torch entry point of paint_gym, without importing torch.

GNU OpenMP (torch's CPU thread pool on Linux) does not survive ``fork``: a process forked
after its parent ran a parallel torch operation (a matrix product, a convolution, loading a
painter) waits forever in its first parallel region for threads that exist only in the parent.
That is what ``multiprocessing``'s "fork" start method (the default on Linux before Python
3.14), a fork ``Pool`` and Gymnasium's ``AsyncVectorEnv`` do.

Importing paint_gym registers an ``os.register_at_fork(after_in_child=...)`` handler: in a
forked child of a process that has imported torch, it sets torch to one thread, so no OpenMP
parallel region is ever entered there. It runs once, at the fork, outside any traced code, so
``torch.func.vmap`` and ``torch.compile(fullgraph=True)`` of a painter's ``render_alpha`` are
untouched. It covers every torch entry point (the envs, ``replay``, ``expected_mse``,
``paint_differentiable``, ``load_painter``, a painter object's ``render_alpha``, the agents),
whether the object was made before or after the fork. One thread per forked worker is also what
a pool of one worker per core wants; for workers with several torch threads each, start them
with "spawn" or "forkserver" (``multiprocessing.get_context("spawn")``, or for Gymnasium
``vector_kwargs={"context": "spawn"}``), where nothing is changed.
"""

from __future__ import annotations

import contextlib
import os
import sys

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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

__all__ = ["forked_child"]
