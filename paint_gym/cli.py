"""The ``paint-gym`` command: a thin caller of the library, generated from its config dataclasses.

Each command is a function of one config dataclass whose fields are its flags, with each
field's docstring as the flag's help (:mod:`paint_gym.command`, read by ``tyro`` as in CleanRL):
no flag is written twice, so none can drift from the library. ``paint-gym train-painter --help``
lists every field of :class:`~paint_gym.painters.train.TrainConfig`.

The library's commands are defined here (``brushes``, ``download``, ``strokes``,
``train-painter``, ``bench``) and in :mod:`paint_gym.param.cli` (``visualize``, ``style``).
Other packages add theirs through the ``paint_gym.commands`` entry point group: each entry point
is a function returning ``dict[str, Callable]`` (command name -> such a function); the agents'
``demo``, ``train-agent``, ``train-rllib`` and ``eval`` arrive this way, as a plug-in's would, so
the library never imports the agents. A plug-in that fails to load is reported on one line
naming it; the other commands still work.

Exit codes: 0 on success; 2 with ``paint-gym: error: MESSAGE`` on stderr (no traceback) when the
command raises ``FileNotFoundError``, ``ValueError`` or ``RuntimeError`` (a config value out of range, a
missing data folder, a diverged training run, a bad checkpoint, a GPU out of memory) or runs out of
memory (``MemoryError``: the message names the allocation and the flags that shrink it); 2 with
tyro's usage message for an unknown flag or a value of the wrong type.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import tyro

from .benchmark.plugins import bench_agent
from .command import Command, base_config, config_type, summary, tyro_command
from .data import DATASETS, cache_dir, download, download_outputs
from .outputs import Output
from .painters.dab import DabConfig
from .painters.mypaint import SUPPORTED_BRUSHES, brush_dirs, list_brushes
from .painters.neural import PainterConfig
from .painters.strokes import StrokeDataSpec, data_outputs, generate
from .painters.train import PainterTrainer, TrainConfig
from .painters.train import run_outputs as painter_run_outputs
from .param.cli import commands as param_commands
from .photo.cli import commands as photo_commands
from .validation import check_float, check_int

#: The entry point group through which packages add ``paint-gym`` commands.
COMMANDS_GROUP = "paint_gym.commands"

DESCRIPTION = "Stroke-based painting as a Gymnasium benchmark: MyPaint, neural painters, painting agents."


# ----------------------------------------------------------------------------------------
# The library's commands
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrushesArgs:
    """``paint-gym brushes`` takes no options."""


def brushes(config: BrushesArgs) -> int:
    """List the installed MyPaint brushes: whether each is a supported default, whether a fitted dab
    painter ships for it (``load_painter("dab", brush=NAME)``) with its held-out fidelity, or why the
    dab painter cannot imitate it."""
    from .painters.dab_brushes import dab_unsupported_reason
    from .painters.load import dab_fidelity, shipped_dab_brushes

    names = list_brushes()
    shipped = set(shipped_dab_brushes())
    print(f"{len(names)} brushes in {', '.join(str(d) for d in brush_dirs()) or '(no brush folder found)'}")
    print("dab painter fidelity at 64 px: x ideal (random brushes) or % of MyPaint's mean squared alpha")
    for name in names:
        notes = ["supported default"] if name in SUPPORTED_BRUSHES else []
        if name in shipped:
            fid = (dab_fidelity(name) or {}).get("64") or {}
            if "x_ideal" in fid:
                notes.append(f"dab painter shipped: {fid['x_ideal']:.2f}x ideal")
            elif "percent_of_signal" in fid:
                notes.append(f"dab painter shipped: {fid['percent_of_signal']:.1f}% of MyPaint's signal")
            else:
                notes.append("dab painter shipped")
        else:
            reason = dab_unsupported_reason(name)
            notes.append(f"no dab painter: {reason}" if reason else "no dab painter shipped (fit one: train-painter)")
        print(f"  {name}  ({'; '.join(notes)})")
    return 0


@dataclass(frozen=True)
class DownloadArgs:
    dataset: Annotated[Literal[DATASETS], tyro.conf.Positional]
    """The data set to download (its official source, checksummed)."""
    folder: str | None = None
    """Destination folder (None: the user cache, PAINT_GYM_CACHE or ~/.cache/paint_gym)."""

    cli_outputs: ClassVar[dict[str, str]] = {"folder": "folder"}

    def derived_outputs(self) -> list[Output]:
        """The folder (the cache by default), the archive built in it and its raw/ downloads."""
        return download_outputs(self.dataset, self.folder, "--folder")


def download_data(config: DownloadArgs) -> int:
    """Download a data set from its official source."""
    path = download(config.dataset, Path(config.folder) if config.folder else cache_dir())
    print(f"wrote {path}")
    return 0


@dataclass(frozen=True, kw_only=True)
class StrokesArgs(StrokeDataSpec):
    """A stroke data set (:class:`~paint_gym.painters.strokes.StrokeDataSpec`) and where to render it."""

    out: str | None = None
    """Folder of the shards (None: PAINT_GYM_STROKES or the user cache, a subfolder per setting)."""
    workers: int | None = None
    """Rendering processes (None: all cores)."""

    cli_aliases: ClassVar[dict[str, tuple[str, ...]]] = {"n_actions": ("-n",), "seeds_per_action": ("--seeds",)}
    cli_outputs: ClassVar[dict[str, str]] = {"out": "folder"}

    def derived_outputs(self) -> list[Output]:
        """The folder (its default too), its meta.json and every shard, checked before any rendering."""
        return data_outputs(self, self.out, "--out")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.workers is not None:
            check_int("workers", self.workers, low=1)


def strokes(config: StrokesArgs) -> int:
    """Render stroke data for the neural painters with MyPaint (resumable)."""
    generate(base_config(config, StrokeDataSpec), config.out, workers=config.workers)
    return 0


@dataclass(kw_only=True)
class TrainPainterArgs(TrainConfig):
    """A painter training run (:class:`~paint_gym.painters.train.TrainConfig`) with a per-kind run folder."""

    run_dir: str | None = None
    """Run folder; an existing one resumes (None: runs/KIND_painter)."""
    architecture: dict[str, int] = field(default_factory=dict)
    """Architecture overrides of the painter, as pairs: --architecture width 64 hidden 1024 (gan/vae: width, hidden,
    latent; dab: n_dabs, hidden)."""

    cli_outputs: ClassVar[dict[str, str]] = {"run_dir": "folder"}

    def resolved_run_dir(self) -> str:
        """``--run-dir``, or its default runs/KIND_painter."""
        return self.run_dir or f"runs/{self.kind}_painter"

    def derived_outputs(self) -> list[Output]:
        """The run folder (its default too), its files and the stroke data it renders without --data."""
        return painter_run_outputs(self, self.resolved_run_dir(), "--run-dir")

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, value in self.architecture.items():
            check_int(f"--architecture {name}", value, low=1)


def train_painter(config: TrainPainterArgs) -> int:
    """Train a neural painter on stroke data (checkpoints, resumes)."""
    architecture = DabConfig if config.kind == "dab" else PainterConfig
    # kind and canvas size come from --kind and the data; a dab painter's brush settings from its data's brush file
    fixed = {"kind", "canvas_size", "brush", "dot", "offset_by_random", "radius_by_random"}
    allowed = {f.name for f in dataclasses.fields(architecture)} - fixed
    unknown = set(config.architecture) - allowed
    if unknown:
        raise ValueError(f"--architecture sets {', '.join(sorted(unknown))}; it may set {', '.join(sorted(allowed))}")
    cfg = base_config(config, TrainConfig, run_dir=config.resolved_run_dir())
    trainer = PainterTrainer(cfg)
    trainer.run()
    last = trainer.history[-1]
    print(
        f"{cfg.kind} painter: {trainer.step} steps, {trainer.elapsed / 60:.1f} min; held-out alpha MSE "
        f"{last['val_mse_single']:.5f} vs one MyPaint render, {last['val_mse_mean']:.5f} vs the mean of seeds"
    )
    print(f"wrote {cfg.run_dir}/painter.pt, log.csv, curves.png (checkpoint.pt resumes)")
    return 0


@dataclass(frozen=True)
class BenchArgs:
    agent: str
    """module:Class or path/to/file.py:Class of a class with act() and paint() (a PaintingAgent)."""
    task: Literal[DATASETS] = "mnist"
    """Task whose evaluation images are painted (its data set's)."""
    images: int = 64
    """Evaluation images (the first N of the split; the benchmark uses 64)."""
    strokes: int | None = None
    """Strokes per painting (None: the task's episode length)."""
    threshold: float | None = None
    """The best RL method's final MSE from the benchmark's table, added to the levels (75/50/25% of blank)."""
    name: str | None = None
    """Row label (None: the class name)."""
    data_dir: str | None = None
    """Folder with the data archives (None: PAINT_GYM_DATA, the cache, or a download)."""

    renamed: ClassVar[dict[str, str]] = {"dataset": "task"}  # the old flag still works (docs/glossary.md)

    def __post_init__(self) -> None:
        check_int("--images", self.images, low=1)
        if self.strokes is not None:
            check_int("--strokes", self.strokes, low=1)
        if self.threshold is not None:
            check_float("--threshold", self.threshold, 0.0, open_low=True)


def bench(config: BenchArgs) -> int:
    """Score your own PaintingAgent (module:Class) as a row of the reconstruction benchmark's table."""
    bench_agent(
        config.agent, config.task, config.images, config.strokes, config.threshold, config.name, config.data_dir
    )
    return 0


def library_commands() -> dict[str, Command]:
    """The library's own commands, by name."""
    return {
        "brushes": brushes,
        "download": download_data,
        "strokes": strokes,
        "train-painter": train_painter,
        "bench": bench,
        **param_commands(),
        **photo_commands(),
    }


# ----------------------------------------------------------------------------------------
# Plug-ins
# ----------------------------------------------------------------------------------------


def command_entry_points() -> list[EntryPoint]:
    """The installed ``paint_gym.commands`` entry points, by name."""
    return sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name)


def load_plugin(ep: EntryPoint, taken: set[str]) -> dict[str, Command]:
    """The commands of one entry point: it loads a function returning ``{name: command}``.
    ``TypeError`` for anything else or a command that does not take one config dataclass,
    ``ValueError`` for a name in ``taken`` (all of a plug-in's commands load, or none)."""
    make = ep.load()
    if not callable(make):
        raise TypeError(f"{ep.value} is not a function returning {{command name: function}}")
    found = make()
    if not isinstance(found, dict) or not all(isinstance(k, str) and callable(v) for k, v in found.items()):
        raise TypeError(f"{ep.value}() must return a dict of command name -> function; got {type(found).__name__}")
    clash = sorted(set(found) & taken)
    if clash:
        raise ValueError(f"conflicting command names {', '.join(clash)} (already defined)")
    for command in found.values():
        config_type(command)
    return found


def plugin_commands(taken: set[str]) -> dict[str, Command]:
    """The commands of every ``paint_gym.commands`` entry point whose names are not in ``taken``.

    A plug-in that cannot be imported, is not a function returning ``{name: command}``, fails,
    or reuses a command name is skipped with one line on stderr naming the entry point and the
    error; the other plug-ins' commands still load.
    """
    commands: dict[str, Command] = {}
    for ep in command_entry_points():
        try:
            found = load_plugin(ep, taken | set(commands))
        except Exception as exc:  # noqa: BLE001  (a broken plug-in must not take the other commands down)
            print(
                f"paint-gym: warning: skipped the commands of plug-in {ep.name!r} ({ep.value}): "
                f"{type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
            continue
        commands.update(found)
    return commands


def all_commands() -> dict[str, Command]:
    """The library's commands, then the plug-ins'."""
    commands = library_commands()
    return {**commands, **plugin_commands(set(commands))}


# ----------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------


def out_of_memory(exc: MemoryError, args: Sequence[str]) -> str:
    """The one-line message for a command that ran out of memory: what ran out (the allocation,
    when numpy names it) and the fix."""
    what = str(exc).strip() or "an allocation failed"
    name = next((a for a in args if not a.startswith("-")), None)
    command = f"`paint-gym {name}`" if name else "the command"
    see = f" (see `paint-gym {name} --help`)" if name else ""
    return (
        f"{command} ran out of memory: {what}; make the job smaller, e.g. a smaller image or canvas size, "
        f"fewer images or strokes, a smaller batch{see}, or run it on a machine with more memory"
    )


#: Commands that are gone -> what replaced them: ``paint-gym NAME ...`` says so and exits 2 (a usage
#: error), whatever flags follow.
RETIRED_COMMANDS: dict[str, str] = {
    "train-spiral": (
        "the in-house SPIRAL-style trainer was retired in favour of Ray RLlib, whose PPO learned faster at equal "
        "training time (benchmarks/README.md, RLlib): SPIRAL is `paint-gym train-rllib --algo APPO --reward critic` "
        "in the RLlib venv (`make rllib-venv`, then .venv-rllib/bin/paint-gym; docs/agents.md)"
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``paint-gym`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code.

    ``SystemExit`` (0 for ``--help``, 2 for a usage error) comes from tyro, as from argparse;
    missing files, bad values and runtime failures of the command return 2 with one line on stderr.
    """
    commands = all_commands()
    choices = functools.reduce(  # the union of the subcommands, built at runtime
        operator.or_,
        (
            Annotated[
                Any, tyro.conf.subcommand(name=name, constructor=tyro_command(command), description=summary(command))
            ]
            for name, command in commands.items()
        ),
    )
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in RETIRED_COMMANDS:
        print(f"paint-gym: error: `paint-gym {args[0]}` is gone: {RETIRED_COMMANDS[args[0]]}", file=sys.stderr)
        return 2
    try:
        code = tyro.cli(choices, prog="paint-gym", description=DESCRIPTION, args=args)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"paint-gym: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError as exc:  # numpy's _ArrayMemoryError names the array; Python's own says nothing
        print(f"paint-gym: error: {out_of_memory(exc, args)}", file=sys.stderr)
        return 2
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
