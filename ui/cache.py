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
import pyarrow as pa
import streamlit as st
from _plotly_utils.utils import convert_to_base64

from backprop import TrainConfig, look, tables, train
from backprop import compare as cmp
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.datasets import LABEL_EVERY_SAMPLE
from backprop.diagram import network_figure
from backprop.explore import saturation
from backprop.flow import gradient_flow_figure
from backprop.landscape import history_landscape, landscape_figure
from backprop.lru import LRU
from backprop.marks import draws_boundary
from backprop.plane import evaluate, per_layer, plane_around
from backprop.unitmaps import derivative_maps

RUNS, PLANES, FIGURES_STORE, LANDSCAPES = LRU(16), LRU(24), LRU(128), LRU(16)
SOLVING_SEEDS, TABLES = LRU(32), LRU(64)


def clear() -> None:
    """Forget every stored run, grid, landscape, figure and solving seed (a cold start)."""
    for store in (RUNS, PLANES, FIGURES_STORE, LANDSCAPES, SOLVING_SEEDS, TABLES):
        store.clear()


def cached_run(config: TrainConfig, start: str | None = None):
    """``train`` keyed on the config (and uploaded weights). Results are read-only."""
    def compute():
        params = {k: np.array(v) for k, v in json.loads(start).items()} if start else None
        with st.spinner("Training…"):
            return train(config, params=params)
    return RUNS.get((config, start), compute)


def cached_truth_table(config: TrainConfig, start: str | None, k: int,
                       hide_outputs: bool = False) -> dict:
    """The truth table at checkpoint k, ready to send: ``table`` (an Arrow table of at
    most ``LABEL_EVERY_SAMPLE`` rows; without the outputs when ``hide_outputs``), the
    number of ``samples`` and the fraction ``right`` (on the right side of 0.5).

    Arrow, because ``st.dataframe`` converts a DataFrame to Arrow on every run; built
    from the arrays (0.04 ms) rather than through a DataFrame (1.1 ms), which counted
    on every scrub to an epoch not shown before.
    """
    def compute():
        run = cached_run(config, start)
        columns = tables.truth_columns(run.X, run.y, run.history.at(k)["out"][0])
        right = float(np.mean(columns["correct"] == "✓"))
        if hide_outputs:
            del columns["prediction"], columns["correct"]
        table = pa.table({name: values[:LABEL_EVERY_SAMPLE] for name, values in columns.items()})
        return {"table": table, "samples": run.X.shape[1], "right": right}
    return TABLES.get((config, start, k, hide_outputs), compute)


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
# The figures built whole by ``look.new_figure`` or ``look.finished_figure`` (no trace
# added after), so with their arrays already encoded: ``spec_of`` skips Plotly's array
# walk for these.
ENCODED = frozenset(FIGURES)


# A figure kept as the dict Streamlit sends (arrays already base64): ``st.plotly_chart``
# asks a figure for ``to_dict()``, which would deep-copy it and walk every value
# looking for arrays (about 5 ms a figure, each time it is sent).
Prepared = look.FigureSpec


def spec_of(figure: go.Figure, encoded: bool = False) -> dict:
    """``figure.to_dict()`` without its deep copy, for a figure built only to be stored.

    ``to_dict`` deep-copies the figure's data and layout so the figure stays usable; a
    figure built here is dropped at once, so its own dicts are taken as they are.
    ``encoded``: the figure was built whole by ``backprop.look.new_figure``, which
    already turned its arrays into base64 (unless figures are validated), so Plotly's
    walk looking for arrays is skipped. About 3 ms less per scrub; equal to
    ``to_dict()`` either way (held so by tests, for each name in ``ENCODED``).
    """
    if isinstance(figure, look.FigureSpec):  # built as the dict already
        return figure.to_dict()
    try:
        spec = {"data": figure._data, "layout": figure._layout}
        frames = [frame._props for frame in figure._frame_objs]
    except AttributeError:  # a Plotly without these internals: the public, copying way
        return figure.to_dict()
    if frames:
        spec["frames"] = frames
    if look.VALIDATE or not encoded:
        convert_to_base64(spec)
    return spec


def _loss_spec(config: TrainConfig, start: str | None, k: int, log: bool = False) -> dict:
    """The loss figure at checkpoint k: one build per run, then only the marker moves.

    Scrubbing changes nothing of the loss figure but the red line at the selected
    epoch (the last shape on the x axis), so each checkpoint's figure is the run's
    figure with that line moved: the curve is built and encoded once.
    """
    base = FIGURES_STORE.get(("loss base", config, start, log), lambda: Prepared(spec_of(
        _loss(cached_run(config, start), start, k, log), "loss" in ENCODED)))._spec
    shapes = base["layout"].get("shapes", [])
    marker = next((i for i in range(len(shapes) - 1, -1, -1)
                   if shapes[i].get("xref") == "x"), None)
    if marker is None:  # no marker line to move: build this checkpoint's own figure
        return spec_of(_loss(cached_run(config, start), start, k, log), "loss" in ENCODED)
    epoch = int(cached_run(config, start).history.epochs[k])
    moved = [*shapes[:marker], {**shapes[marker], "x0": epoch, "x1": epoch},
             *shapes[marker + 1:]]
    return {**base, "layout": {**base["layout"], "shapes": moved}}


# The figures whose only per-checkpoint content is their maps, by name: grid -> (the
# maps as the builder draws them, the variant of the rest). The surface's legend has its
# 0.5 line only while the map crosses 0.5; the σ′ maps have one variant.
MAPS = {
    "surface": lambda grid, L: (fig.surface_maps(grid["out"]), draws_boundary(grid["out"])),
    "derivatives": lambda grid, L: (derivative_maps(per_layer(grid, "deriv", L)), None),
}


def _maps_spec(name: str, config: TrainConfig, start: str | None, k: int) -> dict:
    """A figure of ``MAPS`` at checkpoint k: the run's figure with k's maps put in.

    Everything in these figures but their maps depends only on the run (axes, colour
    bars, titles, threshold lines, samples) and on the variant ``MAPS`` names. So each
    run's figure is built once per variant, and a scrub to a new checkpoint only rounds
    and encodes the maps, with the builders' own ``surface_maps`` and
    ``derivative_maps``. Equal to a fresh build at every checkpoint
    (tests/test_app_cache.py).
    """
    run = cached_run(config, start)
    maps, variant = MAPS[name](cached_plane(config, start, k), _hidden(run))
    base = FIGURES_STORE.get((f"{name} base", config, start, variant), lambda: Prepared(
        spec_of(FIGURES[name](run, start, k), True)))._spec
    data = list(base["data"])
    where = [i for i, trace in enumerate(data) if "z" in trace]
    if len(where) != len(maps):  # a builder changed without its *_maps: a bug, not input
        raise AssertionError(f"the {name} figure has {len(where)} maps, its builder "
                             f"gives {len(maps)}")
    for i, z in zip(where, maps, strict=True):
        data[i] = {**data[i], "z": look.typed(z)}
    return {**base, "data": data}


def cached_figure(name: str, config: TrainConfig, start: str | None, k: int, *options):
    """The figure ``name`` of this run at checkpoint k, built once for every session."""
    def compute():
        if name == "loss":
            return Prepared(_loss_spec(config, start, k, *options))
        if name in MAPS and not options:
            return Prepared(_maps_spec(name, config, start, k))
        figure = FIGURES[name](cached_run(config, start), start, k, *options)
        return Prepared(spec_of(figure, name in ENCODED))
    return FIGURES_STORE.get((name, config, start, k, options), compute)


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
        return Prepared(spec_of(cmp.compare_loss_figure(cached_run(a, start_a).mse,
                                                        cached_run(b, start_b).mse, epoch,
                                                        log)))
    return FIGURES_STORE.get(("compare loss", a, start_a, b, start_b, epoch, log), compute)
