"""NeuralPaintEnv and NeuralPaintVectorEnv: painting with a neural painter (differentiable, batched).

Both envs take the same task arguments as ``MyPaintEnv`` through one validated
:class:`~paint_gym.envs.task.TaskConfig`, plus ``painter`` and ``device``, and run the same
episode core (:class:`~paint_gym.envs.episode.Episodes`): the single env is a batch of one, the
vector env a batch of N plus autoreset, reset masks and seeds. Their canvases are a
:class:`~paint_gym.painters.canvases.Canvases` on the env's device. The painter is checked when
the env is made and loaded at its first use (:class:`~paint_gym.envs.neural_painter.LazyPainter`),
so making an env runs no torch operation: Gymnasium's ``AsyncVectorEnv`` builds a throw-away env
in the parent process only to read its spaces. In a forked process torch runs on one thread
(see :func:`~paint_gym.envs.neural_painter.torch_ready`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from ..devices import check_device  # the one device check (also importable from here)
from ..painters.base import DEFAULT_PAINTER, DifferentiablePainter
from ..painters.canvases import Canvases
from ..painters.load import PainterLike
from ..validation import check_int
from .checks import (
    check_action_batch,
    check_autoreset_mode,
    check_max_episode_steps,
    check_reset_mask,
    check_reset_options,
    check_seeds,
    check_steppable,
    check_targets,
)
from .episode import Episodes
from .neural_painter import LazyPainter, action_batch_tensor, check_tensors, paint_on_device, torch_ready
from .single import PaintEnv
from .task import RENDER_MODES, TaskEnvState


class NeuralPaintEnv(PaintEnv):
    """Reconstruct a target image with brushstrokes painted by a neural painter.

    ## Description
    The same task as :class:`~paint_gym.envs.MyPaintEnv` (same spaces, targets, rewards,
    episode end, ``info`` and rendering; see :class:`~paint_gym.envs.single.PaintEnv`), but each
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
    the stroke was painted and counted: see :meth:`~paint_gym.envs.single.PaintEnv.step`).

    ## Starting State
    A blank canvas and a target drawn with the env's generator; ``reset(options={"target":
    uint8 (H, W, 3)})`` sets the target. Any other option raises ``ValueError``.

    ## Episode End
    Terminates after ``episode_length`` strokes (MNIST/KMNIST/Strokes 8, CelebA 15); truncated
    after ``max_episode_steps`` steps if it has a time limit, which the env owns (the
    ``max_episode_steps`` argument, or the ``TimeLimit`` of ``gym.make(..., max_episode_steps=n)``
    read at each reset), so the truncated last step pays the final reward (see
    :class:`~paint_gym.envs.single.PaintEnv`).

    ## Info
    The same keys at reset and at every step (see :class:`~paint_gym.envs.single.PaintEnv`):
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
    one thread (see :func:`~paint_gym.envs.neural_painter.torch_ready`).

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
        self._surface = Canvases(self._painter, self.background)  # float (1, H, W, 3) on the device

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

    def _canvases(self) -> Canvases:
        self._painter.get()  # torch_ready() and the painter loaded before the first torch operation
        return self._surface

    def _stroke_painter(self) -> Canvases:
        return Canvases(self.painter, self.background)


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
    checked before any sub-env changes, with the checks of :mod:`paint_gym.envs.checks` that
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

    ## Tensors
    ``tensors=True`` (continuous actions only) keeps the episodes on ``device``: observations,
    rewards (float64), ``terminated``/``truncated``, ``info`` values and masks are torch tensors
    there, and ``step`` takes a float tensor ``(N, 12)`` there (NaN/inf checked as one flag read
    back). Targets are drawn on the host at reset (one batched copy); ``final_obs`` of
    ``SAME_STEP`` is the whole batch's observation (read it where ``_final_obs``). The rewards
    and pixels are those of the numpy mode.

    ## Rendering
    ``render()`` gives a tuple of every sub-env's ``target | canvas`` (as Gymnasium's vector
    envs); before the first ``reset()`` it raises ``gymnasium.error.ResetNeeded``, as the single
    env and the sync mode do, and after ``close()`` ``RuntimeError``.

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
      ``RuntimeError``. Issue 26: ``obs_mode="stacked"``; ``tensors=True``; ``render()`` returns a
      tuple of frames (was one ``(N, H, 2W, 3)`` array; vector ``RecordVideo`` failed on it).
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
        tensors: bool = False,
        **kwargs: Any,
    ) -> None:
        config = self._set_task(task, kwargs)
        self.num_envs = check_int("num_envs", num_envs, 1)
        self.tensors = check_tensors(tensors, config.action_mode, config.reward)
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
        self._episodes = Episodes(config, self.num_envs, device=self.device if self.tensors else None)
        self._episodes.time_limit = self.max_episode_steps
        # float (N, H, W, 3) on the device; the uint8 observation stays there with tensors=True
        self._surface = Canvases(self._painter, self.background, observe_tensors=self.tensors)
        self._autoreset = np.zeros(self.num_envs, bool)
        self._steps = np.zeros(self.num_envs, np.int64)  # strokes per episode, counted on the host too
        self._started = False
        self._rngs: list[np.random.Generator] = [seeding.np_random()[0] for _ in range(self.num_envs)]

    # -- painter, targets, episodes --------------------------------------------------------
    @property
    def painter(self) -> DifferentiablePainter:
        """The neural painter (loaded on first use)."""
        return self._painter.get()

    @property
    def targets(self) -> Any:
        """The target source, loaded on first use (shared with other envs of this process)."""
        if self._targets is None:
            self._targets = self.config.make_targets(lambda: Canvases(self.painter, self.background))
        return self._targets

    @property
    def _canvas(self) -> np.ndarray:
        """Every sub-env's canvas, uint8 ``(N, H, W, 3)``."""
        return self._episodes.canvas

    @property
    def _target(self) -> np.ndarray:
        """Every sub-env's target, uint8 ``(N, H, W, 3)``."""
        return self._episodes.target

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(
                "this NeuralPaintVectorEnv was closed; make a new one, e.g. gym.make_vec(...), to paint again"
            )

    def _reset_envs(self, index: np.ndarray, given: np.ndarray | None) -> None:
        """Start new episodes in sub-envs ``index`` (targets drawn, or ``given[i]``)."""
        torch_ready()  # before the first torch operation
        targets = self.targets if given is None else None
        rngs = [self._rngs[i] for i in index]
        self._episodes.reset(index, self._surface, rngs, targets, None if given is None else given[index])
        self._steps[index] = 0

    def _info(self, mask: np.ndarray) -> dict[str, Any]:
        """``info`` in Gymnasium's vector layout for the sub-envs in ``mask`` (others 0, masked out);
        numpy arrays, or tensors on the device with ``tensors=True``."""
        info: dict[str, Any] = {}
        every, flags = bool(mask.all()), mask
        if self.tensors:  # a mask of every sub-env is made on the device, not copied there
            flags = torch.ones(self.num_envs, dtype=torch.bool, device=self.device) if every else torch.as_tensor(mask)
            flags = flags.to(self.device)
        for key, value in self._episodes.values().items():
            array = value.clone() if self.tensors else value.copy()
            if not every:
                array[~flags] = 0
            info[key], info["_" + key] = array, flags.clone() if self.tensors else flags.copy()
        return info

    def _ended(self, active: np.ndarray) -> np.ndarray:
        """Count a stroke in sub-envs ``active``; which of them ended their episode, bool ``(k,)``,
        from the host's own count (the flags on a device are not read back)."""
        self._steps[active] += 1
        steps, limit = self._steps[active], self.max_episode_steps
        return (steps >= self.episode_length) | (steps >= limit if limit is not None else False)

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
        mask = check_reset_mask(options, self.num_envs, self._started)
        seeds = check_seeds(seed, self.num_envs)
        given = check_targets(options.get("target"), self.num_envs, self.canvas_size, self.background)
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

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        """Paint one stroke in every sub-env; sub-envs whose episode ended are reset as
        ``autoreset_mode`` says (see the class docstring). With ``tensors=True`` the actions may be
        a tensor on the device and everything returned is a tensor there (see Tensors)."""
        self._check_open()
        check_steppable(self._started, self.autoreset_mode, self._autoreset)
        if self.tensors:  # before any change
            rows = action_batch_tensor(actions, self.num_envs, self.device)
        else:
            rows = check_action_batch(actions, self.num_envs, self.action_mode, self.discrete)
        n, episodes, xp = self.num_envs, self._episodes, self._episodes.xp
        strokes, paints = episodes.to_continuous(rows, np.arange(n))
        rewards, terminated, truncated = xp.zeros(n, np.float64), xp.zeros(n, np.bool_), xp.zeros(n, np.bool_)
        resetting, active = np.flatnonzero(self._autoreset), np.flatnonzero(~self._autoreset)
        if len(resetting):  # NEXT_STEP: this step resets them and ignores their actions
            self._reset_envs(resetting, None)
        ended = np.zeros(n, bool)
        if len(active):
            every = len(active) == n
            ended[active] = self._ended(active)
            try:
                painted = strokes if every else strokes[xp.index(active)]
                out = episodes.step(active, painted, paints[active], self._surface)
            except ValueError:  # a reward callable's bad value: the strokes stand, ended episodes end
                self._autoreset = ended
                raise
            if every:
                rewards, terminated, truncated = out
            else:
                ix = xp.index(active)
                rewards[ix], terminated[ix], truncated[ix] = out
        final: dict[str, Any] = {}
        if self.autoreset_mode == AutoresetMode.SAME_STEP and ended.any():
            final = {"final_obs": self._final_observations(ended), "final_info": self._info(ended)}
            final["_final_obs"] = final["_final_info"] = xp.asarray(ended.copy())
            self._reset_envs(np.flatnonzero(ended), None)
            ended = np.zeros(n, bool)
        self._autoreset = ended
        return self._observation(), rewards, terminated, truncated, {**final, **self._info(np.ones(n, bool))}

    def _final_observations(self, ended: np.ndarray) -> Any:
        """``info["final_obs"]`` of SAME_STEP autoreset: numpy, an object array with the ended
        sub-envs' last observations (None elsewhere), as Gymnasium's vector envs; with
        ``tensors=True`` the whole batch's observation on the device (read it where ``_final_obs``)."""
        if self.tensors:
            return self._observation()
        final_obs = np.full(self.num_envs, None, dtype=object)
        for i in np.flatnonzero(ended):
            final_obs[i] = self._episodes.observation(int(i))
        return final_obs

    def render(self) -> tuple[np.ndarray, ...] | None:
        """``rgb_array``: a tuple of every sub-env's ``target | canvas``, uint8 ``(H, 2W, 3)`` each,
        as Gymnasium's vector envs return (so ``gymnasium.wrappers.vector.RecordVideo`` works);
        numpy also with ``tensors=True``.

        Raises ``gymnasium.error.ResetNeeded`` before the first ``reset()`` and ``RuntimeError``
        after ``close()``.
        """
        frames = self._render_pair()
        return None if frames is None else tuple(frames)

    def paint(self, actions: Any, canvas: Any = None) -> torch.Tensor:
        """The differentiable path, as :meth:`NeuralPaintEnv.paint`."""
        return paint_on_device(self.painter, actions, canvas, self.background, self.device)


__all__ = ["NeuralPaintEnv", "NeuralPaintVectorEnv", "torch_ready"]
