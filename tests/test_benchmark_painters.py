"""The painter benchmarks (benchmarks/painter_fidelity.py and benchmarks/env_speed.py) in their
``--quick`` mode: every table, target and figure is written, and each script's README section renders
what it wrote. An unfitted dab painter stands in for the shipped one (the scripts' ``--dab``)."""

from __future__ import annotations

import importlib
import json
import shutil
import sys

import numpy as np
import pytest

from paint_gym.painters.dab import dab_painter_for

from .helpers import ROOT


@pytest.fixture
def scripts(monkeypatch):
    """Import a benchmark script by name (its folder on sys.path), forgotten afterwards."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    names = []

    def load(name: str):
        names.append(name)
        return importlib.import_module(name)

    yield load
    for name in [*names, "common", "methods"]:
        sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def dab_checkpoint(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("dab") / "painter.pt"
    dab_painter_for().save(path)
    return str(path)


def test_scores_of_chunks_equal_scores_of_the_whole_batch(scripts, dab_checkpoint):
    fidelity = scripts("painter_fidelity")
    from paint_gym.painters.load import load_painter

    actions = np.random.default_rng(3).uniform(-1, 1, (12, 12)).astype(np.float32)
    painters = {"dab": load_painter(dab_checkpoint)}
    whole, _, _ = fidelity.score_size(64, actions, [1, 2], painters, chunk=12)
    parts, _, _ = fidelity.score_size(64, actions, [1, 2], painters, chunk=5)
    assert whole["reference"]["noise_floor_alpha_mse"] == pytest.approx(parts["reference"]["noise_floor_alpha_mse"])
    assert whole["reference"]["ideal_alpha_mse"] == pytest.approx(whole["reference"]["noise_floor_alpha_mse"] / 2)
    for key in ("alpha_mse", "alpha_mse_vs_seed_mean", "sharpness_vs_mypaint", "variance_corr", "coverage_rel_error"):
        assert whole["painters"][0][key] == pytest.approx(parts["painters"][0][key], rel=1e-5), key


def test_painter_fidelity_quick_writes_every_size_target_and_figure(scripts, dab_checkpoint, tmp_path):
    fidelity = scripts("painter_fidelity")
    payload = fidelity.main(["--quick", "--sizes", "64", "128", "--dab", dab_checkpoint, "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "painter_fidelity.json").read_text())
    assert saved["targets"] == payload["targets"] and set(saved["sizes"]) == {"64", "128"}
    for block in saved["sizes"].values():
        ref = block["reference"]
        assert ref["ideal_alpha_mse"] == pytest.approx(ref["noise_floor_alpha_mse"] / 2) and ref["mypaint_seconds"] > 0
        rows = {r["painter"]: r for r in block["painters"]}
        assert set(rows) == {"VAE", "GAN", "dab"}
        dab = rows["dab"]
        assert dab["ratio_to_ideal"] == pytest.approx(dab["alpha_mse"] / ref["ideal_alpha_mse"])
        assert dab["sample_sharpness_vs_mypaint"] > 0 and dab["sample_variance_total_ratio"] > 0
    assert saved["targets"]["dab_within_1.15x_ideal_at_256px"] is None  # not measured: not judged
    assert isinstance(saved["targets"]["dab_within_1.15x_ideal_at_128px"], bool)
    assert {"VAE", "GAN", "dab"} <= set(saved["canvas_transfer"])
    for name in saved["figures"]:
        assert (tmp_path / name).is_file(), name

    ((title, md, targets),) = fidelity.readme_sections(tmp_path)
    assert "| 128 px | dab |" in md and "x ideal" in md
    assert ("painter fidelity", "dab alpha MSE <= 0.0037 at 64 px") in [t[:2] for t in targets]


def test_env_speed_quick_puts_each_painter_beside_mypaint(scripts, dab_checkpoint, tmp_path):
    speed = scripts("env_speed")
    argv = ["--quick", "--painters", "gan", "dab", "--dab", dab_checkpoint, "--out", str(tmp_path)]
    payload = speed.main(argv)
    rates = payload["neural_by_painter"]["64"]
    assert set(rates) == {
        "MyPaintEnv.step",
        *(f"{p} {k}" for p in ("gan", "dab") for k in ("forward", "forward+backward")),
    }
    assert all(r > 0 for r in rates.values())
    assert [t["target"].split(" at ")[0] for t in payload["neural_targets"]] == [
        "gan vector env step",
        "dab vector env step",
        "dab paint + backward",
    ]
    assert (tmp_path / "env_speed.png").is_file()
    ((title, md, targets),) = speed.readme_sections(tmp_path)
    assert "| 64 px | dab |" in md and len(targets) == 4


def test_rl_search_keeps_the_committed_spiral_diagnosis_as_history(scripts, tmp_path, capsys):
    """The SPIRAL diagnosis's trainer is retired: ``--method spiral`` is refused, and its committed
    JSON still gives the README its section (the table, the figure, its target row), marked as history."""
    search = scripts("rl_search")
    with pytest.raises(SystemExit):
        search.parse_args(["--method", "spiral"])
    assert "invalid choice: 'spiral'" in capsys.readouterr().err
    shutil.copyfile(ROOT / "benchmarks" / "results" / "spiral_diagnosis.json", tmp_path / "spiral_diagnosis.json")
    spiral, sb3 = search.readme_sections(tmp_path)
    assert spiral.title.endswith("(retired trainer)") and "retired in favour of RLlib" in spiral.markdown
    assert "first release" in spiral.markdown and "results/spiral_diagnosis.png" in spiral.markdown
    assert spiral.targets[0][0] == "SPIRAL diagnosis (mnist)" and spiral.targets[0][2].endswith("(retired trainer)")
    assert sb3.markdown == "*not run yet*"
    assert [s.title for s in search.readme_sections(tmp_path / "empty")] == ["SB3 PPO and SAC: the search"]


def test_rl_search_sb3_trains_each_configuration_and_names_the_best(scripts, tmp_path, capsys, monkeypatch):
    """benchmarks/rl_search.py --method sb3: a real tiny PPO and SAC run on the batched dab-painter env,
    a row each beside the blank canvas, the best of each algorithm named, the figure; a second call
    keeps finished configurations, and a changed configuration is trained again."""
    search = scripts("rl_search")
    argv = ["--method", "sb3", "--configs", "ppo_std0.37_short", "sac", "--minutes", "0.05", "--images", "4"]
    argv += ["--threads", "1", "--out", str(tmp_path), "--runs", str(tmp_path / "runs"), "--eval-every", "2"]
    payload = search.main(argv)
    assert [r["config"] for r in payload["rows"]] == ["ppo_std0.37_short", "sac"]
    assert payload["best"] == {"ppo": "ppo_std0.37_short", "sac": "sac"}
    for result in payload["results"]:
        assert result["strokes"] > 0 and len(result["points"]) >= 2 and result["strokes_per_second"] > 0
    assert payload["results"][0]["fields"]["log_std_init"] == -1.0
    assert (tmp_path / "sb3_search.png").stat().st_size > 0
    assert "blank canvas" in json.loads((tmp_path / "sb3_search.json").read_text())["table"]
    capsys.readouterr()
    search.main(argv)
    assert capsys.readouterr().out.count("finished before, kept") == 2
    methods = scripts("methods")
    label, fields = methods.SB3_CONFIGS["sac"]
    monkeypatch.setitem(methods.SB3_CONFIGS, "sac", (label, {**fields, "lr": 1e-4}))
    search.main(argv)
    assert capsys.readouterr().out.count("finished before, kept") == 1  # the changed SAC trains again


def test_rl_search_refuses_a_configuration_it_does_not_have(scripts, capsys):
    search = scripts("rl_search")
    with pytest.raises(SystemExit):
        search.parse_args(["--method", "sb3", "--configs", "dense_wide"])
    assert "--method sb3 has no configuration dense_wide" in capsys.readouterr().err


def test_rl_throughput_measures_each_method_on_both_envs(scripts, tmp_path):
    """benchmarks/rl_throughput.py: the benchmark's PPO configuration trained briefly on the
    dab-painter env and on MyPaint, strokes per training second for each, the table and figure."""
    throughput = scripts("rl_throughput")
    payload = throughput.main(["--methods", "sb3-ppo", "--seconds", "2", "--threads", "1", "--out", str(tmp_path)])
    rows = payload["rows"]
    assert [(r["method"], r["env"]) for r in rows] == [("sb3-ppo", "neural"), ("sb3-ppo", "mypaint")]
    assert all(r["strokes"] > 0 and r["strokes_per_second"] > 0 for r in rows)
    assert "| SB3 PPO |" in payload["table"] and (tmp_path / "rl_throughput.png").stat().st_size > 0
