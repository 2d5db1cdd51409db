"""The "why stuck" core of the census and the Why stuck? view, against hand-worked cases."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from backprop import TrainConfig, explore
from backprop.diagnosis import PLATEAUS, census_counts

XOR = np.array([0.0, 1.0, 1.0, 0.0])


# --- saturation --------------------------------------------------------------------------------

def test_sigmoid_saturation_uses_a_tenth_of_a_quarter():
    # σ′ peaks at 0.25, so the threshold is 0.025; 0.025 itself is not below it.
    deriv1 = [[0.20, 0.010, 0.020, 0.24],
              [0.03, 0.025, 0.001, 0.10]]
    a1 = [[0.1, 0.2, 0.8, 0.9],
          [0.9, 0.7, 0.3, 0.1]]  # four well-separated points: nothing merged
    report = explore.saturation(deriv1, a1, XOR)
    assert report.threshold == pytest.approx(0.025)
    assert report.saturated == {0: [1, 2], 1: [2]}
    assert report.merged == []


@pytest.mark.parametrize("activation, threshold", [("tanh", 0.1), ("relu", 0.1)])
def test_saturation_threshold_follows_the_activation(activation, threshold):
    deriv1 = [[0.05, 0.5, 1.0, 0.0999]]
    report = explore.saturation(deriv1, [[0.0, 0.3, 0.6, 0.9]], XOR, activation)
    assert report.threshold == pytest.approx(threshold)
    assert report.saturated == {0: [0, 3]}


def test_three_patterns_with_mixed_targets_merge():
    # Samples 1, 2, 3 sit within 0.02 of each other in hidden space; targets 1, 1, 0.
    a1 = [[0.10, 0.99, 0.98, 0.97],
          [0.90, 0.01, 0.02, 0.03]]
    report = explore.saturation(np.full((2, 4), 0.2), a1, XOR)
    assert report.saturated == {}
    assert report.merged == [[1, 2, 3]]


def test_close_patterns_with_the_same_target_are_not_reported():
    # (0,1) and (1,0) both have target 1: the output can give them the same answer.
    a1 = [[0.1, 0.50, 0.51, 0.9]]
    assert explore.saturation([[0.2] * 4], a1, XOR).merged == []


def test_merging_is_measured_from_the_first_sample_of_a_group_and_is_strict():
    # Along one unit: 0.00, 0.04, 0.08, 0.13. From sample 0, only sample 1 is nearer than
    # 0.05 (sample 2 is 0.08 away); from sample 2, sample 3 is exactly 0.05 away: not merged.
    a1 = [[0.00, 0.04, 0.08, 0.13]]
    y = np.array([0.0, 1.0, 0.0, 1.0])
    assert explore.saturation([[0.2] * 4], a1, y).merged == [[0, 1]]


def test_huge_activations_do_not_warn(recwarn):
    a1 = [[np.inf, -np.inf, np.nan, 1e308]]
    report = explore.saturation([[0.0] * 4], a1, XOR)
    assert report.saturated == {0: [0, 1, 2, 3]}
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --- census_examples and census_counts --------------------------------------------------------

ONE_EIGHTH, ONE_SIXTH, ONE_QUARTER = sorted(PLATEAUS)
# Eleven seeds: six solved (1, 4, 6, 7, 8, 9) and five stuck:
# 0 and 3 at 1/8, 2 at 1/6, 10 at 1/4, 5 on no named plateau.
NAN = float("nan")
CENSUS = SimpleNamespace(
    solved=np.array([0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0], dtype=bool),
    plateau=np.array([ONE_EIGHTH, NAN, ONE_SIXTH, ONE_EIGHTH, NAN, NAN, NAN, NAN, NAN, NAN,
                      ONE_QUARTER]),
)


@pytest.mark.parametrize("per_kind, expected", [
    # First solved seeds in order; then stuck ones, one plateau at a time in PLATEAUS order
    # (1/8, 1/6, 1/4), then the unnamed rest, then round again (seed 3, second at 1/8).
    (4, [1, 4, 6, 7, 0, 2, 10, 5]),
    (2, [1, 4, 0, 2]),
    (5, [1, 4, 6, 7, 8, 0, 2, 10, 5, 3]),
])
def test_census_examples_show_every_kind_of_failure(per_kind, expected):
    assert explore.census_examples(CENSUS, per_kind) == expected


def test_census_examples_when_everything_solves():
    many = SimpleNamespace(solved=np.ones(3, dtype=bool), plateau=np.full(3, NAN))
    assert explore.census_examples(many) == [0, 1, 2]


def test_a_real_census_counts_every_seed_once():
    many = explore.census(TrainConfig(epochs=2000), 24)
    counts = census_counts(many.solved, many.plateau, many.final_mse)
    assert sum(counts.values()) == 24
    assert sum(v for k, v in counts.items() if k != "solved") == int((~many.solved).sum())


def test_example_surfaces_are_each_seeds_own_output():
    from backprop import train
    from backprop.plane import evaluate, plane_around

    config = TrainConfig(epochs=300)
    many = explore.census(config, 3)
    plane = plane_around(np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]]), resolution=5)
    (surface,) = explore.example_surfaces(many, [2], plane)
    alone = train(config.replace(seed=2))  # the same seed trained on its own
    expected = evaluate(alone.params, plane, "sigmoid")["a2"]
    np.testing.assert_allclose(surface, expected, atol=1e-9)
    assert surface.shape == (5, 5)
