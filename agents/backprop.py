"""The backprop adversarial agent: an LSTM painter trained *through* a neural painter.

CleanRL-style: one file holds the inference wrapper (:class:`BackpropAgent`) and the update
(:class:`BackpropTrainer`); the hyperparameters and objectives (:class:`BackpropConfig`,
:func:`pixel_loss`, re-exported here) are :mod:`paint_gym_agents.backprop_config`, the network
(:class:`BackpropPolicy`) :mod:`paint_gym_agents.backprop_policy`, the training data
:mod:`paint_gym_agents.backprop_data`. At each of T steps the agent sees the target, the current
canvas and its previous stroke and emits the next stroke; the neural painter renders it
differentiably, so a loss on the final canvas trains the agent by plain backpropagation
(paper section 3).

    agent = BackpropAgent.train(BackpropConfig(task="mnist", steps=3000), run_dir="runs/agent")
    strokes = agent.paint(targets)            # uint8 (B, H, W, 3) -> float32 (B, T, 12)
    agent = BackpropAgent.load("runs/agent/agent.pt")

Training stops after ``steps`` optimisation steps or ``minutes`` of training, or, on a
wall-clock budget (``train(config, budget_seconds)``, the reconstruction benchmark), when the
training clock reaches it, as for every method: the loop, the run folder, resume and checkpoints
are :class:`paint_gym.training.Trainer`'s; this file holds the update (:meth:`BackpropTrainer.train_step`).
It evaluates every ``eval_every`` steps (or ``eval_minutes`` of training) on ``eval_images``
held out of the training split (``eval_split="validation"``) and keeps the best as ``agent.pt``,
so the evaluation split stays unseen until the agent is scored. ``device="cuda"`` trains on a GPU.

Data-parallel: run the same command under ``torchrun --nproc_per_node=N``. Each rank draws its
own batches; the agent is wrapped in ``DistributedDataParallel`` and the critic's gradients
are averaged with ``all_reduce`` (DDP cannot wrap it: the gradient penalty needs a double
backward; :class:`paint_gym_agents.distributed.Distributed`). Rank 0 evaluates, logs and checkpoints.

Divergence (e.g. a learning rate of 1e30) stops training with
:class:`paint_gym.errors.TrainingDivergedError` naming the step, the value and the learning rate:
the agent's strokes, the losses and the gradient norms are checked every step, the weights and
a probe painting before every checkpoint, so ``checkpoint.pt`` keeps the last good state. A
resumed run uses the config's learning rates (not the ones saved with the optimiser); only the
fields in :data:`RESUME_MAY_CHANGE` may differ from the checkpoint's config.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from paint_gym.benchmark.evaluation import replay_mse
from paint_gym.benchmark.reference import REFINE_LR, refine_strokes
from paint_gym.canvas import mse, mse_uint8, to_float_tensor, to_uint8_array
from paint_gym.checkpoint import config_to_json, float_state, half_state
from paint_gym.devices import check_device
from paint_gym.errors import NonFiniteOutputError, check_finite_tensors
from paint_gym.painters.base import DifferentiablePainter
from paint_gym.painters.load import PainterLike, as_numpy, load_painter, module_device
from paint_gym.runlog import CURVES_PNG, curves_figure, plot_columns
from paint_gym.shipped_weights import read_manifest, verified_path
from paint_gym.training import EvalSchedule, Limits, Point, Schedule, Trainer
from paint_gym.validation import check_int

from . import backprop_config
from .backprop_config import *  # noqa: F403 (the config's names stay importable from here, as before the split)
from .backprop_config import (
    RESUME_MAY_CHANGE,
    BackpropConfig,
    config_of,
    pixel_loss,
)
from .backprop_data import training_data
from .backprop_policy import BackpropPolicy
from .base import check_agent_targets, info_of, read_agent_checkpoint, train_with, write_agent_checkpoint
from .discriminator import PairCritic, critic_loss
from .distributed import Distributed

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
        return to_float_tensor(check_agent_targets(targets, self.config.canvas_size), self.device)

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


class BackpropTrainer(Trainer):
    """Trains a :class:`BackpropPolicy`; resumable from ``run_dir/checkpoint.pt``.

    :meth:`run` trains for the config's ``steps``/``minutes`` or for a wall-clock budget. Writes
    ``log.csv`` (training and evaluation rows), ``curves.png`` (loss and evaluation MSE against
    steps), ``checkpoint.pt`` (everything to resume: weights, optimisers, step, evaluation points)
    and ``agent.pt`` (the best evaluation so far, by MyPaint replay MSE of the ``eval_split`` images:
    by default a validation slice held out of the training split, never the images agents are
    scored on). Strokes painted =
    optimisation steps x batch size x strokes per painting (every stroke the agent renders
    through the neural painter). The run folder, resume, checkpoints, log and loop are
    :class:`paint_gym.training.Trainer`'s. Use as a context manager (or call :meth:`close`).
    """

    trainer_name = "backprop agent training"
    resume_may_change = RESUME_MAY_CHANGE
    checkpoint_label = "agent training checkpoint"
    log_columns = ("step", "minutes")

    def __init__(self, config: BackpropConfig, data_dir: str | os.PathLike | None = None) -> None:
        super().__init__(config, config.run_dir)
        self.dist = Distributed.from_env(str(check_device(config.device)))
        self.device = self.dist.device
        if config.threads:
            torch.set_num_threads(config.threads)
        if self.device.type == "cuda":  # fixed shapes: let cuDNN pick its fastest kernels; TF32 matrix products
            torch.backends.cudnn.benchmark = True
            torch.backends.cuda.matmul.allow_tf32 = True
        torch.manual_seed(config.seed)
        self.painter = load_painter(config.painter, config.canvas_size, device=self.device)
        data = training_data(config, data_dir, self._needs_templates)
        self.train_images, self.train_labels, self.eval_targets, self.templates = data
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
        if not self.resume(map_location=self.device) and config.init:
            self._start_from(config.init)

    @property
    def _needs_templates(self) -> bool:
        return self.cfg.template > 0 or self.cfg.template_only_steps > 0

    @property
    def strokes(self) -> int:
        """Strokes rendered through the painter so far (this process's batches)."""
        return self.step * self.cfg.batch_size * self.cfg.strokes

    # -- checkpoints (the run folder and resume are Trainer's) -----------------------------------
    def saved_config(self, state: dict[str, Any]) -> BackpropConfig:
        return config_of(state["config"])

    def state_dict(self) -> dict[str, Any]:
        return {
            "kind": BackpropAgent.KIND,
            "config": config_to_json(self.cfg),
            "agent": self.policy.state_dict(),
            "critic": self.critic.state_dict(),
            "opt": self.opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "generator": self.generator.get_state(),
            **self.progress_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.policy.load_state_dict(state["agent"])
        self.critic.load_state_dict(state["critic"])
        self.opt.load_state_dict(state["opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        self.generator.set_state(state["generator"].cpu())

    def learning_rates(self) -> list[tuple[torch.optim.Optimizer, float]]:
        return [(self.opt, self.cfg.lr), (self.critic_opt, self.cfg.critic_lr)]

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

    # -- processes ------------------------------------------------------------------------------
    @property
    def is_main(self) -> bool:
        return self.dist.main

    def agree(self, flag: bool) -> bool:
        return self.dist.agree(flag)

    def close(self) -> None:
        """Leave the ``torchrun`` process group, if any."""
        self.dist.close()

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

    # -- one update ---------------------------------------------------------------------------
    def _batch(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        idx = torch.randint(len(self.train_images), (self.cfg.batch_size,), generator=self.generator)
        target = to_float_tensor(self.train_images[idx], self.device)
        if self.cfg.task == "celeba":  # faces are mirror-symmetric: flips double the training faces
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
            raise self._diverged("agent's strokes on the evaluation images") from exc
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
                **self.training_means(),
                **figures,
            }
        )

        def save_best() -> None:
            info = {"step": self.step, "minutes": self.elapsed / 60, **figures}
            BackpropAgent(self.policy, self.cfg, self.painter, info=info).save(self.run_dir / "agent.pt", half=True)
            self.policy.train()

        self.keep_best(figures["eval_mypaint_mse"], save_best)
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
        evaluating on :class:`paint_gym.training.EvalSchedule` (``eval_every_seconds``), as every
        method of the benchmark (one process only). Without: until ``steps`` (or ``minutes``)
        run out, evaluating every ``eval_every`` steps (or ``eval_minutes``) and once training
        stops, checkpointing every ``checkpoint_minutes`` and at the end (and on Ctrl-C).
        """
        cfg = self.cfg
        self.policy.train()
        if budget_seconds is not None:
            if self.dist.active:
                raise ValueError("a wall-clock budget trains in one process; under torchrun use the config's minutes")
            limits, desc = Limits.budget_or_steps(budget_seconds, cfg.steps), f"backprop agent {cfg.task}"
            return self.fit(limits, Schedule(EvalSchedule(eval_every_seconds)), progress, desc)
        clock = EvalSchedule.fixed(cfg.eval_minutes * 60) if cfg.eval_minutes > 0 else None
        schedule = Schedule(
            eval_clock=clock,
            eval_steps=0 if clock else cfg.eval_every,
            eval_at_start=False,
            checkpoint_at_eval=False,
            checkpoint_minutes=cfg.checkpoint_minutes,
            checkpoint_on_interrupt=True,
        )
        start = self.step
        limits = Limits(cfg.steps, cfg.minutes * 60 or None)
        self.fit(limits, schedule, progress, f"agent {cfg.task} T={cfg.strokes}")
        self.dist.check_replicas(self.policy)
        self.dist.check_replicas(self.critic)
        if self.step == start:  # nothing was left to train: the state returned is evaluated all the same
            self.record()
        self.save_checkpoint()
        self.dist.barrier()  # every rank returns once rank 0 has written agent.pt and checkpoint.pt
        return list(self.points)

    def eval_message(self) -> str:
        row = self.history[-1]
        return (
            f"step {self.step} ({self.elapsed / 60:.1f} training min): {self.cfg.eval_split} MyPaint replay "
            f"{row['eval_mypaint_mse']:.4f}, neural {row['eval_neural_mse']:.4f} (best {self.best:.4f})"
        )

    # -- logs -----------------------------------------------------------------------------------
    def plot(self) -> Path:
        """``curves.png``: training losses and evaluation MSEs against steps."""
        steps = [r["step"] for r in self.history]
        out = self.run_dir / CURVES_PNG
        title = (
            f"backprop agent, {self.cfg.task}, {self.cfg.strokes} strokes, "
            f"pixel={self.cfg.pixel}, adversarial={self.cfg.adversarial}"
        )
        with curves_figure(out, 2, title) as (_, (ax1, ax2)):
            plot_columns(ax1, self.history, "step", ("loss", "mse", "expected_mse", "template_loss"), "train ")
            ax1.set_yscale("log")
            ax1.set_xlabel("step")
            if ax1.get_legend_handles_labels()[0]:  # no training row yet in a run stopped at its first evaluation
                ax1.legend(fontsize=8)
            ax2.plot(steps, [r["eval_neural_mse"] for r in self.history], label="eval: neural canvas")
            ax2.plot(steps, [r["eval_mypaint_mse"] for r in self.history], label="eval: MyPaint replay")
            ax2.set_xlabel("step")
            ax2.set_ylabel("MSE")
            ax2.set_yscale("log")
            ax2.legend(fontsize=8)
        return out


__all__ = [*backprop_config.__all__, "BackpropAgent", "BackpropPolicy", "BackpropTrainer"]
