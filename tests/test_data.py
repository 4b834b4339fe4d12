"""Data sources: resolution order, splits, target conversion and real downloads over HTTP."""

from __future__ import annotations

import ast
import functools
import gzip
import hashlib
import http.server
import os
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from paint_gym import data
from paint_gym.data import ChecksumError, DataNotFoundError, ImageTargets, RemoteFile, Source


def test_shared_data_is_found_through_the_environment_variable():
    assert os.environ.get(data.ENV_DATA), "tests read ../shared/data through PAINT_GYM_DATA"
    assert data.find_archive("mnist").parent == Path(os.environ[data.ENV_DATA]).expanduser()


@pytest.mark.parametrize(
    "name, split, size, labelled",
    [
        ("mnist", "train", 60000, True),
        ("mnist", "eval", 10000, True),
        ("kmnist", "train", 8000, True),
        ("kmnist", "eval", 2000, True),
        ("celeba", "train", 3600, False),
        ("celeba", "eval", 400, False),
    ],
)
def test_splits_have_the_documented_sizes(name, split, size, labelled):
    targets = ImageTargets(name, split)
    assert len(targets) == size
    assert (targets.labels is not None) == labelled


def test_kmnist_splits_are_disjoint_parts_of_the_test_file():
    arrays = data.load_arrays("kmnist")
    train, _ = data.split_arrays("kmnist", "train", arrays)
    evaluation, _ = data.split_arrays("kmnist", "eval", arrays)
    np.testing.assert_array_equal(evaluation[0], arrays["x_test"][8000])
    np.testing.assert_array_equal(train[-1], arrays["x_test"][7999])


def test_digits_become_dark_ink_on_white():
    targets = ImageTargets("mnist", "eval")
    img = targets[0]
    assert img.shape == (64, 64, 3) and img.dtype == np.uint8
    assert img[0, 0].tolist() == [255, 255, 255]
    assert img.min() < 50 and img.mean() > 180
    assert (img[..., 0] == img[..., 2]).all()


def test_targets_are_made_without_warnings(rng):
    """Pillow 11.3 deprecated ``Image.fromarray(..., mode=...)``: every MNIST/KMNIST reset warned."""
    gray = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    rgb = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert data.to_target(gray, 64).shape == (64, 64, 3)
        assert data.to_target(rgb, 32).shape == (32, 32, 3)
        ImageTargets("kmnist", "eval").sample(np.random.default_rng(0))
    np.testing.assert_array_equal(data.to_target(gray, 28)[..., 1], 255 - gray)  # same pixels as mode "L"


def test_no_code_passes_the_deprecated_mode_argument_to_pillow():
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for folder in ("paint_gym", "agents", "benchmarks", "scripts", "tests"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", getattr(node.func, "id", None)) == "fromarray"
                    and any(k.arg == "mode" for k in node.keywords)
                ):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, (
        f"Image.fromarray(..., mode=...) is deprecated; drop mode= (a uint8 array implies it): {offenders}"
    )


def test_targets_follow_the_canvas_size():
    assert ImageTargets("celeba", "eval", canvas_size=32)[0].shape == (32, 32, 3)
    assert ImageTargets("kmnist", "eval", canvas_size=128).batch([0, 1]).shape == (2, 128, 128, 3)


def test_sampling_is_reproducible_and_reports_the_label():
    targets = ImageTargets("mnist", "eval")
    a, info_a = targets.sample(np.random.default_rng(5))
    b, info_b = targets.sample(np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert info_a == info_b and 0 <= info_a["target_label"] <= 9


def test_resolution_order_prefers_the_explicit_folder(tmp_path, monkeypatch):
    np.savez(tmp_path / "kmnist.npz", x_test=np.zeros((10000, 28, 28), np.uint8), y_test=np.zeros(10000, np.int64))
    assert data.find_archive("kmnist", tmp_path) == tmp_path / "kmnist.npz"
    assert ImageTargets("kmnist", "eval", data_dir=tmp_path)[0].min() == 255  # blank digits -> white
    cache = Path(os.environ[data.ENV_CACHE])
    np.savez(cache / "celeba64.npz", x=np.zeros((10, 64, 64, 3), np.uint8), ids=np.arange(10))
    monkeypatch.delenv(data.ENV_DATA)
    assert data.find_archive("celeba") == cache / "celeba64.npz"


def test_nothing_found_offline_names_all_four_places(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_DATA, str(tmp_path))
    closed = RemoteFile("t10k-images-idx3-ubyte.gz", "0" * 32, ("http://127.0.0.1:9/",))  # discard port: refused
    monkeypatch.setitem(data.SOURCES, "kmnist", Source("kmnist.npz", (closed,), data.SOURCES["kmnist"].build))
    with pytest.raises(DataNotFoundError) as err:
        data.find_archive("kmnist", tmp_path / "nowhere")
    message = str(err.value)
    for needle in ("data_dir argument", "PAINT_GYM_DATA", "user cache", "download", "127.0.0.1"):
        assert needle in message


def test_corrupt_archive_gives_a_clear_error(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a readable .npz"):
        data.load_arrays("mnist", tmp_path)


def test_unknown_names_and_splits_are_rejected():
    with pytest.raises(ValueError, match="unknown data set"):
        data.find_archive("cifar")
    with pytest.raises(ValueError, match="split"):
        ImageTargets("mnist", "test")


# ---------------------------------------------------------------------------------------
# Downloads from a real HTTP server on 127.0.0.1
# ---------------------------------------------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return gzip.compress(header + array.astype(np.uint8).tobytes())


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def serve_kmnist_like(root: Path, images: np.ndarray, labels: np.ndarray) -> tuple[RemoteFile, RemoteFile]:
    files = []
    for name, arr in (("imgs.gz", images), ("labels.gz", labels)):
        payload = idx_bytes(arr)
        (root / name).write_bytes(payload)
        files.append((name, hashlib.md5(payload).hexdigest()))
    return files


def test_download_builds_an_archive_from_official_style_files(http_server, tmp_path):
    root, url = http_server
    images = np.random.default_rng(0).integers(0, 256, (12, 28, 28)).astype(np.uint8)
    labels = np.arange(12) % 10
    (img_name, img_md5), (lab_name, lab_md5) = serve_kmnist_like(root, images, labels)
    source = Source(
        "kmnist.npz",
        (RemoteFile(img_name, img_md5, ("http://127.0.0.1:9/", url)), RemoteFile(lab_name, lab_md5, (url,))),
        data._build_idx({"test": (img_name, lab_name)}),
    )
    dest = data.download("kmnist", tmp_path / "cache", source=source, progress=False)
    with np.load(dest) as z:
        np.testing.assert_array_equal(z["x_test"], images)
        np.testing.assert_array_equal(z["y_test"], labels)
        assert z["y_test"].dtype == np.int64
    assert not list((tmp_path / "cache").glob("*.part")) and not list((tmp_path / "cache").glob(".*"))


def test_checksum_mismatch_leaves_no_file(http_server, tmp_path):
    root, url = http_server
    (root / "file.bin").write_bytes(b"x" * 100_000)
    dest = tmp_path / "out" / "file.bin"
    with pytest.raises(ChecksumError, match="differs from the official"):
        data.fetch(url + "file.bin", dest, md5="0" * 32, progress=False)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []
    good = hashlib.md5(b"x" * 100_000).hexdigest()
    assert data.fetch(url + "file.bin", dest, md5=good, progress=False).read_bytes() == b"x" * 100_000


def test_missing_remote_file_raises_and_leaves_no_file(http_server, tmp_path):
    _, url = http_server
    with pytest.raises(OSError, match="could not download"):
        data.fetch_any(RemoteFile("absent.gz", "0" * 32, (url,)), tmp_path / "dl")
    assert list((tmp_path / "dl").iterdir()) == []


def test_read_idx_rejects_truncated_files(tmp_path):
    path = tmp_path / "bad.gz"
    header = bytes([0, 0, 0x08, 3]) + np.array([4, 28, 28], ">u4").tobytes()
    path.write_bytes(gzip.compress(header + b"\0" * 10))
    with pytest.raises(ValueError, match="header says"):
        data.read_idx(path)


def test_official_sources_are_declared_with_checksums():
    assert data.SOURCES["mnist"].files[0].urls()[0].startswith("https://")
    for source in data.SOURCES.values():
        for remote in source.files:
            assert len(remote.md5) == 32 and remote.mirrors


# ---------------------------------------------------------------------------------------
# Archives are checked: a file that is not what it should be names itself and what is expected
# ---------------------------------------------------------------------------------------


def mnist_arrays(n: int = 6) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    return {"x_train": x, "y_train": np.arange(n) % 10, "x_test": x, "y_test": np.arange(n) % 10}


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    np.savez(path, **arrays)


def write_half_of_a_real_archive(path: Path) -> None:
    write_npz(path, **mnist_arrays())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def write_npy(path: Path) -> None:
    with open(path, "wb") as f:
        np.save(f, mnist_arrays()["x_train"])


def write_raw_member(path: Path) -> None:
    """Valid arrays beside an ``x_test`` member of raw bytes (no .npy header): np.load hands back bytes."""
    write_npz(path, **{k: v for k, v in mnist_arrays().items() if k != "x_test"})
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("x_test", b"hello")


CORRUPT_ARCHIVES = {
    "empty file": ("mnist", lambda p: p.write_bytes(b""), r"\(0 bytes\) is not a readable \.npz archive \(EOFError"),
    "text file": ("mnist", lambda p: p.write_text("x_train,y_train\n"), r"is not a readable \.npz archive"),
    "cut in half": ("mnist", write_half_of_a_real_archive, r"is not a readable \.npz archive"),
    "one .npy array": ("mnist", write_npy, r"holds one unnamed array \(6, 28, 28\) \(a \.npy file\)"),
    "object array": (
        "mnist",
        lambda p: write_npz(p, **{**mnist_arrays(), "x_train": np.array([None] * 6)}),
        "an array could not be read",
    ),
    "float images in [0, 1]": (
        "mnist",
        lambda p: write_npz(
            p, **{**mnist_arrays(), "x_train": np.linspace(0, 1, 6 * 784, dtype=np.float32).reshape(6, 28, 28)}
        ),
        r"x_train is float32 with values 0\.\.1, not uint8 0\.\.255 \(floats in \[0, 1\]: save \(x \* 255\)",
    ),
    "integer images": (
        "celeba",
        lambda p: write_npz(p, x=np.full((4, 64, 64, 3), 200, np.int64), ids=np.arange(4)),
        r"x is int64 with values 200\.\.200, not uint8",
    ),
    "missing labels": (
        "mnist",
        lambda p: write_npz(p, **{k: v for k, v in mnist_arrays().items() if k != "y_test"}),
        r"lacks y_test \(it holds x_test, x_train, y_train\)",
    ),
    "labels of another length": (
        "mnist",
        lambda p: write_npz(p, **{**mnist_arrays(), "y_train": np.arange(5)}),
        r"y_train is int64 \(5,\) for 6 images in x_train",
    ),
    "float labels": (
        "mnist",
        lambda p: write_npz(p, **{**mnist_arrays(), "y_test": np.zeros(6)}),
        r"y_test is float64 \(6,\)",
    ),
    "labels out of range": (
        "mnist",
        lambda p: write_npz(p, **{**mnist_arrays(), "y_train": np.arange(6) * 2}),
        r"y_train holds labels 0\.\.10",
    ),
    "RGB digits": (
        "mnist",
        lambda p: write_npz(p, **{**mnist_arrays(), "x_test": np.zeros((6, 28, 28, 3), np.uint8)}),
        r"x_test has shape \(6, 28, 28, 3\)",
    ),
    "greyscale faces": (
        "celeba",
        lambda p: write_npz(p, x=np.zeros((4, 64, 64), np.uint8), ids=np.arange(4)),
        r"x has shape \(4, 64, 64\)",
    ),
    "a member of raw bytes": ("mnist", write_raw_member, r"its member 'x_test' is 5 raw bytes, not a \.npy array"),
    "CelebA of one face": (
        "celeba",
        lambda p: write_npz(p, x=np.zeros((1, 64, 64, 3), np.uint8), ids=np.arange(1)),
        r"x holds 1 images\. .*N >= 10 .*the eval split the last 10%: at least 10 images give each split one",
    ),
    "KMNIST without its eval images": (
        "kmnist",
        lambda p: write_npz(p, x_test=np.zeros((9000, 28, 28), np.uint8), y_test=np.zeros(9000, np.int64)),
        r"x_test holds 9,000 images",
    ),
}


@pytest.mark.parametrize("case", CORRUPT_ARCHIVES)
@pytest.mark.parametrize("found_through", ["data_dir", "PAINT_GYM_DATA"])
def test_a_corrupt_archive_is_refused_naming_the_file_and_the_layout(case, found_through, tmp_path, monkeypatch):
    name, write, match = CORRUPT_ARCHIVES[case]
    path = tmp_path / data.SOURCES[name].archive
    write(path)
    if found_through == "PAINT_GYM_DATA":
        monkeypatch.setenv(data.ENV_DATA, str(tmp_path))
    with pytest.raises(data.DataArchiveError, match=match) as err:
        ImageTargets(name, "eval", data_dir=tmp_path if found_through == "data_dir" else None)
    message = str(err.value)
    assert message.startswith(str(path)) and "uint8" in message and "replace the file" in message
    assert isinstance(err.value, ValueError)


def test_a_valid_archive_written_by_a_user_loads():
    """The checks accept the layout the messages ask for (the shared copies pass them too)."""
    for name in data.DATASETS:
        data.check_archive(name, data.load_arrays(name), data.find_archive(name))


def test_targets_are_new_arrays_so_changing_one_cannot_change_the_data_set():
    faces = ImageTargets("celeba", "eval")  # already 64 px: the one case that used to return a view
    first = faces[0]
    first[:] = 0
    assert faces[0].max() > 0


@pytest.mark.parametrize(
    "image, match",
    [
        (np.linspace(0, 1, 784, dtype=np.float32).reshape(28, 28), "got float32 \\(28, 28\\)"),
        (np.zeros((28, 28, 4), np.uint8), "got uint8 \\(28, 28, 4\\)"),
        (np.zeros(28, np.uint8), "got uint8 \\(28,\\)"),
    ],
)
def test_to_target_refuses_images_it_would_convert_wrongly(image, match):
    with pytest.raises(ValueError, match=match):
        data.to_target(image, 64)


def test_read_idx_names_a_file_that_is_not_gzip_or_is_cut_short(tmp_path):
    plain = tmp_path / "plain.gz"
    plain.write_bytes(b"not gzip at all")
    cut = tmp_path / "cut.gz"
    cut.write_bytes(idx_bytes(np.zeros((4, 28, 28), np.uint8))[:40])
    short_header = tmp_path / "short"
    short_header.write_bytes(bytes([0, 0, 0x08, 3, 0, 0]))
    for path, match in (
        (plain, "not a readable gzipped IDX file"),
        (cut, "not a readable gzipped IDX file"),
        (short_header, "cut short"),
    ):
        with pytest.raises(data.DataArchiveError, match=match) as err:
            data.read_idx(path)
        assert str(path) in str(err.value)


def test_download_refuses_labels_that_do_not_match_the_images(http_server, tmp_path):
    root, url = http_server
    (img_name, img_md5), (lab_name, lab_md5) = serve_kmnist_like(
        root, np.zeros((12, 28, 28), np.uint8), np.arange(11) % 10
    )
    source = Source(
        "kmnist.npz",
        (RemoteFile(img_name, img_md5, (url,)), RemoteFile(lab_name, lab_md5, (url,))),
        data._build_idx({"test": (img_name, lab_name)}),
    )
    with pytest.raises(
        data.DataArchiveError, match=r"imgs\.gz holds images \(12, 28, 28\) and .*labels\.gz labels \(11,\)"
    ):
        data.download("kmnist", tmp_path / "cache", source=source, progress=False)
    assert not (tmp_path / "cache" / "kmnist.npz").exists()


def celeba_zip(root: Path, images: dict[str, np.ndarray]) -> RemoteFile:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, pixels in images.items():
            jpeg = io.BytesIO()
            from PIL import Image

            Image.fromarray(pixels).save(jpeg, format="JPEG")
            zf.writestr(f"img_align_celeba/{name}", jpeg.getvalue())
    return buf.getvalue()


@pytest.mark.parametrize(
    "payload, match",
    [
        (b"PK\x03\x04 cut short", "is not a readable CelebA zip"),
        ({"000001.jpg": np.zeros((109, 89, 3), np.uint8)}, "000001.jpg is 89x109, not aligned CelebA's 178x218"),
        ({"notes.txt.jpg": np.zeros((218, 178, 3), np.uint8)}, "holds no aligned CelebA images"),
    ],
    ids=["cut zip", "wrong size", "wrong names"],
)
def test_a_celeba_download_that_is_not_the_aligned_faces_is_refused(payload, match, http_server, tmp_path):
    root, url = http_server
    raw = payload if isinstance(payload, bytes) else celeba_zip(root, payload)
    (root / "faces.zip").write_bytes(raw)
    source = Source(
        "celeba64.npz",
        (RemoteFile("faces.zip", hashlib.md5(raw).hexdigest(), (url,)),),
        lambda files: data._build_celeba({"img_align_celeba.zip": files["faces.zip"]}),
    )
    with pytest.raises(data.DataArchiveError, match=match) as err:
        data.download("celeba", tmp_path / "cache", source=source, progress=False)
    assert "faces.zip" in str(err.value)
    assert not (tmp_path / "cache" / "celeba64.npz").exists()


def test_a_celeba_download_of_aligned_faces_builds_the_archive(http_server, tmp_path):
    root, url = http_server
    faces = {f"{i:06d}.jpg": np.full((218, 178, 3), 20 * i, np.uint8) for i in range(1, 11)}  # 10: one eval face
    raw = celeba_zip(root, faces)
    (root / "faces.zip").write_bytes(raw)
    source = Source(
        "celeba64.npz",
        (RemoteFile("faces.zip", hashlib.md5(raw).hexdigest(), (url,)),),
        lambda files: data._build_celeba({"img_align_celeba.zip": files["faces.zip"]}),
    )
    dest = data.download("celeba", tmp_path / "cache", source=source, progress=False)
    arrays = data.load_arrays("celeba", dest.parent)
    assert arrays["x"].shape == (10, 64, 64, 3) and arrays["ids"].tolist() == list(range(1, 11))
