"""Training the neural painters on stroke data from the real painter.

One trainer for every kind (:class:`PainterTrainer`, a :class:`paint_gym.training.Trainer`: the
one loop, checkpoints and resume, so a session can end at any time), whose update is per kind:

* ``vae``: stage 1 trains the stroke VAE on average strokes (reconstruction + variance + a
  small KL term); stage 2 trains the MLP from actions to the VAE's latent (latent matching and
  pixel losses through the decoder, which is fine-tuned with it; the encoder is frozen).
* ``gan``: the conditional generator learns against a WGAN-GP critic on (stroke, action) pairs
  (one random interpolation point per sample, lambda 10, no BatchNorm), whose real examples are
  single MyPaint renders, plus a reconstruction term toward the average stroke
  (``--reconstruction-weight 0``: the paper's GAN, the adversarial loss alone).
* ``dab``: the structured dab painter (:mod:`paint_gym.painters.dab`) fits its ink-and-width
  MLP (and, for brushes that paint while the pen rests, its time dabs) to the average stroke and
  its variance factor to the spread of the seeds, jointly; at the end its sampler is calibrated
  so that the samples' total variance matches the seeds'. With ``--brush NAME`` and no ``--data``
  the brush's stroke data is rendered first, over every core (resumable): the one-minute recipe
  (:data:`KIND_DEFAULTS`: 8,192 actions x 2 seeds, 1/32 of them with coincident points, 400 Adam
  steps of 256 with a warm-up and a cosine decay; docs/painters.md says how it was chosen).

Both also learn the variance head from the spread of the ``K`` seeded renders of each action.
Every ``eval_every`` steps the held-out alpha MSE is logged to ``log.csv`` and drawn in
``curves.png`` (:mod:`paint_gym.runlog`); ``checkpoint.pt`` resumes (:mod:`paint_gym.checkpoint`:
the budget, the learning rates and the bookkeeping may change on resume, nothing else), and
``painter.pt`` is the float16 inference checkpoint that ``load_painter(path)`` reads.

A non-finite loss, gradient, held-out figure or set of weights stops training with
:class:`paint_gym.errors.TrainingDivergedError` (step, value, learning rate, the fix); no
checkpoint is written after it, so ``checkpoint.pt`` keeps the last good state.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

import torch
from torch import nn

from ..checkpoint import config_from_json, config_to_json
from ..errors import check_finite, check_finite_tensors
from ..outputs import Output, check_all, run_folder_outputs
from ..runlog import CURVES_PNG, LOG_CSV, curves_figure
from ..training import Limits, Schedule, Trainer
from ..validation import Bound, NonNegativeInt, OneOf, PositiveFloat, PositiveInt, ValidatedConfig
from ..wgan import gradient_penalty
from . import strokes as stroke_data
from .batches import StrokeBatches
from .dab import DabPainter, dab_painter_for
from .dab_brushes import check_dab_brush
from .dab_texture import calibrate_dab_count
from .mypaint import DEFAULT_BRUSH
from .neural import GEOMETRY, NeuralPainter, PainterConfig, build_painter

#: TrainConfig fields that may change when a run resumes: the budget, the learning rates and
#: bookkeeping. Any other difference from the checkpoint's config is refused.
RESUME_MAY_CHANGE = frozenset(
    {
        "brush",
        "n_actions",
        "minutes",
        "steps",
        "lr",
        "critic_lr",
        "decoder_lr_scale",
        "eval_every",
        "checkpoint_every",
        "threads",
        "run_dir",
        "data",
        "init",
    }
)
#: TrainConfig fields renamed after runs were written, ``{old: new}`` (docs/glossary.md): the old
#: name still loads from a checkpoint and is still taken as a keyword and a flag.
RENAMED_FIELDS: dict[str, str] = {
    "strokes": "n_actions",
    "out": "run_dir",
    "max_steps": "steps",
    "batch": "batch_size",
    "painter": "architecture",
}


#: Per-kind defaults of the TrainConfig fields left at None.
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "gan": {"minutes": 30.0, "steps": 1_000_000, "batch_size": 64, "lr": 3e-4, "holdout": 2048},
    "vae": {"minutes": 30.0, "steps": 1_000_000, "batch_size": 64, "lr": 3e-4, "holdout": 2048},
    # the one-minute recipe (docs/painters.md, benchmarks/painter_fit.py): a fixed number of steps,
    # the learning rate warmed up and decayed over them; minutes only caps a slow machine
    "dab": {"minutes": 5.0, "steps": 400, "batch_size": 256, "lr": 1e-2, "holdout": 1024},
}
#: Held-out actions whose samples measure the dab sampler's variance ratio in :meth:`PainterTrainer.evaluate`.
SAMPLE_EVAL_ACTIONS = 256
#: Mean per-pixel variance across seeds below which a brush counts as deterministic (pen, brush).
DETERMINISTIC_VARIANCE = 1e-7
#: Actions rendered for a kind when no data folder is given (TrainConfig.n_actions = 0).
KIND_STROKES = {"gan": 200_000, "vae": 200_000, "dab": 8_192}
#: Brush seeds each action is rendered with when no data folder is given: two are enough for the
#: dab painter's variance head (an unbiased pair), and every render beyond them costs time.
KIND_SEEDS = {"gan": 4, "vae": 4, "dab": 2}
#: Fraction of the dab painter's actions whose points coincide (the dot of brushes that paint while
#: the pen rests, fitted jointly with the rest: :attr:`StrokeDataSpec.coincident`).
DAB_COINCIDENT = 1 / 32
#: The dab recipe's learning-rate multiplier of the time dabs' ink and width (two scalars that a
#: brush may need to move several units in log: classic/brush's dot is solid, a scattering brush's faint).
DOT_LR_SCALE = 10.0
#: Fraction of the dab recipe's steps over which the learning rate warms up (then a cosine decay).
DAB_WARMUP = 0.1


@dataclass
class TrainConfig(ValidatedConfig):
    """Hyperparameters of a painter training run (defaults: what shipped). Each field's range is
    declared in its type; a field left at None takes its kind's default (:data:`KIND_DEFAULTS`);
    old field names: :data:`RENAMED_FIELDS`."""

    renamed: ClassVar[dict[str, str]] = RENAMED_FIELDS

    kind: Annotated[str, OneOf(tuple(sorted(KIND_DEFAULTS)))] = "gan"
    """Painter to train: 'gan' (a generator against a WGAN-GP critic), 'vae' (a stroke VAE and an MLP)
    or 'dab' (the structured dab painter: dabs along the curve, a small learned ink-and-width MLP)."""
    data: str = ""
    """Stroke data folder (from `paint-gym strokes`); empty: the default folder of --brush, rendered if missing."""
    brush: str = ""
    """MyPaint brush of the data rendered when --data is empty (empty: classic/dry_brush)."""
    n_actions: NonNegativeInt = 0
    """Actions rendered when --data is empty (0: 8,192 for 'dab', 200,000 for 'gan' and 'vae')."""
    run_dir: str = "runs/painter"
    """Run folder (checkpoint.pt, painter.pt, log.csv, curves.png); an existing one resumes."""
    minutes: Annotated[float | None, Bound(0)] = None
    """Training-time budget in minutes, counted over resumes (resume with a larger value to train
    longer); None: 5 for 'dab' (a cap: its recipe is 400 steps), 30 for 'gan' and 'vae'."""
    steps: Annotated[int | None, Bound(0)] = None
    """Optimisation steps at most, counted over resumes (None: 400 for 'dab', 1,000,000 for 'gan' and 'vae')."""
    batch_size: Annotated[int | None, Bound(1)] = None
    """Actions per training batch (None: 256 for 'dab', 64 for 'gan' and 'vae')."""
    lr: Annotated[float | None, Bound(0, open_low=True)] = None
    """Adam learning rate of the painter (None: 1e-2 for 'dab', warmed up and decayed over its steps;
    3e-4 for 'gan' and 'vae')."""
    var_weight: float = 1.0
    """Weight of the variance head's loss (the spread of each action's seeded renders)."""
    # vae
    stage1_fraction: float = 0.35
    """VAE: stage 1 (the stroke VAE alone) lasts this fraction of the budget (of minutes or steps)."""
    kl_weight: float = 1e-4
    """VAE: weight of the KL term in stage 1."""
    latent_weight: float = 0.01
    """VAE: weight of matching the VAE's latent in stage 2 (beside the pixel losses)."""
    decoder_lr_scale: float = 1.0
    """VAE: stage 2 fine-tunes the decoder at this fraction of lr."""
    # gan
    critic_lr: PositiveFloat = 1e-4
    """GAN: Adam learning rate of the critic."""
    gp_lambda: float = 10.0
    """GAN: weight of the critic's gradient penalty (WGAN-GP's lambda)."""
    adv_weight: float = 3e-4
    """GAN: weight of the adversarial loss beside the reconstruction toward the average stroke."""
    adv_warmup_fraction: float = 0.2
    """GAN: the adversarial loss starts after this fraction of the budget (reconstruction alone before)."""
    reconstruction_weight: Annotated[float, Bound(0)] = 1.0
    """GAN: weight of the reconstruction toward the average stroke (1: as shipped); 0 trains the paper's
    GAN, the adversarial loss alone from the first step (adv_weight and the warm-up then unused)."""
    # bookkeeping
    holdout: Annotated[int | None, Bound(1)] = None
    """The last this many actions of the data are held out of training, for the held-out alpha MSE
    (None: 1,024 for 'dab', 2,048 for 'gan' and 'vae')."""
    eval_every: PositiveInt = 250
    """Steps between held-out evaluations (a row of log.csv)."""
    checkpoint_every: PositiveInt = 500
    """Steps between checkpoints (checkpoint.pt)."""
    threads: NonNegativeInt = 0
    """Torch threads (0: torch's default)."""
    seed: NonNegativeInt = 0
    """Seed of the initial weights and of the batches."""
    architecture: dict[str, Any] = field(default_factory=dict)
    """PainterConfig overrides of the architecture (width, hidden, latent)."""
    init: str = ""
    """Dab: a fitted dab painter (a painter.pt path, or a brush with a shipped one) whose learned
    weights start the fit (a warm start; the brush's own settings are kept); empty: a cold start."""

    def __post_init__(self) -> None:
        for name, value in KIND_DEFAULTS.get(self.kind, {}).items():  # None: this kind's default
            if getattr(self, name) is None:
                setattr(self, name, value)
        super().__post_init__()  # an unknown kind is refused here


class Critic(nn.Module):
    """WGAN critic on (stroke, action): conv features of the stroke joined with the action.

    No BatchNorm: the gradient penalty is per sample, and batch statistics would couple them.
    """

    def __init__(self, canvas_size: int = 64, width: int = 32) -> None:
        super().__init__()
        chans = [1, width // 2, width, 2 * width, 2 * width]
        self.convs = nn.Sequential(
            *[m for i in range(4) for m in (nn.Conv2d(chans[i], chans[i + 1], 4, 2, 1), nn.LeakyReLU(0.2))]
        )
        feat = chans[-1] * (canvas_size // 16) ** 2
        self.action = nn.Sequential(nn.Linear(len(GEOMETRY), 128), nn.LeakyReLU(0.2))
        self.head = nn.Sequential(nn.Linear(feat + 128, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))

    def forward(self, strokes: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
        x = self.convs(strokes[:, None]).flatten(1)
        return self.head(torch.cat([x, self.action(geometry)], dim=1)).squeeze(1)


#: The files a painter training run writes in its folder.
RUN_FILES = ("checkpoint.pt", "painter.pt", LOG_CSV, CURVES_PNG)


def run_outputs(cfg: TrainConfig, run_dir: str | None = None, name: str = "run_dir") -> list[Output]:
    """Every path a painter training run writes: its folder (``run_dir``, default ``cfg.run_dir``), the
    files in it (:data:`RUN_FILES`) and, without ``cfg.data``, the stroke data it renders
    (:func:`paint_gym.painters.strokes.data_outputs`); for :func:`paint_gym.outputs.check_all`."""
    outputs = run_folder_outputs(cfg.run_dir if run_dir is None else run_dir, name, RUN_FILES)
    if not cfg.data:
        spec = _data_spec(cfg)
        outputs += stroke_data.data_outputs(spec, stroke_data.default_folder(spec), "the stroke data folder")
    return outputs


def _data_spec(cfg: TrainConfig) -> stroke_data.StrokeDataSpec:
    """The stroke data rendered for a run without ``cfg.data``: ``cfg.brush``'s default folder."""
    dab = cfg.kind == "dab"
    return stroke_data.StrokeDataSpec(
        n_actions=(cfg.n_actions or KIND_STROKES[cfg.kind]) + (cfg.holdout if dab and not cfg.n_actions else 0),
        seeds_per_action=KIND_SEEDS[cfg.kind],
        brush=cfg.brush or DEFAULT_BRUSH,
        shard_size=1024 if dab else 2048,  # small shards share out over both cores
        coincident=DAB_COINCIDENT if dab else 0.0,
    )


class PainterTrainer(Trainer):
    """Trains one painter; ``run()`` resumes from ``run_dir/checkpoint.pt`` when it exists.
    Every path it writes is checked first (:func:`run_outputs`: ``ValueError`` naming one
    that cannot be written). The run folder, resume, checkpoints, log and loop are
    :class:`paint_gym.training.Trainer`'s; the updates are :meth:`gan_step`, :meth:`vae_step`
    and :meth:`dab_step`."""

    resume_may_change = RESUME_MAY_CHANGE
    checkpoint_label = "painter training checkpoint"
    log_columns = ("step", "minutes")

    def __init__(self, cfg: TrainConfig) -> None:
        super().__init__(cfg, cfg.run_dir)
        if cfg.data and cfg.brush:
            raise ValueError("give --data (a stroke folder) or --brush (render its data), not both")
        check_all(run_outputs(cfg))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        if cfg.kind == "dab" and not cfg.data:  # before any stroke is rendered
            check_dab_brush(cfg.brush or DEFAULT_BRUSH)
        self.data = StrokeBatches(self._data_folder(), cfg.holdout, cfg.seed)
        if cfg.kind == "dab":
            check_dab_brush(self.data.brush)
        size = self.data.alpha.shape[-1]
        self.painter: NeuralPainter | DabPainter
        if cfg.kind == "dab":
            self.painter = dab_painter_for(self.data.brush, size, **cfg.architecture)
            if cfg.init:
                self._warm_start(cfg.init)
        else:
            self.painter = build_painter(PainterConfig(kind=cfg.kind, canvas_size=size, **cfg.architecture))
        self.sample_gen = torch.Generator().manual_seed(cfg.seed + 1)
        self.stage = 1
        self.opt = self._optimizer()
        self.critic = Critic(size) if cfg.kind == "gan" else None
        self.critic_opt = (
            torch.optim.Adam(self.critic.parameters(), lr=cfg.critic_lr, betas=(0.5, 0.9)) if self.critic else None
        )
        self._stats: dict[str, float] = {}  # the last update's figures, logged beside each evaluation
        self._evaluated: dict[int, dict[str, float]] = {}  # the last full evaluation, by step
        if self.resume():
            print(f"resumed {cfg.kind} painter at step {self.step} ({self.elapsed / 60:.1f} min trained)")

    def _warm_start(self, source: str) -> None:
        """Copy the learned weights (the MLP and the time dabs) of a fitted dab painter, ``source``
        a painter.pt path or a brush with a shipped dab painter; ``ValueError`` when it is no dab
        painter or its MLP has another width."""
        from .load import load_painter

        init = load_painter(source) if Path(source).suffix == ".pt" else load_painter("dab", brush=source)
        if not isinstance(init, DabPainter) or init.config.hidden != self.painter.config.hidden:
            raise ValueError(f"--init {source!r} is not a dab painter with hidden={self.painter.config.hidden}")
        with torch.no_grad():
            self.painter.mlp.load_state_dict(init.mlp.state_dict())
            self.painter.dot_ink.copy_(init.dot_ink)
            self.painter.dot_width.copy_(init.dot_width)

    def _data_folder(self) -> str:
        """``cfg.data``, or the default stroke folder of ``cfg.brush`` (rendered now if missing,
        resuming a partial one): ``paint-gym train-painter --kind dab --brush NAME`` is one command."""
        if self.cfg.data:
            return self.cfg.data
        spec = _data_spec(self.cfg)
        return str(stroke_data.generate(spec, stroke_data.default_folder(spec)))

    def _optimizer(self) -> torch.optim.Optimizer:
        """Adam over the whole painter; in the VAE's stage 2, the MLP and the decoder (the
        encoder is frozen; ``decoder_lr_scale`` sets the decoder's fine-tuning rate)."""
        if self.stage == 2:
            vae = self.painter
            groups = [
                {"params": vae.to_latent.parameters()},
                {"params": vae.decoder.parameters(), "lr": self.cfg.lr * self.cfg.decoder_lr_scale},
            ]
            return torch.optim.Adam(groups, lr=self.cfg.lr)
        if self.cfg.kind == "dab":  # the time dabs' two scalars learn faster (DOT_LR_SCALE)
            dot = [self.painter.dot_ink, self.painter.dot_width]
            rest = [q for q in self.painter.parameters() if all(q is not d for d in dot)]
            return torch.optim.Adam(
                [{"params": rest}, {"params": dot, "lr": self.cfg.lr * DOT_LR_SCALE}], lr=self.cfg.lr
            )
        return torch.optim.Adam(self.painter.parameters(), lr=self.cfg.lr)

    def learning_rates(self) -> list[tuple[torch.optim.Optimizer, float | list[float]]]:
        """The config's rates (also after a resume: they may have changed); the VAE's stage 2
        fine-tunes the decoder at ``decoder_lr_scale`` of ``lr``."""
        scales = [1.0, self.cfg.decoder_lr_scale] if self.stage == 2 else [1.0]
        if self.cfg.kind == "dab":
            scales = [1.0, DOT_LR_SCALE]
        rates: list[tuple[torch.optim.Optimizer, float | list[float]]] = [
            (self.opt, [self.cfg.lr * scale for scale in scales])
        ]
        if self.critic_opt is not None:
            rates.append((self.critic_opt, self.cfg.critic_lr))
        return rates

    # -- divergence -----------------------------------------------------------------------
    @property
    def trainer_name(self) -> str:
        """What a :class:`TrainingDivergedError` calls this training (``_check`` is
        :class:`DivergenceChecks`')."""
        return f"{self.cfg.kind} painter training"

    def _check_gradients(self, module: nn.Module, what: str, lr: float) -> None:
        """Stop before an optimiser step would write NaN or inf into the weights."""
        grads = [(n, p.grad) for n, p in module.named_parameters() if p.grad is not None]
        check_finite_tensors(
            grads,
            step=self.step + 1,
            lr=lr,
            what=what,
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )

    def check_healthy(self) -> None:
        """Raise :class:`TrainingDivergedError` unless the weights, and the painter's output on a
        few held-out strokes, are finite (called before every checkpoint is written)."""
        modules = [("painter", self.painter)] + ([("critic", self.critic)] if self.critic is not None else [])
        for name, module in modules:
            check_finite_tensors(
                module.state_dict().items(),
                step=self.step,
                lr=self.cfg.lr if name == "painter" else self.cfg.critic_lr,
                what=f"{name}'s weights",
                checkpoint=self.checkpoint_path,
                trainer=self.trainer_name,
            )
        with torch.no_grad():
            mean, var = self.painter(self.data.holdout_actions(8))
        check_finite_tensors(
            [("mean", mean), ("variance", var)],
            step=self.step,
            lr=self.cfg.lr,
            what="painter's output on held-out strokes",
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )

    # -- checkpoints (the run folder and resume are Trainer's) ---------------------------
    def saved_config(self, state: dict[str, Any]) -> TrainConfig:
        return config_from_json(TrainConfig, state["train_config"])

    def state_dict(self) -> dict[str, Any]:
        """Weights, optimisers, stage and progress (no evaluation points: a painter's figures are
        the held-out alpha MSEs of :attr:`history`)."""
        state = {
            "painter": self.painter.state_dict(),
            "opt": self.opt.state_dict(),
            "step": self.step,
            "stage": self.stage,
            "elapsed": self.elapsed,
            "history": json.dumps(self.history),
            "train_config": config_to_json(self.cfg),
        }
        if self.critic is not None:
            state["critic"], state["critic_opt"] = self.critic.state_dict(), self.critic_opt.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.painter.load_state_dict(state["painter"])
        self.stage = int(state["stage"])
        self.opt = self._optimizer()
        self.opt.load_state_dict(state["opt"])
        if self.critic is not None:
            self.critic.load_state_dict(state["critic"])
            self.critic_opt.load_state_dict(state["critic_opt"])

    # -- one optimisation step of each kind ---------------------------------------------
    def _progress(self) -> float:
        """Fraction of the budget used, in time or in steps, whichever is further (drives the
        VAE's stages and the GAN's adversarial warm-up)."""
        by_time = self.elapsed / (self.cfg.minutes * 60) if self.cfg.minutes else 0.0
        return min(max(by_time, self.step / self.cfg.steps), 1.0)

    def _variance_loss(self, var: torch.Tensor, var_target: torch.Tensor) -> torch.Tensor:
        return self.cfg.var_weight * nn.functional.mse_loss(var, var_target)

    def vae_step(self, actions: torch.Tensor, mean_t: torch.Tensor, var_t: torch.Tensor) -> dict[str, float]:
        vae = self.painter
        if self.stage == 1 and self._progress() >= self.cfg.stage1_fraction:
            self.stage = 2
            self.opt = self._optimizer()
        if self.stage == 1:  # stage 1: the stroke VAE
            mean, var, mu, logvar = vae.autoencode(mean_t)
            kl = -0.5 * torch.mean(1 + logvar - mu**2 - logvar.exp())
            rec = nn.functional.mse_loss(mean, mean_t)
            loss = rec + self._variance_loss(var, var_t) + self.cfg.kl_weight * kl
            stats = {"stage": 1.0, "kl": kl.item()}
        else:  # stage 2: actions -> latent through the decoder (fine-tuned along)
            with torch.no_grad():
                mu, _ = vae.encoder(mean_t)
            z = vae.to_latent(vae.geometry(actions))
            mean, var = vae.decoder(z)
            rec = nn.functional.mse_loss(mean, mean_t)
            latent = nn.functional.mse_loss(z, mu)
            loss = rec + self._variance_loss(var, var_t) + self.cfg.latent_weight * latent
            stats = {"stage": 2.0, "latent": latent.item()}
        value = self._check(loss)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self._check_gradients(self.painter, "gradient", self.cfg.lr)
        self.opt.step()
        return {"loss": value, "rec": rec.item(), **stats}

    def dab_step(self, actions: torch.Tensor, mean_t: torch.Tensor, var_t: torch.Tensor) -> dict[str, float]:
        """The mean and variance heads against the seeds' mean and variance (the sampler's ink
        spread is calibrated once at the end: :meth:`calibrate_sampler`)."""
        lr = self.cfg.lr * self.dab_lr_factor()
        for group, scale in zip(self.opt.param_groups, (1.0, DOT_LR_SCALE), strict=True):
            group["lr"] = lr * scale
        mean, var = self.painter(actions)
        rec = nn.functional.mse_loss(mean, mean_t)
        loss = rec + self._variance_loss(var, var_t)
        value = self._check(loss, lr=lr)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self._check_gradients(self.painter, "gradient", lr)
        self.opt.step()
        return {"loss": value, "rec": rec.item(), "lr": lr}

    def dab_lr_factor(self) -> float:
        """The dab recipe's learning-rate factor at the budget's progress (:meth:`_progress`: steps
        or minutes, whichever is further): a linear warm-up over :data:`DAB_WARMUP`, then a cosine
        decay to zero, so the fit settles wherever the budget ends."""
        progress = self._progress()
        if progress < DAB_WARMUP:
            return max(progress / DAB_WARMUP, 0.02)
        return 0.5 * (1.0 + math.cos(math.pi * (progress - DAB_WARMUP) / (1.0 - DAB_WARMUP)))

    def calibrate_sampler(self, batch: int = 512) -> float:
        """Set the dab painter's sampler's one free number, its dab count's scale
        (:attr:`DabPainter.dab_count_scale`; :func:`paint_gym.painters.dab_texture.calibrate_dab_count`),
        so that the samples' total per-pixel variance equals MyPaint's across seeds on ``batch``
        training actions, with the dabs fixed; brushes whose seeds agree (pen, brush) get
        ``random_brush`` 0 (variance exactly 0; samples: the hard dabs or the mean, whichever is
        closer to MyPaint). Returns the held-out
        ratio (samples / MyPaint)."""
        painter = self.painter
        actions, mean_t, var_t, _ = self.data.sample(batch)
        if float(var_t.mean()) < DETERMINISTIC_VARIANCE:  # pen, brush: no randomness
            painter.random_brush.zero_()  # samples: the hard dabs or the mean, whichever is closer
            calibrate_dab_count(painter, actions, var_t, self.sample_gen, mean=mean_t)
            return self.evaluate()["val_sample_var_ratio"]
        painter.random_brush.fill_(1.0)
        painter.dab_count_scale.fill_(1.0)  # libmypaint's own count, then the fixed point
        ratio = calibrate_dab_count(painter, actions, var_t, self.sample_gen)
        self._check(torch.tensor(ratio), "sampler calibration ratio", self.cfg.lr)
        return self.evaluate()["val_sample_var_ratio"]

    def gan_step(
        self, actions: torch.Tensor, mean_t: torch.Tensor, var_t: torch.Tensor, single: torch.Tensor
    ) -> dict[str, float]:
        g, d = self.painter, self.critic
        geometry = g.geometry(actions)
        mean, var = g(actions)
        # the generator's output first: a critic fed a diverged generator's NaN would be blamed
        check_finite_tensors(
            [("mean", mean), ("variance", var)],
            step=self.step + 1,
            lr=self.cfg.lr,
            what="painter's output",
            checkpoint=self.checkpoint_path,
            trainer=self.trainer_name,
        )
        # critic: real = one MyPaint render, fake = the generator's stroke
        fake = mean.detach()
        gp = gradient_penalty(d, single, fake, geometry)
        d_loss = d(fake, geometry).mean() - d(single, geometry).mean() + self.cfg.gp_lambda * gp
        self._check(d_loss, "critic loss", self.cfg.critic_lr)
        self.critic_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self._check_gradients(d, "critic's gradient", self.cfg.critic_lr)
        self.critic_opt.step()
        # generator: reconstruction + variance + (after the warm-up) the adversarial term; without
        # reconstruction (the paper's GAN) the stroke learns from the critic alone, from the start
        rec = nn.functional.mse_loss(mean, mean_t)
        adv = -d(mean, geometry).mean()
        if self.cfg.reconstruction_weight > 0:
            weight = self.cfg.adv_weight if self._progress() >= self.cfg.adv_warmup_fraction else 0.0
            loss = self.cfg.reconstruction_weight * rec + self._variance_loss(var, var_t) + weight * adv
        else:
            loss = adv + self._variance_loss(var, var_t)
        value = self._check(loss)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self._check_gradients(g, "gradient", self.cfg.lr)
        self.opt.step()
        return {"loss": value, "rec": rec.item(), "critic": d_loss.item(), "gp": gp.item(), "adv": adv.item()}

    # -- evaluation and the loop --------------------------------------------------------
    @torch.no_grad()
    def evaluate(self, samples: bool = True) -> dict[str, float]:
        """Held-out figures: alpha MSE against one render and the seeds' mean, the variance head's
        error and total ratio and (dab, ``samples``) the samples' total variance ratio, from two
        samples of :data:`SAMPLE_EVAL_ACTIONS` held-out actions (the sampler lays many small dabs:
        the figure the fit's periodic evaluations skip, as the sampler is calibrated at the end)."""
        self.painter.eval()
        actions, mean_t, var_t, single = self.data.holdout()
        mean, var = zip(*(self.painter(actions[i : i + 512]) for i in range(0, len(actions), 512)), strict=True)
        mean, var = torch.cat(mean), torch.cat(var)
        self.painter.train()
        figures = {
            "val_mse_single": nn.functional.mse_loss(mean, single).item(),
            "val_mse_mean": nn.functional.mse_loss(mean, mean_t).item(),
            "val_var_mse": nn.functional.mse_loss(var, var_t).item(),
            # predicted / measured total (1 where both are 0: brushes without randomness)
            "val_var_ratio": ((var.mean() + 1e-9) / (var_t.mean() + 1e-9)).item(),
        }
        if samples and isinstance(self.painter, DabPainter):  # the samples' variance, two samples per action
            n = min(len(actions), SAMPLE_EVAL_ACTIONS)
            s1 = self.painter.sample(actions[:n], self.sample_gen)
            s2 = self.painter.sample(actions[:n], self.sample_gen)
            sample_var = 0.5 * (s1 - s2).pow(2).mean()  # (s1 - s2)^2 / 2: unbiased
            figures["val_sample_var_ratio"] = ((sample_var + 1e-9) / (var_t[:n].mean() + 1e-9)).item()
        self._evaluated = {self.step: figures} if samples else {}
        for key, value in figures.items():
            check_finite(
                value,
                step=self.step,
                lr=self.cfg.lr,
                what=f"held-out {key}",
                checkpoint=self.checkpoint_path,
                trainer=self.trainer_name,
            )
        return figures

    def train_once(self) -> dict[str, float]:
        """One optimisation step of the painter's kind on a sampled batch, counted; returns its figures."""
        actions, mean_t, var_t, single = self.data.sample(self.cfg.batch_size)
        if self.cfg.kind == "gan":
            stats = self.gan_step(actions, mean_t, var_t, single)
        elif self.cfg.kind == "dab":
            stats = self.dab_step(actions, mean_t, var_t)
        else:
            stats = self.vae_step(actions, mean_t, var_t)
        self.step += 1
        self._stats = stats
        return stats

    def record(self, checkpoint: bool = False) -> None:
        """Log the held-out figures (:meth:`evaluate`) beside the last update's to ``log.csv``."""
        figures = self.evaluate(samples=self.cfg.kind != "dab")  # dab: the sampler is calibrated at the end
        self.history.append({"step": self.step, "minutes": self.elapsed / 60, **self._stats, **figures})
        self.write_log(plot=False)
        if checkpoint:
            self.save_checkpoint()

    def run(self, progress: bool = True) -> NeuralPainter:
        """Train until ``steps`` or the ``minutes`` budget (over resumes; the training clock),
        evaluating every ``eval_every`` steps and checkpointing every ``checkpoint_every``; then
        (dab) calibrate the sampler, evaluate, checkpoint and write ``painter.pt``. Returns the
        painter (eval mode)."""
        cfg = self.cfg
        self.painter.train()
        schedule = Schedule(
            eval_clock=None,
            eval_steps=cfg.eval_every,
            eval_at_start=False,
            eval_at_stop=False,
            checkpoint_at_eval=False,
            checkpoint_steps=cfg.checkpoint_every,
        )
        self.fit(Limits(cfg.steps, cfg.minutes * 60), schedule, progress, f"training {cfg.kind} painter")
        final = None
        if isinstance(self.painter, DabPainter):
            self.calibrate_sampler(batch=SAMPLE_EVAL_ACTIONS)
            final = self._evaluated.get(self.step)  # calibrate_sampler's own evaluation, when it made one
        self.history.append({"step": self.step, "minutes": self.elapsed / 60, **(final or self.evaluate())})
        self.save_checkpoint()  # with log.csv and curves.png
        self.painter.eval()
        self.painter.save(
            self.run_dir / "painter.pt", extra={"steps": self.step, "minutes": round(self.elapsed / 60, 1)}
        )
        return self.painter

    def plot(self) -> Path:
        """``curves.png``: training reconstruction and held-out MSE against steps."""
        rows = [r for r in self.history if "val_mse_single" in r]
        path = self.run_dir / CURVES_PNG
        with curves_figure(path, 1, f"{self.cfg.kind.upper()} painter") as (_, ax):
            steps = [r["step"] for r in rows]
            for key, label in (
                ("val_mse_single", "held-out MSE vs one MyPaint render"),
                ("val_mse_mean", "held-out MSE vs mean of seeds"),
            ):
                ax.plot(steps, [r[key] for r in rows], label=label)
            train = [r for r in rows if "rec" in r]
            ax.plot([r["step"] for r in train], [r["rec"] for r in train], alpha=0.4, label="training reconstruction")
            ax.set_yscale("log")
            ax.set_xlabel("step")
            ax.set_ylabel("alpha MSE")
            ax.legend(fontsize=7)
        return path


__all__ = ["RENAMED_FIELDS", "RESUME_MAY_CHANGE", "Critic", "PainterTrainer", "StrokeBatches", "TrainConfig"]
