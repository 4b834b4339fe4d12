"""The agents' evaluation: preconditioning templates, the shipped agents, ``paint-gym eval`` and ``demo``."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from paint_gym import actions as act
from paint_gym import shipped_weights
from paint_gym.benchmark.evaluation import blank_row, eval_targets, evaluate_agent
from paint_gym.checkpoint import CheckpointError
from paint_gym.cli import main
from paint_gym_agents import load_agent
from paint_gym_agents.demo import run_demo
from paint_gym_agents.precondition import _allocate, load_templates, stroke_order_agreement, template_strokes
from paint_gym_agents.zoo import shipped_agents

from .helpers import ROOT


def test_templates_cut_pen_paths_in_order():
    t = load_templates(8)
    assert t.shape == (10, 8, 12) and np.abs(t).max() <= 1
    np.testing.assert_allclose(
        t[:, :-1, [act.END_X, act.END_Y]][[0, 1, 2]], t[:, 1:, [act.START_X, act.START_Y]][[0, 1, 2]], atol=1e-6
    )  # one pen path: strokes chain
    assert list(_allocate(np.array([3.0, 1.0]), 8)) == [6, 2]
    line = template_strokes([[[0.0, 0.5], [1.0, 0.5]]], 2, {"pressure": 0, "size": 0, "color": [0, 0, 0]})
    np.testing.assert_allclose(line[:, act.START_X :], [[-1, 0, -0.5, 0, 0, 0], [0, 0, 0.5, 0, 1, 0]], atol=1e-6)
    with pytest.raises(ValueError, match="pen paths"):
        template_strokes([[[0, 0], [1, 1]], [[0, 1], [1, 0]]], 1, {"pressure": 0, "size": 0, "color": [0, 0, 0]})


def test_stroke_order_agreement_detects_reversed_strokes():
    t = load_templates(8)
    labels = np.arange(10)
    assert stroke_order_agreement(t, labels)["agree"] == 1.0
    reversed_ = t.copy()
    reversed_[..., [act.START_X, act.START_Y, act.END_X, act.END_Y]] = t[
        ..., [act.END_X, act.END_Y, act.START_X, act.START_Y]
    ]
    assert stroke_order_agreement(reversed_, labels)["direction"] == 0.0


def test_shipped_agents_paint_better_than_blank_in_mypaint():
    """Every shipped agent's MyPaint replay beats the blank canvas on 8 evaluation images: a
    backprop agent by far (below 60% of blank), an RL agent at least below 95% (SPIRAL's
    mnist_spiral reaches 88% of blank in its 20 minutes; MANIFEST says so)."""
    shipped = shipped_agents()
    assert set(shipped) >= {"mnist", "kmnist", "mnist_precond", "celeba", "celeba30"}
    assert all(e.get("location") != "cache" for e in shipped.values())  # every shipped agent is in the package
    for name, entry in shipped.items():
        assert entry["training_minutes"] > 0 and "command" in entry and entry["bytes"] < 8 * 2**20
        agent = load_agent(name)
        targets = eval_targets(entry["dataset"], 8)
        row, actions = evaluate_agent(agent, targets, name, seeds=(0,))
        assert actions.shape == (8, entry["strokes"], 12)
        bound = 0.6 if entry.get("kind", "backprop_agent") == "backprop_agent" else 0.95
        assert row.mypaint < bound * blank_row(targets).mypaint, name


def test_celeba_agents_ship_with_their_notice(tmp_path, monkeypatch):
    """CelebA allows derived data for non-commercial research: its agents are in the package, their
    MANIFEST entries and weights/NOTICE say so, they load offline (no cache), and the demo paints faces."""
    notice = (shipped_weights.WEIGHTS_DIR / "NOTICE").read_text()
    assert "Liu" in notice and "non-commercial research" in notice.lower()
    celeba = [name for name, entry in shipped_agents().items() if entry["dataset"] == "celeba"]
    assert {"celeba", "celeba30"} <= set(celeba)
    for name in celeba:
        entry = shipped_agents()[name]
        assert (shipped_weights.WEIGHTS_DIR / entry["file"]).is_file() and entry["file"] in notice
        assert "non-commercial" in entry["notice"]
    monkeypatch.setenv("PAINT_GYM_CACHE", str(tmp_path))  # an empty cache: the package's files are used
    assert load_agent("celeba").n_strokes == 15 and load_agent("celeba30").n_strokes == 30
    results = run_demo(None, images=1, out=tmp_path / "d.png", scale=1)
    assert [r["dataset"] for r in results] == ["mnist", "kmnist", "celeba"]


def test_the_demo_skips_a_data_set_it_cannot_read_unless_asked_for_it(tmp_path, monkeypatch, capsys):
    """Offline without CelebA's archive, `paint-gym demo` paints the digits and says why no faces."""
    from paint_gym.data import DataNotFoundError
    from paint_gym_agents import demo

    real = demo.eval_targets

    def no_celeba(name, *args, **kwargs):
        if name == "celeba":
            raise DataNotFoundError("data set 'celeba' (celeba64.npz) not found. Looked in: ...")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(demo, "eval_targets", no_celeba)
    results = run_demo(None, images=1, out=tmp_path / "d.png", scale=1)
    assert [r["dataset"] for r in results] == ["mnist", "kmnist"]
    assert "skipped celeba" in capsys.readouterr().out
    with pytest.raises(DataNotFoundError):
        run_demo(["celeba"], images=1, out=tmp_path / "e.png", scale=1)


def test_load_agent_refuses_unknown_and_tampered(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown agent"):
        load_agent("cifar")
    entry = shipped_agents()["mnist"]
    copy = tmp_path / entry["file"]
    data = bytearray((shipped_weights.WEIGHTS_DIR / entry["file"]).read_bytes())
    data[-100] ^= 0xFF
    copy.write_bytes(bytes(data))
    (tmp_path / "MANIFEST").write_text(json.dumps(entry) + "\n")
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(CheckpointError, match="SHA-256"):
        load_agent("mnist")


def test_eval_command_prints_the_table_and_writes_figure7(tmp_path, capsys):
    fig, table = tmp_path / "f7.png", tmp_path / "t.json"
    assert (
        main(
            [
                "eval",
                "--agent",
                "mnist",
                "--images",
                "4",
                "--direct-steps",
                "3",
                "--direct-images",
                "2",
                "--figure",
                str(fig),
                "--json",
                str(table),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "blank canvas" in out and "random agent" in out and "direct optimisation" in out
    rows = {r["method"].split(" (")[0]: r for r in json.loads(table.read_text())["rows"]}
    assert rows["blank canvas"]["mypaint_mse"] > rows["backprop agent"]["mypaint_mse"]
    assert Image.open(fig).size[1] > 4 * 64


def test_demo_paints_with_the_shipped_agents(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--datasets", "mnist", "kmnist", "--images", "2", "--out", str(out), "--scale", "1"]) == 0
    img = np.asarray(Image.open(out))
    assert img.shape == (30 + 2 * 64 + 2, 2 * (3 * 64 + 4) + 12, 3)  # a header names the task and its columns
    assert (img[:30] < 128).any()  # the labels are drawn
    text = capsys.readouterr().out
    assert "mnist" in text and "kmnist" in text and "MyPaint" in text


def test_no_celeba_image_is_tracked_but_the_one_figure_and_the_benchmark_curves():
    """CelebA's terms: the data set is never committed; the only tracked images whose name says CelebA
    are the README's paper-style figure of 8 evaluation faces and the benchmark's MSE curves (no face);
    every other tracked CelebA-named file is its agents' weights or the benchmark's MSE numbers (small text);
    no archive of it either. Skipped outside a git checkout (an installed package has no history)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "*celeba*"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    images = {p for p in tracked if p.lower().endswith((".png", ".jpg", ".jpeg"))}
    assert images <= {
        "docs/figure7_celeba.png",
        "benchmarks/results/reconstruction_celeba_wallclock.png",
        "benchmarks/results/reconstruction_celeba_strokes.png",
    }
    assert not [p for p in tracked if p.lower().endswith((".npz", ".zip", ".npy", ".tar", ".gz"))]
    # the rest are the CelebA agents' weights and the benchmark's MSE numbers: small text, no pixel data
    # (64 faces of 64 x 64 x 3 bytes would be 786 KB)
    weights = {f"paint_gym/weights/{e['file']}" for e in shipped_agents().values() if e["dataset"] == "celeba"}
    for path in set(tracked) - images - weights:
        assert (ROOT / path).stat().st_size < 64_000, path
        assert path.endswith((".json", ".md")), path
