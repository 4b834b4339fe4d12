"""An RLlib-trained policy as an agent checkpoint that loads without Ray: :func:`export_policy`
and :class:`RLlibPolicyAgent` (kind ``rllib_policy``).

An RLlib run (:mod:`paint_gym_agents.rllib`) keeps its policy in RLlib's own checkpoint, which
only Ray can read. :func:`export_policy` (in the RLlib venv, ``make rllib-venv``) takes the
policy's path out of the run's RLModule, the encoder (:class:`StackedCNNEncoder`) and the policy
head, not the value function, and writes them as every agent checkpoint is written
(:mod:`paint_gym_agents.base`: ``kind``, the config as JSON, the weights, ``extra``), with the
architecture recorded beside them (:class:`PolicyArchitecture`). :class:`RLlibPolicyAgent`
rebuilds the same network in plain torch (:class:`RLlibPolicy`) and paints on the run's env as
:class:`paint_gym_agents.rllib.RLlibAgent` does, so ``load_agent("agent.pt")`` works in the main
venv, where Ray is not installed::

    .venv-rllib/bin/paint-gym export-rllib runs/rllib_spiral --out agent.pt   # needs Ray
    agent = load_agent("agent.pt")                                            # needs only torch
    strokes = agent.paint(targets)            # uint8 (B, H, W, 3) -> float32 (B, T, 12)

The checkpoint holds ``kind: "rllib_policy"``; ``config`` (:class:`RLlibPolicyConfig` as JSON:
the task, strokes, canvas size, env id and painter it paints with, and the run's whole
:class:`~paint_gym_agents.rllib_config.RLlibConfig` under ``run``); ``architecture``
(:class:`PolicyArchitecture` as JSON); ``state`` (the float32 state dict of :class:`RLlibPolicy`);
``extra`` (the run's iterations as ``step``, its ``strokes`` and training ``seconds``, and the
MyPaint replay MSE of its last evaluation, ``eval_mypaint_mse``, when that evaluated these weights).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from torch import nn

import paint_gym  # noqa: F401  (registers the env ids)
from paint_gym.actions import ACTION_DIM
from paint_gym.checkpoint import config_from_json, config_to_json
from paint_gym.outputs import check_output

from .base import check_agent_targets, info_of, read_agent_checkpoint, write_agent_checkpoint
from .cnn import image_cnn
from .rllib_config import LEGACY_FIELDS, RLLIB_INSTALL, RUN_FILES, RLlibConfig

#: RLlib's names of the head activations :class:`RLlibPolicy` can rebuild, and their torch modules.
ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU, "elu": nn.ELU}
#: How a stroke is taken from the head's outputs. ``"clipped_mean"``: the mean of RLlib's diagonal
#: Gaussian (the first ``action_dim`` outputs; the others are its log stds), clipped to [-1, 1]:
#: :func:`paint_gym_agents.rllib.module_actions`, the policy's most likely stroke.
ACTION_RULES = ("clipped_mean",)
#: Channels of the stacked observation: the canvas's RGB, then the target's.
STACKED_CHANNELS = 6
PROGRESS_JSON = RUN_FILES[0]  # an RLlib run's config and progress: what makes a folder a run


@dataclass(frozen=True)
class PolicyArchitecture:
    """The network of an exported policy, as recorded in its checkpoint (JSON)."""

    obs_shape: tuple[int, int, int]
    """stacked observation (H, W, C): uint8 canvas then target, C = 6"""
    features: int
    """width of the encoder's linear layer after the CNN (RLlibConfig.features)"""
    head_hiddens: tuple[int, ...]
    """hidden layers of the policy head (RLlib's head_fcnet_hiddens)"""
    head_activation: str
    """activation after each hidden layer of the head (a key of ACTIVATIONS)"""
    action_dim: int
    """stroke fields, 12; the head outputs a mean and a log std for each"""
    action_rule: str = "clipped_mean"
    """how a stroke is taken from the head's outputs (ACTION_RULES)"""

    def __post_init__(self) -> None:
        if len(self.obs_shape) != 3 or any(not isinstance(n, int) or n < 1 for n in self.obs_shape):
            raise ValueError(f"obs_shape must be (H, W, C) of positive ints; got {self.obs_shape}")
        if any(not isinstance(n, int) or n < 1 for n in (self.features, self.action_dim, *self.head_hiddens)):
            raise ValueError(
                f"features ({self.features}), action_dim ({self.action_dim}) and head_hiddens "
                f"({self.head_hiddens}) must be positive ints"
            )
        if self.head_activation not in ACTIVATIONS:
            raise ValueError(f"head_activation must be one of {sorted(ACTIVATIONS)}; got {self.head_activation!r}")
        if self.action_rule not in ACTION_RULES:
            raise ValueError(f"action_rule must be one of {list(ACTION_RULES)}; got {self.action_rule!r}")


def painted_by(config: RLlibConfig) -> dict[str, Any]:
    """What a run trained with ``config`` paints, as :class:`RLlibPolicyConfig` names it: ``task``
    (what agent configs call it: the data set, ``"mnist"``, or ``"strokes"`` for the Strokes task,
    which has none), ``strokes`` (the episode length), ``canvas_size``, ``env`` and ``painter``."""
    spec = config.task
    return {
        "task": spec.dataset or spec.name.lower(),
        "strokes": config.episode_length,
        "canvas_size": config.canvas_size,
        "env": config.env,
        "painter": config.painter,
    }


@dataclass(frozen=True)
class RLlibPolicyConfig:
    """What an exported policy paints (its checkpoint's config): the fields every agent config
    has, read by ``load_agent``'s callers and ``scripts/ship_weights.py``, and the run's whole
    config. Made by :meth:`of_run`; the fields must agree with ``run`` (``ValueError`` otherwise)."""

    task: str
    """task painted: its data set's targets ("mnist", ...; "strokes" for the Strokes task)"""
    strokes: int
    """strokes per painting, T (the run's episode length)"""
    canvas_size: int
    """canvas side in pixels"""
    env: str
    """paint-gym id the policy paints on (NeuralPaint-<Task>-v0 or MyPaint-<Task>-v0)"""
    painter: str
    """neural painter of a NeuralPaint env (unused on MyPaint)"""
    run: dict[str, Any]
    """the run's RLlibConfig (paint_gym_agents.rllib_config), as JSON"""

    @classmethod
    def of_run(cls, config: RLlibConfig) -> RLlibPolicyConfig:
        """The policy config of a run trained with ``config``."""
        return cls(**painted_by(config), run=json.loads(config_to_json(config)))

    def __post_init__(self) -> None:
        for name, value in painted_by(self.run_config).items():
            if getattr(self, name) != value:
                raise ValueError(f"{name} is {getattr(self, name)!r} but the run's config gives {value!r}")

    @property
    def run_config(self) -> RLlibConfig:
        """The run's :class:`RLlibConfig` (its own checks run)."""
        return config_from_json(RLlibConfig, self.run, LEGACY_FIELDS)

    @property
    def neural(self) -> bool:
        """Whether :attr:`env` is a neural-painter id (else MyPaint's)."""
        return self.env.startswith("NeuralPaint-")


class RLlibPolicy(nn.Module):
    """The policy path of RLlib's default PPO/APPO/IMPALA RLModule with paint-gym's catalog
    (:mod:`paint_gym_agents.rllib_module`), in plain torch: the encoder (the stacked uint8 image
    ``(B, H, W, C)`` divided by 255, :func:`paint_gym_agents.cnn.image_cnn`, a linear layer to
    ``features`` and ReLU) and the policy head (an MLP to a mean and a log std per stroke field).
    Its submodules are laid out as RLlib's (``encoder`` as ``StackedCNNEncoder.net``, ``pi`` as
    the head's ``TorchMLP.mlp``), so their state dicts load into each other."""

    def __init__(self, arch: PolicyArchitecture) -> None:
        super().__init__()
        self.arch = arch
        height, width, channels = arch.obs_shape
        cnn = image_cnn(channels, min(height, width))
        with torch.no_grad():
            n_flat = cnn(torch.zeros(1, channels, height, width)).shape[1]
        self.encoder = nn.Sequential(cnn, nn.Linear(n_flat, arch.features), nn.ReLU())
        layers: list[nn.Module] = []
        width_in = arch.features
        for hidden in arch.head_hiddens:
            layers += [nn.Linear(width_in, hidden), ACTIVATIONS[arch.head_activation]()]
            width_in = hidden
        self.pi = nn.Sequential(*layers, nn.Linear(width_in, 2 * arch.action_dim))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """The head's outputs float32 ``(B, 2 * action_dim)`` (means, then log stds) for stacked
        observations ``(B, H, W, C)``, uint8 or float on the 0-255 scale."""
        x = obs.to(torch.float32).permute(0, 3, 1, 2) / 255.0
        return self.pi(self.encoder(x))

    def actions(self, obs: np.ndarray) -> np.ndarray:
        """Strokes float32 ``(N, action_dim)`` in [-1, 1] for stacked observations uint8
        ``(N, H, W, C)``, by the architecture's ``action_rule`` (the clipped mean)."""
        with torch.no_grad():
            mean = self(torch.as_tensor(np.asarray(obs)))[:, : self.arch.action_dim]
        return np.clip(mean.numpy(), -1.0, 1.0).astype(np.float32)


def policy_env(config: RLlibPolicyConfig, n: int, data_dir: str | os.PathLike | None = None) -> gym.vector.VectorEnv:
    """``n`` episodes of the run's env to paint targets on, as the run evaluated
    (:func:`paint_gym_agents.rllib.eval_env`): stacked observations, no reward, no autoreset."""
    kwargs: dict[str, Any] = {
        "episode_length": config.strokes,
        "canvas_size": config.canvas_size,
        "reward": "none",
        "data_dir": None if data_dir is None else str(data_dir),
        "obs_mode": "stacked",
        "autoreset_mode": gym.vector.AutoresetMode.DISABLED,
    }
    if config.neural:
        kwargs["painter"] = config.painter
    return gym.make_vec(config.env, num_envs=n, **kwargs)


class RLlibPolicyAgent:
    """An exported RLlib policy (:func:`export_policy`) with the agent verbs
    (:mod:`paint_gym_agents.base`), in plain torch: ``paint(targets uint8 (B, H, W, 3)) -> float32
    (B, T, 12)`` paints them on the run's env (the neural painter's batched env or MyPaint), the
    policy's most likely stroke at each step, as :class:`paint_gym_agents.rllib.RLlibAgent` does;
    ``act(observation)`` is one stroke for an observation (stacked ``(H, W, 6)`` or the
    ``{"canvas", "target"}`` dict). ``data_dir``: where the env reads its data set."""

    KIND: ClassVar[str] = "rllib_policy"

    def __init__(
        self,
        policy: RLlibPolicy,
        config: RLlibPolicyConfig,
        data_dir: str | os.PathLike | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.policy, self.config, self.data_dir = policy.eval(), config, data_dir
        self.n_strokes = config.strokes
        self.info: dict[str, Any] = dict(info or {})

    @property
    def architecture(self) -> PolicyArchitecture:
        """The network's recorded architecture (what the checkpoint stores beside the weights)."""
        return self.policy.arch

    def reset(self) -> None:
        """Nothing to forget: the policy reads the canvas, not a memory."""

    def act(self, observation: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        """One stroke float32 ``(12,)`` for one observation."""
        if isinstance(observation, dict):
            observation = np.concatenate([observation["canvas"], observation["target"]], axis=-1)
        return self.policy.actions(np.asarray(observation)[None])[0]

    def paint(self, targets: np.ndarray) -> np.ndarray:
        """Strokes float32 ``(B, T, 12)`` in [-1, 1] for targets uint8 ``(B, H, W, 3)`` (the
        agent's canvas size: ``ValueError`` otherwise)."""
        targets = check_agent_targets(targets, self.config.canvas_size)
        env = policy_env(self.config, len(targets), self.data_dir)
        try:
            obs, _ = env.reset(seed=0, options={"target": targets})
            painted = []
            for _ in range(self.n_strokes):
                painted.append(self.policy.actions(obs))
                obs, *_ = env.step(painted[-1])
            return np.stack(painted, axis=1)
        finally:
            env.close()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the agent (``kind: rllib_policy``, config, architecture, weights, ``info``) atomically."""
        arch = config_to_json(self.architecture)
        return write_agent_checkpoint(self, path, architecture=arch, state=self.policy.state_dict())

    @classmethod
    def load(cls, path: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> RLlibPolicyAgent:
        """The agent saved at ``path`` (``weights_only=True``); ``CheckpointError`` for a corrupt
        file, another kind, or weights that do not fit the recorded architecture."""

        def build(payload: dict[str, Any]) -> RLlibPolicyAgent:
            config = config_from_json(RLlibPolicyConfig, payload["config"])
            arch = config_from_json(PolicyArchitecture, payload["architecture"])
            expected = (config.canvas_size, config.canvas_size, STACKED_CHANNELS)
            if arch.obs_shape != expected or arch.action_dim != ACTION_DIM:
                raise ValueError(
                    f"the architecture reads {arch.obs_shape} and writes {arch.action_dim} stroke fields; a "
                    f"{config.canvas_size} px agent reads {expected} and writes {ACTION_DIM}"
                )
            policy = RLlibPolicy(arch)
            policy.load_state_dict(payload["state"])
            return cls(policy, config, data_dir, info_of(payload))

        return read_agent_checkpoint(
            path, cls.KIND, build, missing=f"no RLlib policy at {path}: export a run with `paint-gym export-rllib`"
        )

    @classmethod
    def train(
        cls,
        config: RLlibConfig,
        budget_seconds: float | None = None,
        run_dir: str | os.PathLike | None = None,
        *,
        data_dir: str | os.PathLike | None = None,
        progress: bool = True,
    ) -> RLlibPolicyAgent:
        """Train ``config`` with RLlib in ``run_dir`` (else ``config.run_dir``; resuming it) for its
        iterations or ``budget_seconds`` of training clock (:func:`paint_gym_agents.rllib.train`),
        export the policy to ``run_dir/agent.pt`` and return it. Needs Ray (``ModuleNotFoundError``
        saying how to get it)."""
        rllib = _import_rllib("training an RLlib policy")
        if run_dir is not None:
            config = dataclasses.replace(config, run_dir=str(run_dir))
        rllib.train(config, data_dir, progress=progress, seconds=budget_seconds)
        return cls.load(export_policy(config.run_dir, Path(config.run_dir) / "agent.pt"), data_dir)


# ----------------------------------------------------------------------------------------
# The export (needs Ray)
# ----------------------------------------------------------------------------------------


def _import_rllib(what: str) -> Any:
    """:mod:`paint_gym_agents.rllib`, or ``ModuleNotFoundError`` saying ``what`` needs Ray and how to get it."""
    try:
        from . import rllib  # lazy: Ray is not in the main environment
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(f"{what} needs Ray RLlib ({exc}): {RLLIB_INSTALL}", name=exc.name) from exc
    return rllib


def _actor_encoder(module: Any) -> nn.Module | None:
    """The encoder the policy reads: the shared one (``vf_share_layers``, paint-gym's setting) or the actor's."""
    for name in ("encoder", "actor_encoder"):
        if isinstance(getattr(module.encoder, name, None), nn.Module):
            return getattr(module.encoder, name)
    return None


def architecture_of(module: Any) -> PolicyArchitecture:
    """The :class:`PolicyArchitecture` of an RLModule built with paint-gym's catalog (the
    default PPO/APPO/IMPALA module); ``ValueError`` naming what differs for any other."""
    from .rllib_module import StackedCNNEncoder

    encoder = _actor_encoder(module)
    if not isinstance(encoder, StackedCNNEncoder):
        raise ValueError(f"the module's encoder is a {type(encoder).__name__}, not paint-gym's StackedCNNEncoder")
    dist = module.get_inference_action_dist_cls().__name__
    if dist != "TorchDiagGaussian":
        raise ValueError(f"the module's actions come from a {dist}, not the diagonal Gaussian an export rebuilds")
    layers = list(module.pi.net.mlp)
    names = {cls: name for name, cls in ACTIVATIONS.items()}
    acts = {type(m) for m in layers[1::2]}
    if not layers or not all(isinstance(m, nn.Linear) for m in layers[::2]) or len(layers) % 2 == 0 or len(acts) > 1:
        raise ValueError(f"the policy head is not linear layers with one activation between them: {module.pi}")
    if acts and next(iter(acts)) not in names:
        raise ValueError(f"the policy head's activation {next(iter(acts)).__name__} is none of {sorted(ACTIVATIONS)}")
    return PolicyArchitecture(
        obs_shape=tuple(int(n) for n in encoder.config.input_dims),
        features=int(encoder.config.features),
        head_hiddens=tuple(int(m.out_features) for m in layers[:-1:2]),
        head_activation=names[next(iter(acts))] if acts else "relu",
        action_dim=int(np.prod(module.action_space.shape)),
    )


def policy_of(module: Any) -> RLlibPolicy:
    """The policy path of ``module`` (encoder and policy head, not the value function) as an
    :class:`RLlibPolicy` holding a copy of its weights."""
    policy = RLlibPolicy(architecture_of(module))
    policy.encoder.load_state_dict(_actor_encoder(module).net.state_dict())
    policy.pi.load_state_dict(module.pi.net.mlp.state_dict())
    return policy.eval()


def run_info(run_dir: Path) -> dict[str, Any]:
    """What an exported policy records of its run (its ``info``): iterations as ``step``, strokes,
    training seconds and, when the last evaluation was of the last checkpoint, its MyPaint MSE."""
    progress = json.loads((run_dir / PROGRESS_JSON).read_text())
    info = {"step": int(progress["iteration"]), "strokes": int(progress["strokes"]), "seconds": progress["seconds"]}
    points = progress.get("points") or []
    if points and int(points[-1]["strokes"]) == info["strokes"]:
        info["eval_mypaint_mse"] = float(points[-1]["mse"])
    return info


def export_policy(run_dir: str | os.PathLike, out_path: str | os.PathLike) -> Path:
    """Export the policy of the RLlib run folder ``run_dir`` (its last checkpoint) to the agent
    checkpoint ``out_path`` (``.pt``), which :class:`RLlibPolicyAgent` and ``load_agent`` read
    without Ray; returns the path.

    The policy is checked to take the module's own strokes (within 1e-5) on a batch of random
    observations before anything is written. Needs Ray RLlib to read the run
    (``ModuleNotFoundError`` saying how to get it: ``make rllib-venv``). Raises ``ValueError`` for
    an ``out_path`` that cannot be written, ``FileNotFoundError`` for a folder that is no RLlib run
    or has no checkpoint, ``ValueError`` for a module not built by paint-gym's catalog.
    """
    rllib = _import_rllib("exporting an RLlib policy")
    out = check_output("checkpoint", out_path, "out_path")
    run = Path(run_dir)
    if not (run / PROGRESS_JSON).is_file():
        raise FileNotFoundError(f"{run} is not an RLlib run folder (no {PROGRESS_JSON}): give train-rllib's --run-dir")
    source = rllib.RLlibAgent.load(run)
    policy = policy_of(source.module)
    obs = np.random.default_rng(0).integers(0, 256, (8, *policy.arch.obs_shape), dtype=np.uint8)
    gap = float(np.abs(rllib.module_actions(source.module, obs) - policy.actions(obs)).max())
    if not gap <= 1e-5:
        raise RuntimeError(f"the exported policy's strokes differ from the RLlib module's by {gap:.3g}: not exported")
    agent = RLlibPolicyAgent(policy, RLlibPolicyConfig.of_run(source.config), info=run_info(run))
    return agent.save(out)


__all__ = [
    "ACTION_RULES",
    "ACTIVATIONS",
    "PolicyArchitecture",
    "RLlibPolicy",
    "RLlibPolicyAgent",
    "RLlibPolicyConfig",
    "architecture_of",
    "export_policy",
    "policy_env",
    "policy_of",
    "run_info",
]
