"""Every torch entry point works in a forked worker after the parent used torch's OpenMP pool.

GNU OpenMP does not survive ``fork``: without paint_gym's fork handler, ``replay``,
``expected_mse`` and a painter's ``render_alpha`` wait forever in a fork ``Pool`` whose parent
ran a parallel torch operation first. Run in a subprocess with a timeout (a hang fails the
test instead of hanging the suite).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

SCRIPT = r"""
import multiprocessing as mp
import numpy as np
import paint_gym  # registers the fork handler; torch is imported after it, as users may
import torch

ACTIONS = np.random.default_rng(0).uniform(-1, 1, (32, 4, 12)).astype(np.float32)


def work(kind):
    if kind == "replay":
        return float(paint_gym.replay(ACTIONS, "gan").mean())
    if kind == "expected_mse":
        painter = paint_gym.load_painter("gan")
        target = torch.rand(32, 3, 64, 64, generator=torch.Generator().manual_seed(0))
        return float(paint_gym.expected_mse(torch.as_tensor(ACTIONS), target, painter).mean())
    if kind == "render_alpha":
        return float(paint_gym.load_painter("gan").render_alpha(torch.as_tensor(ACTIONS[:, 0])).mean())
    if kind == "parents_painter":  # an object loaded before the fork
        return float(PAINTER.render_alpha(torch.as_tensor(ACTIONS[:, 0])).mean())
    if kind == "threads":
        return torch.get_num_threads()


if __name__ == "__main__":
    x = torch.randn(1024, 1024)
    (x @ x).sum()  # start torch's OpenMP pool in the parent
    torch.nn.functional.conv2d(torch.randn(32, 16, 64, 64), torch.randn(16, 16, 3, 3)).sum()
    expected = float(paint_gym.replay(ACTIONS, "gan").mean())
    threads = torch.get_num_threads()
    PAINTER = paint_gym.load_painter("gan")
    kinds = ["replay", "expected_mse", "render_alpha", "parents_painter", "threads"]
    with mp.get_context("fork").Pool(2) as pool:
        results = pool.map_async(work, kinds).get(timeout=90)
    print("results", dict(zip(kinds, results)), flush=True)
    assert abs(results[0] - expected) < 0.01, (results[0], expected)  # one thread vs several: float rounding
    assert results[-1] == 1  # forked workers run torch on one thread
    assert torch.get_num_threads() == threads  # the parent keeps its own
    print("ok", flush=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork start method and GNU OpenMP: Linux")
def test_torch_entry_points_work_in_a_fork_pool_after_the_parent_used_openmp(tmp_path):
    script = tmp_path / "fork_pool.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=dict(os.environ),
    )  # its own process group: killed as a whole
    try:
        out, err = proc.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"the fork pool hung (deadlock in torch's OpenMP pool?); stdout: {out}; stderr: {err[-2000:]}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 0 and out.strip().endswith("ok"), f"stdout: {out}\nstderr: {err[-3000:]}"
