"""Helpers for the AppTest suites (tests/test_app.py, tests/test_app_views.py).

Each test starts a fresh session (``AppTest.from_file``); training results are
cached per process, so only the first run of a config pays for it. Most tests
ask for 500 epochs through the URL to stay fast.

AppTest (1.67) cannot click a tab: ``at.tabs`` lists every tab's label, but a
``Tab`` has no setter. The app's tab groups have a key and are bound to the URL,
which makes them widgets, so a test opens a tab by writing its label into
``at.session_state[key]`` before a run, or by putting it in the link.

AppTest runs the script only: it does not play the browser's part of
``bind="query-params"`` (writing a bound widget's new value into the address bar),
so ``at.query_params`` holds only what the script itself wrote. The browser test
covers the address bar after a click.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from backprop import FIELDS, TrainConfig
from backprop.config import VERSION_KEY
from ui import widgets

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DEFAULTS = TrainConfig()
FAST = {"epochs": "500"}
PAGES = ["Run", "Lessons", "Live training", "Seed census", "Sweep", "Compare"]
VIEWS = ["Why stuck?", "Backprop step", "σ′ through training", "Hidden units", "Network",
         "Gradient check", "Set weights", "Loss landscape", "Gradient flow"]


def start(query: dict | None = None, **state) -> AppTest:
    """A session opened at ``?query``, with ``state`` in session_state, run once."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def url(at: AppTest) -> dict[str, str]:
    """The address bar's settings, one string per key."""
    values = {key: at.query_params[key] for key in at.query_params}
    return {k: v[-1] if isinstance(v, list) else v for k, v in values.items()}


def settings_in_url(at: AppTest) -> dict[str, str]:
    """The settings in the address bar, and the link's version ``v``."""
    return {k: v for k, v in url(at).items() if k in FIELDS or k == VERSION_KEY}


def control(at: AppTest, name: str):
    """The sidebar widget of a setting (widget keys are the FIELDS names)."""
    widget = FIELDS[name].widget
    if widget == "select":
        return at.selectbox(key=name)
    if widget == "slider":
        return at.slider(key=name)
    if widget == "text":
        return at.text_input(key=name)
    return at.number_input(key=name)


def shown(markdown: str) -> str:
    """What a reader sees: the app backslash-escapes user text so it cannot become markup."""
    return re.sub(r"\\(.)", r"\1", markdown)


def link_warnings(at: AppTest, kind: str = "setting") -> list[str]:
    """The warnings about a link's values: ``kind`` is "setting" or "view"."""
    prefix = f"Link {kind} ignored"
    return [shown(w.value) for w in at.warning if w.value.startswith(prefix)]


def charts(at: AppTest) -> list[dict]:
    """Every plotly chart's figure, parsed from the JSON spec the browser receives."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def landscape(at: AppTest) -> dict:
    """The loss landscape's figure: the contour with the training path drawn on it."""
    (figure,) = [c for c in charts(at) if any(t["type"] == "contour" for t in c["data"])
                 and any(t.get("name") == "training path" for t in c["data"])]
    return figure


def text_elements(at: AppTest) -> list[str]:
    """Bodies of everything rendered as markdown or raw HTML."""
    kinds = ("markdown", "caption", "latex", "html")
    return [str(node.value) for kind in kinds for node in at.get(kind)]


def config_from_state(at: AppTest) -> TrainConfig:
    return TrainConfig(**{name: widgets.read(name, at.session_state[name]) for name in FIELDS})


def truth_table(at: AppTest):
    (table,) = [d.value for d in at.dataframe if "prediction" in d.value.columns]
    return table


# --- telling the charts apart by what they plot -------------------------------------------

def axis_title(figure: dict, axis: str = "yaxis") -> str:
    title = figure["layout"].get(axis, {}).get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title)


def is_loss(figure: dict) -> bool:
    """The MSE curve: a line chart whose y axis is the MSE."""
    return "MSE" in axis_title(figure) and figure["data"][0]["type"] == "scatter"


def is_surface(figure: dict) -> bool:
    """The decision surface: one field of a⁽²⁾ (heatmap or contour) on the fixed 0–1 range."""
    field = [t for t in figure["data"] if t["type"] in ("heatmap", "contour")
             and t.get("zmin") == 0 and t.get("zmax") == 1]
    return len(field) == 1


def unit_maps(figure: dict) -> list[dict]:
    """The per-unit fields of a heatmap grid (heatmaps, or contours coloured as heatmaps)."""
    return [t for t in figure["data"] if t["type"] == "heatmap"
            or (t["type"] == "contour" and t.get("contours", {}).get("coloring") == "heatmap")]


def is_derivative_maps(figure: dict, top: float) -> bool:
    """The σ′ heatmaps: one heatmap per hidden unit on a shared colour axis [0, top]."""
    axis = figure["layout"].get("coloraxis", {})
    heat = unit_maps(figure)
    return bool(heat) and axis.get("cmin") == 0 and axis.get("cmax") == top


def values(array) -> list[float]:
    """A figure's numbers, whether plain JSON or Plotly's typed array ({dtype, bdata})."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def red_lines(figure: dict) -> list:
    return [s["x0"] for s in figure["layout"].get("shapes", [])
            if s.get("line", {}).get("color") == "#b2182b"]
