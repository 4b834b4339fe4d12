"""Same seed, same actions, same pixels: for fresh and for reused painters, envs and replay.

libmypaint's brush keeps state between strokes; a stroke painted by a used brush must still be
the stroke a fresh brush paints with the same seed (every pixel, every brush).
"""

from __future__ import annotations

import numpy as np
import pytest

import paint_gym
from paint_gym.envs import MyPaintEnv
from paint_gym.painters.mypaint import SUPPORTED_BRUSHES, MyPaintPainter

from .helpers import random_actions


@pytest.mark.parametrize("brush", SUPPORTED_BRUSHES)
def test_same_seed_gives_same_pixels_for_reused_painter(brush, rng):
    """A painter that painted other strokes, then reseeded, paints what a fresh one paints."""
    used = MyPaintPainter(64, brush, seed=1)
    for seed in range(48):
        strokes = random_actions(rng, 2)
        used.paint(random_actions(rng, 2))
        used.render_alpha(random_actions(rng, 1))
        used.reseed(seed)
        np.testing.assert_array_equal(
            used.render_alpha(strokes), MyPaintPainter(64, brush, seed=seed).render_alpha(strokes)
        )


@pytest.mark.parametrize("brush", SUPPORTED_BRUSHES)
def test_a_stroke_does_not_depend_on_the_stroke_before_it(brush, rng):
    """render_alpha paints each stroke alone: the same stroke seed gives the same alpha whatever
    the brush painted just before (the stroke seeds are drawn per stroke, not per content)."""
    after_one, after_other = random_actions(rng, 8, 2), random_actions(rng, 8, 2)
    after_other[:, 1] = after_one[:, 1]
    first = MyPaintPainter(64, brush, seed=3).render_alpha(after_one.reshape(-1, 12))
    second = MyPaintPainter(64, brush, seed=3).render_alpha(after_other.reshape(-1, 12))
    np.testing.assert_array_equal(first[1::2], second[1::2])


def test_same_seed_gives_same_pixels_for_reused_env(rng):
    acts = random_actions(rng, 8)
    fresh = MyPaintEnv("MNIST")
    fresh.reset(seed=7)
    expected = [fresh.step(a) for a in acts]
    used = MyPaintEnv("MNIST")
    used.reset(seed=1)
    for a in random_actions(rng, 5):
        used.step(a)
    used.reset(seed=7)
    for a, (obs, reward, *_) in zip(acts, expected, strict=True):
        obs_u, reward_u, *_ = used.step(a)
        np.testing.assert_array_equal(obs_u["canvas"], obs["canvas"])
        assert reward_u == reward  # exactly: the squared error is an integer sum


@pytest.mark.parametrize("brush", ["classic/pen", "classic/charcoal"])
def test_same_seed_gives_same_pixels_for_reused_env_with_other_brushes(brush, rng):
    used = MyPaintEnv("Strokes", brush=brush)
    for seed in range(6):
        used.reset(seed=100 + seed)
        for a in random_actions(rng, 2):
            used.step(a)
        fresh = MyPaintEnv("Strokes", brush=brush)
        obs_f, _ = fresh.reset(seed=seed)
        obs_u, _ = used.reset(seed=seed)
        np.testing.assert_array_equal(obs_u["target"], obs_f["target"])  # targets are painted too
        for a in random_actions(rng, 2):
            np.testing.assert_array_equal(used.step(a)[0]["canvas"], fresh.step(a)[0]["canvas"])
        fresh.close()


def test_replay_of_a_sequence_does_not_depend_on_the_sequences_before_it(rng):
    """replay paints a batch on one painter: sequence i must not carry anything of i - 1."""
    tail = random_actions(rng, 16, 3)
    heads_a, heads_b = random_actions(rng, 16, 3), random_actions(rng, 16, 3)
    a = paint_gym.replay(np.stack([heads_a, tail], axis=1).reshape(32, 3, 12), seed=4)
    b = paint_gym.replay(np.stack([heads_b, tail], axis=1).reshape(32, 3, 12), seed=4)
    np.testing.assert_array_equal(a[1::2], b[1::2])


def test_replay_equals_a_reused_painter_reseeded(rng):
    seqs = random_actions(rng, 3, 8)
    used = MyPaintPainter(64, seed=0)
    used.paint(random_actions(rng, 2, 8))
    used.reseed(9)
    np.testing.assert_array_equal(paint_gym.replay(seqs, seed=9), used.paint(seqs))
