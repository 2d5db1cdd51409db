"""The verdicts, against hand-worked cases.

Each case is built by hand from the XOR plateaus' arithmetic (see diagnosis.py):
three patterns merged at output ⅔ give MSE (⅔² + 2·(⅓)²)/4 ≈ 1/6 when the fourth
is right, two merged at ½ give (2·¼)/4 = 1/8, all four at ½ give 1/4.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop.diagnosis import (
    census_counts,
    correct,
    diagnose,
    diagnose_many,
    nearest_plateau,
    plateau_name,
    tail_change,
    trend,
)

XOR = np.array([0.0, 1.0, 1.0, 0.0])
FLAT = 1000  # epochs in a hand-made flat curve


def flat(value: float, epochs: int = FLAT) -> np.ndarray:
    return np.full(epochs, value)


def ending(start: float, end: float, epochs: int = FLAT) -> np.ndarray:
    """A curve flat at ``start`` that moves linearly to ``end`` over its last 10%."""
    curve = np.full(epochs, start)
    curve[-epochs // 10:] = np.linspace(start, end, epochs // 10)
    return curve


# --- the plateaus' own arithmetic ---------------------------------------------------------

@pytest.mark.parametrize("outputs, plateau", [
    ([0.0, 2 / 3, 2 / 3, 2 / 3], 1 / 6),  # (0,1), (1,0), (1,1) merged at their mean, ⅔
    ([0.5, 0.5, 1.0, 0.0], 1 / 8),  # (0,0) and (0,1), targets 0 and 1, merged at ½
    ([0.5, 0.5, 0.5, 0.5], 1 / 4),  # all four merged
])
def test_the_merged_outputs_give_the_plateau_mse(outputs, plateau):
    mse = float(np.mean((np.array(outputs) - XOR) ** 2))
    assert mse == pytest.approx(plateau)
    assert nearest_plateau(mse) == pytest.approx(plateau)


@pytest.mark.parametrize("mse, expected", [
    (0.125 + 0.0099, 0.125), (0.125 - 0.0099, 0.125), (0.125 + 0.0101, None),
    (0.2, None), (0.0, None), (0.2501, 0.25),
])
def test_nearest_plateau_tolerance(mse, expected):
    found = nearest_plateau(mse)
    assert (found is None) if expected is None else found == pytest.approx(expected)


def test_plateau_names_are_fractions():
    assert [plateau_name(v) for v in (0.125, 1 / 6, 0.25)] == ["1/8", "1/6", "1/4"]


# --- the slope of the end of the curve ------------------------------------------------------

@pytest.mark.parametrize("curve, change, relative", [
    (ending(0.17, 0.169), -0.001, -0.001 / 0.17),
    (ending(0.2, 0.1), -0.1, -0.5),
    (flat(0.125), 0.0, 0.0),
    (ending(0.1, 0.11), 0.01, 0.1),
    (np.array([0.3]), 0.0, 0.0),
])
def test_tail_change(curve, change, relative):
    assert tail_change(curve) == pytest.approx((change, relative))


@pytest.mark.parametrize("curve, words", [
    (ending(0.17, 0.169),
     "is falling very slowly (Δ over the last 10% of epochs: −0.001, −0.59%)"),
    (ending(0.2, 0.1), "is still falling (Δ over the last 10% of epochs: −0.1, −50.0%)"),
    (flat(0.125), "has stopped falling (Δ over the last 10% of epochs: +0)"),
    (ending(0.1, 0.11), "is rising (Δ over the last 10% of epochs: +0.01)"),
])
def test_trend_words_match_what_the_curve_does(curve, words):
    assert trend(curve) == words


# --- one run ----------------------------------------------------------------------------

def test_solved_when_every_sample_is_on_its_side():
    verdict = diagnose(ending(0.2, 0.01), np.array([0.1, 0.9, 0.8, 0.2]), XOR)
    assert verdict.status == "solved" and verdict.solved
    assert "final MSE 0.0100" in verdict.text


@pytest.mark.parametrize("outputs, plateau, wrong", [
    ([0.0, 2 / 3, 2 / 3, 2 / 3], 1 / 6, 1),  # (1,1) says ⅔ for a 0
    ([0.5, 0.5, 1.0, 0.0], 1 / 8, 1),  # 0.5 is not > 0.5: only the 1-target is wrong
    ([0.5, 0.5, 0.5, 0.5], 1 / 4, 2),  # the two 1-targets are wrong
])
def test_stuck_on_each_plateau_when_the_curve_is_flat(outputs, plateau, wrong):
    verdict = diagnose(flat(plateau), np.array(outputs), XOR)
    assert verdict.status == "stuck" and verdict.plateau == pytest.approx(plateau)
    assert f"{wrong} of 4 samples {'is' if wrong == 1 else 'are'} on the wrong" in verdict.text
    assert verdict.text.endswith("the loss has stopped falling (Δ over the last 10% of "
                                 "epochs: +0).")


def test_seed_0s_slow_fall_is_called_slow_not_stopped():
    """The student's report: "stopped falling" while the curve still slopes."""
    verdict = diagnose(ending(0.1700, 0.1690), np.array([0.06, 0.66, 0.66, 0.66]), XOR)
    assert verdict.status == "stuck" and verdict.plateau == pytest.approx(1 / 6)
    assert "1 of 4 samples is on the wrong side" in verdict.text
    assert "is falling very slowly (Δ over the last 10% of epochs: −0.001, −0.59%)" in \
        verdict.text
    assert "stopped" not in verdict.text


def test_learning_while_the_loss_still_falls_fast():
    verdict = diagnose(ending(0.2, 0.15), np.array([0.4, 0.6, 0.6, 0.6]), XOR)
    assert verdict.status == "learning"
    assert "more epochs may solve it" in verdict.text and "−25.0%" in verdict.text


def test_stuck_off_the_plateaus():
    verdict = diagnose(flat(0.2), np.array([0.3, 0.4, 0.6, 0.3]), XOR)
    assert verdict.status == "stuck" and verdict.plateau is None
    assert "1 of 4 samples is on the wrong side" in verdict.text and "at 0.2000" in verdict.text


def test_diverged_wins_over_everything():
    verdict = diagnose(flat(0.1), np.array([0.1, 0.9, 0.9, 0.1]), XOR, stopped="weights blew up")
    assert (verdict.status, verdict.text) == ("diverged", "weights blew up")


def test_not_trained_yet():
    verdict = diagnose(np.zeros(0), np.array([0.5] * 4), XOR)
    assert (verdict.status, verdict.text) == ("learning", "Not trained yet (0 epochs).")


@pytest.mark.parametrize("right, status", [(20, "solved"), (19, "solved"), (18, "stuck")])
def test_noisy_data_threshold(right, status):
    """On a 20-point cloud with 95% required, 19 right is solved and 18 is not."""
    targets = np.array([0.0, 1.0] * 10)
    outputs = np.where(np.arange(20) < right, targets, 1 - targets) * 0.8 + 0.1
    verdict = diagnose(flat(0.05), outputs, targets, required=0.95)
    assert verdict.status == status
    if right == 19:
        assert verdict.text.startswith("Solved: 95% of samples")


# --- many runs ----------------------------------------------------------------------------

def test_diagnose_many_against_hand_worked_seeds():
    # columns are seeds: solved near 1/8 (still solved), stuck at 1/8, off the plateaus,
    # stuck at 1/6, diverged (NaN outputs: the 0-targets count as right, the 1s do not)
    predictions = np.array([
        [0.4, 1.0, 0.3, 0.0, np.nan],
        [0.6, 0.5, 0.4, 2 / 3, np.nan],
        [0.6, 1.0, 0.6, 2 / 3, np.nan],
        [0.4, 0.5, 0.3, 2 / 3, np.nan],
    ])
    final = np.array([0.13, 0.126, 0.3, 1 / 6, np.nan])
    solved, plateau = diagnose_many(final, predictions, XOR)
    assert solved.tolist() == [True, False, False, False, False]
    np.testing.assert_array_equal(plateau, [np.nan, 0.125, np.nan, 1 / 6, np.nan])
    counts = census_counts(solved, plateau, final)
    assert counts == {"solved": 1, "stuck near MSE 1/8": 1, "stuck near MSE 1/6": 1,
                      "stuck near MSE 1/4": 0, "unsolved elsewhere": 1, "diverged": 1}
    assert sum(counts.values()) == 5


@pytest.mark.parametrize("required, solved", [(1.0, [False]), (0.75, [True])])
def test_diagnose_many_required_fraction(required, solved):
    predictions = np.array([[0.1], [0.9], [0.9], [0.9]])  # 3 of 4 right
    assert diagnose_many(np.array([0.2]), predictions, XOR, required)[0].tolist() == solved


def test_correct_broadcasts_one_target_column_over_seeds():
    got = correct(np.array([[0.6, 0.4], [0.2, 0.7]]), np.array([[1.0], [0.0]]))
    assert got.tolist() == [[True, False], [True, False]]
