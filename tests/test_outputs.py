"""Every command checks what it will write, and every count it takes, before any work.

A bad ``--out`` (no or unknown extension, a folder that cannot be created, the filesystem root)
and a count out of range (``--images 0``) end a command at once with exit code 2 and one line
naming the flag, the value and the fix; nothing is computed and nothing is written. One
contract, checked for every command (:mod:`paint_gym.outputs`, ``cli_outputs``).
"""

from __future__ import annotations

import dataclasses
import time
import typing

import numpy as np
import pytest
from PIL import Image

from paint_gym import cli
from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.cli import main
from paint_gym.command import config_type
from paint_gym.data import ImageTargets
from paint_gym.outputs import (
    IMAGE_SUFFIXES,
    LOSSY_FORMATS,
    MISNAMED_SUFFIXES,
    OUTPUT_KINDS,
    check_output_file,
    check_output_folder,
    write_image,
)
from paint_gym.validation import MAX_CANVAS_SIZE, check_canvas_size
from paint_gym_agents.demo import random_demo, run_demo
from paint_gym_agents.evaluate import evaluate_table

COMMANDS = cli.all_commands()
#: Fields that name something a command writes, whatever the command.
WRITTEN = {"out", "run_dir", "figure", "json", "folder"}
#: What each command needs besides the path under test: arguments that would fail only later, in
#: the work (a missing photo, an unknown agent), so a path error proves the check came first.
REQUIRED = {
    "download": ["mnist"],
    "bench": ["--agent", "no_such_module:Agent"],
    "visualize": ["--class", "953"],
    "style": ["no_such_photo.jpg"],
    "eval": ["--agent", "no_such_agent.pt"],
    "paint": ["no_such_photo.jpg"],
    "replay": ["no_such_painting.json"],
}
DECLARED = sorted(
    (name, field, kind)
    for name, command in COMMANDS.items()
    for field, kind in getattr(config_type(command), "cli_outputs", {}).items()
)


def flag(field: str) -> str:
    return "--" + field.replace("_", "-")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    start = time.perf_counter()
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err, time.perf_counter() - start


def test_every_command_declares_every_path_it_writes():
    for name, command in COMMANDS.items():
        cls = config_type(command)
        declared = getattr(cls, "cli_outputs", {})
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        assert fields & WRITTEN <= set(declared), f"{name}: declare {sorted(fields & WRITTEN)} in cli_outputs"
        assert set(declared) <= fields and set(declared.values()) <= set(OUTPUT_KINDS), name


@pytest.mark.parametrize("name, field, kind", DECLARED)
def test_a_path_at_the_filesystem_root_is_refused_before_any_work(name, field, kind, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = "/paint_gym_test_output" + ("" if kind == "folder" else OUTPUT_KINDS[kind][0])
    code, err, seconds = run([name, *REQUIRED.get(name, []), flag(field), path], capsys)
    assert code == 2
    assert err.startswith("paint-gym: error:") and path in err and "filesystem root" in err, err
    assert seconds < 30 and not list(tmp_path.iterdir())


@pytest.mark.parametrize("name, field, kind", [d for d in DECLARED if d[2] != "folder"])
def test_a_file_without_a_known_extension_is_refused_before_any_work(name, field, kind, tmp_path, capsys):
    for bad in ("painting", "painting.txt"):
        path = str(tmp_path / bad)
        code, err, _ = run([name, *REQUIRED.get(name, []), flag(field), path], capsys)
        assert code == 2 and path in err, err
        assert str(tmp_path / "painting") + OUTPUT_KINDS[kind][0] in err  # the fix: the same name with .png/.json
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name, field, kind", DECLARED)
def test_a_path_under_a_file_is_refused_before_any_work(name, field, kind, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    leaf = "run" if kind == "folder" else "out" + OUTPUT_KINDS[kind][0]
    path = str(tmp_path / "notes.txt" / leaf)
    code, err, _ = run([name, *REQUIRED.get(name, []), flag(field), path], capsys)
    assert code == 2 and path in err and "is a file" in err, err


def test_the_issues_style_run_with_no_extension_fails_at_once_and_writes_nothing(tmp_path, capsys, monkeypatch):
    """``paint-gym style photo.jpg --size 128 --steps 40 --out painting`` ran all 40 steps first."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.full((96, 128, 3), 200, np.uint8)).save("photo.jpg")
    code, err, seconds = run(["style", "photo.jpg", "--size", "128", "--steps", "40", "--out", "painting"], capsys)
    assert code == 2 and "'painting'" in err and "painting.png" in err
    assert seconds < 30 and sorted(p.name for p in tmp_path.iterdir()) == ["photo.jpg"]


@pytest.mark.parametrize("path", ["/run", "/etc/paint_gym_run", "/"])
def test_a_run_folder_in_the_systems_own_folders_or_the_root_is_refused(path, capsys):
    code, err, _ = run(["train-agent", "--run-dir", path, "--steps", "1"], capsys)
    assert code == 2 and f"'{path}'" in err


def test_good_paths_pass_and_nothing_is_created(tmp_path):
    assert check_output_file(tmp_path / "new" / "deeper" / "p.PNG", IMAGE_SUFFIXES) == tmp_path / "new/deeper/p.PNG"
    assert check_output_folder(tmp_path / "runs" / "a") == tmp_path / "runs" / "a"
    assert check_output_folder(tmp_path) == tmp_path  # an existing folder: a resume
    assert not list(tmp_path.iterdir())


def test_library_functions_that_write_check_their_paths_first(tmp_path):
    with pytest.raises(ValueError, match="demo.png"):
        run_demo(None, images=1, out=tmp_path / "demo")
    with pytest.raises(ValueError, match="filesystem root"):
        random_demo(out="/paint_gym_demo.png")
    with pytest.raises(ValueError, match="figure"):
        evaluate_table("no_such_agent.pt", figure=str(tmp_path / "figure7"))
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------------------
# Counts
# ----------------------------------------------------------------------------------------


def int_fields() -> list[tuple[str, str]]:
    out = []
    for name, command in COMMANDS.items():
        cls = config_type(command)
        hints = typing.get_type_hints(cls)
        out += [(name, f.name) for f in dataclasses.fields(cls) if f.init and hints[f.name] in (int, int | None)]
    return out


@pytest.mark.parametrize("name, field", int_fields())
def test_every_integer_flag_of_every_command_refuses_a_negative_value(name, field, capsys):
    code, err, seconds = run([name, *REQUIRED.get(name, []), flag(field), "-1"], capsys)
    assert code == 2 and err.startswith("paint-gym: error:") and "-1" in err, err
    assert field.split("_")[0] in err.replace("-", "_")  # the message names the flag
    assert seconds < 30


@pytest.mark.parametrize(
    "argv, message",
    [
        (["eval", "--agent", "mnist", "--images", "0"], "--images must be an integer of at least 1; got 0"),
        (["bench", "--agent", "x:Y", "--images", "0"], "--images must be an integer of at least 1"),
        (["bench", "--agent", "x:Y", "--strokes", "0"], "--strokes must be an integer of at least 1"),
        (["bench", "--agent", "x:Y", "--threshold", "0"], "--threshold must be > 0"),
        (["demo", "--images", "0"], "--images must be an integer of at least 1"),
        (["demo", "--scale", "0"], "--scale must be an integer of at least 1"),
        (["strokes", "-n", "0"], "n_actions must be an integer of at least 1"),
        (["strokes", "--seeds", "1"], "seeds_per_action must be an integer of at least 2"),
        (["strokes", "--shard-size", "0"], "shard_size must be an integer of at least 1"),
        (["strokes", "--canvas-size", "4"], "canvas_size must be an integer in 8..8192"),
        (["strokes", "--workers", "0"], "workers must be an integer of at least 1"),
        (["train-painter", "--painter", "width", "0"], "--architecture width must be an integer of at least 1"),
        (["visualize", "--class", "953", "--scale", "0"], "scale must be an integer of at least 1"),
        (["visualize", "--class", "953", "--copies", "0"], "copies must be an integer of at least 1"),
        (["style", "p.jpg", "--size", "4"], "size must be an integer in 8..8192"),
        (["train-agent", "--batch-size", "0"], "batch_size must be an integer of at least 1"),
        (["train-rllib", "--envs-per-runner", "0"], "envs_per_runner must be an integer of at least 1"),
    ],
)
def test_a_zero_count_is_refused_at_the_door_with_the_rule(argv, message, capsys):
    code, err, _ = run(argv, capsys)
    assert code == 2 and message in err, err


def test_library_functions_refuse_counts_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="images must be an integer of at least 1"):
        evaluate_table("no_such_agent.pt", images=0, figure=None)
    with pytest.raises(ValueError, match="direct_steps"):
        evaluate_table("no_such_agent.pt", direct_steps=-1, figure=None)
    with pytest.raises(ValueError, match="first"):
        run_demo(None, images=1, first=-1, out=tmp_path / "d.png")
    with pytest.raises(ValueError, match="scale"):
        random_demo(scale=0, out=tmp_path / "d.png")


# ----------------------------------------------------------------------------------------
# Files a command names itself: companions of --out, a run folder's files, default folders
# ----------------------------------------------------------------------------------------

#: (argv, a file the command writes under a name it derives) for every command that derives one;
#: the name is made a folder first, so only a check of every derived path can refuse it at once.
DERIVED = {
    "style's MyPaint re-render": (["style", "no_such_photo.jpg", "--out", "comp.png"], "comp_mypaint.png"),
    "style's strokes": (["style", "no_such_photo.jpg", "--save-actions", "--out", "acts.png"], "acts.npz"),
    "visualize's MyPaint re-render": (["visualize", "--class", "953", "--out", "v.jpg"], "v_mypaint.jpg"),
    "train-agent's agent.pt": (["train-agent", "--run-dir", "ta", "--steps", "1"], "ta/agent.pt"),
    "train-agent's default run folder": (
        ["train-agent", "--dataset", "mnist", "--strokes", "8", "--steps", "1"],
        "runs/agent_mnist_8/checkpoint.pt",
    ),
    "train-rllib's curves.png": (["train-rllib", "--run-dir", "tr", "--iterations", "1"], "tr/curves.png"),
    "train-painter's log.csv": (["train-painter", "--out", "tp", "--data", "no_such_strokes"], "tp/log.csv"),
    "train-painter's default run folder": (
        ["train-painter", "--kind", "dab", "--data", "no_such_strokes"],
        "runs/dab_painter/painter.pt",
    ),
    "strokes' shard": (["strokes", "-n", "10", "--out", "sd"], "sd/shard_00000.npz"),
    "strokes' meta.json": (["strokes", "-n", "10", "--out", "sd"], "sd/meta.json"),
    "download's archive": (["download", "mnist", "--folder", "dl"], "dl/mnist.npz"),
}


@pytest.mark.parametrize("case", DERIVED)
def test_a_derived_output_that_is_a_folder_is_refused_before_any_work(case, tmp_path, capsys, monkeypatch):
    """``mkdir comp_mypaint.png; paint-gym style ... --out comp.png`` painted, wrote comp.png, then
    failed with a traceback: every file a command writes is checked at the door, by the name it
    will have."""
    monkeypatch.chdir(tmp_path)
    argv, derived = DERIVED[case]
    (tmp_path / derived).mkdir(parents=True)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, err, seconds = run(argv, capsys)
    assert code == 2 and f"'{derived}' is a folder" in err and "Traceback" not in err, err
    assert seconds < 30 and sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_library_trainers_check_their_run_folders_files_first(tmp_path):
    from paint_gym.painters.strokes import StrokeDataSpec, generate
    from paint_gym.painters.train import PainterTrainer, TrainConfig
    from paint_gym_agents.backprop import BackpropAgent, BackpropConfig

    (tmp_path / "run" / "log.csv").mkdir(parents=True)
    with pytest.raises(ValueError, match="log.csv' is a folder"):
        BackpropAgent.train(BackpropConfig(steps=1), run_dir=tmp_path / "run")
    with pytest.raises(ValueError, match="log.csv' is a folder"):
        PainterTrainer(TrainConfig(kind="dab", data=str(tmp_path / "none"), out=str(tmp_path / "run")))
    (tmp_path / "data" / "shard_00001.npz").mkdir(parents=True)
    with pytest.raises(ValueError, match="shard_00001.npz' is a folder"):
        generate(StrokeDataSpec(n_actions=20, shard_size=10), tmp_path / "data", workers=1, progress=False)
    assert not list((tmp_path / "data").glob("*.json"))


# ----------------------------------------------------------------------------------------
# Image formats: only those that hold the painting under their own name
# ----------------------------------------------------------------------------------------

#: The first bytes of a file each extension promises (what other programs read it by), where a
#: Pillow format covers several kinds: Netpbm's bitmap/greymap/pixmap/floatmap, JPEG 2000's
#: codestream or container.
MAGIC = {
    ".pbm": (b"P1", b"P4"),
    ".pgm": (b"P2", b"P5"),
    ".ppm": (b"P3", b"P6"),
    ".pnm": (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6"),
    ".pfm": (b"Pf", b"PF"),
    ".j2k": (b"\xff\x4f\xff\x51",),
    ".j2c": (b"\xff\x4f\xff\x51",),
    ".jpc": (b"\xff\x4f\xff\x51",),
    ".jp2": (b"\x00\x00\x00\x0cjP  ",),
    ".jpf": (b"\x00\x00\x00\x0cjP  ",),
    ".jpx": (b"\x00\x00\x00\x0cjP  ",),
}


def painting() -> np.ndarray:
    """A smooth RGB image (what lossy codecs keep well), 24 x 40 px, every channel different."""
    y, x = np.mgrid[0:24, 0:40]
    return np.stack([x * 6, y * 10, 255 - x * 3 - y * 4], axis=-1).clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("suffix", IMAGE_SUFFIXES)
def test_every_accepted_image_suffix_round_trips_an_rgb_painting(suffix, tmp_path):
    """Written by the commands' writer, the file is the format its extension names (the
    magic bytes other programs check) and reads back as the RGB painting: exactly for a
    lossless format, closely for JPEG, WebP and AVIF."""
    path = write_image(painting(), tmp_path / f"p{suffix}", scale=2)
    head = path.read_bytes()[:12]
    assert head.startswith(MAGIC.get(suffix, (b"",))), (suffix, head)
    fmt = Image.registered_extensions()[suffix]
    with Image.open(path, formats=[fmt]) as im:
        assert im.mode == "RGB" and im.size == (80, 48)
        back = np.asarray(im)[::2, ::2]
    error = np.abs(back.astype(int) - painting()).mean()
    assert error < 4 if fmt in LOSSY_FORMATS else error == 0, (suffix, error)


@pytest.mark.parametrize("suffix", sorted(MISNAMED_SUFFIXES | {".gif"}))
def test_an_extension_whose_file_would_not_hold_the_painting_is_refused(suffix, tmp_path, capsys):
    """``--out x.pgm`` was written as a colour pixmap (P6), ``x.gif`` with 256 colours."""
    code, err, _ = run(["style", "no_such_photo.jpg", "--out", str(tmp_path / f"x{suffix}")], capsys)
    assert code == 2 and f"x{suffix}" in err and "x.png" in err, err
    assert suffix not in IMAGE_SUFFIXES


# ----------------------------------------------------------------------------------------
# Sizes and offsets: checked against what exists
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["style", "no_such_photo.jpg", "--size", "100000000"],
        ["visualize", "--class", "953", "--size", "8193"],
        ["train-agent", "--canvas-size", "100000"],
        ["train-rllib", "--canvas-size", "8193"],
        ["strokes", "--canvas-size", "8193"],
    ],
)
def test_a_canvas_side_above_8192_px_is_refused_at_the_door(argv, capsys):
    code, err, seconds = run(argv, capsys)
    assert code == 2 and "8..8192" in err and "Traceback" not in err, err
    assert seconds < 30


def test_the_largest_canvas_side_is_8192_px():
    assert check_canvas_size(MAX_CANVAS_SIZE) == 8192
    with pytest.raises(ValueError, match="8..8192"):
        check_canvas_size(8193)


def test_an_index_past_the_end_of_an_evaluation_split_names_its_size(tmp_path, capsys):
    """``paint-gym demo --first 100000000`` said "need at least one array to concatenate"."""
    code, err, _ = run(["demo", "--first", "100000000", "--images", "1", "--out", str(tmp_path / "d.png")], capsys)
    assert code == 2 and "holds 10,000 images" in err and "100000000" in err, err
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match=r"first .* in 0\.\.399: the eval split of celeba holds 400 images"):
        eval_targets("celeba", 8, first=400)
    assert eval_targets("kmnist", 8, first=1998).shape == (2, 64, 64, 3)  # the last two of 2,000
    with pytest.raises(IndexError, match="the eval split of mnist holds 10,000 images"):
        ImageTargets("mnist", "eval")[10_000]
