"""First guesses of a tile's strokes, before refinement: from an agent, or placed where the error is.

An **agent** is any object with ``paint(targets)`` (uint8 ``(B, 64, 64, 3)`` -> float32
``(B, T, 12)``), such as the shipped ``celeba30`` agent (``paint_gym_agents.load_agent``): it
paints each tile's target from a blank canvas in one forward pass; a tile that needs more strokes
than the agent gives gets the rest from :func:`error_guess`. The library does not import the
agents: the caller passes one (the ``paint-gym paint`` command does).

:func:`error_guess` needs nothing learnt: it puts strokes where the canvas differs most from the
target, each in the target's colour there, across the image's gradient (along its edges), sized
so that the tile's strokes cover it.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import torch

from .. import actions as act

#: Side in px of the tiles an agent paints (the shipped agents' canvas).
AGENT_SIZE = 64
#: How many times over :func:`error_guess`'s strokes cover a tile together (strokes 3 radii long).
COVER = 0.25


class FirstGuess(Protocol):
    """What paints a first guess: the plug-in agent protocol's ``paint``."""

    def paint(self, targets: np.ndarray) -> np.ndarray: ...


def error_guess(
    targets: torch.Tensor, canvases: torch.Tensor, strokes: int, generator: torch.Generator
) -> torch.Tensor:
    """``strokes`` strokes per tile ``(B, strokes, 12)`` in [-1, 1] for targets and current
    canvases ``(B, r, r, 3)`` in [0, 1] (channels last): centres drawn with probability
    proportional to the squared error (blurred), colour the target's there, direction across the
    target's gradient, radius such that the strokes together cover the tile about twice."""
    b, r = targets.shape[0], targets.shape[1]
    err = (targets - canvases).pow(2).sum(-1)  # (B, r, r)
    err = torch.nn.functional.avg_pool2d(err[:, None], 5, stride=1, padding=2)[:, 0] + 1e-4
    idx = torch.multinomial(err.reshape(b, -1), strokes, replacement=strokes > r * r, generator=generator)
    ys, xs = (idx // r).float() + 0.5, (idx % r).float() + 0.5  # (B, T) px
    grey = targets.mean(-1)
    gy = torch.zeros_like(grey)
    gx = torch.zeros_like(grey)
    gy[:, 1:-1] = grey[:, 2:] - grey[:, :-2]
    gx[:, :, 1:-1] = grey[:, :, 2:] - grey[:, :, :-2]
    gy = torch.nn.functional.avg_pool2d(gy[:, None], 5, stride=1, padding=2)[:, 0].reshape(b, -1).gather(1, idx)
    gx = torch.nn.functional.avg_pool2d(gx[:, None], 5, stride=1, padding=2)[:, 0].reshape(b, -1).gather(1, idx)
    angle = torch.atan2(gy, gx) + torch.pi / 2  # along the edge
    angle = angle + 0.3 * torch.randn(angle.shape, generator=generator)
    # strokes of length ~3 radii covering the tile COVER times: COVER r^2 = T x 6 radius^2
    radius = (COVER * r * r / (6.0 * strokes)) ** 0.5 * torch.exp(0.3 * torch.randn(b, strokes, generator=generator))
    r_min, r_max = act.radius_range(r)
    radius = radius.clamp(r_min, r_max)
    half = 1.5 * radius
    dx, dy = half * torch.cos(angle), half * torch.sin(angle)
    colour = targets.reshape(b, -1, 3).gather(1, idx[..., None].expand(-1, -1, 3))
    out = torch.zeros(b, strokes, act.ACTION_DIM)
    out[..., act.START_PRESSURE] = 0.6
    out[..., act.END_PRESSURE] = 0.6
    out[..., act.SIZE] = 2 * torch.log(radius / r_min) / np.log(r_max / r_min) - 1
    out[..., act.COLOR] = colour * 2 - 1
    for x_field, y_field, sign in ((act.START_X, act.START_Y, -1.0), (act.CONTROL_X, act.CONTROL_Y, 0.0)):
        out[..., x_field] = (xs + sign * dx) / r * 2 - 1
        out[..., y_field] = (ys + sign * dy) / r * 2 - 1
    out[..., act.END_X] = (xs + dx) / r * 2 - 1
    out[..., act.END_Y] = (ys + dy) / r * 2 - 1
    return out.clamp(-0.98, 0.98)


def agent_guess(
    agent: FirstGuess, targets: torch.Tensor, canvases: torch.Tensor, strokes: int, generator: torch.Generator
) -> torch.Tensor:
    """The agent's strokes for each tile (the first ``strokes`` of them; more from
    :func:`error_guess` when the agent paints fewer): ``(B, strokes, 12)``. ``targets`` and
    ``canvases`` ``(B, r, r, 3)`` in [0, 1]; the agent sees each target at :data:`AGENT_SIZE` px."""
    small = targets
    if targets.shape[1] != AGENT_SIZE:
        small = torch.nn.functional.interpolate(
            targets.permute(0, 3, 1, 2), size=(AGENT_SIZE, AGENT_SIZE), mode="bilinear", antialias=True
        ).permute(0, 2, 3, 1)
    images = (small.clamp(0, 1) * 255 + 0.5).to(torch.uint8).numpy()
    painted = np.asarray(act.to_numpy(agent.paint(images)), np.float32)
    if painted.ndim != 3 or painted.shape[0] != len(targets) or painted.shape[2] != act.ACTION_DIM:
        raise ValueError(
            f"the first guess's paint() must return (B, T, 12) for B = {len(targets)}; got {painted.shape}"
        )
    out = torch.as_tensor(np.clip(painted[:, :strokes], -0.98, 0.98))
    if out.shape[1] < strokes:
        out = torch.cat([out, error_guess(targets, canvases, strokes - out.shape[1], generator)], 1)
    return out


def first_guess(
    guess: Any, targets: torch.Tensor, canvases: torch.Tensor, strokes: int, generator: torch.Generator
) -> torch.Tensor:
    """:func:`agent_guess` with ``guess`` (an object with ``paint``), or :func:`error_guess` for None."""
    if guess is None:
        return error_guess(targets, canvases, strokes, generator)
    return agent_guess(guess, targets, canvases, strokes, generator)


__all__ = ["AGENT_SIZE", "FirstGuess", "agent_guess", "error_guess", "first_guess"]
