"""Figure builders: pure functions from arrays to ``plotly.graph_objects.Figure``.

None of them trains or imports the app; they take what the trainer recorded.
Colour scales are colour-blind safe: RdBu re-spaced by confidence (red = 0, blue
= 1, white = unsure) for outputs and activations, Viridis (dark = saturated,
yellow = learning) for derivatives. Names follow :mod:`backprop.notation`.
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import plotly.graph_objects as go

from . import notation as n
from .diagnosis import PLATEAUS
from .look import (  # noqa: F401  (BLUE, LEAN, ... re-exported for callers of figures)
    BAR,
    BLUE,
    DERIVATIVE_SCALE,
    FONT,
    GREY,
    LEAN,
    OUTPUT_SCALE,
    OUTPUT_TICKS,
    RED,
    TARGET_MARKERS,
    TARGET_SIZE,
    finished_figure,
    grid,
    house,
    interior_ticks,
    new_figure,
    rounded,
    style,
    styled_figure,
    trace,
)
from .marks import (  # noqa: F401  (re-exported: callers import these from figures)
    OUTPUT_LAYER,
    X1,
    X2,
    boundary_key,
    plane_axes,
    sample_labels,
    samples_trace,
)
from .plane import Plane
from .unitmaps import (  # noqa: F401  (the per-layer maps, re-exported)
    ACTIVATION_RANGE,
    ACTIVATION_SCALE,
    activation_heatmaps_figure,
    derivative_heatmaps_figure,
    saturation_timeline_figure,
)

MAX_LINE_POINTS = 2000  # loss curves are thinned to this many points
# What training descends for each loss setting, for the loss chart's subtitle.
# What training minimises, in a few words: the subtitle must fit a third of a screen.
OBJECTIVE = {"mse": f"½ Σ ({n.layer('a', 2)} − y)² (n/2 × MSE)",
             "bce": "cross-entropy"}


def thin(values: np.ndarray, limit: int = MAX_LINE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of a long series cut to at most ``limit`` points, keeping the last."""
    idx = np.unique(np.linspace(0, len(values) - 1, min(limit, len(values))).astype(int))
    return idx, values[idx]


def _loss_range(values, extra, log_scale: bool) -> list[float]:
    """A y range covering the curve and every line drawn on it, with 6% room."""
    pool = np.concatenate([np.asarray(values, dtype=float), np.asarray(extra, dtype=float)])
    pool = pool[np.isfinite(pool)]
    if log_scale:
        pool = np.log10(np.clip(pool[pool > 0] if (pool > 0).any() else [1e-3], 1e-12, None))
    lo, hi = (float(pool.min()), float(pool.max())) if len(pool) else (0.0, 0.3)
    pad = 0.06 * max(hi - lo, 1e-3)
    return [lo - pad, hi + pad] if log_scale else [max(lo - pad, 0.0), hi + pad]


def loss_figure(loss, log_scale: bool = False, marker_epoch: int | None = None,
                plateaus: bool = True, *, objective: str | None = None,
                current: float | None = None, output_layer: int = OUTPUT_LAYER) -> go.Figure:
    """Mean squared error per epoch, with the known XOR plateaus as dotted lines.

    loss : (epochs,) the MSE before each epoch's update (what the tutorial prints).
    objective : the loss setting ("mse", "bce"): the subtitle says what training
    descends, which is not the plotted MSE. current : the MSE at the current
    weights, drawn as a point when nothing has been trained yet. The y range
    always covers the curve, the point and the plateau lines; plateau labels sit in
    the right margin, clear of the curve (hover them for the name). output_layer :
    the output's layer number, L + 1 (2 for the tutorial), for a⁽ᴸ⁺¹⁾ in the labels.
    """
    epochs, values = thin(np.asarray(loss, dtype=float))
    shapes, notes = [], []
    levels = list(PLATEAUS) if plateaus else []
    for value in levels:
        shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                       "y0": value, "y1": value,
                       "line": {"dash": "dot", "color": GREY, "width": 1}})
        notes.append({"xref": "paper", "x": 1, "y": np.log10(value) if log_scale else value,
                      "xanchor": "left", "yanchor": "middle", "showarrow": False,
                      "text": str(Fraction(value).limit_denominator(12)),
                      "hovertext": PLATEAUS[value], "font": {"size": 11, "color": GREY}})
    if marker_epoch is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
                       "x0": marker_epoch, "x1": marker_epoch,
                       "line": {"color": RED, "width": 2}})
    traces = [trace("scatter", x=epochs, y=rounded(values, 6), mode="lines", name="MSE",
                         line={"color": BLUE, "width": 2},
                         hovertemplate="epoch %{x}<br>MSE %{y:.5f}<extra></extra>")]
    shown = [current] if current is not None and len(values) == 0 else []
    if shown:
        traces.append(trace("scatter", x=[0], y=[round(float(current), 6)], mode="markers",
                                 name="MSE now", marker={"color": BLUE, "size": 9},
                                 hovertemplate="epoch 0<br>MSE %{y:.5f}<extra></extra>"))
    elif len(values) == 0:
        notes.append({"xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False,
                      "text": "No epochs trained yet", "font": {"size": 13, "color": GREY}})
    out = n.layer("a", output_layer)
    words = OBJECTIVE.get(objective, "the loss setting").replace(n.layer("a", OUTPUT_LAYER), out)
    title = ("MSE per epoch<br><span style='font-size:11px'>"
             f"training minimises {words}</span>")
    return styled_figure(traces, {
        "shapes": shapes, "annotations": notes, "showlegend": False,
        "xaxis": {"title": {"text": "epoch"}, "rangemode": "nonnegative"},
        "yaxis": {"title": {"text": f"MSE = mean ({out} − y)²"},
                  "type": "log" if log_scale else "linear",
                  "range": _loss_range(values, levels + shown, log_scale)},
        "margin": {"t": 54, "r": 40 if levels else 10}}, 340, title)


def surface_maps(a2) -> list[np.ndarray]:
    """What ``surface_figure`` draws that changes from one checkpoint to the next: its one
    map, the outputs as sent. The rest of that figure is the run's, except the legend's
    0.5 line, shown only while the map crosses 0.5 (``draws_boundary``)."""
    return [rounded(a2, 3)]


def surface_figure(plane: Plane, a2, X, y, title: str | None = None,
                   output_layer: int = OUTPUT_LAYER) -> go.Figure:
    """Network output over the input plane (fixed colour range 0-1) with its 0.5 contour.

    a2 : (ny, nx) outputs on ``plane``; X (2, n), y (1, n) the samples. One
    contour trace draws both the colours and the black 0.5 line. The colour bar
    sits under the plot; colour deepens only as the output nears 0 or 1.
    output_layer : the output's layer number (2 for the tutorial), for its name.
    """
    traces = ([trace("contour",
        x=rounded(plane.xs), y=rounded(plane.ys), z=surface_maps(a2)[0], zmin=0, zmax=1,
        colorscale=OUTPUT_SCALE, contours={"coloring": "heatmap", "start": 0.5, "end": 0.5,
                                           "size": 1, "showlabels": False},
        line={"color": "black", "width": 2, "smoothing": 0}, showlegend=False,
        colorbar={"title": {"text": f"output {n.layer('a', output_layer)}", "side": "top"},
                  "orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.2,
                  "yanchor": "top", "len": 300, "lenmode": "pixels", "thickness": 10,
                  **OUTPUT_TICKS, **BAR},
        hovertemplate=f"{X1} %{{x:.2f}}, {X2} %{{y:.2f}}<br>output %{{z:.3f}}<extra></extra>")]
        + boundary_key(a2, output_layer) + samples_trace(X, y))
    axes = plane_axes(plane)
    return styled_figure(traces, {
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.5,
                   "xanchor": "center"},
        "xaxis": {"title": {"text": X1}, "constrain": "domain", **axes["x"]},
        "yaxis": {"title": {"text": X2}, "scaleanchor": "x", **axes["y"]},
        "margin": {"t": 70 if title else 40, "b": 20}}, 480, title)




_TUTORIAL_LAYERS = re.compile("⁽([¹²])⁾|hidden unit (\\d+)")


def at_last_layer(figure: go.Figure, hidden: int) -> go.Figure:
    """A figure drawn with the tutorial's names, renamed for a network of ``hidden`` layers.

    a⁽¹⁾ (the hidden layer) becomes the last hidden layer's a⁽ᴸ⁾, a⁽²⁾ (the output)
    becomes a⁽ᴸ⁺¹⁾ and "hidden unit j" "layer L unit j", in every title, name and
    hover text. For builders that only know one hidden layer (the hidden-space
    figure); one hidden layer returns the figure unchanged.
    """
    if hidden == 1:
        return figure

    def rename(match: re.Match) -> str:
        if match.group(2):
            return n.layer_unit(hidden, int(match.group(2)))
        return n.layer("", hidden + "¹²".index(match.group(1)))

    def walk(node):
        if isinstance(node, str):
            return _TUTORIAL_LAYERS.sub(rename, node)
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    return finished_figure(**walk(figure.to_plotly_json()))
