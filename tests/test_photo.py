"""Painting a photo: coarse-to-fine tiles, strokes kept and replayed, exports, the commands.

Real tiny runs: a small crop of matplotlib's grace_hopper photo, the shipped dab painter,
libmypaint, cairosvg; nothing of ours is mocked.
"""

from __future__ import annotations

import json
import zipfile

import matplotlib.cbook
import numpy as np
import pytest
import torch
from PIL import Image

import paint_gym
from paint_gym.cli import main
from paint_gym.photo import Painting, paint_levels, paint_photo, psnr
from paint_gym.photo.animation import frames
from paint_gym.photo.plan import plan_levels
from paint_gym.photo.replay import level_layers, replay_mypaint
from paint_gym.photo.svg import rasterize_svg, svg_text


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """One torch thread: tiny runs on a shared machine (see tests/test_param.py)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A non-square public-domain photo, uint8 (48, 72, 3): Grace Hopper's face, shrunk."""
    with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")) as im:
        return np.asarray(im.convert("RGB").crop((100, 60, 460, 300)).resize((72, 48), Image.LANCZOS))


@pytest.fixture(scope="module")
def painted(photo):
    """One small painting shared by the tests: 60 strokes at 48 px, 8 refinement steps a group."""
    return paint_levels(photo, size=48, strokes=60, steps=8, progress=False)


def test_every_level_keeps_the_stroke_count_and_the_windows_stay_inside_the_canvas():
    for width, height, strokes in ((512, 512, 2000), (451, 300, 2000), (512, 512, 500), (1024, 768, 4000)):
        levels = plan_levels(width, height, strokes)
        assert sum(int(lv.strokes.sum()) for lv in levels) == strokes
        for lv in levels:
            x0, y0, side = lv.windows.T
            assert (x0 >= 0).all() and (y0 >= 0).all() and (x0 + side <= width).all() and (y0 + side <= height).all()
            for group in lv.groups:  # the windows of a group never overlap: a group is one batch
                w = lv.windows[group]
                for i in range(len(w)):
                    for j in range(i + 1, len(w)):
                        apart = abs(w[i, 0] - w[j, 0]) >= w[i, 2] or abs(w[i, 1] - w[j, 1]) >= w[i, 2]
                        assert apart, (width, height, lv.index)


def test_a_painting_keeps_the_photos_aspect_and_paints_every_stroke(painted, photo):
    painting = painted.painting
    assert (painting.width, painting.height) == (72, 48)
    assert painted.image.shape == painted.target.shape == (48, 72, 3)
    assert len(painting) == 60 and painting.strokes.shape == (60, 12) and painting.windows.shape == (60, 3)
    assert painting.info["mypaint_psnr"] == pytest.approx(psnr(painted.image, painted.target), abs=1e-6)


def test_the_output_image_is_the_mypaint_replay_of_the_strokes(painted):
    assert np.array_equal(replay_mypaint(painted.painting), painted.image)
    assert np.array_equal(painted.painting.render(), painted.image)


def test_refinement_paints_closer_than_the_first_guess(photo, painted):
    unrefined = paint_levels(photo, size=48, strokes=60, steps=0, progress=False)
    assert painted.painting.info["mypaint_psnr"] > unrefined.painting.info["mypaint_psnr"] + 0.5


def test_strokes_saved_as_json_replay_to_the_same_pixels_at_any_size_and_brush(painted, tmp_path):
    path = painted.painting.save_json(tmp_path / "p.json")
    data = json.loads(path.read_text())
    assert data["width"] == 72 and len(data["strokes"]) == 60 and len(data["physical"]["radius"]) == 60
    loaded = Painting.load_json(path)
    assert np.array_equal(loaded.render(), painted.image)
    big = loaded.scaled(96, brush="classic/dry_brush")
    image = big.render()
    assert image.shape == (96, 144, 3) and big.brush == "classic/dry_brush"
    small = np.asarray(Image.fromarray(image).resize((72, 48), Image.LANCZOS))
    assert psnr(small, painted.target) > psnr(np.full_like(small, 255), painted.target) + 3


def test_the_svg_has_one_path_per_stroke_and_rasterises_near_the_mypaint_painting(painted, tmp_path):
    text = svg_text(painted.painting)
    assert text.count("<path ") == len(painted.painting)
    path = painted.painting.save_svg(tmp_path / "p.svg")
    raster = rasterize_svg(path, 72, 48)
    assert raster.shape == (48, 72, 3)
    assert psnr(raster, painted.target) > painted.painting.info["mypaint_psnr"] - 3


def test_the_openraster_file_has_a_layer_per_level_and_the_merged_painting(painted, tmp_path):
    painting = painted.painting
    path = painting.save_ora(tmp_path / "p.ora")
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"image/openraster"
        stack = z.read("stack.xml").decode()
        assert stack.count("<layer ") == painting.n_levels + 1  # + the background
        with Image.open(z.open("mergedimage.png")) as im:
            assert np.array_equal(np.asarray(im.convert("RGB")), painted.image)
    assert len(level_layers(painting)) == painting.n_levels


def test_the_animation_ends_on_the_painting(painted, tmp_path):
    shots = frames(painted.painting, 5)
    assert len(shots) == 5 and np.array_equal(shots[-1], painted.image)
    path = painted.painting.save_animation(tmp_path / "p.gif", seconds=0.5)
    with Image.open(path) as im:
        assert im.n_frames == 5
    with pytest.raises(ValueError, match="GIF"):
        painted.painting.save_animation(tmp_path / "p.mp4")


def test_an_agent_gives_the_first_guess_through_its_paint_method(photo):
    from paint_gym_agents import load_agent

    agent = load_agent("celeba30")
    result = paint_levels(photo, size=48, strokes=40, steps=0, first_guess_by=agent, progress=False)
    targets = np.asarray(Image.fromarray(result.target[:, :48]).resize((64, 64), Image.BILINEAR))[None]
    assert result.painting.info["first_guess"] == type(agent).__name__
    assert len(result.painting) == 40 and agent.paint(targets).shape[1] == 30


def test_paint_photo_is_the_public_api_and_bad_input_is_refused(photo, tmp_path):
    painting = paint_gym.paint_photo(photo, size=32, strokes=12, steps=1, progress=False)
    assert isinstance(painting, Painting) and (painting.width, painting.height) == (48, 32)
    with pytest.raises(FileNotFoundError, match="no image"):
        paint_photo(tmp_path / "missing.jpg", size=32, strokes=12)
    with pytest.raises(ValueError, match="strokes"):
        paint_photo(photo, size=32, strokes=0)
    with pytest.raises(ValueError, match="brush"):
        paint_photo(photo, size=32, strokes=12, brush="classic/nothing")
    (tmp_path / "other.json").write_text(json.dumps({"format": "else"}))
    with pytest.raises(ValueError, match="not a paint-gym painting"):
        Painting.load_json(tmp_path / "other.json")


def test_paint_and_replay_commands_write_every_file(photo, tmp_path, capsys):
    src = tmp_path / "photo.png"
    Image.fromarray(photo).save(src)
    out = tmp_path / "painting.png"
    args = [
        "paint",
        str(src),
        "--size",
        "32",
        "--strokes",
        "20",
        "--steps",
        "2",
        "--seconds",
        "None",
        "--out",
        str(out),
    ]
    assert main([*args, "--neural"]) == 0
    for suffix in (".png", ".json", ".svg", ".ora", ".gif"):
        assert out.with_suffix(suffix).is_file(), suffix
    assert (tmp_path / "painting_neural.png").is_file()
    assert "MyPaint PSNR" in capsys.readouterr().out
    big = tmp_path / "big.png"
    assert (
        main(["replay", str(out.with_suffix(".json")), "--size", "64", "--brush", "classic/pen", "--out", str(big)])
        == 0
    )
    with Image.open(big) as im:
        assert im.size == (96, 64)
    assert (
        main(
            [
                "paint",
                str(src),
                "--out",
                str(tmp_path / "x.png"),
                "--no-svg",
                "--no-ora",
                "--no-animation",
                "--no-json-strokes",
                "--size",
                "32",
                "--strokes",
                "12",
                "--steps",
                "0",
            ]
        )
        == 0
    )
    assert not (tmp_path / "x.svg").exists() and not (tmp_path / "x.json").exists()
