"""Figure builders: pure functions from arrays to ``plotly.graph_objects.Figure``.

None of them trains or imports the app; they take what the trainer recorded.
Colour scales are colour-blind safe: RdBu re-spaced by confidence (red = 0, blue
= 1, white = unsure) for outputs and activations, Viridis (dark = saturated,
yellow = learning) for derivatives. Names follow :mod:`backprop.notation`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import plotly.graph_objects as go

from . import notation as n
from .datasets import LABEL_EVERY_SAMPLE
from .diagnosis import PLATEAUS, SATURATION_FRACTION
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
    grid,
    house,
    interior_ticks,
    new_figure,
    rounded,
    style,
    styled_figure,
    trace,
)
from .nn import DERIVATIVE_MAX
from .plane import Plane

ACTIVATION_SCALE = "RdBu"  # a hidden activation is not a confidence: plain, linear RdBu
MAX_LINE_POINTS = 2000  # loss curves are thinned to this many points
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}
X1, X2 = n.inp(1), n.inp(2)
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
                current: float | None = None) -> go.Figure:
    """Mean squared error per epoch, with the known XOR plateaus as dotted lines.

    loss : (epochs,) the MSE before each epoch's update (what the tutorial prints).
    objective : the loss setting ("mse", "bce"): the subtitle says what training
    descends, which is not the plotted MSE. current : the MSE at the current
    weights, drawn as a point when nothing has been trained yet. The y range
    always covers the curve, the point and the plateau lines; plateau labels sit in
    the right margin, clear of the curve (hover them for the name).
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
    words = OBJECTIVE.get(objective, "the loss setting")
    title = ("MSE per epoch<br><span style='font-size:11px'>"
             f"training minimises {words}</span>")
    return styled_figure(traces, {
        "shapes": shapes, "annotations": notes, "showlegend": False,
        "xaxis": {"title": {"text": "epoch"}, "rangemode": "nonnegative"},
        "yaxis": {"title": {"text": f"MSE = mean ({n.layer('a', 2)} − y)²"},
                  "type": "log" if log_scale else "linear",
                  "range": _loss_range(values, levels + shown, log_scale)},
        "margin": {"t": 54, "r": 40 if levels else 10}}, 340, title)


def samples_trace(X, y, size: int = 12, showlegend: bool = True, **where) -> list[dict]:
    """The training samples: a white ring for target 1, a black cross for target 0.

    Both shapes contrast with every colour of the output and derivative scales.
    """
    traces = []
    small = X.shape[1] > LABEL_EVERY_SAMPLE
    for target in (1, 0):
        pick = y[0] == target
        if not pick.any():
            continue
        marker = dict(TARGET_MARKERS[target])
        marker["size"] = round((6 if small else size) * TARGET_SIZE[target])
        if small:
            marker["line"] = {**marker["line"], "width": 1}
        traces.append(trace("scatter",
            x=rounded(X[0, pick], 3), y=rounded(X[1, pick], 3), mode="markers",
            name=f"target {target}", legendgroup=f"t{target}", showlegend=showlegend,
            marker=marker, hovertemplate=f"{X1} %{{x:.2f}}, {X2} %{{y:.2f}}<br>target {target}"
                                         "<extra></extra>", **where))
    return traces


def boundary_key(z) -> list[dict]:
    """A legend-only entry for the black 0.5 line, when the line is actually drawn."""
    z = np.asarray(z, dtype=float)
    if not (np.nanmin(z) < 0.5 < np.nanmax(z)):
        return []
    return [trace("scatter", x=[None], y=[None], mode="lines", name=f"{n.layer('a', 2)} = 0.5",
                       line={"color": "black", "width": 2}, hoverinfo="skip")]


def plane_axes(plane: Plane) -> dict:
    """Axis settings over a plane: full range, ticks inside it (no clash at the corner)."""
    step = 0.5 if plane.xs[-1] - plane.xs[0] <= 4 else 1.0
    return {"x": {"range": [plane.xs[0], plane.xs[-1]],
                  "tickvals": interior_ticks(plane.xs[0], plane.xs[-1], step)},
            "y": {"range": [plane.ys[0], plane.ys[-1]],
                  "tickvals": interior_ticks(plane.ys[0], plane.ys[-1], step)}}


def surface_figure(plane: Plane, a2, X, y, title: str | None = None) -> go.Figure:
    """Network output over the input plane (fixed colour range 0-1) with its 0.5 contour.

    a2 : (ny, nx) outputs on ``plane``; X (2, n), y (1, n) the samples. One
    contour trace draws both the colours and the black 0.5 line. The colour bar
    sits under the plot; colour deepens only as the output nears 0 or 1.
    """
    traces = ([trace("contour",
        x=rounded(plane.xs), y=rounded(plane.ys), z=rounded(a2, 3), zmin=0, zmax=1,
        colorscale=OUTPUT_SCALE, contours={"coloring": "heatmap", "start": 0.5, "end": 0.5,
                                           "size": 1, "showlabels": False},
        line={"color": "black", "width": 2, "smoothing": 0}, showlegend=False,
        colorbar={"title": {"text": f"output {n.layer('a', 2)}", "side": "top"},
                  "orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.2,
                  "yanchor": "top", "len": 300, "lenmode": "pixels", "thickness": 10,
                  **OUTPUT_TICKS, **BAR},
        hovertemplate=f"{X1} %{{x:.2f}}, {X2} %{{y:.2f}}<br>output %{{z:.3f}}<extra></extra>")]
        + boundary_key(a2) + samples_trace(X, y))
    axes = plane_axes(plane)
    return styled_figure(traces, {
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.5,
                   "xanchor": "center"},
        "xaxis": {"title": {"text": X1}, "constrain": "domain", **axes["x"]},
        "yaxis": {"title": {"text": X2}, "scaleanchor": "x", **axes["y"]},
        "margin": {"t": 70 if title else 40, "b": 20}}, 480, title)


def _unit_grid(H: int, columns: int | None = None) -> tuple[int, int]:
    cols = columns or (H if H <= 2 else 4 if H > 4 else 2)
    cols = max(1, min(cols, H))
    return -(-H // cols), cols


def _unit_panels(plane, values, X, y, zmin, zmax, colorscale, label, columns=None,
                 threshold=None, decimals: int = 3) -> go.Figure:
    """One small map per hidden unit with a shared colour range, x₁/x₂ axes, samples marked.

    With a ``threshold`` each map is a contour trace that also draws the dotted
    threshold line, so the grid is sent once per unit.
    """
    H = values.shape[0]
    rows, cols = _unit_grid(H, columns)
    layout, ids = grid(rows, cols, [n.hidden_unit(j + 1) for j in range(H)], 0.08,
                       0.16 if rows > 1 else 0.0)
    xs, ys = rounded(plane.xs), rounded(plane.ys)
    traces = []
    for j in range(H):
        place = {"xaxis": ids[j][0], "yaxis": ids[j][1]}
        hover = (f"{n.hidden_unit(j + 1)}<br>{X1} %{{x:.2f}}, {X2} %{{y:.2f}}<br>"
                 f"{label} %{{z:.{decimals}f}}<extra></extra>")
        common = {"x": xs, "y": ys, "z": rounded(values[j], decimals), "coloraxis": "coloraxis",
                  "hovertemplate": hover, **place}
        traces.append(trace("heatmap", **common) if threshold is None else trace("contour",
            **common, contours={"coloring": "heatmap", "start": threshold, "end": threshold,
                                "size": 1}, line={"color": "white", "width": 1.5, "dash": "dot"}))
        traces += samples_trace(X, y, size=12, showlegend=(j == 0), **place)
    axes = plane_axes(plane)
    for k, (xa, ya) in enumerate(ids):  # titles on the outer edge only
        layout["xaxis" + xa[1:]].update(axes["x"], tickfont={"size": 10}, title={
            "text": X1 if k // cols == rows - 1 else None, "standoff": 2})
        layout["yaxis" + ya[1:]].update(axes["y"], tickfont={"size": 10}, title={
            "text": X2 if k % cols == 0 else None, "standoff": 2})
    for note in layout.get("annotations", []):
        note["yshift"] = 2
    layout.update(house(
        140 + 260 * rows, legend={"orientation": "h", "yref": "container", "y": 1.0,
                                  "yanchor": "top", "x": 0.0, "xanchor": "left"},
        coloraxis={"colorscale": colorscale, "cmin": zmin, "cmax": zmax,
                   "colorbar": {"title": {"text": label, "side": "right"}, **BAR,
                                "orientation": "h", "thickness": 10, "len": 0.6, "x": 0.5,
                                "xanchor": "center", "yref": "container", "y": 0.0,
                                "yanchor": "bottom"}}))
    layout["margin"].update(t=56, b=50)
    fig = new_figure(traces, layout)
    return fig


def derivative_heatmaps_figure(plane: Plane, deriv1, X, y, activation: str = "sigmoid",
                               columns: int | None = None) -> go.Figure:
    """f'(z⁽¹⁾) of each hidden unit over the input plane, one panel per unit.

    deriv1 : (H, ny, nx). The colour range is fixed to [0, max f'] for the
    activation, so dark means saturated (no gradient flows through that unit
    there) and yellow means the unit is at its most sensitive. The dotted white
    line is the saturation threshold, SATURATION_FRACTION of the maximum.
    """
    top = DERIVATIVE_MAX[activation]
    return _unit_panels(plane, deriv1, X, y, 0.0, top, DERIVATIVE_SCALE,
                        n.derivative(activation), columns,
                        threshold=SATURATION_FRACTION * top if activation != "relu" else None,
                        decimals=4)


def activation_heatmaps_figure(plane: Plane, a1, X, y, activation: str = "sigmoid",
                               columns: int | None = None) -> go.Figure:
    """a⁽¹⁾ of each hidden unit over the input plane, like a playground's neuron thumbnails."""
    lo, hi = ACTIVATION_RANGE[activation]
    if hi is None:
        hi = max(float(np.max(a1)), 1e-6)
    return _unit_panels(plane, a1, X, y, lo, hi, ACTIVATION_SCALE, n.activation_of(activation),
                        columns)


def sample_labels(X) -> list[str]:
    """Readable names for samples: "(0,1)" for the truth tables, "#k" otherwise."""
    if X.shape[1] <= LABEL_EVERY_SAMPLE:
        return [f"({x1:g},{x2:g})" for x1, x2 in X.T]
    return [f"#{k}" for k in range(X.shape[1])]


def saturation_timeline_figure(epochs, deriv1, X, activation: str = "sigmoid",
                               marker_epoch: int | None = None) -> go.Figure:
    """f'(z⁽¹⁾) per hidden unit and sample (rows) across checkpoint epochs (columns).

    deriv1 : (K, H, n). With more than LABEL_EVERY_SAMPLE samples each unit gets
    one row: the mean over samples. Dark cells are a unit that has stopped
    passing gradient back for that sample.
    """
    deriv1 = np.asarray(deriv1)
    K, H, count = deriv1.shape
    if count <= LABEL_EVERY_SAMPLE:
        labels = sample_labels(X)
        rows = [f"{n.hidden_unit(j + 1)} · {labels[i]}" for j in range(H) for i in range(count)]
        z = deriv1.reshape(K, H * count).T
    else:
        rows = [f"{n.hidden_unit(j + 1)} (mean over samples)" for j in range(H)]
        z = deriv1.mean(axis=2).T
    top, label = DERIVATIVE_MAX[activation], n.derivative(activation)
    fig = new_figure(trace("heatmap",
        x=np.asarray(epochs), y=rows, z=rounded(z), zmin=0, zmax=top,
        colorscale=DERIVATIVE_SCALE,
        colorbar={"title": {"text": label, "side": "right"}, "thickness": 12, **BAR},
        hovertemplate="%{y}<br>epoch %{x}<br>" + label + " %{z:.4f}<extra></extra>"))
    if marker_epoch is not None:
        fig.add_vline(x=marker_epoch, line={"color": RED, "width": 2})
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(title="epoch")
    return style(fig, 80 + 24 * len(rows) + 40)
