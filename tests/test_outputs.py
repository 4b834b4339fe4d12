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
from paint_gym.cli import main
from paint_gym.command import config_type
from paint_gym.outputs import (
    IMAGE_SUFFIXES,
    OUTPUT_KINDS,
    check_output_file,
    check_output_folder,
)
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
        (["strokes", "--canvas-size", "4"], "canvas_size must be an integer of at least 8"),
        (["strokes", "--workers", "0"], "workers must be an integer of at least 1"),
        (["train-painter", "--painter", "width", "0"], "--painter width must be an integer of at least 1"),
        (["visualize", "--class", "953", "--scale", "0"], "scale must be an integer of at least 1"),
        (["visualize", "--class", "953", "--copies", "0"], "copies must be an integer of at least 1"),
        (["style", "p.jpg", "--size", "4"], "size must be an integer of at least 8"),
        (["train-agent", "--batch-size", "0"], "batch_size must be an integer of at least 1"),
        (["train-spiral", "--minutes", "0"], "--minutes must be > 0"),
        (["train-spiral", "--num-envs", "0"], "num_envs must be an integer of at least 1"),
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
