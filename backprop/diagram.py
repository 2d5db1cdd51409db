"""The network drawn as nodes and weighted edges (a pure figure builder)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import notation as n
from .look import BLUE, GREY, RED, new_figure, style, trace

# Weights are written on the edges up to this many hidden units; beyond, on hover only
# (with 3 or more units, edges fanning out of one input leave no room for labels).
LABELLED_UNITS = 2
# Where along a first-layer edge its value is written: level edges in the middle, the
# two crossing edges at a quarter from either end, so their labels never meet where
# the edges cross.
LABEL_AT = {"level": 0.5, "down": 0.25, "up": 0.75}


def _positions(count: int) -> np.ndarray:
    """Vertical positions of ``count`` nodes, centred on 0."""
    return (np.arange(count) - (count - 1) / 2.0)[::-1]


def network_figure(params: dict, activation: str = "sigmoid") -> go.Figure:
    """Inputs, hidden units and the output; each edge's width is |w|, its colour the sign.

    Blue edges are positive weights, red dashed edges negative. Up to
    LABELLED_UNITS hidden units, every weight is written on its edge (on a white
    label; crossing edges are labelled at different fractions along them); beyond
    that, values show on hover only. Hovering a node shows its bias.
    """
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    H = W1.shape[0]
    layers = [(0.0, _positions(2)), (1.0, _positions(H)), (2.0, _positions(1))]
    scale = max(float(np.abs(np.concatenate([W1.ravel(), W2.ravel()])).max()), 1e-9)
    traces, notes = [], []
    mids = {"x": [], "y": [], "text": []}
    edges = [(0, k, 1, j, W1[j, k], n.weight(1, j + 1, k + 1)) for j in range(H) for k in range(2)]
    edges += [(1, j, 2, 0, W2[0, j], n.weight(2, 1, j + 1)) for j in range(H)]
    labels = H <= LABELLED_UNITS
    for la, a, lb, b, w, name in edges:
        (xa, ya), (xb, yb) = (layers[la][0], layers[la][1][a]), (layers[lb][0], layers[lb][1][b])
        traces.append(trace("scatter",
            x=[xa, xb], y=[ya, yb], mode="lines", hoverinfo="skip", showlegend=False,
            line={"color": BLUE if w >= 0 else RED, "width": round(1 + 7 * abs(w) / scale, 2),
                  "dash": "solid" if w >= 0 else "dash"}))
        slope = "level" if ya == yb else "down" if yb < ya else "up"
        t = LABEL_AT[slope] if lb == 1 else 0.5
        x, y = xa + t * (xb - xa), ya + t * (yb - ya)
        mids["x"].append(round(x, 3))
        mids["y"].append(round(y, 3))
        mids["text"].append(f"{name} = {w:+.4f}")
        if labels:
            notes.append({"x": x, "y": y, "text": f"{w:+.2f}", "showarrow": False,
                          "font": {"size": 11, "color": BLUE if w >= 0 else RED},
                          "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1})
    traces.append(trace("scatter",
        x=mids["x"], y=mids["y"], mode="markers", hovertext=mids["text"], showlegend=False,
        marker={"size": 14, "color": "rgba(0,0,0,0)"},
        hovertemplate="%{hovertext}<extra></extra>"))
    names = [n.inp(1), n.inp(2)] + [n.unit("a", 1, j + 1) for j in range(H)] + [n.layer("a", 2)]
    biases = [""] * 2 + [f"b = {b1[j, 0]:+.2f}" for j in range(H)] + [f"b = {b2[0, 0]:+.2f}"]
    hover = [f"input {n.inp(1)}", f"input {n.inp(2)}"]
    hover += [f"{n.hidden_unit(j + 1)} ({activation})<br>{n.bias(1, j + 1)} = {b1[j, 0]:+.4f}"
              for j in range(H)]
    hover += [f"output (sigmoid)<br>{n.layer('b', 2)} = {b2[0, 0]:+.4f}"]
    xs = np.concatenate([np.full(len(p), x) for x, p in layers])
    ys = np.concatenate([p for _, p in layers])
    traces.append(trace("scatter",
        x=xs, y=ys, mode="markers+text", text=names, textposition="middle center",
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
        marker={"size": 38, "color": "white", "line": {"color": GREY, "width": 2}},
        textfont={"size": 12}))
    for x, y, text in zip(xs, ys, biases, strict=True) if labels else ():
        if text:  # above the node, clear of the edges arriving from the left
            notes.append({"x": x, "y": y, "yshift": 27, "text": text, "showarrow": False,
                          "font": {"size": 11, "color": GREY},
                          "bgcolor": "rgba(255,255,255,0.85)"})
    fig = new_figure(traces, {  # all at once: each add_* call re-validates the figure
        "annotations": notes, "xaxis": {"visible": False, "range": [-0.3, 2.3]},
        "yaxis": {"visible": False,
                  "range": [-(max(H, 2) / 2.0) - 0.2, max(H, 2) / 2.0 + 0.35]}})
    return style(fig, 140 + 55 * max(H, 2))
