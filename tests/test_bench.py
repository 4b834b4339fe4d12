"""The reconstruction benchmark (benchmarks/reconstruction.py, its report and the methods registry): the claim,
the table, resuming, the configurations it runs."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from types import SimpleNamespace

import pytest

from paint_gym.benchmark.budget import Point
from paint_gym.benchmark.results import MethodResult, protocol_levels

from .helpers import ROOT

SCRIPTS = ("reconstruction", "reconstruction_report", "methods", "common")


@pytest.fixture
def bench(monkeypatch):
    """The benchmark's modules (``reconstruction``, ``reconstruction_report``, ``methods``), imported
    with their folder on sys.path (scripts, not a package) and forgotten afterwards."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    yield SimpleNamespace(**{name: importlib.import_module(name) for name in SCRIPTS[:3]})
    for name in SCRIPTS:
        sys.modules.pop(name, None)


def test_claim_is_decided_at_the_lowest_level_the_best_rl_method_reaches(bench):
    report = bench.reconstruction_report
    bp = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(5, 10, 0.05), Point(30, 90, 0.02)], 900.0)
    ppo = MethodResult(
        "SB3 PPO", [Point(0, 0, 0.09), Point(300, 10, 0.06), Point(600, 50, 0.039), Point(900, 90, 0.041)]
    )
    sac = MethodResult("SB3 SAC", [Point(0, 0, 0.09), Point(900, 90, 0.07)], 900.0)
    results = {"backprop": bp, "sb3-ppo": ppo, "sb3-sac": sac}
    levels = protocol_levels(0.08, 0.041)  # 0.06, 0.04, 0.02 and PPO's final 0.041
    c = report.claim(results, levels)
    # PPO (lowest final) reached 50% of blank (0.039 at 600 s) but not 25%: the deciding level is 0.04
    assert c["best_rl"] == "sb3-ppo" and c["decision"]["level"] == "50% of blank"
    assert c["decision"]["rl_seconds"] == 600 and c["decision"]["backprop_seconds"] == 30
    assert c["decision"]["ratio"] == pytest.approx(20.0) and c["met"]
    assert [r["ratio"] for r in c["per_level"]] == [pytest.approx(60.0), pytest.approx(20.0), None, pytest.approx(20.0)]
    # the painter's one-off cost, charged to both (PPO runs on the dab-painter env): (600 + 300) / (30 + 300)
    c = report.claim(results, levels, painter_seconds=300.0)
    assert c["decision"]["ratio_with_costs"] == pytest.approx(900 / 330) and c["met"] and not c["met_with_costs"]
    text = report.claim_text(c)
    assert "met, 20.0x at 50% of blank (0.0400)" in text and "NOT MET" in text and "5.0 min" in text
    # an RL method on MyPaint needs no painter: only the backprop agent is charged
    mypaint = {"backprop": bp, "rllib-spiral-mypaint": ppo}
    c = report.claim(mypaint, levels, painter_seconds=300.0)
    assert c["decision"]["ratio_with_costs"] == pytest.approx(600 / 330) and c["rl_charged_seconds"] == 0
    slow = MethodResult("backprop agent", [Point(0, 0, 0.09), Point(600, 10, 0.05)], 900.0)  # never reaches 0.04
    c = report.claim({"backprop": slow, "sb3-ppo": ppo}, levels)
    assert c["decision"]["ratio"] == 0.0 and not c["met"] and "never reached it" in report.claim_text(c)
    flat = MethodResult("SB3 SAC", [Point(0, 0, 0.05), Point(900, 90, 0.05)], 900.0)  # untrained already at 75%
    c = report.claim({"backprop": bp, "sb3-sac": flat}, protocol_levels(0.08, 0.05))
    assert c["decision"]["level"] == "best RL final" and c["met"] is None
    assert "UNDECIDED" in report.claim_text(c)
    assert "| 75% of blank | 0.0600 | 0.0 s / 0 |" in report.ratio_table(c)
    assert not report.claim({"backprop": bp}, levels)["tested"]
    with pytest.raises(ValueError, match="unknown"):
        bench.reconstruction.parse_methods("backprop,dqn")
    everything = bench.reconstruction.parse_methods("all")
    assert "rllib-spiral-mypaint" not in everything and not set(bench.methods.RETIRED_METHODS) & set(everything)


def test_painter_cost_is_the_recipe_measured_end_to_end(bench, monkeypatch, tmp_path):
    """The painter's one-off cost is the dab recipe run for real (data rendered fresh, fitted,
    calibrated), timed; a trial run with a few actions and steps here."""
    monkeypatch.setenv("PAINT_GYM_STROKES", str(tmp_path / "cache"))
    cost = bench.reconstruction.measure_painter_cost("classic/pen", n_actions=64, holdout=16, steps=3)
    assert cost["steps"] == 3 and cost["n_actions"] == 64 and cost["seeds_per_action"] == 2
    assert 0 < cost["data_seconds"] < cost["total_seconds"]
    assert cost["fit_seconds"] == pytest.approx(cost["total_seconds"] - cost["data_seconds"])
    assert not (tmp_path / "cache").exists()  # rendered into its own folder, not the cache


def test_benchmark_writes_table_plots_and_json_and_resumes(bench, tmp_path, capsys):
    reconstruction = bench.reconstruction
    argv = [
        "--methods",
        "random,blank",
        "--images",
        "4",
        "--budget",
        "0.1",
        "--out",
        str(tmp_path),
        "--runs",
        str(tmp_path / "runs"),
    ]
    measured = {"n_actions": 64, "seeds_per_action": 2, "steps": 3, "data_seconds": 1.0, "fit_seconds": 2.0}
    measured.update(total_seconds=3.0, measured="end to end (not scaled from a sample)")
    (tmp_path / "painter_cost.json").write_text(json.dumps(measured))  # measured once per folder, then read
    payload = reconstruction.main(argv)
    assert payload["painter_cost"] == measured
    for name in (
        "reconstruction_mnist.json",
        "reconstruction_mnist.md",
        "reconstruction_mnist_wallclock.png",
        "reconstruction_mnist_strokes.png",
        "reconstruction_mnist/random.json",
        "reconstruction_mnist/blank.json",
    ):
        assert (tmp_path / name).is_file(), name
    saved = json.loads((tmp_path / "reconstruction_mnist.json").read_text())
    assert saved["methods"]["blank"]["final_mse"] == payload["methods"]["blank"]["final_mse"] > 0
    assert "| blank canvas |" in (tmp_path / "reconstruction_mnist.md").read_text()
    capsys.readouterr()
    reconstruction.main(argv)
    assert capsys.readouterr().out.count("done earlier") == 2
    # a new painter cost re-decides the claim from the saved results, training nothing
    (tmp_path / "painter_cost.json").write_text(json.dumps({**measured, "total_seconds": 9.0}))
    training = "python benchmarks/reconstruction.py --methods random,blank"  # as if run from the shell
    (tmp_path / "reconstruction_mnist.json").write_text(json.dumps({**saved, "command": training}))
    again = reconstruction.main([*argv, "--recharge"])
    assert again["painter_cost"]["total_seconds"] == 9.0 and set(again["methods"]) == set(payload["methods"])
    assert again["command"] == training  # the command that reproduces the results, not --recharge
    assert "==" not in capsys.readouterr().out  # no method was run or loaded as a run


def test_the_benchmark_runs_the_best_configurations_of_the_committed_searches(bench):
    """SB3_CHOICE is what the SB3 search found best (its committed JSON); a search rerun that
    changes its winner fails here until benchmarks/methods.py follows it. The retired in-house
    trainer's methods have no config: asking for one names what replaced it."""
    methods = bench.methods
    search = json.loads((ROOT / "benchmarks" / "results" / "sb3_search.json").read_text())
    assert methods.SB3_CHOICE == search["best"]
    args = argparse.Namespace(dataset="mnist", strokes=8, images=4, threads=1, budget=1.0, data_dir=None)
    ppo = methods.method_config("sb3-ppo", args, ROOT / "unused")
    assert ppo.env == "neural"
    chosen = next(r for r in search["results"] if r["config"] == search["best"]["ppo"])
    assert all(getattr(ppo, k) == v for k, v in chosen["fields"].items())
    for retired, replacement in methods.RETIRED_METHODS.items():
        assert replacement in methods.RLLIB_METHODS
        with pytest.raises(ValueError, match=f"retired.*run {replacement} instead"):
            methods.method_config(retired, args, ROOT / "unused")
        with pytest.raises(ValueError, match=f"run {replacement} instead"):
            methods.make_trainer(retired, None)


def test_the_backprop_agent_trains_celeba_at_its_shipped_agents_learning_rate(bench):
    """CelebA's backprop runs use BACKPROP_LR (3e-4, what agent_celeba was trained at; 1e-3
    diverged there); the other tasks keep BackpropConfig's own."""
    from paint_gym.shipped_weights import read_manifest
    from paint_gym_agents.backprop_config import BackpropConfig

    methods = bench.methods
    for dataset, strokes in (("celeba", 15), ("mnist", 8), ("kmnist", 8)):
        args = argparse.Namespace(dataset=dataset, strokes=strokes, images=4, threads=1, budget=1.0, data_dir=None)
        config = methods.method_config("backprop", args, ROOT / "unused", seed=1)
        assert config.lr == methods.BACKPROP_LR.get(dataset, BackpropConfig().lr) and config.seed == 1
    assert methods.BACKPROP_LR["celeba"] == 3e-4 and "--lr 3e-4" in read_manifest()["agent_celeba"]["command"]


def test_level_labels_are_moved_apart_but_keep_their_order(bench):
    """Levels a few thousandths apart in MSE (50% of blank 0.0430, best RL final 0.0412) get labels at
    least ``gap`` apart, in the levels' order; labels already apart stay where their line is."""
    ys = [0.70, 0.45, 0.44, 0.20]
    out = bench.reconstruction_report._spread(ys, gap=0.07)
    assert out[0] == 0.70 and out[3] == 0.20 and out[2] == 0.44
    assert out[1] == pytest.approx(0.51)
    ranked = sorted(out)
    assert all(b - a >= 0.07 - 1e-12 for a, b in zip(ranked, ranked[1:], strict=False))
    assert sorted(range(4), key=out.__getitem__) == sorted(range(4), key=ys.__getitem__)


def test_the_claim_over_seeds_is_decided_on_the_means_with_the_spread(bench):
    """Issue 26 §4: several training seeds per method. The best RL method is the one with the lowest
    mean final MSE; a level's time is the mean over seeds (a seed that never reached it counts at
    its budget, and the reading says so); the ratio is that of the means, with the one-seed-against-
    one-seed range beside it."""
    report = bench.reconstruction_report
    bp = [
        MethodResult("backprop agent", [Point(0, 0, 0.09), Point(10, 10, 0.03)], 600.0),
        MethodResult("backprop agent", [Point(0, 0, 0.09), Point(20, 20, 0.03)], 600.0),
        MethodResult("backprop agent", [Point(0, 0, 0.09), Point(30, 30, 0.03)], 600.0),
    ]
    ppo = [  # finals 0.040, 0.044, 0.036: mean 0.040, reached by seeds 0 (at 600 s) and 2 (at 300 s); seed 1 never
        MethodResult("SB3 PPO", [Point(0, 0, 0.09), Point(300, 50, 0.05), Point(600, 90, 0.040)], 600.0),
        MethodResult("SB3 PPO", [Point(0, 0, 0.09), Point(300, 50, 0.05), Point(600, 90, 0.044)], 600.0),
        MethodResult("SB3 PPO", [Point(0, 0, 0.09), Point(300, 50, 0.036), Point(600, 90, 0.036)], 600.0),
    ]
    sac = [MethodResult("SB3 SAC", [Point(0, 0, 0.09), Point(600, 90, 0.039)], 600.0)]  # one seed, final 0.039
    results = {"backprop": bp, "sb3-ppo": ppo, "sb3-sac": sac}
    # SAC's one final (0.039) is below PPO's mean (0.040): SAC is the best RL method by the means
    assert report.claim(results, protocol_levels(0.16, 0.039))["best_rl"] == "sb3-sac"
    results = {"backprop": bp, "sb3-ppo": ppo, "sb3-sac": [MethodResult("SB3 SAC", [Point(600, 90, 0.07)], 600.0)]}
    levels = protocol_levels(0.16, 0.040)  # 0.12, 0.08, 0.04 (50%... 25% of blank) and PPO's mean final 0.040
    c = report.claim(results, levels, painter_seconds=30.0)
    assert c["best_rl"] == "sb3-ppo" and c["seeds"] == {"rl": 3, "backprop": 3}
    d = c["decision"]
    assert d["mse"] == pytest.approx(0.040) and d["rl_reached"] == 2 and d["rl_censored"] == 1
    assert d["rl_per_seed_seconds"] == [600, None, 300]
    assert d["rl_seconds"] == pytest.approx((600 + 600 + 300) / 3)  # seed 1 counted at its 600 s budget
    assert d["backprop_seconds"] == pytest.approx(20.0) and d["backprop_seconds_sd"] == pytest.approx(10.0)
    assert d["ratio"] == pytest.approx(500 / 20) and c["met"]
    assert d["ratio_range"] == pytest.approx([300 / 30, 600 / 10])
    assert d["ratio_with_costs"] == pytest.approx(530 / 50)
    text = report.claim_text(c)
    assert "mean of 3 seeds" in text and "2 of 3 reached it" in text and "lower bound" in text
    assert "10.0x to 60.0x" in text
    table = report.ratio_table(c)
    assert ">= 500.0 s ± 173.2 s / 77 (2/3)" in table and "25.0x (10.0-60.0x)" in table
    row = report.seeded_row(ppo, levels)
    assert row.startswith("| SB3 PPO (3 seeds) | 0.0400 ± 0.0040 |") and "(2/3)" in row
    # one run per method gives the single-seed reading unchanged
    single = report.claim({"backprop": bp[:1], "sb3-ppo": ppo[:1]}, protocol_levels(0.16, 0.040))
    assert single["decision"]["rl_seconds"] == 600 and "mean of" not in report.claim_text(single)


def test_the_benchmark_trains_several_seeds_and_resumes_per_seed(bench, tmp_path, capsys, monkeypatch):
    """A real tiny run: the backprop agent with 2 training seeds (a few seconds each); each seed
    saved to its own file with its seed and painter, the table over seeds, --plan lists what is
    done, and a seed trained through another painter than the shipped one is trained again."""
    reconstruction = bench.reconstruction
    argv = ["--methods", "backprop,blank", "--seeds", "2", "--images", "2", "--budget", "0.03"]
    argv += ["--eval-seconds", "1", "--threads", "1", "--out", str(tmp_path), "--runs", str(tmp_path / "runs")]
    measured = {"n_actions": 64, "seeds_per_action": 2, "steps": 3, "data_seconds": 1.0, "fit_seconds": 2.0}
    (tmp_path / "painter_cost.json").write_text(json.dumps({**measured, "total_seconds": 3.0, "measured": "x"}))
    payload = reconstruction.main(argv)
    folder = tmp_path / "reconstruction_mnist"
    seeds = [json.loads((folder / name).read_text()) for name in ("backprop.json", "backprop_seed1.json")]
    assert [s["config"]["seed"] for s in seeds] == [0, 1]
    assert seeds[0]["painter_sha256"] == reconstruction.painter_sha256("backprop") == payload["painter_sha256"]
    assert [p["mse"] for p in seeds[0]["points"]] != [p["mse"] for p in seeds[1]["points"]]  # other seeds, other runs
    entry = payload["methods"]["backprop"]
    assert entry["seeds"] == [0, 1] and len(entry["runs"]) == 2
    assert entry["final_mse"] == pytest.approx((seeds[0]["final_mse"] + seeds[1]["final_mse"]) / 2)
    assert (
        "| backprop agent (2 seeds) |" in payload["table"] and "Training seeds: backprop agent (2)" in payload["notes"]
    )
    capsys.readouterr()
    assert reconstruction.main([*argv, "--plan"]) == {}
    assert "0 of 3 runs left" in capsys.readouterr().out
    seeds[1]["painter_sha256"] = "0" * 64  # as if trained through an earlier painter
    (folder / "backprop_seed1.json").write_text(json.dumps(seeds[1]))
    reconstruction.main([*argv, "--plan"])
    out = capsys.readouterr().out
    assert "1 of 3 runs left" in out and "left  backprop agent, seed 1" in out
    assert f"saved under another setup: painter_sha256: saved '{'0' * 64}'" in out  # says what differs
    reconstruction.main([*argv[:-6], "--threads", "2", *argv[-4:], "--plan"])  # another --threads than saved
    assert "config.threads: saved 1, now 2" in capsys.readouterr().out
    monkeypatch.setattr(reconstruction, "TORCH_THREADS", 1)  # as on a 1-core machine: --threads 0 uses 1 thread
    reconstruction.main([*argv[:-6], *argv[-4:], "--plan"])  # no --threads: the saved runs' 1 thread counts as done
    assert "1 of 3 runs left" in capsys.readouterr().out
    payload = reconstruction.main(argv)  # trains seed 1 anew, not from the stale run's checkpoints
    (stale,) = (tmp_path / "runs" / "mnist").glob("backprop_seed1.stale-*")
    assert (stale / "checkpoint.pt").is_file() and (tmp_path / "runs" / "mnist" / "backprop_seed1").is_dir()
    again = json.loads((folder / "backprop_seed1.json").read_text())
    assert again["painter_sha256"] == reconstruction.painter_sha256("backprop")
    out = capsys.readouterr().out
    assert f"moved to {stale}" in out and "backprop_seed1.json was saved under another setup (painter_sha256" in out
    with pytest.raises(SystemExit):
        reconstruction.main([*argv, "--seeded", "sb3-ppo"])  # not among --methods


RLLIB_ARGS = argparse.Namespace(dataset="mnist", strokes=8, images=2, threads=0, budget=20.0, seeded=(), data_dir=None)


@pytest.mark.parametrize(
    ("key", "algo", "reward", "env"),
    [
        ("rllib-ppo", "PPO", "dense", "NeuralPaint-MNIST-v0"),
        ("rllib-spiral", "APPO", "critic", "NeuralPaint-MNIST-v0"),
        ("rllib-spiral-mypaint", "APPO", "critic", "MyPaint-MNIST-v0"),
    ],
)
def test_the_rllib_methods_are_rllibs_ppo_and_spiral_as_appo_with_the_critic_reward(bench, key, algo, reward, env):
    """The RLlib methods' configs are plain RLlibConfigs (no Ray): the algorithm, reward and env of
    each, the task's strokes and evaluation images, one env runner, the training seed and run folder,
    and a JSON that reads back (what the benchmark compares to keep a saved result)."""
    from paint_gym.checkpoint import config_from_json, config_to_json
    from paint_gym_agents.rllib_config import LEGACY_FIELDS, RLlibConfig

    methods, reconstruction = bench.methods, bench.reconstruction
    config = methods.method_config(key, RLLIB_ARGS, ROOT / "unused", seed=2)
    assert (config.algo, config.reward, config.env) == (algo, reward, env)
    assert (config.episode_length, config.eval_images, config.env_runners, config.seed) == (8, 2, 1, 2)
    assert config.run_dir == str(ROOT / "unused") and config.eval_every == 0
    assert config.min_iteration_seconds == (None if algo == "PPO" else 1.0)  # IMPALA: not RLlib's 10 s
    assert config_from_json(RLlibConfig, config_to_json(config)) == config
    older = {k: v for k, v in json.loads(config_to_json(config)).items() if k != "min_iteration_seconds"}
    assert config_from_json(RLlibConfig, older, LEGACY_FIELDS).min_iteration_seconds is None  # runs saved before it
    kwargs = {**vars(RLLIB_ARGS), "dataset": "celeba", "strokes": 15}
    assert methods.method_config(key, argparse.Namespace(**kwargs), ROOT / "unused").env == env.replace(
        "MNIST", "CelebA"
    )
    assert key in methods.RL_METHODS and (key in methods.PAINTER_METHODS) == env.startswith("NeuralPaint")
    assert (key in reconstruction.DEFAULT_METHODS) == (key != "rllib-spiral-mypaint")
    assert reconstruction.parse_methods(key) == [key]
    with methods.make_trainer(key, config) as trainer:  # the adapter is built without Ray
        assert isinstance(trainer, methods.RLlibMethod)
    assert "paint_gym_agents.rllib" not in sys.modules


def test_the_rllib_adapter_trains_for_the_budget_on_the_benchmarks_clock(bench, monkeypatch):
    """RLlibMethod.run calls paint_gym_agents.rllib.train (here a stand-in: the real one needs Ray,
    tests/test_rllib.py runs it) with the budget as its training seconds and the benchmark's
    geometric evaluation schedule, and returns the run's points."""
    from types import ModuleType

    from paint_gym.training import EvalSchedule

    calls = []

    def train(config, data_dir, progress, seconds, eval_clock):
        calls.append((config, data_dir, seconds, eval_clock))
        points = [{"seconds": 0.0, "strokes": 0, "mse": 0.08}, {"seconds": 3.2, "strokes": 1280, "mse": 0.07}]
        return {"method": "rllib-ppo", "budget_seconds": 3.2, "final_mse": 0.07, "points": points}

    monkeypatch.setitem(sys.modules, "paint_gym_agents.rllib", ModuleType("paint_gym_agents.rllib"))
    monkeypatch.setattr(sys.modules["paint_gym_agents.rllib"], "train", train, raising=False)
    methods = bench.methods
    config = methods.method_config("rllib-ppo", RLLIB_ARGS, ROOT / "unused")
    with methods.make_trainer("rllib-ppo", config, "/data") as trainer:
        points = trainer.run(3.0, eval_every_seconds=30.0)
        with pytest.raises(ValueError, match="positive"):
            trainer.run(0)
    assert calls == [(config, "/data", 3.0, EvalSchedule(30.0))]
    assert points == [Point(0.0, 0, 0.08), Point(3.2, 1280, 0.07)]
    assert (trainer.strokes, trainer.elapsed) == (1280, 3.2)


def test_the_plan_lists_the_rllib_methods_without_importing_ray(bench, tmp_path, capsys):
    """--plan (and keeping a result saved by the RLlib venv) needs no Ray: the RLlib methods are
    listed, a saved result with this setup counts as done, and neither Ray nor the RLlib trainer
    is imported."""
    reconstruction = bench.reconstruction
    argv = ["--methods", "rllib-ppo,rllib-spiral,rllib-spiral-mypaint", "--images", "2", "--plan"]
    argv += ["--out", str(tmp_path), "--runs", str(tmp_path / "runs")]
    assert reconstruction.main(argv) == {}
    out = capsys.readouterr().out
    assert "3 of 3 runs left" in out and "left  SPIRAL on RLlib: APPO, critic reward, MyPaint env" in out
    setup = reconstruction.method_setup("rllib-ppo", RLLIB_ARGS, 2)  # as the RLlib venv saves it
    info = {k: v for k, v in setup.items() if k != "budget_seconds"}
    result = MethodResult("RLlib PPO, dense L2 reward", [Point(0, 0, 0.08), Point(1200, 9000, 0.05)], 1200.0, info)
    result.save(tmp_path / "reconstruction_mnist" / "rllib-ppo.json")
    older = reconstruction.method_setup("rllib-spiral", RLLIB_ARGS, 2)
    del older["config"]["log_std_max"]  # saved before the field existed: LEGACY_FIELDS says it ran with None
    info = {k: v for k, v in older.items() if k != "budget_seconds"}
    result = MethodResult("SPIRAL on RLlib", [Point(0, 0, 0.08), Point(1200, 9000, 0.07)], 1200.0, info)
    result.save(tmp_path / "reconstruction_mnist" / "rllib-spiral.json")
    reconstruction.main(argv)
    out = capsys.readouterr().out
    assert "1 of 3 runs left" in out and "done  RLlib PPO, dense L2 reward" in out
    assert "done  SPIRAL on RLlib: APPO, critic reward  (" in out
    assert "ray" not in sys.modules and "paint_gym_agents.rllib" not in sys.modules


def test_a_python_without_ray_refuses_an_rllib_run_before_training_anything(bench, tmp_path, monkeypatch, capsys):
    """Where Ray is missing, a run that would train an RLlib method stops at the door with the
    RLlib venv's command for them (the other methods untrained, the painter cost not measured);
    --no-summary writes the method results and no summary."""
    reconstruction = bench.reconstruction
    monkeypatch.setattr(reconstruction, "ray_missing", lambda: True)
    argv = ["--images", "2", "--out", str(tmp_path), "--runs", str(tmp_path / "runs")]
    with pytest.raises(SystemExit):
        reconstruction.main(["--methods", "blank,rllib-ppo,rllib-spiral", *argv])
    err = capsys.readouterr().err
    command = ".venv-rllib/bin/python benchmarks/reconstruction.py --dataset mnist --methods rllib-ppo,rllib-spiral"
    assert command + " --images 2 --out " in err and err.rstrip().endswith("or leave them out of --methods")
    assert "--no-summary" in err and not list(tmp_path.glob("**/*.json"))
    payload = reconstruction.main(["--methods", "blank", "--no-summary", *argv])
    assert (tmp_path / "reconstruction_mnist" / "blank.json").is_file() and list(payload["methods"]) == ["blank"]
    assert not (tmp_path / "reconstruction_mnist.json").exists() and not (tmp_path / "painter_cost.json").exists()


def test_a_retired_method_is_read_as_saved_and_refused_without_a_result(bench, tmp_path, capsys):
    """The in-house SPIRAL-style trainer is retired: a run asking for one of its methods with no
    saved result stops at the door naming the RLlib method that replaces it (nothing trained or
    written); its result saved before the retirement (a config of the gone SpiralConfig) is read
    as it is and counts as done."""
    reconstruction = bench.reconstruction
    argv = ["--methods", "blank,spiral", "--images", "2", "--out", str(tmp_path), "--runs", str(tmp_path / "runs")]
    with pytest.raises(SystemExit):
        reconstruction.main(argv)
    err = capsys.readouterr().err
    assert "spiral: the in-house SPIRAL-style trainer is retired" in err and "run rllib-spiral instead" in err
    assert not list(tmp_path.glob("**/*.json"))
    reconstruction.main([*argv, "--plan"])
    out = capsys.readouterr().out
    assert "left  SPIRAL-style RL, critic reward (retired trainer)" in out and "nothing can run them" in out
    with pytest.raises(SystemExit):
        reconstruction.main([*argv, "--seeded", "spiral"])  # a retired method cannot take seeds
    info = {"key": "spiral", "dataset": "mnist", "strokes": 8, "images": 2, "config": {"action_mode": "continuous"}}
    saved = MethodResult("SPIRAL-style RL, critic reward", [Point(0, 0, 0.08), Point(1200, 5000, 0.075)], 1200.0, info)
    saved.save(tmp_path / "reconstruction_mnist" / "spiral.json")
    reconstruction.main([*argv, "--plan"])
    assert "done  SPIRAL-style RL, critic reward (retired trainer)" in capsys.readouterr().out
    payload = reconstruction.main([*argv, "--no-summary"])
    assert list(payload["methods"]) == ["blank", "spiral"] and payload["methods"]["spiral"][0]["final_mse"] == 0.075
