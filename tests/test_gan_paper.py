"""The paper's GAN (Nakano 2019, section 2.3): ``--kind gan --reconstruction-weight 0`` trains the
generator against the critic alone, with no reconstruction term toward the average stroke."""

from __future__ import annotations

import pytest
import torch

from paint_gym.painters import strokes
from paint_gym.painters.train import PainterTrainer, TrainConfig


@pytest.fixture(scope="module")
def stroke_folder(tmp_path_factory):
    """A tiny real stroke data set: 300 actions rendered by MyPaint with 2 brush seeds each."""
    spec = strokes.StrokeDataSpec(n_actions=300, seeds_per_action=2, shard_size=150, seed=5)
    return strokes.generate(spec, tmp_path_factory.mktemp("strokes"), workers=1, progress=False)


def gan_config(folder, run_dir, reconstruction_weight: float) -> TrainConfig:
    return TrainConfig(
        kind="gan",
        data=str(folder),
        run_dir=str(run_dir),
        minutes=10.0,
        steps=6,
        batch_size=16,
        lr=1e-3,
        holdout=50,
        eval_every=1000,
        checkpoint_every=1000,
        var_weight=0.0,  # the loss is then the generator's objective alone
        reconstruction_weight=reconstruction_weight,
        architecture={"width": 16, "hidden": 64},
    )


def test_the_papers_gan_learns_from_the_critic_alone(stroke_folder, tmp_path):
    """With reconstruction weight 0 the generator's loss is exactly the adversarial term from the
    first step (no warm-up), and a few steps move both the loss and the strokes."""
    trainer = PainterTrainer(gan_config(stroke_folder, tmp_path / "paper", 0.0))
    actions = trainer.data.holdout_actions(8)
    with torch.no_grad():
        before = trainer.painter(actions)[0].clone()
    losses = []
    for _ in range(6):
        stats = trainer.train_once()
        assert stats["loss"] == pytest.approx(stats["adv"], abs=1e-6)  # no reconstruction term
        losses.append(stats["loss"])
    with torch.no_grad():
        after = trainer.painter(actions)[0]
    assert len(set(losses)) > 1 and (after - before).abs().max() > 1e-3


def test_the_shipped_gan_objective_keeps_the_reconstruction(stroke_folder, tmp_path):
    """The default (weight 1) is the shipped GAN's: reconstruction alone during the warm-up."""
    trainer = PainterTrainer(gan_config(stroke_folder, tmp_path / "shipped", 1.0))
    stats = trainer.train_once()
    assert stats["loss"] == pytest.approx(stats["rec"], rel=1e-5)


def test_a_negative_reconstruction_weight_is_refused_naming_the_field():
    with pytest.raises(ValueError, match="reconstruction_weight"):
        TrainConfig(kind="gan", reconstruction_weight=-1.0)
