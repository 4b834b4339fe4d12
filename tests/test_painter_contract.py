"""One contract, checked for every painter: the real program (libmypaint, each supported brush),
the paper's VAE and GAN, the dab painter of every brush it is shipped for, and each of them saved
to a checkpoint and loaded back by its path.

The contract (ARCHITECTURE.md, "Painters"):

* zero pressure paints nothing (max alpha <= 1e-3);
* strokes whose points coincide paint what MyPaint paints for that brush: nothing for
  dry_brush, pen, charcoal and pencil; a dot for classic/brush (``dabs_per_second``);
* strokes of 0.5 to 2 px stay within MyPaint's own seed-to-seed floor for the brush imitated
  (the VAE and GAN imitate classic/dry_brush; each dab painter its own brush);
* output float32 in [0, 1], one ``(H, W)`` map per stroke; ``sample`` too;
* the same pixels in a batch of 1 and of 64;
* finite gradients at the bounds of the action box (its corners and ``torch.zeros``);

at 64 and 128 px where it is cheap. Real libmypaint renders every reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from paint_gym import actions as act
from paint_gym.painters.load import load_painter, shipped_dab_brushes
from paint_gym.painters.mypaint import DEFAULT_BRUSH, SUPPORTED_BRUSHES, MyPaintPainter

from .helpers import random_actions

#: Brushes that paint where the pen rests (``dabs_per_second`` > 0): coincident points give a dot.
DOT_BRUSHES = ("classic/brush",)
#: A painter's dot may miss MyPaint's by this fraction of the dot's own mean squared alpha (a
#: painter that paints no dot misses by 1.0), and its ink (alpha mass) by this fraction of MyPaint's.
DOT_TOLERANCE = 0.25
DOT_MASS_TOLERANCE = 0.2
#: Brushes whose strokes do not depend on the seed (pen, brush) have a seed-to-seed floor of 0;
#: their floor is instead this fraction of the strokes' own mean squared alpha, i.e. the error of
#: painting nothing: a painter must do no worse on their short strokes than one that omits them.
#: The same scale as the random brushes' floors on 0.5-2 px strokes: 0.9-1.5 of it (dry_brush),
#: 1.5-1.7 (charcoal), 0.6-1.1 (pencil).
DETERMINISTIC_TOLERANCE = 1.0
SIZES = (64, 128)


@dataclass(frozen=True)
class Spec:
    """A painter of the contract: how to get it, and the MyPaint brush it answers to."""

    id: str
    brush: str
    kind: str  # "mypaint", "vae", "gan", "dab"
    from_checkpoint: bool = False

    @property
    def neural(self) -> bool:
        return self.kind != "mypaint"


def _short(brush: str) -> str:
    return brush.rsplit("/", 1)[-1]


SPECS = [
    *(Spec(f"mypaint-{_short(b)}", b, "mypaint") for b in SUPPORTED_BRUSHES),
    Spec("vae", DEFAULT_BRUSH, "vae"),
    Spec("gan", DEFAULT_BRUSH, "gan"),
    *(Spec(f"dab-{_short(b)}", b, "dab") for b in SUPPORTED_BRUSHES),
    Spec("checkpoint-vae", DEFAULT_BRUSH, "vae", from_checkpoint=True),
    Spec("checkpoint-gan", DEFAULT_BRUSH, "gan", from_checkpoint=True),
    Spec("checkpoint-dab", DEFAULT_BRUSH, "dab", from_checkpoint=True),
]
NEURAL = [s for s in SPECS if s.neural]


def _by_id(specs: list[Spec]) -> dict:
    return {"argvalues": specs, "ids": [s.id for s in specs]}


@pytest.fixture(scope="module")
def make_painter(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Spec, int], object]:
    """``make_painter(spec, size)``: a fresh MyPaint painter (seed 0), or the neural painter,
    loaded once per module by name (or saved to a checkpoint and loaded back by its path)."""
    cache: dict[tuple[str, int], object] = {}
    folder = tmp_path_factory.mktemp("painters")

    def make(spec: Spec, size: int = 64) -> object:
        if spec.kind == "mypaint":
            return load_painter("mypaint", size, seed=0, brush=spec.brush)
        if spec.kind == "dab" and spec.brush not in shipped_dab_brushes():
            pytest.skip(
                f"dab weights for {spec.brush} not shipped yet (no {_short(spec.brush)!r} dab entry in "
                "paint_gym/weights/MANIFEST)"
            )
        if (spec.id, size) not in cache:
            brush = spec.brush if spec.kind == "dab" else None
            if spec.from_checkpoint:
                path = Path(folder) / f"{spec.id}.pt"
                if not path.is_file():
                    load_painter(spec.kind, brush=brush).save(path)
                cache[spec.id, size] = load_painter(path, size)
            else:
                cache[spec.id, size] = load_painter(spec.kind, size, brush=brush)
        return cache[spec.id, size]

    return make


def render(painter: object, actions: np.ndarray) -> np.ndarray:
    """Alpha ``(B, H, W)`` of actions ``(B, 12)``: numpy for MyPaint, torch in and out otherwise."""
    if isinstance(painter, MyPaintPainter):
        return painter.render_alpha(actions)
    with torch.no_grad():
        return painter.render_alpha(torch.as_tensor(actions)).numpy()


def short_strokes(rng: np.random.Generator, length_px: float, size: int = 64, n: int = 32) -> np.ndarray:
    """Straight strokes of ``length_px`` (pixels of a ``size`` canvas), away from the border."""
    a = random_actions(rng, n)
    centre = rng.uniform(-0.6, 0.6, (n, 2))
    direction = rng.normal(size=(n, 2))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    half = direction * length_px / size  # the canvas spans 2 action units
    a[:, act.START_X : act.START_Y + 1] = centre - half
    a[:, act.CONTROL_X : act.CONTROL_Y + 1] = centre
    a[:, act.END_X : act.END_Y + 1] = centre + half
    return a.astype(np.float32)


def zero_pressure(rng: np.random.Generator, n: int = 16) -> np.ndarray:
    a = random_actions(rng, n)
    a[:, act.PRESSURE] = -1.0
    return a


def box_bounds(rng: np.random.Generator) -> np.ndarray:
    """The corners -1 and +1, ``zeros`` (all points at the centre) and random corners ``(11, 12)``."""
    corners = rng.choice([-1.0, 1.0], size=(8, act.ACTION_DIM))
    return np.concatenate([-np.ones((1, 12)), np.ones((1, 12)), np.zeros((1, 12)), corners]).astype(np.float32)


def mypaint_renders(brush: str, actions: np.ndarray, size: int = 64, seeds: int = 3) -> list[np.ndarray]:
    real = MyPaintPainter(size, brush=brush)
    renders = []
    for seed in range(seeds):
        real.reseed(seed)
        renders.append(real.render_alpha(actions))
    return renders


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("spec", **_by_id(SPECS))
def test_output_is_float32_in_the_unit_range_one_map_per_stroke(make_painter, spec, size, rng):
    painter = make_painter(spec, size)
    a = np.concatenate([random_actions(rng, 5), box_bounds(rng)[:3]])
    if not spec.neural:
        out = painter.render_alpha(a)
        assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (8, size, size)
        assert 0.0 <= out.min() and out.max() <= 1.0
        return
    x = torch.as_tensor(a)
    with torch.no_grad():
        mean, var = painter.render_alpha(x, return_var=True)
        samples = painter.sample(x, torch.Generator().manual_seed(0))
    for out in (mean, var, samples):
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and out.shape == (8, size, size)
        assert torch.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0
    assert (var <= mean * (1 - mean) + 1e-6).all()  # the most a [0, 1] quantity of that mean can vary


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("spec", **_by_id(SPECS))
def test_zero_pressure_paints_nothing(make_painter, spec, size, rng):
    a = zero_pressure(rng)
    assert MyPaintPainter(size, brush=spec.brush, seed=0).render_alpha(a).max() == 0.0
    painter = make_painter(spec, size)
    assert render(painter, a).max() <= 1e-3
    if spec.neural:
        with torch.no_grad():
            assert painter.sample(torch.as_tensor(a), torch.Generator().manual_seed(0)).max() <= 1e-3


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("spec", **_by_id(SPECS))
def test_strokes_whose_points_coincide_paint_what_mypaint_paints(make_painter, spec, size, rng):
    """Nothing, for brushes that lay paint only as they travel; a dot for those that also lay it
    while the pen rests (classic/brush), which the painter must match."""
    a = short_strokes(rng, 0.0, size)
    real = MyPaintPainter(size, brush=spec.brush, seed=0).render_alpha(a)
    pred = render(make_painter(spec, size), a)
    if spec.brush not in DOT_BRUSHES:
        assert real.max() == 0.0
        assert pred.max() <= 1e-3
        return
    signal = np.mean(real**2)
    assert real.sum((1, 2)).min() > 0 and real.max() > 0.99  # every stroke is a solid dot
    assert np.mean((pred - real) ** 2) <= DOT_TOLERANCE * signal
    assert pred.sum() == pytest.approx(real.sum(), rel=DOT_MASS_TOLERANCE)


@pytest.mark.parametrize("length_px", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("spec", **_by_id(NEURAL))
def test_short_strokes_stay_within_mypaints_seed_to_seed_floor(make_painter, spec, length_px, rng):
    """The mean squared error against three MyPaint seeds is at most the mean squared difference
    between those seeds (for deterministic brushes, the error of painting nothing:
    :data:`DETERMINISTIC_TOLERANCE`)."""
    a = short_strokes(rng, length_px)
    renders = mypaint_renders(spec.brush, a)
    floor = np.mean([np.mean((renders[i] - renders[j]) ** 2) for i, j in ((0, 1), (0, 2), (1, 2))])
    if floor == 0.0:
        floor = DETERMINISTIC_TOLERANCE * np.mean(renders[0] ** 2)
    pred = render(make_painter(spec), a)
    error = np.mean([np.mean((pred - r) ** 2) for r in renders])
    assert error <= floor * (1 + 1e-5)  # painting nothing scores the floor itself, up to float rounding


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("spec", **_by_id(SPECS))
def test_the_same_pixels_in_a_batch_of_1_and_of_64(make_painter, spec, size, rng):
    a = random_actions(rng, 64)
    painter = make_painter(spec, size)
    if not spec.neural:  # the brush is reseeded per stroke from the painter's stream
        batch = painter.render_alpha(a)
        painter.reseed(0)
        np.testing.assert_array_equal(painter.render_alpha(a[:1])[0], batch[0])
        return
    batch = render(painter, a)
    alone = np.concatenate([render(painter, a[i : i + 1]) for i in range(len(a))])
    np.testing.assert_allclose(alone, batch, rtol=0, atol=1e-5)


@pytest.mark.parametrize("spec", **_by_id(NEURAL))
def test_gradients_are_finite_at_the_bounds_of_the_action_box(make_painter, spec, rng):
    painter = make_painter(spec)
    x = torch.as_tensor(box_bounds(rng)).requires_grad_(True)
    mean, var = painter.render_alpha(x, return_var=True)
    sample = painter.sample(x, torch.Generator().manual_seed(0))
    (mean.sum() + var.sum() + sample.sum()).backward()
    assert torch.isfinite(x.grad).all()


@pytest.mark.parametrize("spec", **_by_id(NEURAL))
def test_a_nan_stroke_gives_nan_in_its_own_map_only(make_painter, spec, rng):
    """A diverged network's NaN strokes reach its divergence checks as NaN (no index error, no
    silent finite value) and do not leak into the other strokes of the batch."""
    painter = make_painter(spec)
    x = torch.as_tensor(random_actions(rng, 4))
    x[2, act.START_X] = float("nan")
    mean, var = painter.render_alpha(x, return_var=True)
    sample = painter.sample(x, torch.Generator().manual_seed(0))
    for out in (mean, var, sample):
        assert torch.isnan(out[2]).any() and torch.isfinite(out[[0, 1, 3]]).all()
