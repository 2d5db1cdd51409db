"""A training replay: one self-contained HTML file that plays a run offline.

``replay_html(run)`` returns a page with plotly.js embedded (no network needed, so
it plays in a lecture hall without internet). Each recorded checkpoint is one
animation frame: the decision surface at that epoch beside the MSE curve with
the epoch marked. Play, pause and a slider come with the page.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import nn
from .notation import layer
from .plane import plane_around

RESOLUTION = 41  # grid points per side: enough for a smooth surface, small enough to embed
FRAME_MS = 120


def _frames_data(run, plane) -> list[np.ndarray]:
    """The output (ny, nx) over the plane at every checkpoint, to 3 decimals (any depth)."""
    steps = run.history.steps
    names = nn.param_names(nn.layers_of(steps))
    frames = []
    for i in range(len(run.history.epochs)):  # one at a time: a wide deep net's layers are big
        out = nn.forward({k: steps[k][i] for k in names}, plane.points, run.config.activation)
        frames.append(np.round(out["out"].reshape(plane.shape), 3))
    return frames


def replay_figure(run, resolution: int = RESOLUTION) -> go.Figure:
    """The animated figure: surface (left) and MSE curve (right), one frame per checkpoint."""
    plane = plane_around(run.X, resolution=resolution)
    surfaces = _frames_data(run, plane)
    epochs = run.history.epochs
    mse = np.asarray(run.mse, dtype=float)
    at = np.clip(epochs, 0, max(len(mse) - 1, 0))
    marker_y = mse[at] if len(mse) else np.full(len(epochs), np.nan)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.12,
                        subplot_titles=(f"output {layer('a', nn.layers_of(run.params))} over "
                                        "the input plane", "MSE per epoch"))
    fig.add_trace(go.Heatmap(x=plane.xs, y=plane.ys, z=surfaces[0], zmin=0, zmax=1,
                             colorscale="RdBu", colorbar={"x": 0.44, "thickness": 10,
                                                          "len": 0.8}), 1, 1)
    for target, colour, symbol in ((1, "#2166ac", "circle"), (0, "#b2182b", "x")):
        pick = run.y[0] == target
        fig.add_trace(go.Scatter(x=run.X[0, pick], y=run.X[1, pick], mode="markers",
                                 name=f"target {target}",
                                 marker={"color": colour, "symbol": symbol, "size": 11,
                                         "line": {"color": "white", "width": 2}}), 1, 1)
    step = max(1, len(mse) // 2000)  # thin the curve; the marker shows the exact value
    fig.add_trace(go.Scatter(x=np.arange(0, len(mse), step), y=np.round(mse[::step], 6),
                             mode="lines", name="MSE", line={"color": "#2166ac"}), 1, 2)
    fig.add_trace(go.Scatter(x=[epochs[0]], y=[marker_y[0]], mode="markers",
                             name="this epoch", marker={"color": "#d6604d", "size": 11}), 1, 2)
    heat, dot = 0, len(fig.data) - 1
    fig.frames = [go.Frame(name=str(int(e)), traces=[heat, dot],
                           data=[go.Heatmap(z=z), go.Scatter(x=[int(e)], y=[float(m)])])
                  for e, z, m in zip(epochs, surfaces, marker_y, strict=True)]
    fig.update_layout(
        height=520, template="plotly_white", margin={"l": 40, "r": 20, "t": 90, "b": 40},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.2},
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0, "y": 1.22,
                      "xanchor": "left", "yanchor": "top", "buttons": [
            {"label": "▶ Play", "method": "animate",
             "args": [None, {"frame": {"duration": FRAME_MS, "redraw": True},
                             "fromcurrent": True, "transition": {"duration": 0}}]},
            {"label": "Pause", "method": "animate",
             "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]}]}],
        sliders=[{"x": 0, "len": 1, "y": -0.12, "pad": {"t": 30},
                  "currentvalue": {"prefix": "epoch "},
                  "steps": [{"label": f"{int(e):,}", "method": "animate",
                             "args": [[str(int(e))], {"mode": "immediate",
                                                      "frame": {"duration": 0, "redraw": True}}]}
                            for e in epochs]}])
    fig.update_xaxes(title="x₁", row=1, col=1)
    fig.update_yaxes(title="x₂", scaleanchor="x", row=1, col=1)
    fig.update_xaxes(title="epoch", row=1, col=2)
    fig.update_yaxes(title="MSE", rangemode="tozero", row=1, col=2)
    return fig


def replay_html(run, title: str | None = None) -> str:
    """A whole HTML page, plotly.js included, that replays ``run`` with no network."""
    title = title or "Backprop Lab replay"
    settings = ", ".join(f"{k}={v}" for k, v in run.config.to_dict().items())
    body = replay_figure(run).to_html(include_plotlyjs=True, full_html=False,
                                      auto_play=False, config={"displaylogo": False})
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title></head>\n<body style='font-family:sans-serif'>"
            f"<h3>{html.escape(title)}</h3>\n<p style='color:#555'>{html.escape(settings)}</p>\n"
            f"{body}\n</body></html>\n")
