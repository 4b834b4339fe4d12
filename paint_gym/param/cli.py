"""The ``visualize`` and ``style`` subcommands of ``paint-gym`` (thin callers of the library).

``paint_gym/cli.py`` hooks them in with one line in ``build_parser``::

    from .param.cli import add_commands; add_commands(sub)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def _save_png(image: np.ndarray, path: Path, scale: int = 1) -> None:
    from PIL import Image

    out = Image.fromarray(image)
    if scale > 1:
        out = out.resize((image.shape[1] * scale, image.shape[0] * scale), Image.Resampling.NEAREST)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)


def _companion(out: Path, suffix: str) -> Path:
    """``painting.png`` -> ``painting_mypaint.png`` (beside it)."""
    return out.with_name(f"{out.stem}_{suffix}{out.suffix or '.png'}")


def _set_threads(threads: int) -> None:
    if threads:
        import torch

        torch.set_num_threads(threads)


def _palette(text: str | None) -> np.ndarray | None:
    from .canvas_grid import parse_palette

    return None if text is None else parse_palette(text)


def _save_actions(grid, out: Path) -> Path:
    path = out.with_suffix(".npz")
    layout = grid.layout
    np.savez_compressed(
        path, actions=grid.actions().detach().cpu().numpy(), size=layout.size, width=layout.image_width, tile=layout.tile,
        overlap=layout.overlap,
    )
    return path


def _visualize(args: argparse.Namespace) -> int:
    """Paint a class; write the neural painting and its MyPaint re-render; print probabilities."""
    from .visualize import VisualizeConfig, visualize_class

    _set_threads(args.threads)
    cfg = VisualizeConfig(
        size=args.size,
        strokes=args.strokes,
        steps=args.steps,
        lr=args.lr,
        copies=args.copies,
        objective=args.objective,
        transforms=not args.no_transforms,
        tile_fraction=args.tile_fraction,
        tile=args.tile,
        overlap=args.overlap,
        grayscale=args.grayscale,
        palette=_palette(args.palette),
        max_radius=args.max_radius,
        painter=args.painter,
        seed=args.seed,
        mypaint_seed=args.mypaint_seed,
    )
    result = visualize_class(args.target, args.models, cfg, check_mypaint=not args.no_mypaint)
    out = Path(args.out)
    _save_png(result.image, out, args.scale)
    print(
        f"{result.label} (class {result.target}): ensemble probability {result.probability:.3f} for the neural painting "
        f"({result.grid.layout.count} canvases x {cfg.strokes} strokes, {cfg.steps} steps); wrote {out}"
    )
    if result.mypaint is not None:
        mp = _companion(out, "mypaint")
        _save_png(result.mypaint, mp, args.scale)
        print(f"the same strokes repainted by MyPaint: probability {result.probability_mypaint:.3f}; wrote {mp}")
    print("ensemble's top 3: " + ", ".join(f"{name} {p:.3f}" for name, p in result.top))
    if args.save_actions:
        print(f"wrote the strokes to {_save_actions(result.grid, out)}")
    return 0


def _style(args: argparse.Namespace) -> int:
    """Repaint a photo in strokes (content loss only); write the painting and its MyPaint re-render."""
    from .style import StyleConfig, intrinsic_style_transfer, load_image

    _set_threads(args.threads)
    cfg = StyleConfig(
        size=args.size,
        strokes=args.strokes,
        steps=args.steps,
        lr=args.lr,
        model=args.model,
        layer=args.layer,
        grayscale=args.grayscale,
        palette=_palette(args.palette),
        max_radius=args.max_radius,
        tile=args.tile,
        overlap=args.overlap,
        painter=args.painter,
        seed=args.seed,
        mypaint_seed=args.mypaint_seed,
    )
    content = load_image(args.content, args.size, keep_aspect=args.keep_aspect)
    result = intrinsic_style_transfer(content, cfg, check_mypaint=not args.no_mypaint)
    out = Path(args.out)
    _save_png(result.image, out)
    first = result.losses[0] if result.losses else result.content_loss
    print(
        f"content loss ({cfg.model} {cfg.layer}) {first:.4f} -> {result.content_loss:.4f} over {cfg.steps} steps "
        f"({result.grid.layout.count} canvases x {cfg.strokes} strokes); wrote {out}"
    )
    if result.mypaint is not None:
        mp = _companion(out, "mypaint")
        _save_png(result.mypaint, mp)
        print(f"the same strokes repainted by MyPaint: content loss {result.content_loss_mypaint:.4f}; wrote {mp}")
    if args.save_actions:
        print(f"wrote the strokes to {_save_actions(result.grid, out)}")
    return 0


def _add_stroke_options(p: argparse.ArgumentParser, size: int, steps: int, lr: float) -> None:
    p.add_argument("--size", type=int, default=size, help=f"image side in px (default {size})")
    p.add_argument("--strokes", type=int, default=30, help="strokes per 64 px canvas (default 30)")
    p.add_argument("--steps", type=int, default=steps, help=f"Adam steps (default {steps})")
    p.add_argument("--lr", type=float, default=lr, help=f"Adam learning rate (default {lr:g})")
    p.add_argument("--grayscale", action="store_true", help="grey strokes only (R = G = B)")
    p.add_argument("--palette", default=None, help="strokes use only these colours, e.g. '#1d3557,#e63946,#f1faee'")
    p.add_argument(
        "--max-radius", type=float, default=None, help="largest brush radius in px on the 64 px canvas (1-8)"
    )
    p.add_argument("--tile", type=int, default=64, help="canvas side in the image, px (64: the painter's own detail)")
    p.add_argument("--overlap", type=int, default=16, help="least overlap of neighbouring canvases, px")
    p.add_argument("--painter", default="gan", help="'gan', 'vae' or a painter checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mypaint-seed", type=int, default=0, help="brush seed of the MyPaint re-render")
    p.add_argument("--no-mypaint", action="store_true", help="skip the MyPaint re-render")
    p.add_argument("--save-actions", action="store_true", help="also write the strokes (B, K, N, 12) to OUT.npz")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``visualize`` and ``style`` to the ``paint-gym`` subcommands."""
    viz = subparsers.add_parser(
        "visualize", help="paint an ImageNet (or MNIST) class with strokes: class visualization"
    )
    viz.add_argument(
        "--class",
        dest="target",
        required=True,
        help="ImageNet class name or index (e.g. pineapple, 953); a digit with --models mnist",
    )
    viz.add_argument(
        "--models",
        default="lite0,lite1,lite2",
        help="comma-separated ensemble: lite0, lite1, lite2, mnist, torchvision:NAME (cached weights), or 'imagenet'",
    )
    viz.add_argument(
        "--out",
        default="visualization.png",
        help="PNG of the neural painting; OUT_mypaint.png is the MyPaint re-render",
    )
    viz.add_argument("--copies", type=int, default=4, help="randomly transformed copies per step")
    viz.add_argument("--objective", choices=["logit", "log_prob"], default="logit")
    viz.add_argument(
        "--no-transforms", action="store_true", help="no jitter/scale/rotation (adversarial-looking results)"
    )
    viz.add_argument(
        "--tile-fraction",
        type=float,
        default=1.0,
        help="< 1: classifiers also see random tiles of this fraction of the side",
    )
    viz.add_argument("--scale", type=int, default=1, help="pixel zoom of the written PNGs")
    _add_stroke_options(viz, size=224, steps=200, lr=0.05)
    viz.set_defaults(func=_visualize)

    style = subparsers.add_parser(
        "style", help="repaint a photo with strokes: intrinsic style transfer (content loss only)"
    )
    style.add_argument("content", help="the photo (JPEG or PNG)")
    style.add_argument(
        "--out", default="painted.png", help="PNG of the neural painting; OUT_mypaint.png is the MyPaint re-render"
    )
    style.add_argument(
        "--model", default="lite0", help="network defining the content (lite0, lite1, lite2, torchvision:NAME)"
    )
    style.add_argument(
        "--keep-aspect", action="store_true", help="paint the whole photo at its aspect ratio (shorter side --size) instead of a centre square"
    )
    style.add_argument("--layer", default="blocks.4", help="its layer whose activations are matched")
    _add_stroke_options(style, size=256, steps=150, lr=0.1)
    style.set_defaults(func=_style)
