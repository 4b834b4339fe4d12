"""The ``visualize`` and ``style`` commands of ``paint-gym`` (thin callers of the library).

Each is generated from its config dataclass (:class:`~paint_gym.param.visualize.VisualizeConfig`,
:class:`~paint_gym.param.style.StyleConfig`) subclassed with the command's own options; see
:mod:`paint_gym.command` for how a dataclass becomes a command. :mod:`paint_gym.cli` adds them
with :func:`commands`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar

import numpy as np
import torch
import tyro

from ..command import Command, base_config
from ..outputs import Output, write_image
from ..validation import NonNegativeInt, PositiveInt
from .canvas_grid import StrokeGrid, parse_palette
from .style import StyleConfig, intrinsic_style_transfer, load_image
from .visualize import VisualizeConfig, visualize_class


def _companion(out: str | Path, suffix: str) -> Path:
    """``painting.png`` -> ``painting_mypaint.png`` (beside it)."""
    out = Path(out)
    return out.with_name(f"{out.stem}_{suffix}{out.suffix or '.png'}")


def _actions_path(out: str | Path) -> Path:
    """``painting.png`` -> ``painting.npz`` (beside it): the strokes of ``--save-actions``."""
    return Path(out).with_suffix(".npz")


def _set_threads(threads: int) -> None:
    if threads:
        torch.set_num_threads(threads)


def _palette(text: str | None) -> np.ndarray | None:
    return None if text is None else parse_palette(text)


def _save_actions(grid: StrokeGrid, out: Path) -> Path:
    path = _actions_path(out)
    tiles = grid.tiles
    np.savez_compressed(
        path,
        actions=grid.actions().detach().cpu().numpy(),
        size=tiles.size,
        width=tiles.image_width,
        layout=grid.layout.kind,
        tile=tiles.tile,
        overlap=tiles.overlap,
    )
    return path


def _strokes_text(grid: StrokeGrid) -> str:
    """``25 tiles x 30 strokes`` or ``one 256 px canvas x 750 strokes``."""
    if grid.layout.kind == "native":
        return f"one {grid.layout.tile} px canvas x {grid.strokes} strokes"
    return f"{grid.layout.count} tiles x {grid.strokes} strokes"


@dataclass(kw_only=True)
class PaintingOptions:
    """Options shared by ``visualize`` and ``style``: a palette given as text, the MyPaint
    re-render, the strokes file, torch threads. Mixed into a library config, whose checks
    (:class:`~paint_gym.validation.ValidatedConfig`) cover these fields too."""

    palette: str | None = None
    """Strokes use only these colours, e.g. '#1d3557,#e63946,#f1faee' (None: any colour)."""
    mypaint: bool = True
    """Repaint the same strokes with MyPaint and write OUT_mypaint.png (--no-mypaint skips it)."""
    save_actions: bool = False
    """Also write the strokes (B, K, N, 12) to OUT.npz (K tiles of N strokes; natively K = 1)."""
    threads: NonNegativeInt = 0
    """Torch threads (0: torch's default)."""

    cli_outputs: ClassVar[dict[str, str]] = {"out": "image"}  # checked before any work (paint_gym.command)

    def derived_outputs(self) -> list[Output]:
        """The files written beside ``--out``: OUT_mypaint.EXT (unless --no-mypaint) and
        OUT.npz (with --save-actions); checked with ``--out`` before any work."""
        out = self.out
        derived = []
        if self.mypaint:
            derived.append(Output("--out's MyPaint re-render", "image", _companion(out, "mypaint"), derived=True))
        if self.save_actions:
            derived.append(Output("--out's strokes (--save-actions)", "arrays", _actions_path(out), derived=True))
        return derived


@dataclass(kw_only=True)
class VisualizeArgs(PaintingOptions, VisualizeConfig):
    """A class visualization (:class:`VisualizeConfig`), its judges and its output files."""

    target: Annotated[str, tyro.conf.arg(name="class")]
    """ImageNet class name or index (e.g. pineapple, 953); a digit with --models mnist."""
    models: str = "lite0,lite1,lite2"
    """Comma-separated ensemble: lite0, lite1, lite2, mnist, torchvision:NAME (cached weights), or 'imagenet'."""
    out: str = "visualization.png"
    """Image of the neural painting (.png, .jpg, ...); OUT_mypaint.png is the MyPaint re-render."""
    scale: PositiveInt = 1
    """Pixel zoom of the written PNGs."""


def visualize(config: VisualizeArgs) -> int:
    """Paint an ImageNet (or MNIST) class with strokes: class visualization."""
    _set_threads(config.threads)
    cfg = base_config(config, VisualizeConfig, palette=_palette(config.palette))
    result = visualize_class(config.target, config.models, cfg, check_mypaint=config.mypaint)
    out = Path(config.out)
    write_image(result.image, out, config.scale)
    print(
        f"{result.label} (class {result.target}): ensemble probability {result.probability:.3f} for the neural "
        f"painting ({_strokes_text(result.grid)}, {cfg.steps} steps); wrote {out}"
    )
    if result.mypaint is not None:
        mp = _companion(out, "mypaint")
        write_image(result.mypaint, mp, config.scale)
        print(f"the same strokes repainted by MyPaint: probability {result.probability_mypaint:.3f}; wrote {mp}")
    print("ensemble's top 3: " + ", ".join(f"{name} {p:.3f}" for name, p in result.top))
    if config.save_actions:
        print(f"wrote the strokes to {_save_actions(result.grid, out)}")
    return 0


@dataclass(kw_only=True)
class StyleArgs(PaintingOptions, StyleConfig):
    """An intrinsic style transfer (:class:`StyleConfig`), its photo and its output files."""

    content: Annotated[str, tyro.conf.Positional, tyro.conf.arg(metavar="PHOTO")]
    """The photo (JPEG, PNG, TIFF, WebP, ...; EXIF orientation applied, transparency over white)."""
    out: str = "painted.png"
    """Image of the neural painting (.png, .jpg, ...); OUT_mypaint.png is the MyPaint re-render."""
    keep_aspect: bool = False
    """Paint the whole photo at its aspect ratio (shorter side --size) instead of a centre square."""


def style(config: StyleArgs) -> int:
    """Repaint a photo with strokes: intrinsic style transfer (content loss only)."""
    _set_threads(config.threads)
    cfg = base_config(config, StyleConfig, palette=_palette(config.palette))
    content = load_image(config.content, cfg.size, keep_aspect=config.keep_aspect)
    result = intrinsic_style_transfer(content, cfg, check_mypaint=config.mypaint)
    out = Path(config.out)
    write_image(result.image, out)
    first = result.losses[0] if result.losses else result.content_loss
    print(
        f"content loss ({cfg.model} {cfg.layer}) {first:.4f} -> {result.content_loss:.4f} over {cfg.steps} steps "
        f"({_strokes_text(result.grid)}); wrote {out}"
    )
    if result.mypaint is not None:
        mp = _companion(out, "mypaint")
        write_image(result.mypaint, mp)
        print(f"the same strokes repainted by MyPaint: content loss {result.content_loss_mypaint:.4f}; wrote {mp}")
    if config.save_actions:
        print(f"wrote the strokes to {_save_actions(result.grid, out)}")
    return 0


def commands() -> dict[str, Command]:
    """``visualize`` and ``style``, for :func:`paint_gym.cli.library_commands`."""
    return {"visualize": visualize, "style": style}
