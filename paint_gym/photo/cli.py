"""The ``paint`` and ``replay`` commands: a photo painted with strokes, and a painting repainted.

``replay`` is a library command (:func:`commands`). ``paint``'s config and body live here
(:class:`PaintArgs`, :func:`run_paint`), but the command is registered by the agents' plug-in
(``paint_gym_agents.cli``), which may load an agent for ``--first-guess`` (the library never
imports the agents); ``--first-guess error`` needs no agent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

import numpy as np
import torch
import tyro

from ..command import Command
from ..outputs import Output, write_image
from ..painters.mypaint import SUPPORTED_BRUSHES
from ..validation import (
    Background,
    Bound,
    CanvasSize,
    NonNegativeInt,
    OneOf,
    PositiveInt,
    ValidatedConfig,
    check_float,
)
from .metrics import psnr
from .paint import PHOTO_BRUSH, paint_levels
from .painting import Painting
from .replay import neural_canvas

#: ``--first-guess`` that needs no agent: strokes placed where the error is.
ERROR_GUESS = "error"


def companion(out: str | Path, suffix: str) -> Path:
    """``painting.png`` -> ``painting.json`` / ``painting.svg`` / ... (the same stem, beside it)."""
    return Path(out).with_suffix(suffix)


def neural_path(out: str | Path) -> Path:
    """``painting.png`` -> ``painting_neural.png``: the dab painter's preview (``--neural``)."""
    out = Path(out)
    return out.with_name(f"{out.stem}_neural{out.suffix}")


@dataclass(kw_only=True)
class PaintArgs(ValidatedConfig):
    """A photo painting (:func:`paint_gym.photo.paint_photo`) and the files written beside ``--out``."""

    photo: Annotated[str, tyro.conf.Positional, tyro.conf.arg(metavar="PHOTO")]
    """The photo (JPEG, PNG, TIFF, WebP, ...; EXIF orientation applied, transparency over white)."""
    out: str = "painting.png"
    """The MyPaint painting (.png, .jpg, ...); OUT.json, OUT.svg, OUT.ora and OUT.gif are written beside it."""
    size: CanvasSize = 512
    """Shorter side of the painting in px (the photo's aspect is kept)."""
    strokes: PositiveInt = 2000
    """Strokes in all, over every level of tiles."""
    brush: Annotated[str, OneOf(SUPPORTED_BRUSHES)] = PHOTO_BRUSH
    """MyPaint brush (its dab painter refines the strokes)."""
    seconds: float | None = 100.0
    """Time budget of the whole command, replay and exports included (None: --steps per group)."""
    steps: NonNegativeInt = 150
    """Most refinement steps per group of tiles."""
    first_guess: str = ERROR_GUESS
    """First guess of each tile's strokes: 'error' (strokes where the error is) or an agent (a shipped name
    such as celeba30, or a checkpoint) painting each 64 px tile in one forward pass."""
    resolution: Annotated[int, Bound(16, 256)] = 64
    """Side in px each tile is optimised at by the dab painter."""
    background: Background = "white"
    """Canvas colour: 'white', 'black' or RGB in [0, 1]."""
    seed: NonNegativeInt = 0
    """Seed of the first guesses; stroke i is painted with brush seed SEED + i."""
    neural: bool = False
    """Also write the dab painter's preview of the same strokes as OUT_neural.png."""
    json_strokes: bool = True
    """Write the strokes as OUT.json (replay with `paint-gym replay OUT.json`)."""
    svg: bool = True
    """Write OUT.svg, one <path> per stroke."""
    ora: bool = True
    """Write OUT.ora (OpenRaster: one layer per level; MyPaint, Krita and GIMP open it)."""
    animation: bool = True
    """Write OUT.gif, the painting appearing stroke by stroke."""
    threads: NonNegativeInt = 0
    """Torch threads (0: torch's default)."""

    cli_outputs: ClassVar[dict[str, str]] = {"out": "image"}  # checked before any work (paint_gym.command)

    def derived_outputs(self) -> list[Output]:
        """The files written beside ``--out``, checked with it before any work."""
        wanted = [
            (self.json_strokes, "--out's strokes", "json", ".json"),
            (self.svg, "--out's SVG", "svg", ".svg"),
            (self.ora, "--out's OpenRaster file", "openraster", ".ora"),
            (self.animation, "--out's animation", "animation", ".gif"),
        ]
        derived = [
            Output(name, kind, companion(self.out, suffix), derived=True) for on, name, kind, suffix in wanted if on
        ]
        if self.neural:
            out = Path(self.out)
            derived.append(
                Output("--out's neural preview", "image", out.with_name(f"{out.stem}_neural{out.suffix}"), True)
            )
        return derived

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.seconds is not None:
            self.seconds = check_float("--seconds", self.seconds, 0.0, open_low=True)


def run_paint(config: PaintArgs, guess: Any = None) -> int:
    """Paint ``config.photo`` (``guess``: the first-guess object, an agent, or None for 'error'),
    write the painting and the files beside it, print the PSNR of each and the seconds."""
    if config.threads:
        torch.set_num_threads(config.threads)
    t0 = time.perf_counter()
    result = paint_levels(
        config.photo,
        config.size,
        config.strokes,
        config.brush,
        config.seconds,
        config.steps,
        guess,
        resolution=config.resolution,
        background=config.background,
        seed=config.seed,
    )
    painting, image, target = result.painting, result.image, result.target
    out = Path(config.out)
    write_image(image, out)
    info = painting.info
    levels = " + ".join(f"{lv['tiles']} x {lv['strokes_per_tile']}" for lv in info["levels"])
    seam = f", seam band ratio {info['seam_ratio']:.2f}" if info.get("seam_ratio") else ""
    print(
        f"{len(painting)} strokes ({levels} per level) at {painting.width}x{painting.height} px: "
        f"MyPaint PSNR {psnr(image, target):.2f} dB{seam}; wrote {out}"
    )
    write_companions(config, painting, image, target)
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


def write_companions(config: PaintArgs, painting: Painting, image: np.ndarray, target: np.ndarray) -> None:
    """The files beside ``--out`` that ``config`` asks for, each announced with what it holds."""
    out = Path(config.out)
    if config.json_strokes:
        print(f"wrote the strokes to {painting.save_json(companion(out, '.json'))}")
    if config.svg:
        path = painting.save_svg(companion(out, ".svg"))
        print(f"wrote {path}{svg_score(path, painting, target)}")
    if config.ora:
        path = painting.save_ora(companion(out, ".ora"), merged=image)
        print(f"wrote {path} ({painting.n_levels} layers of strokes, one per level)")
    if config.animation:
        print(f"wrote {painting.save_animation(companion(out, '.gif'))}")
    if config.neural:
        from ..painters.load import load_painter

        preview = neural_canvas(painting, load_painter("dab", brush=painting.brush))
        path = write_image(preview, neural_path(out))
        print(f"wrote the dab painter's preview to {path} (PSNR {psnr(preview, target):.2f} dB)")


def svg_score(path: Path, painting: Painting, target: np.ndarray) -> str:
    """`` (rasterised by cairosvg: PSNR x dB)``, or why it was not rasterised."""
    from .svg import rasterize_svg

    try:
        raster = rasterize_svg(path, painting.width, painting.height)
    except ModuleNotFoundError as exc:
        return f" (not rasterised: {exc})"
    return f" (rasterised by cairosvg: PSNR {psnr(raster, target):.2f} dB)"


@dataclass(kw_only=True)
class ReplayArgs(ValidatedConfig):
    """A painting's strokes (``paint-gym paint``'s OUT.json) repainted by MyPaint."""

    painting: Annotated[str, tyro.conf.Positional, tyro.conf.arg(metavar="PAINTING_JSON")]
    """The strokes file `paint-gym paint` wrote (OUT.json)."""
    out: str = "replay.png"
    """Image to write (.png, .jpg, ...)."""
    size: CanvasSize | None = None
    """Shorter side in px to repaint at (None: the painting's own); strokes scale with the canvas."""
    brush: Annotated[str, OneOf(SUPPORTED_BRUSHES)] | None = None
    """Another MyPaint brush (None: the painting's)."""
    seed: NonNegativeInt | None = None
    """Brush seed of the first stroke (None: the painting's)."""

    cli_outputs: ClassVar[dict[str, str]] = {"out": "image"}


def replay(config: ReplayArgs) -> int:
    """Repaint a painting's strokes (OUT.json of `paint-gym paint`) with MyPaint, at any size or brush."""
    t0 = time.perf_counter()
    painting = Painting.load_json(config.painting).scaled(config.size, config.brush)
    image = painting.render("mypaint", seed=config.seed)
    path = write_image(image, config.out)
    print(
        f"{len(painting)} strokes repainted with {painting.brush} at {painting.width}x{painting.height} px "
        f"in {time.perf_counter() - t0:.1f} s; wrote {path}"
    )
    return 0


def commands() -> dict[str, Command]:
    """``replay``, for :func:`paint_gym.cli.library_commands` (``paint`` comes with the agents' commands)."""
    return {"replay": replay}


__all__ = ["ERROR_GUESS", "PaintArgs", "ReplayArgs", "commands", "companion", "replay", "run_paint"]
