"""The one-minute dab recipe: the model's libmypaint parts (the position filter), which brushes it
refuses and why, the stroke data it renders, its learning-rate schedule and a real tiny fit."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from paint_gym import actions as act
from paint_gym.cli import main as cli_main
from paint_gym.painters import strokes
from paint_gym.painters.dab import LEGACY_CONFIG, TIME_DABS, DabPainter, dab_painter_for, tracking_filter
from paint_gym.painters.dab_brushes import check_dab_brush, dab_unsupported_reason
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.train import DAB_WARMUP, PainterTrainer, TrainConfig


def horizontal_stroke(size_action: float = 0.0) -> np.ndarray:
    a = np.zeros((1, 12), np.float32)
    a[0, act.START_PRESSURE : act.END_PRESSURE + 1] = 0.6
    a[0, act.SIZE] = size_action
    a[0, [act.START_X, act.CONTROL_X, act.END_X]] = [-0.7, 0.0, 0.7]
    return a


def test_the_position_filter_is_libmypaints_slow_tracking():
    """Each event moves the brush ``fac = 1 - exp(-1 / slow_tracking)`` of the way (dt = 0.01 s),
    from the stroke's first point: rows sum to 1 and the first point stays put."""
    f = tracking_filter(4.47, 40, torch.zeros(1))
    fac = 1 - np.exp(-1 / 4.47)
    torch.testing.assert_close(f.sum(1), torch.ones(40))
    assert f[0, 0] == 1 and f[1, 1] == pytest.approx(fac) and f[1, 0] == pytest.approx(1 - fac)
    x = torch.arange(40.0)[:, None]
    lagged = (f @ x)[:, 0]
    assert (lagged <= x[:, 0] + 1e-5).all() and lagged[-1] < 39 - 3  # a moving pen is trailed


def test_a_slow_tracking_brush_stops_short_where_mypaint_does():
    """classic/brush (slow_tracking 4.47) ends its stroke about four events before the end point:
    the dabs' last centre with the filter is where MyPaint's paint ends (minus the radius), to 1.5 px;
    without the filter the dabs overshoot by several pixels."""
    a = horizontal_stroke()
    alpha = MyPaintPainter(64, brush="classic/brush", seed=0).render_alpha(a)[0]
    painted = np.nonzero(alpha.max(0) > 0.5)[0]
    radius = float(act.to_physical(a, 64).radius[0])
    with_filter = dab_painter_for("classic/brush")
    assert with_filter.config.slow_tracking == pytest.approx(4.47)
    without = dab_painter_for("classic/brush", slow_tracking=0.0)
    end_with = float(with_filter.dabs(torch.from_numpy(a))["x"].max())
    end_without = float(without.dabs(torch.from_numpy(a))["x"].max())
    assert abs(end_with + radius - (painted.max() + 1)) <= 1.5 + 0.5 * radius
    assert end_without - end_with > 3


def test_a_brush_whose_dabs_trail_the_pen_ends_where_mypaint_ends():
    """classic/kabura's ``slow_tracking_per_dab`` (10) makes each dab move a tenth of the way to the
    pen: its stroke ends well before the end point. With the per-dab filter the dabs' last centre is
    where MyPaint's paint ends (minus the radius), to 1.5 px plus half a radius; without it, far past."""
    a = horizontal_stroke(0.3)
    alpha = MyPaintPainter(64, brush="classic/kabura", seed=0).render_alpha(a)[0]
    painted = np.nonzero(alpha.max(0) > 0.5)[0]
    radius = float(act.to_physical(a, 64).radius[0])
    trailing = dab_painter_for("classic/kabura")
    assert trailing.config.slow_tracking_per_dab == pytest.approx(10.0)
    plain = dab_painter_for("classic/kabura", slow_tracking_per_dab=0.0)
    end_trailing = float(trailing.dabs(torch.from_numpy(a))["x"].max())  # its time dabs trail as well
    end_plain = float(plain.dabs(torch.from_numpy(a))["x"][:, TIME_DABS:].max())
    assert abs(end_trailing + radius - (painted.max() + 1)) <= 1.5 + 0.5 * radius
    assert end_plain - end_trailing > 3


@pytest.mark.parametrize(
    "brush, words",
    [
        ("classic/calligraphy", "fixed angle"),
        ("classic/smudge+paint", "smudges"),
        ("classic/blend+paint", "smudges"),
        ("classic/ink_eraser", "erases"),
    ],
)
def test_brushes_outside_the_dab_model_are_refused_with_the_reason(brush, words, tmp_path, monkeypatch):
    monkeypatch.setenv(strokes.ENV_STROKES, str(tmp_path / "strokes"))
    with pytest.raises(ValueError, match=words):
        check_dab_brush(brush)
    with pytest.raises(ValueError, match=words):  # before any stroke is rendered
        PainterTrainer(TrainConfig(kind="dab", brush=brush, run_dir=str(tmp_path / "run")))
    assert not (tmp_path / "strokes").exists()


@pytest.mark.parametrize("brush", ["classic/marker_fat", "classic/kabura", "classic/pen", "classic/knife"])
def test_round_nibbed_and_direction_following_brushes_are_accepted(brush):
    """The markers' 10:1 nib is round with the pen upright (tilt_declination 90), the knife's
    ellipse turns with the stroke."""
    assert dab_unsupported_reason(brush) is None


def test_coincident_strokes_are_a_chosen_share_of_the_data(tmp_path):
    spec = strokes.StrokeDataSpec(n_actions=64, seeds_per_action=2, shard_size=64, coincident=0.25)
    a = spec.shard_actions(0)
    rest = a[48:]
    for col in (act.CONTROL_X, act.END_X):
        np.testing.assert_array_equal(rest[:, col], rest[:, act.START_X])
        np.testing.assert_array_equal(rest[:, col + 1], rest[:, act.START_Y])
    assert (a[:48, act.END_X] != a[:48, act.START_X]).all()
    assert "_rest0.25" in strokes.default_folder(spec).name


def test_a_stroke_folder_written_before_the_coincident_field_still_opens(tmp_path):
    spec = strokes.StrokeDataSpec(n_actions=8, seeds_per_action=2, shard_size=8)
    folder = strokes.generate(spec, tmp_path / "s", workers=1, progress=False)
    meta = json.loads((folder / "meta.json").read_text())
    meta.pop("coincident")
    (folder / "meta.json").write_text(json.dumps(meta))
    assert strokes.generate(spec, folder, workers=1, progress=False) == folder


def test_checkpoints_saved_before_the_new_fields_load_as_the_old_model():
    painter = dab_painter_for("classic/pen", **LEGACY_CONFIG)
    payload = {"config": {k: v for k, v in dataclasses.asdict(painter.config).items() if k not in LEGACY_CONFIG}}
    payload["state_dict"] = painter.state_dict()
    loaded = DabPainter.from_payload(payload)
    assert {k: getattr(loaded.config, k) for k in LEGACY_CONFIG} == LEGACY_CONFIG
    a = torch.rand(3, 12) * 2 - 1
    torch.testing.assert_close(loaded.render_alpha(a), painter.render_alpha(a))


def test_the_recipe_warms_up_then_decays_to_zero(tmp_path):
    spec = strokes.StrokeDataSpec(n_actions=96, seeds_per_action=2, shard_size=96, brush="classic/pen")
    folder = strokes.generate(spec, tmp_path / "s", workers=1, progress=False)
    trainer = PainterTrainer(TrainConfig(kind="dab", data=str(folder), run_dir=str(tmp_path / "r"), holdout=16))
    assert trainer.cfg.steps == 400 and trainer.cfg.batch_size == 256
    factors = []
    for step in (0, int(DAB_WARMUP * 400) // 2, int(DAB_WARMUP * 400), 200, 399):
        trainer.step = step
        factors.append(trainer.dab_lr_factor())
    assert factors[0] < factors[1] < factors[2] == pytest.approx(1.0)
    assert factors[2] > factors[3] > factors[4] >= 0 and factors[4] < 0.01


def test_a_tiny_fit_with_the_default_recipe_lowers_the_error_and_fits_the_dot_jointly(tmp_path, monkeypatch):
    """`train-painter --kind dab --brush classic/brush` renders its own data (coincident strokes
    among them) and fits the time dabs with the MLP: a few real steps lower the held-out error and
    move the dot's parameters."""
    monkeypatch.setenv(strokes.ENV_STROKES, str(tmp_path / "strokes"))
    cfg = TrainConfig(
        kind="dab", brush="classic/brush", n_actions=320, holdout=64, steps=12, run_dir=str(tmp_path / "r")
    )
    trainer = PainterTrainer(cfg)
    assert trainer.painter.config.dot and trainer.painter.config.slow_tracking > 0
    rendered = next((tmp_path / "strokes").iterdir())
    assert json.loads((rendered / "meta.json").read_text())["coincident"] > 0
    before = trainer.evaluate()["val_mse_single"]
    dot_before = float(trainer.painter.dot_ink.detach())
    trainer.run(progress=False)
    assert trainer.history[-1]["val_mse_single"] < before
    assert float(trainer.painter.dot_ink.detach()) != dot_before


def test_paint_gym_brushes_says_which_have_a_dab_painter_and_why_not(capsys):
    assert cli_main(["brushes"]) == 0
    out = capsys.readouterr().out
    line = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("  classic/")}
    assert "dab painter shipped" in line["classic/pen"]
    assert "fixed angle" in line["classic/calligraphy"] and "smudges" in line["classic/smudge+paint"]
