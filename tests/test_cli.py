"""The ``paint-gym`` command: generated from the config dataclasses, so no flag can drift.

Every command is a function of one config dataclass; every field of it is a flag with its
docstring as help. Failures of a command are one line ``paint-gym: error: ...`` and exit code 2;
usage errors exit 2 as tyro does; plug-ins arrive through the ``paint_gym.commands`` entry point.
"""

from __future__ import annotations

import dataclasses
import sys
import textwrap
import typing
from importlib.metadata import EntryPoint

import numpy as np
import pytest
import tyro
from PIL import Image

from paint_gym import cli, data
from paint_gym.cli import main
from paint_gym.command import cli_fields, config_type, field_docs, summary
from paint_gym.painters.strokes import StrokeDataSpec
from paint_gym.painters.train import TrainConfig
from paint_gym.param.style import StyleConfig
from paint_gym.param.visualize import VisualizeConfig
from paint_gym_agents.backprop import BackpropConfig
from paint_gym_agents.rllib_config import RLlibConfig

COMMANDS = cli.all_commands()
#: The library's configs each command is generated from (its config dataclass subclasses them).
GENERATED_FROM = {
    "strokes": StrokeDataSpec,
    "train-painter": TrainConfig,
    "visualize": VisualizeConfig,
    "style": StyleConfig,
    "train-agent": BackpropConfig,
    "train-rllib": RLlibConfig,
}


def help_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def flag(field: dataclasses.Field, annotation: object) -> str:
    """How a field appears in its command's --help: ``--field-name`` (or its tyro name), or for a
    positional field its metavar or choices."""
    meta = typing.get_args(annotation)[1:]
    name = next((m.name for m in meta if getattr(m, "name", None)), field.name)
    if tyro.conf.Positional not in meta:
        return "--" + name.replace("_", "-")
    metavar = next((m.metavar for m in meta if getattr(m, "metavar", None)), None)
    return metavar or "{" + ",".join(typing.get_args(typing.get_args(annotation)[0])) + "}"


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("paint-gym: error: "), err
    return lines[0]


def error_report(err: str) -> str:
    """An error whose message has several lines (where the library looked for a file): still
    one report, no traceback."""
    assert err.startswith("paint-gym: error: ") and "Traceback" not in err, err
    return err


# ----------------------------------------------------------------------------------------
# Generated from the dataclasses
# ----------------------------------------------------------------------------------------


def test_every_command_is_listed_with_a_one_line_description(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # no wrapping: each description stays on its line
    text = help_text([], capsys)
    assert {
        "brushes",
        "download",
        "strokes",
        "train-painter",
        "bench",
        "visualize",
        "style",
        "demo",
        "train-agent",
        "train-rllib",
        "export-rllib",
        "eval",
    } <= set(COMMANDS)
    for name, command in COMMANDS.items():
        line = summary(command)
        assert line and f"{name}  " in text and line in text, name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_field_of_the_config_is_a_flag_in_the_help(name, capsys):
    text = help_text([name], capsys)
    missing = [f.name for f, annotation in cli_fields(config_type(COMMANDS[name])) if flag(f, annotation) not in text]
    assert not missing, f"paint-gym {name} --help lacks {missing}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_field_of_the_config_has_a_docstring(name):
    cls = config_type(COMMANDS[name])
    undocumented = [f.name for f in dataclasses.fields(cls) if not field_docs(cls).get(f.name)]
    assert not undocumented, f"{cls.__qualname__} fields without a docstring (the help of their flags): {undocumented}"


@pytest.mark.parametrize("name, library_config", sorted(GENERATED_FROM.items()))
def test_commands_are_generated_from_the_library_configs(name, library_config, capsys):
    assert issubclass(config_type(COMMANDS[name]), library_config)  # every field of the library's config is a flag
    text = help_text([name], capsys)
    assert all(f"--{f.name.replace('_', '-')}" in text for f in dataclasses.fields(library_config))


def test_train_painter_help_lists_all_of_train_config(capsys):
    text = help_text(["train-painter"], capsys)
    assert len(dataclasses.fields(TrainConfig)) == 26  # + reconstruction_weight and init (2026-12-06)
    for f in dataclasses.fields(TrainConfig):
        assert f"--{f.name.replace('_', '-')}" in text


def test_short_and_positional_spellings_are_kept(capsys):
    strokes = help_text(["strokes"], capsys)
    assert "-n INT" in strokes and "--seeds INT" in strokes
    assert "{mnist,kmnist,celeba}" in help_text(["download"], capsys).splitlines()[0]  # paint-gym download mnist
    assert "PHOTO" in help_text(["style"], capsys).splitlines()[0]  # paint-gym style photo.jpg
    visualize = help_text(["visualize"], capsys)
    assert "--class STR" in visualize and "--no-mypaint" in visualize and "--no-transforms" in visualize


# ----------------------------------------------------------------------------------------
# Exit codes and one-line errors
# ----------------------------------------------------------------------------------------


def test_a_missing_data_folder_is_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["train-painter", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")]) == 2
    assert "no stroke shards" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train-painter", "--batch", "0"], "batch_size must be an integer >= 1"),
        (["train-painter", "--kind", "diffusion"], "kind must be one of ['dab', 'gan', 'vae']"),
        (["train-painter", "--painter", "depth", "3"], "--architecture sets depth"),
        (["visualize", "--class", "3", "--objective", "argmax"], "objective must be one of"),
        (["train-agent", "--pixel", "l1"], "pixel objective must be one of"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_code_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["no-such-command"],
        ["train-painter", "--batch", "many"],
        ["train-painter", "--no-such-flag"],
        ["download", "imagenet"],
        ["style"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err


def test_cli_reports_missing_data_as_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAINT_GYM_DATA", str(tmp_path))
    closed = data.RemoteFile("x.gz", "0" * 32, ("http://127.0.0.1:9/",))
    monkeypatch.setitem(data.SOURCES, "kmnist", data.Source("kmnist.npz", (closed,), data.SOURCES["kmnist"].build))
    assert main(["demo", "--random", "--task", "KMNIST", "--out", str(tmp_path / "x.png")]) == 2
    assert "PAINT_GYM_DATA" in error_report(capsys.readouterr().err)
    assert main(["demo", "--datasets", "kmnist", "--out", str(tmp_path / "x.png")]) == 2
    assert "kmnist" in error_report(capsys.readouterr().err)


# ----------------------------------------------------------------------------------------
# Real (tiny) runs
# ----------------------------------------------------------------------------------------


def test_running_out_of_memory_is_one_line_naming_the_allocation_and_the_fix(tmp_path, capsys):
    """A job larger than any machine (8.5 PiB of random actions: past the address space, so it
    fails everywhere) ends with exit 2 and one line, not numpy's traceback."""
    huge = str(10**14)
    code = main(["strokes", "-n", huge, "--shard-size", huge, "--workers", "1", "--out", str(tmp_path / "s")])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and "`paint-gym strokes` ran out of memory: Unable to allocate" in line
    assert "PiB" in line and "make the job smaller" in line and "more memory" in line


def test_brushes_lists_the_default(capsys):
    assert main(["brushes"]) == 0
    assert "classic/dry_brush  (supported default; dab painter shipped" in capsys.readouterr().out


def test_strokes_then_train_painter_run_end_to_end(tmp_path, capsys):
    strokes = tmp_path / "strokes"
    assert (
        main(["strokes", "-n", "24", "--seeds", "2", "--shard-size", "8", "--workers", "1", "--out", str(strokes)]) == 0
    )
    assert sorted(p.name for p in strokes.iterdir()) == ["meta.json", *(f"shard_0000{i}.npz" for i in range(3))]
    run = tmp_path / "run"
    argv = [
        "train-painter",
        "--kind",
        "vae",
        "--data",
        str(strokes),
        "--out",
        str(run),
        "--max-steps",
        "3",
        "--batch",
        "4",
        "--holdout",
        "4",
        "--eval-every",
        "2",
        "--checkpoint-every",
        "2",
        "--painter",
        "width",
        "8",
        "hidden",
        "32",
        "latent",
        "8",
    ]
    assert main(argv) == 0
    assert "vae painter: 3 steps" in capsys.readouterr().out
    assert {"painter.pt", "checkpoint.pt", "log.csv", "curves.png"} <= {p.name for p in run.iterdir()}
    assert main([*argv[:-7], "--painter", "width", "16"]) == 2  # resuming with another architecture: refused
    assert "width" in one_error_line(capsys.readouterr().err)


def test_random_demo_writes_target_beside_a_painted_canvas(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--random", "--out", str(out), "--scale", "2"]) == 0
    img = np.asarray(Image.open(out))
    assert img.shape == (128, 384, 3)
    target, canvas, neural = img[:, :128], img[:, 128:256], img[:, 256:]
    assert target.min() < 60 and (canvas < 200).mean() > 0.01  # a digit, and paint on the canvas
    assert (neural < 200).mean() > 0.01  # the neural painter painted the same strokes
    assert "L2" in capsys.readouterr().out


def test_visualize_command_writes_the_painting_and_its_mypaint_rerender(tmp_path, capsys):
    out = tmp_path / "three.png"
    argv = [
        "visualize",
        "--class",
        "3",
        "--models",
        "mnist",
        "--size",
        "64",
        "--strokes",
        "4",
        "--steps",
        "2",
        "--copies",
        "1",
        "--out",
        str(out),
        "--scale",
        "2",
        "--save-actions",
    ]
    assert main(argv) == 0
    assert Image.open(out).size == (128, 128)
    assert Image.open(tmp_path / "three_mypaint.png").size == (128, 128)
    assert np.load(tmp_path / "three.npz")["actions"].shape == (1, 1, 4, 12)
    assert "probability" in capsys.readouterr().out


def test_style_command_writes_the_painting_and_its_mypaint_rerender(tmp_path, capsys):
    photo = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (80, 80, 3), dtype=np.uint8)).save(photo)
    out = tmp_path / "painted.png"
    assert (
        main(
            [
                "style",
                str(photo),
                "--size",
                "72",
                "--strokes",
                "3",
                "--steps",
                "2",
                "--palette",
                "#000000,#808080",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert Image.open(out).size == (72, 72) and Image.open(tmp_path / "painted_mypaint.png").size == (72, 72)
    assert "content loss" in capsys.readouterr().out
    assert main(["style", str(tmp_path / "nope.jpg"), "--out", str(out)]) == 2
    assert "no image" in one_error_line(capsys.readouterr().err)


# ----------------------------------------------------------------------------------------
# Plug-ins: the paint_gym.commands entry point
# ----------------------------------------------------------------------------------------


PLUGIN = textwrap.dedent('''
    from dataclasses import dataclass

    from paint_gym.errors import TrainingDivergedError


    @dataclass
    class HelloArgs:
        name: str = "world"
        """Whom to greet."""
        diverge: bool = False
        """Fail as a diverged training run does."""


    def hello(config: HelloArgs) -> int:
        """Greet someone."""
        if config.diverge:
            raise TrainingDivergedError(step=3, loss=float("nan"), lr=1e-3)
        print(f"hello {config.name}")
        return 0


    def commands():
        return {"hello": hello}


    def not_commands():
        return {"hello2": lambda a, b: 0}
''')


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """Install entry points (name -> value) beside the real ones; a module ``my_plugin`` defines a good plug-in."""
    (tmp_path / "my_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    real = cli.command_entry_points()

    def install(**points: str) -> None:
        extra = [EntryPoint(name, value, cli.COMMANDS_GROUP) for name, value in points.items()]
        monkeypatch.setattr(cli, "command_entry_points", lambda: real + extra)

    yield install
    sys.modules.pop("my_plugin", None)


def test_agent_commands_arrive_through_the_entry_point():
    points = {ep.name: ep.value for ep in cli.command_entry_points()}
    assert points.get("agents") == "paint_gym_agents.cli:commands"
    assert {"demo", "train-agent", "train-rllib", "eval"} <= set(cli.plugin_commands(set(cli.library_commands())))
    assert not {"ship-agent", "ship-painter"} & set(COMMANDS)  # shipping weights is scripts/ship_weights.py


@pytest.mark.parametrize(
    "argv", [["train-spiral"], ["train-spiral", "--steps", "5", "--run-dir", "r"], ["train-spiral", "--help"]]
)
def test_the_retired_train_spiral_says_what_replaced_it_whatever_its_flags(argv, capsys, tmp_path, monkeypatch):
    """The in-house SPIRAL-style trainer is gone: its command names RLlib's IMPALA with the critic
    reward and the venv it lives in, exits 2 (a usage error) and writes nothing."""
    monkeypatch.chdir(tmp_path)
    assert "train-spiral" not in COMMANDS
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("paint-gym: error: `paint-gym train-spiral` is gone") and err.count("\n") == 1
    assert "train-rllib --algo APPO --reward critic" in err and "make rllib-venv" in err
    assert not any(tmp_path.iterdir())


def test_a_plugin_command_runs_and_its_runtime_error_is_one_line(plugins, capsys):
    plugins(mine="my_plugin:commands")
    assert main(["hello", "--name", "painter"]) == 0
    assert "hello painter" in capsys.readouterr().out
    assert main(["hello", "--diverge"]) == 2  # TrainingDivergedError is a RuntimeError
    assert "step 3" in one_error_line(capsys.readouterr().err)


def test_a_broken_plugin_is_one_line_naming_it_and_the_rest_still_works(plugins, capsys):
    plugins(missing="no_such_plugin_xyz:commands", clash="paint_gym_agents.cli:commands", bad="my_plugin:not_commands")
    assert main(["brushes"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3, err
    by_name = {name: next(line for line in err if f"'{name}'" in line) for name in ("missing", "clash", "bad")}
    assert "no_such_plugin_xyz" in by_name["missing"] and "ModuleNotFoundError" in by_name["missing"]
    assert "conflicting" in by_name["clash"] and "demo" in by_name["clash"]
    assert "must take one config dataclass" in by_name["bad"]
    assert {"demo", "train-agent"} <= set(cli.all_commands())  # the real plug-in's commands are still there
