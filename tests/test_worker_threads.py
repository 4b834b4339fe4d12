"""Neural envs in worker processes run torch on one thread by default, whatever the start method
(fork, spawn, forkserver), so that workers do not compete for the same cores;
``PAINT_GYM_WORKER_THREADS`` overrides it; the main process is never changed."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import pytest
import torch

from paint_gym import forksafe
from paint_gym.envs import NeuralPaintEnv


def threads_after_a_neural_step(queue: multiprocessing.Queue) -> None:
    """In a worker: make a neural env, paint one stroke, report torch's threads."""
    env = NeuralPaintEnv("Strokes", canvas_size=16)
    env.reset(seed=0)
    env.step(env.action_space.sample())
    queue.put((torch.get_num_threads(), forksafe.worker_process()))


def worker_threads(method: str, setting: str | None, monkeypatch: pytest.MonkeyPatch) -> tuple[int, bool]:
    if setting is None:
        monkeypatch.delenv(forksafe.WORKER_THREADS, raising=False)
    else:
        monkeypatch.setenv(forksafe.WORKER_THREADS, setting)
    context = multiprocessing.get_context(method)
    queue = context.Queue()
    process = context.Process(target=threads_after_a_neural_step, args=(queue,))
    process.start()
    try:
        return queue.get(timeout=120)
    finally:
        process.join(30)


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_a_worker_process_runs_the_neural_env_on_one_thread_whatever_the_start_method(method, monkeypatch):
    assert worker_threads(method, None, monkeypatch) == (1, True)


TORCH_DEFAULT = "import torch; print(torch.get_num_threads())"


@pytest.mark.skipif(torch.get_num_threads() < 2, reason="needs a machine where torch's default is 2+ threads")
def test_paint_gym_worker_threads_overrides_it_in_spawned_workers(monkeypatch):
    # torch's own default, from a fresh interpreter (other tests may have set this process's count)
    default = int(subprocess.run([sys.executable, "-c", TORCH_DEFAULT], capture_output=True, text=True).stdout)
    assert not forksafe.worker_process() and forksafe.worker_torch_threads() is None
    assert worker_threads("spawn", "2", monkeypatch) == (2, True)
    assert worker_threads("spawn", "0", monkeypatch) == (default, True)  # 0: torch's own default


def test_a_forked_worker_stays_on_one_thread_whatever_the_variable_says(monkeypatch):
    """More threads in a child forked after the parent's OpenMP pool started would hang."""
    assert worker_threads("fork", "2", monkeypatch) == (1, True)


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_a_bad_worker_threads_value_names_the_variable(value, monkeypatch):
    monkeypatch.setenv(forksafe.WORKER_THREADS, value)
    with pytest.raises(ValueError, match=f"PAINT_GYM_WORKER_THREADS must be a whole number.*got '{value}'"):
        forksafe.worker_threads()
