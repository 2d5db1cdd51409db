"""Marks shared by the figures: the samples, the 0.5 key, plane axes, sample names.

Kept apart from the figure builders so that the map modules and ``figures`` can both
import them (``figures`` re-exports every name here for its callers).
"""

from __future__ import annotations

import numpy as np

from . import notation as n
from .datasets import LABEL_EVERY_SAMPLE
from .look import TARGET_MARKERS, TARGET_SIZE, interior_ticks, rounded, trace
from .plane import Plane

X1, X2 = n.inp(1), n.inp(2)
OUTPUT_LAYER = 2  # the tutorial's output layer; a deeper network's is L + 1


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


def draws_boundary(z) -> bool:
    """Whether the output map ``z`` crosses 0.5, so that its black 0.5 line is drawn."""
    z = np.asarray(z, dtype=float)
    return bool(np.nanmin(z) < 0.5 < np.nanmax(z))


def boundary_key(z, output_layer: int = OUTPUT_LAYER) -> list[dict]:
    """A legend-only entry for the black 0.5 line, when the line is actually drawn."""
    if not draws_boundary(z):
        return []
    return [trace("scatter", x=[None], y=[None], mode="lines",
                  name=f"{n.layer('a', output_layer)} = 0.5",
                  line={"color": "black", "width": 2}, hoverinfo="skip")]


def plane_axes(plane: Plane) -> dict:
    """Axis settings over a plane: full range, ticks inside it (no clash at the corner)."""
    step = 0.5 if plane.xs[-1] - plane.xs[0] <= 4 else 1.0
    return {"x": {"range": [plane.xs[0], plane.xs[-1]],
                  "tickvals": interior_ticks(plane.xs[0], plane.xs[-1], step)},
            "y": {"range": [plane.ys[0], plane.ys[-1]],
                  "tickvals": interior_ticks(plane.ys[0], plane.ys[-1], step)}}


def sample_labels(X) -> list[str]:
    """Readable names for samples: "(0,1)" for the truth tables, "#k" otherwise."""
    if X.shape[1] <= LABEL_EVERY_SAMPLE:
        return [f"({x1:g},{x2:g})" for x1, x2 in X.T]
    return [f"#{k}" for k in range(X.shape[1])]
