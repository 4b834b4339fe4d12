"""Class visualization with strokes (paper section 5): paintings that classifiers call X.

The strokes of a :class:`StrokeGrid` are optimised by backpropagation through the neural
painter to maximise one class's logit, averaged over an ensemble of classifiers and over
randomly transformed copies of the painting (Lucid's transformation robustness). The result
is then judged without transforms, in the neural painter and, repainted stroke for stroke, in
MyPaint: the real program is the check that the painting is not an artefact of the painter.

    from paint_gym.param import visualize_class
    result = visualize_class("pineapple", ["lite0", "lite1", "lite2"])
    result.probability, result.probability_mypaint
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
import torch
from torch import nn

from ..canvas import to_float_tensor
from ..validation import Bound, CanvasSize, NonNegativeInt, OneOf, PositiveFloat, PositiveInt
from .canvas_grid import StrokeGrid, check_gradients, check_parameters, checked_loss, grid_for
from .classifiers import IMAGENET_DEFAULT, ClassifierEnsemble, load_ensemble
from .grid_config import StrokeGridConfig
from .imagenet import NUM_CLASSES, class_index, class_name
from .transforms import Transform, standard_transforms

OBJECTIVES = ("logit", "log_prob")


@dataclass
class VisualizeConfig(StrokeGridConfig):
    """Hyperparameters of one class visualization (defaults as in the README's figure): the
    strokes' settings (:class:`~paint_gym.param.grid_config.StrokeGridConfig`) and the objective."""

    size: CanvasSize = 224
    steps: NonNegativeInt = 200
    lr: PositiveFloat = 0.05
    copies: PositiveInt = 4
    """Randomly transformed copies of the painting the classifiers see per step."""
    objective: Annotated[str, OneOf(OBJECTIVES)] = "logit"
    """What is maximised: 'logit' (the paper's) or 'log_prob' (the softmax's log)."""
    transforms: bool = True
    """Jitter, scale and rotate the copies (Lucid-style robustness; without them results look adversarial)."""
    tile_fraction: Annotated[float, Bound(0, 1, open_low=True)] = 1.0
    """Below 1: the classifiers also see random tiles of this fraction of the side."""


@dataclass
class Visualization:
    """The result: the strokes, the paintings and how sure the ensemble is of them."""

    grid: StrokeGrid
    target: int
    label: str
    losses: list[float]
    image: np.ndarray  # uint8 (H, W, 3), neural painter
    probability: float  # ensemble's mean probability of the target, no transforms
    mypaint: np.ndarray | None = None  # uint8 (H, W, 3): the same strokes painted by MyPaint
    probability_mypaint: float | None = None
    top: list[tuple[str, float]] = field(default_factory=list)  # ensemble's top-3 for the neural painting


def resolve_target(target: int | str, num_classes: int) -> tuple[int, str]:
    """Index and label of ``target`` for a classifier with ``num_classes`` outputs: ImageNet
    names when there are 1000 classes, otherwise an index (``3`` or ``"3"``)."""
    if num_classes == NUM_CLASSES:
        index = class_index(target)
        return index, class_name(index)
    text = str(target).strip()
    if isinstance(target, bool) or not text.lstrip("-").isdigit():
        raise ValueError(
            f"class names are ImageNet's; this classifier has {num_classes} classes: pass an index 0-{num_classes - 1}"
        )
    index = int(text)
    if not 0 <= index < num_classes:
        raise ValueError(f"class index {index} is outside 0-{num_classes - 1} for this classifier")
    return index, str(index)


def _as_ensemble(classifiers: str | nn.Module | Sequence[str | nn.Module]) -> ClassifierEnsemble:
    return classifiers if isinstance(classifiers, ClassifierEnsemble) else load_ensemble(classifiers)


def class_probability(ensemble: ClassifierEnsemble, image: np.ndarray | torch.Tensor, target: int) -> float:
    """Mean ensemble probability of class ``target`` for one image: uint8 numpy ``(H, W, 3)`` or a
    float tensor ``(1, 3, H, W)`` / ``(3, H, W)`` in [0, 1] (also one that requires grad).
    Raises ``ValueError`` for other layouts or dtypes (a float numpy image is ambiguous: pass
    uint8) and for a class index outside the classifiers' outputs."""
    if isinstance(image, torch.Tensor):
        x = image.detach()
        x = x[None] if x.ndim == 3 else x
        if x.ndim != 4 or x.shape[:2] != (1, 3) or not x.is_floating_point():
            raise ValueError(f"a tensor image must be float (1, 3, H, W) in [0, 1]; got {x.dtype} {tuple(x.shape)}")
    else:
        arr = np.asarray(image)
        if arr.ndim != 3 or arr.shape[-1] != 3 or arr.dtype != np.uint8:
            raise ValueError(
                f"a numpy image must be uint8 (H, W, 3); got {arr.dtype} "
                f"{arr.shape} (torch tensors: float (1, 3, H, W))"
            )
        x = to_float_tensor(arr)[None]
    probs = ensemble.probabilities(x)
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target < probs.shape[-1]:
        raise ValueError(f"target must be a class index in 0..{probs.shape[-1] - 1}; got {target!r}")
    return float(probs[0, target])


def class_loss(logits: torch.Tensor, target: int, objective: str = "logit") -> torch.Tensor:
    """Minus the target's logit (or log-probability), averaged over members and copies ``(M, B, C)``."""
    if objective == "log_prob":
        return -logits.log_softmax(dim=-1)[..., target].mean()
    return -logits[..., target].mean()


def visualize_class(
    target: int | str,
    classifiers: str | nn.Module | Sequence[str | nn.Module] = IMAGENET_DEFAULT,
    config: VisualizeConfig | None = None,
    *,
    grid: StrokeGrid | None = None,
    transform: Transform | None = None,
    check_mypaint: bool = True,
    progress: bool = True,
) -> Visualization:
    """Paint ``target`` (ImageNet index or name; an index for other classifiers) with strokes.

    ``classifiers``: names (``"lite0,lite1,lite2"``, ``"mnist"``), an ensemble or any
    ``nn.Module`` mapping ``(B, 3, H, W)`` in [0, 1] to logits. ``grid`` continues optimising
    given strokes (a previous result's ``grid``; the stroke settings of ``config`` are then
    ignored; it must paint one image, ``batch=1``). ``transform`` replaces the standard
    robustness transforms. Raises ``ValueError`` for an unknown class, bad settings or a loss
    that is NaN or inf before any update (the classifiers), and
    :class:`paint_gym.errors.TrainingDivergedError` if it becomes so later (step, loss, lr).
    """
    from tqdm.auto import tqdm

    cfg = config or VisualizeConfig()
    ensemble = _as_ensemble(classifiers)
    if grid is None:
        grid = grid_for(cfg)
    elif grid.batch != 1:
        raise ValueError(f"visualize_class paints one image: build the grid with batch=1 (got batch={grid.batch})")
    with torch.no_grad():
        num_classes = ensemble(grid()).shape[-1]
    index, label = resolve_target(target, num_classes)
    if transform is None and cfg.transforms:
        transform = standard_transforms(max(grid.layout.shape), cfg.tile_fraction)
    gen = torch.Generator().manual_seed(cfg.seed)
    opt = torch.optim.Adam(grid.params, lr=cfg.lr)
    losses: list[float] = []
    bar = tqdm(range(cfg.steps), desc=f"painting {label!r}", disable=not progress, leave=False)
    for step in bar:
        image = grid().expand(cfg.copies, -1, -1, -1)
        loss = class_loss(ensemble(transform(image, gen) if transform else image), index, cfg.objective)
        value = checked_loss(loss, step, cfg.lr, "class visualization")
        opt.zero_grad()
        loss.backward()
        check_gradients(grid, step, cfg.lr, "class visualization")
        opt.step()
        check_parameters(grid, step, cfg.lr, "class visualization", value)
        losses.append(value)
        bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
    return _judge(grid, ensemble, index, label, losses, cfg.mypaint_seed if check_mypaint else None)


def _judge(
    grid: StrokeGrid,
    ensemble: ClassifierEnsemble,
    index: int,
    label: str,
    losses: list[float],
    mypaint_seed: int | None,
) -> Visualization:
    """Evaluate the final painting without transforms, in the neural painter and in MyPaint."""
    with torch.no_grad():
        painting = grid()
        probs = ensemble.probabilities(painting)[0]
    names = (lambda i: class_name(i)) if probs.shape[-1] == NUM_CLASSES else str
    top = [(names(int(i)), float(p)) for p, i in zip(*probs.topk(min(3, probs.shape[-1])), strict=True)]
    result = Visualization(grid, index, label, losses, grid.image_uint8()[0], float(probs[index]), top=top)
    if mypaint_seed is not None:
        result.mypaint = grid.render_mypaint(seed=mypaint_seed)[0]
        result.probability_mypaint = class_probability(ensemble, result.mypaint, index)
    return result
