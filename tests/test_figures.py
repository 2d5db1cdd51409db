"""Figure builders: each one inspected through ``fig.data`` and ``fig.layout``.

The builders are pure, so every test feeds them a short real run or hand-made
arrays and checks what a reader of the chart relies on: colour ranges, traces
per unit, thinning, titles, counts.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from backprop import TrainConfig, notation, tables, train
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.datasets import load
from backprop.diagnosis import PLATEAUS
from backprop.diagram import network_figure
from backprop.nn import DERIVATIVE_MAX
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
    traces = {t.name: t for t in map(go.Scatter, fig.samples_trace(X, y))}
    assert set(traces) == set(expected)
    for name, points in expected.items():
        assert list(zip(traces[name].x, traces[name].y, strict=True)) == points
    # a white ring and a black cross with a white edge: each contrasts with any background
    ring, cross = traces["target 1"].marker, traces.get("target 0")
    assert (ring.symbol, ring.color, ring.line.color) == ("circle", "white", "black")
    if cross is not None:
        assert (cross.marker.symbol, cross.marker.color, cross.marker.line.color) == (
            "x", "black", "white")
        assert cross.marker.size < ring.size  # a cross on a ring's spot stays visible


def test_samples_trace_skips_an_absent_target():
    X = np.array([[0.0, 1.0], [0.0, 1.0]])
    traces = fig.samples_trace(X, np.array([[1.0, 1.0]]))
    assert [t["name"] for t in traces] == ["target 1"]


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
    lo, hi = figure.layout.yaxis.range
    values = np.log10([0.01, 0.3]) if log_scale else [0.01, 0.3]
    assert lo < values[0] and hi > values[1]  # the range covers the whole curve


@pytest.mark.parametrize("plateaus", [True, False])
@pytest.mark.parametrize("marker_epoch", [None, 30])
def test_loss_figure_plateau_lines_and_epoch_marker(plateaus, marker_epoch):
    figure = fig.loss_figure(np.linspace(0.3, 0.01, 50), False, marker_epoch, plateaus)
    hlines = sorted(s.y0 for s in figure.layout.shapes if s.y0 == s.y1 and s.yref == "y")
    vlines = [s.x0 for s in figure.layout.shapes if s.x0 == s.x1 and s.xref == "x"]
    assert hlines == (sorted(PLATEAUS) if plateaus else [])
    assert vlines == ([marker_epoch] if marker_epoch is not None else [])


def test_loss_figure_of_an_empty_run_says_so():
    figure = fig.loss_figure(np.zeros(0))
    assert len(figure.data[0].x) == 0
    assert "No epochs trained yet" in [a.text for a in figure.layout.annotations]


def test_live_chart_at_epoch_0_draws_the_current_mse_inside_its_range():
    """The student's report: MSE 0.277 at epoch 0 sat above the chart's range."""
    figure = fig.loss_figure(np.zeros(0), current=0.277)
    point = next(t for t in figure.data if t.name == "MSE now")
    assert list(point.y) == [0.277]
    lo, hi = figure.layout.yaxis.range
    assert lo < 0.125 and hi > 0.277  # the point and every plateau line are inside


@pytest.mark.parametrize("curve", [np.linspace(0.277, 0.26, 200), np.linspace(0.3, 0.001, 50)])
def test_loss_range_covers_a_short_curve_and_the_plateaus(curve):
    lo, hi = fig.loss_figure(curve).layout.yaxis.range
    assert lo < min(curve.min(), 0.125) and hi > max(curve.max(), 0.25)


def test_plateau_labels_sit_in_the_margin_clear_of_the_curve():
    figure = fig.loss_figure(np.linspace(0.3, 1 / 6, 100))
    labels = {a.text: a for a in figure.layout.annotations}
    assert set(labels) == {"1/8", "1/6", "1/4"}
    for note in labels.values():  # right of the plot area, where no curve is drawn
        assert (note.xref, note.x, note.xanchor) == ("paper", 1, "left")
    assert labels["1/6"].hovertext == PLATEAUS[1 / 6]


@pytest.mark.parametrize("objective, words", [("mse", "½ Σ"), ("bce", "cross-entropy"),
                                              (None, "the loss setting")])
def test_loss_figure_says_what_is_plotted_and_what_training_minimises(objective, words):
    figure = fig.loss_figure(np.linspace(0.3, 0.1, 10), objective=objective)
    assert "MSE" in figure.layout.title.text and words in figure.layout.title.text
    assert figure.layout.yaxis.title.text.startswith("MSE = mean")


# --- decision surface -------------------------------------------------------------------------

def surface(figure):
    """The one contour trace that draws both the colours and the 0.5 line."""
    (trace,) = of_type(figure, "contour")
    return trace


def test_surface_figure(run):
    plane, g = grid(run)
    figure = fig.surface_figure(plane, g["a2"], run.X, run.y, title="epoch 200")
    trace = surface(figure)
    assert of_type(figure, "heatmap") == []  # the grid is sent once, not twice
    assert (trace.zmin, trace.zmax) == (0, 1)
    assert np.shape(trace.z) == plane.shape
    np.testing.assert_allclose(trace.z, g["a2"], atol=5e-4)  # rounded to 3 places
    np.testing.assert_allclose(trace.x, plane.xs, atol=5e-5)
    assert trace.contours.coloring == "heatmap"
    assert (trace.contours.start, trace.contours.end) == (0.5, 0.5)
    found = markers(figure)
    assert sorted(found) == ["target 0", "target 1"]
    ones = found["target 1"]
    assert sorted(zip(ones.x, ones.y, strict=True)) == [(0, 1), (1, 0)]
    assert figure.layout.title.text == "epoch 200"
    assert list(figure.layout.xaxis.range) == [plane.xs[0], plane.xs[-1]]
    assert (figure.layout.xaxis.title.text, figure.layout.yaxis.title.text) == ("x₁", "x₂")


def test_surface_colour_bar_sits_under_the_plot():
    plane = plane_around(load("xor")[0], resolution=5)
    bar = surface(fig.surface_figure(plane, np.full((5, 5), 0.3), *load("xor"))).colorbar
    assert (bar.orientation, bar.x, bar.xanchor, bar.yanchor) == ("h", 0.5, "center", "top")
    assert bar.y < 0 and bar.lenmode == "pixels"


def test_surface_ticks_stay_inside_the_range_so_corner_ticks_never_collide():
    plane = plane_around(load("xor")[0], resolution=5)
    figure = fig.surface_figure(plane, np.full((5, 5), 0.3), *load("xor"))
    assert list(figure.layout.xaxis.tickvals) == [0, 0.5, 1]  # no -0.5 on either axis
    assert list(figure.layout.yaxis.tickvals) == [0, 0.5, 1]


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)], dtype=float)


def colour_at(scale, p: float) -> np.ndarray:
    """The colour a scale gives to p, interpolated between its stops."""
    stops = [(float(v), rgb(c)) for v, c in scale]
    for (v0, c0), (v1, c1) in zip(stops, stops[1:], strict=False):
        if v0 <= p <= v1:
            return c0 + (c1 - c0) * (p - v0) / (v1 - v0)
    raise AssertionError(p)


def test_an_unsure_output_looks_unsure_and_only_near_0_or_1_is_deep():
    """The student's report: pale blue at 0.66 read as a confident 1."""
    white, deep_blue, deep_red = rgb("#f7f7f7"), rgb("#053061"), rgb("#67001f")
    scale = fig.OUTPUT_SCALE
    distance = lambda p, c: float(np.linalg.norm(colour_at(scale, p) - c))  # noqa: E731
    assert distance(0.5, white) < 1
    assert distance(0.66, white) < 40  # near white: RdBu itself puts 0.66 about 75 away
    assert distance(0.66, white) < distance(0.66, deep_blue) / 5
    assert distance(0.99, deep_blue) < 25 and distance(0.01, deep_red) < 25
    # strength grows with confidence: symmetric, monotone away from 0.5
    steps = [distance(p, white) for p in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]
    assert steps == sorted(steps)


@pytest.mark.parametrize("level, listed", [(0.3, False), (0.7, False), (None, True)])
def test_the_legend_lists_the_0_5_line_only_when_it_is_drawn(level, listed):
    """The student's report: at epoch 0 the legend listed a 0.5 line that wasn't there."""
    plane = plane_around(load("xor")[0], resolution=5)
    a2 = np.full((5, 5), level) if level is not None else np.linspace(0, 1, 25).reshape(5, 5)
    figure = fig.surface_figure(plane, a2, *load("xor"))
    names = [t.name for t in figure.data if t.showlegend is not False]
    assert ("a⁽²⁾ = 0.5" in names) == listed


# --- per-unit heatmaps -------------------------------------------------------------------------

def maps(figure):
    return of_type(figure, "heatmap") + of_type(figure, "contour")


def test_derivative_heatmaps_share_one_coloraxis_from_zero_to_max(run):
    act = run.config.activation
    plane, g = grid(run)
    figure = fig.derivative_heatmaps_figure(plane, g["deriv1"], run.X, run.y, act)
    panels = maps(figure)
    assert len(panels) == run.config.hidden[0]
    assert {h.coloraxis for h in panels} == {"coloraxis"}
    axis = figure.layout.coloraxis
    assert (axis.cmin, axis.cmax) == (0, DERIVATIVE_MAX[act])
    assert axis.colorbar.title.text == DERIVATIVE_TEXT[act]
    assert [a.text for a in figure.layout.annotations] == [
        "hidden unit 1", "hidden unit 2", "hidden unit 3"]
    for j, heat in enumerate(panels):
        np.testing.assert_allclose(heat.z, g["deriv1"][j], atol=1e-4)
    # the dotted saturation line is drawn by each unit's contour trace, except for ReLU
    contours = of_type(figure, "contour")
    assert len(contours) == (0 if act == "relu" else run.config.hidden[0])
    for c in contours:
        assert c.contours.start == pytest.approx(0.1 * DERIVATIVE_MAX[act])
        assert c.contours.coloring == "heatmap"


DERIVATIVE_TEXT = {"sigmoid": "σ′(z⁽¹⁾)", "tanh": "tanh′(z⁽¹⁾)", "relu": "relu′(z⁽¹⁾)"}


@pytest.mark.parametrize("activation, cmax", [("sigmoid", 0.25), ("tanh", 1.0)])
def test_derivative_heatmaps_range_and_title_per_activation(activation, cmax):
    plane = Plane(np.linspace(0, 1, 3), np.linspace(0, 1, 3))
    deriv1 = np.full((2, 3, 3), 0.1)
    X, y = load("xor")
    figure = fig.derivative_heatmaps_figure(plane, deriv1, X, y, activation)
    assert figure.layout.coloraxis.cmax == cmax
    assert figure.layout.coloraxis.colorbar.title.text == DERIVATIVE_TEXT[activation]


@pytest.mark.parametrize("H, columns, grid_shape", [
    (1, None, (1, 1)), (2, None, (1, 2)), (3, None, (2, 2)), (4, None, (2, 2)),
    (8, None, (2, 4)), (16, None, (4, 4)), (6, 3, (2, 3)),
])
def test_unit_panels_one_map_per_unit_in_a_grid_with_axes(H, columns, grid_shape):
    plane = Plane(np.linspace(-0.5, 1.5, 3), np.linspace(-0.5, 1.5, 3))
    X, y = load("xor")
    figure = fig.derivative_heatmaps_figure(plane, np.zeros((H, 3, 3)), X, y, columns=columns)
    panels = maps(figure)
    assert len(panels) == H
    rows, cols = grid_shape
    assert len({(h.xaxis, h.yaxis) for h in panels}) == H  # every unit in its own panel
    xaxes = [figure.layout[k] for k in figure.layout if k.startswith("xaxis")]
    yaxes = [figure.layout[k] for k in figure.layout if k.startswith("yaxis")]
    assert len(xaxes) == rows * cols
    # the student's report: the maps had no axes. Every panel has x₁/x₂ ticks; the bottom
    # row is titled x₁ and the left column x₂.
    assert all(list(a.tickvals) == [0, 0.5, 1] for a in xaxes + yaxes)
    assert sum(a.title.text == "x₁" for a in xaxes) == cols
    assert sum(a.title.text == "x₂" for a in yaxes) == rows
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
    assert figure.layout.coloraxis.colorbar.title.text.startswith("a⁽¹⁾ = ")


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
        assert heat.y[-1] == f"hidden unit {H} · {fig.sample_labels(X)[-1]}"
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
    assert np.shape(heat.z) == (run.config.hidden[0] * 4, len(h.epochs))
    assert heat.zmax == DERIVATIVE_MAX[act]
    assert heat.colorbar.title.text == DERIVATIVE_TEXT[act]
    assert figure.layout.shapes == ()


# --- network diagram ---------------------------------------------------------------------------

def edges(figure):
    return [t for t in figure.data if t.mode == "lines"]


def weight_labels(figure):
    return [a for a in figure.layout.annotations if not a.text.startswith("b = ")]


def random_params(H, seed=None):
    rng = np.random.default_rng(H if seed is None else seed)
    return {"W1": rng.standard_normal((H, 2)), "b1": rng.standard_normal((H, 1)),
            "W2": rng.standard_normal((1, H)), "b2": rng.standard_normal((1, 1))}


@pytest.mark.parametrize("H", [1, 2, 4, 5, 16])
def test_network_figure_one_edge_per_weight_coloured_by_sign(H):
    params = random_params(H)
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
    nodes = next(t for t in figure.data if t.mode == "markers+text")
    hidden = ["a⁽¹⁾₁", "a⁽¹⁾₂", "a⁽¹⁾₃", "a⁽¹⁾₄", "a⁽¹⁾₅"]
    if H <= 5:
        assert list(nodes.text) == ["x₁", "x₂"] + hidden[:H] + ["a⁽²⁾"]
    else:
        assert len(nodes.text) == H + 3 and nodes.text[-2] == "a⁽¹⁾₁₆"
    dots = next(t for t in figure.data if t.mode == "markers")
    assert len(dots.hovertext) == 3 * H
    assert len(weight_labels(figure)) == (3 * H if H <= 2 else 0)  # beyond 2 units: hover


@pytest.mark.parametrize("seed", range(5))
def test_network_weight_labels_never_meet_where_edges_cross(seed):
    """The student's report: edge labels stacked where edges cross."""
    figure = network_figure(random_params(2, seed))
    spots = np.array([(a.x, a.y) for a in weight_labels(figure)])
    gaps = np.linalg.norm(spots[:, None] - spots[None], axis=2) + np.eye(len(spots)) * 9
    # in data units, where the layers are 1 apart: a label is about 0.3 wide, 0.1 tall
    apart = (np.abs(spots[:, None, 0] - spots[None, :, 0]) > 0.3) | (
        np.abs(spots[:, None, 1] - spots[None, :, 1]) > 0.15)
    assert (apart | np.eye(len(spots), dtype=bool)).all(), spots
    assert gaps.min() > 0.15


def test_network_figure_of_a_real_run_shows_each_weight(run):
    figure = network_figure(run.params, run.config.activation)
    dots = next(t for t in figure.data if t.mode == "markers")
    assert dots.hovertext[0] == f"W⁽¹⁾₁₁ = {run.params['W1'][0, 0]:+.4f}"
    assert dots.hovertext[-1] == f"W⁽²⁾₁₃ = {run.params['W2'][0, 2]:+.4f}"
    nodes = next(t for t in figure.data if t.mode == "markers+text")
    assert f"({run.config.activation})" in nodes.hovertext[2]
    assert "b⁽¹⁾₁ = " in nodes.hovertext[2]


def test_network_figure_of_all_zero_weights():
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2)),
              "b2": np.zeros((1, 1))}
    lines = edges(network_figure(params))
    assert {line.line.width for line in lines} == {1.0}


# --- census, surfaces grid, sweep -----------------------------------------------------------

@pytest.mark.parametrize("final, solved, expected", [
    ([0.001, 0.125, 0.002, 1 / 6, 0.25, 0.125, 0.2], [1, 0, 1, 0, 0, 0, 0], [2, 2, 1, 1, 1]),
    (list(np.linspace(0, 0.01, 10)), [1] * 10, [10, 0, 0, 0, 0]),
    ([0.125] * 3, [0] * 3, [0, 3, 0, 0, 0]),
    ([0.5, 0.9], [0, 0], [0, 0, 0, 0, 2]),
    ([0.125, np.nan, 0.001], [0, 0, 1], [1, 1, 0, 0, 0, 1]),
])
def test_census_histogram_shows_every_plateau_and_the_rest(final, solved, expected):
    """The student's report: 51 + 10 shown against 64 unsolved. Every outcome is a trace."""
    figure = xfig.census_histogram_figure(final, np.array(solved, dtype=bool))
    hists = of_type(figure, "histogram")
    names = [h.name.rsplit(" (", 1)[0] for h in hists]
    assert names[:5] == ["solved", "stuck near MSE 1/8", "stuck near MSE 1/6",
                         "stuck near MSE 1/4", "unsolved elsewhere"]
    counts = [int(h.name.rsplit("(", 1)[1].rstrip(")")) for h in hists]
    assert counts == expected and sum(counts) == len(final)
    assert [len(h.x) for h in hists] == expected  # the legend counts what is drawn
    assert figure.layout.barmode == "stack"
    assert hists[0].xbins.end >= np.nanmax(final)  # no seed falls off the right edge
    assert sorted(s.x0 for s in figure.layout.shapes) == sorted(PLATEAUS)


def test_census_histogram_of_a_real_census_adds_up():
    from backprop.explore import census

    many = census(TrainConfig(epochs=300), 12)
    figure = xfig.census_histogram_figure(many.final_mse, many.solved, many.plateau)
    assert sum(len(h.x) for h in of_type(figure, "histogram")) == 12


@pytest.mark.parametrize("m, columns, rows", [(1, 4, 1), (4, 4, 1), (5, 4, 2), (8, 4, 2),
                                              (3, 2, 2)])
def test_surfaces_grid_one_panel_per_output(m, columns, rows):
    plane = Plane(np.linspace(-0.5, 1.5, 5), np.linspace(-0.5, 1.5, 5))
    X, y = load("xor")
    outputs = [np.full((5, 5), k / max(m, 1)) for k in range(m)]
    titles = [f"seed {k}" for k in range(m)]
    figure = xfig.surfaces_grid_figure(plane, outputs, titles, X, y, columns)
    panels = of_type(figure, "contour")
    assert len(panels) == m and of_type(figure, "heatmap") == []
    assert {h.coloraxis for h in panels} == {"coloraxis"}
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0, 1)
    assert [a.text for a in figure.layout.annotations] == titles
    assert len([k for k in figure.layout if k.startswith("xaxis")]) == rows * min(columns, m)
    np.testing.assert_allclose(panels[-1].z, outputs[-1], atol=5e-4)  # rounded to 3 places


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

def now_markers(figure):
    return {t.name.removesuffix(" now"): t for t in figure.data
            if t.name and t.name.startswith("target") and t.name.endswith(" now")}


def trails(figure):
    return [t for t in figure.data if t.mode == "lines+markers"]


def test_hidden_space_places_markers_at_the_given_a1():
    X, y = load("xor")
    a1_history = np.array([
        [[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]],
        [[0.1, 0.2, 0.8, 0.9], [0.3, 0.7, 0.4, 0.6]],
    ])
    W2, b2 = np.array([[1.0, 2.0]]), np.array([[-1.5]])
    figure = xfig.hidden_space_figure(a1_history, W2, b2, y[0], X)
    found = now_markers(figure)
    now = a1_history[-1]
    for name, target in (("target 1", 1), ("target 0", 0)):
        pick = np.flatnonzero(y[0] == target)
        np.testing.assert_allclose(found[name].x, now[0, pick])
        np.testing.assert_allclose(found[name].y, now[1, pick])
    paths = trails(figure)
    assert len(paths) == 4
    np.testing.assert_allclose(paths[1].x, a1_history[:, 0, 1])
    # the output's 0.5 line: 1·a + 2·b − 1.5 = 0
    line = next(t for t in figure.data if t.name == "a⁽²⁾ = 0.5")
    np.testing.assert_allclose(np.asarray(line.y), (1.5 - np.asarray(line.x)) / 2.0, atol=1e-4)
    assert figure.layout.xaxis.title.text == "a⁽¹⁾₁ (hidden unit 1)"


def test_hidden_space_trails_show_direction_from_a_marked_start():
    """The student's report: trails were faint and had no direction."""
    X, y = load("xor")
    a1 = np.linspace(0.1, 0.9, 5 * 2 * 4).reshape(5, 2, 4)
    figure = xfig.hidden_space_figure(a1, np.array([[1.0, 1.0]]), np.array([[-1.0]]), y[0], X)
    for path in trails(figure):
        fade = np.asarray(path.marker.opacity)
        assert len(fade) == 5 and np.all(np.diff(fade) > 0)  # darker towards now
        assert fade[0] <= 0.2 and fade[-1] >= 0.85
    start = next(t for t in figure.data if t.name == "start (epoch 0)")
    np.testing.assert_allclose(start.x, a1[0, 0], atol=5e-4)
    assert start.marker.symbol == "diamond-open"


def test_hidden_space_counts_and_names_merged_samples_once():
    X, y = load("xor")
    now = np.array([[0.9, 0.9, 0.9, 0.1], [0.9, 0.9, 0.9, 0.1]])
    figure = xfig.hidden_space_figure(now[None], np.array([[1.0, 1.0]]), np.array([[-1.0]]),
                                      y[0], X, merged=[[0, 1, 2]])
    (note,) = figure.layout.annotations
    assert note.text == "3 samples here:<br>(0,0), (0,1), (1,0)"
    texts = [s for t in now_markers(figure).values() for s in t.text]
    assert sorted(texts) == ["", "", "", "(1,1)"]
    # a ring and a smaller cross: both stay visible on one spot
    found = now_markers(figure)
    assert found["target 0"].marker.size < found["target 1"].marker.size


@pytest.mark.parametrize("units", [(0, 1), (2, 0), (1, 3)])
def test_hidden_space_picks_the_requested_units(units):
    X, y = load("xor")
    rng = np.random.default_rng(3)
    a1 = rng.random((3, 4, 4))
    figure = xfig.hidden_space_figure(a1, rng.standard_normal((1, 4)), np.zeros((1, 1)),
                                      y[0], X, "tanh", units)
    i, j = units
    allx = np.concatenate([t.x for t in now_markers(figure).values()])
    ally = np.concatenate([t.y for t in now_markers(figure).values()])
    np.testing.assert_allclose(sorted(allx), sorted(a1[-1, i]), atol=5e-4)
    np.testing.assert_allclose(sorted(ally), sorted(a1[-1, j]), atol=5e-4)
    assert figure.layout.yaxis.title.text == f"a⁽¹⁾{chr(0x2081 + j)} (hidden unit {j + 1})"
    assert list(figure.layout.xaxis.range) == pytest.approx([-1.1, 1.1])


def test_hidden_space_without_a_line_when_the_vertical_weight_is_zero():
    X, y = load("xor")
    figure = xfig.hidden_space_figure(np.full((1, 2, 4), 0.5), np.array([[1.0, 0.0]]),
                                      np.zeros((1, 1)), y[0], X)
    assert not [t for t in figure.data if t.name == "a⁽²⁾ = 0.5"]


def test_hidden_space_of_a_cloud_has_no_trails_or_labels():
    X, y = load("xor-cloud", 40, 0.1)
    figure = xfig.hidden_space_figure(np.random.default_rng(0).random((5, 2, 40)),
                                      np.array([[1.0, 1.0]]), np.array([[-1.0]]), y[0], X)
    assert [t.mode for t in now_markers(figure).values()] == ["markers", "markers"]
    assert not trails(figure)


def test_hidden_space_of_a_real_run(run):
    h = run.history
    figure = xfig.hidden_space_figure(h.steps["a1"], h.steps["W2"][-1], h.steps["b2"][-1],
                                      run.y[0], run.X, run.config.activation)
    total = sum(len(t.x) for t in now_markers(figure).values())
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


# --- notation and tables ----------------------------------------------------------------------

@pytest.mark.parametrize("made, expected", [
    (lambda: notation.layer("W", 1), "W⁽¹⁾"), (lambda: notation.unit("a", 1, 2), "a⁽¹⁾₂"),
    (lambda: notation.weight(1, 2, 1), "W⁽¹⁾₂₁"), (lambda: notation.weight(3, 12, 4), "W⁽³⁾₁₂,₄"),
    (lambda: notation.layer("δ", 2), "δ⁽²⁾"), (lambda: notation.derivative("sigmoid"), "σ′(z⁽¹⁾)"),
    (lambda: notation.derivative("tanh", 2), "tanh′(z⁽²⁾)"), (lambda: notation.inp(1), "x₁"),
    (lambda: notation.tex_unit("a", 1, 2), "a^{(1)}_{2}"),
    (lambda: notation.tex(r"\delta", 2), r"\delta^{(2)}"),
    (lambda: notation.tex_weight(1, 2, 1), "W^{(1)}_{21}"),
])
def test_notation_is_the_tutorials(made, expected):
    assert made() == expected


@pytest.mark.parametrize("param, index, name", [
    ("W1", (1, 0), "W⁽¹⁾₂₁"), ("b1", (1, 0), "b⁽¹⁾₂"), ("W2", (0, 2), "W⁽²⁾₁₃"),
    ("b2", (0, 0), "b⁽²⁾₁"),
])
def test_gradient_table_names_parameters_in_the_tutorials_notation(param, index, name):
    assert tables.parameter_name(param, index) == name


def test_truth_table_marks_0_5_as_a_0():
    X, y = load("xor")
    table = tables.truth_table(X, y, np.array([0.5, 0.5, 0.9, 0.1]))
    assert list(table.columns) == ["x₁", "x₂", "target", "prediction", "correct"]
    assert table.correct.tolist() == ["✓", "✗", "✓", "✓"]


def test_lean_template_keeps_plotly_whites_look_without_its_bulk():
    import plotly.io as pio

    white = pio.templates["plotly_white"].layout
    lean = fig.LEAN.layout
    for key in ("paper_bgcolor", "plot_bgcolor", "hovermode"):
        assert lean[key] == white[key], key
    assert lean.font.color == white.font.color
    assert (lean.xaxis.gridcolor, lean.yaxis.zerolinecolor) == (white.xaxis.gridcolor,
                                                               white.yaxis.zerolinecolor)
    assert not fig.LEAN.to_plotly_json().get("data")  # no per-trace-type defaults
    figure = fig.loss_figure(np.linspace(0.3, 0.1, 50))
    full = go.Figure(figure).update_layout(template="plotly_white")
    assert len(figure.to_json()) < len(full.to_json()) - 4000  # ~6 KB less JSON per figure


def test_rounded_turns_huge_values_into_infinity_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fig.rounded(np.array([1e300, -1e300, np.nan, 0.12346]))
    assert out.dtype == np.float32
    assert np.isposinf(out[0]) and np.isneginf(out[1]) and np.isnan(out[2])
    assert out[3] == pytest.approx(0.1235, abs=1e-6)
