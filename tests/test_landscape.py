"""The loss landscape: a slice of weight space through the final weights, and the path on it."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.landscape import (
    filter_normalised,
    flatten,
    landscape,
    landscape_figure,
    slice_directions,
    unflatten,
)

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([[0.0, 1.0, 1.0, 0.0]])


def _zeros(hidden=2):
    return {"W1": np.zeros((hidden, 2)), "b1": np.zeros((hidden, 1)),
            "W2": np.zeros((1, hidden)), "b2": np.zeros((1, 1))}


@pytest.fixture(scope="module")
def seed0():
    run = train(TrainConfig())
    steps = {k: run.history.steps[k] for k in nn.PARAM_NAMES}
    start = {k: v[0] for k, v in steps.items()}
    return run, steps, start


def test_flatten_round_trips():
    params = nn.init_params(3, "normal", 4)
    back = unflatten(flatten(params)[None, :], params)
    for name in nn.PARAM_NAMES:
        np.testing.assert_array_equal(back[name][0], params[name], err_msg=name)


@pytest.mark.parametrize("loss, expected", [
    # All weights zero: every output is sigma(0) = 1/2.
    # 1/2 squared error: 4 samples x 1/2 x (1/2)^2 = 1/2.
    ("mse", 0.5),
    # cross-entropy: 4 samples x -log(1/2) = 4 log 2.
    ("bce", 4 * np.log(2.0)),
])
def test_centre_of_the_slice_is_the_final_objective_worked(loss, expected):
    end = _zeros()
    start = {k: v + 1.0 for k, v in end.items()}
    steps = {k: np.stack([start[k], end[k]]) for k in end}
    slice_ = landscape(start, end, steps, [0, 10], XOR_X, XOR_Y, "sigmoid", loss)
    i = int(np.flatnonzero(slice_.alphas == 0)[0])
    j = int(np.flatnonzero(slice_.betas == 0)[0])
    assert slice_.objective[j, i] == pytest.approx(expected, abs=1e-12)


def test_start_and_end_sit_on_the_grid_and_the_path(seed0):
    run, steps, start = seed0
    slice_ = landscape(start, run.params, steps, run.history.epochs, run.X, run.y,
                       "sigmoid", "mse")
    assert 0.0 in slice_.alphas and 1.0 in slice_.alphas and 0.0 in slice_.betas
    j = int(np.flatnonzero(slice_.betas == 0)[0])
    at = {a: slice_.objective[j, int(np.flatnonzero(slice_.alphas == a)[0])] for a in (0.0, 1.0)}
    assert at[0.0] == pytest.approx(nn.objective(run.params, run.X, run.y), rel=1e-12)
    assert at[1.0] == pytest.approx(nn.objective(start, run.X, run.y), rel=1e-12)
    np.testing.assert_allclose(slice_.path[0], [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(slice_.path[-1], [0.0, 0.0], atol=1e-12)
    assert slice_.off_plane[0] == pytest.approx(0, abs=1e-12)
    assert slice_.off_plane[-1] == pytest.approx(0, abs=1e-12)


def test_seed0_plateau_is_flat_around_the_end(seed0):
    # Seed 0 ends on the 1/6 plateau: the objective barely changes around the end
    # along the path direction, while the start is much higher.
    run, steps, start = seed0
    slice_ = landscape(start, run.params, steps, run.history.epochs, run.X, run.y,
                       "sigmoid", "mse")
    j = int(np.flatnonzero(slice_.betas == 0)[0])
    row = slice_.objective[j]
    near = np.abs(slice_.alphas) <= 0.2
    assert np.ptp(row[near]) < 0.1 * (row.max() - row.min())


def test_directions_are_orthogonal_and_equally_long(seed0):
    run, _, start = seed0
    d1, d2 = slice_directions(start, run.params, seed=3)
    assert d1 @ d2 == pytest.approx(0, abs=1e-10)
    assert np.linalg.norm(d2) == pytest.approx(np.linalg.norm(d1), rel=1e-12)


def test_filter_normalised_rows_match_each_units_norm():
    params = {"W1": np.array([[3.0, 4.0], [0.0, 1.0]]), "b1": np.array([[0.0], [0.0]]),
              "W2": np.array([[1.0, 2.0]]), "b2": np.array([[2.0]])}
    direction = unflatten(filter_normalised(params, np.random.default_rng(0))[None], params)
    rows1 = np.hstack([direction["W1"][0], direction["b1"][0]])
    rows2 = np.hstack([direction["W2"][0], direction["b2"][0]])
    # unit norms: |(3, 4, 0)| = 5, |(0, 1, 0)| = 1, |(1, 2, 2)| = 3
    np.testing.assert_allclose(np.linalg.norm(rows1, axis=1), [5.0, 1.0])
    np.testing.assert_allclose(np.linalg.norm(rows2, axis=1), [3.0])


def test_two_weights_as_axes_move_only_those_weights(seed0):
    run, steps, start = seed0
    weights = [("W1", (0, 1)), ("b2", (0, 0))]
    slice_ = landscape(start, run.params, steps, run.history.epochs, run.X, run.y,
                       "sigmoid", "mse", resolution=5, weights=weights)
    moved = {k: v.copy() for k, v in run.params.items()}
    moved["W1"][0, 1] += slice_.alphas[0]
    moved["b2"][0, 0] += slice_.betas[-1]
    assert slice_.objective[-1, 0] == pytest.approx(nn.objective(moved, run.X, run.y),
                                                    rel=1e-12)
    # the start lies at its own offsets in those two weights
    np.testing.assert_allclose(slice_.path[0], [start["W1"][0, 1] - run.params["W1"][0, 1],
                                                start["b2"][0, 0] - run.params["b2"][0, 0]])


@pytest.mark.parametrize("weights, message", [
    ([("W9", (0, 0)), ("W1", (0, 0))], "weight must be one of"),
    ([("W1", (5, 0)), ("W1", (0, 0))], "outside it"),
    ([("W1", (0, 0)), ("W1", (0, 0))], "two different weights"),
])
def test_bad_axes_are_refused_with_a_message(seed0, weights, message):
    run, steps, start = seed0
    with pytest.raises(ValueError, match=message):
        landscape(start, run.params, steps, run.history.epochs, run.X, run.y, "sigmoid",
                  "mse", weights=weights)


def test_untrained_run_still_gets_a_slice():
    params = nn.init_params(2, "normal", 0)
    steps = {k: v[None] for k, v in params.items()}
    slice_ = landscape(params, params, steps, [0], XOR_X, XOR_Y, "sigmoid", "mse")
    assert np.isfinite(slice_.objective).all()


def test_figure_draws_surface_path_and_ends(seed0):
    run, steps, start = seed0
    slice_ = landscape(start, run.params, steps, run.history.epochs, run.X, run.y,
                       "sigmoid", "mse", resolution=11)
    figure = landscape_figure(slice_, marker_epoch=500)
    names = [trace.name for trace in figure.data]
    assert "training path" in names and "start (epoch 0)" in names and "end" in names
    path = next(t for t in figure.data if t.name == "training path")
    assert list(path.customdata[:, 0]) == list(run.history.epochs)
