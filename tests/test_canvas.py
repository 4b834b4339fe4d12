"""Compositing: one rule for numpy and torch, differentiable in torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym.canvas import (
    background_rgb,
    blank_canvas,
    composite,
    composite_sequence,
    mse,
    mse_uint8,
    squared_error_sum,
    squared_error_sums,
    to_float,
    to_uint8,
)


def test_composite_is_the_over_rule(rng):
    canvas = rng.uniform(size=(2, 8, 8, 3)).astype(np.float32)
    alpha = rng.uniform(size=(2, 8, 8)).astype(np.float32)
    color = rng.uniform(size=(2, 3)).astype(np.float32)
    out = composite(canvas, alpha, color)
    expected = canvas[0, 3, 4] * (1 - alpha[0, 3, 4]) + color[0] * alpha[0, 3, 4]
    np.testing.assert_allclose(out[0, 3, 4], expected, rtol=1e-6)
    np.testing.assert_allclose(composite(canvas, np.ones_like(alpha), color)[1, 0, 0], color[1], rtol=1e-6)
    np.testing.assert_allclose(composite(canvas, np.zeros_like(alpha), color), canvas)


def test_numpy_and_torch_agree_and_torch_is_differentiable(rng):
    canvas = rng.uniform(size=(4, 4, 3)).astype(np.float32)
    alphas = rng.uniform(size=(3, 4, 4)).astype(np.float32)
    colors = rng.uniform(size=(3, 3)).astype(np.float32)
    out_np = composite_sequence(canvas, alphas, colors)
    a_t = torch.tensor(alphas, requires_grad=True)
    c_t = torch.tensor(colors, requires_grad=True)
    out_t = composite_sequence(torch.tensor(canvas), a_t, c_t)
    np.testing.assert_allclose(out_t.detach().numpy(), out_np, rtol=1e-5)
    out_t.sum().backward()
    assert a_t.grad.abs().sum() > 0 and c_t.grad.abs().sum() > 0


def test_mse_matches_for_float_and_uint8(rng):
    a = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    assert mse_uint8(a, b) == pytest.approx(float(mse(to_float(a), to_float(b))), rel=1e-5)
    assert float(mse(torch.tensor(to_float(a)), torch.tensor(to_float(a)))) == 0.0
    assert mse_uint8(np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 255, np.uint8)) == pytest.approx(1.0)


def test_backgrounds_and_conversions():
    np.testing.assert_array_equal(background_rgb("white"), [1, 1, 1])
    np.testing.assert_array_equal(blank_canvas(4, "black", batch=(2,)).shape, (2, 4, 4, 3))
    assert to_uint8(np.array([0.0, 0.5, 1.0, 2.0])).tolist() == [0, 128, 255, 255]
    for bad in ("pink", (1.0, 2.0, 0.0), (0.1, 0.2)):
        with pytest.raises(ValueError, match="background"):
            background_rgb(bad)


def reference_sse(a: np.ndarray, b: np.ndarray) -> float:
    """float64 sum of squares: exact for uint8 images up to 2**53 / 255**2 (1.4e9) values."""
    return float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).sum())


@pytest.mark.parametrize("size", [64, 128, 256, 1024])
def test_squared_error_sum_is_exact_at_every_canvas_size(size, rng):
    """int32 sums overflowed from about 33,000 maximal differences (a 128 px black-on-white)."""
    white, black = np.full((size, size, 3), 255, np.uint8), np.zeros((size, size, 3), np.uint8)
    assert squared_error_sum(white, black) == size * size * 3 * 255**2
    assert mse_uint8(white, black) == 1.0
    a = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    assert squared_error_sum(a, b) == reference_sse(a, b)
    assert mse_uint8(a, b) == pytest.approx(reference_sse(a, b) / (a.size * 255.0**2), rel=1e-15)


@pytest.mark.parametrize("size", [64, 1024])
def test_squared_error_sums_are_exact_per_image_of_a_batch(size, rng):
    """The batched sums (the vector env's rewards) equal the one-image sums, also at their maximum."""
    a = rng.integers(0, 256, (3, size, size, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (3, size, size, 3), dtype=np.uint8)
    a[0], b[0] = 255, 0  # every difference maximal
    sums = squared_error_sums(a, b)
    assert sums.dtype == np.int64 and sums.shape == (3,)
    assert sums.tolist() == [squared_error_sum(x, y) for x, y in zip(a, b, strict=True)]
    assert sums[0] == size * size * 3 * 255**2
    assert squared_error_sums(a[1], b[1]) == squared_error_sum(a[1], b[1])
    with pytest.raises(ValueError, match=r"\(\.\.\., H, W, C\)"):
        squared_error_sums(a[0, 0], b[0, 0])


def test_squared_error_sum_rejects_other_shapes_and_dtypes():
    a = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="shape"):
        squared_error_sum(a, np.zeros((4, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        squared_error_sum(a, np.zeros((4, 4, 3), np.float32))
