"""Training batches of stroke data for the neural painters (:mod:`paint_gym.painters.train`).

:class:`StrokeBatches` holds a stroke data folder (:func:`paint_gym.painters.strokes.load`) in
memory and draws seeded random batches of (actions ``(B, 12)``, mean alpha over the brush seeds
``(B, H, W)``, their variance, one single seed's render), the last ``holdout`` actions held out
for evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from . import strokes as stroke_data
from .mypaint import DEFAULT_BRUSH


class StrokeBatches:
    """Random batches of (actions, mean alpha, variance across seeds, one single render)."""

    def __init__(self, folder: str, holdout: int, seed: int) -> None:
        actions, alpha = stroke_data.load(folder)
        if alpha.shape[0] < 2:
            raise ValueError("stroke data needs at least 2 seeds per action to learn the variance")
        self.actions = torch.from_numpy(actions)
        self.alpha = torch.from_numpy(alpha)  # (K, N, H, W) uint8
        self.train_n = len(actions) - holdout
        if self.train_n < 1:
            raise ValueError(
                f"holdout ({holdout}) must be smaller than the {len(actions)} "
                f"strokes in {folder}; lower holdout or generate more data"
            )
        self.gen = torch.Generator().manual_seed(seed)
        meta = Path(folder) / "meta.json"
        self.brush = json.loads(meta.read_text()).get("brush", DEFAULT_BRUSH) if meta.is_file() else DEFAULT_BRUSH

    def get(self, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        renders = self.alpha[:, index].float() / 255.0  # (K, B, H, W)
        single = renders[torch.randint(renders.shape[0], (1,), generator=self.gen).item()]
        mean = renders.mean(0)
        # the unbiased variance over the seeds, written out: torch.var over a leading dim of 2-4
        # took 68% of a dab painter's training step (profiled: 139 of 203 ms at batch 256)
        var = (renders - mean).pow(2).sum(0) / (renders.shape[0] - 1)
        return self.actions[index], mean, var, single

    def sample(self, batch: int) -> tuple[torch.Tensor, ...]:
        return self.get(torch.randint(self.train_n, (batch,), generator=self.gen))

    def holdout(self) -> tuple[torch.Tensor, ...]:
        return self.get(torch.arange(self.train_n, len(self.actions)))

    def holdout_actions(self, n: int) -> torch.Tensor:
        """The first ``n`` held-out actions ``(n, 12)`` (a fixed probe batch)."""
        return self.actions[self.train_n : self.train_n + n]


__all__ = ["StrokeBatches"]
