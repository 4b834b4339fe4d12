"""The libmypaint binding and MyPaintPainter: real strokes, seeding, compositing, errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from paint_gym import actions as act
from paint_gym.canvas import blank_canvas, composite, to_float
from paint_gym.painters import libmypaint
from paint_gym.painters.mypaint import (
    DEFAULT_BRUSH,
    SUPPORTED_BRUSHES,
    Brush,
    MyPaintPainter,
    Surface,
    list_brushes,
    resolve_brush,
)

from .helpers import random_actions


def stroke_action(x0, y0, x1, y1, size=0.0, pressure=0.6):
    """A straight stroke between two points given in action coordinates."""
    a = np.zeros(12, np.float32)
    a[act.PRESSURE] = pressure
    a[act.SIZE] = size
    a[act.START_X : act.START_Y + 1] = x0, y0
    a[act.CONTROL_X : act.CONTROL_Y + 1] = (x0 + x1) / 2, (y0 + y1) / 2
    a[act.END_X : act.END_Y + 1] = x1, y1
    return a


def test_new_surface_is_cleared_to_transparent():
    s = Surface(64, 64)
    assert s.rgba().max() == 0
    s.close()


def test_stroke_lands_where_the_action_says():
    p = MyPaintPainter(64, seed=0)
    alpha = p.render_alpha(stroke_action(-0.5, -0.5, 0.5, -0.5)[None])[0]
    ys, xs = np.nonzero(alpha > 0.1)
    assert len(xs) > 20
    # a horizontal stroke at y = 16 px from x = 16 to 48 px
    assert 14 <= np.average(ys, weights=alpha[ys, xs]) <= 18
    assert xs.min() <= 19 and xs.max() >= 45
    assert alpha[40:, :].max() == 0  # nothing far from the stroke


def test_tiles_are_stitched_in_the_right_order_on_large_canvases():
    """A 160 px canvas spans 3x3 libmypaint tiles; a stroke in the lower right stays there."""
    p = MyPaintPainter(160, seed=0)
    alpha = p.render_alpha(stroke_action(0.5, 0.7, 0.8, 0.7)[None])[0]
    ys, xs = np.nonzero(alpha > 0.1)
    assert 130 <= ys.mean() <= 142 and 115 <= xs.mean() <= 135
    assert alpha[:100].max() == 0 and alpha[:, :100].max() == 0


def test_bigger_size_paints_a_wider_stroke():
    p = MyPaintPainter(64, seed=0)
    small = p.render_alpha(stroke_action(-0.5, 0, 0.5, 0, size=-1)[None])[0]
    big = p.render_alpha(stroke_action(-0.5, 0, 0.5, 0, size=1)[None])[0]
    assert big.sum() > 4 * small.sum()


def test_same_seed_gives_same_pixels(rng):
    a = random_actions(rng, 16)
    first = MyPaintPainter(64, seed=7).render_alpha(a)
    second = MyPaintPainter(64, seed=7).render_alpha(a)
    np.testing.assert_array_equal(first, second)


def test_different_seeds_scatter_the_dry_brush_differently(rng):
    a = random_actions(rng, 16)
    a[:, act.PRESSURE] = 1.0
    first = MyPaintPainter(64, seed=1).render_alpha(a)
    second = MyPaintPainter(64, seed=2).render_alpha(a)
    assert np.mean((first - second) ** 2) > 1e-4
    # ... but the same strokes: the coverage agrees closely
    assert abs(first.mean() - second.mean()) < 0.2 * first.mean()


def test_brush_reseeding_is_available_here():
    assert Brush(DEFAULT_BRUSH).seedable


def test_painting_on_one_surface_equals_compositing_alpha_maps(rng):
    """The design's key assumption: a painter's alpha maps + composite == the real program."""
    seq = random_actions(rng, 10)
    painter = MyPaintPainter(64, seed=3)
    painted = to_float(painter.paint(seq))
    painter.reseed(3)
    alphas = painter.render_alpha(seq)
    canvas = blank_canvas(64)
    for alpha, color in zip(alphas, act.colors_of(seq), strict=True):
        canvas = composite(canvas, alpha, color)
    assert np.abs(painted - canvas).max() < 0.01
    assert np.abs(painted - canvas).mean() < 0.002
    assert np.abs(painted - 1.0).mean() > 0.02  # the strokes did paint


def test_paint_accepts_batches_and_backgrounds(rng):
    p = MyPaintPainter(64, seed=0)
    out = p.paint(random_actions(rng, 2, 3), background="black")
    assert out.shape == (2, 64, 64, 3) and out.dtype == np.uint8
    assert out[:, 0, 0].max() <= 5 or out[:, -1, -1].max() <= 5  # untouched corners stay black


def test_render_alpha_rejects_bad_actions_and_stays_usable(rng):
    p = MyPaintPainter(64, seed=0)
    with pytest.raises(ValueError, match="NaN"):
        p.render_alpha(np.full((2, 12), np.nan, np.float32))
    with pytest.raises(ValueError, match="shape"):
        p.render_alpha(np.zeros(12, np.float32))
    assert p.render_alpha(random_actions(rng, 2)).shape == (2, 64, 64)


@pytest.mark.parametrize("brush", SUPPORTED_BRUSHES)
def test_supported_brushes_follow_the_radius_range(brush, rng):
    a = random_actions(rng, 24)
    small, big = a.copy(), a.copy()
    small[:, act.SIZE], big[:, act.SIZE] = -1, 1
    p = MyPaintPainter(64, brush=brush, seed=0)
    cover_small, cover_big = p.render_alpha(small).mean(), p.render_alpha(big).mean()
    assert 0 < cover_small < cover_big < 0.3
    assert cover_big > 4 * cover_small


def test_brushes_are_listed_and_resolved_by_name_or_path(tmp_path):
    names = list_brushes()
    assert DEFAULT_BRUSH in names and len(names) > 100
    path = resolve_brush(DEFAULT_BRUSH)
    assert path.name == "dry_brush.myb"
    copy = tmp_path / "mine.myb"
    copy.write_bytes(path.read_bytes())
    assert MyPaintPainter(64, brush=copy).render_alpha(stroke_action(-0.5, 0, 0.5, 0)[None]).max() > 0.3


def test_missing_or_corrupt_brushes_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="list_brushes"):
        MyPaintPainter(64, brush="classic/no_such_brush")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        MyPaintPainter(64, brush=tmp_path / "nothing.myb")
    bad = tmp_path / "bad.myb"
    bad.write_text("{ not json")
    with pytest.raises(ValueError, match="could not parse"):
        MyPaintPainter(64, brush=bad)


def test_bad_canvas_size_is_rejected():
    with pytest.raises(ValueError, match="canvas_size"):
        MyPaintPainter(4)


def test_missing_libmypaint_names_the_install_commands():
    code = textwrap.dedent(
        """
        import paint_gym
        try:
            paint_gym.MyPaintPainter(64)
        except paint_gym.LibMyPaintNotFoundError as exc:
            print(exc)
        """
    )
    env = dict(os.environ, PAINT_GYM_LIBMYPAINT="/nonexistent/libmypaint.so")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    for needle in (
        "apt-get install libmypaint-1.5-1",
        "dnf install",
        "brew install",
        "conda-forge",
        "PAINT_GYM_LIBMYPAINT",
    ):
        assert needle in out


def test_memory_stays_flat_over_many_strokes(rng):
    import psutil  # part of the dev extra

    p = MyPaintPainter(64, seed=0)
    a = random_actions(rng, 500)
    p.render_alpha(a)
    before = psutil.Process().memory_info().rss
    for _ in range(10):
        p.render_alpha(a)
    grown = psutil.Process().memory_info().rss - before
    assert grown < 8 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB over 5,000 strokes"


def test_library_is_loaded_once_with_signatures():
    lib = libmypaint.load()
    assert lib is libmypaint.load()
    assert lib.mypaint_brush_stroke_to.argtypes[-1] is libmypaint.ctypes.c_double


def test_region_reads_match_the_full_canvas_across_tiles(rng):
    p = MyPaintPainter(160, seed=0)
    box = p.paint_strokes(random_actions(rng, 6))
    full = p.surface.rgba()
    assert full.shape == (160, 160, 4) and full[..., 3].max() > 0
    y0, y1, x0, x1 = box
    np.testing.assert_array_equal(p.surface.rgba(box), full[y0:y1, x0:x1])
    outside = full.copy()
    outside[y0:y1, x0:x1] = 0
    assert outside.max() == 0  # the reported box holds every painted pixel
    np.testing.assert_array_equal(p.surface.rgba((60, 130, 5, 140)), full[60:130, 5:140])


def test_clearing_a_region_spanning_tiles_leaves_the_rest(rng):
    s = Surface(160, 160)
    s.tiles.fill(7)
    s.clear((50, 140, 10, 70))
    full = s.rgba()
    assert (full[50:140, 10:70] == 0).all()
    full[50:140, 10:70] = 7
    assert (full == 7).all()


def test_render_alpha_of_a_batch_equals_strokes_painted_one_by_one(rng):
    a = random_actions(rng, 12)
    batch = MyPaintPainter(160, seed=9).render_alpha(a)
    single = MyPaintPainter(160, seed=9)
    for i in range(12):
        single.surface.clear()
        single.paint_strokes(a[i : i + 1])
        np.testing.assert_array_equal(batch[i], single.surface.alpha())
