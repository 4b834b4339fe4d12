"""Intrinsic style transfer (paper section 5): a photo repainted in strokes, content loss only.

Classic style transfer balances a content loss against a style loss taken from a second image.
Here there is no style image: only the content loss, the distance between a classifier layer's
activations for the photo and for the painting. The style comes from the parameterization
itself (brush strokes from a neural painter, optionally in grey), which is why the paper calls
it *intrinsic*. Strokes live on one canvas painted at full size (``layout="native"``, the dab
painter) or on an overlapping grid of 64 px tiles (``layout="tiles"``, any painter; see
:mod:`.layout`), so any resolution works, and any aspect ratio: a non-square photo is painted
on a non-square canvas whose shorter side is ``StyleConfig.size`` (as
``torchvision.transforms.Resize(size)`` scales the shorter edge).

    from paint_gym.param import StyleConfig, intrinsic_style_transfer, load_image
    result = intrinsic_style_transfer(load_image("photo.jpg", 256), StyleConfig(size=256))
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..canvas import to_float_tensor
from ..images import open_image
from ..validation import MAX_CANVAS_SIZE, check_canvas_size
from .canvas_grid import StrokeGrid, check_gradients, check_parameters, checked_loss, grid_for
from .classifiers import Classifier, load_classifier
from .grid_config import StrokeGridConfig


@dataclass
class StyleConfig(StrokeGridConfig):
    """Hyperparameters of one intrinsic style transfer: the strokes' settings
    (:class:`~paint_gym.param.grid_config.StrokeGridConfig`; the content image is resized to
    ``size``, keeping its aspect) and the content loss."""

    model: str = "lite0"
    """The network whose activations define the content (lite0, lite1, lite2, torchvision:NAME)."""
    layer: str = "blocks.4"
    """Its layer whose activations are matched (EfficientNet-Lite0's blocks.4: 40 channels at 1/8 resolution)."""


@dataclass
class StyleResult:
    """The strokes, the paintings (uint8 ``(H, W, 3)``) and their content losses."""

    grid: StrokeGrid
    losses: list[float]
    image: np.ndarray
    content_loss: float  # of the neural painting
    mypaint: np.ndarray | None = None
    content_loss_mypaint: float | None = None


def load_image(path: str | os.PathLike, size: int, keep_aspect: bool = False) -> torch.Tensor:
    """A photo as float ``(1, 3, H, W)`` in [0, 1], Lanczos-resized.

    Read by :func:`paint_gym.images.open_image`: EXIF orientation applied, transparency over
    white (the canvas's background), 16-bit and float images rescaled, every Pillow mode
    converted or refused by name. By default a centre square crop, ``(1, 3, size, size)``; with
    ``keep_aspect`` the whole photo, its shorter side ``size`` px (paint it with
    :func:`intrinsic_style_transfer`, which builds a grid of that shape). Raises
    ``FileNotFoundError`` for a missing file and ``ValueError`` for an unreadable or too large
    image, a mode that cannot be read, a size that is not an integer in 8..8192
    (:func:`paint_gym.validation.check_canvas_size`), or, with ``keep_aspect``, a longer side
    above 8192 px.
    """
    from PIL import Image

    size = check_canvas_size(size, "size (pixels)")
    rgb = open_image(path)
    w, h = rgb.size
    if keep_aspect:
        out_h, out_w = painting_shape((h, w), size)
        if max(out_h, out_w) > MAX_CANVAS_SIZE:
            raise ValueError(
                f"{path}: its {w}x{h} px at a shorter side of {size} px is {out_w}x{out_h} px, above the "
                f"{MAX_CANVAS_SIZE} px a painting may have a side; use a smaller size or a centre square"
            )
        image = rgb.resize((out_w, out_h), Image.Resampling.LANCZOS)
    else:
        s = min(w, h)
        image = rgb.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize(
            (size, size), Image.Resampling.LANCZOS
        )
    return to_float_tensor(np.array(image))[None]


def painting_shape(content_hw: tuple[int, int], size: int) -> tuple[int, int]:
    """``(height, width)`` of the painting of a ``content_hw`` image: its shorter side ``size``
    px, its aspect ratio kept (rounded to whole pixels)."""
    h, w = int(content_hw[0]), int(content_hw[1])
    if h == w:
        return size, size
    if h < w:
        return size, max(size, round(w * size / h))
    return max(size, round(h * size / w)), size


def as_content(content: torch.Tensor | np.ndarray) -> torch.Tensor:
    """A content image as float ``(B, 3, H, W)`` in [0, 1], detached.

    Accepts a torch float tensor ``(B, 3, H, W)`` or ``(3, H, W)`` in [0, 1] (torch's layout,
    e.g. from :func:`load_image`), or a numpy image ``(H, W, 3)`` / ``(B, H, W, 3)``, uint8 in
    0..255 or float in [0, 1]. Raises ``ValueError`` naming the fix for other layouts, NaN or
    inf, values outside [0, 1] or images smaller than 8 px.
    """
    if isinstance(content, np.ndarray):
        arr = content
        if arr.ndim == 3:
            arr = arr[None]
        if arr.ndim != 4 or arr.shape[-1] != 3:
            raise ValueError(f"a numpy content image must be (H, W, 3) or (B, H, W, 3), channels last; got {arr.shape}")
        if arr.dtype == np.uint8:
            content = to_float_tensor(arr)
        elif arr.dtype.kind == "f":
            content = torch.as_tensor(arr.astype(np.float32)).permute(0, 3, 1, 2)
        else:
            raise ValueError(f"a numpy content image must be uint8 (0..255) or float in [0, 1]; got {arr.dtype}")
    if not isinstance(content, torch.Tensor):
        kind = type(content).__name__
        raise ValueError(f"content must be an image tensor (1, 3, H, W) in [0, 1] or a numpy image; got {kind}")  # noqa: TRY004
    x = content.detach()
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[1] != 3:
        hint = " (channels last: use x.permute(0, 3, 1, 2))" if x.ndim == 4 and x.shape[-1] == 3 else ""
        raise ValueError(f"content must be an image tensor (1, 3, H, W) in [0, 1]; got shape {tuple(x.shape)}{hint}")
    if not x.is_floating_point():
        raise ValueError(
            f"content must be a float tensor in [0, 1]; got {x.dtype} "
            "(convert uint8 images (B, H, W, 3) with paint_gym.to_float_tensor)"
        )
    if not torch.isfinite(x).all():
        raise ValueError("the content image contains NaN or inf")
    if float(x.min()) < 0 or float(x.max()) > 1:
        raise ValueError(
            f"content values must be in [0, 1]; got {float(x.min()):g}..{float(x.max()):g} (divide 0-255 values by 255)"
        )
    if min(x.shape[-2:]) < 8:
        raise ValueError(f"the content image is {x.shape[-2]}x{x.shape[-1]} px; it needs at least 8 px a side")
    return x.float()


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
            f"the model has no submodule {layer!r}; choose one of "
            f"{', '.join(names[:40])}{' ...' if len(names) > 40 else ''}"
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

    def __init__(
        self, content: torch.Tensor | np.ndarray, model: str | nn.Module = "lite0", layer: str = "blocks.4"
    ) -> None:
        """``content``: see :func:`as_content`. A painting passed to the loss must have the
        content's batch size and pixel size (``ValueError`` otherwise)."""
        content = as_content(content)
        self.shape = tuple(content.shape)
        self.features = feature_extractor(load_classifier(model), layer)
        with torch.no_grad():
            self.target = self.features(content).detach()

    def __call__(self, painting: torch.Tensor) -> torch.Tensor:
        if tuple(painting.shape) != self.shape:
            raise ValueError(
                f"the painting is {tuple(painting.shape)} but the "
                f"content image {self.shape}; paint at the content's size"
            )
        return ((self.features(painting) - self.target) ** 2).mean()


def intrinsic_style_transfer(
    content: torch.Tensor,
    config: StyleConfig | None = None,
    *,
    grid: StrokeGrid | None = None,
    check_mypaint: bool = True,
    progress: bool = True,
) -> StyleResult:
    """Paint ``content`` with strokes by minimising the content loss only.

    ``content``: one image, a float tensor ``(1, 3, H, W)`` in [0, 1] (or see
    :func:`as_content` for the other accepted forms), of any aspect ratio. The painting keeps
    that aspect ratio, its shorter side ``config.size`` px (a square content gives a square
    painting); the content is resized to the painting's size. ``grid`` continues optimising
    given strokes (a previous result's ``grid``) instead of new random ones; the stroke settings
    of ``config`` are then ignored, and the content must have the grid's aspect ratio.
    Returns the strokes, the neural painting ``(height, width, 3)``, its MyPaint re-render
    (``check_mypaint``) and both content losses.

    Raises ``ValueError`` for a content image that is not one [0, 1] image, a given grid of
    another size or aspect ratio, or a loss that is NaN before any update (the model);
    :class:`paint_gym.errors.TrainingDivergedError` if the optimisation diverges.
    """
    from torch.nn import functional as F
    from tqdm.auto import tqdm

    cfg = config or StyleConfig()
    content = as_content(content)
    if content.shape[0] != 1:
        raise ValueError(f"style transfer paints one content image at a time; got a batch of {content.shape[0]}")
    shape = painting_shape(tuple(content.shape[-2:]), cfg.size)
    if grid is None:
        grid = grid_for(cfg, size=shape)
    else:
        if grid.batch != 1:
            raise ValueError(f"style transfer paints one image: build the grid with batch=1 (got batch={grid.batch})")
        if min(grid.layout.shape) != cfg.size:
            raise ValueError(
                f"the given grid paints {grid.layout.height}x{grid.layout.image_width} px "
                f"but config.size is {cfg.size}; make config.size the grid's shorter side"
            )
        if grid.layout.shape != shape:
            raise ValueError(
                f"the content image is {content.shape[-2]}x{content.shape[-1]} px, which paints at "
                f"{shape[0]}x{shape[1]}, but the given grid paints {grid.layout.height}x{grid.layout.image_width}: "
                "crop the content to the grid's aspect ratio or start a new grid"
            )
    if tuple(content.shape[-2:]) != shape:
        content = F.interpolate(
            content,
            size=shape,
            mode="bilinear",
            align_corners=False,
            antialias=bool(content.shape[-1] > shape[1] or content.shape[-2] > shape[0]),
        )
    loss_fn = ContentLoss(content, cfg.model, cfg.layer)
    opt = torch.optim.Adam(grid.params, lr=cfg.lr)
    losses: list[float] = []
    bar = tqdm(range(cfg.steps), desc=f"painting {shape[0]}x{shape[1]} px", disable=not progress, leave=False)
    for step in bar:
        loss = loss_fn(grid())
        value = checked_loss(loss, step, cfg.lr, "style transfer")
        opt.zero_grad()
        loss.backward()
        check_gradients(grid, step, cfg.lr, "style transfer")
        opt.step()
        check_parameters(grid, step, cfg.lr, "style transfer", value)
        losses.append(value)
        bar.set_postfix(loss=f"{losses[-1]:.4f}", refresh=False)
    with torch.no_grad():
        final = float(loss_fn(grid()))
    result = StyleResult(grid, losses, grid.image_uint8()[0], final)
    if check_mypaint:
        result.mypaint = grid.render_mypaint(seed=cfg.mypaint_seed)[0]
        with torch.no_grad():
            result.content_loss_mypaint = float(loss_fn(to_float_tensor(result.mypaint)[None]))
    return result
