"""THE batch of N painting episodes: reset, to-continuous, apply, rewards and info, written once.

gymnax's shape (``gymnax/environments/environment.py``): the episode's step is written once, for a
batch, and what batches it lives outside. :class:`Episodes` holds N episodes as arrays and is every
env's episode logic; :class:`~paint_gym.envs.single.PaintEnv` (``MyPaintEnv``, ``NeuralPaintEnv``)
is a batch of one plus Gymnasium's single-env API, and ``NeuralPaintVectorEnv`` a batch of N plus
autoreset, reset masks and seeds. ``MyPaintVectorEnv`` is Gymnasium's ``SyncVectorEnv`` of
``MyPaintEnv`` batches of one (libmypaint paints one stroke at a time; see its docstring).

The arrays live in numpy (the Gymnasium contract) or, with ``device=``, as torch tensors on one
device (observations, squared errors, step counts, pens and flags stay there; an RL loop on a GPU
then never copies to the host on the step path). Painting is the job of an
:class:`EpisodeCanvases` object: :class:`~paint_gym.painters.canvases.Canvases` (a neural painter's
alpha composited over float canvases) or ``MyPaintCanvases`` (libmypaint's persistent surfaces).

Inner code: every argument was checked at the door (the envs' ``reset`` and ``step``, with
:mod:`paint_gym.envs.checks`), so nothing here validates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .. import actions as act
from ..canvas import squared_error_sum, squared_error_sums
from .rewards import rewards
from .task import observe

if TYPE_CHECKING:
    import torch

    from ..data import TargetSource
    from .task import TaskConfig

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1) in pixels
#: What painting strokes on canvases ``index`` (``k`` of them) gives: their new uint8 canvases
#: ``(k, H, W, 3)``, or per canvas the region that changed, ``(box, pixels (y1-y0, x1-x0, 3))``, or
#: None where nothing changed (reporting only the region keeps a step's cost proportional to the stroke).
Painted = Any  # np.ndarray | torch.Tensor | list[tuple[Box, np.ndarray] | None]


class EpisodeCanvases(Protocol):
    """What the episodes paint with: the canvases of N episodes and the painter that paints them."""

    def start(self, num: int, index: np.ndarray, seeds: Sequence[int | None]) -> Any:
        """Blank canvases for new episodes ``index`` of a batch of ``num``, as uint8 ``(k, H, W, 3)``;
        ``seeds[k]`` is episode ``index[k]``'s brush seed (a random painter is reseeded with it)."""
        ...

    def add(self, index: np.ndarray, strokes: np.ndarray) -> Painted:
        """Paint stroke ``strokes[k]`` ``(12,)`` on the canvas of episode ``index[k]``."""
        ...


def pen_strokes(discrete: act.DiscreteActions, actions: np.ndarray, pens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SPIRAL's pen, the one rule for envs and agents: validated discrete actions ``(k, F)`` as
    continuous strokes ``(k, 12)`` float32 that start where each pen rests (``pens`` ``(k, 2)`` in
    action coordinates), and whether each paints ``(k,)`` (a lift only moves the pen). After its
    stroke a pen rests at the stroke's end point (:func:`pen_after`), painted or not."""
    return discrete.to_continuous_batch(actions, pens)


def pen_after(strokes: np.ndarray) -> np.ndarray:
    """Where the pens rest after continuous strokes ``(k, 12)``: their end points ``(k, 2)`` float32."""
    return np.array(strokes[..., act.END_X : act.END_Y + 1], np.float32)


class NumpyArrays:
    """The array operations of :class:`Episodes` in numpy (the default)."""

    device = None

    def zeros(self, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        return np.zeros(shape, dtype)

    def asarray(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def index(self, index: np.ndarray) -> np.ndarray:
        return index

    def squared_error_sums(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return squared_error_sums(a, b)

    def squared_error_sum(self, a: np.ndarray, b: np.ndarray) -> int:
        return squared_error_sum(a, b)

    def numpy(self, x: np.ndarray) -> np.ndarray:
        return x


class TorchArrays:
    """The array operations of :class:`Episodes` in torch, every array on ``device``."""

    def __init__(self, device: torch.device) -> None:
        import torch

        self.torch = torch
        self.device = device
        self.dtypes = {
            np.dtype(name): getattr(torch, name) for name in ("uint8", "int64", "float32", "float64", "bool")
        }

    def zeros(self, shape: tuple[int, ...], dtype: Any) -> torch.Tensor:
        return self.torch.zeros(shape, dtype=self.dtypes[np.dtype(dtype)], device=self.device)

    def asarray(self, x: Any) -> torch.Tensor:
        return self.torch.as_tensor(x, device=self.device)

    def index(self, index: np.ndarray) -> torch.Tensor:
        return self.torch.as_tensor(index, dtype=self.torch.long, device=self.device)

    def squared_error_sums(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """As :func:`paint_gym.canvas.squared_error_sums`: exact int64 sums over ``(..., H, W, C)``."""
        d = a.to(self.torch.int32) - b.to(self.torch.int32)
        return (d * d).flatten(-3).sum(-1, dtype=self.torch.int64)

    def squared_error_sum(self, a: torch.Tensor, b: torch.Tensor) -> int:
        return int(self.squared_error_sums(a[None], b[None])[0])

    def numpy(self, x: torch.Tensor) -> np.ndarray:
        return x.cpu().numpy()


class Episodes:
    """N painting episodes as arrays, each axis 0 of length ``num``.

    ``canvas`` and ``target``: uint8 ``(N, H, W, 3)`` (what the observation shows); ``sse``: the
    exact squared error of canvas and target, int64 ``(N,)`` in uint8 units (``l2`` divides it);
    ``steps``: strokes painted, int64 ``(N,)``; ``pen``: where each discrete pen rests, float32
    ``(N, 2)``; ``stroke``: the last continuous stroke, float32 ``(N, 12)`` (NaN after a reset);
    ``painted``: whether it painted, bool ``(N,)``; ``done``: whether the episode ended
    (terminated or truncated), bool ``(N,)``; ``target_info``: the target's ``info`` keys, each
    ``(N, ...)``. ``time_limit``: the step after which episodes are truncated, or None.

    ``device=None`` keeps every array in numpy; a torch device keeps them there as tensors.
    """

    def __init__(self, config: TaskConfig, num: int, *, device: Any = None) -> None:
        self.config = config
        self.num = num
        self.xp: Any = NumpyArrays() if device is None else TorchArrays(device)
        xp, n, s = self.xp, num, config.canvas_size
        self.canvas = xp.zeros((n, s, s, 3), np.uint8)
        self.target = xp.zeros((n, s, s, 3), np.uint8)
        self.target[:] = 255
        self.sse = xp.zeros(n, np.int64)
        self.steps = xp.zeros(n, np.int64)
        self.pen = xp.zeros((n, 2), np.float32)
        self.stroke = xp.zeros((n, act.ACTION_DIM), np.float32)
        self.painted = xp.zeros(n, np.bool_)
        self.done = xp.zeros(n, np.bool_)
        self.done[:] = True  # nothing to step before a reset
        self.target_info = {
            key: xp.zeros((n, *np.shape(value)), np.asarray(value).dtype) for key, value in config.target_info().items()
        }
        self.time_limit: int | None = None

    # -- reset -------------------------------------------------------------------------------
    def reset(
        self,
        index: np.ndarray,
        canvases: EpisodeCanvases,
        rngs: Sequence[np.random.Generator] | None = None,
        targets: TargetSource | None = None,
        given: Any = None,
    ) -> None:
        """Start new episodes ``index`` (int array): targets drawn from ``targets``, or ``given[k]``
        (uint8 ``(k, H, W, 3)``) for episode ``index[k]``; blank canvases from ``canvases``.

        ``rngs[k]`` is episode ``index[k]``'s generator: it draws the brush seed, then the target
        (the order every env has used, so a seed gives the same episode everywhere). Without
        ``rngs`` (a caller painting given targets) no seed is drawn.
        """
        xp, seeds, images, infos = self.xp, [], [], []
        for k in range(len(index)):
            seeds.append(None if rngs is None else int(rngs[k].integers(1 << 31)))
            if given is None:
                target, sampled = targets.sample(rngs[k])
                info = self.config.target_info(sampled)
            else:
                target, info = given[k], self.config.target_info()
            images.append(np.asarray(target))
            infos.append(info)
        ix = xp.index(index)
        if len(index):  # one transfer per array (the targets are drawn on the host)
            self.target[ix] = xp.asarray(np.stack(images))
            for key in self.target_info:
                self.target_info[key][ix] = xp.asarray(np.stack([np.asarray(info[key]) for info in infos]))
        self.canvas[ix] = xp.asarray(canvases.start(self.num, index, seeds))
        self.sse[ix] = xp.squared_error_sums(self.canvas[ix], self.target[ix])
        self.steps[ix] = 0
        self.pen[ix] = 0.0
        self.stroke[ix] = float("nan")
        self.painted[ix] = False
        self.done[ix] = False

    # -- step --------------------------------------------------------------------------------
    def to_continuous(self, actions: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The continuous strokes ``(k, 12)`` of episodes ``index``' validated actions (float32
        ``(k, 12)``, or int64 ``(k, F)`` in discrete mode, from their pens) and whether each paints."""
        if self.config.action_mode == "continuous":
            return actions, np.ones(len(actions), bool)
        return pen_strokes(self.config.discrete, actions, self.xp.numpy(self.pen[self.xp.index(index)]))

    def step(
        self, index: np.ndarray, strokes: np.ndarray, paints: np.ndarray, canvases: EpisodeCanvases
    ) -> tuple[Any, Any, Any]:
        """Paint one stroke in each episode ``index`` (``strokes`` ``(k, 12)`` from :meth:`to_continuous`;
        ``paints[k]`` False: a lift, nothing painted) and count it.

        Returns the rewards (float64 ``(k,)``), ``terminated`` and ``truncated`` (bool ``(k,)``).
        A reward callable that returns no finite number raises after every episode's stroke was
        painted and counted and every callable was called (the first refusal is raised).
        """
        xp, ix = self.xp, self.xp.index(index)
        previous = self.l2(index)
        every = bool(paints.all())  # continuous strokes all paint: no mask (nor its copy to a device)
        painting = index if every else index[paints]
        if len(painting):
            self._write(painting, canvases.add(painting, strokes if every else strokes[paints]))
        if self.config.action_mode == "discrete":
            self.pen[ix] = xp.asarray(pen_after(strokes))
        self.steps[ix] += 1
        self.stroke[ix] = xp.asarray(strokes)
        self.painted[ix] = True if every else xp.asarray(paints)
        terminated = self.steps[ix] >= self.config.episode_length
        truncated = self.steps[ix] >= self.time_limit if self.time_limit is not None else xp.zeros(len(index), np.bool_)
        self.done[ix] = terminated | truncated
        return self.rewards(index, previous), terminated, truncated

    def _write(self, index: np.ndarray, painted: Painted) -> None:
        """Write what :meth:`EpisodeCanvases.add` gave into the canvases and update the squared
        errors exactly: whole canvases at once, or region by region."""
        xp = self.xp
        if not isinstance(painted, list):
            ix = xp.index(index)
            self.canvas[ix] = xp.asarray(painted)
            self.sse[ix] = xp.squared_error_sums(self.canvas[ix], self.target[ix])
            return
        for i, update in zip(index, painted, strict=True):
            if update is None:
                continue
            (y0, y1, x0, x1), pixels = update
            region = np.s_[i, y0:y1, x0:x1]
            pixels, target = xp.asarray(pixels), self.target[region]
            self.sse[i] += xp.squared_error_sum(pixels, target) - xp.squared_error_sum(self.canvas[region], target)
            self.canvas[region] = pixels

    # -- rewards and info --------------------------------------------------------------------
    def l2(self, index: Any = slice(None)) -> Any:
        """The exact L2 (MSE on [0, 1] of the uint8 canvas and target) of episodes ``index``, float64."""
        s = self.config.canvas_size
        sse = self.sse[index if isinstance(index, slice) else self.xp.index(index)]
        denominator = s * s * 3 * 255.0**2
        return sse / denominator if self.xp.device is None else sse.double() / denominator

    def rewards(self, index: np.ndarray, previous: Any) -> Any:
        """The rewards of episodes ``index`` after their stroke (``previous``: their L2 before),
        float64 ``(k,)`` (see :func:`~paint_gym.envs.rewards.rewards`: a callable gets each new
        uint8 canvas and target, as numpy copies, and every callable is called before the first
        refusal is raised)."""
        xp, ix = self.xp, self.xp.index(index)

        def images(k: int) -> tuple[np.ndarray, np.ndarray]:
            i = index[k]
            return xp.numpy(self.canvas[i]).copy(), xp.numpy(self.target[i]).copy()

        return rewards(self.config.reward, previous, self.l2(index), self.done[ix], images)

    def values(self) -> dict[str, Any]:
        """Every ``info`` value of every episode (the arrays themselves, not copies), in ``info``'s
        key order: the target's keys, ``l2``, ``step``, ``stroke`` and ``painted``."""
        return {
            **self.target_info,
            "l2": self.l2(),
            "step": self.steps,
            "stroke": self.stroke,
            "painted": self.painted,
        }

    def observation(self, index: Any = slice(None)) -> Any:
        """The observation of episodes ``index`` in the task's ``obs_mode`` (copies, numpy or torch
        as the arrays): ``{"canvas", "target"}`` uint8 ``(k, H, W, 3)`` each, or ``"stacked"``
        uint8 ``(k, H, W, 6)``, canvas then target (an int ``index`` drops the batch axis)."""
        ix = index if isinstance(index, (slice, int, np.integer)) else self.xp.index(index)
        return observe(self.canvas[ix], self.target[ix], self.config.obs_mode)


__all__ = ["EpisodeCanvases", "Episodes", "Painted", "pen_after", "pen_strokes"]
