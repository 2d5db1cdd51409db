"""Per-unit maps over the input plane and the unit × sample strip, for every hidden layer.

A map figure takes one array per hidden layer (a single array is the tutorial's one
layer). One hidden layer looks as it always has: a grid of panels titled "hidden
unit j". A deeper network gets one row of panels per layer (a layer wider than
WIDE_LAYER wraps onto more rows), each panel titled with its layer and unit
(σ′(z⁽²⁾₃), a⁽²⁾₃), so the layers read top to bottom as the data flows. Layers
wider than WIDE_LAYER units turn the panels into thumbnails, like a playground's
neurons: eight to a row, no tick labels, the values on hover. Four layers of 16
units are then 8 rows of thumbnails, under 1000 px tall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from . import notation as n
from .datasets import LABEL_EVERY_SAMPLE
from .diagnosis import SATURATION_FRACTION
from .look import (
    BAR,
    DERIVATIVE_SCALE,
    RED,
    finished_figure,
    grid,
    house,
    rounded,
    styled_figure,
    trace,
)
from .marks import X1, X2, plane_axes, sample_labels, samples_trace
from .nn import DERIVATIVE_MAX
from .plane import Plane

ACTIVATION_SCALE = "RdBu"  # a hidden activation is not a confidence: plain, linear RdBu
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}
WIDE_LAYER = 4  # a deeper network's layers up to this wide get full panels, beyond: thumbnails
THUMBNAILS_PER_ROW = 8
THUMBNAIL_STEP = 2  # thumbnails draw every other point of the plane's grid
ROW_HEIGHT = {2: 260, 3: 160, 4: 130, THUMBNAILS_PER_ROW: 80}  # px a row of panels, by columns
ROW_GAP = {False: 44, True: 26}  # px between rows of panels (room for titles), by thumbnails
DERIVATIVE_DECIMALS = 4  # places the σ′ maps are sent with (σ′ of the sigmoid is at most 0.25)
STRIP_ROWS = 48  # the strip shows every (unit, sample) up to this many rows, else unit means


def layers_of(values) -> list[np.ndarray]:
    """One array per hidden layer: a single (H, ...) array is the tutorial's one layer."""
    if isinstance(values, (list, tuple)):
        return [np.asarray(v) for v in values]
    return [np.asarray(values)]


def _unit_grid(H: int, columns: int | None = None) -> tuple[int, int]:
    cols = columns or (H if H <= 2 else 4 if H > 4 else 2)
    cols = max(1, min(cols, H))
    return -(-H // cols), cols


@dataclass(frozen=True)
class Layout:
    """Where each panel goes: ``slots[l][j]`` is the grid index of unit j of layer l + 1."""

    rows: int
    cols: int
    slots: list
    titles: list
    height: int
    hspace: float
    vspace: float

    @property
    def thumbnails(self) -> bool:
        return self.cols >= THUMBNAILS_PER_ROW


def panel_layout(widths, title, columns: int | None = None) -> Layout:
    """The grid for hidden layers of these ``widths``; ``title(layer, j)`` names a panel.

    One layer: the tutorial's grid (2 columns for 3–4 units, 4 beyond), titled
    "hidden unit j". Several: each layer starts a new row; ``columns`` panels a row
    (the widest layer up to WIDE_LAYER, else THUMBNAILS_PER_ROW).
    """
    if len(widths) == 1:
        rows, cols = _unit_grid(widths[0], columns)
        titles = [n.hidden_unit(j + 1) for j in range(widths[0])]
        titles += [""] * (rows * cols - len(titles))
        return Layout(rows, cols, [list(range(widths[0]))], titles, 140 + 260 * rows,
                      0.08, 0.16 if rows > 1 else 0.0)
    widest = max(widths)
    cols = columns or (widest if widest <= WIDE_LAYER else THUMBNAILS_PER_ROW)
    slots, row = [], 0
    for H in widths:
        slots.append([(row + j // cols) * cols + j % cols for j in range(H)])
        row += -(-H // cols)
    titles = [""] * (row * cols)
    for layer, where in enumerate(slots, start=1):
        for j, k in enumerate(where):
            titles[k] = title(layer, j + 1)
    row_height = next(h for c, h in sorted(ROW_HEIGHT.items()) if cols <= c)
    gap = ROW_GAP[cols >= THUMBNAILS_PER_ROW]
    plot = row * row_height + (row - 1) * gap
    return Layout(row, cols, slots, titles, 130 + plot,
                  0.03 if cols >= THUMBNAILS_PER_ROW else 0.08, gap / plot)


def _axes(layout: dict, plan: Layout, ids, plane: Plane) -> None:
    """x₁/x₂ ticks on every full panel, titles on the outer edge.

    One layer: every grid slot gets axes, as the tutorial's maps always had. Several:
    empty slots are hidden and x₁ goes under the lowest panel of each column.
    """
    one = len(plan.slots) == 1
    used = {k for where in plan.slots for k in where} if not one else set(range(len(ids)))
    bottom = {c: max((k for k in used if k % plan.cols == c), default=-1)
              for c in range(plan.cols)}
    axes = plane_axes(plane)
    for k, (xa, ya) in enumerate(ids):
        x, y = layout["xaxis" + xa[1:]], layout["yaxis" + ya[1:]]
        if k not in used:
            x.update(visible=False)
            y.update(visible=False)
            continue
        low = k // plan.cols == plan.rows - 1 if one else k == bottom[k % plan.cols]
        small = {"showticklabels": False, "ticks": ""} if plan.thumbnails else {}
        x.update(axes["x"], tickfont={"size": 10}, **small, title={
            "text": X1 if low and not plan.thumbnails else None, "standoff": 2})
        y.update(axes["y"], tickfont={"size": 10}, **small, title={
            "text": X2 if k % plan.cols == 0 and not plan.thumbnails else None,
            "standoff": 2})


def _maps(layers, thumbnails: bool, decimals: int) -> list[np.ndarray]:
    """Each panel's map as a map figure sends it, in trace order: rounded to ``decimals``,
    every other grid point for thumbnails."""
    step = THUMBNAIL_STEP if thumbnails else 1
    return [rounded(v[j, ::step, ::step], decimals) for v in layers for j in range(v.shape[0])]


def _unit_panels(plane, layers, X, y, zmin, zmax, colorscale, label, title, columns=None,
                 threshold=None, decimals: int = 3) -> go.Figure:
    """One small map per hidden unit of every layer, one shared colour range, samples marked.

    layers : one (H_l, ny, nx) array per hidden layer. With a ``threshold`` each
    map is a contour trace that also draws the dotted threshold line, so the grid
    is sent once per unit.
    """
    plan = panel_layout([v.shape[0] for v in layers], title, columns)
    layout, ids = grid(plan.rows, plan.cols, plan.titles, plan.hspace, plan.vspace)
    # A thumbnail is under 100 px wide: every other grid point is plenty, and a quarter
    # of the data to send (64 panels at 61 x 61 would be 1.4 MB).
    step = THUMBNAIL_STEP if plan.thumbnails else 1
    xs, ys = rounded(plane.xs[::step]), rounded(plane.ys[::step])
    maps = iter(_maps(layers, plan.thumbnails, decimals))
    traces, first = [], True
    for where in plan.slots:
        for k in where:
            place = {"xaxis": ids[k][0], "yaxis": ids[k][1]}
            hover = (f"{plan.titles[k]}<br>{X1} %{{x:.2f}}, {X2} %{{y:.2f}}<br>"
                     f"{label} %{{z:.{decimals}f}}<extra></extra>")
            common = {"x": xs, "y": ys, "z": next(maps),
                      "coloraxis": "coloraxis", "hovertemplate": hover, **place}
            traces.append(trace("heatmap", **common) if threshold is None else trace(
                "contour", **common, contours={"coloring": "heatmap", "start": threshold,
                                               "end": threshold, "size": 1},
                line={"color": "white", "width": 1.5, "dash": "dot"}))
            traces += samples_trace(X, y, size=7 if plan.thumbnails else 12,
                                    showlegend=first, **place)
            first = False
    _axes(layout, plan, ids, plane)
    for note in layout.get("annotations", []):
        note["yshift"] = 2
        if plan.thumbnails:
            note["font"] = {"size": 10}
    layout.update(house(
        plan.height, legend={"orientation": "h", "yref": "container", "y": 1.0,
                             "yanchor": "top", "x": 0.0, "xanchor": "left"},
        coloraxis={"colorscale": colorscale, "cmin": zmin, "cmax": zmax,
                   "colorbar": {"title": {"text": label, "side": "right"}, **BAR,
                                "orientation": "h", "thickness": 10, "len": 0.6, "x": 0.5,
                                "xanchor": "center", "yref": "container", "y": 0.0,
                                "yanchor": "bottom"}}))
    layout["margin"].update(t=56, b=50)
    return finished_figure(traces, layout)


def derivative_heatmaps_figure(plane: Plane, deriv, X, y, activation: str = "sigmoid",
                               columns: int | None = None) -> go.Figure:
    """f'(z⁽ˡ⁾) of each hidden unit over the input plane, one panel per unit.

    deriv : (H, ny, nx) for one hidden layer, or a list of one (H_l, ny, nx) per
    layer. The colour range is fixed to [0, max f'] for the activation, so dark
    means saturated (no gradient flows through that unit there) and yellow means
    the unit is at its most sensitive. The dotted white line is the saturation
    threshold, SATURATION_FRACTION of the maximum.
    """
    layers, top = layers_of(deriv), DERIVATIVE_MAX[activation]
    label = n.derivative(activation, 1 if len(layers) == 1 else "l")
    return _unit_panels(plane, layers, X, y, 0.0, top, DERIVATIVE_SCALE, label,
                        lambda layer, j: n.derivative_unit(activation, layer, j), columns,
                        threshold=SATURATION_FRACTION * top if activation != "relu" else None,
                        decimals=DERIVATIVE_DECIMALS)


def derivative_maps(deriv, columns: int | None = None) -> list[np.ndarray]:
    """What ``derivative_heatmaps_figure`` draws that changes from one checkpoint to the
    next: each panel's map, in trace order, as sent. The rest of that figure (grid,
    titles, colour range, threshold line, samples) depends only on the run."""
    layers = layers_of(deriv)
    plan = panel_layout([v.shape[0] for v in layers], lambda layer, j: "", columns)
    return _maps(layers, plan.thumbnails, DERIVATIVE_DECIMALS)


def activation_heatmaps_figure(plane: Plane, a, X, y, activation: str = "sigmoid",
                               columns: int | None = None) -> go.Figure:
    """a⁽ˡ⁾ of each hidden unit over the input plane, like a playground's neuron thumbnails.

    a : (H, ny, nx) for one hidden layer, or a list of one (H_l, ny, nx) per layer.
    """
    layers = layers_of(a)
    lo, hi = ACTIVATION_RANGE[activation]
    if hi is None:
        hi = max(max(float(np.max(v)) for v in layers), 1e-6)
    label = n.activation_of(activation, 1 if len(layers) == 1 else "l")
    return _unit_panels(plane, layers, X, y, lo, hi, ACTIVATION_SCALE, label,
                        lambda layer, j: n.unit("a", layer, j), columns)


def _strip_rows(layers, X) -> tuple[list[str], np.ndarray, list[int]]:
    """Row names, the (rows, K) values and where each layer's rows start, for the strip."""
    count, one = layers[0].shape[2], len(layers) == 1
    every = count <= LABEL_EVERY_SAMPLE and (
        one or sum(v.shape[1] for v in layers) * count <= STRIP_ROWS)
    labels, names, blocks, starts = sample_labels(X), [], [], []
    for layer, values in enumerate(layers, start=1):
        K, H, _ = values.shape
        starts.append(len(names))
        def unit(j, layer=layer):
            return n.hidden_unit(j) if one else n.layer_unit(layer, j)
        if every:
            names += [f"{unit(j + 1)} · {labels[i]}" for j in range(H) for i in range(count)]
            blocks.append(values.reshape(K, H * count).T)
        else:
            names += [f"{unit(j + 1)} (mean over samples)" for j in range(H)]
            blocks.append(values.mean(axis=2).T)
    return names, np.concatenate(blocks), starts


def saturation_timeline_figure(epochs, deriv, X, activation: str = "sigmoid",
                               marker_epoch: int | None = None) -> go.Figure:
    """f'(z⁽ˡ⁾) per hidden unit and sample (rows) across checkpoint epochs (columns).

    deriv : (K, H, n) for one hidden layer, or a list of one (K, H_l, n) per layer.
    With more than LABEL_EVERY_SAMPLE samples, or more than STRIP_ROWS rows in
    all, each unit gets one row: the mean over samples. A deeper network's layers
    follow each other top to bottom, split by grey lines. Dark cells are a unit
    that has stopped passing gradient back for that sample.
    """
    layers = layers_of(deriv)
    rows, z, starts = _strip_rows(layers, X)
    top = DERIVATIVE_MAX[activation]
    label = n.derivative(activation, 1 if len(layers) == 1 else "l")
    heat = trace("heatmap",
        x=np.asarray(epochs), y=rows, z=rounded(z), zmin=0, zmax=top,
        colorscale=DERIVATIVE_SCALE,
        colorbar={"title": {"text": label, "side": "right"}, "thickness": 12, **BAR},
        hovertemplate="%{y}<br>epoch %{x}<br>" + label + " %{z:.4f}<extra></extra>")
    # The lines as the shapes add_vline / add_hline would make, set in the one build.
    shapes = [] if marker_epoch is None else [
        {"type": "line", "xref": "x", "yref": "y domain", "x0": marker_epoch,
         "x1": marker_epoch, "y0": 0, "y1": 1, "line": {"color": RED, "width": 2}}]
    shapes += [{"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1,
                "y0": start - 0.5, "y1": start - 0.5, "line": {"color": "white", "width": 3}}
               for start in starts[1:]]  # between layers; category rows sit at 0, 1, ...
    dense = len(layers) > 1 and len(rows) > STRIP_ROWS
    return styled_figure(heat, {
        **({"shapes": shapes} if shapes else {}), "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"autorange": "reversed", "tickfont": {"size": 9 if dense else 11}}},
        80 + (14 if dense else 24) * len(rows) + 40)
