"""Stable-Baselines3's ``VecEnv`` over one batched Gymnasium vector env (issue 15: RL on the dab env).

SB3 steps ``num_envs`` copies of a single env one after the other (``DummyVecEnv``) or in worker
processes (``SubprocVecEnv``). The neural painters' vector env
(:class:`paint_gym.envs.neural_env.NeuralPaintVectorEnv`, ``gym.make_vec("NeuralPaint-MNIST-v0",
num_envs=N)``) paints the N sub-envs' strokes in one painter call instead, which is what makes it
fast (``benchmarks/env_speed.py``). :class:`BatchedVecEnv` gives that env SB3's interface, so
``PPO("MultiInputPolicy", BatchedVecEnv(envs))`` trains on it:

* the vector env must reset ended sub-envs in the step that ends them (Gymnasium's
  ``AutoresetMode.SAME_STEP``), as SB3 expects: the returned observation is the next episode's
  first, the ended one's last is ``infos[i]["terminal_observation"]`` (Gymnasium's
  ``info["final_obs"][i]``), and ``infos[i]["TimeLimit.truncated"]`` says a time limit ended it;
* rewards are multiplied by ``reward_scale`` and returned as float32, as SB3's buffers keep them;
* ``seed(s)`` seeds the next reset (sub-env ``i`` gets ``s + i``, as SB3's vector envs do).

SB3's ``VecMonitor`` (not ``Monitor``, which wraps single envs) records episode returns on top.
:func:`make_venv` builds the vector env a run of :mod:`paint_gym_agents.sb3` trains on (this one,
or ``DummyVecEnv`` copies of :func:`make_env` for MyPaint).
Follows the ``VecEnv`` contract of ``stable_baselines3.common.vec_env.base_vec_env`` (SB3 2.x).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvObs, VecEnvStepReturn

if TYPE_CHECKING:
    from .sb3 import SB3Config


class BatchedVecEnv(VecEnv):
    """SB3 ``VecEnv`` of a Gymnasium ``VectorEnv`` whose sub-envs step as one batch.

    ``env``: the vector env, created with ``autoreset_mode=AutoresetMode.SAME_STEP`` (else
    ``ValueError`` naming the fix); ``reward_scale``: factor on every reward (> 0). Observations
    are the vector env's (a dict of ``(N, ...)`` arrays for ``Dict`` spaces); actions ``(N, ...)``.
    ``get_attr``/``set_attr``/``env_method`` reach the one vector env (the same value for every
    index), since its sub-envs are not separate objects.
    """

    def __init__(self, env: VectorEnv, reward_scale: float = 1.0) -> None:
        if not isinstance(env, VectorEnv):
            raise TypeError(f"BatchedVecEnv wraps a gymnasium.vector.VectorEnv; got {type(env).__name__}")
        mode = env.metadata.get("autoreset_mode")
        if mode != AutoresetMode.SAME_STEP:
            raise ValueError(
                f"SB3 needs ended sub-envs reset in the same step; this vector env's autoreset_mode is {mode}: "
                "create it with gym.make_vec(..., autoreset_mode=gymnasium.vector.AutoresetMode.SAME_STEP)"
            )
        if not reward_scale > 0:
            raise ValueError(f"reward_scale must be > 0; got {reward_scale}")
        self.env = env
        self.reward_scale = float(reward_scale)
        self._actions: np.ndarray | None = None
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)
        self.render_mode = getattr(env, "render_mode", None)

    # -- the VecEnv API -----------------------------------------------------------------------
    def reset(self) -> VecEnvObs:
        if any(self._options):
            raise ValueError(
                "BatchedVecEnv takes no per-sub-env reset options (set_options); reset the vector env itself "
                "with env.reset(options={'target': ...})"
            )
        seeds = None if all(s is None for s in self._seeds) else list(self._seeds)
        obs, info = self.env.reset(seed=seeds)
        self.reset_infos = [{} for _ in range(self.num_envs)]
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions)

    def step_wait(self) -> VecEnvStepReturn:
        if self._actions is None:
            raise RuntimeError("step_wait() without step_async(actions)")
        obs, rewards, terminated, truncated, info = self.env.step(self._actions)
        self._actions = None
        dones = np.logical_or(terminated, truncated)
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        final = info.get("final_obs")
        for i in np.flatnonzero(dones):
            if final is None or final[i] is None:
                raise RuntimeError(
                    f"sub-env {i} ended without info['final_obs']: the vector env did not reset it in the same step"
                )
            infos[i]["terminal_observation"] = final[i]
            infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        return obs, (np.asarray(rewards) * self.reward_scale).astype(np.float32), dones, infos

    def close(self) -> None:
        self.env.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        frames = self.env.render()
        return [None] * self.num_envs if frames is None else list(frames)

    # -- attributes: one vector env behind every index ---------------------------------------------
    def _count(self, indices: VecEnvIndices) -> int:
        return len(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return [getattr(self.env, attr_name)] * self._count(indices)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        setattr(self.env, attr_name, value)

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **kwargs: Any
    ) -> list[Any]:
        return [getattr(self.env, method_name)(*method_args, **kwargs)] * self._count(indices)

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return [False] * self._count(indices)


def make_env(config: SB3Config, data_dir: str | os.PathLike | None = None, scale_reward: bool = True) -> gym.Env:
    """One env of the run: the registered id, ``reward="dense"``, ``episode_length=strokes``."""
    env = gym.make(
        config.env_id, episode_length=config.strokes, reward="dense", canvas_size=config.canvas_size, data_dir=data_dir
    )
    if scale_reward:
        scale = float(config.reward_scale)
        env = gym.wrappers.TransformReward(env, lambda r: r * scale)
    return env


def make_venv(config: SB3Config, data_dir: str | os.PathLike | None = None) -> VecEnv:
    """The run's SB3 vector env, episode returns monitored: for ``env="mypaint"`` ``num_envs``
    copies of :func:`make_env` in a ``DummyVecEnv``; for ``env="neural"`` the batched vector env
    (``gym.make_vec``, one painter call for all ``num_envs`` strokes) through
    :class:`~paint_gym_agents.sb3_vecenv.BatchedVecEnv`, the reward scaled the same way."""
    if config.env == "mypaint":
        return DummyVecEnv([lambda: Monitor(make_env(config, data_dir)) for _ in range(config.num_envs)])
    envs = gym.make_vec(
        config.env_id,
        num_envs=config.num_envs,
        episode_length=config.strokes,
        reward="dense",
        canvas_size=config.canvas_size,
        data_dir=data_dir,
        autoreset_mode=gym.vector.AutoresetMode.SAME_STEP,
    )
    return VecMonitor(BatchedVecEnv(envs, reward_scale=config.reward_scale))
