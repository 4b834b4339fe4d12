"""The batched episode core (paint_gym.envs.episode): one step for every env, numpy or torch on a
device, one pen rule for every env, one compositing object for every batch of canvases."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym.actions import DiscreteActions
from paint_gym.envs.episode import Episodes, pen_after, pen_strokes
from paint_gym.envs.task import TaskConfig
from paint_gym.painters.canvases import Canvases
from paint_gym.painters.load import load_painter

N, SIZE = 3, 32
DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


@pytest.fixture(scope="module")
def dab():
    return load_painter("dab", canvas_size=SIZE)


def canvas_sum(canvas: np.ndarray, target: np.ndarray, done: bool) -> float:
    return float(canvas.astype(np.int64).sum() % 101) + done


def play(episodes: Episodes, canvases: Canvases, rng: np.random.Generator, steps: int) -> list:
    """Reset every episode with given targets, then step ``steps`` times (discrete actions); every
    array the core keeps or returns, read back to numpy."""
    space = episodes.config.discrete.space()
    space.seed(3)
    every = np.arange(episodes.num)
    targets = rng.integers(0, 256, (episodes.num, SIZE, SIZE, 3), dtype=np.uint8)
    episodes.reset(every, canvases, given=targets)
    seen = []
    for t in range(steps):
        actions = np.stack([space.sample() for _ in every])
        if t == 2:
            actions[1, 4] = 1  # a lift: the pen moves, nothing is painted
        index = every if t % 2 == 0 else every[:2]  # every episode, then some (gathers and scatters)
        strokes, paints = episodes.to_continuous(actions[index], index)
        out = episodes.step(index, strokes, paints, canvases)
        values = {key: np.asarray(episodes.xp.numpy(value)) for key, value in episodes.values().items()}
        seen.append(([np.asarray(episodes.xp.numpy(x)) for x in out], values))
    seen.append({key: episodes.xp.numpy(value) for key, value in episodes.observation().items()})
    return seen


@pytest.mark.parametrize("device", DEVICES)
def test_the_torch_core_keeps_the_batch_on_its_device_and_equals_the_numpy_core(dab, device):
    config = TaskConfig.create("MNIST", canvas_size=SIZE, action_mode="discrete", reward=canvas_sum)
    painter = dab.to(device)
    numpy_core, torch_core = Episodes(config, N), Episodes(config, N, device=torch.device(device))
    on_device = Canvases(painter, config.background, observe_tensors=True)
    expected = play(numpy_core, Canvases(painter, config.background), np.random.default_rng(0), 5)
    got = play(torch_core, on_device, np.random.default_rng(0), 5)
    for array in (torch_core.canvas, torch_core.sse, torch_core.steps, torch_core.pen, torch_core.done):
        assert isinstance(array, torch.Tensor) and array.device.type == device
    for (out_n, values_n), (out_t, values_t) in zip(expected[:-1], got[:-1], strict=True):
        for a, b in zip(out_n, out_t, strict=True):
            np.testing.assert_array_equal(a, b)
        assert values_n.keys() == values_t.keys()
        for key in values_n:
            np.testing.assert_array_equal(values_n[key], values_t[key])
    for key in ("canvas", "target"):
        np.testing.assert_array_equal(expected[-1][key], got[-1][key])


def test_the_batch_mapping_of_discrete_actions_is_the_one_at_a_time_mapping():
    discrete = DiscreteActions(grid=7, pressure_levels=3, size_levels=5, color_levels=9)
    space = discrete.space()
    space.seed(0)
    actions = np.stack([space.sample() for _ in range(64)])
    pens = np.random.default_rng(0).uniform(-1.2, 1.2, (64, 2)).astype(np.float32)
    strokes, paints = pen_strokes(discrete, actions, pens)
    for k in range(64):
        one, paints_one = discrete.to_continuous(actions[k], pens[k])
        np.testing.assert_array_equal(strokes[k], one)
        assert paints[k] == paints_one
    np.testing.assert_array_equal(pen_after(strokes), strokes[:, 10:12])


def test_canvases_composite_every_painter_one_stroke_at_a_time_as_sequences_paint(dab):
    """The stepping face (start, add) and the sequence face (paint) of one Canvases agree to the
    rounding of the compositing order (numpy and torch canvases alike)."""
    actions = np.random.default_rng(2).uniform(-1, 1, (2, 4, 12)).astype(np.float32)
    for tensors in (True, False):
        canvases = Canvases(dab, "white", tensors=tensors)
        canvases.start(2, np.arange(2))
        for t in range(4):
            observed = canvases.add(np.arange(2), actions[:, t])
        assert np.abs(observed.astype(int) - canvases.paint(actions).astype(int)).max() <= 1
    with pytest.raises(ValueError, match="tensors=False"):
        Canvases(load_painter("mypaint", canvas_size=SIZE), tensors=True)
