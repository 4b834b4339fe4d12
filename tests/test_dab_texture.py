"""The dab painter's texture (paint_gym/painters/dab_texture.py): samples laid as libmypaint lays its
dabs, checked against libmypaint's own formulas and against real MyPaint renders."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from paint_gym import actions as act
from paint_gym.canvas import to_float
from paint_gym.painters.dab import DabPainter, tracking_filter
from paint_gym.painters.dab_texture import brush_texture, calibrate_dab_count, dab_mask, dab_rr, lay_dabs
from paint_gym.painters.load import load_painter
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.neural import load_checkpoint
from paint_gym.painters.strokes import render_seeds

from .helpers import random_actions


def high_frequency(alpha: np.ndarray | torch.Tensor) -> float:
    """benchmarks/painter_fidelity.py's sharpness: mean squared difference from the 3x3 box blur."""
    t = torch.as_tensor(alpha).reshape(-1, 1, *alpha.shape[-2:])
    blur = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(t, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return float(((t - blur) ** 2).mean())


def mypaint_renders(brush: str, actions: np.ndarray, seeds: int) -> np.ndarray:
    """``(seeds, N, 64, 64)`` alpha of ``actions`` rendered by libmypaint with ``seeds`` brush seeds."""
    painter = MyPaintPainter(64, brush=brush)
    return to_float(np.stack([render_seeds(painter, actions, [1_000_003 * (s + 1)])[0] for s in range(seeds)]))


def test_the_mask_is_libmypaints_two_segment_hardness_profile():
    """render_dab_mask / calculate_opa: 1 at the centre, the hardness at the knee rr = h, 0 at the rim."""
    hardness = torch.tensor(0.2)
    rr = torch.tensor([0.0, 0.1, 0.2, 0.6, 1.0, 1.5])
    expected = torch.tensor([1.0, 1 - 4 * 0.1, 0.2, 0.25 * 0.4, 0.0, 0.0])
    torch.testing.assert_close(dab_mask(rr, hardness), expected)
    # the mask's integral over the disc is h x its area (what a dab's opacity is derived from)
    u = (torch.arange(100_000) + 0.5) / 100_000
    for h in (0.1, 0.5, 0.9):
        assert float(dab_mask(u, torch.tensor(h)).mean()) == pytest.approx(h, rel=1e-3)


def test_small_dabs_are_antialiased_and_large_ones_sampled_at_pixel_centres():
    """Below 3 px libmypaint's calculate_rr_antialiased; from 3 px on the plain squared distance."""
    dx, dy = torch.tensor([2.0]), torch.tensor([1.0])
    assert float(dab_rr(dx, dy, torch.tensor(4.0))) == pytest.approx(5.0 / 16)
    small = float(dab_rr(torch.tensor([0.2]), torch.tensor([0.1]), torch.tensor(1.0)))
    assert 0 < small < 1  # the centre's pixel is painted but not at the mask's peak (rr > 0)


def test_the_brush_files_settings_drive_the_dabs():
    dry, pencil = brush_texture("classic/dry_brush"), brush_texture("classic/pencil")
    assert dry.dabs_per_radius == 12.0 and pencil.dabs_per_radius == 4.0  # actual + basic radius
    p = torch.tensor([0.0, 0.5, 1.0])
    torch.testing.assert_close(dry.offset_by_random(p), torch.tensor([0.0, 0.7, 1.4]))
    torch.testing.assert_close(pencil.hardness(p), torch.tensor([0.1, 0.25, 0.4]))
    assert brush_texture("classic/pen").anti_aliasing == 1.0


def test_a_stroke_lays_libmypaints_number_of_dabs_with_the_mean_heads_ink():
    """dabs_per_actual_radius + dabs_per_basic_radius per radius travelled; their opacities x the
    masks' areas add up to the mean head's ink (the Gaussians' density mass)."""
    painter = load_painter("dab", brush="classic/dry_brush")
    a = torch.as_tensor(random_actions(np.random.default_rng(0), 16))
    with torch.no_grad():
        d = painter.dabs(a)
        dabs = lay_dabs(painter, d, torch.Generator().manual_seed(0))
    stroke = act.to_physical(a, 64)  # the events, filtered as libmypaint's slow_tracking filters them
    path = tracking_filter(painter.config.slow_tracking, stroke.points.shape[1], a) @ stroke.points
    length = (path[:, 1:] - path[:, :-1]).norm(dim=-1).sum(1)
    count = torch.bincount(dabs["stroke"], minlength=16).float()
    expected = (12.0 * float(painter.dab_count_scale) * length / stroke.radius).round().clamp(min=1)
    assert (count - expected).abs().le(0.02 * expected + 1).all()
    ink = torch.zeros(16).index_add(0, dabs["stroke"], dabs["a"] * np.pi * dabs["R"] ** 2 * dabs["h"])
    head = (2 * np.pi * d["sigma"] ** 2 * d["w"]).sum(1)
    torch.testing.assert_close(ink, head, rtol=0.05, atol=1e-3)


@pytest.fixture(scope="module")
def calibrated_dry_brush() -> DabPainter:
    """The shipped dry_brush painter with its sampler calibrated on 128 training-seed strokes."""
    painter = load_painter("dab", brush="classic/dry_brush")
    actions = np.random.default_rng(0).uniform(-1, 1, (128, 12)).astype(np.float32)
    variance = torch.as_tensor(mypaint_renders("classic/dry_brush", actions, 4).var(0, ddof=1))
    calibrate_dab_count(painter, torch.as_tensor(actions), variance, torch.Generator().manual_seed(1))
    return painter


def test_dry_brush_samples_are_as_sharp_and_as_varied_as_mypaints(calibrated_dry_brush):
    """On held-out strokes: sharpness within 25% and total variance within 25% of MyPaint's (the
    benchmark's 1,000 strokes x 8 seeds hold them to 20% and 10%; here 96 strokes x 4 seeds)."""
    actions = np.random.default_rng(12345).uniform(-1, 1, (96, 12)).astype(np.float32)
    real = mypaint_renders("classic/dry_brush", actions, 4)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        drawn = np.stack([calibrated_dry_brush.sample(torch.as_tensor(actions), gen).numpy() for _ in range(4)])
        mean = calibrated_dry_brush.render_alpha(torch.as_tensor(actions)).numpy()
    assert high_frequency(drawn) / high_frequency(real) == pytest.approx(1.0, abs=0.25)
    assert high_frequency(mean) / high_frequency(real) < 0.5  # the mean head is smooth, as it should be
    assert drawn.var(0, ddof=1).mean() / real.var(0, ddof=1).mean() == pytest.approx(1.0, abs=0.25)
    assert drawn.mean() / mean.mean() == pytest.approx(1.0, abs=0.1)  # the mean head's ink, kept


def test_calibration_lays_more_fainter_dabs_for_less_variance(calibrated_dry_brush):
    a = torch.as_tensor(random_actions(np.random.default_rng(5), 64))
    with torch.no_grad():
        d = calibrated_dry_brush.dabs(a)
        few = calibrated_dry_brush.dab_count_scale.clone()
        counts = []
        for scale in (float(few), 3 * float(few)):
            calibrated_dry_brush.dab_count_scale.fill_(scale)
            counts.append(len(lay_dabs(calibrated_dry_brush, d, None)["x"]))
            gen = torch.Generator().manual_seed(0)
            s1, s2 = calibrated_dry_brush.sample_dabs(d, gen), calibrated_dry_brush.sample_dabs(d, gen)
            counts.append(float((s1 - s2).pow(2).mean()))
        calibrated_dry_brush.dab_count_scale.copy_(few)
    assert counts[2] > 2.5 * counts[0]  # three times the dabs
    assert counts[3] < 0.6 * counts[1]  # and much less variance


def test_samples_are_differentiable_through_the_hard_dabs():
    painter = load_painter("dab", brush="classic/charcoal")
    a = torch.as_tensor(random_actions(np.random.default_rng(2), 6)).requires_grad_(True)
    painter.sample(a, torch.Generator().manual_seed(0)).sum().backward()
    assert torch.isfinite(a.grad).all() and (a.grad[:, act.START_X :].abs().sum(1) > 0).all()


def test_deterministic_brushes_sample_their_mean_unless_hard_dabs_are_closer_to_mypaint():
    """pen and brush paint the same stroke for every seed. Calibration keeps whichever of the hard
    dabs and the mean is closer to MyPaint: the brush's hard dabs (as close as the mean, and as
    sharp as MyPaint), the pen's mean (its hard dabs were 3.8x further: benchmarks/dab_texture.py)."""
    actions = np.random.default_rng(0).uniform(-1, 1, (96, 12)).astype(np.float32)
    a = torch.as_tensor(actions)
    chosen = {}
    for brush in ("classic/pen", "classic/brush"):
        painter = load_painter("dab", brush=brush)
        painter.hard_dabs.zero_()
        with torch.no_grad():  # hard_dabs 0: the sample is the mean
            torch.testing.assert_close(painter.sample(a[:6], torch.Generator()), painter.render_alpha(a[:6]))
        real = torch.as_tensor(mypaint_renders(brush, actions, 1)[0])
        calibrate_dab_count(painter, a, torch.zeros_like(real), torch.Generator().manual_seed(0), mean=real)
        chosen[brush] = bool(painter.hard_dabs > 0)
        with torch.no_grad():
            s1, s2 = painter.sample(a[:6], torch.Generator().manual_seed(0)), painter.sample(a[:6], torch.Generator())
        torch.testing.assert_close(s1, s2)  # still deterministic
    assert chosen == {"classic/pen": False, "classic/brush": True}


def test_a_checkpoint_without_the_samplers_state_loads_with_libmypaints_count(tmp_path):
    """Checkpoints written before dab_texture carry the jittered-Gaussian sampler's state and no
    dab_count_scale: they load, with the scale 1; a saved scale comes back."""
    shipped = load_painter("dab", brush="classic/dry_brush")
    state = {k: v for k, v in shipped.state_dict().items() if k not in ("dab_count_scale", "hard_dabs")}
    state.update(jitter_gain=torch.tensor(0.0), ink_noise=torch.tensor(-2.0))  # the old sampler's state
    payload = {"config": dataclasses.asdict(shipped.config), "state_dict": state}
    painter = DabPainter.from_payload(payload)
    assert float(painter.dab_count_scale) == 1.0 and float(painter.hard_dabs) == 0.0
    with torch.no_grad():
        painter.dab_count_scale.fill_(1.7)
    painter.save(tmp_path / "dab.pt")
    assert float(load_checkpoint(tmp_path / "dab.pt").dab_count_scale) == pytest.approx(1.7)
