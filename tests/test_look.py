"""Figures built unchecked (as the app builds them) send the same JSON as checked ones."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

from backprop import TrainConfig, diagram, look, train
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.explore import saturation
from backprop.plane import evaluate, plane_around

RUN = train(TrainConfig(epochs=2000))
K = len(RUN.history.epochs) - 1
SNAP = RUN.history.at(K)
PLANE = plane_around(RUN.X, resolution=11)
GRID = evaluate(SNAP, PLANE, "sigmoid")
H = RUN.history
MERGED = saturation(SNAP["deriv1"], SNAP["a1"], RUN.y[0]).merged

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


def test_named_colour_scales_are_sent_as_pythons_lists(monkeypatch):
    # plotly.js has its own "RdBu", running the other way: names must not reach it.
    monkeypatch.setattr(look, "VALIDATE", False)
    figure = look.new_figure([look.trace("heatmap", z=[[0, 1]], colorscale="RdBu")])
    scale = figure.to_plotly_json()["data"][0]["colorscale"]
    assert scale[0] == [0.0, "rgb(103,0,31)"]  # RdBu starts at dark red in Python
