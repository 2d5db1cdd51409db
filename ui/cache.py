"""What the server computes once and every session shares: runs, plane grids, figures.

A class opening one link asks for the same run at the same checkpoints, so each is
trained once and each figure is built once. Everything returned here is read-only.
Keys are the settings (a hashable ``TrainConfig``), the uploaded start weights (as
JSON text, or None), the checkpoint index and the view's own options.

The stores are ``backprop.lru.LRU``s rather than ``st.cache_resource``: Streamlit hashes
a cached function's arguments by walking them (about 3 ms for a ``TrainConfig``, several
times a run), while a frozen dataclass hashes in microseconds. A figure is stored with
its arrays already in Plotly's base64 form, so sending it again skips that encoding.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from backprop import TrainConfig, train
from backprop import compare as cmp
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.diagram import network_figure
from backprop.explore import saturation
from backprop.flow import gradient_flow_figure
from backprop.landscape import history_landscape, landscape_figure
from backprop.lru import LRU
from backprop.plane import evaluate, per_layer, plane_around

RUNS, PLANES, FIGURES_STORE, LANDSCAPES = LRU(16), LRU(24), LRU(128), LRU(16)
SOLVING_SEEDS = LRU(32)


def clear() -> None:
    """Forget every stored run, grid, landscape, figure and solving seed (a cold start)."""
    for store in (RUNS, PLANES, FIGURES_STORE, LANDSCAPES, SOLVING_SEEDS):
        store.clear()


def cached_run(config: TrainConfig, start: str | None = None):
    """``train`` keyed on the config (and uploaded weights). Results are read-only."""
    def compute():
        params = {k: np.array(v) for k, v in json.loads(start).items()} if start else None
        with st.spinner("Training…"):
            return train(config, params=params)
    return RUNS.get((config, start), compute)


def cached_plane(config: TrainConfig, start: str | None, k: int) -> dict:
    """Network output, activations and derivatives over the input plane at checkpoint k."""
    def compute():
        run = cached_run(config, start)
        plane = plane_around(run.X)
        return {"plane": plane, **evaluate(run.history.at(k), plane, config.activation)}
    return PLANES.get((config, start, k), compute)


def _hidden(run) -> int:
    """L, the number of hidden layers of this run."""
    return len(run.config.hidden)


def _loss(run, start, k, log=False):
    return fig.loss_figure(run.mse, log, int(run.history.epochs[k]),
                           run.config.dataset == "xor", objective=run.config.loss,
                           output_layer=_hidden(run) + 1)


def _surface(run, start, k):
    grid = cached_plane(run.config, start, k)
    return fig.surface_figure(grid["plane"], grid["out"], run.X, run.y,
                              output_layer=_hidden(run) + 1)


def _derivatives(run, start, k):
    grid = cached_plane(run.config, start, k)
    return fig.derivative_heatmaps_figure(grid["plane"], per_layer(grid, "deriv", _hidden(run)),
                                          run.X, run.y, run.config.activation)


def _activations(run, start, k):
    grid = cached_plane(run.config, start, k)
    return fig.activation_heatmaps_figure(grid["plane"], per_layer(grid, "a", _hidden(run)),
                                          run.X, run.y, run.config.activation)


def _timeline(run, start, k):
    return fig.saturation_timeline_figure(run.history.epochs,
                                          per_layer(run.history.steps, "deriv", _hidden(run)),
                                          run.X, run.config.activation,
                                          int(run.history.epochs[k]))


def _hidden_space(run, start, k, units=(0, 1)):
    h, act, L = run.history, run.config.activation, _hidden(run)
    a = h.steps[f"a{L}"]  # the last hidden layer's space: the output separates it by a line
    merged = saturation(h.steps[f"deriv{L}"][k], a[k], run.y[0], act).merged
    return fig.at_last_layer(xfig.hidden_space_figure(
        a[: k + 1], h.steps[f"W{L + 1}"][k], h.steps[f"b{L + 1}"][k], run.y[0], run.X, act,
        units, merged), L)


def _network(run, start, k):
    return network_figure(run.history.at(k), run.config.activation)


def cached_landscape(config: TrainConfig, start: str | None, axes=None):
    """The loss over a slice through this run (``axes``: None, or two (name, (r, c)))."""
    def compute():
        run = cached_run(config, start)
        with np.errstate(all="ignore"):  # huge weights of a nearly diverged run: inf
            return history_landscape(run.history, run.X, run.y, config.activation,
                                     config.loss, seed=config.seed, weights=axes)
    return LANDSCAPES.get((config, start, axes), compute)


def _landscape(run, start, k, axes=None):
    return landscape_figure(cached_landscape(run.config, start, axes),
                            marker_epoch=int(run.history.epochs[k]))
def _flow(run, start, k):
    h = run.history
    return gradient_flow_figure(h.epochs, h.steps, run.config.activation, int(h.epochs[k]))


# Each figure a view draws, by name: builder(run, start, k, *options) -> go.Figure.
FIGURES = {"loss": _loss, "surface": _surface, "derivatives": _derivatives,
           "activations": _activations, "timeline": _timeline, "hidden space": _hidden_space,
           "network": _network, "landscape": _landscape, "gradient flow": _flow}


class Prepared(go.Figure):
    """A figure kept as the dict Streamlit sends (its arrays already base64).

    ``st.plotly_chart`` asks a figure for ``to_dict()``, which deep-copies it and walks
    every value looking for arrays (about 5 ms a figure, each time it is sent). A stored
    figure is read-only, so this one hands over its dict as it is. Plotly's constructor
    is skipped on purpose: nothing but ``to_dict`` is ever asked of it.
    """

    def __init__(self, spec: dict):  # noqa: D107 - no super().__init__, see above
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    to_plotly_json = to_dict


def cached_figure(name: str, config: TrainConfig, start: str | None, k: int, *options):
    """The figure ``name`` of this run at checkpoint k, built once for every session."""
    def compute():
        return Prepared(FIGURES[name](cached_run(config, start), start, k, *options).to_dict())
    return FIGURES_STORE.get((name, config, start, k, options), compute)
    return FIGURES[name](cached_run(config, start), start, k, *options)


def cached_solving_seed(config: TrainConfig) -> int | None:
    """The first seed (other than ``config.seed``) that solves at these settings."""
    def compute():
        with st.spinner("Looking for a seed that solves…"):
            return cmp.first_solving_seed(config, skip=config.seed)
    return SOLVING_SEEDS.get(config, compute)


def cached_compare_loss(a: TrainConfig, start_a, b: TrainConfig, start_b, epoch: int,
                        log: bool):
    """The MSE curves of runs A and B on one chart, with the selected epoch marked."""
    def compute():
        return Prepared(cmp.compare_loss_figure(cached_run(a, start_a).mse,
                                                cached_run(b, start_b).mse, epoch,
                                                log).to_dict())
    return FIGURES_STORE.get(("compare loss", a, start_a, b, start_b, epoch, log), compute)
