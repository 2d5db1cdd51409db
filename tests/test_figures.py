"""Figure builders: each one inspected through ``fig.data`` and ``fig.layout``.

The builders are pure, so every test feeds them a short real run or hand-made
arrays and checks what a reader of the chart relies on: colour ranges, traces
per unit, thinning, titles, counts.
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, train
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.datasets import load
from backprop.diagnosis import PLATEAUS
from backprop.diagram import network_figure
from backprop.nn import DERIVATIVE_MAX, DERIVATIVE_SYMBOLS
from backprop.plane import Plane, evaluate, plane_around

ACTIVATIONS = ["sigmoid", "tanh", "relu"]


@pytest.fixture(scope="module", params=ACTIVATIONS)
def run(request):
    """A short real XOR run, 3 hidden units, for each activation."""
    return train(TrainConfig(hidden=3, activation=request.param, epochs=200))


def grid(run, resolution=11):
    plane = plane_around(run.X, resolution=resolution)
    return plane, evaluate(run.params, plane, run.config.activation)


def of_type(figure, kind):
    return [t for t in figure.data if t.type == kind]


def markers(figure):
    return {t.name: t for t in figure.data if t.type == "scatter" and t.mode
            and "markers" in t.mode and t.name and t.name.startswith("target")}


# --- samples and labels --------------------------------------------------------------

@pytest.mark.parametrize("dataset, expected", [
    ("xor", {"target 1": [(0, 1), (1, 0)], "target 0": [(0, 0), (1, 1)]}),
    ("and", {"target 1": [(1, 1)], "target 0": [(0, 0), (0, 1), (1, 0)]}),
    ("nand", {"target 1": [(0, 0), (0, 1), (1, 0)], "target 0": [(1, 1)]}),
])
def test_samples_trace_splits_by_target(dataset, expected):
    X, y = load(dataset)
    traces = {t.name: t for t in fig.samples_trace(X, y)}
    assert set(traces) == set(expected)
    for name, points in expected.items():
        assert list(zip(traces[name].x, traces[name].y, strict=True)) == points
    assert traces["target 1"].marker.color == fig.BLUE
    assert traces["target 0"].marker.symbol == "x"


def test_samples_trace_skips_an_absent_target():
    X = np.array([[0.0, 1.0], [0.0, 1.0]])
    traces = fig.samples_trace(X, np.array([[1.0, 1.0]]))
    assert [t.name for t in traces] == ["target 1"]


@pytest.mark.parametrize("n, expected", [
    (4, ["(0,0)", "(0,1)", "(1,0)", "(1,1)"]),
    (9, [f"#{k}" for k in range(9)]),
])
def test_sample_labels(n, expected):
    X = load("xor")[0] if n == 4 else np.zeros((2, n))
    assert fig.sample_labels(X) == expected


# --- loss ---------------------------------------------------------------------------------

@pytest.mark.parametrize("length", [0, 1, 5, 2000, 2001, 100_000])
def test_thin_keeps_at_most_the_limit_and_the_last_point(length):
    values = np.arange(length, dtype=float)
    idx, kept = fig.thin(values)
    assert len(kept) <= fig.MAX_LINE_POINTS
    assert len(kept) == min(length, fig.MAX_LINE_POINTS)
    if length:
        assert idx[0] == 0 and idx[-1] == length - 1
        assert np.all(np.diff(idx) > 0)
        np.testing.assert_array_equal(kept, values[idx])


def test_loss_figure_thins_100000_points_and_keeps_the_last():
    loss = np.linspace(0.3, 0.01, 100_000)
    line = fig.loss_figure(loss).data[0]
    assert len(line.x) <= 2000 and len(line.y) <= 2000
    assert line.x[-1] == 99_999 and line.y[-1] == pytest.approx(0.01)
    assert line.x[0] == 0 and line.y[0] == pytest.approx(0.3)


@pytest.mark.parametrize("log_scale, axis_type", [(True, "log"), (False, "linear")])
def test_loss_figure_log_toggle_sets_the_axis_type(log_scale, axis_type):
    figure = fig.loss_figure(np.linspace(0.3, 0.01, 50), log_scale=log_scale)
    assert figure.layout.yaxis.type == axis_type
    assert ("log" in figure.layout.yaxis.title.text) == log_scale


@pytest.mark.parametrize("plateaus", [True, False])
@pytest.mark.parametrize("marker_epoch", [None, 30])
def test_loss_figure_plateau_lines_and_epoch_marker(plateaus, marker_epoch):
    figure = fig.loss_figure(np.linspace(0.3, 0.01, 50), False, marker_epoch, plateaus)
    hlines = sorted(s.y0 for s in figure.layout.shapes if s.y0 == s.y1 and s.yref == "y")
    vlines = [s.x0 for s in figure.layout.shapes if s.x0 == s.x1 and s.xref == "x"]
    assert hlines == (sorted(PLATEAUS) if plateaus else [])
    assert vlines == ([marker_epoch] if marker_epoch is not None else [])


def test_loss_figure_of_an_empty_run_is_an_empty_line():
    line = fig.loss_figure(np.zeros(0)).data[0]
    assert len(line.x) == 0


# --- decision surface -------------------------------------------------------------------------

def test_surface_figure(run):
    plane, g = grid(run)
    figure = fig.surface_figure(plane, g["a2"], run.X, run.y, title="epoch 200")
    (heat,), (contour,) = of_type(figure, "heatmap"), of_type(figure, "contour")
    assert (heat.zmin, heat.zmax) == (0, 1)
    assert np.shape(heat.z) == plane.shape
    np.testing.assert_allclose(heat.z, g["a2"], atol=1e-4)  # rounded to 4 places
    np.testing.assert_array_equal(heat.x, plane.xs)
    assert (contour.contours.start, contour.contours.end) == (0.5, 0.5)
    assert contour.contours.coloring == "none"
    found = markers(figure)
    assert sorted(found) == ["target 0", "target 1"]
    ones = found["target 1"]
    assert sorted(zip(ones.x, ones.y, strict=True)) == [(0, 1), (1, 0)]
    assert figure.layout.title.text == "epoch 200"
    assert list(figure.layout.xaxis.range) == [plane.xs[0], plane.xs[-1]]


# --- per-unit heatmaps -------------------------------------------------------------------------

def test_derivative_heatmaps_share_one_coloraxis_from_zero_to_max(run):
    act = run.config.activation
    plane, g = grid(run)
    figure = fig.derivative_heatmaps_figure(plane, g["deriv1"], run.X, run.y, act)
    heats = of_type(figure, "heatmap")
    assert len(heats) == run.config.hidden
    assert {h.coloraxis for h in heats} == {"coloraxis"}
    axis = figure.layout.coloraxis
    assert (axis.cmin, axis.cmax) == (0, DERIVATIVE_MAX[act])
    assert axis.colorbar.title.text == DERIVATIVE_SYMBOLS[act]
    assert [a.text for a in figure.layout.annotations] == ["unit 1", "unit 2", "unit 3"]
    for j, heat in enumerate(heats):
        np.testing.assert_allclose(heat.z, g["deriv1"][j], atol=1e-4)
    # the dotted saturation line, one per unit, except for ReLU whose f' is 0 or 1
    contours = of_type(figure, "contour")
    assert len(contours) == (0 if act == "relu" else run.config.hidden)
    for c in contours:
        assert c.contours.start == pytest.approx(0.1 * DERIVATIVE_MAX[act])


@pytest.mark.parametrize("activation, cmax, title", [
    ("sigmoid", 0.25, "σ′(z¹)"),
    ("tanh", 1.0, "tanh′(z¹)"),
])
def test_derivative_heatmaps_range_and_title_per_activation(activation, cmax, title):
    plane = Plane(np.linspace(0, 1, 3), np.linspace(0, 1, 3))
    deriv1 = np.full((2, 3, 3), 0.1)
    X, y = load("xor")
    figure = fig.derivative_heatmaps_figure(plane, deriv1, X, y, activation)
    assert figure.layout.coloraxis.cmax == cmax
    assert figure.layout.coloraxis.colorbar.title.text == title


@pytest.mark.parametrize("H, columns, grid_shape", [
    (1, None, (1, 1)), (2, None, (1, 2)), (3, None, (2, 2)), (4, None, (2, 2)),
    (8, None, (2, 4)), (16, None, (4, 4)), (6, 3, (2, 3)),
])
def test_unit_panels_one_heatmap_per_unit_in_a_grid(H, columns, grid_shape):
    plane = Plane(np.linspace(0, 1, 3), np.linspace(0, 1, 3))
    X, y = load("xor")
    figure = fig.derivative_heatmaps_figure(plane, np.zeros((H, 3, 3)), X, y, columns=columns)
    heats = of_type(figure, "heatmap")
    assert len(heats) == H
    rows, cols = grid_shape
    axes = {(h.xaxis, h.yaxis) for h in heats}
    assert len(axes) == H  # every unit in its own panel
    assert len([k for k in figure.layout if k.startswith("xaxis")]) == rows * cols
    # the legend shows each target once, not once per panel
    assert sum(bool(t.showlegend) for t in figure.data if t.type == "scatter") == 2


@pytest.mark.parametrize("activation, lo, hi", [("sigmoid", 0, 1), ("tanh", -1, 1)])
def test_activation_heatmaps_fixed_range(activation, lo, hi):
    plane = Plane(np.linspace(0, 1, 3), np.linspace(0, 1, 3))
    X, y = load("xor")
    figure = fig.activation_heatmaps_figure(plane, np.full((3, 3, 3), 0.5), X, y, activation)
    assert len(of_type(figure, "heatmap")) == 3
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (lo, hi)
    assert of_type(figure, "contour") == []


def test_activation_heatmaps_relu_range_follows_the_largest_activation(run):
    plane, g = grid(run)
    figure = fig.activation_heatmaps_figure(plane, g["a1"], run.X, run.y, "relu")
    assert figure.layout.coloraxis.cmin == 0
    assert figure.layout.coloraxis.cmax == pytest.approx(max(float(g["a1"].max()), 1e-6))


# --- saturation timeline -----------------------------------------------------------------------

@pytest.mark.parametrize("H, n", [(1, 4), (2, 4), (3, 8), (2, 9), (4, 200)])
def test_saturation_timeline_rows(H, n):
    K = 7
    epochs = np.arange(K) * 10
    deriv1 = np.random.default_rng(0).uniform(0, 0.25, (K, H, n))
    X = np.random.default_rng(1).random((2, n))
    figure = fig.saturation_timeline_figure(epochs, deriv1, X, "sigmoid", marker_epoch=30)
    (heat,) = figure.data
    z = np.asarray(heat.z)
    np.testing.assert_array_equal(heat.x, epochs)
    if n <= 8:
        assert len(heat.y) == H * n and z.shape == (H * n, K)
        assert heat.y[-1] == f"unit {H} · {fig.sample_labels(X)[-1]}"
        # row j*n+i is unit j at sample i
        np.testing.assert_allclose(z[n * (H - 1) + 1], deriv1[:, H - 1, 1], atol=1e-4)
    else:
        assert len(heat.y) == H and z.shape == (H, K)
        np.testing.assert_allclose(z[0], deriv1[:, 0, :].mean(axis=1), atol=1e-4)
    assert (heat.zmin, heat.zmax) == (0, 0.25)
    assert [s.x0 for s in figure.layout.shapes] == [30]
    assert figure.layout.yaxis.autorange == "reversed"


def test_saturation_timeline_of_a_real_run(run):
    act = run.config.activation
    h = run.history
    figure = fig.saturation_timeline_figure(h.epochs, h.steps["deriv1"], run.X, act)
    (heat,) = figure.data
    assert np.shape(heat.z) == (run.config.hidden * 4, len(h.epochs))
    assert heat.zmax == DERIVATIVE_MAX[act]
    assert heat.colorbar.title.text == DERIVATIVE_SYMBOLS[act]
    assert figure.layout.shapes == ()


# --- network diagram ---------------------------------------------------------------------------

def edges(figure):
    return [t for t in figure.data if t.mode == "lines"]


@pytest.mark.parametrize("H", [1, 2, 4, 5, 16])
def test_network_figure_one_edge_per_weight_coloured_by_sign(H):
    rng = np.random.default_rng(H)
    params = {"W1": rng.standard_normal((H, 2)), "b1": rng.standard_normal((H, 1)),
              "W2": rng.standard_normal((1, H)), "b2": rng.standard_normal((1, 1))}
    figure = network_figure(params)
    lines = edges(figure)
    weights = [params["W1"][j, i] for j in range(H) for i in range(2)] + list(params["W2"][0])
    assert len(lines) == 3 * H
    for line, w in zip(lines, weights, strict=True):
        assert line.line.color == (fig.BLUE if w >= 0 else fig.RED)
        assert line.line.dash == ("solid" if w >= 0 else "dash")
    widths = np.array([line.line.width for line in lines])
    assert widths.max() == pytest.approx(8.0)  # the biggest |w| gets the widest edge
    assert np.argmax(widths) == np.argmax(np.abs(weights))
    nodes = next(t for t in figure.data if t.mode == "markers+text" and t.marker.size == 34)
    assert list(nodes.text) == ["x1", "x2"] + [f"h{j + 1}" for j in range(H)] + ["out"]
    dots = next(t for t in figure.data if t.marker.size == 10)
    assert len(dots.hovertext) == 3 * H
    assert dots.mode == ("markers+text" if H <= 4 else "markers")


def test_network_figure_of_a_real_run_shows_each_weight(run):
    figure = network_figure(run.params, run.config.activation)
    dots = next(t for t in figure.data if t.marker.size == 10)
    assert dots.hovertext[0] == f"W1[1,1] = {run.params['W1'][0, 0]:+.4f}"
    assert dots.hovertext[-1] == f"W2[1,3] = {run.params['W2'][0, 2]:+.4f}"
    nodes = next(t for t in figure.data if t.marker.size == 34)
    assert f"({run.config.activation})" in nodes.hovertext[2]


def test_network_figure_of_all_zero_weights():
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2)),
              "b2": np.zeros((1, 1))}
    lines = edges(network_figure(params))
    assert {line.line.width for line in lines} == {1.0}


# --- census, surfaces grid, sweep -----------------------------------------------------------

@pytest.mark.parametrize("final, solved", [
    ([0.001, 0.125, 0.002, 1 / 6, 0.25, 0.125], [1, 0, 1, 0, 0, 0]),
    (list(np.linspace(0, 0.01, 10)), [1] * 10),
    ([0.125] * 3, [0] * 3),
    ([0.5, 0.9], [0, 0]),
])
def test_census_histogram_stacks_solved_and_unsolved(final, solved):
    figure = xfig.census_histogram_figure(final, np.array(solved, dtype=bool))
    hists = of_type(figure, "histogram")
    assert [h.name.split(" (")[0] for h in hists] == ["solved", "not solved"]
    counts = [len(h.x) for h in hists]
    assert counts == [sum(solved), len(solved) - sum(solved)]
    assert sum(counts) == len(final)
    assert hists[0].name == f"solved ({sum(solved)})"
    assert figure.layout.barmode == "stack"
    assert hists[0].xbins.end >= max(final)  # no seed falls off the right edge
    assert sorted(s.x0 for s in figure.layout.shapes) == sorted(PLATEAUS)


def test_census_histogram_of_a_real_census():
    from backprop.explore import census

    many = census(TrainConfig(epochs=300), 12)
    figure = xfig.census_histogram_figure(many.final_mse, many.solved)
    assert sum(len(h.x) for h in of_type(figure, "histogram")) == 12


@pytest.mark.parametrize("m, columns, rows", [(1, 4, 1), (4, 4, 1), (5, 4, 2), (8, 4, 2),
                                              (3, 2, 2)])
def test_surfaces_grid_one_panel_per_output(m, columns, rows):
    plane = Plane(np.linspace(-0.5, 1.5, 5), np.linspace(-0.5, 1.5, 5))
    X, y = load("xor")
    outputs = [np.full((5, 5), k / max(m, 1)) for k in range(m)]
    titles = [f"seed {k}" for k in range(m)]
    figure = xfig.surfaces_grid_figure(plane, outputs, titles, X, y, columns)
    heats = of_type(figure, "heatmap")
    assert len(heats) == m and len(of_type(figure, "contour")) == m
    assert {h.coloraxis for h in heats} == {"coloraxis"}
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0, 1)
    assert [a.text for a in figure.layout.annotations] == titles
    assert len([k for k in figure.layout if k.startswith("xaxis")]) == rows * min(columns, m)
    np.testing.assert_allclose(heats[-1].z, outputs[-1], atol=1e-4)  # rounded to 4 places


@pytest.mark.parametrize("lrs, hidden", [((0.1,), (2,)), ((0.05, 0.1, 1.0), (1, 2, 4, 8))])
def test_sweep_figure_z_equals_the_input(lrs, hidden):
    solved = np.random.default_rng(0).random((len(hidden), len(lrs)))
    (heat,) = xfig.sweep_figure(lrs, hidden, solved, seeds=50).data
    np.testing.assert_array_equal(heat.z, solved)
    assert list(heat.x) == [f"{v:g}" for v in lrs]
    assert list(heat.y) == [str(h) for h in hidden]
    assert (heat.zmin, heat.zmax) == (0, 1)
    assert heat.text[0][0] == f"{solved[0, 0]:.0%}"
    assert "of 50 seeds" in heat.hovertemplate


# --- hidden space ----------------------------------------------------------------------------

def test_hidden_space_places_markers_at_the_given_a1():
    X, y = load("xor")
    a1_history = np.array([
        [[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]],
        [[0.1, 0.2, 0.8, 0.9], [0.3, 0.7, 0.4, 0.6]],
    ])
    W2, b2 = np.array([[1.0, 2.0]]), np.array([[-1.5]])
    figure = xfig.hidden_space_figure(a1_history, W2, b2, y[0], X)
    found = markers(figure)
    now = a1_history[-1]
    for name, target in (("target 1", 1), ("target 0", 0)):
        pick = np.flatnonzero(y[0] == target)
        np.testing.assert_allclose(found[name].x, now[0, pick])
        np.testing.assert_allclose(found[name].y, now[1, pick])
    trails = [t for t in figure.data if t.mode == "lines" and not t.name]
    assert len(trails) == 4
    np.testing.assert_allclose(trails[1].x, a1_history[:, 0, 1])
    # the output's 0.5 line: 1·a + 2·b − 1.5 = 0
    line = next(t for t in figure.data if t.name == "output = 0.5")
    np.testing.assert_allclose(np.asarray(line.y), (1.5 - np.asarray(line.x)) / 2.0)
    assert figure.layout.xaxis.title.text == "a¹ of unit 1"


def test_hidden_space_names_merged_samples_once():
    X, y = load("xor")
    now = np.array([[0.9, 0.9, 0.9, 0.1], [0.9, 0.9, 0.9, 0.1]])
    figure = xfig.hidden_space_figure(now[None], np.array([[1.0, 1.0]]), np.array([[-1.0]]),
                                      y[0], X, merged=[[0, 1, 2]])
    (note,) = figure.layout.annotations
    assert note.text == "merged: (0,0), (0,1), (1,0)"
    texts = [s for t in markers(figure).values() for s in t.text]
    assert sorted(texts) == ["", "", "", "(1,1)"]


@pytest.mark.parametrize("units", [(0, 1), (2, 0), (1, 3)])
def test_hidden_space_picks_the_requested_units(units):
    X, y = load("xor")
    rng = np.random.default_rng(3)
    a1 = rng.random((3, 4, 4))
    figure = xfig.hidden_space_figure(a1, rng.standard_normal((1, 4)), np.zeros((1, 1)),
                                      y[0], X, "tanh", units)
    i, j = units
    allx = np.concatenate([t.x for t in markers(figure).values()])
    ally = np.concatenate([t.y for t in markers(figure).values()])
    np.testing.assert_allclose(sorted(allx), sorted(a1[-1, i]))
    np.testing.assert_allclose(sorted(ally), sorted(a1[-1, j]))
    assert figure.layout.yaxis.title.text == f"a¹ of unit {j + 1}"
    assert list(figure.layout.xaxis.range) == pytest.approx([-1.1, 1.1])


def test_hidden_space_without_a_line_when_the_vertical_weight_is_zero():
    X, y = load("xor")
    figure = xfig.hidden_space_figure(np.full((1, 2, 4), 0.5), np.array([[1.0, 0.0]]),
                                      np.zeros((1, 1)), y[0], X)
    assert not [t for t in figure.data if t.name == "output = 0.5"]


def test_hidden_space_of_a_cloud_has_no_trails_or_labels():
    X, y = load("xor-cloud", 40, 0.1)
    figure = xfig.hidden_space_figure(np.random.default_rng(0).random((5, 2, 40)),
                                      np.array([[1.0, 1.0]]), np.array([[-1.0]]), y[0], X)
    assert [t.mode for t in figure.data if t.name and t.name.startswith("target")] == [
        "markers", "markers"]
    assert not [t for t in figure.data if t.mode == "lines" and not t.name]


def test_hidden_space_of_a_real_run(run):
    h = run.history
    figure = xfig.hidden_space_figure(h.steps["a1"], h.steps["W2"][-1], h.steps["b2"][-1],
                                      run.y[0], run.X, run.config.activation)
    total = sum(len(t.x) for t in markers(figure).values())
    assert total == 4


@pytest.mark.parametrize("colorbar", [True, False])
def test_surfaces_grid_colorbar_can_be_hidden_for_narrow_columns(colorbar):
    plane = plane_around(np.array([[0.0, 1.0], [0.0, 1.0]]), resolution=5)
    outputs = np.full((2, 5, 5), 0.5)
    figure = xfig.surfaces_grid_figure(plane, outputs, ["a", "b"],
                                       np.array([[0.0], [1.0]]), np.array([[1.0]]),
                                       columns=2, colorbar=colorbar)
    assert figure.layout.coloraxis.showscale is colorbar
    assert [a.text for a in figure.layout.annotations] == ["a", "b"]
