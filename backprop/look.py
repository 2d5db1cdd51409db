"""The house look shared by every figure: a lean template, colours, markers, rounding.

``LEAN`` carries only the parts of Plotly's ``plotly_white`` that these figures
show (white background, pale grid, its font colour, borderless colour bars).
``plotly_white`` itself holds defaults for every trace type Plotly knows; building
it costs milliseconds per figure and adds ~7 KB of JSON to each one.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

BLUE, RED, GREY = "#2166ac", "#b2182b", "#555555"
INK = "#2a3f5f"  # plotly_white's text colour
GRID = "#EBF0F8"  # plotly_white's grid colour
FONT = {"size": 13}

_AXIS = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "zerolinewidth": 2,
         "ticks": "", "automargin": True, "title": {"standoff": 15}}
BAR = {"outlinewidth": 0, "ticks": ""}  # plotly_white's colour bar; set on each bar
# Layout only: per-trace defaults would make Plotly build one object per trace type.
LEAN = go.layout.Template(layout={
    "font": {"color": INK}, "hovermode": "closest", "hoverlabel": {"align": "left"},
    "paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": _AXIS, "yaxis": _AXIS,
    "coloraxis": {"colorbar": BAR}, "shapedefaults": {"line": {"color": INK}},
    "annotationdefaults": {"arrowcolor": INK, "arrowhead": 0, "arrowwidth": 1}})


def new_figure(data=None, layout=None) -> go.Figure:
    """A figure on the lean template from the start, so Plotly never loads its default."""
    layout = dict(layout or {})
    layout["template"] = LEAN
    return go.Figure(data, layout)


def house(height: int, title: str | None = None, **extra) -> dict:
    """The house layout as a dict: height, tight margins, font, optional left title."""
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
            "font": FONT, "title": {"text": title, "x": 0.0} if title else None, **extra}


def style(fig: go.Figure, height: int, title: str | None = None, **extra) -> go.Figure:
    """Apply :func:`house` to a figure made by :func:`new_figure` (so on the lean template)."""
    fig.update_layout(**house(height, title, **extra))
    return fig


def grid(rows: int, cols: int, titles, hspace: float, vspace: float) -> tuple[dict, list]:
    """A subplot grid's layout (axes, domains, titles) and each panel's (xaxis, yaxis) ids.

    Traces placed by these ids and the layout given to one ``new_figure`` call cost
    one validation, instead of one per ``add_trace(row=, col=)``.
    """
    from plotly.subplots import make_subplots

    shell = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles),
                          horizontal_spacing=hspace, vertical_spacing=vspace,
                          figure=go.Figure(layout={"template": LEAN}))
    layout = shell.layout.to_plotly_json()
    layout.pop("template", None)
    ids = [("x" + ("" if k == 0 else str(k + 1)), "y" + ("" if k == 0 else str(k + 1)))
           for k in range(rows * cols)]
    return layout, ids


# --- the output colour scale ---------------------------------------------------------------
# RdBu (colour-blind safe), re-spaced so that colour strength follows confidence:
# p is drawn with RdBu's colour at 0.5 ± 0.5·(2|p − 0.5|)². An output of 0.66 (a weak
# "1") stays nearly white; only outputs near 0 or 1 get the deep red or blue.
_RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
         "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"]


def _rdbu(t: float) -> str:
    k = t * (len(_RDBU) - 1)
    i = min(int(k), len(_RDBU) - 2)
    a, b = (np.array([int(c[j:j + 2], 16) for j in (1, 3, 5)]) for c in _RDBU[i:i + 2])
    r, g, bl = np.round(a + (b - a) * (k - i)).astype(int)
    return f"#{r:02x}{g:02x}{bl:02x}"


def _confidence_scale(stops: int = 21) -> list:
    ps = np.linspace(0, 1, stops)
    return [[round(float(p), 3), _rdbu(0.5 + 0.5 * np.sign(p - 0.5) * (2 * abs(p - 0.5)) ** 2)]
            for p in ps]


OUTPUT_SCALE = _confidence_scale()
OUTPUT_TICKS = {"tickvals": [0, 0.1, 0.5, 0.9, 1],
                "ticktext": ["0", "0.1", "0.5 unsure", "0.9", "1"]}
DERIVATIVE_SCALE = "Viridis"

# Sample markers that show on every background: a white ring (target 1) and a black
# cross with a white edge (target 0). Different shapes and sizes, so a ring and a
# cross on the same spot both stay visible.
TARGET_MARKERS = {
    1: {"symbol": "circle", "color": "white", "line": {"color": "black", "width": 2}},
    0: {"symbol": "x", "color": "black", "line": {"color": "white", "width": 1.5}},
}
TARGET_SIZE = {1: 1.0, 0: 0.8}  # relative sizes: the cross sits inside a merged ring


def rounded(z, decimals: int = 4) -> np.ndarray:
    """Values to ``decimals`` places, as float32: what a chart can show, in half the JSON.

    Plotly sends NumPy arrays as base64 of their bytes, so the JSON size follows the
    dtype (float32: 4 bytes a value), not the digits; rounding keeps hover text short.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's values become ±inf
        return np.round(np.asarray(z, dtype=float), decimals).astype(np.float32)


def interior_ticks(lo: float, hi: float, step: float = 0.5) -> list[float]:
    """Tick values strictly inside (lo, hi), so two axes' end ticks never meet in a corner."""
    first = np.ceil(lo / step) * step
    ticks = np.arange(first, hi, step)
    return [round(float(t), 6) for t in ticks if lo + 1e-9 < t < hi - 1e-9]
