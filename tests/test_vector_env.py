"""Vector envs made the ways Gymnasium makes them: async workers that neither hang nor outlive
their parent, and a vector entry point for every id (the default mode) that is the env
(arguments, options, time limits, autoreset modes) as ``vectorization_mode="sync"`` is, with
every seed and action row checked first."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import textwrap
import time

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import paint_gym
from paint_gym.envs import MyPaintVectorEnv, NeuralPaintVectorEnv
from paint_gym.envs.task import TASKS
from paint_gym.painters.load import load_painter

from .helpers import random_actions

N, SIZE = 2, 32


@pytest.fixture(scope="module")
def gan():
    return load_painter("gan")


# -- item: async workers ------------------------------------------------------------------------
ASYNC_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import gymnasium as gym, torch
    import paint_gym

    # parallel torch work in the parent first (a user trained something): starts its OpenMP pool
    torch.set_num_threads(2)
    a = torch.randn(256, 256)
    (a @ a).sum()
    torch.nn.functional.conv2d(torch.randn(8, 3, 64, 64), torch.randn(8, 3, 3, 3)).sum()
    for env_id in sys.argv[1:]:
        envs = gym.make_vec(env_id, num_envs=2, vectorization_mode="async", canvas_size=32)
        envs.reset(seed=0)
        for _ in range(3):
            envs.step(envs.action_space.sample())
        envs.close()
        print("ok", env_id, flush=True)
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, vectorization_mode="async", canvas_size=32)
    envs.reset(seed=0)
    print("workers", *[p.pid for p in envs.processes], flush=True)
    time.sleep(600)
    """
)


def read_lines_until(proc: subprocess.Popen, prefix: str, timeout: float) -> list[str]:
    """Lines of ``proc``'s stdout up to one starting with ``prefix``; fails after ``timeout`` s."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.startswith(prefix):
                return lines
    pytest.fail(
        f"no {prefix!r} line within {timeout} s (a hang?); got {lines}; stderr: "
        f"{proc.stderr.read()[-2000:] if proc.poll() is not None else '(still running)'}"
    )


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and /proc: Linux")
def test_async_make_vec_works_after_torch_ran_in_the_parent_and_workers_die_with_it(tmp_path):
    script = tmp_path / "async_envs.py"
    script.write_text(ASYNC_SCRIPT)
    ids = ["NeuralPaint-MNIST-v0", "NeuralPaint-Strokes-v0", "MyPaint-MNIST-v0"]
    proc = subprocess.Popen(
        [sys.executable, str(script), *ids],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # its own process group: killed as a whole on failure
    try:
        lines = read_lines_until(proc, "workers", timeout=120)
        assert [line for line in lines if line.startswith("ok")] == [f"ok {env_id}" for env_id in ids]
        workers = [int(pid) for pid in lines[-1].split()[1:]]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        os.kill(proc.pid, signal.SIGKILL)  # the parent dies without closing its envs
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "async workers outlived their parent"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def test_a_neural_env_checks_its_painter_when_made_and_loads_it_on_first_use():
    env = gym.make("NeuralPaint-MNIST-v0", canvas_size=SIZE)
    assert env.unwrapped._painter._loaded is None  # what AsyncVectorEnv's throw-away env costs
    env.reset(seed=0)
    assert env.unwrapped._painter._loaded is not None
    with pytest.raises(ValueError, match="painter"):
        gym.make("NeuralPaint-MNIST-v0", painter="no_such_painter.pt")  # still checked at once


# -- item: the vector entry point is the env ------------------------------------------------------
@pytest.mark.parametrize("env_id", [f"{family}-{task}-v0" for family in ("MyPaint", "NeuralPaint") for task in TASKS])
def test_make_vec_defaults_to_paint_gyms_own_vector_env_for_every_id(env_id):
    """The default mode validates every call before any sub-env changes; "sync" and "async"
    stay Gymnasium's own classes."""
    own = MyPaintVectorEnv if env_id.startswith("MyPaint") else NeuralPaintVectorEnv
    envs = gym.make_vec(env_id, num_envs=N, canvas_size=SIZE, autoreset_mode="SameStep")
    assert type(envs) is own and envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    assert envs.spec.id == env_id and envs.spec.kwargs["vectorization_mode"] == "vector_entry_point"
    envs.close()
    sync = gym.make_vec(env_id, num_envs=N, vectorization_mode="sync", canvas_size=SIZE)
    assert type(sync) is gym.vector.SyncVectorEnv
    sync.close()


@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_a_zero_d_integer_array_seed_is_that_seed_in_the_default_vector_mode(env_id, gan):
    kwargs = {"canvas_size": SIZE, **({"painter": gan} if env_id.startswith("Neural") else {})}
    envs = gym.make_vec(env_id, num_envs=3, **kwargs)
    drawn = {}
    for name, seed in [("int", 5), ("0-d array", np.array(5)), ("numpy int", np.int64(5)), ("list", [5, 6, 7]),
                       ("1-d array", np.arange(5, 8)), ("tuple", (5, 6, 7))]:  # fmt: skip
        drawn[name] = envs.reset(seed=seed)[1]["target_index"].tolist()  # was "len() of unsized object"
    assert len({tuple(index) for index in drawn.values()}) == 1, drawn
    with pytest.raises(ValueError, match=r"an integer >= 0 or one seed per sub-env .*; got ndarray array\(5\.\)"):
        envs.reset(seed=np.array(5.0))
    with pytest.raises(ValueError, match=r"one seed per sub-env \(3: a list, tuple or 1-d array\); got generator"):
        envs.reset(seed=(s for s in range(3)))
    with pytest.raises(ValueError, match=r"seed\[0\] must be None or an integer >= 0; got \[5\]"):
        envs.reset(seed=[[5], [6], [7]])
    envs.close()


def test_make_vec_passes_every_gym_make_argument_to_the_vector_entry_point(gan):
    discrete = paint_gym.DiscreteActions(grid=8)
    kwargs = {
        "canvas_size": SIZE,
        "episode_length": 3,
        "reward": "final",
        "action_mode": "discrete",
        "discrete": discrete,
        "background": "black",
        "render_mode": "rgb_array",
        "split": "eval",
        "painter": gan,
    }
    envs = gym.make_vec("NeuralPaint-KMNIST-v0", num_envs=N, max_episode_steps=2, disable_env_checker=True, **kwargs)
    single = gym.make("NeuralPaint-KMNIST-v0", **kwargs)
    assert isinstance(envs.unwrapped, NeuralPaintVectorEnv)
    assert envs.single_action_space == single.action_space == discrete.space()
    assert envs.unwrapped.config == single.unwrapped.config and envs.unwrapped.max_episode_steps == 2
    obs, _ = envs.reset(seed=0)
    frames = envs.render()  # a tuple of frames, as Gymnasium's vector envs give
    assert (obs["canvas"] == 0).all() and isinstance(frames, tuple) and len(frames) == N
    assert all(frame.shape == (SIZE, 2 * SIZE, 3) for frame in frames)


@pytest.mark.parametrize("max_steps, length", [(2, 3), (3, 3), (4, 3)])
def test_max_episode_steps_truncates_as_gym_makes_time_limit(max_steps, length, gan):
    made = {
        how: gym.make_vec(
            "NeuralPaint-MNIST-v0",
            num_envs=N,
            vectorization_mode=how,
            max_episode_steps=max_steps,
            canvas_size=SIZE,
            episode_length=length,
            painter=gan,
        )
        for how in ("vector_entry_point", "sync")
    }
    ends = {}
    for how, envs in made.items():
        envs.reset(seed=0)
        actions = np.random.default_rng(0).uniform(-1, 1, (8, N, 12)).astype(np.float32)
        ends[how] = [(t.tolist(), u.tolist(), i["step"].tolist()) for t, u, i in (envs.step(a)[2:] for a in actions)]
    assert ends["vector_entry_point"] == ends["sync"]
    end = min(max_steps, length)
    assert ends["sync"][end - 1][:2] == ([length <= max_steps] * N, [max_steps <= length] * N)
    assert ends["sync"][end][2] == [0] * N  # the next step is the autoreset


def test_reset_options_target_paints_the_given_images(gan):
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N, canvas_size=SIZE, painter=gan)
    sync = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N, vectorization_mode="sync", canvas_size=SIZE, painter=gan)
    image = np.zeros((SIZE, SIZE, 3), np.uint8)
    for env in (envs, sync):  # one image: every sub-env paints it, as sync mode passes it to each env
        obs, info = env.reset(seed=0, options={"target": image})
        assert (obs["target"] == 0).all() and info["l2"].tolist() == [1.0] * N
        assert info["target_index"].tolist() == [-1] * N and info["target_label"].tolist() == [-1] * N
    batch = np.stack([image, np.full_like(image, 100)])
    obs, info = envs.reset(seed=0, options={"target": batch})  # one per sub-env
    np.testing.assert_array_equal(obs["target"], batch)
    drawn, info = envs.reset(seed=0)
    assert (info["target_index"] >= 0).all() and not (drawn["target"] == 0).all()
    with pytest.raises(ValueError, match="target"):
        envs.reset(options={"target": np.zeros((3, SIZE, SIZE, 3), np.uint8)})


@pytest.mark.parametrize("env_id", ["NeuralPaint-MNIST-v0", "MyPaint-MNIST-v0"])
def test_reset_mask_resets_only_the_masked_sub_envs_as_sync_mode_does(env_id, gan):
    kwargs = {"canvas_size": SIZE, **({"painter": gan} if env_id.startswith("Neural") else {})}
    results = {}
    for how in ("default", "sync"):
        envs = gym.make_vec(env_id, num_envs=N, vectorization_mode=None if how == "default" else "sync", **kwargs)
        envs.reset(seed=0)
        before, *_ = envs.step(np.random.default_rng(0).uniform(-1, 1, (N, 12)).astype(np.float32))
        mask = np.array([True, False])
        obs, info = envs.reset(seed=5, options={"reset_mask": mask})
        assert (obs["canvas"][0] == 255).all() and info["step"][0] == 0
        np.testing.assert_array_equal(obs["canvas"][1], before["canvas"][1])  # kept its episode
        np.testing.assert_array_equal(obs["target"][1], before["target"][1])
        obs, _, _, _, info = envs.step(np.random.default_rng(1).uniform(-1, 1, (N, 12)).astype(np.float32))
        assert info["step"].tolist() == [1, 2]
        results[how] = (obs, info)
        with pytest.raises(ValueError, match="reset_mask"):
            envs.reset(options={"reset_mask": np.zeros(N, bool)})
    (vobs, vinfo), (sobs, sinfo) = results["default"], results["sync"]
    np.testing.assert_array_equal(vobs["target"], sobs["target"])
    assert set(vinfo) == set(sinfo) and vinfo["step"].tolist() == sinfo["step"].tolist()


@pytest.mark.parametrize("how", ["single", "vector", "sync"])
@pytest.mark.parametrize("env_id", ["NeuralPaint-Strokes-v0", "MyPaint-Strokes-v0"])
def test_unsupported_reset_options_raise_and_change_nothing(env_id, how, gan):
    kwargs = {"canvas_size": SIZE, **({"painter": gan} if env_id.startswith("Neural") else {})}
    env = (
        gym.make(env_id, **kwargs)
        if how == "single"
        else gym.make_vec(env_id, num_envs=N, vectorization_mode=None if how == "vector" else "sync", **kwargs)
    )
    obs, _ = env.reset(seed=0)
    for options in (
        {"targte": obs["target"]},
        {"seed": 3},
        {"reset_mask": np.ones(N, bool)} if how == "single" else {"colour": 1},
    ):
        with pytest.raises(ValueError, match="unsupported reset option"):
            env.reset(options=options)
    actions = np.zeros((N, 12), np.float32) if how != "single" else np.zeros(12, np.float32)
    assert np.all(env.step(actions)[4]["step"] == 1)  # the episode went on
    env.close()


@pytest.mark.parametrize("env_id", ["NeuralPaint-MNIST-v0", "MyPaint-MNIST-v0"])
def test_same_step_autoreset_reports_the_final_observation_and_info_as_sync_mode_does(env_id, gan, rng):
    kwargs = {"canvas_size": SIZE, "episode_length": 2, **({"painter": gan} if env_id.startswith("Neural") else {})}
    made = {
        "vector": gym.make_vec(env_id, num_envs=N, autoreset_mode="SameStep", **kwargs),
        "sync": gym.make_vec(
            env_id,
            num_envs=N,
            vectorization_mode="sync",
            vector_kwargs={"autoreset_mode": AutoresetMode.SAME_STEP},
            **kwargs,
        ),
    }
    actions = random_actions(rng, 3, N)
    for how, envs in made.items():
        assert envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
        envs.reset(seed=0)
        envs.step(actions[0])
        obs, _, terminated, _, info = envs.step(actions[1])
        assert terminated.all() and (obs["canvas"] == 255).all() and info["step"].tolist() == [0, 0], how
        assert info["_final_obs"].all() and info["final_obs"][0]["canvas"].shape == (SIZE, SIZE, 3)
        assert (info["final_obs"][0]["canvas"] < 255).any() and info["final_info"]["step"].tolist() == [2, 2]
        assert set(info["final_info"]) == {
            key for key in info if key not in ("final_obs", "_final_obs", "final_info", "_final_info")
        }
        assert envs.step(actions[2])[4]["step"].tolist() == [1, 1]
    assert set(made["vector"].step(actions[0])[4]) == set(made["sync"].step(actions[0])[4])


@pytest.mark.parametrize("cls", [NeuralPaintVectorEnv, MyPaintVectorEnv])
def test_disabled_autoreset_needs_a_masked_reset_before_stepping_an_ended_sub_env(cls, gan, rng):
    kwargs = {"painter": gan} if cls is NeuralPaintVectorEnv else {}
    envs = cls(N, "MNIST", canvas_size=SIZE, episode_length=1, autoreset_mode="Disabled", **kwargs)
    envs.reset(seed=0)
    assert envs.step(random_actions(rng, N))[2].all()
    with pytest.raises(RuntimeError, match="reset_mask"):
        envs.step(random_actions(rng, N))
    envs.reset(options={"reset_mask": np.ones(N, bool)})
    assert envs.step(random_actions(rng, N))[4]["step"].tolist() == [1, 1]
    with pytest.raises(ValueError, match="autoreset_mode"):
        cls(N, autoreset_mode="sometimes", **kwargs)


@pytest.mark.parametrize("env_id", ["NeuralPaint-MNIST-v0", "MyPaint-MNIST-v0"])
def test_discrete_vector_env_keeps_a_pen_per_sub_env_and_lifts_without_paint(env_id, gan):
    kwargs = {"canvas_size": SIZE, **({"painter": gan} if env_id.startswith("Neural") else {})}
    envs = gym.make_vec(env_id, num_envs=N, action_mode="discrete", **kwargs)
    envs.reset(seed=0)
    lift = [31, 31, 16, 16, 1, 9, 3, 0, 0, 0]
    paint = [0, 31, 16, 16, 0, 9, 3, 0, 0, 0]
    obs, _, _, _, info = envs.step(np.array([lift, paint]))
    assert info["painted"].tolist() == [False, True]
    assert (obs["canvas"][0] == 255).all() and (obs["canvas"][1] < 128).any()
    obs, _, _, _, info = envs.step(np.array([paint, paint]))
    assert info["stroke"][0][6:8].tolist() == [1.0, 1.0]  # sub-env 0 starts where its lift left the pen
    assert info["stroke"][1][6:8].tolist() == [-1.0, 1.0]  # sub-env 1 where its stroke ended
    with pytest.raises(ValueError, match="sub-env 1"):
        envs.step(np.array([paint, [32, 0, 0, 0, 0, 0, 0, 0, 0, 0]]))


@pytest.mark.parametrize("env_id", ["NeuralPaint-MNIST-v0", "MyPaint-MNIST-v0"])
def test_a_closed_vector_env_says_to_make_a_new_one(env_id, gan, rng):
    kwargs = {"canvas_size": SIZE, **({"painter": gan} if env_id.startswith("Neural") else {})}
    for how in ("vector_entry_point", "sync"):
        envs = gym.make_vec(env_id, num_envs=N, vectorization_mode=how, **kwargs)
        envs.reset(seed=0)
        envs.close()
        with pytest.raises(RuntimeError, match="closed.*make a new"):
            envs.reset(seed=0)
        with pytest.raises(RuntimeError, match="closed.*make a new"):
            envs.step(random_actions(rng, N))
