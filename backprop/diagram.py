"""The network drawn as nodes and weighted edges (a pure figure builder)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .figures import BLUE, GREY, RED, style


def _positions(count: int) -> np.ndarray:
    """Vertical positions of ``count`` nodes, centred on 0."""
    return (np.arange(count) - (count - 1) / 2.0)[::-1]


def network_figure(params: dict, activation: str = "sigmoid") -> go.Figure:
    """Inputs, hidden units and the output; each edge's width is |w|, its colour the sign.

    Blue edges are positive weights, red dashed edges negative. Hovering an
    edge's midpoint or a node shows the weight or bias value.
    """
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    H = W1.shape[0]
    layers = [(0.0, _positions(2)), (1.0, _positions(H)), (2.0, _positions(1))]
    scale = max(float(np.abs(np.concatenate([W1.ravel(), W2.ravel()])).max()), 1e-9)
    fig = go.Figure()
    mids = {"x": [], "y": [], "text": []}
    edges = [(0, i, 1, j, W1[j, i], f"W1[{j + 1},{i + 1}]") for j in range(H) for i in range(2)]
    edges += [(1, j, 2, 0, W2[0, j], f"W2[1,{j + 1}]") for j in range(H)]
    for la, a, lb, b, w, name in edges:
        (xa, ya), (xb, yb) = (layers[la][0], layers[la][1][a]), (layers[lb][0], layers[lb][1][b])
        fig.add_trace(go.Scatter(
            x=[xa, xb], y=[ya, yb], mode="lines", hoverinfo="skip", showlegend=False,
            line={"color": BLUE if w >= 0 else RED, "width": 1 + 7 * abs(w) / scale,
                  "dash": "solid" if w >= 0 else "dash"}))
        t = 0.35 if lb == 1 else 0.5
        mids["x"].append(xa + t * (xb - xa))
        mids["y"].append(ya + t * (yb - ya))
        mids["text"].append(f"{name} = {w:+.4f}")
    labels = H <= 4  # with more units, values only on hover to avoid clutter
    fig.add_trace(go.Scatter(
        x=mids["x"], y=mids["y"], mode="markers+text" if labels else "markers",
        text=[t.split(" = ")[1] for t in mids["text"]], hovertext=mids["text"],
        textposition="top center", textfont={"size": 11, "color": GREY}, showlegend=False,
        marker={"size": 10, "color": "rgba(0,0,0,0.08)"},
        hovertemplate="%{hovertext}<extra></extra>"))
    names = ["x1", "x2"] + [f"h{j + 1}" for j in range(H)] + ["out"]
    biases = [""] * 2 + [f"b={b1[j, 0]:+.2f}" for j in range(H)] + [f"b={b2[0, 0]:+.2f}"]
    hover = ["input x1", "input x2"]
    hover += [f"hidden unit {j + 1} ({activation})<br>b1[{j + 1}] = {b1[j, 0]:+.4f}"
              for j in range(H)]
    hover += [f"output (sigmoid)<br>b2 = {b2[0, 0]:+.4f}"]
    xs = np.concatenate([np.full(len(p), x) for x, p in layers])
    ys = np.concatenate([p for _, p in layers])
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=names, textposition="middle center",
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
        marker={"size": 34, "color": "white", "line": {"color": GREY, "width": 2}},
        textfont={"size": 12}))
    if labels:
        fig.add_trace(go.Scatter(x=xs + 0.0, y=ys - 0.32, mode="text", text=biases,
                                 textfont={"size": 11, "color": GREY}, hoverinfo="skip",
                                 showlegend=False))
    fig.update_xaxes(visible=False, range=[-0.3, 2.3])
    fig.update_yaxes(visible=False, range=[-(max(H, 2) / 2.0) - 0.2, max(H, 2) / 2.0 + 0.2])
    return style(fig, 120 + 45 * max(H, 2))
