"""The stroke action contract: validation, physical mapping and the discrete mode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from paint_gym import actions as act


def test_layout_is_named_and_twelve_long():
    assert act.ACTION_DIM == 12
    assert act.FIELDS[act.SIZE] == "size"
    assert act.FIELDS[act.END_Y] == "end_y"
    space = act.action_space()
    assert space.shape == (12,) and space.dtype == np.float32
    assert (space.low == -1).all() and (space.high == 1).all()


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, 12, elements=st.floats(-1e6, 1e6, width=32)))
def test_finite_actions_are_clipped_into_the_box(a):
    out = act.validate_actions(a, batch_ndim=1)
    assert out.dtype == np.float32 and out.shape == (12,)
    assert (out >= -1).all() and (out <= 1).all()
    inside = np.abs(a) <= 1
    np.testing.assert_array_equal(out[inside], a[inside])


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float32, 12, elements=st.floats(-2, 2, width=32)),
    st.integers(0, 11),
    st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_nan_or_inf_anywhere_raises_naming_the_field(a, index, bad):
    a = a.copy()
    a[index] = bad
    with pytest.raises(ValueError, match=act.FIELDS[index]):
        act.validate_actions(a, batch_ndim=1)


@pytest.mark.parametrize("shape", [(11,), (13,), (1, 12, 1), (), (12, 2)])
def test_wrong_shape_raises(shape):
    with pytest.raises(ValueError, match="shape"):
        act.validate_actions(np.zeros(shape, np.float32), batch_ndim=1)


@pytest.mark.parametrize(
    "bad", [np.array(["a"] * 12), np.array([object()] * 12, dtype=object), np.zeros(12, complex), [[0.0] * 12, [0.0]]]
)
def test_non_numeric_or_ragged_actions_raise(bad):
    with pytest.raises(ValueError):
        act.validate_actions(bad, batch_ndim=(1, 2))


def test_integer_and_float64_actions_are_accepted_as_float32():
    out = act.validate_actions(np.zeros(12, np.int64), batch_ndim=1)
    assert out.dtype == np.float32
    out = act.validate_actions([0.5] * 12, batch_ndim=1)
    assert out.dtype == np.float32 and out[0] == 0.5


def test_curve_passes_through_the_control_point_halfway():
    a = np.array([[0, 0, 0, 0, 0, 0, -0.8, -0.6, 0.9, 0.7, 0.5, -0.9]], np.float32)
    stroke = act.to_physical(a, 64, n_points=41)
    u = (a[0] + 1) / 2 * 64
    np.testing.assert_allclose(stroke.points[0, 0], u[6:8], atol=1e-4)
    np.testing.assert_allclose(stroke.points[0, 20], u[8:10], atol=1e-4)
    np.testing.assert_allclose(stroke.points[0, -1], u[10:12], atol=1e-4)


def test_radius_is_log_uniform_and_scales_with_the_canvas():
    a = np.zeros((3, 12), np.float32)
    a[:, act.SIZE] = [-1, 0, 1]
    r64 = act.to_physical(a, 64).radius
    np.testing.assert_allclose(r64, [1.0, np.sqrt(8.0), 8.0], rtol=1e-5)
    np.testing.assert_allclose(act.to_physical(a, 128).radius, 2 * r64, rtol=1e-5)


def test_pressure_runs_from_start_to_end_scaled_to_max_pressure():
    a = np.zeros((1, 12), np.float32)
    a[0, act.START_PRESSURE], a[0, act.END_PRESSURE] = -1, 1
    p = act.to_physical(a, 64).pressures[0]
    assert p[0] == pytest.approx(0.0) and p[-1] == pytest.approx(act.MAX_PRESSURE)
    assert (np.diff(p) > 0).all()


def test_discrete_actions_map_onto_grid_strokes_starting_at_the_pen():
    d = act.DiscreteActions(grid=5, pressure_levels=10, size_levels=4, color_levels=3)
    assert d.space().nvec.tolist() == [5, 5, 5, 5, 2, 10, 4, 3, 3, 3]
    cont, paints = d.to_continuous([4, 0, 2, 2, 0, 9, 3, 2, 0, 1], pen=np.array([0.25, -0.5]))
    assert paints
    assert cont[act.START_X] == pytest.approx(0.25) and cont[act.START_Y] == pytest.approx(-0.5)
    assert cont[act.END_X] == pytest.approx(1.0) and cont[act.END_Y] == pytest.approx(-1.0)
    assert cont[act.CONTROL_X] == pytest.approx(0.0)
    assert cont[act.START_PRESSURE] == cont[act.END_PRESSURE] == pytest.approx(1.0)
    assert cont[act.SIZE] == pytest.approx(1.0)
    np.testing.assert_allclose(cont[act.COLOR], [1.0, -1.0, 0.0])
    _, paints = d.to_continuous([0, 0, 0, 0, 1, 0, 0, 0, 0, 0], pen=np.zeros(2))
    assert not paints


@pytest.mark.parametrize("bad", [[5, 0, 0, 0, 0, 0, 0, 0, 0, 0], [-1] * 10, [0] * 9, [0.5] * 10])
def test_discrete_actions_outside_the_space_raise(bad):
    with pytest.raises(ValueError):
        act.DiscreteActions(grid=5).validate(bad)


def test_discrete_levels_below_two_are_rejected():
    with pytest.raises(ValueError, match="grid"):
        act.DiscreteActions(grid=1)


def test_a_finite_float64_beyond_float32s_range_is_clipped_not_called_inf():
    """Finiteness is checked in the input's dtype: 1e39 (float64) is finite; the float32 cast
    would have made it inf and the error would blame the user for an inf they never gave."""
    a = np.zeros(12)
    a[act.SIZE], a[act.RED] = 1e39, -1e300
    out = act.validate_actions(a, batch_ndim=1)
    assert out.dtype == np.float32 and out[act.SIZE] == 1.0 and out[act.RED] == -1.0
    a[act.SIZE] = np.inf
    with pytest.raises(ValueError, match="NaN or inf.*'size'"):
        act.validate_actions(a, batch_ndim=1)
    big_ints = np.full(12, np.iinfo(np.int64).max)
    np.testing.assert_array_equal(act.validate_actions(big_ints, batch_ndim=1), np.ones(12, np.float32))


def test_torch_tensors_of_dtypes_numpy_lacks_are_read_not_refused_with_a_type_error():
    torch = pytest.importorskip("torch")
    for dtype in (torch.bfloat16, torch.float16, torch.float64):
        a = torch.full((2, 12), 0.5, dtype=dtype, requires_grad=True)
        out = act.validate_actions(a, batch_ndim=2)
        assert out.dtype == np.float32 and (out == 0.5).all()
    bf16 = torch.zeros(12, dtype=torch.bfloat16)
    bf16[0] = float("nan")
    with pytest.raises(ValueError, match="NaN or inf"):
        act.validate_actions(bf16, batch_ndim=1)
    assert act.to_numpy(torch.ones(3, dtype=torch.bfloat16)).dtype == np.float32


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("grid", 32.5),
        ("grid", "32"),
        ("grid", True),
        ("pressure_levels", 2.7),
        ("size_levels", np.float64(8.9)),
        ("color_levels", None),
    ],
)
def test_discrete_fields_are_whole_numbers_never_truncated(field, value):
    """grid=32.5 once built 32 levels but mapped with 31.5; "32" failed only at the first step."""
    with pytest.raises(ValueError, match=f"DiscreteActions.{field} must be an integer"):
        act.DiscreteActions(**{field: value})


def test_whole_float_discrete_fields_are_ints_and_the_same_configuration():
    d = act.DiscreteActions(grid=32.0, pressure_levels=np.int64(10), size_levels=np.float32(4.0))
    assert d == act.DiscreteActions() and hash(d) == hash(act.DiscreteActions())
    assert all(type(getattr(d, f)) is int for f in ("grid", "pressure_levels", "size_levels", "color_levels"))
    cont, _ = d.to_continuous(d.nvec - 1, pen=np.zeros(2))
    assert cont[act.END_X] == 1.0 and cont[act.START_PRESSURE] == 1.0


def test_a_discrete_action_tensor_that_requires_grad_is_read():
    torch = pytest.importorskip("torch")
    d = act.DiscreteActions(grid=5)
    action = torch.tensor([4, 4, 2, 2, 0, 9, 3, 3, 0, 0], dtype=torch.float32, requires_grad=True)
    np.testing.assert_array_equal(d.validate(action), [4, 4, 2, 2, 0, 9, 3, 3, 0, 0])
    with pytest.raises(ValueError, match="integers"):
        d.validate(action + 0.5)
