"""One checkpoint path, one run log, one weights registry, and the maintainer's shipping script."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field

import pytest
import torch

from paint_gym import shipped_weights
from paint_gym.checkpoint import (
    CheckpointError,
    ResumeError,
    atomic_path,
    check_resume,
    config_from_json,
    config_to_json,
    float_state,
    half_state,
    read_checkpoint,
    sha256_of,
    verified_file,
    write_checkpoint,
    write_text_atomic,
)
from paint_gym.painters.neural import GANPainter, PainterConfig, load_neural_painter
from paint_gym.runlog import curves_figure, plot_columns, write_log_csv

from .helpers import ROOT, ship_weights_script


@dataclass
class Config:
    lr: float = 1e-3
    steps: int = 10
    width: int = 8
    seeds: tuple[int, ...] = (0, 1)
    extra: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------
# Atomic writes, hashes, torch checkpoints
# ----------------------------------------------------------------------------------------


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = write_text_atomic(tmp_path / "deep" / "result.json", "old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old" and [p.name for p in path.parent.iterdir()] == ["result.json"]
    with atomic_path(path) as tmp:
        assert tmp.suffix == ".json" and tmp.parent == path.parent  # same folder (atomic rename), same suffix (format)
        tmp.write_text("new")
    assert path.read_text() == "new" and [p.name for p in path.parent.iterdir()] == ["result.json"]


def test_checkpoints_round_trip_and_bad_files_are_named(tmp_path):
    state = {"w": torch.arange(4.0), "step": 3, "config": config_to_json(Config())}
    digest = write_checkpoint(state, tmp_path / "run" / "checkpoint.pt")
    assert digest == sha256_of(tmp_path / "run" / "checkpoint.pt")
    loaded = read_checkpoint(tmp_path / "run" / "checkpoint.pt", sha256=digest)
    assert loaded["step"] == 3 and torch.equal(loaded["w"], state["w"])
    assert read_checkpoint(tmp_path / "run" / "checkpoint.pt", "thing", lambda p: p["step"] * 2) == 6
    with pytest.raises(CheckpointError, match="SHA-256"):
        read_checkpoint(tmp_path / "run" / "checkpoint.pt", sha256="0" * 64)
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match=r"bad\.pt is not a readable agent checkpoint"):
        read_checkpoint(tmp_path / "bad.pt", "agent checkpoint")
    with pytest.raises(CheckpointError, match="KeyError"):  # a build step that fails names the file too
        read_checkpoint(tmp_path / "run" / "checkpoint.pt", "thing", lambda p: p["missing"])
    with pytest.raises(FileNotFoundError, match="train one first"):
        read_checkpoint(tmp_path / "none.pt", missing="no checkpoint: train one first")
    with pytest.raises(FileNotFoundError, match="get it"):
        verified_file(tmp_path / "none.pt", None, "get it")


WEIGHTS = ROOT / "paint_gym" / "weights"


def _load_painter(path):
    from paint_gym import load_painter

    return load_painter(path)


def _load_agent(path):
    from paint_gym_agents import load_agent

    return load_agent(path)


def _backprop_load(path):
    from paint_gym_agents.backprop import BackpropAgent

    return BackpropAgent.load(path)


#: Every loader of a checkpoint a user names: what it expects, and a file of the other kind.
LOADERS = {
    "load_painter": (_load_painter, "painter checkpoint", WEIGHTS / "agent_mnist.pt", "a backprop agent checkpoint"),
    "load_agent": (_load_agent, "agent checkpoint", WEIGHTS / "dab_painter_pen.pt", "a dab painter checkpoint"),
    "BackpropAgent.load": (
        _backprop_load,
        "checkpoint",
        WEIGHTS / "gan_painter.pt",
        "a gan painter checkpoint",
    ),
}

#: Files that are no checkpoint of the kind asked for, and the words saying what each holds.
WRONG_FILES = {
    "the other kind": (None, None),
    "empty": (lambda p, right: p.write_bytes(b""), r"an empty file \(0 bytes\), not a torch checkpoint"),
    "cut in half": (
        lambda p, right: p.write_bytes(right.read_bytes()[: right.stat().st_size // 2]),
        r"a zip file of [\d,]+ bytes that torch cannot read \(cut short, damaged",
    ),
    "text": (lambda p, right: p.write_text("step,loss\n1,0.5\n"), r"a text file \(16 bytes, starting 'step,loss"),
    "a NumPy array": (lambda p, right: p.write_bytes(b"\x93NUMPY\x01\x00" + b"\0" * 40), r"a NumPy \.npy file"),
    "a bare state dict": (
        lambda p, right: torch.save(GANPainter().state_dict(), p),
        r"a bare state dict of \d+ tensors \(",
    ),
    "a list": (lambda p, right: torch.save([1, 2], p), r"it holds a list, not a dict of tensors and settings"),
}


@pytest.mark.parametrize("wrong", WRONG_FILES)
@pytest.mark.parametrize("loader", LOADERS)
def test_every_loader_says_what_a_wrong_file_holds_and_what_it_expected(loader, wrong, tmp_path):
    load, expected, other_kind, other_words = LOADERS[loader]
    right = WEIGHTS / ("dab_painter_pen.pt" if loader == "load_painter" else "agent_mnist.pt")
    write, words = WRONG_FILES[wrong]
    if write is None:
        path, words = other_kind, other_words
    else:
        path = tmp_path / "model.pt"
        write(path, right)
    with pytest.raises(CheckpointError) as err:
        load(path)
    message = str(err.value)
    assert str(path) in message and expected in message
    assert re.search(words, message), message
    assert "object has no attribute" not in message


@pytest.mark.parametrize("loader", LOADERS)
def test_every_loader_given_a_folder_says_it_is_a_folder(loader, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "agent.pt").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"run is a folder \(holding agent\.pt\); give the file itself"):
        LOADERS[loader][0](tmp_path / "run")


def test_half_state_halves_floats_only_and_float_state_restores_them():
    state = {"w": torch.randn(3), "count": torch.tensor([2])}
    half = half_state(state)
    assert half["w"].dtype == torch.float16 and half["count"].dtype == torch.int64
    assert half_state(state, half=False)["w"].dtype == torch.float32
    assert float_state(half)["w"].dtype == torch.float32 and torch.allclose(
        float_state(half)["w"], state["w"], atol=1e-2
    )


# ----------------------------------------------------------------------------------------
# Configs and resume
# ----------------------------------------------------------------------------------------


def test_configs_round_trip_and_unknown_or_missing_fields_are_named():
    cfg = Config(seeds=(3, 4), extra={"a": 1})
    assert config_from_json(Config, config_to_json(cfg)) == cfg  # the tuple comes back a tuple
    data = json.loads(config_to_json(cfg))
    with pytest.raises(CheckpointError, match=r"unknown fields \['colour'\], missing fields \['width'\]"):
        config_from_json(Config, {**{k: v for k, v in data.items() if k != "width"}, "colour": 1})
    with pytest.raises(TypeError):
        config_to_json(Config)


def test_resume_allows_the_named_fields_and_names_every_other_change():
    saved = Config()
    assert check_resume(saved, Config(lr=0.1, steps=99), {"lr", "steps"}, "run/checkpoint.pt") == ["lr", "steps"]
    with pytest.raises(
        ResumeError,
        match=r"run/checkpoint.pt was trained with width=8 \(asked for 16\), seeds=\(0, 1\) \(asked for \(0,\)\)",
    ):
        check_resume(saved, Config(width=16, seeds=(0,), lr=0.5), {"lr", "steps"}, "run/checkpoint.pt")
    with pytest.raises(
        ValueError, match="use another run folder"
    ):  # a ResumeError is a ValueError (the CLI's exit code 2)
        check_resume(saved, Config(width=16), {"lr"}, "run/checkpoint.pt")


# ----------------------------------------------------------------------------------------
# The run log
# ----------------------------------------------------------------------------------------


def test_the_run_log_writes_rows_of_different_keys_and_a_figure(tmp_path):
    rows = [{"step": 1, "loss": 0.5}, {"step": 2, "minutes": 0.1, "loss": 0.25, "eval_mse": 0.1}]
    write_log_csv(tmp_path / "log.csv", rows, ("step", "minutes"))
    with open(tmp_path / "log.csv") as f:
        read = list(csv.DictReader(f))
    assert (
        list(read[0]) == ["step", "minutes", "eval_mse", "loss"]
        and read[0]["minutes"] == ""
        and read[1]["eval_mse"] == "0.1"
    )
    with curves_figure(tmp_path / "curves.png", 1, "title") as (_, ax):
        plot_columns(ax, rows, "step", ("loss", "eval_mse", "absent"))
        assert [line.get_label() for line in ax.lines] == ["loss", "eval_mse"]
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curves.png", "log.csv"]


# ----------------------------------------------------------------------------------------
# The weights registry and the shipping script
# ----------------------------------------------------------------------------------------


def test_the_registry_names_unknown_and_broken_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", tmp_path)
    assert shipped_weights.read_manifest() == {}
    with pytest.raises(FileNotFoundError, match="no shipped file named 'gan_painter'"):
        shipped_weights.verified_path("gan_painter")
    (tmp_path / "MANIFEST").write_text('{"name": "x"}\n')
    with pytest.raises(CheckpointError, match="line 1"):
        shipped_weights.read_manifest()


def test_shipping_a_painter_records_it_and_the_registry_verifies_it(tmp_path, monkeypatch):
    run, weights = tmp_path / "runs" / "gan_painter", tmp_path / "weights"
    GANPainter(PainterConfig(width=8, hidden=16)).save(run / "painter.pt")  # creates the run folder
    write_checkpoint(
        {"step": 5, "elapsed": 90.0, "history": json.dumps([{"step": 5, "val_mse_mean": 0.01, "rec": 0.02}])},
        run / "checkpoint.pt",
    )
    ship = ship_weights_script()
    entry = ship.ship_painter(run, "gan_painter", "paint-gym train-painter --kind gan", weights_dir=weights)
    assert entry["steps"] == 5 and entry["training_minutes"] == 1.5 and entry["held_out"] == {"val_mse_mean": 0.01}
    assert (
        shipped_weights.read_manifest(weights)["gan_painter"] == entry
        and ship.REPO_WEIGHTS == ROOT / "paint_gym" / "weights"
    )
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", weights)
    assert load_neural_painter("gan").config == PainterConfig(width=8, hidden=16)
    (weights / "gan_painter.pt").write_bytes(b"replaced")
    with pytest.raises(CheckpointError, match="SHA-256"):
        load_neural_painter("gan")
