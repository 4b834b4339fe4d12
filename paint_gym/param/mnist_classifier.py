"""A small MNIST classifier, shipped, for painting "the optimal 3" (paper section 5).

It reads paintings as the envs show digits, dark ink on a white canvas of any size, so a
painting needs no conversion: ``(B, 3, H, W)`` in [0, 1] -> grey -> ink (1 - grey) -> 28 px.
Trained with small random shifts, scales and rotations, so the strokes that maximise its logit
have to look like a digit from a little way off, not one pixel pattern.

Train (about 3 minutes on 2 CPU cores) and, as a maintainer, ship into the repository's weights::

    python scripts/ship_weights.py classifier --minutes 3
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..canvas import to_float
from ..checkpoint import float_state, read_checkpoint
from ..shipped_weights import verified_path

NAME = "mnist_classifier"
MEAN, STD = 0.1307, 0.3081  # of MNIST ink in [0, 1]


class MnistNet(nn.Module):
    """Three 3x3 conv stages (16, 32, 64 channels) and a linear layer: paintings -> 10 logits."""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
        )
        self.fc = nn.Linear(64 * 7 * 7, 10)
        self.name = "mnist"

    @staticmethod
    def ink(images: torch.Tensor) -> torch.Tensor:
        """Dark-on-white RGB ``(B, 3, H, W)`` in [0, 1] -> normalised 28 px ink ``(B, 1, 28, 28)``."""
        ink = 1.0 - images.mean(dim=1, keepdim=True)
        if ink.shape[-1] != 28 or ink.shape[-2] != 28:
            ink = F.interpolate(ink, size=(28, 28), mode="bilinear", align_corners=False, antialias=ink.shape[-1] > 28)
        return (ink - MEAN) / STD

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.fc(self.convs(self.ink(images)).flatten(1))


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random shift (+-3 px), scale (0.85-1.15) and rotation (+-15 deg) of ``(B, C, 28, 28)``."""
    b = x.shape[0]

    def u(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(b, generator=gen)

    angle, scale = u(-math.pi / 12, math.pi / 12), u(0.85, 1.15)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, u(-0.2, 0.2)], 1), torch.stack([sin, cos, u(-0.2, 0.2)], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return 1.0 - F.grid_sample(1.0 - x, grid, align_corners=False)  # pad with white paper


def _as_paintings(digits: np.ndarray) -> torch.Tensor:
    """uint8 MNIST ``(N, 28, 28)`` (white ink on black) -> dark-on-white RGB ``(N, 3, 28, 28)``."""
    grey = 1.0 - torch.from_numpy(to_float(digits))
    return grey[:, None].expand(-1, 3, -1, -1)


@torch.no_grad()
def accuracy(model: nn.Module, digits: np.ndarray, labels: np.ndarray, batch: int = 1000) -> float:
    """Top-1 accuracy on uint8 MNIST digits ``(N, 28, 28)``."""
    model.eval()
    hits = 0
    for i in range(0, len(digits), batch):
        hits += int(
            (model(_as_paintings(digits[i : i + batch])).argmax(1) == torch.as_tensor(labels[i : i + batch])).sum()
        )
    return hits / len(digits)


def train(
    minutes: float = 3.0,
    seed: int = 0,
    batch: int = 128,
    lr: float = 2e-3,
    data_dir: str | None = None,
    progress: bool = True,
) -> tuple[MnistNet, dict]:
    """Train on the official MNIST training split for ``minutes`` (Adam, augmented)."""
    from tqdm.auto import tqdm

    from ..data import load_arrays, split_arrays

    arrays = load_arrays("mnist", data_dir)
    x_train, y_train = split_arrays("mnist", "train", arrays)
    x_test, y_test = split_arrays("mnist", "eval", arrays)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = MnistNet()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt, yt = _as_paintings(x_train), torch.as_tensor(y_train)
    start, step = time.perf_counter(), 0
    bar = tqdm(total=int(minutes * 60), desc="training the MNIST classifier", unit="s", disable=not progress)
    while (elapsed := time.perf_counter() - start) < minutes * 60:
        model.train()
        idx = torch.randint(len(xt), (batch,), generator=gen)
        for group in opt.param_groups:  # cosine decay over the time budget
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * min(elapsed / (minutes * 60), 1.0)))
        loss = F.cross_entropy(model(_augment(xt[idx], gen)), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        bar.n = int(elapsed)
        bar.set_postfix(step=step, loss=f"{loss.item():.3f}", refresh=False)
        bar.refresh() if step % 50 == 0 else None
    bar.close()
    stats = {
        "steps": step,
        "training_minutes": round((time.perf_counter() - start) / 60, 2),
        "test_accuracy": accuracy(model, x_test, y_test),
    }
    return model.eval(), stats


def load_mnist_classifier(device: str | torch.device = "cpu") -> MnistNet:
    """The shipped classifier (eval mode, frozen), verified against its SHA-256 in the MANIFEST."""
    path = verified_path(
        NAME,
        f"the MNIST classifier ({NAME} in the weights MANIFEST) is missing; reinstall paint-gym or retrain it with "
        "`python scripts/ship_weights.py classifier`",
    )
    model = MnistNet()
    model.load_state_dict(float_state(read_checkpoint(path, "MNIST classifier checkpoint")))
    for p in model.parameters():
        p.requires_grad_(False)
    return model.to(device).eval()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the MNIST classifier used for 'the optimal 3'.")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--out", default=None, help="also save the float32 state dict here")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model, stats = train(args.minutes, args.seed)
    print(
        f"MNIST classifier: {stats['steps']} steps in {stats['training_minutes']} "
        f"min, test accuracy {stats['test_accuracy']:.4f}"
    )
    if args.out:
        torch.save(model.state_dict(), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
