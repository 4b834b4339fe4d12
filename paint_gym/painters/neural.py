"""Neural painters: networks that imitate MyPaint, so that painting becomes differentiable.

Both map a stroke action ``(B, 12)`` to the stroke's alpha map ``(B, H, W)`` and to its
per-pixel variance across brush seeds (the real brush is random), as ``torch.nn.Module``s,
batched and differentiable with respect to the actions:

* :class:`VAEPainter` (paper 2.2) - a convolutional VAE learns a latent space of strokes; a
  separate MLP maps actions to the latent; the VAE's decoder renders.
* :class:`GANPainter` (paper 2.3) - a conditional generator from action to stroke (no noise
  input), trained against a critic on (stroke, action) pairs with WGAN-GP.

The colour channels of an action do not change where paint lands (the supported brushes do
not smudge), so the painters read only the 9 geometric entries; compositing applies the colour.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .. import actions as act
from ..canvas import action_tensor
from ..checkpoint import CheckpointError, describe_payload, float_state, read_checkpoint, write_painter_checkpoint
from ..shipped_weights import verified_path
from ..validation import CanvasSize, PositiveInt, ValidatedConfig
from .dab import DabPainter
from .gate import gate_moments

#: Action entries a painter sees: pressures, size and the six coordinates (not the colour).
GEOMETRY = [act.START_PRESSURE, act.END_PRESSURE, act.SIZE, *range(act.START_X, act.END_Y + 1)]
#: Mean alpha of a random dry_brush stroke on a 64 px canvas (measured): the output bias starts
#: at its logit, or an MSE-trained sigmoid collapses to all zeros.
MEAN_ALPHA = 0.08


@dataclass(frozen=True)
class PainterConfig(ValidatedConfig):
    """Architecture of a neural painter (saved inside every checkpoint). Whole numbers are
    stored as ints (``64.0`` from a JSON file is 64; ``64.5`` raises ``ValueError``)."""

    kind: str = "gan"  # "gan" or "vae"
    canvas_size: CanvasSize = 64
    width: PositiveInt = 32  # channels of the decoder's 8x8 grid
    hidden: PositiveInt = 512  # MLP width
    latent: PositiveInt = 32  # VAE latent size


def geometry_actions(geometry: torch.Tensor) -> torch.Tensor:
    """Full actions ``(B, 12)`` (colour 0) from the painters' geometric inputs ``(B, 9)``."""
    full = geometry.new_zeros(geometry.shape[0], act.ACTION_DIM)
    return full.index_copy(1, torch.as_tensor(GEOMETRY, device=geometry.device), geometry)


def _act(x: torch.Tensor) -> torch.Tensor:
    return nn.functional.leaky_relu(x, 0.2)


class StrokeDecoder(nn.Module):
    """Features ``(B, D)`` -> mean alpha and variance of alpha ``(B, H, W)`` each.

    A linear layer to an 8x8 grid, then stages of two 3x3 convolutions and a pixel shuffle
    that doubles the resolution (cheap on a CPU, as in Learning to Paint's renderer). The
    variance is predicted as a fraction of its maximum ``mean (1 - mean)`` (the variance of a
    [0, 1] quantity with that mean), so it is valid by construction.
    """

    def __init__(self, in_dim: int, canvas_size: int = 64, width: int = 32) -> None:
        super().__init__()
        stages = int(round(math.log2(canvas_size / 8)))
        if 8 * 2**stages != canvas_size:
            raise ValueError(f"canvas_size must be 8 * 2**k; got {canvas_size}")
        self.c0 = width
        self.fc = nn.Linear(in_dim, width * 64)
        layers: list[nn.Module] = []
        c = width
        for i in range(stages):
            c2 = max(2 * width // 2**i, 32)  # 64, 64, 32 for width 32 at 64 px
            layers += [
                nn.Conv2d(c, c2, 3, padding=1),
                nn.LeakyReLU(0.2),
                nn.Conv2d(c2, c2, 3, padding=1),
                nn.LeakyReLU(0.2),
                nn.PixelShuffle(2),
            ]
            c = c2 // 4
        layers += [nn.Conv2d(c, c, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(c, 2, 3, padding=1)]
        self.body = nn.Sequential(*layers)
        out = layers[-1]
        with torch.no_grad():
            out.bias[0] = math.log(MEAN_ALPHA / (1 - MEAN_ALPHA))
            out.bias[1] = -1.0

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self.body(_act(self.fc(features)).view(-1, self.c0, 8, 8))
        mean = torch.sigmoid(logits[:, 0])
        var = torch.sigmoid(logits[:, 1]) * mean * (1 - mean)
        return mean, var


def action_mlp(out_dim: int, hidden: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(len(GEOMETRY), hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden, hidden),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden, out_dim),
    )


class NeuralPainter(nn.Module):
    """What both neural painters share: input checks, ``render_alpha`` and saving."""

    config: PainterConfig

    @property
    def canvas_size(self) -> int:
        return self.config.canvas_size

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def geometry(self, actions: torch.Tensor) -> torch.Tensor:
        """Geometric inputs ``(B, 9)`` float32 of actions ``(B, 12)``, clipped to [-1, 1].

        Only static properties are checked here (shape and dtype raise ``ValueError``): this is
        the painter's traced path, so it must run under ``torch.func.vmap`` and
        ``torch.compile(fullgraph=True)``, where a data-dependent check such as
        ``torch.isfinite(actions).all()`` cannot be branched on. NaN or inf in a tensor
        therefore gives NaN alpha; the public entry points (``paint_differentiable``,
        ``expected_mse``, ``replay``, the envs, the agents' trainers) check values and raise
        ``ValueError`` there. Non-tensor inputs (numpy, lists) are not traced and are validated
        in full by :func:`paint_gym.actions.validate_actions` (:func:`paint_gym.canvas.action_tensor`).
        """
        return action_tensor(actions, 2, self.device, values=False).float().clamp(-1, 1)[:, GEOMETRY]

    #: Strokes rendered per chunk: on a CPU, batches beyond this overflow the caches and slow
    #: down (the measurement: docs/painters.md).
    chunk: int = 64

    def render_alpha(
        self, actions: torch.Tensor, return_var: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Alpha ``(B, H, W)`` in [0, 1] of strokes ``(B, 12)``; with ``return_var``, also the
        per-pixel variance of alpha across brush seeds. Differentiable; large batches are
        rendered in chunks of ``chunk`` strokes."""
        if len(actions) <= self.chunk or self.device.type != "cpu":
            mean, var = self(actions)
        else:
            parts = [self(actions[i : i + self.chunk]) for i in range(0, len(actions), self.chunk)]
            mean, var = torch.cat([m for m, _ in parts]), torch.cat([v for _, v in parts])
        return (mean, var) if return_var else mean

    def sample(self, actions: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """One random stroke ``(B, H, W)`` in [0, 1] per action: ``mean + sqrt(var) * noise``, one
        standard normal per pixel drawn from ``generator`` (on the painter's device), clipped to
        [0, 1]. The VAE and GAN predict only the per-pixel moments across brush seeds, not the
        brush's texture: the pixels of a sample are independent, and clipping pulls the mean of
        many samples toward 0.5 where the variance is large (the dab painter samples real dab
        jitter instead). Where the variance is 0 (no paint) the sample is the mean exactly, and
        gradients with respect to the actions stay finite."""
        mean, var = self.render_alpha(actions, return_var=True)
        gen = {"generator": generator} if generator is not None else {}
        noise = torch.randn(mean.shape, device=mean.device, dtype=mean.dtype, **gen)
        live = var > 0
        std = torch.where(live, torch.sqrt(torch.where(live, var, torch.ones_like(var))), torch.zeros_like(var))
        return (mean + std * noise).clamp(0, 1)

    def save(self, path: str | os.PathLike, half: bool = True, extra: dict[str, Any] | None = None) -> str:
        """Write an inference checkpoint (float16 by default); returns its SHA-256."""
        return write_painter_checkpoint(self.config, self.state_dict(), path, half, extra)


class GANPainter(NeuralPainter):
    """Conditional generator: action -> stroke (mean and variance); trained with WGAN-GP."""

    def __init__(self, config: PainterConfig = PainterConfig(kind="gan")) -> None:
        super().__init__()
        self.config = config
        self.embed = action_mlp(config.hidden, config.hidden)
        self.decoder = StrokeDecoder(config.hidden, config.canvas_size, config.width)

    def forward(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        geometry = self.geometry(actions)
        return gate_moments(geometry_actions(geometry), *self.decoder(_act(self.embed(geometry))))


class StrokeEncoder(nn.Module):
    """Stroke ``(B, H, W)`` -> Gaussian posterior ``(mu, logvar)`` over the VAE latent."""

    def __init__(self, latent: int, canvas_size: int = 64, width: int = 32) -> None:
        super().__init__()
        stages = int(round(math.log2(canvas_size / 4)))
        channels = [1] + [min(width * 2**i // 2, 2 * width) for i in range(stages)]  # 16, 32, 64, 64
        self.convs = nn.ModuleList(nn.Conv2d(channels[i], channels[i + 1], 4, 2, 1) for i in range(stages))
        self.fc = nn.Linear(channels[-1] * 16, 2 * latent)

    def forward(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = strokes[:, None]
        for conv in self.convs:
            x = _act(conv(x))
        mu, logvar = self.fc(x.flatten(1)).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 10)


class VAEPainter(NeuralPainter):
    """A stroke VAE (encoder + decoder) plus an MLP from actions to its latent space."""

    def __init__(self, config: PainterConfig = PainterConfig(kind="vae")) -> None:
        super().__init__()
        self.config = config
        self.encoder = StrokeEncoder(config.latent, config.canvas_size, config.width)
        self.decoder = StrokeDecoder(config.latent, config.canvas_size, config.width)
        self.to_latent = action_mlp(config.latent, config.hidden)

    def forward(self, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        geometry = self.geometry(actions)
        return gate_moments(geometry_actions(geometry), *self.decoder(self.to_latent(geometry)))

    def autoencode(self, strokes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Stage 1: reconstruct strokes through a sampled latent; returns mean, var, mu, logvar."""
        mu, logvar = self.encoder(strokes)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        mean, var = self.decoder(z)
        return mean, var, mu, logvar


PAINTER_CLASSES: dict[str, type[NeuralPainter]] = {"gan": GANPainter, "vae": VAEPainter}


def build_painter(config: PainterConfig) -> NeuralPainter:
    if config.kind not in PAINTER_CLASSES:
        raise ValueError(f"unknown painter kind {config.kind!r}; choose one of {sorted(PAINTER_CLASSES)}")
    return PAINTER_CLASSES[config.kind](config)


def load_checkpoint(
    path: str | os.PathLike, sha256: str | None = None, device: str | torch.device = "cpu"
) -> NeuralPainter | DabPainter:
    """Load a painter saved by :meth:`NeuralPainter.save` or :meth:`DabPainter.save`
    (``weights_only=True``), in eval mode; the kind stored in its config says which.

    When ``sha256`` is given the file must match it. Raises ``FileNotFoundError`` and
    :class:`paint_gym.checkpoint.CheckpointError` (corrupt, tampered or not a painter), naming
    what the file holds (an agent's checkpoint, another torch file, an empty or cut file).
    """

    def build(payload: dict[str, Any]) -> NeuralPainter | DabPainter:
        config = payload.get("config")
        if not isinstance(config, dict) or config.get("kind") not in (*PAINTER_CLASSES, "dab"):
            agent = isinstance(payload.get("kind"), str)
            raise CheckpointError(
                f"{path} holds {describe_payload(payload)}, not a painter checkpoint (the painter.pt of "
                f"`paint-gym train-painter`, kind {', '.join((*PAINTER_CLASSES, 'dab'))}): "
                + ("load an agent with paint_gym_agents.load_agent" if agent else "give a painter's checkpoint")
            )
        if config["kind"] == "dab":
            return DabPainter.from_payload(payload)
        painter = build_painter(PainterConfig(**payload["config"]))
        painter.load_state_dict(float_state(payload["state_dict"]))
        return painter

    painter = read_checkpoint(
        path, "painter checkpoint", build, sha256=sha256, missing=f"no painter checkpoint at {path}"
    )
    return painter.to(device).eval()


def load_neural_painter(name: str, device: str | torch.device = "cpu") -> NeuralPainter:
    """A shipped painter by name (``"gan"`` or ``"vae"``), verified against the MANIFEST."""
    path = verified_path(
        f"{name}_painter",
        f"no shipped {name!r} painter; train one with `paint-gym train-painter --kind {name}` "
        "and load it by its path, or reinstall paint-gym",
    )
    return load_checkpoint(path, device=device)
