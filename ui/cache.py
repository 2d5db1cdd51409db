"""What the server computes once and every session shares: runs, plane grids, figures.

A class opening one link asks for the same run at the same checkpoints, so each is
trained once and each figure is built once (building a Plotly figure costs tens of
milliseconds of CPU, more than drawing it). Everything returned here is read-only.
Keys are the settings (a hashable ``TrainConfig``), the uploaded start weights (as
JSON text, or None), the checkpoint index and the view's own options.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from backprop import TrainConfig, train
from backprop import compare as cmp
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.diagram import network_figure
from backprop.explore import saturation
from backprop.flow import gradient_flow_figure
from backprop.plane import evaluate, plane_around


@st.cache_resource(max_entries=16, show_spinner="Training…")
def cached_run(config: TrainConfig, start: str | None = None):
    """``train`` keyed on the config (and uploaded weights). Results are read-only."""
    params = {k: np.array(v) for k, v in json.loads(start).items()} if start else None
    return train(config, params=params)


@st.cache_resource(max_entries=24)
def cached_plane(config: TrainConfig, start: str | None, k: int) -> dict:
    """Network output, activations and derivatives over the input plane at checkpoint k."""
    run = cached_run(config, start)
    plane = plane_around(run.X)
    return {"plane": plane, **evaluate(run.history.at(k), plane, config.activation)}


def _loss(run, start, k, log=False):
    return fig.loss_figure(run.mse, log, int(run.history.epochs[k]),
                           run.config.dataset == "xor", objective=run.config.loss)


def _surface(run, start, k):
    grid = cached_plane(run.config, start, k)
    return fig.surface_figure(grid["plane"], grid["a2"], run.X, run.y)


def _derivatives(run, start, k):
    grid = cached_plane(run.config, start, k)
    return fig.derivative_heatmaps_figure(grid["plane"], grid["deriv1"], run.X, run.y,
                                          run.config.activation)


def _activations(run, start, k):
    grid = cached_plane(run.config, start, k)
    return fig.activation_heatmaps_figure(grid["plane"], grid["a1"], run.X, run.y,
                                          run.config.activation)


def _timeline(run, start, k):
    return fig.saturation_timeline_figure(run.history.epochs, run.history.steps["deriv1"],
                                          run.X, run.config.activation,
                                          int(run.history.epochs[k]))


def _hidden_space(run, start, k, units=(0, 1)):
    h, act = run.history, run.config.activation
    merged = saturation(h.steps["deriv1"][k], h.steps["a1"][k], run.y[0], act).merged
    return xfig.hidden_space_figure(h.steps["a1"][: k + 1], h.steps["W2"][k], h.steps["b2"][k],
                                    run.y[0], run.X, act, units, merged)


def _network(run, start, k):
    return network_figure(run.history.at(k), run.config.activation)


def _flow(run, start, k):
    h = run.history
    return gradient_flow_figure(h.epochs, h.steps, run.config.activation, int(h.epochs[k]))


# Each figure a view draws, by name: builder(run, start, k, *options) -> go.Figure.
FIGURES = {"loss": _loss, "surface": _surface, "derivatives": _derivatives,
           "activations": _activations, "timeline": _timeline, "hidden space": _hidden_space,
           "network": _network, "gradient flow": _flow}


@st.cache_resource(max_entries=128, show_spinner=False)
def cached_figure(name: str, config: TrainConfig, start: str | None, k: int, *options):
    """The figure ``name`` of this run at checkpoint k, built once for every session."""
    return FIGURES[name](cached_run(config, start), start, k, *options)


@st.cache_resource(max_entries=32, show_spinner="Looking for a seed that solves…")
def cached_solving_seed(config: TrainConfig) -> int | None:
    """The first seed (other than ``config.seed``) that solves at these settings."""
    return cmp.first_solving_seed(config, skip=config.seed)


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_compare_loss(a: TrainConfig, start_a, b: TrainConfig, start_b, epoch: int,
                        log: bool):
    """The MSE curves of runs A and B on one chart, with the selected epoch marked."""
    return cmp.compare_loss_figure(cached_run(a, start_a).mse, cached_run(b, start_b).mse,
                                   epoch, log)
