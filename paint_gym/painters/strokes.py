"""Stroke data from the real painter: seeded random actions and their MyPaint alpha maps.

The neural painters learn from this. Every action is rendered with ``seeds_per_action``
different brush seeds, because the real brush is random: the renders give both the average
stroke and its per-pixel variance across seeds (what the variance heads learn).

Data live in a cache folder as compressed shards (``shard_00000.npz``: ``actions`` ``(N, 12)``
float32 and ``alpha`` ``(K, N, H, W)`` uint8 = round(255 * alpha)), written atomically by
parallel processes; an interrupted run resumes where it stopped. ``meta.json`` records the
settings, so a folder never mixes data of different settings.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
from tqdm.auto import tqdm

from ..actions import ACTION_DIM, CONTROL_X, START_X, START_Y
from ..checkpoint import atomic_path, write_text_atomic
from ..data import cache_dir
from ..outputs import Output, check_all, run_folder_outputs
from ..validation import Bound, CanvasSize, NonNegativeInt, PositiveInt, ValidatedConfig
from .mypaint import DEFAULT_BRUSH, MyPaintPainter

ENV_STROKES = "PAINT_GYM_STROKES"


@dataclass(frozen=True)
class StrokeDataSpec(ValidatedConfig):
    """The settings that define a stroke data set (saved as ``meta.json``); each field's range is
    declared in its type."""

    n_actions: PositiveInt = 200_000
    """Random actions (uniform in [-1, 1]^12) in the data set."""
    seeds_per_action: Annotated[int, Bound(2)] = 4
    """Brush seeds each action is rendered with (two or more: the painters learn the spread)."""
    canvas_size: CanvasSize = 64
    """Canvas side in pixels."""
    brush: str = DEFAULT_BRUSH
    """MyPaint brush (a name from `paint-gym brushes`)."""
    shard_size: PositiveInt = 2048
    """Actions per shard file (the unit of resuming)."""
    seed: NonNegativeInt = 0
    """Seed of the actions and of the brush seeds."""
    coincident: Annotated[float, Bound(0, 1)] = 0.0
    """Fraction of each shard's actions whose three points coincide (the pen rests): uniform random
    actions almost never do, yet brushes with ``dabs_per_second`` paint a dot there."""

    @property
    def n_shards(self) -> int:
        return -(-self.n_actions // self.shard_size)

    def shard_actions(self, index: int) -> np.ndarray:
        """The uniform random actions of shard ``index`` (a pure function of the seed)."""
        n = min(self.shard_size, self.n_actions - index * self.shard_size)
        rng = np.random.default_rng([self.seed, index])
        actions = rng.uniform(-1.0, 1.0, (n, ACTION_DIM)).astype(np.float32)
        rest = round(self.coincident * n)  # the last rows: every point at the start point
        if rest:
            actions[n - rest :, CONTROL_X:] = np.tile(actions[n - rest :, START_X : START_Y + 1], 2)
        return actions


def brush_seed(*keys: int) -> int:
    """A 30-bit brush seed derived from integer keys (data seed, shard, render index)."""
    return int(np.random.SeedSequence(list(keys)).generate_state(1)[0]) & 0x3FFFFFFF


def render_seeds(painter: MyPaintPainter, actions: np.ndarray, seeds: list[int]) -> np.ndarray:
    """Alpha maps ``(K, N, H, W)`` uint8 of ``actions`` rendered once per brush seed."""
    out = np.empty((len(seeds), len(actions), painter.canvas_size, painter.canvas_size), np.uint8)
    for k, seed in enumerate(seeds):
        painter.reseed(seed)
        out[k] = np.rint(painter.render_alpha(actions) * 255.0)
    return out


_PAINTERS: dict[tuple[int, str], MyPaintPainter] = {}


def _render_shard(spec: StrokeDataSpec, index: int, folder: str) -> int:
    """Worker: render one shard and write it atomically; returns the number of strokes."""
    key = (spec.canvas_size, spec.brush)
    if key not in _PAINTERS:  # one painter per worker process (libmypaint is not thread-safe)
        _PAINTERS[key] = MyPaintPainter(spec.canvas_size, brush=spec.brush)
    actions = spec.shard_actions(index)
    seeds = [brush_seed(spec.seed, index, k) for k in range(spec.seeds_per_action)]
    alpha = render_seeds(_PAINTERS[key], actions, seeds)
    with atomic_path(Path(folder) / shard_name(index)) as tmp:
        np.savez_compressed(tmp, actions=actions, alpha=alpha)
    return len(actions) * spec.seeds_per_action


def default_folder(spec: StrokeDataSpec) -> Path:
    """``PAINT_GYM_STROKES`` or the user cache, one subfolder per setting."""
    root = Path(os.environ.get(ENV_STROKES) or cache_dir() / "strokes")
    name = (
        f"{spec.brush.replace('/', '-')}_{spec.canvas_size}px_{spec.n_actions}x{spec.seeds_per_action}_seed{spec.seed}"
    )
    if spec.coincident:
        name += f"_rest{spec.coincident:g}"
    return root / name


def _check_meta(folder: Path, spec: StrokeDataSpec) -> None:
    meta = folder / "meta.json"
    if meta.is_file():
        saved = {**asdict(StrokeDataSpec()), "coincident": 0.0, **json.loads(meta.read_text())}  # older folders
        if saved != asdict(spec):
            raise ValueError(f"{folder} holds stroke data made with other settings ({saved}); use another folder")
    else:
        write_text_atomic(meta, json.dumps(asdict(spec), indent=2))


def shard_name(index: int) -> str:
    """The file name of shard ``index``: ``shard_00042.npz``."""
    return f"shard_{index:05d}.npz"


def data_outputs(spec: StrokeDataSpec, folder: str | os.PathLike | None = None, name: str = "folder") -> list[Output]:
    """The paths :func:`generate` writes: the folder (``None``: :func:`default_folder`), its
    ``meta.json`` and every shard, for :func:`paint_gym.outputs.check_all`."""
    folder = Path(folder) if folder else default_folder(spec)
    return run_folder_outputs(folder, name, ["meta.json", *(shard_name(i) for i in range(spec.n_shards))])


def generate(
    spec: StrokeDataSpec, folder: str | os.PathLike | None = None, workers: int | None = None, progress: bool = True
) -> Path:
    """Render the data set described by ``spec`` into ``folder`` (resuming what is there).

    Uses ``workers`` processes (default: all cores). Prints the strokes/s figure when done.
    ``ValueError`` before any work for a folder, ``meta.json`` or shard path that cannot be
    written (:func:`data_outputs`, :mod:`paint_gym.outputs`).
    """
    folder = Path(folder) if folder else default_folder(spec)
    check_all(data_outputs(spec, folder))
    folder.mkdir(parents=True, exist_ok=True)
    _check_meta(folder, spec)
    todo = [i for i in range(spec.n_shards) if not (folder / shard_name(i)).is_file()]
    total = spec.n_actions * spec.seeds_per_action
    done_before = total - sum(len(spec.shard_actions(i)) for i in todo) * spec.seeds_per_action
    workers = workers or os.cpu_count() or 1
    start = time.perf_counter()
    rendered = 0
    with tqdm(
        total=total, initial=done_before, desc="rendering strokes", unit="stroke", unit_scale=True, disable=not progress
    ) as bar:
        if workers == 1:
            for i in todo:
                n = _render_shard(spec, i, str(folder))
                rendered += n
                bar.update(n)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for n in pool.map(_render_shard, [spec] * len(todo), todo, [str(folder)] * len(todo)):
                    rendered += n
                    bar.update(n)
    elapsed = time.perf_counter() - start
    if progress and rendered:
        print(
            f"rendered {rendered:,} strokes in {elapsed:.1f} s "
            f"({rendered / elapsed:,.0f} strokes/s, {workers} processes) into {folder}"
        )
    return folder


def load(folder: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """All shards of a folder: actions ``(N, 12)`` float32 and alpha ``(K, N, H, W)`` uint8."""
    folder = Path(folder)
    shards = sorted(folder.glob("shard_*.npz"))
    if not shards:
        raise FileNotFoundError(
            f"no stroke shards in {folder}; create them with `paint-gym strokes` or paint_gym.painters.strokes.generate"
        )
    actions, alpha = [], []
    for path in shards:
        try:
            with np.load(path, allow_pickle=False) as z:
                actions.append(z["actions"])
                alpha.append(z["alpha"])
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{path} is not a readable stroke shard ({exc}); delete it and generate again") from exc
    return np.concatenate(actions), np.concatenate(alpha, axis=1)
