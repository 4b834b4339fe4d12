"""The backprop adversarial agent: an LSTM painter trained *through* a neural painter.

CleanRL-style: one file holds the hyperparameters (:class:`BackpropConfig`), the network
(:class:`BackpropPolicy`), the inference wrapper (:class:`BackpropAgent`) and the training loop
(:class:`BackpropTrainer`). At each of T steps the agent sees the target, the current canvas and
its previous stroke and emits the next stroke; the neural painter renders it differentiably,
so a loss on the final canvas trains the agent by plain backpropagation (paper section 3).

    agent = BackpropAgent.train(BackpropConfig(dataset="mnist", steps=3000), run_dir="runs/agent")
    strokes = agent.paint(targets)            # uint8 (B, H, W, 3) -> float32 (B, T, 12)
    agent = BackpropAgent.load("runs/agent/agent.pt")

Objectives (combine with weights):

* ``pixel="expected"`` - the expected MSE over brush seeds of painting the strokes with the real
  program (:func:`paint_gym.expected_mse`): the painter's variance head prices in the brush's
  randomness, so the agent avoids strokes that only look right in the noise-free neural canvas.
* ``pixel="mse"`` - MSE of the neural (mean) canvas; ``pixel="none"`` with ``adversarial > 0``
  is the pure adversarial agent of the paper.
* ``adversarial`` - weight of the conditional WGAN-GP critic's score of (canvas, target)
  (:mod:`paint_gym_agents.discriminator`).
* ``template`` - weight of the action-space MSE to a per-class stroke template (preconditioning,
  paper section 4; :mod:`paint_gym_agents.precondition`).

Training stops after ``steps`` optimisation steps or ``minutes`` of training, or, on a
wall-clock budget (``train(config, budget_seconds)``, the reconstruction benchmark), when
:func:`paint_gym.benchmark.budget.run_for_budget`'s clock runs out, as for every method.
It evaluates every ``eval_every`` steps (or ``eval_minutes`` of training) on ``eval_images``
held out of the training split (``eval_split="validation"``) and keeps the best as ``agent.pt``,
so the evaluation split stays unseen until the agent is scored. ``device="cuda"`` trains on a GPU.

Data-parallel: run the same command under ``torchrun --nproc_per_node=N``. Each rank draws its
own batches; the agent is wrapped in ``DistributedDataParallel`` and the critic's gradients
are averaged with ``all_reduce`` (DDP cannot wrap it: the gradient penalty needs a double
backward). Rank 0 evaluates, logs and checkpoints.

Divergence (e.g. a learning rate of 1e30) stops training with
:class:`paint_gym.errors.TrainingDivergedError` naming the step, the value and the learning rate:
the agent's strokes, the losses and the gradient norms are checked every step, the weights and
a probe painting before every checkpoint, so ``checkpoint.pt`` keeps the last good state. A
resumed run uses the config's learning rates (not the ones saved with the optimiser); only the
fields in :data:`RESUME_MAY_CHANGE` may differ from the checkpoint's config.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from tqdm import tqdm

from paint_gym.actions import ACTION_DIM, colors_of
from paint_gym.benchmark.budget import EvalSchedule, Point, mean_rows, points_from_json, run_for_budget
from paint_gym.benchmark.evaluation import replay_mse
from paint_gym.benchmark.protocol import check_targets
from paint_gym.benchmark.reference import REFINE_LR, refine_strokes
from paint_gym.canvas import (
    background_rgb,
    composite_moments,
    mse,
    mse_of_moments,
    mse_uint8,
    to_float_tensor,
    to_uint8_array,
)
from paint_gym.checkpoint import (
    check_resume,
    config_from_json,
    config_to_json,
    float_state,
    half_state,
    read_checkpoint,
    write_checkpoint,
)
from paint_gym.data import DATASETS, ImageTargets
from paint_gym.devices import check_device
from paint_gym.errors import (
    DivergenceChecks,
    NonFiniteOutputError,
    TrainingDivergedError,
    check_finite_tensors,
)
from paint_gym.painters.base import DEFAULT_PAINTER, DifferentiablePainter
from paint_gym.painters.load import PainterLike, as_numpy, load_painter, module_device
from paint_gym.runlog import CURVES_PNG, LOG_CSV, curves_figure, plot_columns, write_log_csv
from paint_gym.shipped_weights import read_manifest, verified_path
from paint_gym.validation import check_background, check_canvas_size, check_choice, check_float, check_int, check_seeds

from .base import info_of, read_agent_checkpoint, run_progress, train_with, write_agent_checkpoint
from .discriminator import PairCritic, critic_loss
from .precondition import load_templates

PIXEL_OBJECTIVES = ("expected", "mse", "none")
#: Where training's evaluation images come from (see :attr:`BackpropConfig.eval_split`).
EVAL_SPLITS = ("validation", "eval")
#: BackpropConfig fields that may change when a run resumes (budget, learning rates, bookkeeping);
#: a checkpoint trained with any other setting is refused.
RESUME_MAY_CHANGE = frozenset(
    {
        "steps",
        "minutes",
        "lr",
        "critic_lr",
        "eval_every",
        "eval_minutes",
        "checkpoint_minutes",
        "threads",
        "device",
        "run_dir",
        "init",
    }
)
#: Values of the BackpropConfig fields added after agents were shipped, for checkpoints written
#: before them (what those runs did): they load, paint and resume as they were trained.
LEGACY_FIELDS: dict[str, Any] = {"eval_split": "eval", "eval_minutes": 0.0, "init": ""}


@dataclass
class BackpropConfig:
    """Hyperparameters of a backprop agent run (saved as JSON in every checkpoint; shipped agents
    store these field names, so they keep loading)."""

    dataset: str = "mnist"
    """data set of the targets: "mnist", "kmnist" or "celeba" (:data:`paint_gym.data.DATASETS`)"""
    strokes: int = 8
    """strokes per painting, T >= 1"""
    painter: str = DEFAULT_PAINTER
    """neural painter to train through: "dab" (default), "gan", "vae" or the path of a painter checkpoint"""
    canvas_size: int = 64
    """canvas side in pixels, 8..8192"""
    background: str = "white"
    """canvas background: "white", "black" (or an RGB triple in [0, 1])"""
    pixel: str = "expected"
    (
        'pixel objective: "expected" (expected MSE over brush seeds), "mse" (MSE of the neural canvas) or "none" '
        "(critic or template only)"
    )
    pixel_weight: float = 1.0
    """weight of the pixel objective, >= 0"""
    adversarial: float = 0.0
    """weight of -critic(canvas, target), the conditional WGAN-GP critic's loss, >= 0 (0: no critic)"""
    gp_lambda: float = 10.0
    """weight of the critic's gradient penalty, >= 0"""
    critic_lr: float = 1e-4
    """critic's Adam learning rate, > 0"""
    template: float = 0.0
    (
        "preconditioning (MNIST): weight of the action MSE to the class template at the start of stage 2; decays "
        "linearly to 0, >= 0"
    )
    template_only_steps: int = 0
    """preconditioning stage 1: optimisation steps of template loss alone (no pixel or critic loss), >= 0"""
    template_decay_steps: int = 2000
    """preconditioning stage 2: optimisation steps over which the template weight decays to 0, >= 1"""
    width: int = 32
    """channels of the first convolution (doubling per halving, capped at 4 x width), >= 1"""
    hidden: int = 256
    """LSTM and code size, >= 1"""
    batch_size: int = 32
    """targets per optimisation step (per process under torchrun), >= 1"""
    lr: float = 1e-3
    """agent's Adam learning rate, > 0"""
    grad_clip: float = 1.0
    """gradient-norm clip of the agent's update, > 0"""
    steps: int = 20_000
    """optimisation steps to train for, in total over resumes (without a wall-clock budget), >= 0"""
    minutes: float = 0.0
    (
        "wall-clock training budget in minutes over resumes (0: none); training stops at whichever of steps and "
        "minutes comes first"
    )
    eval_every: int = 250
    """optimisation steps between evaluations (without a wall-clock budget), >= 1"""
    eval_images: int = 64
    """images evaluated during training (MyPaint replay), by which agent.pt is chosen, >= 1"""
    eval_split: str = "validation"
    (
        'where the evaluated images come from: "validation" (the last eval_images of the training split, held out '
        'of training) or "eval" (the first eval_images of the evaluation split, which agents are scored on: agents '
        "trained before this field existed chose their checkpoint so)"
    )
    eval_minutes: float = 0.0
    """training minutes between evaluations (0: every eval_every steps), >= 0; steps vary 10x between devices"""
    replay_seeds: tuple[int, ...] = (0, 1, 2, 3)
    """MyPaint brush seeds the evaluation replay averages over (at least one)"""
    checkpoint_minutes: float = 2.0
    """minutes between checkpoints (also written at the end), >= 0"""
    init: str = ""
    (
        "start a new run from an agent's weights: a shipped agent's name (\"mnist\") or an agent file (fine-tuning, "
        'e.g. an agent trained through another painter); "" starts from random weights; unused on resume'
    )
    seed: int = 0
    """seed of the network's initialisation and of the batches, >= 0"""
    threads: int = 0
    """torch threads per process (0: torch's default)"""
    device: str = "cpu"
    """device to train on: "cpu" or "cuda" (one GPU per process under torchrun, via LOCAL_RANK); not meta"""
    run_dir: str = "runs/agent"
    """run folder: checkpoint.pt (resumes), agent.pt (best evaluation), log.csv, curves.png"""

    def __post_init__(self) -> None:
        """Validate every field (``ValueError`` naming the field), so a run that starts can finish."""
        if self.pixel not in PIXEL_OBJECTIVES:
            raise ValueError(f"pixel objective must be one of {PIXEL_OBJECTIVES}; got {self.pixel!r}")
        check_choice("dataset", self.dataset, DATASETS)
        check_choice("eval_split", self.eval_split, EVAL_SPLITS)
        self.canvas_size = check_canvas_size(self.canvas_size)
        check_background(self.background)
        check_device(self.device, here=False)  # a GPU this machine lacks: checked where training starts
        for name, low in (
            ("strokes", 1),
            ("batch_size", 1),
            ("width", 1),
            ("hidden", 1),
            ("steps", 0),
            ("eval_every", 1),
            ("eval_images", 1),
            ("template_only_steps", 0),
            ("template_decay_steps", 1),
            ("threads", 0),
            ("seed", 0),
        ):
            setattr(self, name, check_int(name, getattr(self, name), low))
        for name in ("lr", "critic_lr", "grad_clip"):
            setattr(self, name, check_float(name, getattr(self, name), 0.0, open_low=True))
        for name in (
            "pixel_weight",
            "adversarial",
            "gp_lambda",
            "template",
            "minutes",
            "eval_minutes",
            "checkpoint_minutes",
        ):
            setattr(self, name, check_float(name, getattr(self, name), 0.0))
        if self.pixel == "none" and self.adversarial <= 0 and self.template <= 0 and self.template_only_steps <= 0:
            raise ValueError("nothing to train: set a pixel objective, adversarial > 0 or a template weight")
        self.replay_seeds = check_seeds("replay_seeds", self.replay_seeds)


# ----------------------------------------------------------------------------------------
# Network
# ----------------------------------------------------------------------------------------


class BackpropPolicy(nn.Module):
    """Conv encoder of (target, canvas, x/y coordinates) + LSTM over strokes -> 12-d strokes.

    ``forward(target, painter, strokes)`` paints the whole sequence through ``painter`` and
    returns the actions ``(B, T, 12)`` with the canvas's mean and second moment over brush
    seeds (channels last, ``(B, H, W, 3)``); :meth:`paint_step` is one stroke of it (what
    :meth:`BackpropAgent.act` runs). Coordinate channels (CoordConv) make regressing stroke
    positions from a convolutional code easy.

    The encoder's first convolution is linear in its 8 input channels, so
    ``conv([target, canvas, xy]) = conv_t(target) + conv_xy(xy) + bias + conv_c(canvas)``: the
    first three terms are the same at every stroke of a painting, so :meth:`encode_target`
    computes them once per image and each stroke convolves only its canvas (3 channels). The
    weights are those of one convolution of the concatenation (checkpoints are unchanged) and
    the strokes equal its strokes up to float rounding.
    """

    def __init__(self, canvas_size: int = 64, width: int = 32, hidden: int = 256, background: str = "white") -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c, c2, size = 8, max(width // 2, 8), canvas_size
        while size > 4:  # halve the resolution, double the channels (capped at 4 * width)
            layers += [nn.Conv2d(c, c2, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c, c2, size = c2, min(2 * c2, 4 * width), size // 2
        self.encoder = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * size * size, hidden), nn.LeakyReLU(0.2))
        self.lstm = nn.LSTMCell(hidden + ACTION_DIM, hidden)
        self.head = nn.Linear(hidden, ACTION_DIM)  # default init: strokes depend on the input from the start
        ramp = torch.linspace(-1, 1, canvas_size)
        self.register_buffer("coords", torch.stack(torch.meshgrid(ramp, ramp, indexing="xy"))[None], persistent=False)
        self.register_buffer(
            "background", torch.tensor(background_rgb(background), dtype=torch.float32), persistent=False
        )
        self.canvas_size = canvas_size
        self.hidden = hidden

    @classmethod
    def from_config(cls, config: BackpropConfig) -> BackpropPolicy:
        return cls(config.canvas_size, config.width, config.hidden, config.background)

    def initial_state(self, batch: int) -> tuple[torch.Tensor, ...]:
        """(h, c, previous action, canvas mean, canvas second moment) before the first stroke."""
        z = self.head.weight.new_zeros
        bg = self.background.expand(batch, self.canvas_size, self.canvas_size, 3)
        return z(batch, self.hidden), z(batch, self.hidden), z(batch, ACTION_DIM), bg, bg**2

    def _first_conv(self, x: torch.Tensor, channels: slice, bias: bool = False) -> torch.Tensor:
        """The encoder's first convolution of ``x`` in [0, 1] over its input ``channels`` alone."""
        conv = self.encoder[0]
        b = conv.bias if bias else None
        return nn.functional.conv2d(x * 2 - 1, conv.weight[:, channels], b, conv.stride, conv.padding)

    def encode_target(self, target: torch.Tensor) -> torch.Tensor:
        """What the first convolution makes of ``target`` ``(B, 3, H, W)`` and the coordinates
        (with its bias): ``(B, C, H/2, W/2)``, computed once per painting, reused at every stroke."""
        return self._first_conv(target, slice(0, 3)) + self._first_conv(self.coords, slice(6, 8), bias=True)

    def step(
        self, features: torch.Tensor, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """One stroke from the target's ``features`` (:meth:`encode_target`) and the state;
        returns it and the new (h, c)."""
        h, c, prev, mean, _ = state
        x = features + self._first_conv(mean.permute(0, 3, 1, 2), slice(3, 6))
        for layer in self.encoder[1:]:
            x = layer(x)
        h, c = self.lstm(torch.cat([x, prev], dim=1), (h, c))
        return torch.tanh(self.head(h)), (h, c)

    def paint_step(
        self, features: torch.Tensor, painter: DifferentiablePainter, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """One stroke ``(B, 12)`` painted through ``painter`` (``features``: :meth:`encode_target`
        of the targets); returns it and the next state."""
        action, (h, c) = self.step(features, state)
        alpha, var = painter.render_alpha(action, return_var=True)
        mean, second = composite_moments(state[3], state[4], alpha, var, colors_of(action))
        return action, (h, c, action, mean, second)

    def forward(
        self, target: torch.Tensor, painter: DifferentiablePainter, strokes: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self.encode_target(target)
        state = self.initial_state(len(target))
        actions = []
        for _ in range(strokes):
            action, state = self.paint_step(features, painter, state)
            actions.append(action)
        return torch.stack(actions, dim=1), state[3], state[4]


def config_of(saved: str | dict[str, Any]) -> BackpropConfig:
    """The :class:`BackpropConfig` a checkpoint stores (JSON text or dict), with the fields it
    predates set to what its run did (:data:`LEGACY_FIELDS`)."""
    return config_from_json(BackpropConfig, saved, LEGACY_FIELDS)


def pixel_loss(kind: str, mean: torch.Tensor, second: torch.Tensor, target_last: torch.Tensor) -> torch.Tensor:
    """Per-image pixel objective ``(B,)``: expected MSE over brush seeds, or MSE of the mean canvas."""
    if kind == "expected":
        return mse_of_moments(mean, second, target_last)
    return mse(mean, target_last)


# ----------------------------------------------------------------------------------------
# Inference: paint, act, save, load, train
# ----------------------------------------------------------------------------------------


def _check_strokes(actions: torch.Tensor) -> None:
    """Raise :class:`paint_gym.errors.NonFiniteOutputError` if the network painted NaN or inf
    (its weights are corrupt: the user's targets are not to blame)."""
    if not bool(torch.isfinite(actions).all()):
        raise NonFiniteOutputError(
            "the agent's network produced NaN or inf strokes: its weights are not finite or "
            "overflow (a diverged training run?); load a checkpoint from before the divergence"
        )


class BackpropAgent:
    """A :class:`BackpropPolicy` that paints: the agent API of :mod:`paint_gym_agents.base`.

    ``paint(targets uint8 (B, H, W, 3)) -> float32 (B, T, 12)`` tracks its own neural canvas
    (through ``painter``, default the one it trained through); ``act(observation)`` paints the
    same strokes one at a time in an env (it reads the observation's target, not its canvas),
    restarting its recurrent state after T strokes, for a new target or on :meth:`reset`.
    ``canvases(targets)`` also returns the neural canvases. ``info`` holds what the checkpoint
    recorded about the agent (training step, evaluation figures).
    """

    KIND: ClassVar[str] = "backprop_agent"

    def __init__(
        self,
        policy: BackpropPolicy,
        config: BackpropConfig,
        painter: PainterLike | None = None,
        batch: int = 64,
        info: dict[str, Any] | None = None,
    ) -> None:
        on = module_device(painter)  # a painter object stays where it is (it may be training): the policy joins it
        self.policy = (policy if on is None else policy.to(on)).eval()
        self.device = next(self.policy.parameters()).device
        self.config = config
        self.n_strokes = config.strokes
        self.painter: DifferentiablePainter = load_painter(
            config.painter if painter is None else painter, config.canvas_size, device=self.device
        )
        self.batch = batch
        self.info = dict(info or {})
        self.reset()

    def _targets(self, targets: np.ndarray) -> torch.Tensor:
        arr = check_targets(targets)
        if arr.shape[1:3] != (self.config.canvas_size,) * 2:
            raise ValueError(
                f"this agent paints {self.config.canvas_size}x{self.config.canvas_size} "
                f"targets; got {arr.shape[1]}x{arr.shape[2]}"
            )
        return to_float_tensor(arr, self.device)

    @torch.no_grad()
    def canvases(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Strokes ``(B, T, 12)`` and neural canvases, uint8 ``(B, H, W, 3)``."""
        x = self._targets(targets)
        acts, pics = [], []
        for i in range(0, len(x), self.batch):
            a, mean, _ = self.policy(x[i : i + self.batch], self.painter, self.n_strokes)
            _check_strokes(a)
            acts.append(a.cpu().numpy().astype(np.float32))
            pics.append(to_uint8_array(mean.permute(0, 3, 1, 2)))  # the network's moments are channels-last
        return np.concatenate(acts), np.concatenate(pics)

    def paint(
        self, targets: np.ndarray, refine: int = 0, refine_lr: float = REFINE_LR, progress: bool = False
    ) -> np.ndarray:
        """Strokes ``(B, T, 12)`` float32 in [-1, 1] for uint8 targets ``(B, H, W, 3)``.

        ``refine`` > 0: test-time refinement, the agent's strokes then ``refine`` Adam steps per
        image (batched) of the expected error through the agent's painter
        (:func:`paint_gym.benchmark.reference.refine_strokes`, step ``refine_lr`` on the ``atanh``
        of the strokes); each image keeps its best strokes seen, so through the painter refining
        never ends worse than the agent. Amortised inference and per-image search in one call.
        """
        actions = self.canvases(targets)[0]
        if check_int("refine", refine, 0) == 0:
            return actions
        with torch.enable_grad():
            return refine_strokes(actions, targets, self.painter, refine, lr=refine_lr, progress=progress)

    def reset(self) -> None:
        """Start a new episode: the next :meth:`act` paints the first stroke."""
        self._state: tuple[torch.Tensor, ...] | None = None
        self._features: torch.Tensor | None = None
        self._target: np.ndarray | None = None
        self._t = 0

    @torch.no_grad()
    def act(self, observation: dict[str, np.ndarray]) -> np.ndarray:
        """One stroke ``(12,)`` float32 for an env observation ``{"canvas", "target"}`` (numpy or
        torch); the agent tracks its own neural canvas, as :meth:`paint` does."""
        target = np.asarray(as_numpy(observation["target"]))
        if (
            self._state is None
            or self._target is None
            or self._t >= self.n_strokes
            or not np.array_equal(target, self._target)
        ):
            self.reset()
            self._target = target.copy()
            self._features = self.policy.encode_target(self._targets(target[None]))  # once per episode
            self._state = self.policy.initial_state(1)
        action, self._state = self.policy.paint_step(self._features, self.painter, self._state)
        _check_strokes(action)
        self._t += 1
        return action[0].cpu().numpy().astype(np.float32)

    def save(self, path: str | os.PathLike, half: bool = False) -> Path:
        """Write the agent (``kind: backprop_agent``, config, weights, ``info``) atomically;
        ``half`` stores the weights in float16 (shipped agents: half the bytes)."""
        state = {k: v.detach().cpu() for k, v in self.policy.state_dict().items()}  # loads on any machine
        return write_agent_checkpoint(self, path, state_dict=half_state(state, half))

    @classmethod
    def load(
        cls, path: str | os.PathLike, painter: PainterLike | None = None, batch: int = 64, sha256: str | None = None
    ) -> BackpropAgent:
        """The agent of ``agent.pt`` or of a training ``checkpoint.pt``, read with ``weights_only=True``
        (SHA-256 checked when given). Raises ``FileNotFoundError`` and
        :class:`paint_gym.checkpoint.CheckpointError` (corrupt, tampered, or another kind of agent)."""

        def build(payload: dict[str, Any]) -> BackpropAgent:
            config = config_of(payload["config"])
            policy = BackpropPolicy.from_config(config)
            policy.load_state_dict(
                float_state(payload["state_dict"] if "state_dict" in payload else payload["agent"])
            )  # else a training checkpoint
            return cls(policy, config, painter, batch, info_of(payload))

        missing = (
            f"no agent checkpoint at {path}; train one with `paint-gym "
            "train-agent` or use a shipped name (mnist, kmnist, mnist_precond, celeba, celeba30)"
        )
        return read_agent_checkpoint(path, cls.KIND, build, sha256=sha256, missing=missing)

    @classmethod
    def train(
        cls,
        config: BackpropConfig,
        budget_seconds: float | None = None,
        run_dir: str | os.PathLike | None = None,
        *,
        data_dir: str | os.PathLike | None = None,
        eval_every_seconds: float = 60.0,
        progress: bool = True,
    ) -> BackpropAgent:
        """Train an agent (resuming from ``run_dir``, default ``config.run_dir``, when it holds a
        checkpoint) for ``budget_seconds`` of training wall-clock, or without a budget for the
        config's ``steps`` (and ``minutes``); returns the best agent of the run (``agent.pt``)."""
        return train_with(BackpropTrainer, config, budget_seconds, run_dir, data_dir, eval_every_seconds, progress)


# ----------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------


@dataclass
class Distributed:
    """The process group of a ``torchrun`` launch (world 1 when run plainly)."""

    rank: int = 0
    world: int = 1
    active: bool = False
    device: torch.device = torch.device("cpu")

    @classmethod
    def from_env(cls, device: str = "cpu") -> Distributed:
        """Join the ``torchrun`` group if there is one: gloo on CPU, nccl on CUDA (one GPU per
        process, chosen by ``LOCAL_RANK``)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        cuda = device.startswith("cuda")
        if cuda and not torch.cuda.is_available():
            raise ValueError("device 'cuda' asked for, but torch sees no GPU: use --device cpu")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        dev = torch.device(f"cuda:{local}" if cuda and device == "cuda" else device)
        if world <= 1:
            return cls(device=dev)
        if not dist.is_initialized():
            dist.init_process_group("nccl" if cuda else "gloo")
        return cls(dist.get_rank(), dist.get_world_size(), True, dev)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def average_gradients(self, module: nn.Module) -> None:
        if not self.active:
            return
        grads = [p.grad for p in module.parameters() if p.grad is not None]
        flat = torch.cat([g.flatten() for g in grads])
        dist.all_reduce(flat)
        flat /= self.world
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()

    def broadcast(self, module: nn.Module) -> None:
        if self.active:
            for t in module.state_dict().values():
                dist.broadcast(t, 0)

    def check_replicas(self, module: nn.Module) -> None:
        """Raise if the ranks' copies of ``module`` have drifted apart (they must stay equal)."""
        if not self.active:
            return
        total = torch.stack([p.detach().double().sum() for p in module.parameters()]).sum().reshape(1)
        lo, hi = total.clone(), total.clone()
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        if not torch.allclose(lo, hi, rtol=1e-9, atol=1e-9):
            raise RuntimeError(f"data-parallel replicas diverged: parameter sums range {lo.item()} .. {hi.item()}")

    def agree(self, flag: bool) -> bool:
        """Rank 0's decision, shared with every rank (to stop on a wall-clock budget together)."""
        if not self.active:
            return flag
        t = torch.tensor([1.0 if flag else 0.0], device=self.device)
        dist.broadcast(t, 0)
        return bool(t.item())

    def barrier(self) -> None:
        """Wait for every rank (e.g. until rank 0 has written its files)."""
        if self.active:
            dist.barrier()

    def close(self) -> None:
        """Leave the process group (the end of a ``torchrun`` run)."""
        if self.active and dist.is_initialized():
            dist.destroy_process_group()
        self.active = False


class BackpropTrainer(DivergenceChecks):
    """Trains a :class:`BackpropPolicy`; resumable from ``run_dir/checkpoint.pt``.

    :meth:`run` trains for the config's ``steps``/``minutes`` or for a wall-clock budget. Writes
    ``log.csv`` (training and evaluation rows), ``curves.png`` (loss and evaluation MSE against
    steps), ``checkpoint.pt`` (everything to resume: weights, optimisers, step, evaluation points)
    and ``agent.pt`` (the best evaluation so far, by MyPaint replay MSE of the ``eval_split`` images:
    by default a validation slice held out of the training split, never the images agents are
    scored on). Strokes painted =
    optimisation steps x batch size x strokes per painting (every stroke the agent renders
    through the neural painter). Use as a context manager (or call :meth:`close`).
    """

    trainer_name = "backprop agent training"

    def __init__(self, config: BackpropConfig, data_dir: str | os.PathLike | None = None) -> None:
        self.cfg = config
        self.dist = Distributed.from_env(str(check_device(config.device)))
        self.device = self.dist.device
        if config.threads:
            torch.set_num_threads(config.threads)
        if self.device.type == "cuda":  # fixed shapes: let cuDNN pick its fastest kernels; TF32 matrix products
            torch.backends.cudnn.benchmark = True
            torch.backends.cuda.matmul.allow_tf32 = True
        torch.manual_seed(config.seed)
        self.run_dir = Path(config.run_dir)
        self.painter = load_painter(config.painter, config.canvas_size, device=self.device)
        train_set = ImageTargets(config.dataset, "train", config.canvas_size, data_dir)
        images = _target_tensor(config.dataset, config.canvas_size, None if data_dir is None else str(data_dir))
        n_train = len(images)
        if config.eval_split == "validation":  # the last eval_images training images, held out
            if config.eval_images >= len(images):
                raise ValueError(
                    f"eval_images={config.eval_images} leaves no {config.dataset} training image to train on "
                    f"(its training split has {len(images)}): hold out fewer"
                )
            n_train = len(images) - config.eval_images
            self.eval_targets = images[n_train:].numpy()
        else:
            eval_set = ImageTargets(config.dataset, "eval", config.canvas_size, data_dir)
            self.eval_targets = eval_set.batch(range(min(config.eval_images, len(eval_set))))
        self.train_images = images[:n_train]
        self.train_labels = (
            torch.as_tensor(train_set.labels[:n_train].astype(np.int64))
            if self._needs_templates and train_set.labels is not None
            else None
        )
        self.templates = _load_templates(config) if self._needs_templates else None
        self.policy = BackpropPolicy.from_config(config).to(self.device)
        self.critic = PairCritic(config.canvas_size, config.width).to(self.device)
        self.dist.broadcast(self.policy)
        self.dist.broadcast(self.critic)
        self.model: nn.Module = self.policy
        if self.dist.active:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.model = nn.parallel.DistributedDataParallel(self.policy, device_ids=ids)
        self.opt = torch.optim.Adam(self.policy.parameters(), lr=config.lr)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=config.critic_lr, betas=(0.5, 0.9))
        self.generator = torch.Generator().manual_seed(config.seed * 1000 + self.dist.rank)
        self.step, self.elapsed = 0, 0.0
        self.points: list[Point] = []
        self.history: list[dict[str, float]] = []
        self.best = math.inf
        self._recent: list[dict[str, float]] = []  # training rows since the last evaluation
        self._resume()

    @property
    def _needs_templates(self) -> bool:
        return self.cfg.template > 0 or self.cfg.template_only_steps > 0

    @property
    def checkpoint_path(self) -> Path:
        return self.run_dir / "checkpoint.pt"

    @property
    def strokes(self) -> int:
        """Strokes rendered through the painter so far (this process's batches)."""
        return self.step * self.cfg.batch_size * self.cfg.strokes

    def _resume(self) -> None:
        """Continue from ``checkpoint.pt`` if there is one (``ResumeError`` if its config differs
        in a field outside :data:`RESUME_MAY_CHANGE`)."""
        if not self.checkpoint_path.exists():
            if self.cfg.init:
                self._start_from(self.cfg.init)
            return
        state = read_checkpoint(self.checkpoint_path, "agent training checkpoint", map_location=self.device)
        check_resume(config_of(state["config"]), self.cfg, RESUME_MAY_CHANGE, self.checkpoint_path)
        self.policy.load_state_dict(state["agent"])
        self.critic.load_state_dict(state["critic"])
        self.opt.load_state_dict(state["opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        for opt, lr in (
            (self.opt, self.cfg.lr),
            (self.critic_opt, self.cfg.critic_lr),
        ):  # the config's rates, also on resume
            for group in opt.param_groups:
                group["lr"] = lr
        self.generator.set_state(state["generator"].cpu())
        self.step, self.elapsed, self.best = int(state["step"]), float(state["elapsed"]), float(state["best"])
        self.points = points_from_json(state.get("points", "[]"))
        self.history = json.loads(state["history"])

    def _start_from(self, source: str) -> None:
        """Copy the policy weights of agent ``source`` (:attr:`BackpropConfig.init`); ``ValueError``
        if its network differs from this run's (canvas size, width, hidden size, background)."""
        shipped = f"agent_{source}"  # a shipped agent's MANIFEST name (as the zoo names them), else a path
        if shipped in read_manifest():
            path = verified_path(shipped, f"the shipped {source} agent is missing: reinstall paint-gym")
        else:
            path = Path(source)
        agent = BackpropAgent.load(path, painter=self.painter)  # CheckpointError for another kind of agent
        for name in ("canvas_size", "width", "hidden", "background"):
            theirs, ours = getattr(agent.config, name), getattr(self.cfg, name)
            if theirs != ours:
                raise ValueError(
                    f"init={source!r} has {name}={theirs!r} but this run {ours!r}: "
                    "set the same to start from its weights"
                )
        self.policy.load_state_dict(agent.policy.state_dict())
        self.dist.broadcast(self.policy)

    def close(self) -> None:
        """Leave the ``torchrun`` process group, if any."""
        self.dist.close()

    def __enter__(self) -> BackpropTrainer:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- divergence ---------------------------------------------------------------------------
    def check_healthy(self) -> None:
        """Raise :class:`paint_gym.errors.TrainingDivergedError` unless the agent's and the critic's
        weights and the agent's strokes for one evaluation image are finite (run before every
        checkpoint is written, so a diverged state never replaces a good one)."""
        kw = {"step": self.step, "checkpoint": self.checkpoint_path, "trainer": self.trainer_name}
        check_finite_tensors(self.policy.state_dict().items(), lr=self.cfg.lr, what="agent's weights", **kw)
        check_finite_tensors(self.critic.state_dict().items(), lr=self.cfg.critic_lr, what="critic's weights", **kw)
        probe = to_float_tensor(self.eval_targets[:1], self.device)
        with torch.no_grad():
            actions, mean, _ = self.policy(probe, self.painter, self.cfg.strokes)
        check_finite_tensors(
            [("strokes", actions), ("canvas", mean)], lr=self.cfg.lr, what="agent's output on an evaluation image", **kw
        )

    def save_checkpoint(self) -> None:
        """Write ``checkpoint.pt`` atomically (rank 0), after :meth:`check_healthy`."""
        if not self.dist.main:
            return
        self.check_healthy()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "kind": BackpropAgent.KIND,
            "config": config_to_json(self.cfg),
            "agent": self.policy.state_dict(),
            "critic": self.critic.state_dict(),
            "opt": self.opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "generator": self.generator.get_state(),
            **run_progress(self),
        }
        write_checkpoint(state, self.checkpoint_path)
        self._write_log()

    # -- one update ---------------------------------------------------------------------------
    def _batch(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        idx = torch.randint(len(self.train_images), (self.cfg.batch_size,), generator=self.generator)
        target = to_float_tensor(self.train_images[idx], self.device)
        if self.cfg.dataset == "celeba":  # faces are mirror-symmetric: flips double the training faces
            flip = (torch.rand(len(idx), generator=self.generator) < 0.5).to(self.device)
            target = torch.where(flip[:, None, None, None], target.flip(-1), target)  # no GPU sync, unlike a mask
        templates = None
        if self.templates is not None and self.train_labels is not None:
            templates = self.templates[self.train_labels[idx]].to(self.device)
        return target, templates

    def template_weight(self) -> float:
        """Stage 1 (``template_only_steps``): 1; stage 2: ``template`` decaying linearly to 0."""
        cfg = self.cfg
        if self.step < cfg.template_only_steps:
            return 1.0
        if cfg.template <= 0:
            return 0.0
        return cfg.template * max(0.0, 1 - (self.step - cfg.template_only_steps) / max(cfg.template_decay_steps, 1))

    def train_step(self, target: torch.Tensor | None = None, templates: torch.Tensor | None = None) -> dict[str, float]:
        """One update of the critic (when adversarial) and the agent; returns the batch's figures.

        ``target`` ``(B, 3, H, W)`` in [0, 1] (and class ``templates`` ``(B, T, 12)``) replace
        the sampled batch, e.g. to overfit a fixed batch. Does not count the step (see
        :meth:`train_once`).
        """
        cfg = self.cfg
        if target is None:
            target, templates = self._batch()
        target_last = target.permute(0, 2, 3, 1)
        actions, mean, second = self.model(target, self.painter, cfg.strokes)
        canvas = mean.permute(0, 3, 1, 2)
        stage1 = self.step < cfg.template_only_steps
        expected = pixel_loss("expected", mean, second, target_last).mean()  # the objective, or a figure
        row: dict[str, float] = {
            "mse": float(mse(mean.detach(), target_last).mean()),
            "expected_mse": float(expected.detach()),
        }
        adversarial = cfg.adversarial > 0 and not stage1
        # a diverged agent paints NaN: say so here, before the critic or the losses are blamed
        check_finite_tensors(
            [("strokes", actions)],
            step=self.step + 1,
            lr=cfg.lr,
            what="agent's strokes",
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )
        if adversarial:
            self.critic.requires_grad_(True)
            c_loss, wasserstein = critic_loss(self.critic, canvas, target, cfg.gp_lambda)
            self._check(c_loss, "critic loss", cfg.critic_lr)
            self.critic_opt.zero_grad(set_to_none=True)
            c_loss.backward()
            self.dist.average_gradients(self.critic)
            self._check(
                nn.utils.get_total_norm([p.grad for p in self.critic.parameters() if p.grad is not None]),
                "critic's gradient norm",
                cfg.critic_lr,
            )
            self.critic_opt.step()
            row.update(critic_loss=c_loss.item(), wasserstein=wasserstein)
            self.critic.requires_grad_(False)
        loss = canvas.new_zeros(())
        if not stage1 and cfg.pixel != "none":
            objective = expected if cfg.pixel == "expected" else pixel_loss(cfg.pixel, mean, second, target_last).mean()
            loss = loss + cfg.pixel_weight * objective
        if adversarial:
            loss = loss - cfg.adversarial * self.critic(canvas, target).mean()
        w = self.template_weight()
        if templates is not None and w > 0:
            t_loss = ((actions - templates) ** 2).mean()
            loss = loss + w * t_loss
            row["template_loss"] = t_loss.item()
        row["loss"] = self._check(loss)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self._check(nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.grad_clip), "gradient norm")
        self.opt.step()
        return row

    def train_once(self) -> dict[str, float]:
        """One optimisation step on a sampled batch, counted; returns its figures."""
        row = self.train_step()
        self.step += 1
        self._recent.append(row)
        return row

    # -- evaluation -----------------------------------------------------------------------------
    def agent(self) -> BackpropAgent:
        """The policy being trained, as an agent (sharing the trainer's painter)."""
        return BackpropAgent(
            self.policy, self.cfg, self.painter, info={"step": self.step, "minutes": self.elapsed / 60}
        )

    @torch.no_grad()
    def eval_figures(self) -> dict[str, float]:
        """Neural and MyPaint-replay MSE of the fixed evaluation images, and their gap."""
        try:
            actions, neural = self.agent().canvases(self.eval_targets)
        except NonFiniteOutputError as exc:
            self.check_healthy()  # names the weights or the output that went non-finite
            raise TrainingDivergedError(
                step=self.step,
                loss=math.nan,
                lr=self.cfg.lr,
                what="agent's strokes on the evaluation images",
                checkpoint=self.checkpoint_path,
                trainer=self.trainer_name,
            ) from exc
        finally:
            self.policy.train()
        neural_mse = float(mse_uint8(neural, self.eval_targets).mean())
        mypaint = float(replay_mse(actions, self.eval_targets, self.cfg.replay_seeds).mean())
        return {"eval_neural_mse": neural_mse, "eval_mypaint_mse": mypaint, "eval_gap": mypaint - neural_mse}

    def evaluate(self) -> float:
        """Evaluate (rank 0): log the figures beside the training means since the last
        evaluation, keep the best ``agent.pt``; returns the MyPaint-replay MSE."""
        figures = self.eval_figures()
        self.history.append(
            {
                "step": self.step,
                "minutes": self.elapsed / 60,
                "template_weight": self.template_weight(),
                **mean_rows(self._recent),
                **figures,
            }
        )
        self._recent = []
        if figures["eval_mypaint_mse"] < self.best:
            self.best = figures["eval_mypaint_mse"]
            agent = BackpropAgent(
                self.policy, self.cfg, self.painter, info={"step": self.step, "minutes": self.elapsed / 60, **figures}
            )
            agent.save(self.run_dir / "agent.pt", half=True)
            self.policy.train()
        return figures["eval_mypaint_mse"]

    def best_agent(self) -> BackpropAgent:
        """The run's best agent (``agent.pt``), or the current one if none was saved."""
        path = self.run_dir / "agent.pt"
        painter = (
            self.painter if self.device.type == "cpu" else None
        )  # a loaded agent is on the CPU: never move the trainer's painter
        return BackpropAgent.load(path, painter) if path.exists() else self.agent()

    # -- the training loop ------------------------------------------------------------------------
    def run(
        self, budget_seconds: float | None = None, eval_every_seconds: float = 60.0, progress: bool = True
    ) -> list[Point]:
        """Train, then checkpoint; returns the evaluation points ``(seconds, strokes, MSE)``.

        With ``budget_seconds``: until the training clock reaches it (in total over resumes),
        evaluating on :class:`paint_gym.benchmark.budget.EvalSchedule` (``eval_every_seconds``),
        as every method of the benchmark (one process only). Without: until ``steps`` (or
        ``minutes``) run out, evaluating every ``eval_every`` steps.
        """
        self.policy.train()
        if budget_seconds is not None:
            if self.dist.active:
                raise ValueError("a wall-clock budget trains in one process; under torchrun use the config's minutes")
            return run_for_budget(
                self,
                budget_seconds,
                EvalSchedule(eval_every_seconds),
                progress,
                desc=f"backprop agent {self.cfg.dataset}",
            )
        cfg = self.cfg
        bar = tqdm(
            total=cfg.steps,
            initial=self.step,
            desc=f"agent {cfg.dataset} T={cfg.strokes}",
            disable=not (progress and self.dist.main),
            dynamic_ncols=True,
        )
        try:
            evaluated = self._train_steps(bar)
        except KeyboardInterrupt:  # Ctrl-C or `timeout -s INT`: keep what was trained, then stop
            bar.close()
            if self.dist.main:
                self.save_checkpoint()
                tqdm.write(f"interrupted at step {self.step}: wrote checkpoint.pt, log.csv (the same command resumes)")
            raise
        bar.close()
        self.dist.check_replicas(self.policy)
        self.dist.check_replicas(self.critic)
        if not evaluated:
            self._record()
        self.save_checkpoint()
        self.dist.barrier()  # every rank returns once rank 0 has written agent.pt and checkpoint.pt
        return list(self.points)

    def _train_steps(self, bar: tqdm) -> bool:
        """:meth:`run`'s loop without a budget: train until ``steps`` or ``minutes`` run out,
        evaluating and checkpointing on the way; returns whether the last step was evaluated."""
        cfg = self.cfg
        last_save = time.monotonic()
        evaluated = False
        next_eval = self.elapsed + cfg.eval_minutes * 60  # with eval_minutes > 0: on the training clock
        while self.step < cfg.steps:
            if self.dist.agree(bool(cfg.minutes) and self.elapsed >= cfg.minutes * 60):
                break
            t0 = time.monotonic()
            row = self.train_once()
            self.elapsed += time.monotonic() - t0
            evaluated = False
            bar.update(1)
            bar.set_postfix(loss=f"{row['loss']:.4f}", mse=f"{row['mse']:.4f}", refresh=False)
            due = self.elapsed >= next_eval if cfg.eval_minutes > 0 else self.step % cfg.eval_every == 0
            if due:
                self._record()
                evaluated = True
                next_eval = self.elapsed + cfg.eval_minutes * 60
            if time.monotonic() - last_save > cfg.checkpoint_minutes * 60:
                self.save_checkpoint()
                last_save = time.monotonic()
        return evaluated

    def _record(self) -> None:
        """Evaluate on rank 0, add the point and print it (the other ranks keep training)."""
        if self.dist.main:
            self.points.append(Point(self.elapsed, self.strokes, self.evaluate()))
            row = self.history[-1]
            tqdm.write(
                f"step {self.step} ({self.elapsed / 60:.1f} training min): {self.cfg.eval_split} MyPaint replay "
                f"{row['eval_mypaint_mse']:.4f}, neural {row['eval_neural_mse']:.4f} (best {self.best:.4f})"
            )

    # -- logs -----------------------------------------------------------------------------------
    def _write_log(self) -> None:
        if not self.history:
            return
        write_log_csv(self.run_dir / LOG_CSV, self.history, ("step", "minutes"))
        self.plot()

    def plot(self) -> Path:
        """``curves.png``: training losses and evaluation MSEs against steps."""
        steps = [r["step"] for r in self.history]
        out = self.run_dir / CURVES_PNG
        title = (
            f"backprop agent, {self.cfg.dataset}, {self.cfg.strokes} strokes, "
            f"pixel={self.cfg.pixel}, adversarial={self.cfg.adversarial}"
        )
        with curves_figure(out, 2, title) as (_, (ax1, ax2)):
            plot_columns(ax1, self.history, "step", ("loss", "mse", "expected_mse", "template_loss"), "train ")
            ax1.set_yscale("log")
            ax1.set_xlabel("step")
            ax1.legend(fontsize=8)
            ax2.plot(steps, [r["eval_neural_mse"] for r in self.history], label="eval: neural canvas")
            ax2.plot(steps, [r["eval_mypaint_mse"] for r in self.history], label="eval: MyPaint replay")
            ax2.set_xlabel("step")
            ax2.set_ylabel("MSE")
            ax2.set_yscale("log")
            ax2.legend(fontsize=8)
        return out


@lru_cache(maxsize=2)
def _target_tensor(dataset: str, canvas_size: int, data_dir: str | None) -> torch.Tensor:
    """All training targets as one uint8 tensor ``(N, H, W, 3)``, converted once per process."""
    targets = ImageTargets(dataset, "train", canvas_size, data_dir)
    out = np.empty((len(targets), targets.canvas_size, targets.canvas_size, 3), np.uint8)
    for i in tqdm(range(len(targets)), desc=f"{targets.name} targets", disable=len(targets) < 5000, leave=False):
        out[i] = targets[i]
    return torch.from_numpy(out)


def _load_templates(config: BackpropConfig) -> torch.Tensor:
    if config.dataset != "mnist":
        raise ValueError(f"stroke templates exist for MNIST only; got dataset {config.dataset!r}")
    return torch.as_tensor(load_templates(config.strokes))


__all__ = [
    "PIXEL_OBJECTIVES",
    "RESUME_MAY_CHANGE",
    "BackpropAgent",
    "BackpropConfig",
    "BackpropPolicy",
    "BackpropTrainer",
    "Distributed",
    "pixel_loss",
]
