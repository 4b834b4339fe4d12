"""The backprop agent: real tiny training runs, checkpoints, data-parallel, the agent interface."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from paint_gym.checkpoint import CheckpointError, sha256_of
from paint_gym.data import ImageTargets
from paint_gym.painters.load import load_painter
from paint_gym.wgan import gradient_penalty
from paint_gym_agents.backprop import (
    LEGACY_FIELDS,
    BackpropAgent,
    BackpropConfig,
    BackpropPolicy,
    BackpropTrainer,
    pixel_loss,
)
from paint_gym_agents.discriminator import PairCritic, critic_loss
from paint_gym_agents.precondition import load_templates


def tiny_config(tmp_path: Path, **kw) -> BackpropConfig:
    base = dict(
        dataset="mnist",
        strokes=2,
        batch_size=4,
        eval_images=4,
        eval_every=1000,
        steps=4,
        width=8,
        hidden=32,
        lr=3e-3,
        threads=1,
        run_dir=str(tmp_path / "run"),
        replay_seeds=(0,),
    )
    base.update(kw)
    return BackpropConfig(**base)


@pytest.fixture(scope="module")
def fixed_batch() -> torch.Tensor:
    images = ImageTargets("mnist", "train").batch(range(4))
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255


def batch_loss(trainer: BackpropTrainer, target: torch.Tensor, kind: str) -> float:
    with torch.no_grad():
        _, mean, second = trainer.policy(target, trainer.painter, trainer.cfg.strokes)
        return float(pixel_loss(kind, mean, second, target.permute(0, 2, 3, 1)).mean())


@pytest.mark.parametrize("pixel", ["expected", "mse"])
def test_training_steps_lower_the_pixel_objective(tmp_path, fixed_batch, pixel):
    torch.manual_seed(0)
    trainer = BackpropTrainer(tiny_config(tmp_path, pixel=pixel))
    before = batch_loss(trainer, fixed_batch, pixel)
    for _ in range(8):
        trainer.train_step(fixed_batch)
    assert batch_loss(trainer, fixed_batch, pixel) < before


def test_pure_adversarial_trains_critic_and_agent(tmp_path, fixed_batch):
    trainer = BackpropTrainer(tiny_config(tmp_path, pixel="none", adversarial=1.0))
    agent0 = [p.detach().clone() for p in trainer.policy.parameters()]
    critic0 = [p.detach().clone() for p in trainer.critic.parameters()]
    rows = [trainer.train_step(fixed_batch) for _ in range(3)]
    assert all("critic_loss" in r and "wasserstein" in r for r in rows)
    assert rows[0]["critic_loss"] != rows[-1]["critic_loss"]
    assert any(not torch.equal(a, b) for a, b in zip(agent0, trainer.policy.parameters(), strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(critic0, trainer.critic.parameters(), strict=True))


def test_expected_objective_is_mse_plus_seed_variance(tmp_path, fixed_batch):
    trainer = BackpropTrainer(tiny_config(tmp_path))
    assert batch_loss(trainer, fixed_batch, "expected") > batch_loss(trainer, fixed_batch, "mse")


def test_gradient_penalty_is_near_zero_for_a_unit_gradient_critic():
    critic = PairCritic(64, 8)
    real, fake = torch.rand(3, 3, 64, 64), torch.rand(3, 3, 64, 64)
    gp = gradient_penalty(critic, real, fake, real)
    assert gp.item() > 0.5  # a fresh critic's input gradients are far from unit norm
    loss, wasserstein = critic_loss(critic, fake, real)
    assert torch.isfinite(loss) and np.isfinite(wasserstein)


def test_template_stage_one_fits_the_class_templates(tmp_path, fixed_batch):
    trainer = BackpropTrainer(
        tiny_config(tmp_path, template_only_steps=100, template=0.5, template_decay_steps=10, strokes=8)
    )
    labels = trainer.train_labels[:4]
    templates = torch.as_tensor(load_templates(8))[labels]
    first = trainer.train_step(fixed_batch, templates)
    for _ in range(10):
        last = trainer.train_step(fixed_batch, templates)
        trainer.step += 1
    assert last["template_loss"] < first["template_loss"]
    assert trainer.template_weight() == 1.0  # still in stage 1
    trainer.step = 100 + 5
    assert trainer.template_weight() == pytest.approx(0.25)  # stage 2 decays 0.5 -> 0 over 10 steps


def test_run_resumes_and_writes_logs(tmp_path):
    cfg = tiny_config(tmp_path, steps=2, eval_every=2)
    trainer = BackpropTrainer(cfg)
    points = trainer.run(progress=False)
    assert [p.strokes for p in points] == [2 * 4 * 2] and points[0].mse == trainer.history[-1]["eval_mypaint_mse"]
    assert {"eval_neural_mse", "eval_mypaint_mse", "eval_gap", "loss"} <= set(trainer.history[-1])
    run = Path(cfg.run_dir)
    assert {"checkpoint.pt", "agent.pt", "log.csv", "curves.png"} <= {p.name for p in run.iterdir()}
    resumed = BackpropTrainer(tiny_config(tmp_path, steps=4, eval_every=2))
    assert resumed.step == 2 and len(resumed.history) == 1
    resumed.run(progress=False)
    assert resumed.step == 4 and [r["step"] for r in resumed.history] == [2, 4] and len(resumed.points) == 2
    with pytest.raises(ValueError, match="strokes"):
        BackpropTrainer(tiny_config(tmp_path, strokes=3))


def test_agent_checkpoint_round_trip_and_bad_files(tmp_path, fixed_batch):
    trainer = BackpropTrainer(tiny_config(tmp_path))
    trainer.train_step(fixed_batch)
    path = tmp_path / "agent.pt"
    agent = BackpropAgent(trainer.policy, trainer.cfg, trainer.painter)
    sha = sha256_of(agent.save(path))
    targets = (fixed_batch.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()
    original = agent.paint(targets)
    np.testing.assert_allclose(
        BackpropAgent.load(path, trainer.painter, sha256=sha).paint(targets), original, atol=1e-6
    )
    with pytest.raises(CheckpointError, match="SHA-256"):
        BackpropAgent.load(path, sha256="0" * 64)
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable"):
        BackpropAgent.load(tmp_path / "bad.pt")
    with pytest.raises(FileNotFoundError, match="train-agent"):
        BackpropAgent.load(tmp_path / "missing.pt")


def test_paint_matches_step_by_step_act(tmp_path, fixed_batch):
    trainer = BackpropTrainer(tiny_config(tmp_path, strokes=3))
    agent = BackpropAgent(trainer.policy, trainer.cfg, trainer.painter)
    targets = (fixed_batch.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()
    strokes = agent.paint(targets)
    assert strokes.shape == (4, 3, 12) and strokes.dtype == np.float32
    assert np.abs(strokes).max() <= 1
    blank = np.full_like(targets[1], 255)
    stepped = np.stack([agent.act({"canvas": blank, "target": targets[1]}) for _ in range(3)])
    np.testing.assert_allclose(stepped, strokes[1], atol=1e-5)
    agent.act({"canvas": blank, "target": targets[2]})  # a new target restarts the sequence
    np.testing.assert_allclose(agent._state[2][0].numpy(), strokes[2, 0], atol=1e-5)
    with pytest.raises(ValueError, match="uint8"):
        agent.paint(targets.astype(np.float32))
    with pytest.raises(ValueError, match="64x64"):
        agent.paint(np.zeros((1, 32, 32, 3), np.uint8))


def test_config_rejects_nothing_to_train():
    with pytest.raises(ValueError, match="nothing to train"):
        BackpropConfig(pixel="none")
    with pytest.raises(ValueError, match="pixel objective"):
        BackpropConfig(pixel="l1")


def test_data_parallel_under_torchrun(tmp_path):
    """Two gloo processes train together; replicas stay identical (checked inside the run)."""
    run = tmp_path / "ddp"
    with socket.socket() as sock:  # a free port: a fixed one clashes with another test run on the machine
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        f"--master_port={port}",
        "-m",
        "paint_gym.cli",
        "train-agent",
        "--dataset",
        "mnist",
        "--strokes",
        "2",
        "--batch-size",
        "4",
        "--steps",
        "3",
        "--eval-every",
        "100",
        "--eval-images",
        "4",
        "--adversarial",
        "0.01",
        "--threads",
        "1",
        "--run-dir",
        str(run),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    assert state["step"] == 3
    assert "MyPaint replay" in done.stdout


def test_fresh_agent_strokes_depend_on_the_target(tmp_path, fixed_batch):
    """An output layer initialised at +-1e-3 gave every target the same strokes (differences
    ~1e-6) and training collapsed to one grey blob; with the default initialisation a fresh
    agent's strokes already differ between digits by ~1e-3, enough for gradients to reach the
    encoder."""
    trainer = BackpropTrainer(tiny_config(tmp_path, width=32, hidden=256))
    with torch.no_grad():
        actions, _, _ = trainer.policy(fixed_batch, trainer.painter, 2)
        trainer.policy.head.weight.uniform_(-1e-3, 1e-3)
        collapsed, _, _ = trainer.policy(fixed_batch, trainer.painter, 2)
    assert (actions[0] - actions[1]).abs().mean() > 1e-4
    assert (collapsed[0] - collapsed[1]).abs().mean() < 1e-5


@pytest.mark.parametrize(
    "bad",
    [
        {"canvas_size": 64.5},
        {"canvas_size": 3},
        {"lr": 0.0},
        {"lr": float("inf")},
        {"strokes": 2.5},
        {"background": "blue"},
        {"dataset": "cifar"},
        {"batch_size": True},
        {"replay_seeds": ()},
        {"grad_clip": -1.0},
    ],
)
def test_config_rejects_values_a_run_would_break_on(bad):
    with pytest.raises(ValueError):
        BackpropConfig(**bad)


@pytest.mark.parametrize("size", [8, 24, 36, 50])
def test_every_accepted_canvas_size_builds_networks_that_paint(size):
    assert BackpropConfig(canvas_size=size).canvas_size == size
    network, critic = BackpropPolicy(size, width=8, hidden=16), PairCritic(size, 8)
    target = torch.rand(2, 3, size, size)
    actions, mean, _ = network(target, load_painter("gan", size), 2)
    assert actions.shape == (2, 2, 12) and mean.shape == (2, size, size, 3)
    assert critic(mean.permute(0, 3, 1, 2), target).shape == (2,)


def test_target_features_once_equal_one_convolution_of_target_canvas_and_coordinates():
    """The encoder's first layer convolves (target, canvas, x/y) as one 8-channel input; the
    policy computes the target's and the coordinates' share once per painting and convolves only
    the canvas at each stroke: the same values, so checkpoints keep painting as they did."""
    torch.manual_seed(0)
    policy = BackpropPolicy(64, width=8, hidden=16)
    target, canvas = torch.rand(3, 3, 64, 64), torch.rand(3, 3, 64, 64)
    joint = torch.cat([target, canvas, policy.coords.expand(3, -1, -1, -1)], dim=1) * 2 - 1
    split = policy.encode_target(target) + policy._first_conv(canvas, slice(3, 6))
    torch.testing.assert_close(split, policy.encoder[0](joint), atol=1e-5, rtol=1e-5)


def test_checkpoints_from_before_the_validation_split_load_as_they_were_trained(tmp_path, fixed_batch):
    trainer = BackpropTrainer(tiny_config(tmp_path))
    agent = BackpropAgent(trainer.policy, trainer.cfg, trainer.painter)
    path = agent.save(tmp_path / "agent.pt")
    payload = torch.load(path, weights_only=True)
    config = json.loads(payload["config"])
    for name in LEGACY_FIELDS:  # what a checkpoint written before these fields holds
        del config[name]
    payload["config"] = json.dumps(config)
    torch.save(payload, tmp_path / "old.pt")
    old = BackpropAgent.load(tmp_path / "old.pt", trainer.painter)
    assert old.config.eval_split == "eval" and old.config.eval_minutes == 0.0
    targets = (fixed_batch.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()
    np.testing.assert_allclose(old.paint(targets), agent.paint(targets), atol=1e-6)


def test_training_evaluates_on_a_validation_slice_held_out_of_the_training_split(tmp_path):
    trainer = BackpropTrainer(tiny_config(tmp_path, eval_images=5))
    train = ImageTargets("mnist", "train")
    assert len(trainer.train_images) == len(train) - 5
    np.testing.assert_array_equal(trainer.eval_targets, train.batch(range(len(train) - 5, len(train))))
    np.testing.assert_array_equal(trainer.train_images[-1].numpy(), train[len(train) - 6])
    chosen_on_eval = BackpropTrainer(tiny_config(tmp_path / "eval", eval_images=5, eval_split="eval"))
    np.testing.assert_array_equal(chosen_on_eval.eval_targets, ImageTargets("mnist", "eval").batch(range(5)))
    with pytest.raises(ValueError, match="eval_split"):
        BackpropConfig(eval_split="test")


def test_eval_minutes_evaluates_on_the_training_clock(tmp_path):
    trainer = BackpropTrainer(tiny_config(tmp_path, steps=3, eval_every=1, eval_minutes=60.0))
    trainer.run(progress=False)
    assert [r["step"] for r in trainer.history] == [3]  # not every step: an hour of training has not passed
    trainer = BackpropTrainer(tiny_config(tmp_path / "often", steps=3, eval_every=1000, eval_minutes=1e-9))
    trainer.run(progress=False)
    assert [r["step"] for r in trainer.history] == [1, 2, 3]


def test_an_interrupted_run_writes_its_checkpoint_and_log_then_resumes(tmp_path, monkeypatch):
    """Ctrl-C (or `timeout -s INT` on a rented GPU) keeps the steps trained so far."""
    trainer = BackpropTrainer(tiny_config(tmp_path, steps=10, eval_every=1))
    train_once = trainer.train_once

    def interrupt_at_step_3() -> dict[str, float]:
        if trainer.step == 2:
            raise KeyboardInterrupt
        return train_once()

    monkeypatch.setattr(trainer, "train_once", interrupt_at_step_3)
    with pytest.raises(KeyboardInterrupt):
        trainer.run(progress=False)
    assert {"checkpoint.pt", "log.csv", "agent.pt"} <= {p.name for p in Path(trainer.cfg.run_dir).iterdir()}
    assert BackpropTrainer(tiny_config(tmp_path, steps=10, eval_every=1)).step == 2


def test_refinement_starts_from_the_agent_and_lowers_the_objective_per_image(tmp_path, fixed_batch):
    """``paint(targets, refine=N)``: N = 0 is the agent's strokes; more steps never end worse through
    the painter (each image keeps its best), and a few steps lower the expected error of every image."""
    from paint_gym.canvas import expected_mse, to_float_tensor

    trainer = BackpropTrainer(tiny_config(tmp_path, strokes=3))
    agent = BackpropAgent(trainer.policy, trainer.cfg, trainer.painter)
    targets = (fixed_batch.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()
    plain = agent.paint(targets)
    np.testing.assert_array_equal(agent.paint(targets, refine=0), plain)
    refined = agent.paint(targets, refine=8)
    assert refined.shape == plain.shape and refined.dtype == np.float32 and np.abs(refined).max() <= 1

    def error(actions: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return expected_mse(torch.as_tensor(actions), to_float_tensor(targets), agent.painter).numpy()

    before, after = error(plain), error(refined)
    assert (after < before).all(), (before, after)
    with pytest.raises(ValueError, match="refine"):
        agent.paint(targets, refine=-1)


def test_refine_strokes_checks_its_inputs(fixed_batch):
    from paint_gym.benchmark.reference import refine_strokes

    targets = (fixed_batch.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()
    with pytest.raises(ValueError, match=r"\(B, T, 12\)"):
        refine_strokes(np.zeros((3, 2, 12), np.float32), targets)
    with pytest.raises(ValueError, match="NaN"):
        refine_strokes(np.full((4, 2, 12), np.nan, np.float32), targets)


def test_init_starts_a_new_run_from_an_agents_weights(tmp_path, fixed_batch):
    """``init``: fine-tuning (e.g. through another painter) starts from the given agent's policy."""
    first = BackpropTrainer(tiny_config(tmp_path / "a"))
    first.train_step(fixed_batch)
    path = BackpropAgent(first.policy, first.cfg, first.painter).save(tmp_path / "agent.pt")
    second = BackpropTrainer(tiny_config(tmp_path / "b", init=str(path), painter="gan"))
    for name, value in first.policy.state_dict().items():
        torch.testing.assert_close(second.policy.state_dict()[name], value, rtol=0, atol=0)
    with pytest.raises(ValueError, match="width"):
        BackpropTrainer(tiny_config(tmp_path / "c", init=str(path), width=4))
    with pytest.raises(ValueError, match="width=32"):  # a shipped agent by name (verified, then compared)
        BackpropTrainer(tiny_config(tmp_path / "d", init="mnist"))


def test_an_agent_given_a_painter_object_joins_its_device_and_leaves_it_there(tmp_path, fixed_batch):
    """Loading an agent with a caller's painter (the trainer's own, for ``init``) must not move that
    painter: it did, to the CPU, and ``train-agent --init NAME --device cuda`` failed at its first step
    with tensors on two devices. The "meta" device stands in for a GPU here."""
    first = BackpropTrainer(tiny_config(tmp_path / "a"))
    path = BackpropAgent(first.policy, first.cfg, first.painter).save(tmp_path / "agent.pt")
    painter = load_painter("dab").to("meta")
    agent = BackpropAgent.load(path, painter=painter)
    assert next(painter.parameters()).device.type == "meta"
    assert agent.device.type == "meta" and agent.painter is painter
    assert all(p.device.type == "meta" for p in agent.policy.parameters())
    cpu = BackpropAgent.load(path, painter=load_painter("dab"))  # and a CPU painter keeps a CPU agent
    assert cpu.device.type == "cpu"
