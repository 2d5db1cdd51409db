"""The house look shared by every figure: a lean template, colours, markers, rounding.

``LEAN`` carries only the parts of Plotly's ``plotly_white`` that these figures
show (white background, pale grid, its font colour, borderless colour bars).
``plotly_white`` itself holds defaults for every trace type Plotly knows; building
it costs milliseconds per figure and adds ~7 KB of JSON to each one.
"""

from __future__ import annotations

import base64
import copy
import functools
import os

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


# Plotly checks every property of every trace as a figure is built: about 20 ms of CPU
# for one surface, 25x the cost of building it unchecked (measured). Figures here are
# built from plain dicts and checked only where a mistake would show, in the tests
# (tests/conftest.py sets BACKPROP_VALIDATE_FIGURES=1); the JSON sent is the same.
VALIDATE = os.environ.get("BACKPROP_VALIDATE_FIGURES") == "1"


def _named_scales(node):
    """Replace colour-scale names by their Python colour lists, in place, at any depth.

    Plotly's Python side does this when it checks a figure; plotly.js has scales of the
    same names that differ (its "RdBu" runs the other way), so it must be done here.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "colorscale" and isinstance(value, str):
                node[key] = _scale(value)
            else:
                _named_scales(value)
    elif isinstance(node, list):
        for item in node:
            _named_scales(item)
    return node


@functools.lru_cache(maxsize=32)
def _scale(name: str) -> list:
    from plotly.colors import get_colorscale
    return get_colorscale(name)


# Plotly.js's typed-array codes, and keys whose arrays Plotly leaves as they are.
_TYPES = {"float64": "f8", "float32": "f4", "int8": "i1", "int16": "i2", "int32": "i4",
          "uint8": "u1", "uint16": "u2", "uint32": "u4"}
_KEEP = ("geojson", "layer", "layers", "range")
_CODES = {np.dtype(name): code for name, code in _TYPES.items()}  # by dtype: no str() per array


def encode_arrays(node):
    """Numeric NumPy arrays, at any depth, as Plotly's base64 typed arrays, in place.

    ``{"dtype": "f4", "bdata": "...", "shape": "61, 61"}``: the form ``fig.to_dict()``
    gives them, made here in one pass (Plotly's own encoder checks each array through
    several layers and costs about 0.4 ms an array). int64 narrows as Plotly does.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _KEEP:
                continue
            if isinstance(value, np.ndarray):
                node[key] = typed(value)
            else:
                encode_arrays(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            encode_arrays(item)
    return node


def typed(v: np.ndarray):
    """One array as Plotly's base64 typed array (``{"dtype", "bdata", "shape"}``), as
    ``fig.to_dict()`` gives it; an empty or non-numeric array is returned as it is."""
    if v.size == 0 or v.dtype.kind not in "iuf":
        return v
    if v.dtype == np.int64 or v.dtype == np.uint64:
        for small in ("int8", "int16", "int32") if v.dtype.kind == "i" else (
                "uint8", "uint16", "uint32"):
            info = np.iinfo(small)
            if v.min() >= info.min and v.max() <= info.max:
                v = v.astype(small)
                break
        else:
            return v
    code = _CODES.get(v.dtype)
    if code is None:
        return v
    spec = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        spec["shape"] = str(v.shape)[1:-1]
    return spec


def trace(kind: str, **props) -> dict:
    """One trace as a plain dict, ``{"type": kind, **props}``: what ``go.Scatter(...)`` holds."""
    return {"type": kind, **props}


def new_figure(data=None, layout=None) -> go.Figure:
    """A figure on the lean template from the start, so Plotly never loads its default.

    data : a trace dict or a list of them (``trace``); checked only when VALIDATE is set.
    A figure that is changed after it is built (``add_trace``, ``update_*``) starts
    here; one that is finished at once is cheaper made by :func:`finished_figure`.
    """
    layout = dict(layout or {})
    layout["template"] = LEAN
    if isinstance(data, dict):
        data = [data]
    if not VALIDATE:
        encode_arrays(_named_scales(data))
        encode_arrays(_named_scales(layout))
    return go.Figure(data, layout, _validate=VALIDATE)


class FigureSpec(go.Figure):
    """A finished figure kept as the dict ``to_dict()`` gives (its arrays already base64).

    Streamlit asks a Plotly figure only for ``to_dict()`` (a plain dict it would check
    again, building a whole ``go.Figure``), so this one hands over its dict as it is.
    Plotly's constructor is skipped on purpose: building the objects cost about 40%
    of a figure (0.5 of 1.2 ms for the loss curve, 0.6 of 1.4 ms for the surface), for
    JSON that is the same. Nothing but ``to_dict`` / ``to_plotly_json`` may be asked
    of it; :func:`relayout` (so :func:`style`) still works on one being built.
    """

    def __init__(self, spec: dict):  # noqa: D107 - no super().__init__, see above
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    to_plotly_json = to_dict


def figure_spec(data=None, layout=None) -> FigureSpec:
    """What ``new_figure(data, layout).to_dict()`` gives, built as plain dicts.

    Used when figures are not validated: tests (which validate) hold the two equal
    for every builder (tests/test_look.py).
    """
    layout = _plain(dict(layout or {}))
    layout["template"] = _LEAN_JSON  # shared, already plain: see _LEAN_JSON
    data = [data] if isinstance(data, dict) else list(data or [])
    return FigureSpec({"data": _plain(data), "layout": layout})


def _plain(node):
    """In place, at any depth: what Plotly does to a figure's dicts as it takes them in.

    A property set to None is unset (dropped), a colour-scale name becomes its colours
    and a numeric array its base64 form (:func:`encode_arrays`).
    """
    if isinstance(node, dict):
        for key in [k for k, v in node.items() if v is None]:
            del node[key]
        for key, value in node.items():
            if key == "colorscale" and isinstance(value, str):
                node[key] = _scale(value)
            elif isinstance(value, np.ndarray):
                if key not in _KEEP:
                    node[key] = typed(value)
            elif isinstance(value, (dict, list, tuple)):
                _plain(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            if isinstance(item, (dict, list, tuple)):
                _plain(item)
    return node


# The lean template as plain dicts, shared by every FigureSpec rather than copied into
# each (0.1 ms a figure): a finished figure's template is only ever serialised, never
# written to (tests/test_look.py builds every figure and checks it is unchanged).
_LEAN_JSON = _plain(LEAN.to_plotly_json())


def finished_figure(data=None, layout=None) -> go.Figure:
    """A figure nothing is added to after: checked by Plotly when VALIDATE is set,
    else the same figure as a :class:`FigureSpec` (no Plotly objects built)."""
    return new_figure(data, layout) if VALIDATE else figure_spec(data, layout)


def house(height: int, title: str | None = None, **extra) -> dict:
    """The house layout as a dict: height, tight margins, font, optional left title."""
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
            "font": FONT, **({"title": {"text": title, "x": 0.0}} if title else {}), **extra}


def styled_figure(data, layout: dict, height: int, title: str | None = None,
                  **extra) -> go.Figure:
    """``finished_figure`` with the house layout merged under ``layout``, all in one build.

    The cheapest way to make a figure here: nothing is set after it is built.
    """
    whole = house(height, title, **extra)
    _merge(whole, layout)
    return finished_figure(data, whole)


def style(fig: go.Figure, height: int, title: str | None = None, **extra) -> go.Figure:
    """Apply :func:`house` to a figure made by :func:`new_figure` or :func:`finished_figure`.

    The layout is merged as a dict and set once: ``update_layout`` walks Plotly's
    property machinery key by key, which costs more than building the figure.
    """
    return relayout(fig, house(height, title, **extra))


def relayout(fig: go.Figure, changes: dict) -> go.Figure:
    """Merge ``changes`` into the figure's layout (nested dicts merge), in place; return it."""
    if isinstance(fig, FigureSpec):
        _merge(fig._spec["layout"], encode_arrays(_named_scales(copy.deepcopy(changes))))
        return fig
    layout = fig.layout.to_plotly_json()
    _merge(layout, changes)
    fig.layout = _named_scales(layout) if not VALIDATE else layout
    return fig


def _merge(into: dict, changes: dict) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def grid(rows: int, cols: int, titles, hspace: float, vspace: float) -> tuple[dict, list]:
    """A subplot grid's layout (axes, domains, titles) and each panel's (xaxis, yaxis) ids.

    Traces placed by these ids and the layout given to one ``new_figure`` call cost
    one validation, instead of one per ``add_trace(row=, col=)``. The grid for given
    arguments is worked out once (``make_subplots`` is slow); each call gets a copy.
    """
    layout, ids = _grid(rows, cols, tuple(titles), hspace, vspace)
    return copy.deepcopy(layout), list(ids)


@functools.lru_cache(maxsize=64)
def _grid(rows: int, cols: int, titles: tuple, hspace: float, vspace: float):
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
