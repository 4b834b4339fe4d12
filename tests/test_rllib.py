"""Ray RLlib on paint-gym (paint_gym_agents.rllib): real tiny runs on a local Ray.

Run in the RLlib environment (`make rllib-venv`; `make test` runs this file there): Ray RLlib 2.60
pins gymnasium 1.2.2, so it is not in the main venv, where these tests are skipped. Each run is
2 env runners (or fewer), 1-2 iterations of a few hundred strokes on 32 px canvases; the slow ones (`-m slow`)
run IMPALA with the critic reward on MyPaint and on the neural env, and a two-node cluster.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import json
import math
import os
import socket
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from paint_gym_agents.rllib_config import RLlibConfig

ray = pytest.importorskip("ray", reason="Ray RLlib lives in its own venv: make rllib-venv")

from paint_gym.benchmark.evaluation import eval_targets  # noqa: E402
from paint_gym.cli import main  # noqa: E402  (after the skip)
from paint_gym.envs.task import task_spec  # noqa: E402
from paint_gym_agents.rllib import (  # noqa: E402
    RLlibAgent,
    RLlibRun,
    StackedCNNEncoderConfig,
    algorithm_config,
    init_ray,
    method_name,
    train,
)
from paint_gym_agents.rllib_critic import find_critic_reward  # noqa: E402

from .helpers import ROOT  # noqa: E402

#: A run small enough for CI: 32 px canvases, 8 episodes per env runner, one batch of 128 strokes.
TINY = {
    "canvas_size": 32,
    "envs_per_runner": 8,
    "train_batch": 128,
    "minibatch": 64,
    "epochs": 1,
    "eval_images": 4,
    "replay_seeds": (0,),
    "eval_every": 1,
}


@pytest.fixture
def local_ray():
    """A local Ray of 2 CPUs on 127.0.0.1 for one test, shut down after it."""
    init_ray(num_cpus=2)
    yield
    ray.shutdown()


def read_log(run_dir) -> list[dict[str, str]]:
    with open(run_dir / "log.csv") as f:
        return list(csv.DictReader(f))


def test_the_encoder_reads_uint8_canvas_and_target_and_divides_by_255():
    encoder = StackedCNNEncoderConfig(input_dims=(32, 32, 6), features=16).build()
    obs = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 6), dtype=np.uint8)
    as_uint8 = encoder({"obs": torch.from_numpy(obs)})["encoder_out"]
    as_float = encoder({"obs": torch.from_numpy(obs).float()})["encoder_out"]
    assert as_uint8.shape == (3, 16) and as_uint8.dtype == torch.float32
    torch.testing.assert_close(as_uint8, as_float)


@pytest.mark.parametrize("algo", ["PPO", "APPO", "IMPALA"])
def test_every_algorithm_builds_its_module_with_the_stacked_cnn(algo):
    config = algorithm_config(RLlibConfig(algo=algo, env_runners=0, **TINY))
    import gymnasium as gym

    spec = config.get_default_rl_module_spec()
    spec.catalog_class = config.rl_module_spec.catalog_class
    spec.observation_space = gym.spaces.Box(0, 255, (32, 32, 6), np.uint8)
    spec.action_space = gym.spaces.Box(-1, 1, (12,), np.float32)
    spec.model_config = config.model_config
    module = spec.build()
    out = module.forward_inference({"obs": torch.zeros(2, 32, 32, 6, dtype=torch.uint8)})
    assert out["action_dist_inputs"].shape == (2, 24)  # mean and log std of 12 stroke fields
    assert any(type(m).__name__ == "StackedCNNEncoder" for m in module.modules())


def test_log_std_max_bounds_the_policys_log_std_smoothly_and_none_keeps_rllibs_own():
    """RLlib PPO's log std ran to RLlib's clamp (20) on CelebA (docs/agents.md): ``log_std_max``
    keeps the head's log-std outputs below it, with a gradient that does not vanish there, and
    leaves the means alone; None keeps RLlib's head as it was."""
    import gymnasium as gym

    def head_outputs(**fields):
        config = algorithm_config(RLlibConfig(algo="PPO", env_runners=0, log_std_init=2.0, **fields, **TINY))
        spec = config.get_default_rl_module_spec()
        spec.catalog_class = config.rl_module_spec.catalog_class
        spec.observation_space = gym.spaces.Box(0, 255, (32, 32, 6), np.uint8)
        spec.action_space = gym.spaces.Box(-1, 1, (12,), np.float32)
        spec.model_config = config.model_config
        torch.manual_seed(0)
        module = spec.build()
        return module, module.forward_train({"obs": torch.zeros(2, 32, 32, 6, dtype=torch.uint8)})["action_dist_inputs"]

    _, free = head_outputs()
    module, bounded = head_outputs(log_std_max=0.0)
    assert free[:, 12:].min() > 1.5  # RLlib's head starts at log_std_init
    assert bounded[:, 12:].max() < 0.0 and bounded[:, 12:].min() > -0.2  # 0 - softplus(0 - 2) = -0.127
    torch.testing.assert_close(bounded[:, :12], free[:, :12])  # the means are untouched
    bounded[:, 12:].sum().backward()
    head_bias = [m for m in module.pi.modules() if isinstance(m, torch.nn.Linear)][-1].bias
    assert head_bias.grad[12:].abs().min() > 0.01  # a hard clamp's gradient would be 0 here
    with pytest.raises(ValueError, match="log_std_max"):
        RLlibConfig(log_std_max=25.0)


def test_min_iteration_seconds_is_rllibs_shortest_iteration_and_none_keeps_rllibs_own():
    assert algorithm_config(RLlibConfig(algo="IMPALA", min_iteration_seconds=1.0)).min_time_s_per_iteration == 1.0
    assert algorithm_config(RLlibConfig(algo="IMPALA")).min_time_s_per_iteration == 10  # RLlib's default for IMPALA
    assert algorithm_config(RLlibConfig(algo="PPO")).min_time_s_per_iteration is None


def test_a_config_with_a_minibatch_larger_than_the_batch_is_refused():
    with pytest.raises(ValueError, match="minibatch"):
        RLlibConfig(train_batch=64, minibatch=128)


def test_ppo_trains_on_two_env_runners_of_the_batched_env(tmp_path, local_ray):
    config = RLlibConfig(algo="PPO", env_runners=2, iterations=2, run_dir=str(tmp_path / "ppo"), **TINY)
    run = RLlibRun(config)
    try:
        # the env runners are Ray workers: paint_gym's neural env runs torch on one thread there
        seen = run.algo.env_runner_group.foreach_env_runner(
            lambda r: (type(r.env.unwrapped).__name__, r.env.num_envs, __import__("torch").get_num_threads()),
            local_env_runner=False,
        )
        assert seen == [("NeuralPaintVectorEnv", 8, 1)] * 2
        summary = run.run(progress=False)
    finally:
        run.close()
    rows = read_log(tmp_path / "ppo")
    assert [int(r["iteration"]) for r in rows] == [0, 1, 2]
    trained = rows[1:]
    assert all(float(r["strokes_per_second"]) > 0 and int(float(r["iteration_strokes"])) >= 128 for r in trained)
    losses = [float(r["total_loss"]) for r in trained]
    assert all(math.isfinite(v) for v in losses) and losses[0] != losses[1]  # the learner updated the policy
    result = json.loads((tmp_path / "ppo" / "result.json").read_text())
    assert result["method"] == "rllib-ppo" and len(result["points"]) == 3
    assert all(0 < p["mse"] < 1 for p in result["points"]) and summary["final_mse"] == result["final_mse"]


def test_train_rllib_runs_from_the_command_line_and_resumes(tmp_path, capsys):
    run_dir = tmp_path / "cli"
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in TINY.items() if k != "replay_seeds"]
    argv = [
        "train-rllib",
        "--algo",
        "PPO",
        "--env",
        "NeuralPaint-MNIST-v0",
        "--env-runners",
        "1",
        "--out",
        str(run_dir),
    ]
    assert main([*argv, "--iterations", "1", "--replay-seeds", "0", *flags]) == 0
    assert "rllib-ppo: MyPaint replay MSE" in capsys.readouterr().out
    assert (run_dir / "rllib_checkpoint").is_dir() and (run_dir / "progress.json").is_file()

    summary = train(RLlibConfig(algo="PPO", env_runners=1, iterations=2, run_dir=str(run_dir), **TINY), progress=False)
    progress = json.loads((run_dir / "progress.json").read_text())
    assert progress["iteration"] == 2 and [int(r["iteration"]) for r in read_log(run_dir)] == [0, 1, 2]
    strokes = [p["strokes"] for p in summary["points"]]
    assert strokes == sorted(strokes) and strokes[-1] > strokes[1] > 0  # counted on from the checkpoint

    agent = RLlibAgent.load(run_dir)  # the trained policy, without Ray, with every agent's verbs
    targets = eval_targets("mnist", 3, 32)
    painted = agent.paint(targets)
    assert painted.shape == (3, 8, 12) and painted.dtype == np.float32 and np.abs(painted).max() <= 1
    obs = {"canvas": np.full_like(targets[0], 255), "target": targets[0]}
    np.testing.assert_allclose(agent.act(obs), painted[0, 0], atol=1e-5)  # first stroke: blank canvas, same target


def test_a_resumed_run_refuses_a_changed_algorithm(tmp_path):
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    from paint_gym.checkpoint import ResumeError
    from paint_gym_agents.rllib import Progress

    (run_dir / "progress.json").write_text(Progress(points=[], history=[]).as_json(RLlibConfig(run_dir=str(run_dir))))
    with pytest.raises(ResumeError, match="algo"):
        Progress.read(run_dir / "progress.json", RLlibConfig(algo="APPO", run_dir=str(run_dir)))


@pytest.mark.parametrize("reward", ["critic", "critic-delta"])
def test_appo_with_spirals_critic_reward_trains_the_critic_beside_the_policy(reward, tmp_path, local_ray):
    """SPIRAL's reward (at the episode's end) and its per-stroke form: the critic learns from the
    env runners' final canvases after each iteration, and every env runner scores with its newest
    weights, in the reward's mode."""
    config = RLlibConfig(
        algo="APPO", reward=reward, env_runners=2, iterations=2, run_dir=str(tmp_path / "appo"), **TINY
    )
    run = RLlibRun(config)
    try:
        run.run(progress=False)
        learner_weights = run.critic.critic.state_dict()
        runner_weights = run.algo.env_runner_group.foreach_env_runner(
            lambda r: find_critic_reward(r.env).critic.state_dict(), local_env_runner=False
        )
        modes = run.algo.env_runner_group.foreach_env_runner(
            lambda r: find_critic_reward(r.env).per_stroke, local_env_runner=False
        )
    finally:
        run.close()
    assert modes == [reward == "critic-delta"] * 2 and method_name(config) == f"rllib-appo-{reward}"
    rows = read_log(tmp_path / "appo")[1:]
    assert all(float(r["critic_pairs"]) > 0 and math.isfinite(float(r["wasserstein"])) for r in rows)
    for weights in runner_weights:  # every env runner scores with the learner's newest critic
        for name, value in learner_weights.items():
            torch.testing.assert_close(weights[name], value)
    assert (tmp_path / "appo" / "critic.pt").is_file()


def test_an_rllib_run_evaluates_on_the_benchmarks_geometric_clock_over_resumes(tmp_path):
    """RLlibRun.run with ``eval_clock`` (the reconstruction benchmark's EvalSchedule) evaluates at
    the start, after the first iteration at or past each scheduled time (1 s, then x1.5, at most
    ``every`` apart) and at the stop; a resumed run keeps its points and continues the schedule.
    The iterations are stand-ins of 0.5 training seconds (no Ray is started)."""
    from paint_gym.training import EvalSchedule, Point
    from paint_gym_agents.rllib import Progress

    run = RLlibRun.__new__(RLlibRun)  # the loop alone: no algorithm, evaluator or run folder
    run.config = RLlibConfig(iterations=10**9, eval_every=0, run_dir=str(tmp_path))
    run.progress = Progress(points=[], history=[])

    def train_once() -> dict[str, float]:
        run.progress.iteration += 1
        run.progress.seconds += 0.5
        run.progress.strokes += 128
        return {"strokes_per_second": 256.0}

    run.train_once, run.save = train_once, lambda: None
    run.evaluate = lambda row: run.progress.points.append(Point(run.progress.seconds, run.progress.strokes, 0.05))
    summary = run.run(progress=False, seconds=10.0, eval_clock=EvalSchedule(every=3.0))
    assert [p["seconds"] for p in summary["points"]] == [0.0, 1.0, 1.5, 2.5, 4.0, 6.0, 9.0, 10.0]
    assert summary["points"][-1]["strokes"] == 20 * 128 and summary["strokes_per_second"] == 256.0
    again = run.run(progress=False, seconds=14.0, eval_clock=EvalSchedule(every=3.0))  # next: 13 s, then the stop
    assert [p["seconds"] for p in again["points"]] == [0.0, 1.0, 1.5, 2.5, 4.0, 6.0, 9.0, 10.0, 13.0, 14.0]


@pytest.fixture
def bench(monkeypatch):
    """The reconstruction benchmark's scripts (``methods``, ``reconstruction``), imported with their
    folder on sys.path and forgotten afterwards."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    yield SimpleNamespace(
        methods=importlib.import_module("methods"), reconstruction=importlib.import_module("reconstruction")
    )
    for name in ("reconstruction", "reconstruction_report", "methods", "common"):
        sys.modules.pop(name, None)


def test_the_reconstruction_benchmark_trains_the_rllib_methods_on_its_clock_and_resumes(
    bench, tmp_path, monkeypatch, capsys
):
    """A real tiny run of the benchmark's RLlib methods (benchmarks/methods.py's RLlibMethod):
    RLlib PPO and SPIRAL on RLlib (APPO, critic reward), their configs made tiny (32 px, batches
    of 128 strokes), each for 6 training seconds with 2 evaluation images, evaluated at the start,
    on the benchmark's geometric clock and at the stop; each method's result file holds those
    points, and a longer budget resumes the run from its folder, keeping the points so far."""
    methods, reconstruction = bench.methods, bench.reconstruction
    benchmark_config = methods.rllib_config
    tiny = {k: v for k, v in TINY.items() if k not in ("eval_images", "eval_every")}
    monkeypatch.setattr(methods, "rllib_config", lambda *a, **k: dataclasses.replace(benchmark_config(*a, **k), **tiny))
    argv = ["--images", "2", "--eval-seconds", "1", "--no-summary", "--out", str(tmp_path), "--runs", str(tmp_path)]
    reconstruction.main(["--methods", "rllib-ppo,rllib-spiral", "--budget", "0.1", *argv])
    folder = tmp_path / "reconstruction_mnist"
    for key, algo in (("rllib-ppo", "PPO"), ("rllib-spiral", "APPO")):
        saved = json.loads((folder / f"{key}.json").read_text())
        points = saved["points"]
        assert saved["config"]["algo"] == algo and saved["budget_seconds"] == pytest.approx(6.0)
        assert len(points) >= 3 and points[0]["seconds"] == 0 and points[-1]["seconds"] >= 6.0  # start, clock, stop
        assert all(a["seconds"] < b["seconds"] and a["strokes"] <= b["strokes"] for a, b in pairwise(points))
        assert points[-1]["strokes"] > 0 and all(0 < p["mse"] < 1 for p in points)
    first = json.loads((folder / "rllib-ppo.json").read_text())["points"]
    capsys.readouterr()
    reconstruction.main(["--methods", "rllib-ppo", "--budget", "0.15", *argv])
    assert "resumed" in capsys.readouterr().out
    again = json.loads((folder / "rllib-ppo.json").read_text())["points"]
    assert again[: len(first)] == first and again[-1]["seconds"] >= 9.0


@pytest.mark.slow
@pytest.mark.parametrize("env", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_impala_with_the_critic_reward_runs_on_mypaint_and_on_the_neural_env(env, tmp_path, local_ray):
    config = RLlibConfig(
        algo="IMPALA", env=env, reward="critic", env_runners=2, iterations=3, run_dir=str(tmp_path / "i"), **TINY
    )
    summary = train(config, progress=False)
    assert summary["method"] == "rllib-impala-critic" + ("-mypaint" if env.startswith("MyPaint") else "")
    assert len(summary["points"]) == 4 and task_spec("mnist").episode_length == 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_train_rllib_runs_on_a_two_node_cluster_as_docs_agents_md_says(tmp_path):
    """Two Ray nodes on this machine (a head and a second node, as on a cluster), started as the
    docs say with RAY_AUTH_MODE=disabled; the command joins with --address and spreads its env
    runners over both nodes. The nodes are stopped by their process ids."""
    ray_cli = str(Path(sys.executable).parent / "ray")
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    port = free_port()
    common = ["--num-cpus=1", "--node-ip-address=127.0.0.1", "--block", "--disable-usage-stats"]
    head = [ray_cli, "start", "--head", f"--port={port}", "--include-dashboard=false", *common]
    nodes = [subprocess.Popen(head, env=env)]  # one CPU on each node: the 2 env runners need both
    try:
        time.sleep(8)
        nodes.append(subprocess.Popen([ray_cli, "start", f"--address=127.0.0.1:{port}", *common], env=env))
        time.sleep(8)
        run_dir = tmp_path / "cluster"
        argv = [sys.executable, "-m", "paint_gym.cli", "train-rllib", "--address", f"127.0.0.1:{port}"]
        argv += ["--env-runners", "2", "--iterations", "1", "--out", str(run_dir), "--replay-seeds", "0"]
        argv += [f"--{k.replace('_', '-')}={v}" for k, v in TINY.items() if k != "replay_seeds"]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads((run_dir / "progress.json").read_text())["iteration"] == 1
    finally:
        for node in reversed(nodes):
            node.terminate()
            node.wait(timeout=60)


# ----------------------------------------------------------------------------------------
# Exporting the policy (paint_gym_agents.rllib_export): the same strokes, without Ray
# ----------------------------------------------------------------------------------------


def fake_rllib_run(run_dir: Path, algo: str) -> RLlibConfig:
    """A run folder as an RLlib run leaves it (progress.json, the learner's RLModule in
    rllib_checkpoint/), its module built in-process (no Ray started) with paint-gym's catalog on
    16 px, 2 strokes and its weights moved off RLlib's near-zero start so its means are not all 0."""
    import gymnasium as gym

    from paint_gym_agents.rllib import CHECKPOINT_DIR, DEFAULT_MODULE_ID, Progress

    config = RLlibConfig(algo=algo, env_runners=0, canvas_size=16, strokes=2, features=32, run_dir=str(run_dir))
    algo_config = algorithm_config(config)
    spec = algo_config.get_default_rl_module_spec()
    spec.catalog_class = algo_config.rl_module_spec.catalog_class
    spec.observation_space = gym.spaces.Box(0, 255, (16, 16, 6), np.uint8)
    spec.action_space = gym.spaces.Box(-1, 1, (12,), np.float32)
    spec.model_config = algo_config.model_config
    module = spec.build()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in module.parameters():
            param.add_(0.05 * torch.randn(param.shape, generator=generator))
    module_dir = run_dir / CHECKPOINT_DIR / "learner_group" / "learner" / "rl_module" / DEFAULT_MODULE_ID
    module.save_to_path(str(module_dir.resolve()))
    (run_dir / "progress.json").write_text(Progress(points=[], history=[]).as_json(config))
    return config


@pytest.mark.parametrize("algo", ["PPO", "APPO", "IMPALA"])
def test_an_exported_rllib_policy_takes_the_rllib_modules_strokes_for_every_algorithm(algo, tmp_path):
    from paint_gym_agents import load_agent
    from paint_gym_agents.rllib import module_actions
    from paint_gym_agents.rllib_export import export_policy

    fake_rllib_run(tmp_path, algo)
    exported = load_agent(export_policy(tmp_path, tmp_path / "agent.pt"))
    source = RLlibAgent.load(tmp_path)
    assert exported.KIND == "rllib_policy" and exported.config.run["algo"] == algo and not ray.is_initialized()
    obs = np.random.default_rng(1).integers(0, 256, (32, 16, 16, 6), dtype=np.uint8)
    expected = module_actions(source.module, obs)
    assert 0 < np.mean(np.abs(expected) < 1)  # means inside the box, not only clipped ones
    np.testing.assert_allclose(exported.policy.actions(obs), expected, rtol=0, atol=1e-5)
    targets = eval_targets("mnist", 3, 16)
    np.testing.assert_allclose(exported.paint(targets), source.paint(targets), rtol=0, atol=1e-5)


def test_a_tiny_rllib_run_trains_and_exports_a_policy_that_paints_as_the_rllib_agent(tmp_path, local_ray):
    from paint_gym_agents import load_agent
    from paint_gym_agents.rllib import module_actions
    from paint_gym_agents.rllib_export import RLlibPolicyAgent

    run_dir = tmp_path / "run"
    config = RLlibConfig(algo="PPO", env_runners=1, iterations=1, run_dir=str(run_dir), **TINY)
    exported = RLlibPolicyAgent.train(config, progress=False)  # RLlib's run, then its policy in run_dir/agent.pt
    source = RLlibAgent.load(run_dir)
    result = json.loads((run_dir / "result.json").read_text())
    assert exported.info["step"] == 1 and exported.info["eval_mypaint_mse"] == result["final_mse"]

    targets = eval_targets("mnist", 4, TINY["canvas_size"])
    painted = exported.paint(targets)
    np.testing.assert_allclose(painted, source.paint(targets), rtol=0, atol=1e-5)
    obs = np.random.default_rng(0).integers(0, 256, (16, 32, 32, 6), dtype=np.uint8)
    np.testing.assert_allclose(exported.policy.actions(obs), module_actions(source.module, obs), rtol=0, atol=1e-5)
    first = {"canvas": np.full_like(targets[0], 255), "target": targets[0]}
    np.testing.assert_allclose(exported.act(first), painted[0, 0], atol=1e-5)

    out = tmp_path / "cli" / "agent.pt"
    assert main(["export-rllib", str(run_dir), "--out", str(out)]) == 0
    np.testing.assert_allclose(load_agent(out).paint(targets), painted, rtol=0, atol=0)
