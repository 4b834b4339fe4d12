"""The neural envs' painter: checked when the env is made, loaded at its first use, torch made fork-safe.

Also the checks of the differentiable path (``env.unwrapped.paint(actions, canvas)``): actions and
a start canvas sent to the env's device.

Worker processes: GNU OpenMP (torch's CPU thread pool on Linux) does not survive ``fork``, and
workers running torch at its default thread count compete for the same cores. Importing paint_gym
registers a fork handler that runs torch on one thread in a forked child (every torch entry
point), and :func:`torch_ready` runs a neural env's torch on one thread in any worker process
(spawn, forkserver, Ray too), or ``PAINT_GYM_WORKER_THREADS`` threads (:mod:`paint_gym.forksafe`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from ..actions import ACTION_DIM, validate_actions
from ..canvas import action_tensor, paint_differentiable
from ..forksafe import worker_torch_threads
from ..painters.base import DifferentiablePainter
from ..painters.load import SHIPPED_PAINTERS, PainterLike, load_painter, painter_source

_torch_pid: int | None = None  # the process in which torch_ready() last ran


def torch_ready() -> None:
    """Make torch safe and fast in this process; the neural envs call it before any torch work.

    Once per process: in a worker process torch runs on
    :func:`~paint_gym.forksafe.worker_torch_threads` threads (one in a forked child, where the
    parent's OpenMP threads do not exist and more would hang; one, or ``PAINT_GYM_WORKER_THREADS``,
    in a child started by "spawn" or "forkserver" or a Ray worker, so that workers do not compete
    for the same cores). The main process is left as it is. See :mod:`paint_gym.forksafe`.

    Raises ``ValueError`` for a ``PAINT_GYM_WORKER_THREADS`` that is not a whole number.
    """
    global _torch_pid
    pid = os.getpid()
    if _torch_pid != pid:
        threads = worker_torch_threads()
        if threads is not None and threads != torch.get_num_threads():
            torch.set_num_threads(threads)
        _torch_pid = pid


def check_painter(painter: PainterLike, canvas_size: int) -> PainterLike:
    """Validate the ``painter`` argument of a neural env without loading anything.

    Accepts ``"dab"``, ``"gan"`` or ``"vae"`` (the shipped painters), the path of a neural
    painter checkpoint file, a :class:`~paint_gym.painters.neural.NeuralPainter` (of any canvas
    size: its output is resized) or :class:`~paint_gym.painters.dab.DabPainter` (any size,
    natively), or another torch painter with ``render_alpha`` whose ``canvas_size`` is the env's:
    :func:`~paint_gym.painters.load.painter_source`, the rule of every entry point that takes a
    painter (``ValueError`` naming what is accepted; ``FileNotFoundError`` for a checkpoint path
    with no file there), less ``"mypaint"``, which is not a neural painter.
    """
    if isinstance(painter, (str, os.PathLike)) and os.fspath(painter) == "mypaint":
        raise ValueError(
            "painter='mypaint' is the real program: use the MyPaint-*-v0 ids (MyPaintEnv); "
            f"the neural envs take {SHIPPED_PAINTERS}, a checkpoint path or a NeuralPainter"
        )
    return painter_source(painter, canvas_size)


class LazyPainter:
    """An env's neural painter: validated when the env is made, loaded on first use.

    ``get()`` is the door to torch for the envs: it runs :func:`torch_ready` first.
    """

    def __init__(self, painter: PainterLike, canvas_size: int, device: torch.device) -> None:
        self.source = check_painter(painter, canvas_size)
        self.canvas_size = canvas_size
        self.device = device
        self._loaded: DifferentiablePainter | None = None

    def __getstate__(self) -> dict[str, Any]:
        """For ``pickle``: a painter named by ``"dab"``, ``"gan"``, ``"vae"`` or a path is loaded again
        after unpickling, so a pickled env stays small; a painter object travels with it."""
        state = dict(self.__dict__)
        if isinstance(self.source, (str, os.PathLike)):
            state["_loaded"] = None
        return state

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyPainter:
        """``copy.deepcopy`` shares the painter: a loaded painter is frozen (the envs only run
        it, without gradients to its weights), so a copied env (a branch of a tree search)
        paints with the same module instead of reloading (about 0.3 s) or duplicating it."""
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        memo[id(self)] = copied
        return copied

    def render_alpha(self, actions: torch.Tensor, **kwargs: Any) -> Any:
        """The loaded painter's ``render_alpha`` (so the env's canvases can hold this, not the
        painter: a pickled env then leaves a named painter behind)."""
        return self.get().render_alpha(actions, **kwargs)

    def get(self) -> DifferentiablePainter:
        """The loaded painter (``render_alpha(actions (B, 12)) -> (B, H, W)``)."""
        torch_ready()
        if self._loaded is None:
            self._loaded = load_painter(self.source, canvas_size=self.canvas_size, device=self.device)
        return self._loaded


def as_action_tensor(actions: Any, device: torch.device) -> torch.Tensor:
    """Stroke sequences ``(B, T, 12)`` for the differentiable path, as a float tensor on ``device``:
    :func:`paint_gym.canvas.action_tensor`, the one check of actions on the torch side (a tensor
    keeps its autograd graph; numpy arrays and lists are validated and clipped)."""
    return action_tensor(actions, 3, device)


def as_canvas_tensor(canvas: Any, batch: int, canvas_size: int, device: torch.device) -> torch.Tensor | None:
    """A start canvas ``(B, 3, H, W)`` float in [0, 1] (tensor or numpy) on ``device``, or None.

    Tensors keep their dtype and autograd graph; numpy floats become float32. A wrong shape, an
    integer dtype or NaN/inf raise ``ValueError`` (convert a uint8 observation with
    ``paint_gym.to_float_tensor(c)``).
    """
    if canvas is None:
        return None
    if isinstance(canvas, torch.Tensor):
        tensor = canvas
    else:  # numpy: floats become float32, as actions do
        array = np.asarray(canvas)
        tensor = torch.as_tensor(array.astype(np.float32) if array.dtype.kind == "f" else array)
    expected = (batch, 3, canvas_size, canvas_size)
    if tuple(tensor.shape) != expected:
        raise ValueError(f"canvas must be (B, 3, H, W) = {expected} in [0, 1]; got shape {tuple(tensor.shape)}")
    if not tensor.is_floating_point():
        raise ValueError(
            f"canvas must hold floats in [0, 1]; got {tensor.dtype}: "
            "convert a uint8 observation with paint_gym.to_float_tensor(c)"
        )
    if not bool(torch.isfinite(tensor.detach()).all()):
        raise ValueError("canvas contains NaN or inf")
    return tensor.to(device)


def check_tensors(tensors: Any, action_mode: str, reward: Any) -> bool:
    """The vector env's ``tensors`` argument: a bool; ``tensors=True`` takes continuous actions
    (``ValueError`` otherwise: SPIRAL's discrete pens are mapped on the host)."""
    if not isinstance(tensors, (bool, np.bool_)):
        raise ValueError(f"tensors must be True or False; got {tensors!r}")
    if tensors and action_mode != "continuous":
        raise ValueError(
            "tensors=True takes continuous actions (Box(-1, 1, (N, 12))): use action_mode='continuous', "
            "or tensors=False for the discrete mode (its pens are mapped on the host)"
        )
    return bool(tensors)


def action_batch_tensor(actions: Any, num_envs: int, device: torch.device) -> torch.Tensor:
    """A vector env's step actions as float32 ``(N, 12)`` on ``device``, clipped to [-1, 1]
    (``tensors=True``). A tensor stays where it is when it is on ``device`` (no host copy); a
    numpy array or list is checked by :func:`paint_gym.actions.validate_actions` and sent there.

    Raises ``ValueError`` for a wrong shape (one row per sub-env), a non-float tensor, NaN or inf
    (read as one flag from the device), before any sub-env is stepped.
    """
    if not isinstance(actions, torch.Tensor):
        actions = torch.as_tensor(validate_actions(actions, batch_ndim=2), device=device)
    if tuple(actions.shape) != (num_envs, ACTION_DIM):
        raise ValueError(f"actions must be ({num_envs}, {ACTION_DIM}), one per sub-env; got {tuple(actions.shape)}")
    if not actions.is_floating_point():
        raise ValueError(f"actions must be floats in [-1, 1]; got a {actions.dtype} tensor")
    actions = actions.detach().to(device=device, dtype=torch.float32)
    if not bool(torch.isfinite(actions).all()):
        raise ValueError("actions contain NaN or inf; every entry must be a finite number in [-1, 1]")
    return actions.clamp(-1.0, 1.0)


def paint_on_device(
    painter: DifferentiablePainter, actions: Any, canvas: Any, background: np.ndarray, device: torch.device
) -> torch.Tensor:
    """The envs' differentiable path: actions ``(B, T, 12)`` (tensor or array-like) and an
    optional start canvas ``(B, 3, H, W)``, checked and sent to ``device`` -> ``(B, 3, H, W)``."""
    a = as_action_tensor(actions, device)
    start = as_canvas_tensor(canvas, a.shape[0], painter.canvas_size, device)
    return paint_differentiable(painter, a, start, background)


__all__ = [
    "LazyPainter",
    "action_batch_tensor",
    "as_action_tensor",
    "check_tensors",
    "as_canvas_tensor",
    "check_painter",
    "paint_on_device",
    "torch_ready",
]
