"""Painters are loaded once and passed down as objects; the protocols say what callers may use."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym import checkpoint
from paint_gym.canvas import paint_differentiable, to_uint8_array
from paint_gym.painters import load
from paint_gym.painters.base import CanvasPainter, DifferentiablePainter, Painter
from paint_gym.painters.load import NeuralCanvasPainter, ResizedPainter, canvas_painter, load_painter, replay
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
    assert isinstance(numpy_face, NeuralCanvasPainter) and isinstance(numpy_face, CanvasPainter)
    actions = random_actions(rng, 5)
    alpha = numpy_face.render_alpha(actions)
    assert isinstance(alpha, np.ndarray) and alpha.dtype == np.float32 and alpha.shape == (5, 64, 64)
    with torch.no_grad():
        np.testing.assert_array_equal(alpha, gan.render_alpha(torch.as_tensor(actions)).numpy())
    assert mypaint.render_alpha(actions).shape == alpha.shape
