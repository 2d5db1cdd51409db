"""The figures at any depth: plane maps, the σ′ strip, the network diagram, the hidden space.

Values are checked against ``tests/reference_deep.py`` (a plain transcription of the
forward pass), never against the code's own output; titles and names are written out.
Depth 1 (the tutorial) is held by tests/test_figures.py; here it is the contrast.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from backprop import TrainConfig, train
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.datasets import load
from backprop.diagram import network_figure
from backprop.plane import Plane, evaluate, per_layer, plane_around
from backprop.unitmaps import STRIP_ROWS
from tests.reference import ACTIVATIONS as REFERENCE
from tests.reference_deep import DeepNetwork

DEPTH3 = (4, 3, 2)
X, Y = load("xor")


def deep_params(hidden, activation="sigmoid", seed=0) -> tuple[dict, DeepNetwork]:
    net = DeepNetwork(hidden, activation, seed=seed)
    return net.params(), net


def reference_grid(net: DeepNetwork, plane: Plane, activation: str):
    """The reference's activations a⁽¹⁾ … a⁽ᴸ⁾ and their slopes over the plane's points."""
    gx, gy = np.meshgrid(plane.xs, plane.ys)
    a = net.forward(np.vstack([gx.ravel(), gy.ravel()]))
    slope = REFERENCE[activation][1]
    shape = plane.shape
    hidden = [layer.reshape(-1, *shape) for layer in a[1:-1]]
    return hidden, [slope(layer).reshape(-1, *shape) for layer in a[1:-1]], \
        a[-1].reshape(shape)


PLANE = Plane(np.linspace(-0.5, 1.5, 7), np.linspace(-0.5, 1.5, 5))


def numbers(array) -> np.ndarray:
    """A figure's numbers, plain or in Plotly's typed form ({dtype, bdata})."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def maps(figure):
    return [t for t in figure.data if t.type in ("heatmap", "contour")]


# --- the plane, every layer ----------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_evaluate_returns_every_hidden_layer_and_the_output(activation):
    params, net = deep_params(DEPTH3, activation)
    grid = evaluate(params, PLANE, activation)
    a, slopes, out = reference_grid(net, PLANE, activation)
    assert grid["hidden"] == 3
    for layer in range(3):
        assert grid[f"a{layer + 1}"].shape == (DEPTH3[layer], 5, 7)
        np.testing.assert_allclose(grid[f"a{layer + 1}"], a[layer], atol=1e-12)
        np.testing.assert_allclose(grid[f"deriv{layer + 1}"], slopes[layer], atol=1e-12)
    np.testing.assert_allclose(grid["out"], out, atol=1e-12)
    assert grid["a4"] is grid["out"]  # the output under its own layer's name too
    assert [m.shape[0] for m in per_layer(grid, "deriv", 3)] == list(DEPTH3)


def test_evaluate_of_the_tutorial_keeps_its_names():
    params, net = deep_params((2,))
    grid = evaluate(params, PLANE, "sigmoid")
    assert grid["a2"].shape == (5, 7) and grid["a1"].shape == (2, 5, 7)
    np.testing.assert_allclose(grid["a2"], reference_grid(net, PLANE, "sigmoid")[2], atol=1e-12)


# --- σ′ and hidden-unit maps: one row of panels per layer ------------------------------------

DEPTH3_SIGMA_TITLES = ["σ′(z⁽¹⁾₁)", "σ′(z⁽¹⁾₂)", "σ′(z⁽¹⁾₃)", "σ′(z⁽¹⁾₄)",
                       "σ′(z⁽²⁾₁)", "σ′(z⁽²⁾₂)", "σ′(z⁽²⁾₃)", "σ′(z⁽³⁾₁)", "σ′(z⁽³⁾₂)"]


def test_derivative_maps_at_depth_3_one_row_per_layer_with_the_reference_values():
    params, net = deep_params(DEPTH3)
    grid = evaluate(params, PLANE, "sigmoid")
    figure = fig.derivative_heatmaps_figure(PLANE, per_layer(grid, "deriv", 3), X, Y)
    panels = maps(figure)
    assert len(panels) == 9
    assert [a.text for a in figure.layout.annotations] == DEPTH3_SIGMA_TITLES
    assert figure.layout.coloraxis.colorbar.title.text == "σ′(z⁽ˡ⁾)"
    expected = [unit for layer in reference_grid(net, PLANE, "sigmoid")[1] for unit in layer]
    for panel, want in zip(panels, expected, strict=True):
        np.testing.assert_allclose(panel.z, want, atol=1e-4)  # rounded to 4 places
    # 4 columns: layer 1 fills row 1, layer 2 starts row 2 (panel 5), layer 3 row 3 (panel 9)
    assert [p.xaxis for p in panels] == ["x", "x2", "x3", "x4", "x5", "x6", "x7", "x9", "x10"]
    hidden = [k for k in figure.layout if k.startswith("xaxis")
              and figure.layout[k].visible is False]
    assert sorted(hidden) == ["xaxis11", "xaxis12", "xaxis8"]  # the empty slots


def test_activation_maps_at_depth_3_are_named_by_layer_and_unit():
    params, net = deep_params(DEPTH3, "relu")
    grid = evaluate(params, PLANE, "relu")
    figure = fig.activation_heatmaps_figure(PLANE, per_layer(grid, "a", 3), X, Y, "relu")
    assert [a.text for a in figure.layout.annotations] == [
        "a⁽¹⁾₁", "a⁽¹⁾₂", "a⁽¹⁾₃", "a⁽¹⁾₄", "a⁽²⁾₁", "a⁽²⁾₂", "a⁽²⁾₃", "a⁽³⁾₁", "a⁽³⁾₂"]
    a = reference_grid(net, PLANE, "relu")[0]
    # ReLU is unbounded: one colour range up to the largest activation of any layer
    assert figure.layout.coloraxis.cmax == pytest.approx(max(float(v.max()) for v in a))
    np.testing.assert_allclose(maps(figure)[7].z, a[2][0], atol=5e-4)


def test_a_single_layer_given_as_a_list_is_the_tutorial_figure():
    deriv = np.full((3, 5, 7), 0.2)
    alone = fig.derivative_heatmaps_figure(PLANE, deriv, X, Y).to_plotly_json()
    listed = fig.derivative_heatmaps_figure(PLANE, [deriv], X, Y).to_plotly_json()
    assert alone == listed
    assert [a["text"] for a in alone["layout"]["annotations"]] == [
        "hidden unit 1", "hidden unit 2", "hidden unit 3"]


@pytest.mark.parametrize("widths, cols, thumbnails", [
    ((2, 2), 2, False), ((3, 2), 3, False), (DEPTH3, 4, False), ((5, 2), 8, True),
    ((16, 16, 16, 16), 8, True),
])
def test_wide_layers_become_thumbnails_and_the_height_stays_bounded(widths, cols, thumbnails):
    layers = [np.zeros((H, 5, 7)) for H in widths]
    figure = fig.derivative_heatmaps_figure(PLANE, layers, X, Y)
    assert len(maps(figure)) == sum(widths)
    rows = sum(-(-H // cols) for H in widths)
    assert len([k for k in figure.layout if k.startswith("xaxis")]) == rows * cols
    first = figure.layout.xaxis
    assert (first.showticklabels is False) == thumbnails
    # 4 layers of 16 units: 8 rows of thumbnails, under a thousand pixels
    assert figure.layout.height <= 1000, figure.layout.height
    # a thumbnail draws every other grid point (7 x 5 -> 4 x 3), a full panel every one
    assert np.asarray(maps(figure)[0].z).shape == ((3, 4) if thumbnails else (5, 7))


def test_a_thumbnail_keeps_its_values_at_the_points_it_draws():
    layers = [np.random.default_rng(0).random((H, 5, 7)) for H in (5, 2)]
    figure = fig.activation_heatmaps_figure(PLANE, layers, X, Y)
    np.testing.assert_allclose(maps(figure)[6].z, layers[1][1][::2, ::2], atol=5e-4)
    assert list(maps(figure)[6].x) == [-0.5, 0.1667, 0.8333, 1.5]


# --- the σ′ strip per layer -------------------------------------------------------------------

@pytest.fixture(scope="module")
def deep_run():
    return train(TrainConfig(hidden=DEPTH3, epochs=300))


def test_the_strip_has_a_row_per_unit_and_sample_for_every_layer(deep_run):
    h = deep_run.history
    figure = fig.saturation_timeline_figure(h.epochs, per_layer(h.steps, "deriv", 3), deep_run.X,
                                            marker_epoch=100)
    heat = figure.data[0]
    assert len(heat.y) == 9 * 4
    assert heat.y[0] == "layer 1 unit 1 · (0,0)" and heat.y[16] == "layer 2 unit 1 · (0,0)"
    assert heat.y[-1] == "layer 3 unit 2 · (1,1)"
    # independent: the reference's slopes at checkpoint 2, from the recorded weights alone
    k = 2
    net = DeepNetwork(DEPTH3)
    net.W = [h.steps[f"W{layer}"][k] for layer in (1, 2, 3, 4)]
    net.b = [h.steps[f"b{layer}"][k] for layer in (1, 2, 3, 4)]
    a = net.forward(deep_run.X)
    slopes = np.concatenate([(v * (1 - v)).ravel() for v in a[1:-1]])  # unit-major
    np.testing.assert_allclose(np.asarray(heat.z)[:, k], slopes, atol=1e-4)
    lines = [s for s in figure.layout.shapes if s.y0 == s.y1]  # between the layers
    assert sorted(s.y0 for s in lines) == [15.5, 27.5]


def test_a_strip_with_too_many_rows_shows_each_units_mean():
    K = 3
    layers = [np.random.default_rng(layer).random((K, 16, 4)) for layer in range(4)]
    figure = fig.saturation_timeline_figure(np.arange(K), layers, X)
    heat = figure.data[0]
    assert 16 * 4 * 4 > STRIP_ROWS and len(heat.y) == 64
    assert heat.y[16] == "layer 2 unit 1 (mean over samples)"
    np.testing.assert_allclose(heat.z[16], layers[1][:, 0].mean(axis=1), atol=1e-4)


def test_the_tutorials_strip_keeps_every_row_even_with_16_units():
    figure = fig.saturation_timeline_figure(np.arange(2), np.zeros((2, 16, 4)), X)
    assert len(figure.data[0].y) == 64 and figure.data[0].y[0] == "hidden unit 1 · (0,0)"


# --- the network diagram for L layers ---------------------------------------------------------

def edges(figure):
    return [t for t in figure.data if t.mode == "lines"]


def test_network_at_depth_3_draws_every_layer_and_every_weight():
    params, _ = deep_params(DEPTH3)
    figure = network_figure(params, "tanh")
    lines = edges(figure)
    assert len(lines) == 2 * 4 + 4 * 3 + 3 * 2 + 2 * 1
    weights = np.concatenate([params[f"W{layer}"].ravel() for layer in (1, 2, 3, 4)])
    assert [line.line.color for line in lines] == [
        fig.BLUE if w >= 0 else fig.RED for w in weights]
    assert max(line.line.width for line in lines) == pytest.approx(8.0)
    nodes = next(t for t in figure.data if t.mode == "markers+text")
    assert list(nodes.text) == ["x₁", "x₂", "a⁽¹⁾₁", "a⁽¹⁾₂", "a⁽¹⁾₃", "a⁽¹⁾₄", "a⁽²⁾₁",
                                "a⁽²⁾₂", "a⁽²⁾₃", "a⁽³⁾₁", "a⁽³⁾₂", "a⁽⁴⁾"]
    assert sorted(set(nodes.x)) == [0, 1, 2, 3, 4]
    assert nodes.hovertext[6] == f"layer 2 unit 1 (tanh)<br>b⁽²⁾₁ = {params['b2'][0, 0]:+.4f}"
    assert nodes.hovertext[-1] == f"output (sigmoid)<br>b⁽⁴⁾ = {params['b4'][0, 0]:+.4f}"
    dots = next(t for t in figure.data if t.mode == "markers")
    assert dots.hovertext[20] == f"W⁽³⁾₁₁ = {params['W3'][0, 0]:+.4f}"
    assert not [a for a in figure.layout.annotations if a.text.startswith(("+", "−", "-"))]


@pytest.mark.parametrize("seed", range(4))
def test_network_of_two_narrow_layers_labels_every_weight_clear_of_the_others(seed):
    params, _ = deep_params((2, 2), seed=seed)
    figure = network_figure(params)
    spots = np.array([(a.x, a.y) for a in figure.layout.annotations if a.yshift is None])
    assert len(spots) == 4 + 4 + 2
    apart = (np.abs(spots[:, None, 0] - spots[None, :, 0]) > 0.3) | (
        np.abs(spots[:, None, 1] - spots[None, :, 1]) > 0.15)
    assert (apart | np.eye(len(spots), dtype=bool)).all(), spots


# --- the hidden space of the last layer --------------------------------------------------------

def test_hidden_space_is_renamed_for_the_last_hidden_layer(deep_run):
    h = deep_run.history
    figure = fig.at_last_layer(xfig.hidden_space_figure(
        h.steps["a3"], h.steps["W4"][-1], h.steps["b4"][-1], deep_run.y[0], deep_run.X), 3)
    assert figure.layout.xaxis.title.text == "a⁽³⁾₁ (layer 3 unit 1)"
    assert figure.layout.yaxis.title.text == "a⁽³⁾₂ (layer 3 unit 2)"
    names = [t.name for t in figure.data if t.name]
    assert "a⁽⁴⁾ = 0.5" in names and not [n for n in names if "⁽²⁾" in n]
    now = next(t for t in figure.data if t.name == "target 1 now")
    np.testing.assert_allclose(numbers(now.x), h.steps["a3"][-1][0, [1, 2]], atol=5e-4)


def test_renaming_leaves_the_tutorial_alone():
    run = train(TrainConfig(epochs=50))
    h = run.history
    figure = xfig.hidden_space_figure(h.steps["a1"], h.steps["W2"][-1], h.steps["b2"][-1],
                                      run.y[0], run.X)
    assert fig.at_last_layer(figure, 1) is figure


# --- the output's name ------------------------------------------------------------------------

def test_the_surface_and_loss_name_the_output_layer():
    plane = plane_around(X, resolution=5)
    surface = fig.surface_figure(plane, np.linspace(0, 1, 25).reshape(5, 5), X, Y,
                                 output_layer=4)
    assert surface.data[0].colorbar.title.text == "output a⁽⁴⁾"
    assert [t.name for t in surface.data if t.type == "scatter" and t.mode == "lines"] == [
        "a⁽⁴⁾ = 0.5"]
    loss = fig.loss_figure(np.array([0.3, 0.2]), objective="mse", output_layer=4)
    assert loss.layout.yaxis.title.text == "MSE = mean (a⁽⁴⁾ − y)²"
    assert "½ Σ (a⁽⁴⁾ − y)²" in loss.layout.title.text

