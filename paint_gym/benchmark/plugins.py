"""Plug-in agents: load any ``PaintingAgent`` class by name and score it as a row of the benchmark table.

What ``paint-gym bench --agent module:Class`` runs. The class is imported from a dotted module
(``my_package.agents:MyAgent``) or a file (``examples/my_agent.py:InkAgent``), built with no
arguments (or ``n_strokes=`` when its constructor takes it), evaluated with
:func:`paint_gym.benchmark.evaluation.evaluate_agent` on the same evaluation images as the
reconstruction benchmark (MyPaint replay averaged over the same brush seeds), and printed in the
benchmark's table format. Nothing of the built-in agents is imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any

from ..envs.task import task_spec
from ..validation import check_float, check_int
from .budget import Point
from .evaluation import REPLAY_SEEDS, blank_row, eval_targets, evaluate_agent
from .protocol import PaintingAgent
from .results import MethodResult, format_row, protocol_levels, table_header


def load_class(spec: str) -> type:
    """The class named by ``module:Class`` (``module`` a dotted name or a ``.py`` file path)."""
    module_name, sep, class_name = spec.rpartition(":")
    if not sep or not module_name or not class_name:
        raise ValueError(f"--agent must look like module:Class or path/to/file.py:Class; got {spec!r}")
    if module_name.endswith(".py") or "/" in module_name or "\\" in module_name:
        path = Path(module_name)
        if not path.is_file():
            raise FileNotFoundError(f"no agent file at {path.resolve()}")
        name = f"_paint_gym_plugin_{path.stem}"
        loader = importlib.util.spec_from_file_location(name, path)
        if loader is None or loader.loader is None:
            raise ValueError(f"cannot import {path} as a Python module")
        module = importlib.util.module_from_spec(loader)
        sys.modules[name] = module  # dataclasses and pickling look modules up by name
        loader.loader.exec_module(module)
    else:
        module = _import_dotted(module_name)
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ValueError(f"{module_name} has no class {class_name!r}")
    return cls


def _import_dotted(module_name: str) -> Any:
    """Import a dotted module; like ``python -m``, the current folder is searched too (the
    ``paint-gym`` script's own ``sys.path`` does not contain it)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as first:
        cwd = str(Path.cwd())
        if cwd in sys.path:
            raise ValueError(
                f"cannot import module {module_name!r} ({first}); give a dotted module on sys.path or a .py file path"
            ) from first
        sys.path.insert(0, cwd)
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise ValueError(
                f"cannot import module {module_name!r} ({exc}); give a dotted module on sys.path or a .py file path"
            ) from exc
        finally:
            sys.path.remove(cwd)


def make_agent(cls: type, strokes: int) -> PaintingAgent:
    """Instantiate a plug-in agent: with ``n_strokes=strokes`` if it takes it, else with no
    arguments. ``ValueError`` if the instance is not a :class:`PaintingAgent`."""
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        params = {}
    agent = cls(n_strokes=strokes) if "n_strokes" in params else cls()
    if not isinstance(agent, PaintingAgent):
        raise ValueError(
            f"{cls.__name__} is not a PaintingAgent: it needs "
            "act(observation) -> (12,) and paint(targets) -> (B, T, 12)"
        )
    return agent


def bench_agent(
    spec: str,
    task: str = "mnist",
    images: int = 64,
    strokes: int | None = None,
    threshold: float | None = None,
    name: str | None = None,
    data_dir: str | None = None,
) -> str:
    """Evaluate the plug-in agent ``spec`` (``module:Class``) on the first ``images`` evaluation
    images of ``task``; returns (and prints) the table header and its row, with the columns
    of ``benchmarks/reconstruction.py``: the levels 75/50/25% of the blank canvas's MSE (measured
    on the same images) and, when ``threshold`` is given (the best RL method's final MSE from the
    benchmark's table), that level too. An agent without training reaches a level at "0 s / 0"
    or never. ``strokes`` defaults to the task's episode length.

    The agent paints a copy of the targets (:func:`~paint_gym.benchmark.evaluation.evaluate_agent`):
    what it does to that array changes neither its score nor the blank canvas's levels.
    ``ValueError`` for a bad spec or class, a number of images or strokes that is not a whole
    number >= 1, a threshold that is not a positive finite number, and an agent whose ``paint``
    returns another number of strokes per image than ``strokes`` (or another shape, NaN/inf,
    non-numbers)."""
    images = check_int("--images", images, low=1)
    strokes = task_spec(task).episode_length if strokes is None else check_int("--strokes", strokes, low=1)
    if threshold is not None:
        threshold = check_float("--threshold", threshold, low=0.0, open_low=True)
    cls = load_class(spec)
    agent = make_agent(cls, strokes)
    targets = eval_targets(task, images, data_dir=data_dir)
    row, _ = evaluate_agent(agent, targets, name or cls.__name__, strokes=strokes)
    result = MethodResult(row.method, [Point(0.0, 0, row.mypaint)], info={"paint_seconds": row.seconds})
    levels = protocol_levels(blank_row(targets).mypaint, threshold)
    text = f"{table_header(levels)}\n{format_row(result, levels)}"
    print(
        f"{task}, {strokes} strokes, {len(targets)} evaluation images; "
        f"MyPaint replay averaged over brush seeds {list(REPLAY_SEEDS)}"
    )
    print(text)
    return text


__all__ = ["bench_agent", "load_class", "make_agent"]
