"""Figures for the census, the sweep and the stuck diagnosis (pure builders)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import notation as n
from .datasets import LABEL_EVERY_SAMPLE
from .diagnosis import PLATEAUS, census_counts, plateau_name, plateau_of
from .figures import ACTIVATION_RANGE, sample_labels, samples_trace
from .look import (
    BAR,
    BLUE,
    GREY,
    OUTPUT_SCALE,
    OUTPUT_TICKS,
    RED,
    TARGET_MARKERS,
    TARGET_SIZE,
    grid,
    house,
    new_figure,
    rounded,
    style,
    styled_figure,
    trace,
)
from .nn import widths_of
from .plane import Plane

# Colours of the census outcomes: solved blue, each plateau a shade of red, the rest grey.
OUTCOME_COLOURS = [BLUE, "#b2182b", "#e0684f", "#f4a582", GREY, "#000000"]


def census_histogram_figure(final_mse, solved, plateau=None) -> go.Figure:
    """Histogram of each seed's final MSE, one stacked trace per outcome, plateaus marked.

    plateau : (S,) each seed's plateau (NaN if none), as ``ManyRuns.plateau``;
    computed from final_mse when not given. The outcomes are those of
    ``diagnosis.census_counts``: solved, each plateau of PLATEAUS, unsolved
    elsewhere (and diverged, which has no MSE to place), so the legend's counts
    add up to the number of seeds.
    """
    final_mse, solved = np.asarray(final_mse, dtype=float), np.asarray(solved, dtype=bool)
    plateau = plateau_of(final_mse, solved) if plateau is None else np.asarray(plateau, float)
    counts = census_counts(solved, plateau, final_mse)
    finite = final_mse[np.isfinite(final_mse)]  # seeds that diverged have no final MSE
    top = max(0.26, float(finite.max()) if len(finite) else 0.26)
    bins = {"start": 0.0, "end": top + 0.005, "size": top / 60}
    masks = [solved] + [np.isclose(plateau, value) for value in PLATEAUS]
    masks.append(~solved & np.isnan(plateau) & np.isfinite(final_mse))
    masks.append(~solved & ~np.isfinite(final_mse))
    traces = [trace("histogram", x=rounded(final_mse[mask], 5), xbins=bins,
                    name=f"{name} ({count})",
                           marker={"color": colour},
                           hovertemplate="MSE %{x}<br>%{y} seeds<extra></extra>")
              for (name, count), mask, colour in zip(counts.items(), masks, OUTCOME_COLOURS,
                                                     strict=False)]
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": v, "x1": v, "y0": 0, "y1": 1,
               "line": {"dash": "dot", "color": GREY}} for v in PLATEAUS]
    notes = [{"xref": "x", "yref": "paper", "x": v, "y": 1, "xanchor": "right", "yanchor": "top",
              "textangle": -90, "showarrow": False, "font": {"size": 11, "color": GREY},
              "text": f"{plateau_name(v)}: " + label.split(" (")[0]}
             for v, label in PLATEAUS.items()]
    fig = new_figure(traces, {
        "barmode": "stack", "shapes": shapes, "annotations": notes,
        "legend": {"orientation": "h", "y": -0.25, "x": 0, "traceorder": "normal"},
        "xaxis": {"title": {"text": "final MSE"}}, "yaxis": {"title": {"text": "seeds"}}})
    return style(fig, 380)


def surfaces_grid_figure(plane: Plane, outputs, titles, X, y, columns: int = 4,
                         colorbar: bool = True) -> go.Figure:
    """Small multiples of decision surfaces. outputs : (m, ny, nx); one title per panel.

    Without ``colorbar`` the panels get the full width (the scale is RdBu, 0 to 1).
    """
    m = len(outputs)
    cols = max(1, min(columns, m))
    rows = -(-m // cols)
    layout, ids = grid(rows, cols, titles, 0.03, 0.1 if rows > 1 else 0.0)
    xs, ys = rounded(plane.xs), rounded(plane.ys)
    traces = []
    for k, z in enumerate(outputs):
        place = {"xaxis": ids[k][0], "yaxis": ids[k][1]}
        traces.append(trace("contour",   # colours and the black 0.5 line from one copy of the grid
            x=xs, y=ys, z=rounded(z, 3), coloraxis="coloraxis",
            line={"color": "black", "width": 1.5},
            contours={"coloring": "heatmap", "start": 0.5, "end": 0.5, "size": 1},
            hovertemplate=f"output {n.layer('a', 2)} " + "%{z:.3f}<extra></extra>", **place))
        traces += samples_trace(X, y, size=9, showlegend=(k == 0), **place)
    for xa, ya in ids:
        layout["xaxis" + xa[1:]].update(showticklabels=False, range=[plane.xs[0], plane.xs[-1]])
        layout["yaxis" + ya[1:]].update(showticklabels=False, range=[plane.ys[0], plane.ys[-1]])
    for note in layout.get("annotations", []):
        note["font"] = {"size": 12}
    layout.update(house(50 + 210 * rows, legend={"orientation": "h", "y": -0.05, "x": 0},
                        coloraxis={"colorscale": OUTPUT_SCALE, "cmin": 0, "cmax": 1,
                                   "showscale": colorbar,
                                   "colorbar": {"title": {"text": f"output {n.layer('a', 2)}"},
                                                "thickness": 10,
                                                **OUTPUT_TICKS, **BAR}}))
    layout["margin"]["t"] = 30
    fig = new_figure(traces, layout)
    return fig


def sweep_label(hidden) -> str:
    """A sweep row's label: its layer widths, ``3`` or ``3,3`` (the ``hidden`` setting's text)."""
    return ",".join(str(w) for w in widths_of(hidden))


def sweep_figure(lrs, hidden, solved, seeds: int) -> go.Figure:
    """Solved fraction as a heatmap: learning rate across, layer widths down.

    hidden : each row's widths, ``(2,)`` or ``(2, 2)`` (or one int for one hidden layer);
    rows are labelled ``2`` or ``2,2``.
    """
    solved = np.asarray(solved, dtype=float)
    labels = [sweep_label(h) for h in hidden]
    depth = len(widths_of(hidden[0])) if len(hidden) else 1
    what = "hidden units" if depth == 1 else f"units in each of {depth} hidden layers"
    fig = new_figure(trace("heatmap",
        x=[f"{v:g}" for v in lrs], y=labels, z=solved, zmin=0, zmax=1,
        colorscale="Cividis", text=[[f"{v:.0%}" for v in row] for row in solved],
        texttemplate="%{text}", textfont={"size": 13},
        colorbar={"title": {"text": "solved"}, "tickformat": ".0%", "thickness": 12,
                  **BAR},
        hovertemplate="lr %{x}, hidden %{y}<br>%{text} of " + str(seeds) + " seeds solved"
                      "<extra></extra>"))
    fig.update_xaxes(title="learning rate", type="category")
    fig.update_yaxes(title=what, type="category", autorange="reversed")
    return style(fig, 120 + 50 * len(hidden))


def _trail_traces(a1_history, i: int, j: int, y, labels) -> list[go.Scatter]:
    """Each sample's path through training: a line, dots that darken towards now, a start mark."""
    K = a1_history.shape[0]
    opacity = rounded(np.linspace(0.15, 0.9, K), 2) if K > 1 else [0.9]
    traces = []
    for k in range(a1_history.shape[2]):
        colour = BLUE if y[k] > 0.5 else RED
        xs, ys = rounded(a1_history[:, i, k], 3), rounded(a1_history[:, j, k], 3)
        traces.append(trace("scatter",
            x=xs, y=ys, mode="lines+markers", showlegend=False, hoverinfo="skip",
            line={"color": colour, "width": 1.5}, opacity=0.8,
            marker={"color": colour, "size": 4, "opacity": opacity}))
    starts = a1_history[0]
    traces.append(trace("scatter",
        x=rounded(starts[i], 3), y=rounded(starts[j], 3), mode="markers", name="start (epoch 0)",
        marker={"symbol": "diamond-open", "size": 10, "color": GREY, "line": {"width": 2}},
        customdata=labels, hovertemplate="sample %{customdata} at the start<extra></extra>"))
    return traces


def hidden_space_figure(a1_history, W2, b2, y, X, activation: str = "sigmoid",
                        units=(0, 1), merged=()) -> go.Figure:
    """Each sample's hidden activations (a⁽¹⁾ of two units) with the output's 0.5 line.

    a1_history : (K, H, n) activations up to the selected checkpoint; the last
    row is drawn as markers, earlier rows as trails that darken towards now, with
    an open diamond at each start. The output unit says 0.5 where W⁽²⁾a⁽¹⁾ + b⁽²⁾
    = 0; with more than two hidden units the other units are held at their mean
    over the samples. ``merged``: groups of sample indices that have collapsed onto
    one point; each group gets one label that counts and names its samples.
    """
    a1_history = np.asarray(a1_history, dtype=float)
    i, j = units
    now = a1_history[-1]
    lo, hi = ACTIVATION_RANGE[activation]
    if hi is None:
        hi = max(float(now[[i, j]].max()) * 1.1, 1.0)
    pad = 0.05 * (hi - lo)
    labels = sample_labels(X)
    few = len(y) <= LABEL_EVERY_SAMPLE
    traces = _trail_traces(a1_history, i, j, y, labels) if few else []
    in_group = {k for group in merged for k in group}  # named by the group's label instead
    for target in (1, 0):
        pick = np.flatnonzero(y == target)
        high = now[j, pick] > lo + 0.8 * (hi - lo)
        marker = dict(TARGET_MARKERS[target])
        marker["size"] = round((16 if few else 6) * TARGET_SIZE[target])
        traces.append(trace("scatter",
            x=rounded(now[i, pick], 3), y=rounded(now[j, pick], 3),
            mode="markers+text" if few else "markers",
            text=["" if k in in_group else labels[k] for k in pick] if few else None,
            textposition=["bottom center" if h else "top center" for h in high],
            customdata=[labels[k] for k in pick], name=f"target {target} now", marker=marker,
            hovertemplate="sample %{customdata}<br>" + f"({n.unit('a', 1, i + 1)}, "
                          f"{n.unit('a', 1, j + 1)})" + " = (%{x:.3f}, %{y:.3f})<extra></extra>"))
    traces += _boundary(now, W2, b2, i, j, np.linspace(lo - pad, hi + pad, 50))
    notes = []
    for group in merged:
        centre = now[:, group].mean(axis=1)
        right = centre[i] < lo + 0.5 * (hi - lo)
        notes.append(dict(
            x=centre[i], y=centre[j], showarrow=True, arrowhead=2, ax=90 if right else -90,
            ay=60, text=f"{len(group)} samples here:<br>" + ", ".join(labels[k] for k in group),
            font={"color": RED, "size": 12}, bgcolor="rgba(255,255,255,0.85)"))
    return styled_figure(traces, {"annotations": notes}, 460,
                 legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
                 xaxis={"title": {"text": f"{n.unit('a', 1, i + 1)} ({n.hidden_unit(i + 1)})"},
                        "range": [lo - pad, hi + pad], "constrain": "domain"},
                 yaxis={"title": {"text": f"{n.unit('a', 1, j + 1)} ({n.hidden_unit(j + 1)})"},
                        "range": [lo - pad, hi + pad], "scaleanchor": "x"})


def _boundary(now, W2, b2, i: int, j: int, xs) -> list[dict]:
    """The output's 0.5 line in the (unit i, unit j) plane, if it is finite (else none)."""
    others = [h for h in range(now.shape[0]) if h not in (i, j)]
    with np.errstate(all="ignore"):  # a diverged run's weights may overflow here
        offset = float(b2[0, 0] + sum(W2[0, h] * now[h].mean() for h in others))
        line = -(W2[0, i] * xs + offset) / W2[0, j] if abs(W2[0, j]) > 1e-12 else None
    if line is None or not np.isfinite(line).all():
        return []
    return [trace("scatter", x=rounded(xs, 4), y=rounded(line, 4), mode="lines",
                  name=f"{n.layer('a', 2)} = 0.5", line={"color": "black", "dash": "dash"})]
