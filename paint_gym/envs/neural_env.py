"""NeuralPaintEnv and NeuralPaintVectorEnv: painting with a neural painter (differentiable, batched)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from .. import actions as act
from ..canvas import background_rgb, composite, paint_differentiable
from ..painters.load import NeuralCanvasPainter, load_painter
from ..painters.load import to_uint8_tensor as _to_uint8
from .task import (
    Box,
    PaintEnv,
    Reward,
    check_reward,
    make_targets,
    observation_space,
    reward_value,
    side_by_side,
    task_spec,
)


def paint_channels_first(painter: Any, actions: torch.Tensor, canvas: torch.Tensor | None, background: np.ndarray, device: torch.device) -> torch.Tensor:
    """The envs' differentiable path: ``(B, T, 12)`` -> ``(B, 3, H, W)``, torch's image layout."""
    start = None if canvas is None else canvas.to(device).permute(0, 2, 3, 1)
    return paint_differentiable(painter, actions.to(device), start, background).permute(0, 3, 1, 2)


class NeuralPaintEnv(PaintEnv):
    """Reconstruct a target image with brushstrokes painted by a neural painter.

    ## Description
    The same task as :class:`~paint_gym.envs.MyPaintEnv` (same spaces, targets, rewards,
    episode end and rendering; see its docstring), but each stroke's alpha map comes from a
    network trained to imitate MyPaint (``painter="gan"`` by default, or ``"vae"``, or a
    checkpoint path), composited exactly with the stroke's colour. It needs no libmypaint, is
    deterministic, and runs on any torch ``device``.

    ## Differentiable path
    ``env.unwrapped.paint(actions (B, T, 12) tensor, canvas=None) -> (B, 3, H, W)`` in [0, 1]
    paints whole sequences with gradients reaching the actions, for agents that learn by
    backpropagation through the painter.

    ## Arguments
    As MyPaintEnv, with ``painter="gan"`` and ``device="cpu"`` instead of ``brush``.

    ## Version History
    * v0: initial version.
    """

    def __init__(self, task: str = "MNIST", *, painter: Any = "gan", device: str | torch.device = "cpu", **kwargs: Any) -> None:
        super().__init__(task, **kwargs)
        self.device = torch.device(device)
        self.painter = load_painter(painter, canvas_size=self.canvas_size, device=self.device)
        self._background_t = torch.as_tensor(self.background, device=self.device)
        self._canvas_t = self._background_t.expand(self.canvas_size, self.canvas_size, 3).clone()

    def paint(self, actions: torch.Tensor, canvas: torch.Tensor | None = None) -> torch.Tensor:
        """Differentiable painting: ``(B, T, 12)`` actions -> ``(B, 3, H, W)`` canvases in [0, 1].

        ``canvas`` ``(B, 3, H, W)`` is painted over (default: blank background).
        """
        return paint_channels_first(self.painter, actions, canvas, self.background, self.device)

    def _clear(self) -> np.ndarray:
        self._canvas_t = self._background_t.expand(self.canvas_size, self.canvas_size, 3).clone()
        return _to_uint8(self._canvas_t)

    @torch.no_grad()
    def _paint(self, action: np.ndarray) -> tuple[Box, np.ndarray]:
        a = torch.as_tensor(action[None], device=self.device)
        alpha = self.painter.render_alpha(a)[0]
        self._canvas_t = composite(self._canvas_t, alpha, act.colors_of(a[0]))
        return (0, self.canvas_size, 0, self.canvas_size), _to_uint8(self._canvas_t)

    def _reseed_painter(self, seed: int) -> None:
        """Deterministic painter: nothing to seed."""

    def _stroke_painter(self) -> NeuralCanvasPainter:
        return NeuralCanvasPainter(self.painter, self.background)


class NeuralPaintVectorEnv(VectorEnv):
    """N painting episodes stepped as one torch batch (``gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N)``).

    Same task, spaces (batched), rewards and ``info`` keys as :class:`NeuralPaintEnv`, numpy at
    the boundary, Gymnasium's next-step autoreset: the step after an episode ends resets that
    sub-env (its action is ignored, its reward is 0). ``reset(seed=s)`` seeds sub-env ``i`` with
    ``s + i``, and sub-env ``i`` then shows exactly what ``NeuralPaintEnv.reset(seed=s + i)`` shows.
    """

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        num_envs: int = 8,
        task: str = "MNIST",
        *,
        painter: Any = "gan",
        device: str | torch.device = "cpu",
        split: str = "train",
        canvas_size: int = 64,
        episode_length: int | None = None,
        reward: Reward = "dense",
        background: str | tuple[float, float, float] = "white",
        render_mode: str | None = None,
        data_dir: str | os.PathLike | None = None,
    ) -> None:
        if int(num_envs) != num_envs or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer; got {num_envs!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array'; got {render_mode!r}")
        self.task = task_spec(task)
        self.num_envs = int(num_envs)
        self.canvas_size = int(canvas_size)
        length = self.task.episode_length if episode_length is None else episode_length
        if int(length) != length or length < 1:
            raise ValueError(f"episode_length must be a positive integer; got {episode_length!r}")
        self.episode_length = int(length)
        self.reward_mode = check_reward(reward)
        self.render_mode = render_mode
        self.device = torch.device(device)
        self.background = background_rgb(background)
        self.painter = load_painter(painter, canvas_size=self.canvas_size, device=self.device)
        self.single_action_space = act.action_space()
        self.single_observation_space = observation_space(self.canvas_size)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.targets = make_targets(self.task, split, self.canvas_size, data_dir, lambda: NeuralCanvasPainter(self.painter, self.background))
        n, s = self.num_envs, self.canvas_size
        self._bg = torch.as_tensor(self.background, device=self.device)
        self._canvas = self._bg.expand(n, s, s, 3).clone()
        self._target = np.full((n, s, s, 3), 255, np.uint8)
        self._target_t = torch.ones(n, s, s, 3, device=self.device)
        self._steps = np.zeros(n, np.int64)
        self._l2 = np.zeros(n)
        self._autoreset = np.zeros(n, bool)
        self._rngs: list[np.random.Generator] = [seeding.np_random()[0] for _ in range(n)]

    # -- helpers ---------------------------------------------------------------------------
    def _reset_envs(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """Start new episodes in the given sub-envs; returns their reset infos in Gymnasium's
        vector layout (``info[key]`` per sub-env and the mask ``info["_" + key]``)."""
        infos: dict[str, np.ndarray] = {}
        for i in index:
            self._rngs[i].integers(1 << 31)  # the single env's painter seed: keeps seeds interchangeable
            target, info = self.targets.sample(self._rngs[i])
            self._target[i] = target
            for key, value in info.items():
                if key not in infos:
                    value_arr = np.asarray(value)
                    infos[key] = np.zeros((self.num_envs, *value_arr.shape), value_arr.dtype)
                    infos["_" + key] = np.zeros(self.num_envs, bool)
                infos[key][i] = value
                infos["_" + key][i] = True
        idx = torch.as_tensor(index, device=self.device, dtype=torch.long)
        self._target_t[idx] = torch.as_tensor(self._target[index], device=self.device).float() / 255.0
        self._canvas[idx] = self._bg
        self._steps[index] = 0
        self._l2[index] = self._mse(idx)
        return infos

    def _mse(self, idx: torch.Tensor) -> np.ndarray:
        """L2 of the uint8 canvases (as the single env reports it) for the given sub-envs."""
        canvas = torch.round(self._canvas[idx].clamp(0, 1) * 255) / 255
        return ((canvas - self._target_t[idx]) ** 2).mean(dim=(1, 2, 3)).double().cpu().numpy()

    def _observation(self) -> dict[str, np.ndarray]:
        return {"canvas": _to_uint8(self._canvas), "target": self._target.copy()}

    # -- the vector API -------------------------------------------------------------------
    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        if seed is not None:
            seeds = [seed + i for i in range(self.num_envs)] if isinstance(seed, int) else list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"reset(seed=...) needs {self.num_envs} seeds; got {len(seeds)}")
            self._rngs = [seeding.np_random(s)[0] for s in seeds]
        infos = self._reset_envs(np.arange(self.num_envs))
        self._autoreset[:] = False
        return self._observation(), {"l2": self._l2.copy(), **infos}

    def step(self, actions: Any) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        a = act.validate_actions(actions, batch_ndim=2)
        if a.shape[0] != self.num_envs:
            raise ValueError(f"actions must be ({self.num_envs}, 12), one per sub-env; got {a.shape}")
        rewards = np.zeros(self.num_envs)
        resetting = np.flatnonzero(self._autoreset)
        active = np.flatnonzero(~self._autoreset)
        reset_infos = self._reset_envs(resetting) if len(resetting) else {}
        if len(active):
            idx = torch.as_tensor(active, device=self.device, dtype=torch.long)
            a_t = torch.as_tensor(a[active], device=self.device)
            with torch.no_grad():
                alpha = self.painter.render_alpha(a_t)
            self._canvas[idx] = composite(self._canvas[idx], alpha, act.colors_of(a_t))
            self._steps[active] += 1
            previous = self._l2[active]
            self._l2[active] = self._mse(idx)
            canvases = _to_uint8(self._canvas[idx]) if callable(self.reward_mode) else None
            for j, i in enumerate(active):
                done = bool(self._steps[i] >= self.episode_length)
                rewards[i] = reward_value(self.reward_mode, previous[j], self._l2[i], done, lambda j=j: canvases[j], self._target[i])
        terminated = np.zeros(self.num_envs, bool)
        terminated[active] = self._steps[active] >= self.episode_length
        self._autoreset = terminated.copy()
        info = {"l2": self._l2.copy(), "step": self._steps.copy(), **reset_infos}
        return self._observation(), rewards, terminated, np.zeros(self.num_envs, bool), info

    def render(self) -> np.ndarray | None:
        """``rgb_array``: every sub-env's ``target | canvas``, ``(N, H, 2W, 3)``."""
        if self.render_mode is None:
            return None
        return side_by_side(self._target, _to_uint8(self._canvas))

    def paint(self, actions: torch.Tensor, canvas: torch.Tensor | None = None) -> torch.Tensor:
        """The differentiable path, as :meth:`NeuralPaintEnv.paint`."""
        return paint_channels_first(self.painter, actions, canvas, self.background, self.device)


__all__ = ["NeuralPaintEnv", "NeuralPaintVectorEnv"]
