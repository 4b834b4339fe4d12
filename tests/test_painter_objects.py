"""Painters are loaded once and passed down as objects; the protocols say what callers may use."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from paint_gym import checkpoint, shipped_weights
from paint_gym.canvas import paint_differentiable, to_uint8_array
from paint_gym.painters import load
from paint_gym.painters.base import CanvasPainter, DifferentiablePainter, Painter
from paint_gym.painters.canvases import Canvases
from paint_gym.painters.dab import DabPainter, dab_painter_for
from paint_gym.painters.load import ResizedPainter, canvas_painter, load_painter, replay
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.neural import GANPainter, NeuralPainter

from .helpers import random_actions


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("a painter object was given: nothing may be loaded")


@pytest.fixture
def gan() -> NeuralPainter:
    return load_painter("gan")


def test_replay_paints_with_the_painter_object_it_is_given(gan, rng, monkeypatch):
    """No loader runs, and the given module is the one that renders (a forward hook counts it)."""
    for loader in ("load_neural_painter", "load_checkpoint", "shipped_painter"):
        monkeypatch.setattr(load, loader, _refuse)
    rendered: list[int] = []
    gan.register_forward_hook(lambda module, inputs, output: rendered.append(len(inputs[0])))
    actions = random_actions(rng, 3, 4)
    out = replay(actions, gan)
    assert rendered == [12] and out.shape == (3, 64, 64, 3) and out.dtype == np.uint8
    expected = to_uint8_array(paint_differentiable(gan, torch.as_tensor(actions)))
    np.testing.assert_array_equal(out, expected)


def test_replay_with_a_mypaint_object_reseeds_it_and_equals_replay_by_name(rng):
    actions = random_actions(rng, 2, 5)
    used = MyPaintPainter(64, seed=123)
    used.paint(actions)  # its random stream has moved on: replay reseeds it
    np.testing.assert_array_equal(replay(actions, used, seed=3), replay(actions, "mypaint", seed=3))
    np.testing.assert_array_equal(replay(actions, used, seed=3), replay(actions, used, seed=3))


def test_shipped_weights_are_read_and_hashed_once_per_process(monkeypatch, rng):
    """Loading by name re-read and re-hashed the 3.2 MB GAN file on every call (replay included)."""
    hashed: list[str] = []
    real_sha256 = checkpoint.sha256_of

    def counting_sha256(path: object) -> str:
        hashed.append(str(path))
        return real_sha256(path)

    monkeypatch.setattr(checkpoint, "sha256_of", counting_sha256)
    monkeypatch.setattr(load, "_shipped", {})  # a fresh process's cache
    actions = random_actions(rng, 1, 2)
    for _ in range(3):
        load_painter("gan")
        replay(actions, "gan")
    load_painter("gan", canvas_size=28)
    assert len(hashed) == 1 and hashed[0].endswith(".pt")
    load_painter("vae")
    load_painter("vae")
    assert len(hashed) == 2


def test_painters_loaded_by_name_do_not_share_weights(rng):
    first, second = load_painter("gan"), load_painter("gan")
    assert first is not second and not any(p.requires_grad for p in second.parameters())
    x = torch.as_tensor(random_actions(rng, 6))
    before = second.render_alpha(x)
    with torch.no_grad():
        for p in first.parameters():
            p.add_(1.0)
    first.train()
    torch.testing.assert_close(second.render_alpha(x), before, rtol=0, atol=0)
    torch.testing.assert_close(load_painter("gan").render_alpha(x), before, rtol=0, atol=0)
    assert not second.training


def test_load_painter_uses_objects_as_they_are_and_checks_their_size():
    mypaint = MyPaintPainter(32, seed=0)
    assert load_painter(mypaint) is mypaint and load_painter(mypaint, canvas_size=32) is mypaint
    with pytest.raises(ValueError, match="32 px canvases but canvas_size=64"):
        load_painter(mypaint, canvas_size=64)
    net = GANPainter()
    assert load_painter(net) is net
    resized = load_painter(net, canvas_size=28)
    assert isinstance(resized, ResizedPainter) and resized.painter is net
    with pytest.raises(ValueError, match="render_alpha"):
        load_painter(object())


def test_the_protocols_describe_the_real_and_the_neural_painters(gan, rng):
    mypaint = MyPaintPainter(64, seed=0)
    assert isinstance(mypaint, Painter) and isinstance(mypaint, CanvasPainter)
    assert isinstance(gan, DifferentiablePainter) and not isinstance(gan, CanvasPainter)
    assert canvas_painter(mypaint) is mypaint
    numpy_face = canvas_painter(gan)
    assert isinstance(numpy_face, Canvases) and isinstance(numpy_face, CanvasPainter)
    actions = random_actions(rng, 5)
    alpha = numpy_face.render_alpha(actions)
    assert isinstance(alpha, np.ndarray) and alpha.dtype == np.float32 and alpha.shape == (5, 64, 64)
    with torch.no_grad():
        np.testing.assert_array_equal(alpha, gan.render_alpha(torch.as_tensor(actions)).numpy())
    assert mypaint.render_alpha(actions).shape == alpha.shape


def test_a_dab_painter_object_of_another_size_renders_natively_not_resized():
    dab = dab_painter_for("classic/dry_brush", 64)
    assert load_painter(dab) is dab and isinstance(dab, DifferentiablePainter)
    view = load_painter(dab, canvas_size=128)
    assert isinstance(view, DabPainter) and view.canvas_size == 128 and view.mlp is dab.mlp
    with pytest.raises(ValueError, match="imitates 'classic/dry_brush', not brush='classic/pen'"):
        load_painter(dab, brush="classic/pen")


def test_brush_chooses_mypaints_brush_and_must_be_the_one_a_neural_painter_imitates():
    pen = load_painter("mypaint", 32, brush="classic/pen", seed=0)
    assert isinstance(pen, MyPaintPainter) and pen.brush.path.name == "pen.myb" and pen.canvas_size == 32
    assert load_painter("mypaint").brush.path.name == "dry_brush.myb"
    assert isinstance(load_painter("gan", brush="classic/dry_brush"), GANPainter)
    with pytest.raises(ValueError, match="imitates 'classic/dry_brush', not brush='classic/pen'"):
        load_painter("gan", brush="classic/pen")
    with pytest.raises(ValueError, match="a painter object paints with its own"):
        load_painter(MyPaintPainter(64, seed=0), brush="classic/pen")


@pytest.fixture
def dab_weights(tmp_path, monkeypatch):
    """A package weights folder whose MANIFEST lists an (unfitted) dry_brush dab painter, and a
    ``dab_painter_pen`` entry whose file is a dry_brush painter; a fresh process's cache."""
    folder = tmp_path / "weights"
    folder.mkdir()
    torch.manual_seed(0)
    entries = []
    for name in ("dry_brush", "pen"):
        file = f"dab_painter_{name}.pt"
        sha = dab_painter_for("classic/dry_brush").save(folder / file)
        entries.append(json.dumps({"name": f"dab_painter_{name}", "file": file, "sha256": sha}))
    (folder / shipped_weights.MANIFEST).write_text("\n".join(entries) + "\n")
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", folder)
    monkeypatch.setattr(load, "_shipped", {})
    return folder


def test_shipped_dab_painters_are_verified_once_and_rendered_natively(dab_weights, monkeypatch, rng):
    hashed: list[str] = []
    real_sha256 = checkpoint.sha256_of
    monkeypatch.setattr(checkpoint, "sha256_of", lambda path: hashed.append(str(path)) or real_sha256(path))
    assert load.shipped_dab_brushes() == ("classic/dry_brush", "classic/pen")
    first, second = load_painter("dab"), load_painter("dab", canvas_size=128, brush="classic/dry_brush")
    assert len(hashed) == 1 and isinstance(first, DabPainter) and isinstance(second, DabPainter)
    assert second.canvas_size == 128 and first.mlp is not second.mlp  # copies: changing one changes no other
    assert not any(p.requires_grad for p in first.parameters())
    x = torch.as_tensor(random_actions(rng, 3))
    torch.testing.assert_close(load_painter("dab").render_alpha(x), first.render_alpha(x), rtol=0, atol=0)
    with pytest.raises(checkpoint.CheckpointError, match="not the dab painter of 'classic/pen'"):
        load_painter("dab", brush="classic/pen")


def test_a_brush_without_shipped_dab_weights_says_which_have_them_and_how_to_fit_one(dab_weights, monkeypatch):
    with pytest.raises(
        ValueError,
        match=r"shipped for: classic/dry_brush, classic/pen\. Fit one with "
        r"`paint-gym train-painter --kind dab --brush classic/charcoal`",
    ):
        load_painter("dab", brush="classic/charcoal")
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", dab_weights.parent / "empty")
    with pytest.raises(ValueError, match="no shipped dab painter for brush 'classic/dry_brush'; shipped for: none yet"):
        load_painter("dab")
