"""The one trainer base: run folder, resume, checkpoints, the best so far, the log and one loop.

Every trainer of paint-gym (the neural painters' :class:`paint_gym.painters.train.PainterTrainer`
and each agent's trainer in ``paint_gym_agents``) is a :class:`Trainer`: Stable-Baselines3's
``BaseAlgorithm`` idea, with CleanRL's habit of a training step you read top to bottom in the
algorithm's own module. A trainer supplies

* ``train_once() -> row``: one counted update (``step`` += 1), returning its scalars;
* ``evaluate()``: its evaluation (it logs its own history row and calls :meth:`Trainer.keep_best`);
* ``state_dict()`` / ``load_state_dict(state)``: what its ``checkpoint.pt`` holds (its own keys,
  with :meth:`Trainer.progress_state` beside them) and how it is put back;
* ``learning_rates()``: its optimisers and the config's learning rate of their parameter groups;
* ``saved_config(state)``: the config a checkpoint was trained with;
* ``check_healthy()``: the divergence check run before every checkpoint (:mod:`paint_gym.errors`);
* ``plot()``: its ``curves.png``;

and the base does the rest, once for all:

* the run folder ``run_dir``: :meth:`Trainer.save_checkpoint` writes ``checkpoint.pt`` atomically
  after ``check_healthy`` (a diverged state never replaces a good one), then ``log.csv`` and
  ``curves.png`` (:mod:`paint_gym.runlog`);
* :meth:`Trainer.resume`: the saved config may differ from the requested one only in
  ``resume_may_change`` (:func:`paint_gym.checkpoint.check_resume`); the state is loaded, the
  config's learning rates applied (they may have changed) and the run's progress restored;
* :meth:`Trainer.keep_best` and :meth:`Trainer.record` (an evaluation point
  ``(seconds, strokes, MSE)``, :class:`Point`);
* :meth:`Trainer.fit`, the one training loop. Its stop rules (:class:`Limits`) are the same for
  every trainer: before each update, training stops once ``steps`` updates are done or the
  *training clock* has reached ``seconds`` (both counted over resumes); the clock counts the time
  spent in updates, never evaluations or checkpoints. When it evaluates and checkpoints is a
  :class:`Schedule` (by default the reconstruction benchmark's: evaluate the untrained state,
  then on a geometric :class:`EvalSchedule` of the training clock and at the stop, with a
  checkpoint at each evaluation). :class:`Pacer` is that bookkeeping on its own, for a loop that
  is someone else's (Stable-Baselines3's ``learn`` calls it back after every environment step).

torch is not imported here: the trainers bring it.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from tqdm import tqdm

from .checkpoint import check_resume, read_checkpoint, write_checkpoint
from .errors import DivergenceChecks
from .runlog import LOG_CSV, write_log_csv

#: First evaluation after this many training seconds, then each gap grows by EVAL_RATIO.
FIRST_EVAL_SECONDS = 1.0
EVAL_RATIO = 1.5
#: The file in the run folder that resumes a run.
CHECKPOINT_PT = "checkpoint.pt"


# ----------------------------------------------------------------------------------------
# Evaluation points and schedules
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One evaluation during training.

    ``seconds``: training wall-clock so far (evaluation excluded); ``strokes``: strokes painted
    so far, by an env or through a painter; ``mse``: MyPaint-replay MSE on [0, 1] images of the
    evaluation targets, averaged over :data:`paint_gym.benchmark.evaluation.REPLAY_SEEDS`.
    """

    seconds: float
    strokes: int
    mse: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Point:
        return cls(float(data["seconds"]), int(data["strokes"]), float(data["mse"]))


def points_to_json(points: list[Point]) -> str:
    """Points as a JSON list of ``{"seconds", "strokes", "mse"}`` objects."""
    return json.dumps([p.as_dict() for p in points])


def points_from_json(text: str) -> list[Point]:
    """The inverse of :func:`points_to_json`."""
    return [Point.from_dict(d) for d in json.loads(text)]


def mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    """Per-key means of training rows (keys missing from some rows average over the others)."""
    keys = {k for r in rows for k in r}
    return {k: sum(r[k] for r in rows if k in r) / sum(k in r for r in rows) for k in keys}


@dataclass
class EvalSchedule:
    """When to evaluate: at ``first`` seconds, then gaps growing by ``ratio``, capped at ``every``.

    With the defaults and a 15-minute budget that is about 27 evaluations (1, 1.5, 2.3, 3.4, ...,
    then every ``every`` seconds): a fast method's time to a threshold is read to within 50%
    instead of being clamped at the first evaluation, which is what a 10x comparison needs.
    :meth:`fixed` is a plain interval.
    """

    every: float = 60.0
    first: float = FIRST_EVAL_SECONDS
    ratio: float = EVAL_RATIO

    def __post_init__(self) -> None:
        if self.every <= 0 or self.first <= 0 or self.ratio < 1:
            raise ValueError(
                "evaluation schedule needs every > 0, first > 0, ratio "
                f">= 1; got {self.every}, {self.first}, {self.ratio}"
            )

    @classmethod
    def fixed(cls, seconds: float) -> EvalSchedule:
        """Every ``seconds`` of training, from the start."""
        return cls(every=seconds, first=seconds, ratio=math.inf)

    def next_after(self, last: float) -> float:
        """The training time of the next evaluation after one at ``last`` seconds."""
        if last <= 0:
            return min(self.first, self.every)
        return min(last * self.ratio, last + self.every)


@dataclass(frozen=True)
class Limits:
    """When training stops: before an update, once ``steps`` updates are done or the training
    clock has reached ``seconds`` (both in total over resumes; None: no such limit; 0 seconds:
    no update at all). Every trainer's steps and minutes/seconds mean this."""

    steps: int | None = None
    seconds: float | None = None

    def reached(self, step: int, elapsed: float) -> bool:
        """Whether a run at ``step`` updates and ``elapsed`` training seconds stops here."""
        return (self.steps is not None and step >= self.steps) or (self.seconds is not None and elapsed >= self.seconds)

    @classmethod
    def budget_or_steps(cls, budget_seconds: float | None, steps: int) -> Limits:
        """A wall-clock budget (the reconstruction benchmark's rule: the step count does not
        apply), else ``steps``. ``ValueError`` for a budget that is not positive."""
        if budget_seconds is None:
            return cls(steps=steps)
        if not budget_seconds > 0:
            raise ValueError(f"budget_seconds must be positive; got {budget_seconds}")
        return cls(seconds=float(budget_seconds))


@dataclass(frozen=True)
class Schedule:
    """When :meth:`Trainer.fit` evaluates (:meth:`Trainer.record`) and writes ``checkpoint.pt``
    besides the end of training. The defaults are the reconstruction benchmark's rule, the same
    for every method: the untrained state, then on :class:`EvalSchedule`, and the update that
    reaches a limit, each with a checkpoint."""

    eval_clock: EvalSchedule | None = field(default_factory=EvalSchedule)
    """evaluate when the training clock reaches the schedule's next time (None: not by the clock)"""
    eval_steps: int = 0
    """evaluate after every this many updates (0: not by count)"""
    eval_at_start: bool = True
    """evaluate the untrained state before the first update (a run's point at 0 s; not on resume)"""
    eval_at_stop: bool = True
    """evaluate the update at which a limit is reached (the run's final figures)"""
    checkpoint_at_eval: bool = True
    """write ``checkpoint.pt`` after each evaluation"""
    checkpoint_steps: int = 0
    """write ``checkpoint.pt`` after every this many updates (0: not by count)"""
    checkpoint_minutes: float | None = None
    """write ``checkpoint.pt`` when this many wall-clock minutes (evaluations included) have passed
    since the loop's last one (None: not by the clock; 0: after every update)"""
    checkpoint_on_interrupt: bool = False
    """on Ctrl-C (``KeyboardInterrupt``), write ``checkpoint.pt`` before stopping"""


# ----------------------------------------------------------------------------------------
# The base
# ----------------------------------------------------------------------------------------


class Trainer(DivergenceChecks):
    """What every trainer shares (see the module docstring for what a subclass supplies).

    Attributes kept here, over resumes: ``cfg`` (the config dataclass), ``run_dir``, ``step``
    (updates so far), ``elapsed`` (training seconds so far), ``best`` (the best evaluation MSE,
    ``inf`` before one), ``points`` (:class:`Point` per evaluation) and ``history`` (the rows of
    ``log.csv``). A subclass provides ``strokes`` (strokes painted so far) when it records points.
    Use as a context manager (or call :meth:`close`) to release what the trainer holds.
    """

    #: The config fields that may differ from the checkpoint's when a run resumes.
    resume_may_change: ClassVar[frozenset[str]] = frozenset()
    #: What messages call ``checkpoint.pt`` ("agent training checkpoint").
    checkpoint_label: ClassVar[str] = "training checkpoint"
    #: The leading columns of ``log.csv`` (the others follow, sorted by name).
    log_columns: ClassVar[tuple[str, ...]] = ("step",)

    strokes: int

    def __init__(self, config: Any, run_dir: str | os.PathLike) -> None:
        self.cfg = config
        self.run_dir = Path(run_dir)
        self.step = 0
        self.elapsed = 0.0
        self.best = math.inf
        self.points: list[Point] = []
        self.history: list[dict[str, float]] = []
        self._recent: list[dict[str, float]] = []  # training rows since the last evaluation

    # -- what a trainer supplies --------------------------------------------------------------
    def train_once(self) -> dict[str, float]:
        """One update, counted (``step`` += 1); returns its scalars."""
        raise NotImplementedError

    def evaluate(self) -> Any:
        """Evaluate the current state; agents return the MyPaint-replay MSE (a :class:`Point`'s)."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Everything ``checkpoint.pt`` holds (with :meth:`progress_state`)."""
        raise NotImplementedError

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put back the trainer's own part of a checkpoint (the progress is :meth:`load_progress`'s)."""
        raise NotImplementedError

    def saved_config(self, state: dict[str, Any]) -> Any:
        """The config dataclass a checkpoint's run was trained with."""
        raise NotImplementedError

    def learning_rates(self) -> Sequence[tuple[Any, float | Sequence[float]]]:
        """``(optimiser, rate or one rate per parameter group)`` from the config (none: the
        trainer's library applies its own)."""
        return ()

    def check_healthy(self) -> None:
        """Raise :class:`paint_gym.errors.TrainingDivergedError` if the state is not finite."""

    def plot(self) -> Path | None:
        """Draw ``curves.png`` from :attr:`history`."""
        return None

    # -- processes (a data-parallel trainer overrides these) ----------------------------------
    @property
    def is_main(self) -> bool:
        """Whether this process evaluates, logs and checkpoints (rank 0 of a launch)."""
        return True

    def agree(self, flag: bool) -> bool:
        """The main process's ``flag``, shared with every process (to stop together)."""
        return flag

    def close(self) -> None:
        """Release what the trainer holds (envs, worker processes, a process group)."""

    def __enter__(self) -> Trainer:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- run folder, checkpoints, resume ------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.run_dir / CHECKPOINT_PT

    def progress_state(self) -> dict[str, Any]:
        """The run's progress as ``checkpoint.pt`` records it: ``step``, ``elapsed`` training
        seconds, ``best`` evaluation MSE, the evaluation ``points`` and the ``history`` rows (JSON)."""
        return {
            "step": self.step,
            "elapsed": self.elapsed,
            "best": self.best,
            "points": points_to_json(self.points),
            "history": json.dumps(self.history),
        }

    def load_progress(self, state: Mapping[str, Any]) -> None:
        """The inverse of :meth:`progress_state` (a checkpoint without ``best`` or ``points``
        keeps none)."""
        self.step = int(state["step"])
        self.elapsed = float(state["elapsed"])
        self.best = float(state.get("best", math.inf))
        self.points = points_from_json(state.get("points", "[]"))
        self.history = json.loads(state["history"])

    def apply_learning_rates(self) -> None:
        """Set every parameter group's rate from the config (:meth:`learning_rates`): a resumed
        run trains at the rates asked for, not the ones saved with the optimiser."""
        for optimizer, rates in self.learning_rates():
            groups = optimizer.param_groups
            per_group = [rates] * len(groups) if isinstance(rates, (int, float)) else list(rates)
            for group, lr in zip(groups, per_group, strict=True):
                group["lr"] = lr

    def resume(self, map_location: Any = "cpu") -> bool:
        """Continue from ``checkpoint.pt`` if there is one; returns whether there was.

        Raises :class:`paint_gym.checkpoint.ResumeError` if its config differs in a field outside
        ``resume_may_change`` and :class:`paint_gym.checkpoint.CheckpointError` for a file that
        is not this trainer's checkpoint."""
        if not self.checkpoint_path.exists():
            return False
        state = read_checkpoint(self.checkpoint_path, self.checkpoint_label, map_location=map_location)
        check_resume(self.saved_config(state), self.cfg, self.resume_may_change, self.checkpoint_path)
        self.load_state_dict(state)
        self.apply_learning_rates()
        self.load_progress(state)
        return True

    def save_checkpoint(self) -> None:
        """Write ``checkpoint.pt`` atomically (main process only), after :meth:`check_healthy`,
        then the log and the curves."""
        if not self.is_main:
            return
        self.check_healthy()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_checkpoint(self.state_dict(), self.checkpoint_path)
        self.write_log()

    def write_log(self, plot: bool = True) -> None:
        """``log.csv`` from :attr:`history` (and ``curves.png`` when ``plot``); nothing before
        the first row."""
        if not self.history:
            return
        write_log_csv(self.run_dir / LOG_CSV, self.history, self.log_columns)
        if plot:
            self.plot()

    # -- evaluations ---------------------------------------------------------------------------
    def training_means(self) -> dict[str, float]:
        """The means of the training rows since the last call (what an evaluation's row logs
        beside its figures); the rows are ``_recent``, which ``train_once`` appends to."""
        means = mean_rows(self._recent)
        self._recent = []
        return means

    def keep_best(self, mse: float, save: Callable[[], object]) -> bool:
        """If ``mse`` beats :attr:`best`, make it the best and ``save()`` the state (an agent
        writes ``agent.pt``); returns whether it did."""
        if mse < self.best:
            self.best = mse
            save()
            return True
        return False

    def eval_message(self) -> str | None:
        """A line printed after each evaluation (None: the progress bar shows it)."""
        return None

    def record(self, checkpoint: bool = False) -> Point | None:
        """Evaluate now (the training clock is paused) and add the point ``(seconds, strokes,
        MSE)``; then write ``checkpoint.pt`` when ``checkpoint``. Only the main process
        evaluates (None elsewhere)."""
        if not self.is_main:
            return None
        point = Point(self.elapsed, int(self.strokes), float(self.evaluate()))
        self.points.append(point)
        message = self.eval_message()
        if message:
            tqdm.write(message)
        if checkpoint:
            self.save_checkpoint()
        return point

    # -- the loop ------------------------------------------------------------------------------
    def fit(
        self, limits: Limits, schedule: Schedule | None = None, progress: bool = True, desc: str = "training"
    ) -> list[Point]:
        """Train until ``limits`` (the one loop): time each :meth:`train_once` on the training
        clock, evaluate and checkpoint on ``schedule`` (default :class:`Schedule`'s benchmark
        rule). Returns the evaluation points. What a trainer does once training stops (a last
        checkpoint, a calibration) is its own ``run``'s."""
        if limits.steps is None and limits.seconds is None:
            raise ValueError("give a step or a time limit: training would never end")
        schedule = Schedule() if schedule is None else schedule
        pacer = Pacer(self, limits, schedule, progress, desc)
        pacer.start()
        try:
            while not pacer.stopped():
                t0 = time.monotonic()
                row = self.train_once()
                pacer.after_update(time.monotonic() - t0, row)
        except KeyboardInterrupt:  # Ctrl-C or `timeout -s INT`: keep what was trained, then stop
            pacer.close()
            if schedule.checkpoint_on_interrupt and self.is_main:
                self.save_checkpoint()
                tqdm.write(f"interrupted at step {self.step}: wrote checkpoint.pt, log.csv (the same command resumes)")
            raise
        pacer.close()
        return list(self.points)


class Pacer:
    """The loop's bookkeeping for ``run`` (a :class:`Trainer`): it charges training seconds to
    ``run.elapsed``, evaluates and checkpoints when ``schedule`` says so, says when ``limits``
    are reached and keeps the progress bar (in training seconds with a time limit, else in
    updates with a step limit, else in seconds). :meth:`Trainer.fit` drives it with
    ``train_once``; a library with its own loop calls :meth:`after_update` back
    (Stable-Baselines3's callback)."""

    def __init__(self, run: Trainer, limits: Limits, schedule: Schedule, progress: bool, desc: str) -> None:
        self.run, self.limits, self.schedule = run, limits, schedule
        self.progress, self.desc = progress, desc
        self.next_eval = math.inf
        self.last_save = time.monotonic()
        self.bar: Any = None
        self.in_steps = limits.seconds is None and limits.steps is not None

    def start(self) -> None:
        """Evaluate the untrained state (:attr:`Schedule.eval_at_start`, a fresh run only),
        then start the clocks and the bar."""
        run, schedule = self.run, self.schedule
        if schedule.eval_at_start and not run.points:
            run.record(checkpoint=schedule.checkpoint_at_eval)
        if schedule.eval_clock is not None:
            self.next_eval = schedule.eval_clock.next_after(run.elapsed)
        self.last_save = time.monotonic()
        disable = not (self.progress and run.is_main)
        if self.in_steps:
            self.bar = tqdm(
                total=self.limits.steps, initial=run.step, desc=self.desc, disable=disable, dynamic_ncols=True
            )
            return
        budget = self.limits.seconds
        self.bar = tqdm(
            total=None if budget is None else round(budget, 1),
            initial=round(run.elapsed if budget is None else min(run.elapsed, budget), 1),
            unit="s",
            desc=self.desc,
            disable=disable,
            dynamic_ncols=True,
            bar_format="{desc}: {n:.0f} s {postfix}"
            if budget is None
            else "{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}",
        )

    def stopped(self) -> bool:
        """Whether a limit is reached (every process agrees: the main one decides)."""
        return self.run.agree(self.limits.reached(self.run.step, self.run.elapsed))

    def after_update(self, seconds: float, row: Mapping[str, float] | None = None) -> bool:
        """Charge ``seconds`` of training, then evaluate and checkpoint when due; returns whether
        a limit is now reached."""
        run, schedule = self.run, self.schedule
        run.elapsed += seconds
        self._advance(seconds, row or {})
        stopping = self.limits.reached(run.step, run.elapsed)
        if self._eval_due() or (stopping and schedule.eval_at_stop):
            point = run.record(checkpoint=schedule.checkpoint_at_eval)
            if schedule.eval_clock is not None:
                self.next_eval = schedule.eval_clock.next_after(run.elapsed)
            if point is not None and self.bar is not None:
                loss = f", loss {row['loss']:.4g}" if row and "loss" in row else ""
                self.bar.set_postfix_str(f"eval MSE {point.mse:.4f}, {point.strokes:,} strokes{loss}")
        if self._checkpoint_due():
            run.save_checkpoint()
            self.last_save = time.monotonic()
        return stopping

    def _eval_due(self) -> bool:
        """Every ``eval_steps`` updates, or the training clock has reached the next evaluation."""
        every, step = self.schedule.eval_steps, self.run.step
        return bool(every and step % every == 0) or self.run.elapsed >= self.next_eval

    def _checkpoint_due(self) -> bool:
        """Every ``checkpoint_steps`` updates, or ``checkpoint_minutes`` of wall clock since the last."""
        every, minutes = self.schedule.checkpoint_steps, self.schedule.checkpoint_minutes
        by_count = bool(every and self.run.step % every == 0)
        return by_count or (minutes is not None and time.monotonic() - self.last_save > minutes * 60)

    def _advance(self, seconds: float, row: Mapping[str, float]) -> None:
        if self.bar is None:
            return
        if self.in_steps:
            self.bar.update(1)
            if "loss" in row:
                self.bar.set_postfix_str(f"loss {row['loss']:.4g}", refresh=False)
        elif self.limits.seconds is not None:
            self.bar.update(min(seconds, self.limits.seconds - self.bar.n))
        else:
            self.bar.update(seconds)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


__all__ = [
    "CHECKPOINT_PT",
    "EVAL_RATIO",
    "FIRST_EVAL_SECONDS",
    "EvalSchedule",
    "Limits",
    "Pacer",
    "Point",
    "Schedule",
    "Trainer",
    "mean_rows",
    "points_from_json",
    "points_to_json",
]
