"""Neural painters, their training, stroke data, expected_mse and the differentiable path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from paint_gym import actions as act
from paint_gym.canvas import composite, composite_moments, expected_mse, paint_differentiable, to_uint8_array
from paint_gym.checkpoint import CheckpointError, sha256_of
from paint_gym.painters import strokes
from paint_gym.painters.load import ResizedPainter, load_painter, replay
from paint_gym.painters.neural import GANPainter, PainterConfig, VAEPainter, load_checkpoint
from paint_gym.painters.train import PainterTrainer, TrainConfig

from .helpers import random_actions


@pytest.fixture(scope="module")
def stroke_folder(tmp_path_factory):
    spec = strokes.StrokeDataSpec(n_actions=600, seeds_per_action=2, shard_size=200, seed=3)
    return strokes.generate(spec, tmp_path_factory.mktemp("strokes"), workers=1, progress=False), spec


@pytest.mark.parametrize("cls", [GANPainter, VAEPainter])
def test_painters_render_valid_alpha_and_variance_differentiably(cls, rng):
    painter = cls()
    a = torch.tensor(random_actions(rng, 5), requires_grad=True)
    mean, var = painter.render_alpha(a, return_var=True)
    assert mean.shape == var.shape == (5, 64, 64)
    assert 0 <= mean.min() and mean.max() <= 1 and (var >= 0).all() and (var <= mean * (1 - mean) + 1e-6).all()
    (mean.sum() + var.sum()).backward()
    assert a.grad[:, act.START_X :].abs().sum() > 0
    assert torch.equal(a.grad[:, act.COLOR], torch.zeros(5, 3))  # colour does not move paint


@pytest.mark.parametrize(
    "bad, match",
    [
        (torch.zeros(2, 11), "12"),
        (torch.zeros(2, 12, dtype=torch.int64), "float"),
        (np.full((2, 12), np.nan, np.float32), "NaN"),
    ],
)
def test_painters_reject_bad_shapes_and_dtypes_and_untraced_nan(bad, match):
    with pytest.raises(ValueError, match=match):
        GANPainter().render_alpha(bad)


@pytest.mark.parametrize("entry", ["paint_differentiable", "expected_mse", "replay"])
def test_nan_actions_raise_at_the_public_boundary_not_in_the_painter(entry):
    """The painter's traced path does not branch on values (vmap, compile); the entry points
    that take user actions check them and name the problem."""
    painter = GANPainter()
    bad = torch.zeros(1, 2, 12)
    bad[0, 1, 7] = float("nan")
    call = {
        "paint_differentiable": lambda: paint_differentiable(painter, bad),
        "expected_mse": lambda: expected_mse(bad, torch.rand(1, 3, 64, 64), painter),
        "replay": lambda: replay(bad, "mypaint"),
    }[entry]
    with pytest.raises(ValueError, match="NaN|finite"):
        call()
    assert torch.isnan(painter.render_alpha(bad[0])).any()  # no check inside the painter itself


#: Every shipped differentiable painter, loaded as users load it; the docs promise each is traceable.
TRACEABLE = ["dab", "gan", "vae"]


@pytest.fixture(scope="module")
def shipped():
    return {name: load_painter(name) for name in TRACEABLE}


def _one_stroke_loss(painter):
    def loss(x: torch.Tensor) -> torch.Tensor:  # one stroke (12,) -> scalar
        return painter.render_alpha(x[None]).mean()

    return loss


@pytest.mark.parametrize("name", TRACEABLE)
def test_render_alpha_runs_under_vmap_and_gives_per_sample_gradients(name, shipped, rng):
    painter = shipped[name]
    a = torch.tensor(random_actions(rng, 3, 4))  # (N, B, 12): vmap over N
    batched = torch.func.vmap(painter.render_alpha)(a)
    torch.testing.assert_close(batched, torch.stack([painter.render_alpha(x) for x in a]), atol=1e-6, rtol=1e-5)
    loss = _one_stroke_loss(painter)
    grads = torch.func.vmap(torch.func.grad(loss))(a[0])
    assert grads.shape == (4, 12) and torch.isfinite(grads).all()
    for i in range(4):
        x = a[0, i].clone().requires_grad_(True)
        loss(x).backward()
        torch.testing.assert_close(grads[i], x.grad, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("name", TRACEABLE)
def test_render_alpha_has_a_jacobian_under_jacrev(name, shipped, rng):
    """``jacrev`` gives d(mean alpha of stroke i)/d(action j): zero across strokes of a batch."""
    painter = shipped[name]
    a = torch.tensor(random_actions(rng, 3))
    jac = torch.func.jacrev(lambda x: painter.render_alpha(x).mean((1, 2)))(a)  # (3, 3, 12)
    assert jac.shape == (3, 3, 12) and torch.isfinite(jac).all()
    for i in range(3):
        x = a.clone().requires_grad_(True)
        painter.render_alpha(x).mean((1, 2))[i].backward()
        torch.testing.assert_close(jac[i], x.grad, atol=1e-6, rtol=1e-4)
    off_diagonal = jac[~torch.eye(3, dtype=torch.bool)]
    assert torch.equal(off_diagonal, torch.zeros_like(off_diagonal))


@pytest.mark.parametrize("name", TRACEABLE)
def test_render_alpha_compiles_as_one_graph(name, shipped, rng):
    """``fullgraph=True`` fails on any graph break (a data-dependent branch is one, and so is a
    numpy array's attribute read inside the trace); the aot_eager backend traces forward and
    backward without a C compiler (inductor: -m slow)."""
    torch._dynamo.reset()
    painter = shipped[name]
    a = torch.tensor(random_actions(rng, 4))
    compiled = torch.compile(painter.render_alpha, fullgraph=True, backend="aot_eager")
    torch.testing.assert_close(compiled(a), painter.render_alpha(a))
    x = a.clone().requires_grad_(True)
    compiled(x).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.fixture
def emse_inputs(rng):
    """Strokes ``(N=2, B=1, T=3, 12)`` (vmap over N) and one target ``(1, 3, 64, 64)``."""
    return torch.tensor(random_actions(rng, 2, 1, 3)), torch.rand(
        1, 3, 64, 64, generator=torch.Generator().manual_seed(0)
    )


#: The two documented target layouts of expected_mse: torch's float (B, 3, H, W) and an
#: observation's uint8 numpy (B, H, W, 3).
TARGET_LAYOUTS = ["torch float", "numpy uint8"]


def _as_layout(target: torch.Tensor, layout: str):
    return target if layout == "torch float" else to_uint8_array(target)


@pytest.mark.parametrize("layout", TARGET_LAYOUTS)
@pytest.mark.parametrize("name", TRACEABLE)
def test_expected_mse_runs_under_vmap_and_jacrev(name, layout, shipped, emse_inputs):
    """The public entry point's value checks (NaN actions, targets outside [0, 1]) run eagerly
    and stand aside inside a transform, so per-sample losses and Jacobians work through it."""
    painter = shipped[name]
    a, target = emse_inputs
    target = _as_layout(target, layout)
    per_sample = torch.func.vmap(lambda x: expected_mse(x, target, painter))(a)  # (2, 1)
    torch.testing.assert_close(per_sample, torch.stack([expected_mse(x, target, painter) for x in a]))
    jac = torch.func.jacrev(lambda x: expected_mse(x, target, painter).sum())(a[0])  # (1, 3, 12)
    x = a[0].clone().requires_grad_(True)
    expected_mse(x, target, painter).sum().backward()
    torch.testing.assert_close(jac, x.grad, atol=1e-7, rtol=1e-4)
    assert jac.abs().sum() > 0


@pytest.mark.parametrize("layout", TARGET_LAYOUTS)
@pytest.mark.parametrize("name", TRACEABLE)
def test_expected_mse_compiles_as_one_graph(name, layout, shipped, emse_inputs):
    """Also with a numpy target (read as a tensor, not through numpy attributes, which
    ``fullgraph=True`` cannot trace) and a background given as a numpy RGB triple."""
    torch._dynamo.reset()
    painter = shipped[name]
    a, target = emse_inputs
    target = _as_layout(target, layout)
    grey = np.array([0.5, 0.4, 0.3], np.float32)
    compiled = torch.compile(lambda x: expected_mse(x, target, painter), fullgraph=True, backend="aot_eager")
    torch.testing.assert_close(compiled(a[0]), expected_mse(a[0], target, painter))
    on_grey = torch.compile(lambda x: expected_mse(x, target, painter, grey), fullgraph=True, backend="aot_eager")
    torch.testing.assert_close(on_grey(a[0]), expected_mse(a[0], target, painter, grey))
    x = a[0].clone().requires_grad_(True)
    compiled(x).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("background", ["white", (0.5, 0.4, 0.3), np.array([0.5, 0.4, 0.3], np.float32)])
@pytest.mark.parametrize("name", TRACEABLE)
def test_paint_differentiable_compiles_as_one_graph_on_any_background(name, background, shipped, rng):
    torch._dynamo.reset()
    painter = shipped[name]
    a = torch.tensor(random_actions(rng, 1, 3))
    compiled = torch.compile(
        lambda x: paint_differentiable(painter, x, background=background), fullgraph=True, backend="aot_eager"
    )
    torch.testing.assert_close(compiled(a), paint_differentiable(painter, a, background=background))


def test_a_numpy_target_of_another_dtype_is_refused_naming_it(shipped, emse_inputs):
    a, target = emse_inputs
    as_float = to_uint8_array(target).astype(np.float32)
    with pytest.raises(ValueError, match=r"numpy target must be uint8 \(B, H, W, 3\); got float32 \(1, 64, 64, 3\)"):
        expected_mse(a[0], as_float, shipped["dab"])


def test_expected_mse_still_refuses_bad_values_when_called_eagerly(shipped, emse_inputs):
    a, target = emse_inputs
    bad = a[0].clone()
    bad[0, 1, 7] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        expected_mse(bad, target, shipped["dab"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        expected_mse(a[0], target * 2, shipped["dab"])


@pytest.mark.slow
@pytest.mark.parametrize("name", TRACEABLE)
def test_render_alpha_and_expected_mse_compile_with_inductor(name, shipped, emse_inputs, rng):
    torch._dynamo.reset()
    painter = shipped[name]
    a = torch.tensor(random_actions(rng, 4))
    compiled = torch.compile(painter.render_alpha, fullgraph=True)
    torch.testing.assert_close(compiled(a), painter.render_alpha(a), atol=1e-5, rtol=1e-4)
    strokes, target = emse_inputs
    loss = torch.compile(lambda x: expected_mse(x, target, painter), fullgraph=True)
    torch.testing.assert_close(loss(strokes[0]), expected_mse(strokes[0], target, painter), atol=1e-6, rtol=1e-4)


def test_checkpoints_round_trip_and_are_verified(tmp_path, rng):
    painter = VAEPainter(PainterConfig(kind="vae", width=16, hidden=64))
    digest = painter.save(tmp_path / "p.pt")
    loaded = load_checkpoint(tmp_path / "p.pt", sha256=digest)
    a = torch.tensor(random_actions(rng, 3))
    torch.testing.assert_close(
        loaded.render_alpha(a), painter.eval().render_alpha(a), atol=2e-3, rtol=0
    )  # float16 weights
    with pytest.raises(CheckpointError, match="SHA-256"):
        load_checkpoint(tmp_path / "p.pt", sha256="0" * 64)
    (tmp_path / "bad.pt").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="not a readable painter checkpoint"):
        load_checkpoint(tmp_path / "bad.pt")
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "absent.pt")
    assert sha256_of(tmp_path / "p.pt") == digest


def test_load_painter_resizes_to_other_canvases(rng):
    painter = load_painter(GANPainter(), canvas_size=128)
    assert isinstance(painter, ResizedPainter)
    assert painter.render_alpha(torch.tensor(random_actions(rng, 2))).shape == (2, 128, 128)
    with pytest.raises(ValueError, match="unknown painter"):
        load_painter("picasso")


def test_stroke_data_is_seeded_resumable_and_has_the_variance(stroke_folder):
    folder, spec = stroke_folder
    actions, alpha = strokes.load(folder)
    assert actions.shape == (600, 12) and alpha.shape == (2, 600, 64, 64) and alpha.dtype == np.uint8
    assert 0.03 < alpha.mean() / 255 < 0.15  # random dry_brush strokes cover about 8%
    assert (alpha[0] != alpha[1]).mean() > 0.005  # two brush seeds scatter differently
    shard = folder / "shard_00001.npz"
    before = shard.read_bytes()
    shard.unlink()
    strokes.generate(spec, folder, workers=1, progress=False)
    with np.load(shard) as z, np.load(__import__("io").BytesIO(before)) as old:
        np.testing.assert_array_equal(z["alpha"], old["alpha"])
    with pytest.raises(ValueError, match="other settings"):
        strokes.generate(strokes.StrokeDataSpec(n_actions=10), folder, workers=1, progress=False)


def autoencoder_mse(trainer: PainterTrainer) -> float:
    _, mean_t, _, _ = trainer.data.holdout()
    with torch.no_grad():
        trainer.painter.eval()
        mean, _, _, _ = trainer.painter.autoencode(mean_t)
        trainer.painter.train()
    return float(((mean - mean_t) ** 2).mean())


@pytest.mark.parametrize("kind", ["gan", "vae"])
def test_a_few_training_steps_lower_the_loss_and_resume(kind, stroke_folder, tmp_path):
    folder, _ = stroke_folder
    cfg = TrainConfig(
        kind=kind,
        data=str(folder),
        out=str(tmp_path / kind),
        minutes=0,
        max_steps=40,
        batch=32,
        lr=1e-3,
        holdout=100,
        eval_every=1000,
        checkpoint_every=20,
        stage1_fraction=0.5,
        adv_warmup_fraction=0.5,
        painter={"width": 16, "hidden": 64},
    )
    trainer = PainterTrainer(cfg)
    before = trainer.evaluate()["val_mse_mean"]
    ae_before = autoencoder_mse(trainer) if kind == "vae" else None
    cfg.minutes = 10.0  # budget large enough for 40 steps
    trainer.run(progress=False)
    after = trainer.history[-1]["val_mse_mean"]
    assert trainer.step == 40 and after < before
    assert (tmp_path / kind / "painter.pt").is_file() and (tmp_path / kind / "curves.png").is_file()
    if kind == "gan":
        assert after < 0.95 * before
    else:  # stage 1 trained the stroke VAE, stage 2 the action MLP (which moved the loss above)
        assert trainer.stage == 2
        assert autoencoder_mse(trainer) < ae_before
    cfg.max_steps = 45
    again = PainterTrainer(cfg)
    assert again.step == 40 and again.stage == trainer.stage  # resumed from the checkpoint
    again.run(progress=False)
    assert again.step == 45


def test_expected_mse_matches_monte_carlo_compositing():
    """Moment propagation is exact: compare with many sampled random alphas."""
    gen = torch.Generator().manual_seed(0)
    b, t, s = 2, 3, 8
    mean_a = torch.rand(b, t, s, s, generator=gen) * 0.8
    var_a = torch.rand(b, t, s, s, generator=gen) * mean_a * (1 - mean_a)

    class MomentPainter:  # a painter with known alpha moments (a test double of a neural painter)
        canvas_size = s

        def render_alpha(self, actions, return_var=False):
            return (
                (mean_a.reshape(b * t, s, s), var_a.reshape(b * t, s, s)) if return_var else mean_a.reshape(b * t, s, s)
            )

    actions = torch.rand(b, t, 12, generator=gen) * 2 - 1
    target = torch.rand(b, 3, s, s, generator=gen)
    predicted = expected_mse(actions, target, MomentPainter())
    # sample alphas with those moments (Beta distributions), composite, average the error
    n = 40000
    conc = mean_a * (1 - mean_a) / var_a.clamp(min=1e-6) - 1
    beta = torch.distributions.Beta((mean_a * conc).clamp(min=1e-3), ((1 - mean_a) * conc).clamp(min=1e-3))
    alphas = beta.sample((n,))  # (n, b, t, s, s)
    canvas = torch.ones(n, b, s, s, 3)
    colors = act.colors_of(actions)
    for k in range(t):
        canvas = composite(canvas, alphas[:, :, k], colors[:, k])
    empirical = ((canvas - target.permute(0, 2, 3, 1)) ** 2).mean(dim=(0, 2, 3, 4))
    torch.testing.assert_close(predicted, empirical, rtol=0.02, atol=2e-4)


def test_composite_moments_without_variance_is_composite(rng):
    canvas = torch.rand(4, 4, 3)
    alpha, color = torch.rand(4, 4), torch.rand(3)
    mean, second = composite_moments(canvas, canvas**2, alpha, torch.zeros(4, 4), color)
    torch.testing.assert_close(mean, composite(canvas, alpha, color))
    torch.testing.assert_close(second, mean**2)


def test_expected_mse_is_differentiable_and_checks_its_target(rng):
    painter = GANPainter()
    a = torch.tensor(random_actions(rng, 2, 4), requires_grad=True)
    loss = expected_mse(a, torch.rand(2, 3, 64, 64), painter).sum()
    loss.backward()
    assert a.grad.abs().sum() > 0
    assert expected_mse(a, np.zeros((2, 64, 64, 3), np.uint8), painter).shape == (2,)
    with pytest.raises(ValueError, match="target"):
        expected_mse(a, torch.rand(2, 64, 64, 3), painter)


def test_replay_paints_the_same_strokes_in_mypaint_and_a_neural_painter(rng, tmp_path):
    a = random_actions(rng, 2, 4)
    real = replay(a, "mypaint", seed=0)
    assert real.shape == (2, 64, 64, 3) and real.dtype == np.uint8
    np.testing.assert_array_equal(real, replay(a, "mypaint", seed=0))
    path = tmp_path / "p.pt"
    GANPainter().save(path)
    neural = replay(a, path)
    assert neural.shape == real.shape
    with pytest.raises(ValueError, match="shape"):
        replay(a[0], "mypaint")


def test_replay_takes_the_tensor_a_user_has_just_optimised(rng):
    """``replay(actions)`` used to reject a tensor that requires grad."""
    a = torch.tensor(random_actions(rng, 2, 3), requires_grad=True)
    loss = expected_mse(a, torch.rand(2, 3, 64, 64), GANPainter())
    loss.sum().backward()
    numpy_copy = a.detach().numpy().copy()
    np.testing.assert_array_equal(replay(a, "mypaint", seed=1), replay(numpy_copy, "mypaint", seed=1))
    np.testing.assert_array_equal(replay(a.double(), "gan"), replay(numpy_copy, "gan"))
    assert a.requires_grad and a.grad is not None  # the user's tensor is left as it was


@pytest.mark.parametrize("size", [64.5, 3, True, "64", float("nan")])
def test_load_painter_rejects_sizes_it_cannot_paint(size):
    with pytest.raises(ValueError, match="canvas_size"):
        load_painter("gan", canvas_size=size)


def test_paint_differentiable_rejects_bad_input():
    with pytest.raises(ValueError, match="B, T, 12"):
        paint_differentiable(GANPainter(), torch.zeros(2, 12))
    with pytest.raises(ValueError, match="finite"):
        paint_differentiable(GANPainter(), torch.full((1, 2, 12), float("inf")))


@pytest.mark.slow
def test_vae_escapes_the_constant_stroke_plateau(stroke_folder, tmp_path):
    """200 steps of stage 1 bring the VAE from the mean-alpha plateau (MSE ~0.045) below 0.03."""
    folder, _ = stroke_folder
    cfg = TrainConfig(
        kind="vae",
        data=str(folder),
        out=str(tmp_path / "vae"),
        minutes=10,
        max_steps=200,
        batch=32,
        lr=1e-3,
        holdout=100,
        eval_every=1000,
        checkpoint_every=1000,
        stage1_fraction=1.0,
        painter={"width": 16, "hidden": 64},
    )
    trainer = PainterTrainer(cfg)
    before = autoencoder_mse(trainer)
    trainer.run(progress=False)
    assert before > 0.04 and autoencoder_mse(trainer) < 0.03


def test_large_batches_render_in_chunks_identically(rng):
    painter = GANPainter().eval()
    a = torch.tensor(random_actions(rng, 150))
    mean, var = painter.render_alpha(a, return_var=True)
    whole_mean, whole_var = painter(a)
    torch.testing.assert_close(mean, whole_mean, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(var, whole_var, atol=1e-5, rtol=1e-4)


def test_a_few_dab_painter_steps_lower_the_loss_calibrate_the_sampler_and_resume(stroke_folder, tmp_path):
    folder, _ = stroke_folder
    cfg = TrainConfig(
        kind="dab",
        data=str(folder),
        out=str(tmp_path / "dab"),
        minutes=10.0,
        max_steps=30,
        holdout=100,
        eval_every=1000,
    )
    assert (cfg.batch, cfg.lr) == (256, 1e-2)  # the dab kind's defaults (the one-minute recipe)
    trainer = PainterTrainer(cfg)
    before = trainer.evaluate()["val_mse_mean"]
    trainer.run(progress=False)
    last = trainer.history[-1]
    assert trainer.step == 30 and last["val_mse_mean"] < 0.9 * before
    assert float(trainer.painter.dab_count_scale) != 1.0  # the sampler was calibrated at the end
    assert 0.5 < last["val_sample_var_ratio"] < 2.0 and 0.3 < last["val_var_ratio"] < 3.0
    loaded = load_checkpoint(tmp_path / "dab" / "painter.pt")
    actions = torch.rand(4, 12) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(loaded.render_alpha(actions), trainer.painter.render_alpha(actions))
    cfg.max_steps = 35
    again = PainterTrainer(cfg)
    assert again.step == 30
    again.run(progress=False)
    assert again.step == 35


def test_train_painter_refuses_data_and_brush_together(stroke_folder, tmp_path):
    folder, _ = stroke_folder
    cfg = TrainConfig(kind="dab", data=str(folder), brush="classic/pen", out=str(tmp_path / "x"))
    with pytest.raises(ValueError, match="not both"):
        PainterTrainer(cfg)
