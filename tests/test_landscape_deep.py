"""The loss landscape at depth 3: every layer in the slice, checked against reference_deep."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.landscape import (
    filter_normalised,
    flatten,
    history_landscape,
    parse_weight_name,
    slice_directions,
    unflatten,
    weight_names,
)
from backprop.weights import shapes
from tests.reference_deep import DeepNetwork

HIDDEN = (4, 3, 2)


def reference_objective(params: dict, X, y, loss: str) -> float:
    """The summed objective of one network, from DeepNetwork's own forward pass."""
    layers = nn.layers_of(params)
    net = DeepNetwork(HIDDEN, "sigmoid", loss)
    net.W = [params[f"W{i}"] for i in range(1, layers + 1)]
    net.b = [params[f"b{i}"] for i in range(1, layers + 1)]
    out = net.forward(X)[-1]
    if loss == "mse":
        return float(0.5 * np.sum((out - y) ** 2))
    return float(np.sum(-y * np.log(out) - (1 - y) * np.log(1 - out)))


@pytest.fixture(scope="module", params=["mse", "bce"])
def deep(request):
    run = train(TrainConfig(hidden=HIDDEN, loss=request.param, epochs=3000, lr=0.5))
    return run, request.param, history_landscape(run.history, run.X, run.y, "sigmoid",
                                                 request.param, resolution=21)


def test_the_slice_holds_every_layer(deep):
    run, _, _ = deep
    start = {k: run.history.steps[k][0] for k in nn.param_names(4)}
    d1, d2 = slice_directions(start, run.params, seed=0)
    # 2-4-3-2-1: 4*2 + 4 + 3*4 + 3 + 2*3 + 2 + 1*2 + 1 weights and biases
    assert d1.shape == d2.shape == (38,)
    assert abs(d1 @ d2) < 1e-9 * (d1 @ d1), "d2 is orthogonal to d1"


@pytest.mark.parametrize("alpha, beta", [(0.0, 0.0), (1.0, 0.0), (0.5, -0.5), (-0.5, 1.0)])
def test_grid_objective_is_the_references_at_that_point(deep, alpha, beta):
    run, loss, slice_ = deep
    start = {k: run.history.steps[k][0] for k in nn.param_names(4)}
    end = {k: run.history.steps[k][-1] for k in nn.param_names(4)}
    d1, d2 = slice_directions(start, end, seed=0)
    i = int(np.argmin(np.abs(slice_.alphas - alpha)))
    j = int(np.argmin(np.abs(slice_.betas - beta)))
    point = flatten(end) + slice_.alphas[i] * d1 + slice_.betas[j] * d2
    params = {k: v[0] for k, v in unflatten(point[None], end).items()}
    assert slice_.objective[j, i] == pytest.approx(reference_objective(params, run.X, run.y, loss),
                                                   rel=1e-9)


def test_the_path_runs_from_the_start_to_the_end(deep):
    run, _, slice_ = deep
    np.testing.assert_allclose(slice_.path[0], [1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(slice_.path[-1], [0.0, 0.0], atol=1e-9)
    assert slice_.off_plane[0] < 1e-9 and slice_.off_plane[-1] < 1e-9
    assert list(slice_.path_epochs) == list(run.history.epochs)


def test_filter_normalisation_is_per_unit_in_every_layer():
    params = nn.init_params(HIDDEN, "normal", 2)
    direction = unflatten(filter_normalised(params, np.random.default_rng(0))[None], params)
    for layer in range(1, 5):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        dW, db = direction[f"W{layer}"][0], direction[f"b{layer}"][0]
        for j in range(W.shape[0]):  # unit j's row: its incoming weights and its bias
            unit = np.sqrt(np.sum(W[j] ** 2) + b[j, 0] ** 2)
            drawn = np.sqrt(np.sum(dW[j] ** 2) + db[j, 0] ** 2)
            assert drawn == pytest.approx(unit, rel=1e-12), (layer, j)


def test_weight_names_list_every_weight_of_every_layer():
    names = weight_names(shapes(HIDDEN))
    assert len(names) == 38 and len(set(names)) == 38
    assert names[:3] == ["W1[1,1]", "W1[1,2]", "W1[2,1]"]
    assert "W3[2,3]" in names and names[-3:] == ["W4[1,1]", "W4[1,2]", "b4[1,1]"]
    assert parse_weight_name("W3[2,3]") == ("W3", (1, 2))
    assert weight_names(shapes(2)) == ["W1[1,1]", "W1[1,2]", "W1[2,1]", "W1[2,2]", "b1[1,1]",
                                       "b1[2,1]", "W2[1,1]", "W2[1,2]", "b2[1,1]"]


def test_two_deep_weights_as_the_axes(deep):
    run, loss, _ = deep
    axes = (("W3", (1, 2)), ("b2", (0, 0)))
    slice_ = history_landscape(run.history, run.X, run.y, "sigmoid", loss, resolution=11,
                               weights=axes)
    end = {k: v.copy() for k, v in run.params.items()}
    i, j = 2, 7
    moved = {k: v.copy() for k, v in end.items()}
    moved["W3"][1, 2] += slice_.alphas[i]
    moved["b2"][0, 0] += slice_.betas[j]
    assert slice_.objective[j, i] == pytest.approx(
        reference_objective(moved, run.X, run.y, loss), rel=1e-9)
    assert slice_.axes == ("W3[2,3] − final", "b2[1,1] − final")
