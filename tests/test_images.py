"""The one image loader (paint_gym.images): a user's picture is read as every viewer shows it.

Real small files of each kind are written to tmp_path with Pillow and read back through the
library's entry points: :func:`open_image`, :func:`paint_gym.param.load_image` (``paint-gym
style``) and an env's ``reset(options={"target": <PIL image>})``.
"""

from __future__ import annotations

import struct
import zlib

import gymnasium as gym
import numpy as np
import pytest
from PIL import Image, features

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.cli import main
from paint_gym.images import open_image, to_rgb
from paint_gym.param.style import load_image

RED, BLUE, WHITE, BLACK = (255, 0, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)


def pixels(image: Image.Image) -> np.ndarray:
    assert image.mode == "RGB"
    return np.asarray(image)


def sideways_photo(path, fmt: str) -> None:
    """A 'portrait' photo stored as a phone does: landscape pixels (40 x 20) with EXIF
    orientation 6 (rotate 90 degrees clockwise to view). Its stored left half is red."""
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:, :20] = RED
    stored[:, 20:] = BLUE
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(path, format=fmt, exif=exif, **({"quality": 95} if fmt == "JPEG" else {}))


# ----------------------------------------------------------------------------------------
# Orientation
# ----------------------------------------------------------------------------------------

FORMATS = ["JPEG", "PNG", "TIFF"] + (["WEBP"] if features.check("webp") else [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_exif_orientation_6_turns_a_sideways_phone_photo_upright(tmp_path, fmt):
    path = tmp_path / f"phone.{fmt.lower()}"
    sideways_photo(path, fmt)
    upright = pixels(open_image(path))
    assert upright.shape == (40, 20, 3)  # portrait, as shown by every viewer
    # viewed upright, the stored left (red) half is on top
    assert np.abs(upright[:15].astype(int) - RED).max() < 40
    assert np.abs(upright[25:].astype(int) - BLUE).max() < 40


def test_load_image_keeps_the_upright_aspect_of_a_phone_photo(tmp_path):
    """The issue's case: ``load_image("phone.jpg", 64, keep_aspect=True)`` was (1, 3, 64, 128) sideways."""
    sideways_photo(tmp_path / "phone.jpg", "JPEG")
    photo = load_image(tmp_path / "phone.jpg", 16, keep_aspect=True)
    assert photo.shape == (1, 3, 32, 16)
    assert photo[0, 0, :8].mean() > 0.8 and photo[0, 2, :8].mean() < 0.2  # red on top


# ----------------------------------------------------------------------------------------
# Bit depth
# ----------------------------------------------------------------------------------------


def test_a_16_bit_grey_png_ramp_reads_as_a_ramp_not_all_white(tmp_path):
    """The issue's case: this file loaded with min = max = 1.0."""
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (64, 1))
    Image.fromarray(ramp).save(tmp_path / "ramp16.png")
    grey = pixels(open_image(tmp_path / "ramp16.png"))[..., 0]
    np.testing.assert_array_equal(grey[0], np.arange(256))  # 65535 * k / 255 -> k: exact
    photo = load_image(tmp_path / "ramp16.png", 64, keep_aspect=True)
    assert float(photo.min()) < 0.01 and float(photo.max()) > 0.99


def test_a_dark_16_bit_scan_stays_dark(tmp_path):
    """16-bit data is read against the nominal 0..65535, not stretched to its own range."""
    Image.fromarray(np.full((8, 8), 6553, np.uint16)).save(tmp_path / "dark16.png")  # 10 % grey
    assert pixels(open_image(tmp_path / "dark16.png")).max() == round(6553 / 65535 * 255)


def test_big_endian_16_bit_tiff_reads_like_little_endian(tmp_path):
    values = np.tile(np.linspace(0, 65535, 16).astype(np.uint16), (4, 1))
    Image.frombytes("I;16B", (16, 4), values.astype(">u2").tobytes()).save(tmp_path / "be.tif")
    Image.fromarray(values).save(tmp_path / "le.tif")
    np.testing.assert_array_equal(pixels(open_image(tmp_path / "be.tif")), pixels(open_image(tmp_path / "le.tif")))
    assert pixels(open_image(tmp_path / "be.tif"))[0, -1, 0] == 255


def test_a_float_tiff_in_0_1_reads_as_its_grey_levels_not_all_black(tmp_path):
    ramp = np.tile(np.linspace(0.0, 1.0, 11, dtype=np.float32), (4, 1))
    Image.fromarray(ramp, "F").save(tmp_path / "ramp.tif")
    grey = pixels(open_image(tmp_path / "ramp.tif"))[0, :, 0]
    np.testing.assert_array_equal(grey, np.rint(np.linspace(0, 255, 11)).astype(np.uint8))


def test_float_and_32_bit_images_outside_their_nominal_range_are_widened_not_clipped():
    float_255 = Image.fromarray(np.array([[0.0, 127.5, 255.0]], np.float32), "F")  # 8-bit values as floats
    np.testing.assert_array_equal(pixels(to_rgb(float_255))[0, :, 0], [0, 128, 255])
    int_wide = Image.fromarray(np.array([[0, 65535, 131070]], np.int32), "I")
    np.testing.assert_array_equal(pixels(to_rgb(int_wide))[0, :, 0], [0, 128, 255])


def test_a_float_image_with_nan_is_refused_naming_it(tmp_path):
    Image.fromarray(np.array([[0.5, np.nan]], np.float32), "F").save(tmp_path / "nan.tif")
    with pytest.raises(ValueError, match="NaN") as err:
        open_image(tmp_path / "nan.tif")
    assert "nan.tif" in str(err.value)


# ----------------------------------------------------------------------------------------
# Transparency
# ----------------------------------------------------------------------------------------


def palette_logo(transparent_index: int = 0) -> Image.Image:
    """A palette (mode P) image: index 0 is the background, index 1 a red square."""
    idx = np.zeros((8, 8), np.uint8)
    idx[2:6, 2:6] = 1
    image = Image.fromarray(idx, "P")
    image.putpalette([0, 0, 0, *RED] + [0] * (254 * 3))
    image.info["transparency"] = transparent_index
    return image


def test_a_transparent_palette_png_background_is_white_not_black(tmp_path):
    """The issue's case: mode P with transparency=0 painted its background black."""
    palette_logo().save(tmp_path / "logo.png", transparency=0)
    rgb = pixels(open_image(tmp_path / "logo.png"))
    assert tuple(rgb[0, 0]) == WHITE
    assert tuple(rgb[3, 3]) == RED


def test_a_transparent_gif_background_is_white(tmp_path):
    palette_logo().save(tmp_path / "logo.gif", transparency=0)
    rgb = pixels(open_image(tmp_path / "logo.gif"))
    assert tuple(rgb[0, 0]) == WHITE and tuple(rgb[3, 3]) == RED


@pytest.mark.parametrize(
    "mode, colour, alpha, expected",
    [
        ("RGBA", RED, 128, (255, 127, 127)),  # half red over white
        ("RGBA", RED, 0, WHITE),
        ("RGBA", RED, 255, RED),
        ("LA", (0,), 128, (127, 127, 127)),  # half black over white
    ],
)
def test_alpha_is_composited_over_white(tmp_path, mode, colour, alpha, expected):
    Image.new(mode, (4, 4), (*colour, alpha)).save(tmp_path / "a.png")
    assert np.abs(pixels(open_image(tmp_path / "a.png"))[0, 0].astype(int) - expected).max() <= 1


def test_a_transparent_colour_key_of_an_rgb_or_grey_png_becomes_background(tmp_path):
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[0] = RED
    Image.fromarray(rgb).save(tmp_path / "rgb.png", transparency=BLACK)
    read = pixels(open_image(tmp_path / "rgb.png"))
    assert tuple(read[0, 0]) == RED and tuple(read[3, 3]) == WHITE
    Image.fromarray(np.array([[0, 200]], np.uint8)).save(tmp_path / "grey.png", transparency=0)
    assert pixels(open_image(tmp_path / "grey.png"))[0].tolist() == [list(WHITE), [200] * 3]
    ramp = np.array([[0, 30000]], np.uint16)  # a 16-bit grey key
    Image.fromarray(ramp).save(tmp_path / "grey16.png", transparency=0)
    assert tuple(pixels(open_image(tmp_path / "grey16.png"))[0, 0]) == WHITE


def test_transparency_goes_over_the_background_asked_for(tmp_path):
    palette_logo().save(tmp_path / "logo.png", transparency=0)
    assert tuple(pixels(open_image(tmp_path / "logo.png", background="black"))[0, 0]) == BLACK
    assert tuple(pixels(open_image(tmp_path / "logo.png", background=(0.0, 0.0, 1.0)))[0, 0]) == BLUE


def test_premultiplied_modes_are_composited_too():
    for mode in ("RGBa", "La", "PA"):
        assert tuple(pixels(to_rgb(Image.new(mode, (2, 2))))[0, 0]) == WHITE, mode  # fully transparent


# ----------------------------------------------------------------------------------------
# Other modes
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode, fmt", [("1", "PNG"), ("L", "PNG"), ("CMYK", "JPEG"), ("CMYK", "TIFF"), ("LAB", "TIFF")])
def test_other_modes_pillow_opens_read_as_their_colours(tmp_path, mode, fmt):
    source = Image.new("RGB", (4, 4), (255, 255, 255) if mode in ("1", "L") else (220, 40, 30))
    path = tmp_path / f"x.{fmt.lower()}"
    source.convert(mode).save(path, format=fmt)
    with Image.open(path) as check:
        assert check.mode == mode
    assert np.abs(pixels(open_image(path)).astype(int) - np.asarray(source, int)).max() <= 8


@pytest.mark.parametrize("mode", ["YCbCr", "HSV", "RGBX", "P"])
def test_in_memory_colour_modes_read_as_their_colours(mode):
    source = Image.new("RGB", (4, 4), (220, 40, 30))
    converted = source.convert(mode, palette=Image.Palette.ADAPTIVE) if mode == "P" else source.convert(mode)
    assert np.abs(pixels(to_rgb(converted)).astype(int) - np.asarray(source, int)).max() <= 8


def test_to_rgb_refuses_what_is_not_an_image():
    with pytest.raises(ValueError, match="PIL image"):
        to_rgb(np.zeros((4, 4, 3), np.uint8))


# ----------------------------------------------------------------------------------------
# Files that cannot be read
# ----------------------------------------------------------------------------------------


def bomb_png(path) -> None:
    """A valid PNG header announcing 20000 x 20000 pixels (400 MP: past Pillow's safety limit)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_a_value_error_naming_the_file(tmp_path):
    bomb_png(tmp_path / "huge.png")
    with pytest.raises(ValueError, match="too large") as err:
        open_image(tmp_path / "huge.png")
    assert "huge.png" in str(err.value) and "downscale" in str(err.value)


def test_an_image_between_once_and_twice_the_pixel_limit_is_refused_not_only_warned_about(tmp_path, monkeypatch):
    """Pillow raises past twice ``MAX_IMAGE_PIXELS`` and only warns between 1x and 2x (a 9500 px
    square at the default limit); the loader refuses from just above 1x, and reads one at it."""
    Image.new("RGB", (100, 100), RED).save(tmp_path / "big.png")  # 10,000 px
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6000)  # Pillow's own knob: 10,000 is 1.7x of it
    with pytest.raises(ValueError, match="too large") as err:
        open_image(tmp_path / "big.png")
    assert "big.png" in str(err.value) and "downscale" in str(err.value)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # exactly at the limit: read
    assert pixels(open_image(tmp_path / "big.png")).shape == (100, 100, 3)


def test_style_on_a_decompression_bomb_is_one_error_line_and_exit_2(tmp_path, capsys):
    bomb_png(tmp_path / "huge.png")
    assert main(["style", str(tmp_path / "huge.png"), "--size", "64", "--out", str(tmp_path / "p.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("paint-gym: error:") and "too large" in err and "Traceback" not in err


def test_a_truncated_or_missing_file_is_named(tmp_path):
    Image.new("RGB", (64, 64), RED).save(tmp_path / "whole.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "whole.png").read_bytes()[:60])
    with pytest.raises(ValueError, match="cut.png"):
        open_image(tmp_path / "cut.png")
    with pytest.raises(FileNotFoundError, match="missing.png"):
        open_image(tmp_path / "missing.png")


# ----------------------------------------------------------------------------------------
# An env's reset target given as a PIL image
# ----------------------------------------------------------------------------------------


def logo64() -> Image.Image:
    idx = np.zeros((64, 64), np.uint8)
    idx[16:48, 16:48] = 1
    image = Image.fromarray(idx, "P")
    image.putpalette([0, 0, 0, *RED] + [0] * (254 * 3))
    image.info["transparency"] = 0
    return image


@pytest.mark.parametrize("background, expected", [("white", WHITE), ("black", BLACK)])
def test_a_pil_target_is_read_over_the_env_background(background, expected):
    env = gym.make("MyPaint-MNIST-v0", background=background)
    obs, _ = env.reset(seed=0, options={"target": logo64()})
    env.close()
    assert tuple(obs["target"][0, 0]) == expected and tuple(obs["target"][32, 32]) == RED


def test_a_16_bit_pil_target_is_rescaled_not_clipped_to_white():
    ramp = Image.fromarray(np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (64, 1)))
    env = gym.make("MyPaint-MNIST-v0")
    obs, _ = env.reset(seed=0, options={"target": ramp})
    env.close()
    assert obs["target"][0, 0, 0] == 0 and obs["target"][0, -1, 0] == 255


def test_a_pil_target_of_the_wrong_size_is_refused_with_its_shape():
    env = gym.make("MyPaint-MNIST-v0")
    with pytest.raises(ValueError, match=r"\(32, 32, 3\)"):
        env.reset(options={"target": Image.new("RGBA", (32, 32))})
    env.close()


def test_the_batched_vector_env_reads_a_pil_target_for_every_sub_env():
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2)
    obs, _ = envs.reset(seed=0, options={"target": logo64()})
    envs.close()
    assert obs["target"].shape == (2, 64, 64, 3)
    assert tuple(obs["target"][1, 0, 0]) == WHITE and tuple(obs["target"][1, 32, 32]) == RED
