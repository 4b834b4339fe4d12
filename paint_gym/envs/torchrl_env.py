"""A TorchRL env over the batched neural episodes: ``PaintTorchRLEnv``, an ``EnvBase`` on one device.

TorchRL's ``EnvBase`` (``torchrl/envs/common.py``) holds ``batch_size`` and ``device`` as the env's
own properties; this one is batch-locked to ``num_envs`` and runs
:class:`~paint_gym.envs.neural_env.NeuralPaintVectorEnv` in its tensor mode (``tensors=True``,
autoreset ``DISABLED``), so observations, rewards and done flags are tensors on the device from
the painter to the policy. Needs ``torchrl`` (``pip install torchrl``); paint_gym itself does not.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.vector import AutoresetMode
from tensordict import TensorDict, TensorDictBase
from torchrl.data import Bounded, Categorical, Composite, Unbounded
from torchrl.envs import EnvBase

from ..validation import check_int


class PaintTorchRLEnv(EnvBase):
    """N painting episodes of a ``NeuralPaint-*`` id as a batch-locked TorchRL env on ``device``.

    ## Specs
    ``observation_spec``: ``canvas`` and ``target``, uint8 ``(N, H, W, 3)`` in [0, 255] (or with
    ``obs_mode="stacked"`` one ``observation`` ``(N, H, W, 6)``); ``action_spec``: float32
    ``(N, 12)`` in [-1, 1] (the stroke, :mod:`paint_gym.actions`); ``reward_spec``: float32
    ``(N, 1)``; ``done``, ``terminated`` and ``truncated``: bool ``(N, 1)``. The reward is the
    env's (``"dense"``: the decrease of the MSE), cast to float32 as TorchRL keeps rewards.

    ## Reset
    ``reset()`` starts every episode; a ``"_reset"`` mask ``(N, 1)`` (what TorchRL's rollouts and
    collectors pass for ended episodes) starts only those (the mask is read on the host, once per
    reset). ``set_seed(s)`` seeds the next reset (sub-env ``i`` gets ``s + i``).

    ## Arguments
    ``env_id`` (a ``NeuralPaint-*-v0`` id), ``num_envs``, ``device``, and any argument of
    ``gym.make_vec`` for that id (``canvas_size``, ``episode_length``, ``reward``,
    ``max_episode_steps``, ``obs_mode``, ``painter``, ...); ``action_mode="discrete"``,
    ``tensors`` and ``autoreset_mode`` are this env's to set and raise ``ValueError``.
    """

    batch_locked = True

    def __init__(
        self, env_id: str = "NeuralPaint-MNIST-v0", num_envs: int = 8, device: str | torch.device = "cpu", **kwargs: Any
    ) -> None:
        for key in ("tensors", "autoreset_mode", "vectorization_mode"):
            if key in kwargs:
                raise ValueError(f"PaintTorchRLEnv sets {key}= itself (tensors on the device, resets by TorchRL)")
        num_envs = check_int("num_envs", num_envs, 1)
        self.env = gym.make_vec(
            env_id, num_envs, device=device, tensors=True, autoreset_mode=AutoresetMode.DISABLED, **kwargs
        )
        inner = self.env.unwrapped
        super().__init__(device=inner.device, batch_size=torch.Size([num_envs]))
        self.num_envs, self._seed = num_envs, None
        space = inner.single_observation_space
        boxes = {"observation": space} if isinstance(space, gym.spaces.Box) else dict(space.spaces)
        self.observation_spec = Composite(
            {key: self._image_spec(box.shape) for key, box in boxes.items()}, shape=self.batch_size, device=self.device
        )
        self.action_spec = Bounded(-1.0, 1.0, (num_envs, 12), dtype=torch.float32, device=self.device)
        self.reward_spec = Unbounded((num_envs, 1), dtype=torch.float32, device=self.device)
        flag = {"n": 2, "shape": (num_envs, 1), "dtype": torch.bool, "device": self.device}
        self.done_spec = Composite(
            {key: Categorical(**flag) for key in ("done", "terminated", "truncated")},
            shape=self.batch_size,
            device=self.device,
        )

    def _image_spec(self, shape: tuple[int, ...]) -> Bounded:
        return Bounded(0, 255, (self.num_envs, *shape), dtype=torch.uint8, device=self.device)

    def _observation(self, obs: Any) -> dict[str, torch.Tensor]:
        return {"observation": obs} if isinstance(obs, torch.Tensor) else dict(obs)

    def _reset(self, tensordict: TensorDictBase | None = None, **kwargs: Any) -> TensorDictBase:
        options = None
        if tensordict is not None and "_reset" in tensordict.keys():
            mask = tensordict.get("_reset").reshape(self.num_envs).cpu().numpy().astype(bool)
            if not mask.all():
                options = {"reset_mask": mask}
        obs, _ = self.env.reset(seed=self._seed, options=options)
        self._seed = None
        flags = torch.zeros(self.num_envs, 1, dtype=torch.bool, device=self.device)
        fields = {**self._observation(obs), "done": flags, "terminated": flags.clone(), "truncated": flags.clone()}
        return TensorDict(fields, batch_size=self.batch_size, device=self.device)

    def _step(self, tensordict: TensorDictBase) -> TensorDictBase:
        obs, reward, terminated, truncated, _ = self.env.step(tensordict.get("action"))
        fields = {
            **self._observation(obs),
            "reward": reward.to(torch.float32).unsqueeze(-1),
            "done": (terminated | truncated).unsqueeze(-1),
            "terminated": terminated.unsqueeze(-1),
            "truncated": truncated.unsqueeze(-1),
        }
        return TensorDict(fields, batch_size=self.batch_size, device=self.device)

    def _set_seed(self, seed: int | None) -> None:
        self._seed = None if seed is None else int(np.uint32(seed))

    def close(self, *, raise_if_closed: bool = True) -> None:
        self.env.close()
        super().close(raise_if_closed=raise_if_closed)


__all__ = ["PaintTorchRLEnv"]
