"""Figures built unchecked (as the app builds them) send the same JSON as checked ones.

Unchecked, a finished figure is never a Plotly object (``look.FigureSpec``, plain dicts):
the JSON compared is what ``st.plotly_chart`` sends (``plotly.io.to_json``)."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from backprop import TrainConfig, diagram, look, train
from backprop import compare as cmp
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.explore import saturation
from backprop.flow import gradient_flow_figure
from backprop.landscape import history_landscape, landscape_figure
from backprop.plane import evaluate, per_layer, plane_around

RUN = train(TrainConfig(epochs=2000))
K = len(RUN.history.epochs) - 1
SNAP = RUN.history.at(K)
PLANE = plane_around(RUN.X, resolution=11)
GRID = evaluate(SNAP, PLANE, "sigmoid")
H = RUN.history
MERGED = saturation(SNAP["deriv1"], SNAP["a1"], RUN.y[0]).merged
DEEP = train(TrainConfig(hidden=(3, 2), epochs=300, seed=1))  # two hidden layers
DEEP_GRID = evaluate(DEEP.history.at(-1), PLANE, "sigmoid")
SLICE = history_landscape(H, RUN.X, RUN.y, "sigmoid", "mse", seed=0, resolution=9)

BUILDERS = {
    "loss": lambda: fig.loss_figure(RUN.mse, True, 100, True, objective="mse"),
    "live loss at epoch 0": lambda: fig.loss_figure(np.zeros(0), current=0.28),
    "surface": lambda: fig.surface_figure(PLANE, GRID["a2"], RUN.X, RUN.y, title="t"),
    "σ′ maps": lambda: fig.derivative_heatmaps_figure(PLANE, GRID["deriv1"], RUN.X, RUN.y),
    "hidden units": lambda: fig.activation_heatmaps_figure(PLANE, GRID["a1"], RUN.X, RUN.y),
    "timeline": lambda: fig.saturation_timeline_figure(H.epochs, H.steps["deriv1"], RUN.X,
                                                       "sigmoid", 100),
    "hidden space": lambda: xfig.hidden_space_figure(H.steps["a1"][:K + 1], H.steps["W2"][K],
                                                     H.steps["b2"][K], RUN.y[0], RUN.X,
                                                     "sigmoid", (0, 1), MERGED),
    "network": lambda: diagram.network_figure(SNAP, "sigmoid"),
    "deep network": lambda: diagram.network_figure(DEEP.history.at(-1), "sigmoid"),
    "deep σ′ maps": lambda: fig.derivative_heatmaps_figure(
        PLANE, per_layer(DEEP_GRID, "deriv", 2), DEEP.X, DEEP.y),
    "deep timeline (lines between layers)": lambda: fig.saturation_timeline_figure(
        DEEP.history.epochs, per_layer(DEEP.history.steps, "deriv", 2), DEEP.X, "sigmoid", 50),
    "timeline, no marker": lambda: fig.saturation_timeline_figure(
        H.epochs, H.steps["deriv1"], RUN.X, "tanh"),
    "hidden space renamed for two layers": lambda: fig.at_last_layer(
        xfig.hidden_space_figure(H.steps["a1"][:K + 1], H.steps["W2"][K], H.steps["b2"][K],
                                 RUN.y[0], RUN.X, "sigmoid", (0, 1), MERGED), 2),
    "gradient flow": lambda: gradient_flow_figure(H.epochs, H.steps, "sigmoid", 100),
    "deep gradient flow": lambda: gradient_flow_figure(DEEP.history.epochs, DEEP.history.steps,
                                                       "sigmoid", 50),
    "landscape": lambda: landscape_figure(SLICE, marker_epoch=100),
    "landscape, titled, no marker": lambda: landscape_figure(SLICE, title="slice"),
    "compare loss": lambda: cmp.compare_loss_figure(RUN.mse, RUN.mse[::-1], 100, log=True),
    "sweep": lambda: xfig.sweep_figure((0.1, 0.3), (1, 2), np.array([[0.1, 0.2], [0.3, 0.4]]),
                                       10),
    "census": lambda: xfig.census_histogram_figure(
        np.array([0.01, 0.125, 1 / 6, 0.3]), np.array([True, False, False, False]),
        np.array([np.nan, 0.125, 1 / 6, np.nan])),
    "census surfaces": lambda: xfig.surfaces_grid_figure(PLANE, [GRID["a2"]] * 2, ["a", "b"],
                                                         RUN.X, RUN.y, columns=2),
}


def _json(build, validate: bool, monkeypatch) -> dict:
    monkeypatch.setattr(look, "VALIDATE", validate)
    doc = json.loads(pio.to_json(build(), validate=False))
    return _tidy(doc)


def _tidy(node):
    """Colour-scale stops to 12 digits (the two paths compute them with other roundings)
    and empty lists dropped (Plotly's checks add an empty ``annotations``)."""
    if isinstance(node, dict):
        return {k: _tidy(v) for k, v in node.items() if v != []}
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    if isinstance(node, float):
        return round(node, 12)
    return node


@pytest.mark.parametrize("name", list(BUILDERS))
def test_unchecked_figure_is_the_checked_figure(name, monkeypatch):
    build = BUILDERS[name]
    assert _json(build, False, monkeypatch) == _json(build, True, monkeypatch)


# Built with ``new_figure`` and then changed (``update_*``), so Plotly objects either way.
CHANGED_AFTER_BUILD = {"sweep", "census", "census surfaces"}


@pytest.mark.parametrize("name", [name for name in BUILDERS if name not in CHANGED_AFTER_BUILD])
def test_a_finished_figure_is_sent_as_plain_dicts(name, monkeypatch):
    monkeypatch.setattr(look, "VALIDATE", False)
    assert type(BUILDERS[name]()) is look.FigureSpec, f"{name} built Plotly objects"


def test_a_finished_figure_builds_no_plotly_objects_unless_checked(monkeypatch):
    layout = {"height": 100, "xaxis": {"range": [0, 1]}}
    data = look.trace("scatter", x=np.arange(3.0), y=np.ones(3))
    monkeypatch.setattr(look, "VALIDATE", False)
    spec = look.finished_figure(dict(data), dict(layout))
    assert type(spec) is look.FigureSpec
    # 0.0, 1.0, 2.0 as little-endian float64: 8 zero bytes, then 00..f0 3f, 00..00 40.
    zero, one, two = b"\0" * 8, b"\0" * 6 + b"\xf0?", b"\0" * 7 + b"@"
    assert spec.to_dict()["data"][0]["x"] == {
        "dtype": "f8", "bdata": base64.b64encode(zero + one + two).decode()}
    monkeypatch.setattr(look, "VALIDATE", True)
    checked = look.finished_figure(dict(data), dict(layout))
    assert type(checked) is go.Figure and checked.layout.height == 100


def test_style_merges_into_a_finished_figure(monkeypatch):
    monkeypatch.setattr(look, "VALIDATE", False)
    spec = look.style(look.finished_figure([], {"margin": {"t": 5}, "height": 7}), 300, "T")
    layout = spec.to_dict()["layout"]
    assert layout["height"] == 300 and layout["title"] == {"text": "T", "x": 0.0}
    assert layout["margin"] == {"l": 10, "r": 10, "t": 40, "b": 10}


def test_named_colour_scales_are_sent_as_pythons_lists(monkeypatch):
    # plotly.js has its own "RdBu", running the other way: names must not reach it.
    monkeypatch.setattr(look, "VALIDATE", False)
    figure = look.new_figure([look.trace("heatmap", z=[[0, 1]], colorscale="RdBu")])
    scale = figure.to_plotly_json()["data"][0]["colorscale"]
    assert scale[0] == [0.0, "rgb(103,0,31)"]  # RdBu starts at dark red in Python


def test_building_and_styling_every_figure_leaves_the_shared_template_as_plotly_gives_it(
        monkeypatch):
    # Every FigureSpec holds the same template dict; a figure that wrote into it would
    # change every figure drawn after it.
    monkeypatch.setattr(look, "VALIDATE", False)
    for build in BUILDERS.values():
        look.style(build(), 300, "T")
    assert look._LEAN_JSON == look.LEAN.to_plotly_json()
