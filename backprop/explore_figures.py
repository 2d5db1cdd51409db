"""Figures for the census, the sweep and the stuck diagnosis (pure builders)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .diagnosis import PLATEAUS
from .figures import (
    ACTIVATION_RANGE,
    BLUE,
    GREY,
    OUTPUT_SCALE,
    RED,
    rounded,
    sample_labels,
    samples_trace,
    style,
)
from .plane import Plane


def census_histogram_figure(final_mse, solved) -> go.Figure:
    """Histogram of each seed's final MSE, solved and unsolved stacked, plateaus labelled."""
    final_mse, solved = np.asarray(final_mse, dtype=float), np.asarray(solved, dtype=bool)
    finite = final_mse[np.isfinite(final_mse)]  # seeds that diverged have no final MSE
    top = max(0.26, float(finite.max()) if len(finite) else 0.26)
    bins = {"start": 0.0, "end": top + 0.005, "size": top / 60}
    fig = go.Figure()
    for mask, name, colour in ((solved, "solved", BLUE), (~solved, "not solved", RED)):
        fig.add_trace(go.Histogram(
            x=np.round(final_mse[mask], 5), xbins=bins, name=f"{name} ({int(mask.sum())})",
            marker={"color": colour}, hovertemplate="MSE %{x}<br>%{y} seeds<extra></extra>"))
    for value, label in PLATEAUS.items():
        fig.add_vline(x=value, line={"dash": "dot", "color": GREY},
                      annotation_text=label.split(" (")[0] + f" ({value:.3f})",
                      annotation_textangle=-90, annotation_position="top left",
                      annotation_font={"size": 11, "color": GREY})
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.25, "x": 0})
    fig.update_xaxes(title="final MSE")
    fig.update_yaxes(title="seeds")
    return style(fig, 340)


def surfaces_grid_figure(plane: Plane, outputs, titles, X, y, columns: int = 4,
                         colorbar: bool = True) -> go.Figure:
    """Small multiples of decision surfaces. outputs : (m, ny, nx); one title per panel.

    Without ``colorbar`` the panels get the full width (the scale is RdBu, 0 to 1).
    """
    m = len(outputs)
    cols = max(1, min(columns, m))
    rows = -(-m // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles),
                        horizontal_spacing=0.03, vertical_spacing=0.1 if rows > 1 else 0.0)
    for k, z in enumerate(outputs):
        r, c = k // cols + 1, k % cols + 1
        fig.add_trace(go.Heatmap(x=plane.xs, y=plane.ys, z=rounded(z), coloraxis="coloraxis",
                                 hovertemplate="output %{z:.3f}<extra></extra>"), row=r, col=c)
        fig.add_trace(go.Contour(x=plane.xs, y=plane.ys, z=rounded(z), showscale=False,
                                 contours_coloring="none", line={"color": "black", "width": 1.5},
                                 contours={"start": 0.5, "end": 0.5, "size": 1},
                                 hoverinfo="skip", showlegend=False), row=r, col=c)
        for trace in samples_trace(X, y, size=7, showlegend=(k == 0)):
            fig.add_trace(trace, row=r, col=c)
    fig.update_xaxes(showticklabels=False, range=[plane.xs[0], plane.xs[-1]])
    fig.update_yaxes(showticklabels=False, range=[plane.ys[0], plane.ys[-1]])
    fig.update_layout(coloraxis={"colorscale": OUTPUT_SCALE, "cmin": 0, "cmax": 1,
                                 "showscale": colorbar,
                                 "colorbar": {"title": {"text": "output"}, "thickness": 10}},
                      legend={"orientation": "h", "y": -0.05, "x": 0})
    fig.update_annotations(font_size=12)
    style(fig, 50 + 210 * rows)
    fig.update_layout(margin={"t": 30})
    return fig


def sweep_figure(lrs, hidden, solved, seeds: int) -> go.Figure:
    """Solved fraction as a heatmap: learning rate across, hidden units down."""
    solved = np.asarray(solved, dtype=float)
    fig = go.Figure(go.Heatmap(
        x=[f"{v:g}" for v in lrs], y=[str(h) for h in hidden], z=solved, zmin=0, zmax=1,
        colorscale="Cividis", text=[[f"{v:.0%}" for v in row] for row in solved],
        texttemplate="%{text}", textfont={"size": 13},
        colorbar={"title": {"text": "solved"}, "tickformat": ".0%", "thickness": 12},
        hovertemplate="lr %{x}, hidden %{y}<br>%{text} of " + str(seeds) + " seeds solved"
                      "<extra></extra>"))
    fig.update_xaxes(title="learning rate", type="category")
    fig.update_yaxes(title="hidden units", type="category", autorange="reversed")
    return style(fig, 120 + 50 * len(hidden))


def hidden_space_figure(a1_history, W2, b2, y, X, activation: str = "sigmoid",
                        units=(0, 1), merged=()) -> go.Figure:
    """Each sample's hidden activations (a¹ of two units) with the output's 0.5 line.

    a1_history : (K, H, n) activations up to the selected checkpoint; the last
    row is drawn as markers and earlier rows as faint trails. The output unit
    says 0.5 where W2·a1 + b2 = 0; with more than two hidden units the other
    units are held at their mean over the samples. ``merged``: groups of
    sample indices that have collapsed onto one point.
    """
    a1_history = np.asarray(a1_history, dtype=float)
    i, j = units
    now = a1_history[-1]
    lo, hi = ACTIVATION_RANGE[activation]
    if hi is None:
        hi = max(float(now[[i, j]].max()) * 1.1, 1.0)
    pad = 0.05 * (hi - lo)
    fig = go.Figure()
    labels = sample_labels(X)
    for k in range(now.shape[1] if now.shape[1] <= 8 else 0):
        colour = BLUE if y[k] > 0.5 else RED
        fig.add_trace(go.Scatter(
            x=a1_history[:, i, k], y=a1_history[:, j, k], mode="lines", showlegend=False,
            line={"color": colour, "width": 1}, opacity=0.35, hoverinfo="skip"))
    in_group = {k for group in merged for k in group}  # named by the annotation instead
    for target, colour, symbol in ((1, BLUE, "circle"), (0, RED, "x")):
        pick = np.flatnonzero(y == target)
        high = now[j, pick] > lo + 0.8 * (hi - lo)
        fig.add_trace(go.Scatter(
            x=now[i, pick], y=now[j, pick], mode="markers+text" if len(y) <= 8 else "markers",
            text=["" if k in in_group else labels[k] for k in pick],
            textposition=["bottom center" if h else "top center" for h in high],
            customdata=[labels[k] for k in pick], name=f"target {target}",
            marker={"color": colour, "symbol": symbol, "size": 13 if len(y) <= 8 else 6,
                    "line": {"color": "white", "width": 1}},
            hovertemplate="sample %{customdata}<br>a¹ = (%{x:.3f}, %{y:.3f})<extra></extra>"))
    others = [h for h in range(now.shape[0]) if h not in (i, j)]
    xs = np.linspace(lo - pad, hi + pad, 50)
    with np.errstate(all="ignore"):  # a diverged run's weights may overflow here
        offset = float(b2[0, 0] + sum(W2[0, h] * now[h].mean() for h in others))
        line = -(W2[0, i] * xs + offset) / W2[0, j] if abs(W2[0, j]) > 1e-12 else None
    if line is not None and np.isfinite(line).all():
        fig.add_trace(go.Scatter(x=xs, y=line, mode="lines",
                                 name="output = 0.5", line={"color": "black", "dash": "dash"}))
    for group in merged:
        centre = now[:, group].mean(axis=1)
        fig.add_annotation(x=centre[i], y=centre[j], text="merged: " + ", ".join(
            labels[k] for k in group), showarrow=True, arrowhead=2, ax=-90, ay=70,
            font={"color": RED, "size": 12}, bgcolor="rgba(255,255,255,0.8)")
    fig.update_xaxes(title=f"a¹ of unit {i + 1}", range=[lo - pad, hi + pad], constrain="domain")
    fig.update_yaxes(title=f"a¹ of unit {j + 1}", range=[lo - pad, hi + pad], scaleanchor="x")
    return style(fig, 420, legend={"orientation": "h", "y": -0.2, "x": 0})
