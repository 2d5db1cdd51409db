"""Figure builders: pure functions from arrays to ``plotly.graph_objects.Figure``.

None of them trains or imports the app; they take what the trainer recorded.
Colour scales are colour-blind safe: RdBu (red = 0, blue = 1) for outputs and
activations, Viridis (dark = saturated, yellow = learning) for derivatives.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .diagnosis import PLATEAUS, SATURATION_FRACTION
from .nn import DERIVATIVE_MAX, DERIVATIVE_SYMBOLS
from .plane import Plane

OUTPUT_SCALE = "RdBu"
DERIVATIVE_SCALE = "Viridis"
BLUE, RED, GREY = "#2166ac", "#b2182b", "#555555"
FONT = {"size": 13}
MAX_LINE_POINTS = 2000  # loss curves are thinned to this many points
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}


def style(fig: go.Figure, height: int, title: str | None = None, **extra) -> go.Figure:
    """The house style shared by every figure: height, tight margins, white template."""
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        template="plotly_white", font=FONT, title={"text": title, "x": 0.0} if title else None,
        **extra,
    )
    return fig


def thin(values: np.ndarray, limit: int = MAX_LINE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of a long series cut to at most ``limit`` points, keeping the last."""
    idx = np.unique(np.linspace(0, len(values) - 1, min(limit, len(values))).astype(int))
    return idx, values[idx]


def loss_figure(loss, log_scale: bool = False, marker_epoch: int | None = None,
                plateaus: bool = True) -> go.Figure:
    """Mean squared error per epoch, with the known XOR plateaus as dotted lines.

    loss : (epochs,). marker_epoch draws a vertical line at the selected epoch.
    Lines are layout shapes built in one go (``add_hline`` is slow per call).
    """
    epochs, values = thin(np.asarray(loss, dtype=float))
    shapes, notes = [], []
    if plateaus:
        for value, label in PLATEAUS.items():
            shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                           "y0": value, "y1": value,
                           "line": {"dash": "dot", "color": GREY, "width": 1}})
            notes.append({"xref": "paper", "x": 1, "y": value, "yanchor": "bottom",
                          "xanchor": "right", "showarrow": False, "text": label.split(" (")[0],
                          "font": {"size": 11, "color": GREY}})
    if marker_epoch is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
                       "x0": marker_epoch, "x1": marker_epoch,
                       "line": {"color": RED, "width": 2}})
    fig = go.Figure(
        go.Scatter(x=epochs, y=values, mode="lines", name="MSE",
                   line={"color": BLUE, "width": 2},
                   hovertemplate="epoch %{x}<br>MSE %{y:.5f}<extra></extra>"),
        layout={"shapes": shapes, "annotations": notes, "showlegend": False,
                "xaxis": {"title": {"text": "epoch"}},
                "yaxis": {"title": {"text": "MSE (log scale)" if log_scale else "MSE"},
                          "type": "log" if log_scale else "linear"}})
    return style(fig, 320)


def samples_trace(X, y, size: int = 12, showlegend: bool = True, **where) -> list[go.Scatter]:
    """The training samples as markers: blue circles for target 1, red crosses for target 0."""
    traces = []
    for target, colour, symbol in ((1, BLUE, "circle"), (0, RED, "x")):
        pick = y[0] == target
        if not pick.any():
            continue
        small = X.shape[1] > 8
        traces.append(go.Scatter(
            x=X[0, pick], y=X[1, pick], mode="markers", name=f"target {target}",
            legendgroup=f"t{target}", showlegend=showlegend,
            marker={"color": colour, "symbol": symbol, "size": 6 if small else size,
                    "line": {"color": "white", "width": 1 if small else 2}},
            hovertemplate=f"x1 %{{x:.2f}}, x2 %{{y:.2f}}<br>target {target}<extra></extra>",
            **where))
    return traces


def rounded(z):
    """Values to 4 decimals: the charts cannot show more, and the JSON gets 3x smaller."""
    return np.round(np.asarray(z, dtype=float), 4)


def surface_figure(plane: Plane, a2, X, y, title: str | None = None) -> go.Figure:
    """Network output over the input plane (fixed colour range 0-1) with its 0.5 contour.

    a2 : (ny, nx) outputs on ``plane``; X (2, n), y (1, n) the samples.
    """
    fig = go.Figure(go.Heatmap(
        x=plane.xs, y=plane.ys, z=rounded(a2), zmin=0, zmax=1, colorscale=OUTPUT_SCALE,
        colorbar={"title": {"text": "output a²", "side": "right"}, "thickness": 12},
        hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>output %{z:.3f}<extra></extra>"))
    fig.add_trace(go.Contour(
        x=plane.xs, y=plane.ys, z=rounded(a2), showscale=False, contours_coloring="none",
        contours={"start": 0.5, "end": 0.5, "size": 1}, line={"color": "black", "width": 2},
        name="output = 0.5", hoverinfo="skip", showlegend=True))
    for trace in samples_trace(X, y):
        fig.add_trace(trace)
    fig.update_xaxes(title="x1", range=[plane.xs[0], plane.xs[-1]], constrain="domain")
    fig.update_yaxes(title="x2", range=[plane.ys[0], plane.ys[-1]], scaleanchor="x")
    return style(fig, 420, title, legend={"orientation": "h", "y": -0.18, "x": 0})


def _unit_grid(H: int, columns: int | None = None) -> tuple[int, int]:
    cols = columns or (H if H <= 2 else 4 if H > 4 else 2)
    cols = max(1, min(cols, H))
    return -(-H // cols), cols


def _unit_panels(plane, values, X, y, zmin, zmax, colorscale, label, columns=None,
                 threshold=None) -> go.Figure:
    """One small heatmap per hidden unit with a shared colour range; samples marked."""
    H = values.shape[0]
    rows, cols = _unit_grid(H, columns)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"unit {j + 1}" for j in range(H)],
                        horizontal_spacing=0.06, vertical_spacing=0.12 if rows > 1 else 0.0)
    for j in range(H):
        r, c = j // cols + 1, j % cols + 1
        fig.add_trace(go.Heatmap(
            x=plane.xs, y=plane.ys, z=rounded(values[j]), zmin=zmin, zmax=zmax,
            colorscale=colorscale, coloraxis="coloraxis",
            hovertemplate=f"unit {j + 1}<br>x1 %{{x:.2f}}, x2 %{{y:.2f}}<br>{label} %{{z:.4f}}"
                          "<extra></extra>"), row=r, col=c)
        if threshold is not None:
            fig.add_trace(go.Contour(
                x=plane.xs, y=plane.ys, z=rounded(values[j]), showscale=False,
                contours_coloring="none", line={"color": "white", "width": 1, "dash": "dot"},
                contours={"start": threshold, "end": threshold, "size": 1},
                hoverinfo="skip", showlegend=False), row=r, col=c)
        for trace in samples_trace(X, y, size=9, showlegend=(j == 0)):
            fig.add_trace(trace, row=r, col=c)
    fig.update_xaxes(range=[plane.xs[0], plane.xs[-1]], showticklabels=False)
    fig.update_yaxes(range=[plane.ys[0], plane.ys[-1]], showticklabels=False)
    fig.update_layout(coloraxis={"colorscale": colorscale, "cmin": zmin, "cmax": zmax,
                                 "colorbar": {"title": {"text": label}, "thickness": 12}})
    style(fig, 60 + 250 * rows, legend={"orientation": "h", "y": -0.05, "x": 0})
    fig.update_layout(margin={"t": 30})
    return fig


def derivative_heatmaps_figure(plane: Plane, deriv1, X, y, activation: str = "sigmoid",
                               columns: int | None = None) -> go.Figure:
    """f'(z1) of each hidden unit over the input plane, one panel per unit.

    deriv1 : (H, ny, nx). The colour range is fixed to [0, max f'] for the
    activation, so dark means saturated (no gradient flows through that unit
    there) and yellow means the unit is at its most sensitive. The dotted white
    line is the saturation threshold, SATURATION_FRACTION of the maximum.
    """
    top = DERIVATIVE_MAX[activation]
    return _unit_panels(plane, deriv1, X, y, 0.0, top, DERIVATIVE_SCALE,
                        DERIVATIVE_SYMBOLS[activation], columns,
                        threshold=SATURATION_FRACTION * top if activation != "relu" else None)


def activation_heatmaps_figure(plane: Plane, a1, X, y, activation: str = "sigmoid",
                               columns: int | None = None) -> go.Figure:
    """a1 of each hidden unit over the input plane, like a playground's neuron thumbnails."""
    lo, hi = ACTIVATION_RANGE[activation]
    if hi is None:
        hi = max(float(np.max(a1)), 1e-6)
    label = {"sigmoid": "a¹ = σ(z¹)", "tanh": "a¹ = tanh(z¹)", "relu": "a¹ = relu(z¹)"}
    return _unit_panels(plane, a1, X, y, lo, hi, OUTPUT_SCALE, label[activation], columns)


def sample_labels(X) -> list[str]:
    """Readable names for samples: "(0,1)" for the truth tables, "#k" otherwise."""
    if X.shape[1] <= 8:
        return [f"({x1:g},{x2:g})" for x1, x2 in X.T]
    return [f"#{k}" for k in range(X.shape[1])]


def saturation_timeline_figure(epochs, deriv1, X, activation: str = "sigmoid",
                               marker_epoch: int | None = None) -> go.Figure:
    """f'(z1) per hidden unit and sample (rows) across checkpoint epochs (columns).

    deriv1 : (K, H, n). With more than 8 samples each unit gets one row: the
    mean over samples. Dark cells are a unit that has stopped passing gradient
    back for that sample.
    """
    deriv1 = np.asarray(deriv1)
    K, H, n = deriv1.shape
    if n <= 8:
        labels = sample_labels(X)
        rows = [f"unit {j + 1} · {labels[i]}" for j in range(H) for i in range(n)]
        z = deriv1.reshape(K, H * n).T
    else:
        rows = [f"unit {j + 1} (mean over samples)" for j in range(H)]
        z = deriv1.mean(axis=2).T
    top, label = DERIVATIVE_MAX[activation], DERIVATIVE_SYMBOLS[activation]
    fig = go.Figure(go.Heatmap(
        x=np.asarray(epochs), y=rows, z=rounded(z), zmin=0, zmax=top,
        colorscale=DERIVATIVE_SCALE, colorbar={"title": {"text": label}, "thickness": 12},
        hovertemplate="%{y}<br>epoch %{x}<br>" + label + " %{z:.4f}<extra></extra>"))
    if marker_epoch is not None:
        fig.add_vline(x=marker_epoch, line={"color": RED, "width": 2})
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(title="epoch")
    return style(fig, 80 + 24 * len(rows) + 40)
