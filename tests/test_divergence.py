"""Divergence is named, not blamed on the user: every trainer stops on a non-finite loss with
:class:`paint_gym.errors.TrainingDivergedError` (step, value, learning rate, the fix) and leaves
its last good checkpoint on disk untouched.

Each test is a real tiny run: a few steps at a normal learning rate write a checkpoint, then the
same run resumed at ``lr=1e30`` must stop with the error, and the checkpoint's bytes must not
change (it still loads).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

from paint_gym.benchmark.evaluation import eval_targets
from paint_gym.errors import NonFiniteOutputError, TrainingDivergedError, check_finite
from paint_gym.painters import strokes
from paint_gym.painters.train import PainterTrainer, TrainConfig
from paint_gym_agents import backprop, sb3

HUGE_LR = 1e30


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_names_the_divergence(exc: pytest.ExceptionInfo, checkpoint: Path) -> None:
    message = str(exc.value)
    assert "diverged at step" in message and "1e+30" in message
    assert "lower the learning rate" in message and str(checkpoint) in message
    assert "actions contain NaN" not in message
    assert exc.value.lr == HUGE_LR or HUGE_LR in exc.value.lr
    assert not np.isfinite(exc.value.loss) and exc.value.step >= 1


def test_the_error_names_step_value_learning_rate_and_the_fix(tmp_path):
    with pytest.raises(
        TrainingDivergedError, match=r"diverged at step 7: the loss is nan with learning rate 0.5"
    ) as exc:
        check_finite(float("nan"), step=7, lr=0.5)
    assert "lr=0.05" in str(exc.value) and "no checkpoint had been written" in str(exc.value)
    assert isinstance(exc.value, RuntimeError)
    assert check_finite(torch.tensor(1.5), step=1, lr=1.0) == 1.5
    assert issubclass(NonFiniteOutputError, ValueError)


# ----------------------------------------------------------------------------------------
# The neural painters (VAE and GAN)
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stroke_folder(tmp_path_factory) -> Path:
    spec = strokes.StrokeDataSpec(n_actions=96, seeds_per_action=2, shard_size=96, seed=5)
    return strokes.generate(spec, tmp_path_factory.mktemp("strokes"), workers=1, progress=False)


@pytest.mark.parametrize("kind", ["gan", "vae"])
def test_painter_training_stops_on_divergence_and_keeps_its_checkpoint(kind, stroke_folder, tmp_path):
    out = tmp_path / kind
    base = {
        "kind": kind,
        "data": str(stroke_folder),
        "out": str(out),
        "minutes": 10.0,
        "batch": 8,
        "holdout": 16,
        "eval_every": 1000,
        "checkpoint_every": 1000,
        "painter": {"width": 8, "hidden": 32},
        "threads": 1,
    }
    PainterTrainer(TrainConfig(**base, max_steps=2, lr=1e-3)).run(progress=False)
    checkpoint = out / "checkpoint.pt"
    digest = sha(checkpoint)
    trainer = PainterTrainer(TrainConfig(**base, max_steps=12, lr=HUGE_LR))
    assert trainer.step == 2  # resumed
    with pytest.raises(TrainingDivergedError) as exc:
        trainer.run(progress=False)
    assert_names_the_divergence(exc, checkpoint)
    assert exc.value.step > 2 and f"{kind} painter training" in str(exc.value)
    assert sha(checkpoint) == digest
    again = PainterTrainer(TrainConfig(**base, max_steps=3, lr=1e-3))  # the kept checkpoint resumes
    assert again.step == 2
    again.run(progress=False)
    assert again.step == 3


def test_painter_trainer_refuses_to_checkpoint_non_finite_weights(stroke_folder, tmp_path):
    trainer = PainterTrainer(
        TrainConfig(
            kind="gan",
            data=str(stroke_folder),
            out=str(tmp_path / "p"),
            batch=8,
            holdout=16,
            painter={"width": 8, "hidden": 32},
        )
    )
    with torch.no_grad():
        next(trainer.painter.parameters())[0] = float("inf")
    with pytest.raises(TrainingDivergedError, match="painter's weights"):
        trainer.save_checkpoint()
    assert not (tmp_path / "p" / "checkpoint.pt").exists()


@pytest.mark.parametrize(
    "bad",
    [{"lr": 0.0}, {"lr": float("nan")}, {"batch": 0}, {"kind": "diffusion"}, {"max_steps": 2.5}, {"minutes": -1.0}],
)
def test_painter_train_config_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        TrainConfig(**bad)


# ----------------------------------------------------------------------------------------
# The backprop agent
# ----------------------------------------------------------------------------------------


def backprop_config(run_dir: Path, **kw):
    base = {
        "dataset": "mnist",
        "strokes": 2,
        "batch_size": 4,
        "eval_images": 2,
        "eval_every": 1000,
        "steps": 2,
        "width": 8,
        "hidden": 32,
        "lr": 3e-3,
        "threads": 1,
        "run_dir": str(run_dir),
        "replay_seeds": (0,),
        "adversarial": 0.1,
    }
    return backprop.BackpropConfig(**{**base, **kw})


def test_backprop_agent_stops_on_divergence_not_on_its_own_strokes(tmp_path):
    """The issue's case: lr=1e30 used to stop with "actions contain NaN or inf"."""
    backprop.BackpropTrainer(backprop_config(tmp_path / "run")).run(progress=False)
    checkpoint = tmp_path / "run" / "checkpoint.pt"
    digest = sha(checkpoint)
    trainer = backprop.BackpropTrainer(backprop_config(tmp_path / "run", steps=8, lr=HUGE_LR))
    assert trainer.step == 2 and trainer.opt.param_groups[0]["lr"] == HUGE_LR  # resumed, at the new rate
    with pytest.raises(TrainingDivergedError) as exc:
        trainer.run(progress=False)
    assert_names_the_divergence(exc, checkpoint)
    assert "backprop agent training" in str(exc.value) and exc.value.step in (3, 4)
    assert sha(checkpoint) == digest
    agent = backprop.BackpropAgent.load(checkpoint)
    assert agent.config.lr == 3e-3 and all(torch.isfinite(p).all() for p in agent.policy.parameters())


# ----------------------------------------------------------------------------------------
# The Stable-Baselines3 wrapper
# ----------------------------------------------------------------------------------------


def test_sb3_training_stops_on_divergence_and_keeps_its_checkpoint(tmp_path):
    kw = {
        "strokes": 2,
        "run_dir": str(tmp_path / "run"),
        "eval_images": 2,
        "algo": "ppo",
        "n_steps": 8,
        "batch_size": 4,
        "n_epochs": 2,
        "threads": 1,
        "replay_seeds": (0,),
    }
    with sb3.SB3Trainer(sb3.SB3Config(**kw)) as trainer:
        trainer.run(2.0, eval_every_seconds=10.0, progress=False)
    checkpoint = tmp_path / "run" / "checkpoint.pt"
    digest = sha(checkpoint)
    with pytest.raises(TrainingDivergedError) as exc, sb3.SB3Trainer(sb3.SB3Config(**kw, lr=HUGE_LR)) as trainer:
        trainer.run(60.0, eval_every_seconds=10.0, progress=False)
    assert_names_the_divergence(exc, checkpoint)
    assert "SB3 PPO training" in str(exc.value)
    assert sha(checkpoint) == digest
    agent = sb3.SB3Agent.load(checkpoint)
    assert agent.config == sb3.SB3Config(**kw)
    assert all(torch.isfinite(p).all() for p in agent.policy.parameters())


def test_sb3_agent_with_corrupt_weights_names_them_not_the_targets(tmp_path):
    cfg = sb3.SB3Config(strokes=2, n_steps=8, batch_size=4, threads=1)
    model = sb3.build_model(cfg)
    with torch.no_grad():
        model.policy.action_net.weight.fill_(float("nan"))
    with pytest.raises(NonFiniteOutputError, match="action_net"):
        sb3.SB3Agent(model, cfg).paint(eval_targets("mnist", 1))
