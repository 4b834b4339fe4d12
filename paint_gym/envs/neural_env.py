"""NeuralPaintEnv and NeuralPaintVectorEnv: painting with a neural painter (differentiable, batched).

Both envs take the same task arguments as ``MyPaintEnv`` through one validated
:class:`~paint_gym.envs.task.TaskConfig`, plus ``painter`` and ``device``. The painter is
checked when the env is made and loaded at its first use, so making an env runs no torch
operation: Gymnasium's ``AsyncVectorEnv`` builds a throw-away env in the parent process only
to read its spaces.

Fork safety: GNU OpenMP (torch's CPU thread pool on Linux) does not survive ``fork``. A
process forked after its parent ran a parallel torch operation (Gymnasium's async workers are
forked on Linux; the parent may have trained a model first) would wait forever in its first
parallel operation for threads that exist only in the parent. Importing paint_gym registers a
fork handler that runs torch on one thread in a forked child (:mod:`paint_gym.forksafe`; it
covers every torch entry point, not only the envs), which is also what one worker per core wants.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from .. import actions as act
from ..canvas import composite, paint_differentiable, squared_error_sums, to_uint8_array
from ..devices import check_device  # the one device check (also importable from here)
from ..forksafe import forked_child
from ..painters.base import DEFAULT_PAINTER, DifferentiablePainter
from ..painters.dab import DabPainter
from ..painters.load import SHIPPED_PAINTERS, NeuralCanvasPainter, PainterLike, load_painter
from ..painters.neural import NeuralPainter
from ..validation import check_int
from .task import (
    NO_ACTION,
    RENDER_BEFORE_RESET,
    RENDER_MODES,
    Box,
    PaintEnv,
    TaskEnvState,
    check_max_episode_steps,
    check_reset_options,
    reward_value,
    side_by_side,
)
from .vector import (
    check_action_batch,
    check_autoreset_mode,
    check_reset_mask,
    check_seeds,
    check_steppable,
    check_targets,
)

_torch_pid: int | None = None  # the process in which torch_ready() last ran


def torch_ready() -> None:
    """Make torch safe to use in this process; the neural envs call it before any torch work.

    The fork handler of :mod:`paint_gym.forksafe` already does this at the fork (for every
    torch entry point); the envs repeat it once per process. In a process forked from one that
    had imported paint_gym, torch is set to one thread, so no OpenMP
    parallel region is entered: the parent's OpenMP threads do not exist in the child, and its
    first parallel region would wait for them forever. For workers with several torch threads
    each, start them with "spawn" or "forkserver" (``gym.make_vec(..., vectorization_mode="async",
    vector_kwargs={"context": "spawn"})``). Elsewhere (the main process, spawned processes) this
    changes nothing.
    """
    global _torch_pid
    pid = os.getpid()
    if _torch_pid != pid:
        if forked_child():
            torch.set_num_threads(1)
        _torch_pid = pid


def check_painter(painter: PainterLike, canvas_size: int) -> PainterLike:
    """Validate the ``painter`` argument of a neural env without loading anything.

    Accepts ``"dab"``, ``"gan"`` or ``"vae"`` (the shipped painters), the path of a neural
    painter checkpoint file, a :class:`~paint_gym.painters.neural.NeuralPainter` (of any canvas
    size: its output is resized) or :class:`~paint_gym.painters.dab.DabPainter` (any size,
    natively), or another torch painter with ``render_alpha`` whose ``canvas_size`` is the env's.
    Raises ``ValueError`` naming what is accepted.
    """
    if isinstance(painter, (NeuralPainter, DabPainter)):
        return painter
    if isinstance(painter, (str, os.PathLike)):
        name = os.fspath(painter)
        if name in SHIPPED_PAINTERS or Path(name).is_file():
            return painter
        if name == "mypaint":
            raise ValueError(
                "painter='mypaint' is the real program: use the MyPaint-*-v0 ids (MyPaintEnv); "
                f"the neural envs take {SHIPPED_PAINTERS}, a checkpoint path or a NeuralPainter"
            )
        raise ValueError(
            f"unknown painter {painter!r}: use {SHIPPED_PAINTERS}, the path of a neural painter checkpoint "
            "(no such file here) or a NeuralPainter instance"
        )
    if callable(getattr(painter, "render_alpha", None)) and hasattr(painter, "canvas_size"):
        if painter.canvas_size != canvas_size:
            raise ValueError(
                f"the painter paints {painter.canvas_size} px canvases but canvas_size={canvas_size}; "
                "pass canvas_size to match, or a NeuralPainter (its output is resized)"
            )
        return painter
    raise ValueError(
        f"painter must be {SHIPPED_PAINTERS}, a checkpoint path or a "
        f"torch painter with render_alpha; got {type(painter).__name__}"
    )


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

    def get(self) -> DifferentiablePainter:
        """The loaded painter (``render_alpha(actions (B, 12)) -> (B, H, W)``)."""
        torch_ready()
        if self._loaded is None:
            self._loaded = load_painter(self.source, canvas_size=self.canvas_size, device=self.device)
        return self._loaded


def _observed(canvas: torch.Tensor) -> np.ndarray:
    """The uint8 observation ``(..., H, W, 3)`` of an env's float canvas tensor, which the envs
    keep channels-last inside (the layout :func:`~paint_gym.canvas.composite` works in)."""
    return to_uint8_array(canvas.movedim(-1, -3))


def as_action_tensor(actions: Any, device: torch.device) -> torch.Tensor:
    """Stroke sequences ``(B, T, 12)`` for the differentiable path, as a float tensor on ``device``.

    A tensor keeps its autograd graph (gradients reach it); numpy arrays and lists are
    validated and clipped by :func:`paint_gym.actions.validate_actions`. A wrong shape, a
    non-float tensor or NaN/inf raise ``ValueError``.
    """
    if isinstance(actions, torch.Tensor):
        if actions.ndim != 3 or actions.shape[-1] != act.ACTION_DIM:
            raise ValueError(
                f"actions must be (B, T, {act.ACTION_DIM}) stroke sequences; got shape {tuple(actions.shape)}"
            )
        if not actions.is_floating_point():
            raise ValueError(f"actions must be a float tensor; got {actions.dtype}: convert with actions.float()")
        if not bool(torch.isfinite(actions.detach()).all()):
            raise ValueError("actions contain NaN or inf; every entry must be a finite number in [-1, 1]")
        return actions.to(device)
    return torch.as_tensor(act.validate_actions(actions, batch_ndim=3), device=device)


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


def paint_on_device(
    painter: DifferentiablePainter, actions: Any, canvas: Any, background: np.ndarray, device: torch.device
) -> torch.Tensor:
    """The envs' differentiable path: actions ``(B, T, 12)`` (tensor or array-like) and an
    optional start canvas ``(B, 3, H, W)``, checked and sent to ``device`` -> ``(B, 3, H, W)``."""
    a = as_action_tensor(actions, device)
    start = as_canvas_tensor(canvas, a.shape[0], painter.canvas_size, device)
    return paint_differentiable(painter, a, start, background)


class NeuralPaintEnv(PaintEnv):
    """Reconstruct a target image with brushstrokes painted by a neural painter.

    ## Description
    The same task as :class:`~paint_gym.envs.MyPaintEnv` (same spaces, targets, rewards,
    episode end, ``info`` and rendering; see :class:`~paint_gym.envs.task.PaintEnv`), but each
    stroke's alpha map comes from a network trained to imitate MyPaint (``painter="dab"`` by
    default: :class:`~paint_gym.painters.dab.DabPainter`, the closest to MyPaint and the fastest;
    or the paper's ``"gan"`` and ``"vae"``, or a checkpoint path), composited exactly with the stroke's colour.
    It needs no libmypaint, is deterministic, and runs on any torch ``device``.

    ## Action Space
    ``Box(-1, 1, (12,), float32)`` (:mod:`paint_gym.actions`), or SPIRAL's ``MultiDiscrete``
    with ``action_mode="discrete"`` (strokes start where the pen rests; a lift paints nothing).

    ## Observation Space
    ``Dict(canvas=Box(0, 255, (H, W, 3), uint8), target=Box(0, 255, (H, W, 3), uint8))``.

    ## Rewards
    ``"dense"`` (default): the decrease of the exact L2 (MSE on [0, 1] of the uint8 images);
    ``"final"``: minus the final L2 at the episode's last step, terminated or truncated; ``"none"``:
    0; or ``f(canvas, target, done) -> float`` (``done=True`` at the last step; NaN, inf, a
    number beyond float's range or a non-number raise ``ValueError`` naming the callable, after
    the stroke was painted and counted: see :meth:`~paint_gym.envs.task.PaintEnv.step`).

    ## Starting State
    A blank canvas and a target drawn with the env's generator; ``reset(options={"target":
    uint8 (H, W, 3)})`` sets the target. Any other option raises ``ValueError``.

    ## Episode End
    Terminates after ``episode_length`` strokes (MNIST/KMNIST/Strokes 8, CelebA 15); truncated
    after ``max_episode_steps`` steps if it has a time limit, which the env owns (the
    ``max_episode_steps`` argument, or the ``TimeLimit`` of ``gym.make(..., max_episode_steps=n)``
    read at each reset), so the truncated last step pays the final reward (see
    :class:`~paint_gym.envs.task.PaintEnv`).

    ## Info
    The same keys at reset and at every step (see :class:`~paint_gym.envs.task.PaintEnv`):
    ``l2``, ``step``, ``stroke`` (NaN at reset), ``painted`` and the target's keys.

    ## Differentiable path
    ``env.unwrapped.paint(actions (B, T, 12), canvas=None) -> (B, 3, H, W)`` in [0, 1]
    paints whole sequences with gradients reaching the actions (and a given ``canvas``), for
    agents that learn by backpropagation through the painter. Tensors keep their graph; numpy
    arrays are accepted too; a wrong shape, dtype or NaN/inf raise ``ValueError``.

    ## Arguments
    As MyPaintEnv (``split``, ``canvas_size``, ``episode_length``, ``reward``,
    ``action_mode``, ``discrete``, ``background``, ``render_mode``, ``data_dir``; validated by
    :meth:`~paint_gym.envs.task.TaskConfig.create`), with ``painter="dab"`` and
    ``device="cpu"`` instead of ``brush`` (the shipped painters imitate ``classic/dry_brush``, as
    MyPaintEnv's default; another brush's dab painter is passed as an object,
    ``load_painter("dab", brush=...)``; ``brush=`` raises ``ValueError`` saying so), and
    ``max_episode_steps``. The painter and the device are checked at once (``"meta"`` or a
    missing GPU raise ``ValueError``) and the painter is loaded on first use. ``task=`` may not
    contradict the id. In a forked process (Gymnasium's async workers on Linux) torch runs on
    one thread (see :func:`torch_ready`).

    ## Version History
    * v0: initial version. Later v0 fixes: ``info`` has the same keys at reset and at every
      step (target keys with fill values -1/NaN when ``options["target"]`` set the target;
      ``stroke`` NaN and ``painted`` False at reset); unknown reset options raise
      ``ValueError``; every constructor argument is validated (``canvas_size`` an integer of at
      least 8, never truncated); the painter loads lazily and forked workers run torch on one
      thread (``gym.make_vec(..., vectorization_mode="async")`` no longer hangs); ``paint``
      accepts numpy arrays; a closed env raises ``RuntimeError`` on reset and step;
      ``copy.deepcopy`` shares the loaded (frozen) painter instead of reloading it (``pickle``
      still reloads a named painter); ``device`` is checked when the env is made (``"cuda:9"``
      on a machine without it raises ``ValueError``); ``paint(canvas=...)`` refuses values
      outside [0, 1]; actions may be bfloat16 tensors; a batch of targets in ``options`` raises
      a ``ValueError`` that names the vector mode which takes one. The default painter is the
      dab painter (was the GAN; ``painter="gan"`` gives the old behaviour).
    * v0, round 3 fixes: as MyPaintEnv's (the final reward at a truncated last step, the env
      owning its time limit; rejected resets change nothing; ``task=`` contradicting the id and
      other envs' arguments refused; checked reward callables; ``render()`` before ``reset()``
      raises ``ResetNeeded``; separate ``Box`` objects), and ``device="meta"`` is refused when
      the env is made (it failed at the first reset). Later, as MyPaintEnv's: ``10**400`` from a
      reward callable raises the named ``ValueError``; ``render()`` after ``close()`` raises
      ``RuntimeError``; a list of Pillow images as a target is read image by image.
    """

    def __init__(
        self,
        task: str = "MNIST",
        *,
        painter: PainterLike = DEFAULT_PAINTER,
        device: str | torch.device = "cpu",
        **kwargs: Any,
    ) -> None:
        super().__init__(task, **kwargs)
        self.device = check_device(device)
        self._painter = LazyPainter(painter, self.canvas_size, self.device)
        self._canvas_t: torch.Tensor | None = None

    @property
    def painter(self) -> DifferentiablePainter:
        """The neural painter (loaded on first use)."""
        return self._painter.get()

    def paint(self, actions: Any, canvas: Any = None) -> torch.Tensor:
        """Differentiable painting: ``(B, T, 12)`` actions -> ``(B, 3, H, W)`` canvases in [0, 1].

        Args:
            actions: stroke sequences, a float tensor (gradients reach it) or an array-like.
            canvas: ``(B, 3, H, W)`` floats in [0, 1] to paint over (default: blank background).

        Raises:
            ValueError: on a wrong shape or dtype, or NaN/inf.
        """
        return paint_on_device(self.painter, actions, canvas, self.background, self.device)

    def _blank(self) -> torch.Tensor:
        return (
            torch.as_tensor(self.background, device=self.device).expand(self.canvas_size, self.canvas_size, 3).clone()
        )

    def _clear(self) -> np.ndarray:
        self._painter.get()  # torch_ready() before the first torch operation
        self._canvas_t = self._blank()
        return _observed(self._canvas_t)

    @torch.no_grad()
    def _paint(self, action: np.ndarray) -> tuple[Box, np.ndarray]:
        painter = self.painter
        a = torch.as_tensor(action[None], device=self.device)
        alpha = painter.render_alpha(a)[0]
        self._canvas_t = composite(self._canvas_t, alpha, act.colors_of(a[0]))
        return (0, self.canvas_size, 0, self.canvas_size), _observed(self._canvas_t)

    def _reseed_painter(self, seed: int) -> None:
        """Deterministic painter: nothing to seed."""

    def _stroke_painter(self) -> NeuralCanvasPainter:
        return NeuralCanvasPainter(self.painter, self.background)


class NeuralPaintVectorEnv(TaskEnvState, VectorEnv):
    """N painting episodes stepped as one torch batch (``gym.make_vec("NeuralPaint-MNIST-v0", num_envs=N)``).

    ## Description
    The vector entry point of the ``NeuralPaint-*-v0`` ids: the task of :class:`NeuralPaintEnv`
    with every sub-env's stroke rendered in one painter batch. It behaves as
    ``gym.make_vec(..., vectorization_mode="sync")`` of the single env does: sub-env ``i`` of
    ``reset(seed=s)`` shows exactly the target of ``NeuralPaintEnv.reset(seed=s + i)``, and
    given the same actions the same canvases (up to the painter's float rounding across batch
    sizes, at most 1/255 on a pixel) with ``info["l2"]`` the exact MSE of the uint8 images.

    ## Action Space
    ``Box(-1, 1, (N, 12), float32)``, or with ``action_mode="discrete"`` the batched
    ``MultiDiscrete`` (each sub-env keeps its own pen position; a lift paints nothing).

    ## Observation Space
    ``Dict(canvas=Box(0, 255, (N, H, W, 3), uint8), target=...)``.

    ## Rewards
    As :class:`NeuralPaintEnv`, per sub-env (float64 ``(N,)``): an episode's last step pays the
    final reward whether it terminates or is truncated by ``max_episode_steps``. A reward
    callable that returns no finite number makes ``step`` raise after every sub-env's stroke was
    painted and counted and every sub-env's callable was called (the first refusal is raised), as
    the single env and ``MyPaintVectorEnv`` do; a sub-env whose episode ended is reset at the next
    step (``DISABLED``: reset it yourself).

    ## Starting State
    ``reset(seed=None | int | list of N, options=None)``. ``options`` may hold
    ``"target"``: uint8 ``(H, W, 3)`` (every reset sub-env paints it) or ``(N, H, W, 3)`` or a
    list of N images (one per sub-env; each Pillow image is read by the image loader, as a
    single env reads one), and Gymnasium's ``"reset_mask"``: bool ``(N,)``, which resets only
    the masked sub-envs (the others keep their episodes; their ``info`` entries are 0 and
    masked out).
    Any other key raises ``ValueError``. Every argument (each seed: None or an integer >= 0,
    ``np.array(5)`` included; the mask; the targets; and ``step``'s actions, every row) is
    checked before any sub-env changes, with the checks of :mod:`paint_gym.envs.vector` that
    ``MyPaintVectorEnv`` uses too, so a rejected call leaves every sub-env as it was.
    (Gymnasium's ``"sync"`` and ``"async"`` vector envs hand each sub-env its own seed or action
    in turn: a bad one is refused by its sub-env, after the sub-envs before it were reset or
    stepped.) One target per sub-env is the default mode's (this env, ``MyPaintVectorEnv``):
    Gymnasium's ``"sync"`` and ``"async"`` vector envs pass the same ``options`` to every
    sub-env, whose single env then refuses a batch with a ``ValueError`` that says so.

    ## Episode End
    Sub-env ``i`` terminates after ``episode_length`` strokes and is truncated after
    ``max_episode_steps`` (as ``gym.make``'s ``TimeLimit``). ``autoreset_mode`` as Gymnasium's
    vector envs (https://farama.org/Vector-Autoreset-Mode): ``NEXT_STEP`` (default): the step
    after an episode ends resets that sub-env (its action is ignored, its reward is 0,
    ``terminated`` and ``truncated`` are False, and its ``info`` is the reset info);
    ``SAME_STEP``: the sub-env is reset in the step that ends its episode, which reports the
    new episode's observation and reset info, with the ended episode's in ``info["final_obs"]``
    and ``info["final_info"]``; ``DISABLED``: reset ended sub-envs with
    ``reset(options={"reset_mask": mask})`` before the next step (stepping them raises
    ``RuntimeError``).

    ## Info
    Gymnasium's vector layout: ``info[key]`` holds one entry per sub-env and ``info["_" +
    key]`` says which sub-envs report it, with the keys of the single env (``l2``, ``step``,
    ``stroke``, ``painted`` and the task's target keys) at reset and at every step, autoreset
    steps included.

    ## Rendering
    ``render()`` gives every sub-env's ``target | canvas``; before the first ``reset()`` it
    raises ``gymnasium.error.ResetNeeded``, as the single env and the sync mode do, and after
    ``close()`` ``RuntimeError``.

    ## Arguments
    ``num_envs`` and the arguments of :class:`NeuralPaintEnv` (the same validated
    :class:`~paint_gym.envs.task.TaskConfig`), plus what ``gym.make_vec`` passes on:
    ``max_episode_steps`` (``None`` or -1: no limit) and ``disable_env_checker`` (accepted;
    a vector env has no passive checker), and ``autoreset_mode`` (what ``vector_kwargs`` sets
    for Gymnasium's own vector envs).

    ## Version History
    * v0: initial version. Later v0 fixes: the same arguments as ``gym.make`` (``action_mode``,
      ``discrete``, ``max_episode_steps``, ``autoreset_mode``); ``options`` ``target`` and ``reset_mask`` are
      honoured and unknown options raise ``ValueError``; ``info`` has the single env's keys
      (``stroke`` and ``painted`` included) at reset and every step; ``l2`` is the exact MSE
      of the uint8 images, as the single env reports it; a closed env raises ``RuntimeError``;
      ``pickle`` leaves the data set and a named painter behind (well under 1 MB, was 48 MB for
      MNIST) and ``copy.deepcopy`` shares the frozen painter, as the single env does.
    * v0, round 3 fixes: a truncated episode's last step pays the final reward (``"final"``; a
      callable sees ``done=True``); a rejected ``reset`` (``seed=[7, 8, -5]``) or ``step``
      changes no sub-env (sub-envs 0 and 1 were reseeded); ``task=`` contradicting the id,
      another env's argument (``brush=``) and ``device="meta"`` raise ``ValueError`` when the
      env is made; a reward callable's NaN, inf or non-number raises; ``render()`` before
      ``reset()`` raises ``ResetNeeded`` (it returned white frames); ``canvas`` and ``target``
      have separate ``Box`` objects. Later: ``reset(seed=np.array(5))`` is the seed 5 (was
      ``TypeError``) and float arrays, nested lists or a generator raise ``ValueError``; a list
      of Pillow images as ``options["target"]`` is read image by image (EXIF, transparency;
      images of different shapes are named); a refused reward is raised after every sub-env's
      callable was called (the others were skipped); ``render()`` after ``close()`` raises
      ``RuntimeError``.
    """

    #: The default; each env's own ``metadata`` holds its ``autoreset_mode``.
    metadata = {"render_modes": list(RENDER_MODES), "render_fps": 4, "autoreset_mode": AutoresetMode.NEXT_STEP}  # noqa: RUF012
    #: What ``reset(options=...)`` accepts; any other key raises ``ValueError``.
    reset_options: ClassVar[dict[str, str]] = {
        "target": (
            "uint8 (canvas_size, canvas_size, 3) for every reset sub-env, or (num_envs, canvas_size, canvas_size, 3)"
        ),
        "reset_mask": "bool numpy array (num_envs,): reset only these sub-envs",
    }

    def __init__(
        self,
        num_envs: int = 8,
        task: str = "MNIST",
        *,
        painter: PainterLike = DEFAULT_PAINTER,
        device: str | torch.device = "cpu",
        max_episode_steps: int | None = None,
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
        disable_env_checker: bool | None = None,
        **kwargs: Any,
    ) -> None:
        config = self._set_task(task, kwargs)
        self.num_envs = check_int("num_envs", num_envs, 1)
        self.max_episode_steps = check_max_episode_steps(max_episode_steps)
        self.autoreset_mode = check_autoreset_mode(autoreset_mode)
        self.metadata = {**type(self).metadata, "autoreset_mode": self.autoreset_mode}
        self.device = check_device(device)
        self._painter = LazyPainter(painter, self.canvas_size, self.device)
        self.single_action_space = config.action_space()
        self.single_observation_space = config.observation_space()
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self._targets = None
        n, s = self.num_envs, self.canvas_size
        self._canvas_t: torch.Tensor | None = None  # float (N, H, W, 3), made on first reset
        self._canvas = np.zeros((n, s, s, 3), np.uint8)
        self._target = np.full((n, s, s, 3), 255, np.uint8)
        self._sse = np.zeros(n, np.int64)  # exact squared errors in uint8 units
        self._steps = np.zeros(n, np.int64)
        self._pen = np.zeros((n, 2), np.float32)
        self._action = np.zeros((n, act.ACTION_DIM), np.float32)
        self._painted = np.zeros(n, bool)
        self._target_info = {
            key: np.zeros((n, *np.shape(value)), np.asarray(value).dtype) for key, value in config.target_info().items()
        }
        self._autoreset = np.zeros(n, bool)
        self._started = False
        self._rngs: list[np.random.Generator] = [seeding.np_random()[0] for _ in range(n)]

    # -- painter and targets ---------------------------------------------------------------
    @property
    def painter(self) -> DifferentiablePainter:
        """The neural painter (loaded on first use)."""
        return self._painter.get()

    @property
    def targets(self) -> Any:
        """The target source, loaded on first use (shared with other envs of this process)."""
        if self._targets is None:
            self._targets = self.config.make_targets(lambda: NeuralCanvasPainter(self.painter, self.background))
        return self._targets

    # -- helpers ---------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(
                "this NeuralPaintVectorEnv was closed; make a new one, e.g. gym.make_vec(...), to paint again"
            )

    def _l2(self, index: Any = slice(None)) -> np.ndarray:
        """Exact L2 (MSE on [0, 1] of the uint8 canvas and target), computed as the single env does."""
        return self._sse[index] / (self.canvas_size * self.canvas_size * 3 * 255.0**2)

    def _reset_envs(self, index: np.ndarray, given: np.ndarray | None) -> None:
        """Start new episodes in sub-envs ``index`` (targets drawn, or ``given[i]``)."""
        for i in index:
            self._rngs[i].integers(1 << 31)  # the single env's painter seed: keeps seeds interchangeable
            if given is None:
                target, sampled = self.targets.sample(self._rngs[i])
                info = self.config.target_info(sampled)
            else:
                target, info = given[i], self.config.target_info()
            self._target[i] = target
            for key, value in info.items():
                self._target_info[key][i] = value
        self._painter.get()  # torch_ready() before the first torch operation
        if self._canvas_t is None:
            s = self.canvas_size
            self._canvas_t = torch.zeros(self.num_envs, s, s, 3, device=self.device)
        idx = torch.as_tensor(index, device=self.device, dtype=torch.long)
        self._canvas_t[idx] = torch.as_tensor(self.background, device=self.device)
        self._canvas[index] = _observed(self._canvas_t[idx])
        self._sse[index] = squared_error_sums(self._canvas[index], self._target[index])
        self._steps[index] = 0
        self._pen[index] = 0.0
        self._action[index] = NO_ACTION
        self._painted[index] = False

    def _paint(self, index: np.ndarray, actions: np.ndarray) -> None:
        """Paint one validated continuous stroke ``actions[k]`` on sub-env ``index[k]``."""
        painter = self._painter.get()
        a = torch.as_tensor(actions, device=self.device)
        every = len(index) == self.num_envs  # every sub-env, in order: no gathers and scatters
        with torch.no_grad():
            alpha = painter.render_alpha(a)
            if every:  # in place: composite() as one lerp, no new canvas (memory-bound at 256 px)
                self._canvas_t.lerp_(act.colors_of(a)[:, None, None, :], alpha[..., None])
                self._canvas[...] = _observed(self._canvas_t)
                self._sse[...] = squared_error_sums(self._canvas, self._target)
                return
            idx = torch.as_tensor(index, device=self.device, dtype=torch.long)
            self._canvas_t[idx] = composite(self._canvas_t[idx], alpha, act.colors_of(a))
        self._canvas[index] = _observed(self._canvas_t[idx])
        self._sse[index] = squared_error_sums(self._canvas[index], self._target[index])

    def _to_continuous(self, actions: Any) -> tuple[np.ndarray, np.ndarray]:
        """Validated continuous actions ``(N, 12)`` and whether each paints; raises ``ValueError``
        (every row checked by :func:`~paint_gym.envs.vector.check_action_batch` first)."""
        rows = check_action_batch(actions, self.num_envs, self.action_mode, self.discrete)
        if self.action_mode == "continuous":
            return rows, np.ones(self.num_envs, bool)
        out = np.empty((self.num_envs, act.ACTION_DIM), np.float32)
        paints = np.empty(self.num_envs, bool)
        for i, row in enumerate(rows):
            out[i], paints[i] = self.discrete.to_continuous(row, self._pen[i])
        return out, paints

    def _info(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """``info`` in Gymnasium's vector layout for the sub-envs in ``mask`` (others 0, masked out)."""
        values = {
            **self._target_info,
            "l2": self._l2(),
            "step": self._steps,
            "stroke": self._action,
            "painted": self._painted,
        }
        info: dict[str, np.ndarray] = {}
        for key, value in values.items():
            array = value.copy()
            array[~mask] = 0
            info[key], info["_" + key] = array, mask.copy()
        return info

    def _parse_reset(
        self, seed: Any, options: dict[str, Any]
    ) -> tuple[np.ndarray, list[int | None], np.ndarray | None]:
        """Validate ``reset``'s arguments before anything changes: mask, seeds, targets
        (the checks of :mod:`paint_gym.envs.vector`, shared with ``MyPaintVectorEnv``)."""
        mask = check_reset_mask(options, self.num_envs, self._started)
        seeds = check_seeds(seed, self.num_envs)
        given = check_targets(options.get("target"), self.num_envs, self.canvas_size, self.background)
        return mask, seeds, given

    # -- the vector API -------------------------------------------------------------------
    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start new episodes in every sub-env (or those of ``options["reset_mask"]``).

        ``seed``: None, an int (sub-env ``i`` gets ``seed + i``) or one seed per sub-env.
        ``options``: ``"target"`` and ``"reset_mask"`` (see the class docstring); any other
        key raises ``ValueError`` and nothing changes.
        """
        self._check_open()
        options = check_reset_options(options, self.reset_options)
        mask, seeds, given = self._parse_reset(seed, options)
        self._painter.get()  # the painter and the targets load before anything changes
        _ = self.targets if given is None else None
        index = np.flatnonzero(mask)
        for i in index:
            if seeds[i] is not None:
                self._rngs[i] = seeding.np_random(seeds[i])[0]
        self._reset_envs(index, given)
        self._autoreset[mask] = False
        self._started = True
        return self._observation(), self._info(mask)

    def step(self, actions: Any) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Paint one stroke in every sub-env; sub-envs whose episode ended are reset as
        ``autoreset_mode`` says (see the class docstring)."""
        self._check_open()
        check_steppable(self._started, self.autoreset_mode, self._autoreset)
        continuous, paints = self._to_continuous(actions)  # raises before any state changes
        n = self.num_envs
        rewards = np.zeros(n)
        terminated, truncated = np.zeros(n, bool), np.zeros(n, bool)
        resetting, active = np.flatnonzero(self._autoreset), np.flatnonzero(~self._autoreset)
        if len(resetting):  # NEXT_STEP: this step resets them and ignores their actions
            self._reset_envs(resetting, None)
        if len(active):
            previous = self._l2(active)
            painting = active[paints[active]]
            if len(painting):
                self._paint(painting, continuous[painting])
            if self.action_mode == "discrete":
                self._pen[active] = continuous[active][:, act.END_X : act.END_Y + 1]
            self._steps[active] += 1
            self._action[active] = continuous[active]
            self._painted[active] = paints[active]
            terminated[active] = self._steps[active] >= self.episode_length
            if self.max_episode_steps is not None:
                truncated[active] = self._steps[active] >= self.max_episode_steps
            try:
                rewards[active] = self._rewards(active, previous, terminated | truncated)
            except ValueError:  # a reward callable's bad value: the strokes stand, ended episodes end
                self._autoreset = terminated | truncated
                raise
        ended = terminated | truncated
        final: dict[str, Any] = {}
        if self.autoreset_mode == AutoresetMode.SAME_STEP and ended.any():
            final_obs = np.full(n, None, dtype=object)
            for i in np.flatnonzero(ended):
                final_obs[i] = {"canvas": self._canvas[i].copy(), "target": self._target[i].copy()}
            final = {
                "final_obs": final_obs,
                "_final_obs": ended.copy(),
                "final_info": self._info(ended),
                "_final_info": ended.copy(),
            }
            self._reset_envs(np.flatnonzero(ended), None)
            ended = np.zeros(n, bool)
        self._autoreset = ended
        return self._observation(), rewards, terminated, truncated, {**final, **self._info(np.ones(n, bool))}

    def _rewards(self, active: np.ndarray, previous: np.ndarray, done: np.ndarray) -> np.ndarray:
        """The rewards of sub-envs ``active`` after their stroke (``previous``: their L2 before;
        ``done``: which sub-envs' episodes ended, by termination or truncation)."""
        l2 = self._l2(active)
        rewards = np.zeros(len(active))
        refused: list[ValueError] = []
        for j, i in enumerate(active):

            def canvas(i: int = i) -> np.ndarray:
                return self._canvas[i].copy()

            try:
                rewards[j] = reward_value(self.reward_mode, previous[j], l2[j], bool(done[i]), canvas, self._target[i])
            except ValueError as exc:  # every sub-env's callable is called, as MyPaintVectorEnv's sub-envs do
                refused.append(exc)
        if refused:
            raise refused[0]
        return rewards

    def render(self) -> np.ndarray | None:
        """``rgb_array``: every sub-env's ``target | canvas``, ``(N, H, 2W, 3)``.

        Raises ``gymnasium.error.ResetNeeded`` before the first ``reset()`` and ``RuntimeError``
        after ``close()``.
        """
        self._check_open()
        if not self._started:
            raise gym.error.ResetNeeded(RENDER_BEFORE_RESET)
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='rgb_array'")
            return None
        return side_by_side(self._target, self._canvas)

    def paint(self, actions: Any, canvas: Any = None) -> torch.Tensor:
        """The differentiable path, as :meth:`NeuralPaintEnv.paint`."""
        return paint_on_device(self.painter, actions, canvas, self.background, self.device)


__all__ = ["NeuralPaintEnv", "NeuralPaintVectorEnv", "torch_ready"]
