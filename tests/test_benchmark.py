"""The benchmark's rules (paint_gym.benchmark): scoring in MyPaint, references, budget schedule,
results table and plug-in agents scored through ``paint-gym bench`` with no competitor imported."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from paint_gym.benchmark.budget import EvalSchedule, Point
from paint_gym.benchmark.evaluation import blank_row, eval_targets, evaluate_agent, figure7, neural_mse, replay_mse
from paint_gym.benchmark.plugins import bench_agent, load_class, make_agent
from paint_gym.benchmark.reference import direct_optimisation
from paint_gym.benchmark.results import MethodResult, format_row, protocol_levels, table_header
from paint_gym.canvas import mse_uint8
from paint_gym.cli import main
from paint_gym.painters.load import replay
from paint_gym_agents import RandomAgent

from .helpers import ROOT

EXAMPLE = str(ROOT / "examples" / "my_agent.py")


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return eval_targets("mnist", 6)


# ----------------------------------------------------------------------------------------
# Scoring
# ----------------------------------------------------------------------------------------


def test_replay_mse_averages_the_brush_seeds(digits):
    actions = RandomAgent(4, seed=1).paint(digits)
    per_seed = [mse_uint8(replay(actions, "mypaint", seed=s), digits) for s in (0, 1)]
    np.testing.assert_allclose(replay_mse(actions, digits, seeds=(0, 1)), np.mean(per_seed, axis=0), rtol=1e-6)
    assert not np.allclose(per_seed[0], per_seed[1])  # seeds really differ


def test_blank_canvas_row_matches_the_reference(digits):
    row = blank_row(eval_targets("mnist", 200))
    assert row.mypaint == pytest.approx(0.089, abs=0.01)  # the reference for MNIST


def test_direct_optimisation_beats_its_starting_point(digits):
    start = direct_optimisation(digits[:2], 3, steps=0, restarts=1, progress=False)
    tuned = direct_optimisation(digits[:2], 3, steps=15, restarts=1, progress=False)
    assert neural_mse(tuned, digits[:2]).mean() < neural_mse(start, digits[:2]).mean()
    assert np.abs(tuned).max() <= 1
    with pytest.raises(ValueError, match="objective"):
        direct_optimisation(digits[:1], 2, objective="l1")


def test_figure7_has_one_row_per_target(tmp_path, digits):
    out = figure7(digits[:3], RandomAgent(2, seed=0).paint(digits[:3]), tmp_path / "f.png", scale=1)
    img = np.asarray(Image.open(out))
    assert img.shape == (3 * 64 + 2 * 2, 3 * 64 + 2 * 2, 3)
    np.testing.assert_array_equal(img[:64, :64], digits[0])


# ----------------------------------------------------------------------------------------
# Budget and results
# ----------------------------------------------------------------------------------------


def test_eval_schedule_is_geometric_then_capped():
    s = EvalSchedule(every=60.0, first=5.0, ratio=1.5)
    times = [0.0]
    while times[-1] < 900:
        times.append(s.next_after(times[-1]))
    assert times[1:4] == [5.0, 7.5, 11.25]
    gaps = np.diff(times)
    assert gaps.max() == pytest.approx(60.0) and 12 <= len(times) <= 30
    with pytest.raises(ValueError):
        EvalSchedule(every=0)


def test_each_level_cell_is_the_first_evaluation_at_or_below_it(tmp_path):
    r = MethodResult("m", [Point(0, 0, 0.09), Point(10, 500, 0.05), Point(20, 900, 0.06), Point(40, 2000, 0.04)], 40.0)
    assert r.first_reaching(0.05).seconds == 10 and r.first_reaching(0.01) is None and r.final_mse == 0.04
    levels = protocol_levels(0.08, rl_final_mse=0.045)
    assert [(lv.label, lv.mse) for lv in levels] == [
        ("75% of blank", pytest.approx(0.06)),
        ("50% of blank", pytest.approx(0.04)),
        ("25% of blank", pytest.approx(0.02)),
        ("best RL final", 0.045),
    ]
    assert (
        format_row(r, levels)
        == "| m | 0.0400 | 0.0400 | 10 s / 500 | 40 s / 2,000 | never | 40 s / 2,000 | 2,000 | 40 s |"
    )
    header = table_header(levels).splitlines()
    assert len(header[0].strip("|").split("|")) == len(format_row(r, levels).strip("|").split("|")) == 9
    assert "to 50% of blank (0.0400)" in header[0]
    fast = MethodResult("f", [Point(0, 0, 0.09), Point(1.5, 40, 0.05), Point(3, 80, 0.07)], 3.0)
    assert format_row(fast) == "| f | 0.0700 | 0.0500 | 80 | 3.0 s |"  # best and final differ; sub-10 s keeps a decimal
    assert len(protocol_levels(0.08)) == 3 and len(protocol_levels(0.08, float("nan"))) == 3
    with pytest.raises(ValueError, match="blank_mse"):
        protocol_levels(0.0)
    assert MethodResult.from_dict(r.as_dict()).points == r.points
    assert MethodResult.load(r.save(tmp_path / "deep" / "m.json")).points == r.points
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["m.json"]  # no temporary file left
    with pytest.raises(ValueError):
        MethodResult("empty", [])


# ----------------------------------------------------------------------------------------
# Plug-in agents: paint-gym bench
# ----------------------------------------------------------------------------------------


def test_example_agent_through_the_bench_command_prints_a_table_row(capsys):
    assert (
        main(["bench", "--agent", f"{EXAMPLE}:InkAgent", "--dataset", "mnist", "--images", "8", "--threshold", "0.2"])
        == 0
    )
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("| method |"))
    assert "to 75% of blank" in header and "to best RL final (0.2000)" in header
    row = next(line for line in out.splitlines() if line.startswith("| InkAgent |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == len(header.strip("|").split("|")) == 9
    mse = float(cells[1])
    blank = blank_row(eval_targets("mnist", 8)).mypaint
    assert 0 < mse < blank  # better than the blank canvas
    reached = [mse <= f * blank for f in (0.75, 0.5, 0.25)] + [mse <= 0.2]
    assert [c == "0 s / 0" for c in cells[3:7]] == reached  # a level reached without training: at 0 s, 0 strokes
    assert all(c in ("0 s / 0", "never") for c in cells[3:7])


def test_dotted_module_agents_get_the_number_of_strokes():
    agent = make_agent(load_class("paint_gym_agents.random_agent:RandomAgent"), strokes=5)
    assert agent.n_strokes == 5
    text = bench_agent("paint_gym_agents.random_agent:RandomAgent", images=4, strokes=5, name="random, 5 strokes")
    assert "| random, 5 strokes |" in text


def test_bad_agent_specs_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="module:Class"):
        load_class("examples/my_agent.py")
    with pytest.raises(FileNotFoundError):
        load_class(f"{tmp_path}/nowhere.py:Agent")
    with pytest.raises(ValueError, match="no class"):
        load_class(f"{EXAMPLE}:NoSuchAgent")
    with pytest.raises(ValueError, match="cannot import"):
        load_class("no_such_module_xyz:Agent")
    with pytest.raises(ValueError, match="not a PaintingAgent"):
        make_agent(load_class("paint_gym.benchmark.budget:EvalSchedule"), 8)
    with pytest.raises(ValueError, match="images"):
        bench_agent(f"{EXAMPLE}:InkAgent", images=0)


def test_a_plugin_agent_is_scored_without_importing_any_competitor(tmp_path):
    code = (
        "import sys; from paint_gym.benchmark.plugins import bench_agent; "
        f"bench_agent({EXAMPLE!r} + ':InkAgent', images=2); print(sorted(m for "
        "m in sys.modules if m.startswith(('paint_gym_agents', 'agents', 'benchmarks'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


# Plug-ins as users write them: any class with act and paint (user code, so defined here).


class FixedStrokes:
    """Paints the same seeded strokes whatever the targets."""

    def __init__(self, n_strokes: int = 8) -> None:
        self.n_strokes = n_strokes

    def act(self, observation: dict) -> np.ndarray:
        return self.paint(observation["target"][None])[0, 0]

    def paint(self, targets: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(0)
        return rng.uniform(-1, 1, (len(targets), self.n_strokes, 12)).astype(np.float32)


class InvertsItsTargets(FixedStrokes):
    """The same strokes, then the targets it was given inverted in place (issue 23's report)."""

    def paint(self, targets: np.ndarray) -> np.ndarray:
        strokes = super().paint(targets)
        np.subtract(255, targets, out=targets)
        return strokes


class OneStrokeTooMany(FixedStrokes):
    """Ignores the count it is given."""

    def paint(self, targets: np.ndarray) -> np.ndarray:
        self.n_strokes += 1
        return super().paint(targets)


class Returns:
    """Returns whatever it was built with."""

    def __init__(self, strokes: object) -> None:
        self.strokes = strokes

    def act(self, observation: dict) -> np.ndarray:
        return np.zeros(12, np.float32)

    def paint(self, targets: np.ndarray) -> object:
        return self.strokes


def test_what_a_plugin_does_to_its_targets_changes_neither_its_score_nor_the_blank_levels():
    honest = bench_agent(f"{__name__}:FixedStrokes", images=4, name="plug-in")
    vandal = bench_agent(f"{__name__}:InvertsItsTargets", images=4, name="plug-in")
    assert vandal == honest  # same strokes: same MSE, same blank-canvas levels in the header


def test_agent_evaluation_scores_the_targets_as_they_were_given(digits):
    """``evaluate_agent`` is the scorer of ``bench``, ``eval`` and ``demo``: the agent paints a copy."""
    targets = digits[:3].copy()
    before = targets.copy()
    vandal, _ = evaluate_agent(InvertsItsTargets(2), targets, "vandal")
    np.testing.assert_array_equal(targets, before)
    honest, _ = evaluate_agent(FixedStrokes(2), targets, "honest")
    assert (vandal.mypaint, vandal.neural) == (honest.mypaint, honest.neural)


def test_a_plugin_painting_another_number_of_strokes_is_refused_not_scored():
    with pytest.raises(
        ValueError, match=r"OneStrokeTooMany.paint\(targets\) returned 9 strokes per image; this task paints 8"
    ):
        bench_agent(f"{__name__}:OneStrokeTooMany", images=2)
    with pytest.raises(ValueError, match="returned 6 strokes per image; this task paints 5"):
        bench_agent(f"{__name__}:OneStrokeTooMany", images=2, strokes=5)


@pytest.mark.parametrize(
    "strokes, match",
    [
        (np.full((2, 8, 12), np.nan, np.float32), "NaN or inf"),
        (np.zeros((2, 8, 11), np.float32), "last axis 12"),
        (np.zeros((2, 12), np.float32), "3-d"),
        (np.zeros((3, 8, 12), np.float32), "strokes for 3 images, given 2"),
        (np.zeros((2, 0, 12), np.float32), "no strokes"),
        (np.zeros((2, 8, 12), np.complex64), "real numbers"),
        (np.full((2, 8, 12), "0.5"), "real numbers"),
        (None, "real numbers"),
        ([[[0.0] * 12] * 8, [[0.0] * 12] * 7], "could not be read"),
    ],
    ids=["nan", "11 fields", "2-d", "3 sequences", "no strokes", "complex", "strings", "None", "ragged"],
)
def test_a_plugin_returning_malformed_strokes_is_refused_naming_it(strokes, match, digits):
    with pytest.raises(ValueError, match=match) as err:
        evaluate_agent(Returns(strokes), digits[:2], "MyAgent")
    assert str(err.value).startswith("MyAgent.paint(targets) ")  # names the plug-in and its method


@pytest.mark.parametrize("images", [0, -1, 2.5, True])
def test_evaluation_image_counts_must_be_whole_and_positive(images):
    with pytest.raises(ValueError, match="number of evaluation images must be an integer of at least 1"):
        eval_targets("mnist", images)
