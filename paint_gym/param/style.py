"""Intrinsic style transfer (paper section 5): a photo repainted in strokes, content loss only.

Classic style transfer balances a content loss against a style loss taken from a second image.
Here there is no style image: only the content loss, the distance between a classifier layer's
activations for the photo and for the painting. The style comes from the parameterization
itself (brush strokes from a neural painter, optionally in grey), which is why the paper calls
it *intrinsic*. Strokes live on an overlapping grid of canvases, so any resolution works.

    from paint_gym.param import StyleConfig, intrinsic_style_transfer, load_image
    result = intrinsic_style_transfer(load_image("photo.jpg", 256), StyleConfig(size=256))
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .canvas_grid import StrokeGrid, grid_for
from .classifiers import Classifier, load_classifier


@dataclass
class StyleConfig:
    """Hyperparameters of one intrinsic style transfer."""

    size: int = 256  # painting side, px (the content image is resized to it)
    strokes: int = 30  # per 64 px canvas
    steps: int = 150
    lr: float = 0.1
    model: str = "lite0"  # the network whose activations define the content
    layer: str = "blocks.4"  # EfficientNet-Lite0: 40 channels at 1/8 resolution
    grayscale: bool = False
    palette: Sequence[Sequence[float]] | np.ndarray | None = None
    max_radius: float | None = None
    tile: int = 64
    overlap: int = 16
    painter: str = "gan"
    seed: int = 0
    mypaint_seed: int = 0

    def __post_init__(self) -> None:
        if int(self.steps) < 0:
            raise ValueError(f"steps must be >= 0; got {self.steps}")
        if not np.isfinite(self.lr) or self.lr <= 0:
            raise ValueError(f"lr must be a positive number; got {self.lr}")


@dataclass
class StyleResult:
    """The strokes, the paintings (uint8 ``(H, W, 3)``) and their content losses."""

    grid: StrokeGrid
    losses: list[float]
    image: np.ndarray
    content_loss: float  # of the neural painting
    mypaint: np.ndarray | None = None
    content_loss_mypaint: float | None = None


def load_image(path: str | os.PathLike, size: int) -> torch.Tensor:
    """A photo as ``(1, 3, size, size)`` float in [0, 1]: centre square crop, Lanczos resize."""
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no image at {p}; give the path of a JPEG or PNG file")
    if isinstance(size, bool) or not isinstance(size, int) or size < 8:
        raise ValueError(f"size must be an integer number of pixels >= 8; got {size!r}")
    try:
        with Image.open(p) as im:
            rgb = im.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"{p} is not a readable image ({exc}); use a JPEG or PNG file") from exc
    w, h = rgb.size
    s = min(w, h)
    square = rgb.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize(
        (size, size), Image.Resampling.LANCZOS
    )
    return torch.as_tensor(np.array(square), dtype=torch.float32).permute(2, 0, 1)[None] / 255.0


def feature_extractor(model: nn.Module, layer: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """``images (B, 3, H, W) in [0, 1] -> activations`` of ``layer``, at the image's own size.

    A :class:`Classifier` is unwrapped: its normalisation is kept, its resize is not (a 512 px
    painting is compared at 512 px). A network with ``features(images, layer)`` (EfficientNet-
    Lite) stops at that layer; any other ``nn.Module`` is read through a forward hook on the
    submodule named ``layer`` (as in ``model.named_modules()``).
    """
    net = model.model if isinstance(model, Classifier) else model
    prepare = (lambda x: _normalise_only(model, x)) if isinstance(model, Classifier) else (lambda x: x)
    if hasattr(net, "features") and hasattr(net, "layer_names"):
        if layer not in net.layer_names():
            raise ValueError(f"unknown layer {layer!r}; choose one of {', '.join(net.layer_names())}")
        return lambda x: net.features(prepare(x), layer)
    modules = dict(net.named_modules())
    if layer not in modules or not layer:
        names = [n for n in modules if n]
        raise ValueError(
            f"the model has no submodule {layer!r}; choose one of {', '.join(names[:40])}{' ...' if len(names) > 40 else ''}"
        )
    return _HookExtractor(net, modules[layer], prepare)


def _normalise_only(model: Classifier, x: torch.Tensor) -> torch.Tensor:
    return (x - model.mean) / model.std if model.mean is not None else x


class _HookExtractor:
    """Runs the network and returns what one of its submodules produced."""

    def __init__(self, net: nn.Module, module: nn.Module, prepare: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.net, self.module, self.prepare = net, module, prepare

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        out: list[torch.Tensor] = []
        handle = self.module.register_forward_hook(lambda _m, _i, o: out.append(o))
        try:
            self.net(self.prepare(x))
        finally:
            handle.remove()
        return out[0]


class ContentLoss:
    """Mean squared distance between ``layer`` activations of a painting and of ``content``."""

    def __init__(self, content: torch.Tensor, model: str | nn.Module = "lite0", layer: str = "blocks.4") -> None:
        if not isinstance(content, torch.Tensor) or content.ndim != 4 or content.shape[1] != 3:
            raise ValueError(
                f"content must be an image tensor (1, 3, H, W) in [0, 1]; got {getattr(content, 'shape', type(content))}"
            )
        if not torch.isfinite(content).all():
            raise ValueError("the content image contains NaN or inf")
        self.features = feature_extractor(load_classifier(model), layer)
        with torch.no_grad():
            self.target = self.features(content).detach()

    def __call__(self, painting: torch.Tensor) -> torch.Tensor:
        return ((self.features(painting) - self.target) ** 2).mean()


def intrinsic_style_transfer(
    content: torch.Tensor,
    config: StyleConfig | None = None,
    *,
    grid: StrokeGrid | None = None,
    check_mypaint: bool = True,
    progress: bool = True,
) -> StyleResult:
    """Paint ``content`` ``(1, 3, H, W)`` in [0, 1] with strokes by minimising the content loss only.

    The content is resized to ``config.size`` if needed. ``grid`` continues optimising given
    strokes (a previous result's ``grid``) instead of new random ones; the stroke settings of
    ``config`` are then ignored. Returns the strokes, the neural painting, its MyPaint
    re-render (``check_mypaint``) and both content losses.
    """
    from torch.nn import functional as F
    from tqdm.auto import tqdm

    cfg = config or StyleConfig()
    if grid is None:
        grid = grid_for(cfg)
    elif grid.layout.size != cfg.size:
        raise ValueError(f"the given grid paints {grid.layout.size} px but config.size is {cfg.size}; make them equal")
    if isinstance(content, torch.Tensor) and content.ndim == 4 and content.shape[-1] != cfg.size:
        content = F.interpolate(
            content, size=(cfg.size, cfg.size), mode="bilinear", align_corners=False, antialias=True
        )
    loss_fn = ContentLoss(content, cfg.model, cfg.layer)
    opt = torch.optim.Adam(grid.params, lr=cfg.lr)
    losses: list[float] = []
    bar = tqdm(range(cfg.steps), desc=f"painting {cfg.size} px", disable=not progress, leave=False)
    for step in bar:
        loss = loss_fn(grid())
        if not torch.isfinite(loss):
            raise ValueError(
                f"the content loss became {loss.item()} at step {step}; lower the learning rate (lr={cfg.lr})"
            )
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.4f}", refresh=False)
    with torch.no_grad():
        final = float(loss_fn(grid()))
    result = StyleResult(grid, losses, grid.image_uint8()[0], final)
    if check_mypaint:
        result.mypaint = grid.render_mypaint(seed=cfg.mypaint_seed)[0]
        with torch.no_grad():
            x = torch.as_tensor(result.mypaint, dtype=torch.float32).permute(2, 0, 1)[None] / 255.0
            result.content_loss_mypaint = float(loss_fn(x))
    return result
