"""What both painting envs share: tasks, targets, episode length, rewards, spaces, rendering.

:class:`PaintEnv` is the whole episode logic; a concrete env only says how to clear its
canvas and how to paint one stroke on it (the real program or a neural painter).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

import gymnasium as gym
import numpy as np

from .. import actions as act
from ..canvas import background_rgb, squared_error_sum, to_uint8
from ..data import ImageTargets, StrokeTargets, TargetSource

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1) in pixels


@dataclass(frozen=True)
class TaskSpec:
    """A painting task: where targets come from and how many strokes an episode has."""

    name: str
    dataset: str | None  # None: targets painted from random strokes
    episode_length: int


TASKS: dict[str, TaskSpec] = {
    "MNIST": TaskSpec("MNIST", "mnist", 8),
    "KMNIST": TaskSpec("KMNIST", "kmnist", 8),
    "CelebA": TaskSpec("CelebA", "celeba", 15),
    "Strokes": TaskSpec("Strokes", None, 8),
}

#: A reward callable gets the new canvas, the target (both uint8 ``(H, W, 3)``) and whether the
#: episode just ended, and returns a float.
RewardCallable = Callable[[np.ndarray, np.ndarray, bool], float]
Reward = Union[str, RewardCallable]
REWARDS = ("dense", "final", "none")


def task_spec(task: str) -> TaskSpec:
    for name, spec in TASKS.items():
        if task.lower() == name.lower():
            return spec
    raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")


def check_reward(reward: Reward) -> Reward:
    if callable(reward) or reward in REWARDS:
        return reward
    raise ValueError(f"reward must be one of {REWARDS} or a callable(canvas, target, done) -> float; got {reward!r}")


def make_targets(task: TaskSpec, split: str, canvas_size: int, data_dir: str | os.PathLike | None, stroke_painter: Callable[[], Any]) -> TargetSource:
    """The target source of a task; ``stroke_painter()`` makes the painter of Strokes targets."""
    if task.dataset is None:
        # as many strokes as the task's default episode, whatever an env's length
        return StrokeTargets(stroke_painter(), TASKS["Strokes"].episode_length)
    return ImageTargets(task.dataset, split, canvas_size, data_dir)


def reward_value(mode: Reward, previous_l2: float, l2: float, done: bool, canvas: Callable[[], np.ndarray], target: np.ndarray) -> float:
    """The reward of one step (see the env docstrings); ``canvas()`` makes the uint8 canvas
    only when a callable reward needs it."""
    if callable(mode):
        return float(mode(canvas(), target.copy(), done))
    if mode == "dense":
        return float(previous_l2 - l2)
    if mode == "final":
        return float(-l2) if done else 0.0
    return 0.0


def observation_space(canvas_size: int) -> gym.spaces.Dict:
    image = gym.spaces.Box(0, 255, (canvas_size, canvas_size, 3), np.uint8)
    return gym.spaces.Dict({"canvas": image, "target": image})


def side_by_side(target: np.ndarray, canvas: np.ndarray) -> np.ndarray:
    """``target | canvas`` as one uint8 image ``(H, 2W, 3)``."""
    return np.concatenate([target, canvas], axis=-2)


class PaintEnv(gym.Env, ABC):
    """Episode logic shared by MyPaintEnv and NeuralPaintEnv (see their docstrings)."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(
        self,
        task: str = "MNIST",
        *,
        split: str = "train",
        canvas_size: int = 64,
        episode_length: int | None = None,
        reward: Reward = "dense",
        action_mode: str = "continuous",
        discrete: act.DiscreteActions | None = None,
        background: str | tuple[float, float, float] = "white",
        render_mode: str | None = None,
        data_dir: str | os.PathLike | None = None,
    ) -> None:
        self.task = task_spec(task)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}; got {render_mode!r}")
        if action_mode not in ("continuous", "discrete"):
            raise ValueError(f"action_mode must be 'continuous' or 'discrete'; got {action_mode!r}")
        length = self.task.episode_length if episode_length is None else episode_length
        if int(length) != length or length < 1:
            raise ValueError(f"episode_length must be a positive integer; got {episode_length!r}")
        self.canvas_size = int(canvas_size)
        self.episode_length = int(length)
        self.reward_mode = check_reward(reward)
        self.render_mode = render_mode
        self.action_mode = action_mode
        self.discrete = discrete or act.DiscreteActions()
        self.background = background_rgb(background)
        self.split = split
        self._data_dir = data_dir
        self.action_space = act.action_space() if action_mode == "continuous" else self.discrete.space()
        self.observation_space = observation_space(self.canvas_size)
        self._targets: TargetSource | None = None
        self._target: np.ndarray | None = None
        self._canvas = np.zeros((self.canvas_size, self.canvas_size, 3), np.uint8)
        self._steps = 0
        self._sse = 0  # exact squared error of canvas vs target, in uint8 units
        self._pen = np.zeros(2, np.float32)
        self._done = True

    # -- what a concrete env provides ------------------------------------------------------
    @abstractmethod
    def _clear(self) -> np.ndarray:
        """Start a blank canvas; return it as uint8 ``(H, W, 3)``."""

    @abstractmethod
    def _paint(self, action: np.ndarray) -> tuple[Box, np.ndarray] | None:
        """Paint one validated continuous action ``(12,)``.

        Returns the changed region ``(y0, y1, x0, x1)`` and its new uint8 pixels
        ``(y1 - y0, x1 - x0, 3)``, or None if nothing changed. Reporting only the region keeps
        the per-step cost proportional to the stroke, not to the canvas.
        """

    @abstractmethod
    def _stroke_painter(self) -> Any:
        """A painter with ``paint`` and ``reseed`` for the Strokes task's targets."""

    @abstractmethod
    def _reseed_painter(self, seed: int) -> None:
        """Reseed the env's painter (the real brush is random)."""

    # -- the gymnasium API ----------------------------------------------------------------
    @property
    def targets(self) -> TargetSource:
        """The target source, loaded on first use (data files are read once per env)."""
        if self._targets is None:
            self._targets = make_targets(self.task, self.split, self.canvas_size, self._data_dir, self._stroke_painter)
        return self._targets

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start an episode on a blank canvas with a new target.

        ``options={"target": uint8 (H, W, 3)}`` paints a given image instead of a drawn one.
        """
        super().reset(seed=seed)
        self._reseed_painter(int(self.np_random.integers(1 << 31)))
        target, info = self._choose_target(options)
        self._target = target
        self._canvas = self._clear()
        self._steps = 0
        self._pen = np.zeros(2, np.float32)
        self._sse = squared_error_sum(self._canvas, target)
        self._done = False
        info.update(l2=self._l2, step=0)
        return self._observation(), info

    def _choose_target(self, options: dict[str, Any] | None) -> tuple[np.ndarray, dict[str, Any]]:
        if options and options.get("target") is not None:
            target = np.asarray(options["target"])
            expected = (self.canvas_size, self.canvas_size, 3)
            if target.shape != expected or target.dtype != np.uint8:
                raise ValueError(f"options['target'] must be uint8 {expected}; got {target.dtype} {target.shape}")
            return target.copy(), {}
        return self.targets.sample(self.np_random)

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        """Paint one stroke; see the class docstring for rewards and episode end."""
        if self._done or self._target is None:
            raise RuntimeError("the episode is over (or was never started): call reset() before step()")
        continuous, paints = self._to_continuous(action)  # raises before any state changes
        previous = self._l2
        if paints:
            self._apply(self._paint(continuous))
        if self.action_mode == "discrete":
            self._pen = act.end_point(continuous)
        self._steps += 1
        terminated = self._steps >= self.episode_length
        self._done = terminated
        reward = reward_value(self.reward_mode, previous, self._l2, terminated, self._canvas.copy, self._target)
        info = {"l2": self._l2, "step": self._steps, "action": continuous, "painted": paints}
        return self._observation(), reward, terminated, False, info

    @property
    def _l2(self) -> float:
        """Current L2 distance: MSE of canvas and target on [0, 1]."""
        return self._sse / (self._canvas.size * 255.0**2)

    def _apply(self, update: tuple[Box, np.ndarray] | None) -> None:
        """Write a painted region into the canvas and update the squared error exactly."""
        if update is None:
            return
        (y0, y1, x0, x1), pixels = update
        region = np.s_[y0:y1, x0:x1]
        target = self._target[region]
        self._sse += squared_error_sum(pixels, target) - squared_error_sum(self._canvas[region], target)
        self._canvas[region] = pixels

    def _to_continuous(self, action: Any) -> tuple[np.ndarray, bool]:
        if self.action_mode == "discrete":
            return self.discrete.to_continuous(action, self._pen)
        return act.validate_actions(action, batch_ndim=1), True

    def _observation(self) -> dict[str, np.ndarray]:
        return {"canvas": self._canvas.copy(), "target": self._target.copy()}

    def render(self) -> np.ndarray | None:
        """``rgb_array``: target | canvas side by side, uint8 ``(H, 2W, 3)``."""
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array'")
            return None
        target = self._target if self._target is not None else to_uint8(np.ones_like(self._canvas, np.float32))
        return side_by_side(target, self._canvas)
