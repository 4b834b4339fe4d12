"""What users hand the envs and the torch entry points, read or refused with a clear ValueError:
bfloat16 tensors, huge float64 actions, a batch of targets where Gymnasium passes one options
dict to every sub-env, a list of Pillow images (each read by the image loader), devices that do
not exist, painter names where an object is needed, NaN or out-of-range images."""

from __future__ import annotations

import io

import gymnasium as gym
import numpy as np
import pytest
import torch
from PIL import Image

import paint_gym
from paint_gym.images import to_rgb
from paint_gym.painters.load import load_painter

from .helpers import random_actions

SIZE = 16


@pytest.fixture(scope="module")
def gan():
    return load_painter("gan")


@pytest.mark.parametrize("env_id", ["MyPaint-Strokes-v0", "NeuralPaint-Strokes-v0"])
def test_a_bfloat16_or_huge_float64_action_steps_as_its_float32_value(env_id, gan, rng):
    kwargs = {"painter": gan} if env_id.startswith("Neural") else {}
    a = random_actions(rng)
    runs = []
    for action in (a, torch.as_tensor(a).to(torch.bfloat16).float().numpy(), torch.as_tensor(a).to(torch.bfloat16)):
        env = gym.make(env_id, canvas_size=SIZE, **kwargs)
        env.reset(seed=0)
        runs.append(env.step(action))
    np.testing.assert_array_equal(runs[1][0]["canvas"], runs[2][0]["canvas"])  # bf16 tensor == its values
    huge = np.asarray(a, np.float64)
    huge[2] = 1e39  # finite in float64: clipped to 1, not "NaN or inf"
    env = gym.make(env_id, canvas_size=SIZE, **kwargs)
    env.reset(seed=0)
    assert env.step(huge)[4]["stroke"][2] == 1.0


def test_the_vector_step_and_replay_read_bfloat16_tensors(gan, rng):
    envs = gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, canvas_size=SIZE, painter=gan)
    envs.reset(seed=0)
    a = torch.as_tensor(random_actions(rng, 2)).to(torch.bfloat16).requires_grad_(True)
    obs, *_ = envs.step(a)
    assert obs["canvas"].shape == (2, SIZE, SIZE, 3)
    seq = a.detach()[None]
    np.testing.assert_array_equal(paint_gym.replay(seq, gan), paint_gym.replay(seq.float(), gan))
    np.testing.assert_array_equal(
        paint_gym.replay(seq, "mypaint", canvas_size=SIZE), paint_gym.replay(seq.float(), "mypaint", canvas_size=SIZE)
    )


def test_a_batch_of_targets_in_sync_mode_says_it_needs_the_default_mode():
    """Gymnasium's sync/async vector envs pass one options dict to every sub-env; the single env
    then gets (N, H, W, 3) and says why it cannot paint it and what to do instead."""
    envs = gym.make_vec("MyPaint-MNIST-v0", num_envs=2, vectorization_mode="sync", canvas_size=SIZE)
    batch = np.zeros((2, SIZE, SIZE, 3), np.uint8)
    with pytest.raises(ValueError, match=r"vector_entry_point.*same options to every sub-env.*give one image"):
        envs.reset(seed=0, options={"target": batch})
    obs, _ = envs.reset(seed=0, options={"target": batch[0]})  # one image: every sub-env paints it
    assert (obs["target"] == 0).all()
    single = gym.make("MyPaint-MNIST-v0", canvas_size=SIZE)
    with pytest.raises(ValueError, match="batch of 2 targets"):
        single.reset(options={"target": torch.as_tensor(batch)})


@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_the_default_vector_mode_takes_one_target_per_sub_env(env_id, gan):
    kwargs = {"canvas_size": SIZE, **({"painter": gan} if env_id.startswith("Neural") else {})}
    envs = gym.make_vec(env_id, num_envs=2, **kwargs)
    batch = np.stack([np.zeros((SIZE, SIZE, 3), np.uint8), np.full((SIZE, SIZE, 3), 200, np.uint8)])
    obs, _ = envs.reset(seed=0, options={"target": batch})
    np.testing.assert_array_equal(obs["target"], batch)


def sideways_png(size: int) -> Image.Image:
    """A PNG as a phone stores a photo: EXIF orientation 6 (turn 90 degrees clockwise to view);
    its stored top row is red, so upright its right column is."""
    stored = np.full((size, size, 3), 255, np.uint8)
    stored[0] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.fromarray(stored).save(buffer, format="PNG", exif=exif)
    return Image.open(io.BytesIO(buffer.getvalue()))


def transparent_square(size: int) -> Image.Image:
    """RGBA: transparent but for an opaque red square in the middle."""
    pixels = np.zeros((size, size, 4), np.uint8)
    pixels[size // 4 : -size // 4, size // 4 : -size // 4] = (255, 0, 0, 255)
    return Image.fromarray(pixels, "RGBA")


@pytest.mark.parametrize("container", [list, tuple])
@pytest.mark.parametrize("env_id", ["MyPaint-MNIST-v0", "NeuralPaint-MNIST-v0"])
def test_a_list_of_pil_images_gives_each_sub_env_its_image_read_by_the_image_loader(env_id, container, gan):
    """Each image of the list is read as a single PIL target is (EXIF orientation, transparency
    over the env's background), in gym.make_vec's default mode for every id: the list skipped the
    loader (an RGBA list was refused as (N, H, W, 4), mixed modes were numpy's ragged-array error)."""
    kwargs = {"canvas_size": SIZE, "background": "black", **({"painter": gan} if env_id.startswith("Neural") else {})}
    images = [sideways_png(SIZE), transparent_square(SIZE), Image.new("L", (SIZE, SIZE), 90)]
    envs = gym.make_vec(env_id, num_envs=3, **kwargs)
    obs, info = envs.reset(seed=0, options={"target": container(images)})
    for target, image in zip(obs["target"], images, strict=True):
        np.testing.assert_array_equal(target, np.asarray(to_rgb(image, "black")))
    assert (obs["target"][0][:, -1] == (255, 0, 0)).all() and (obs["target"][0][0, :-1] == 255).all()  # upright
    assert (obs["target"][1][0, 0] == 0).all()  # transparency over the black background
    assert info["target_index"].tolist() == [-1] * 3
    rgba = [transparent_square(SIZE)] * 3  # was "got uint8 (3, 16, 16, 4)"
    np.testing.assert_array_equal(envs.reset(options={"target": rgba})[0]["target"][2], obs["target"][1])
    ragged = [images[0], Image.new("RGB", (SIZE // 2, SIZE)), images[2]]
    with pytest.raises(ValueError, match=r"images of different shapes \(\[0\]: \(16, 16, 3\), \[1\]: \(16, 8, 3\)"):
        envs.reset(options={"target": ragged})
    envs.close()
    single = gym.make(env_id, **kwargs)
    with pytest.raises(ValueError, match=r"batch of 3 targets \(3, 16, 16, 3\).*vector_entry_point"):
        single.reset(options={"target": container(images)})
    single.close()


@pytest.mark.skipif(torch.backends.cuda.is_built() and torch.cuda.device_count() > 9, reason="a machine with 10 GPUs")
@pytest.mark.parametrize(
    "make",
    [
        lambda d: gym.make("NeuralPaint-MNIST-v0", device=d),
        lambda d: gym.make_vec("NeuralPaint-MNIST-v0", num_envs=2, device=d),
    ],
)
def test_a_device_that_does_not_exist_is_refused_when_the_env_is_made(make):
    with pytest.raises(ValueError, match="cuda:9"):
        make("cuda:9")
    with pytest.raises(ValueError, match="device must be a torch device"):
        make("gpu")
    make("cpu")


def test_a_painter_name_in_expected_mse_or_paint_differentiable_says_to_load_it_once(rng):
    """The torch functions sit below the painters: a name would be reloaded on every call of an
    optimisation loop, so it is refused with the one line that fixes it (not an AttributeError)."""
    a = torch.as_tensor(random_actions(rng, 2, 3))
    target = torch.rand(2, 3, 64, 64)
    for call in (lambda p: paint_gym.expected_mse(a, target, p), lambda p: paint_gym.paint_differentiable(p, a)):
        with pytest.raises(
            ValueError, match=r"not the name 'gan': load it once with painter = paint_gym.load_painter\('gan'\)"
        ):
            call("gan")
        with pytest.raises(ValueError, match="'mypaint' is the real program, which is not differentiable"):
            call("mypaint")
        with pytest.raises(ValueError, match="needs a differentiable painter"):
            call(object())


def test_nan_or_out_of_range_targets_and_canvases_are_refused(gan, rng):
    a = torch.as_tensor(random_actions(rng, 1, 2))
    target = torch.rand(1, 3, 64, 64)
    for bad in (target * float("nan"), target + 1):
        with pytest.raises(ValueError, match=r"target must hold finite values in \[0, 1\]"):
            paint_gym.expected_mse(a, bad, gan)
    env = gym.make("NeuralPaint-MNIST-v0", painter=gan)
    env.reset(seed=0)
    canvas = env.unwrapped.paint(a)
    with pytest.raises(ValueError, match=r"canvas must hold finite values in \[0, 1\]; got .*\.\.5"):
        env.unwrapped.paint(a, canvas=canvas * 5)
    with pytest.raises(ValueError, match=r"canvas must hold finite values in \[0, 1\]"):
        paint_gym.paint_differentiable(gan, a, canvas=canvas - 1)
    assert env.unwrapped.paint(a, canvas=canvas).shape == (1, 3, 64, 64)
