"""The network drawn as nodes and weighted edges (a pure figure builder), at any depth."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import nn
from . import notation as n
from .look import BLUE, GREY, RED, finished_figure, style, trace

# Weights are written on the edges while no layer has more than this many units; beyond,
# on hover only (with 3 or more units, edges fanning out of one node leave no room).
LABELLED_UNITS = 2
# Where along an edge into a hidden layer its value is written: level edges in the
# middle, the two crossing edges at a quarter from either end, so their labels never
# meet where the edges cross. Edges into the one output converge without crossing and
# are labelled in the middle.
LABEL_AT = {"level": 0.5, "down": 0.25, "up": 0.75}


def _positions(count: int) -> np.ndarray:
    """Vertical positions of ``count`` nodes, centred on 0."""
    return (np.arange(count) - (count - 1) / 2.0)[::-1]


def _edges(params: dict, last: int) -> list[tuple]:
    """(from layer, from node, to layer, to node, weight, name) for every weight, in order."""
    out = []
    for layer in range(1, last + 1):
        W = np.asarray(params[f"W{layer}"], dtype=float)
        out += [(layer - 1, k, layer, j, W[j, k], n.weight(layer, j + 1, k + 1))
                for j in range(W.shape[0]) for k in range(W.shape[1])]
    return out


def _nodes(params: dict, last: int, activation: str) -> tuple[list, list, list]:
    """Each node's name, bias label and hover text, inputs first and the output last."""
    one = last == 2
    names, biases = [n.inp(1), n.inp(2)], ["", ""]
    hover = [f"input {n.inp(1)}", f"input {n.inp(2)}"]
    for layer in range(1, last):
        b = np.asarray(params[f"b{layer}"], dtype=float)
        for j in range(b.shape[0]):
            names.append(n.unit("a", layer, j + 1))
            biases.append(f"b = {b[j, 0]:+.2f}")
            who = n.hidden_unit(j + 1) if one else n.layer_unit(layer, j + 1)
            hover.append(f"{who} ({activation})<br>{n.bias(layer, j + 1)} = {b[j, 0]:+.4f}")
    b = float(np.asarray(params[f"b{last}"], dtype=float)[0, 0])
    names.append(n.layer("a", last))
    biases.append(f"b = {b:+.2f}")
    hover.append(f"output (sigmoid)<br>{n.layer('b', last)} = {b:+.4f}")
    return names, biases, hover


def network_figure(params: dict, activation: str = "sigmoid") -> go.Figure:
    """Inputs, every hidden layer's units and the output; edge width is |w|, colour the sign.

    params : W1, b1, …, W{L+1}, b{L+1}, one column of nodes per layer. Blue edges
    are positive weights, red dashed edges negative; widths share one scale over
    every layer. While no layer has more than LABELLED_UNITS units, every weight is
    written on its edge (on a white label; crossing edges are labelled at different
    fractions along them); beyond that, values show on hover only (a dot at each
    edge's label point). Hovering a node shows its bias.
    """
    last = nn.layers_of(params)
    widths = [2] + [np.asarray(params[f"b{layer}"]).shape[0] for layer in range(1, last + 1)]
    layers = [(float(x), _positions(count)) for x, count in enumerate(widths)]
    scale = max(max(float(np.abs(np.asarray(params[f"W{layer}"])).max())
                    for layer in range(1, last + 1)), 1e-9)
    traces, notes = [], []
    mids = {"x": [], "y": [], "text": []}
    labels = max(widths[1:-1]) <= LABELLED_UNITS
    for la, a, lb, b, w, name in _edges(params, last):
        (xa, ya), (xb, yb) = (layers[la][0], layers[la][1][a]), (layers[lb][0], layers[lb][1][b])
        traces.append(trace("scatter",
            x=[xa, xb], y=[ya, yb], mode="lines", hoverinfo="skip", showlegend=False,
            line={"color": BLUE if w >= 0 else RED, "width": round(1 + 7 * abs(w) / scale, 2),
                  "dash": "solid" if w >= 0 else "dash"}))
        slope = "level" if ya == yb else "down" if yb < ya else "up"
        t = LABEL_AT[slope] if lb < last else 0.5
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
    names, biases, hover = _nodes(params, last, activation)
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
    tallest = max(widths)
    fig = finished_figure(traces, {  # all at once: each add_* call re-validates the figure
        "annotations": notes, "xaxis": {"visible": False, "range": [-0.3, last + 0.3]},
        "yaxis": {"visible": False,
                  "range": [-(tallest / 2.0) - 0.2, tallest / 2.0 + 0.35]}})
    return style(fig, 140 + 55 * tallest)
