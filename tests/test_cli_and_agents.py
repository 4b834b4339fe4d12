"""The paint-gym command and the agent protocol."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from paint_gym import data
from paint_gym.benchmark.protocol import PaintingAgent
from paint_gym.cli import main
from paint_gym_agents import RandomAgent


def test_random_demo_writes_target_beside_a_painted_canvas(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--random", "--out", str(out), "--scale", "2"]) == 0
    img = np.asarray(Image.open(out))
    assert img.shape == (128, 384, 3)
    target, canvas, neural = img[:, :128], img[:, 128:256], img[:, 256:]
    assert target.min() < 60 and (canvas < 200).mean() > 0.01  # a digit, and paint on the canvas
    assert (neural < 200).mean() > 0.01  # the neural painter painted the same strokes
    assert "L2" in capsys.readouterr().out


def test_cli_reports_missing_data_as_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAINT_GYM_DATA", str(tmp_path))
    closed = data.RemoteFile("x.gz", "0" * 32, ("http://127.0.0.1:9/",))
    monkeypatch.setitem(data.SOURCES, "kmnist", data.Source("kmnist.npz", (closed,), data.SOURCES["kmnist"].build))
    assert main(["demo", "--random", "--task", "KMNIST", "--out", str(tmp_path / "x.png")]) == 2
    assert "PAINT_GYM_DATA" in capsys.readouterr().err
    assert main(["demo", "--datasets", "kmnist", "--out", str(tmp_path / "x.png")]) == 2
    assert "PAINT_GYM_DATA" in capsys.readouterr().err


def test_brushes_lists_the_default(capsys):
    assert main(["brushes"]) == 0
    assert "classic/dry_brush  (supported default)" in capsys.readouterr().out


def test_random_agent_implements_the_protocol():
    agent = RandomAgent(n_strokes=5, seed=0)
    assert isinstance(agent, PaintingAgent)
    actions = agent.paint(np.zeros((3, 64, 64, 3), np.uint8))
    assert actions.shape == (3, 5, 12) and actions.dtype == np.float32
    assert actions.min() >= -1 and actions.max() <= 1 and actions.std() > 0.3
    assert agent.act({"canvas": None, "target": None}).shape == (12,)
    with pytest.raises(ValueError, match="uint8"):
        agent.paint(np.zeros((3, 64, 64), np.float32))
