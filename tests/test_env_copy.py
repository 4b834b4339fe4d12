"""Envs and painters can be copied and pickled, and a copy continues exactly as the original.

Planning and tree-search users branch envs with ``copy.deepcopy`` (or send them to workers with
``pickle``): the copy must hold the libmypaint surface's pixels (not only the uint8
observation), the episode, the env's generator and the painter's stroke-seed generator.
"""

from __future__ import annotations

import copy
import pickle

import gymnasium as gym
import numpy as np
import pytest

import paint_gym  # noqa: F401  (registers the ids)
from paint_gym.envs import MyPaintEnv
from paint_gym.envs.neural_env import NeuralPaintEnv
from paint_gym.painters.mypaint import Brush, MyPaintPainter, Surface

from .helpers import random_actions

COPIERS = {"deepcopy": copy.deepcopy, "pickle": lambda obj: pickle.loads(pickle.dumps(obj))}


def play(env: gym.Env, actions: np.ndarray) -> list:
    """Step the actions, then start a new unseeded episode and paint one more stroke."""
    out = []
    for a in actions:
        obs, reward, terminated, _, info = env.step(a)
        out.append((obs, reward, terminated, info))
    obs, info = env.reset()
    out.append((obs, info))
    out.append(env.step(actions[0]))
    return out


def assert_same_play(first: list, second: list) -> None:
    assert len(first) == len(second)
    for x, y in zip(first, second, strict=True):
        for a, b in zip(x, y, strict=True):
            if isinstance(a, dict):
                assert a.keys() == b.keys()
                for key in a:
                    np.testing.assert_array_equal(a[key], b[key], err_msg=key)
            else:
                assert a == b


@pytest.mark.parametrize("how", COPIERS)
@pytest.mark.parametrize("task", ["MNIST", "Strokes"])
def test_a_copied_mypaint_env_continues_identically(task, how, rng):
    env = MyPaintEnv(task)
    env.reset(seed=5)
    for a in random_actions(rng, 3):
        env.step(a)
    clone = COPIERS[how](env)
    actions = random_actions(rng, 5)
    assert_same_play(play(clone, actions), play(env, actions))


@pytest.mark.parametrize("how", COPIERS)
def test_a_copied_gym_make_env_continues_identically_through_its_wrappers(how, rng):
    env = gym.make("MyPaint-KMNIST-v0", max_episode_steps=6)
    env.reset(seed=2)
    env.step(random_actions(rng))
    clone = COPIERS[how](env)
    assert type(clone) is type(env) and clone.unwrapped is not env.unwrapped
    actions = random_actions(rng, 4)
    assert_same_play(play(clone, actions), play(env, actions))


def test_a_copy_holds_the_libmypaint_surface_not_only_the_observation(rng):
    """Half-transparent paint: the next stroke composites over the surface's 15-bit pixels."""
    env = MyPaintEnv("MNIST")
    env.reset(seed=0)
    env.step(random_actions(rng))
    clone = copy.deepcopy(env)
    np.testing.assert_array_equal(clone.painter.surface.rgba(), env.painter.surface.rgba())
    assert clone.painter.surface.ptr != env.painter.surface.ptr and clone.painter.brush.ptr != env.painter.brush.ptr


def test_branches_are_independent(rng):
    env = MyPaintEnv("MNIST")
    env.reset(seed=3)
    before = env.step(random_actions(rng))[0]["canvas"]
    branch = copy.deepcopy(env)
    for a in random_actions(rng, 4):
        branch.step(a)
    assert (branch._canvas != before).any()
    np.testing.assert_array_equal(env._canvas, before)
    np.testing.assert_array_equal(env.painter.surface.rgba(), copy.deepcopy(env).painter.surface.rgba())


def test_a_pickled_mypaint_env_is_small_and_leaves_the_data_set_behind(rng):
    env = MyPaintEnv("MNIST")
    env.reset(seed=0)
    env.step(random_actions(rng))
    assert env._targets is not None
    assert len(pickle.dumps(env)) < 2**20


def test_a_pickled_neural_env_leaves_the_data_set_behind_and_continues_identically(rng):
    """MNIST's train split (47 MB) is found again on first use, and a painter named ``"gan"``
    is loaded again by name (its 6.7 MB of weights do not travel): the pickle is under 1 MB."""
    env = NeuralPaintEnv("MNIST")
    env.reset(seed=0)
    env.step(random_actions(rng))
    blob = pickle.dumps(env)
    assert len(blob) < 2**20
    clone = pickle.loads(blob)
    actions = random_actions(rng, 4)
    assert_same_play(play(clone, actions), play(env, actions))


def test_a_deep_copied_neural_env_shares_its_frozen_painter_and_a_pickled_one_reloads_it(rng):
    """A branch of a tree search must not reload the painter (about 0.3 s a copy) or duplicate
    its weights: ``copy.deepcopy`` shares the loaded, frozen module; ``pickle`` reloads it by name."""
    env = gym.make("NeuralPaint-MNIST-v0")
    env.reset(seed=0)
    env.step(random_actions(rng))
    branch = copy.deepcopy(env)
    assert branch.unwrapped.painter is env.unwrapped.painter
    assert not any(p.requires_grad for p in env.unwrapped.painter.parameters())  # frozen: sharing is safe
    assert pickle.loads(pickle.dumps(env)).unwrapped.painter is not env.unwrapped.painter
    actions = random_actions(rng, 3)
    assert_same_play(play(branch, actions), play(env, actions))


def vector_play(envs, actions: np.ndarray) -> list:
    """Step the batched actions ``(T, N, 12)`` through an episode end (autoreset draws targets)."""
    return [envs.step(a) for a in actions]


def assert_same_vector_play(first: list, second: list) -> None:
    for x, y in zip(first, second, strict=True):
        for a, b in zip(x, y, strict=True):
            if isinstance(a, dict):
                assert a.keys() == b.keys()
                for key in a:
                    np.testing.assert_array_equal(a[key], b[key], err_msg=key)
            else:
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("task", ["MNIST", "CelebA", "Strokes"])
def test_a_pickled_or_copied_neural_vector_env_is_small_and_continues_identically(task, rng):
    """The vector env leaves the data set (MNIST's train split: 47 MB) and a named painter behind
    in a pickle, as the single env does; ``copy.deepcopy`` shares the frozen painter."""
    envs = gym.make_vec(f"NeuralPaint-{task}-v0", num_envs=2, episode_length=2)
    envs.reset(seed=3)
    envs.step(random_actions(rng, 2))
    blob = pickle.dumps(envs)
    assert len(blob) < 2**20
    clone, branch = pickle.loads(blob), copy.deepcopy(envs)
    assert branch.unwrapped.painter is envs.unwrapped.painter
    assert clone.unwrapped._targets is None and clone.unwrapped._painter._loaded is None
    actions = random_actions(rng, 4, 2)  # crosses an episode end: new targets are drawn
    played = vector_play(envs, actions)
    assert_same_vector_play(vector_play(clone, actions), played)
    assert_same_vector_play(vector_play(branch, actions), played)


def test_a_copy_of_a_closed_env_stays_closed():
    env = MyPaintEnv("MNIST")
    env.reset(seed=0)
    env.close()
    clone = copy.deepcopy(env)
    with pytest.raises(RuntimeError, match="closed"):
        clone.reset(seed=0)


@pytest.mark.parametrize("how", COPIERS)
def test_a_copied_painter_paints_the_same_strokes(how, rng):
    painter = MyPaintPainter(96, "classic/charcoal", seed=4)
    painter.paint_strokes(random_actions(rng, 3))
    clone = COPIERS[how](painter)
    actions = random_actions(rng, 4)
    painter.paint_strokes(actions)
    clone.paint_strokes(actions)
    np.testing.assert_array_equal(clone.surface.rgba(), painter.surface.rgba())
    np.testing.assert_array_equal(clone.render_alpha(actions), painter.render_alpha(actions))


def test_copied_brushes_and_surfaces_keep_their_settings_and_pixels(rng):
    brush = Brush("classic/pen")
    brush.set_radius(3.5)
    brush.set_color((0.2, 0.4, 0.6))
    brush.seed(11)
    clone = pickle.loads(pickle.dumps(brush))
    assert (clone.path, clone._radius, clone._color, clone._seed) == (brush.path, 3.5, (0.2, 0.4, 0.6), 11)
    surface = Surface(70, 70)
    surface.tiles[..., 3] = rng.integers(0, 1 << 15, surface.tiles.shape[:-1], dtype=np.uint16)
    np.testing.assert_array_equal(copy.deepcopy(surface).rgba(), surface.rgba())
    surface.close()
    assert not copy.deepcopy(surface)._ptr
