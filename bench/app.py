"""Dashboard benchmarks through Streamlit's AppTest, in-process: ``python -m bench.app``.

- a cold default run (every cache cleared): what the first visitor waits for;
- a rerun after moving the epoch scrubber, median of several moves: what a
  student feels while scrubbing (each move is to a checkpoint not seen before,
  so the plane under the surface is computed, not cached);
- the Plotly JSON sent per rerun, for the default view and for each view tab:
  the sum of the ``spec`` strings of every ``plotly_chart`` element.

Times include AppTest's own overhead, and AppTest always reruns the whole
script: in a browser the scrubber reruns only the views fragment. So both
overstate what a viewer waits for.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.views import VIEWS as VIEW_PANELS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
VIEWS = list(VIEW_PANELS)  # the app's own view tabs, so a renamed tab is never measured stale
COLD_TARGET_S = 1.5
SCRUB_TARGET_S = 0.3
SCRUB_MOVES = 5
PLOTLY_TARGET_MB = 2.0


def _session(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    return at


def _run(at: AppTest) -> float:
    """Seconds for one script run; raises if the app raised."""
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"app raised: {[e.message for e in at.exception]}")
    return seconds


def plotly_bytes(at: AppTest) -> int:
    """Bytes of Plotly JSON in the last run: every chart's figure ``spec``."""
    return sum(len(chart.proto.spec.encode()) for chart in at.get("plotly_chart"))


def scrubber(at: AppTest):
    """The epoch scrubber, found by its label as a person finds it."""
    sliders = [s for s in at.select_slider if "epoch" in str(s.label).lower()]
    if not sliders:
        raise LookupError(f"no epoch slider; sliders: {[s.label for s in at.select_slider]}")
    return sliders[0]


def cold_default_run() -> tuple[float, AppTest]:
    st.cache_resource.clear()
    st.cache_data.clear()
    import ui.cache  # the app's own shared stores of runs, grids and figures

    ui.cache.clear()
    at = _session()
    return _run(at), at


def scrub_reruns(at: AppTest, moves: int = SCRUB_MOVES) -> list[float]:
    """Rerun times after moving the epoch scrubber to ``moves`` fresh checkpoints."""
    options = [int(e) for e in scrubber(at).options]
    picks = [options[round(i * (len(options) - 2) / max(moves - 1, 1))] for i in range(moves)]
    times = []
    for epoch in picks:
        scrubber(at).set_value(epoch)
        times.append(_run(at))
    return times


def _row(name, value, unit, target, fmt="g"):
    return {"name": name, "value": value, "unit": unit, "reference": target,
            "ratio": value / target, "target": f"<= {target:{fmt}} {unit}"}


def measure() -> list[dict]:
    cold_s, at = cold_default_run()
    rows = [_row("cold default run (caches cleared), script time", cold_s, "s", COLD_TARGET_S)]
    warm_s = _run(_session())
    rows.append(_row("new session, default run, warm caches", warm_s, "s", COLD_TARGET_S))
    scrub = statistics.median(scrub_reruns(at))
    rows.append(_row(f"rerun after moving the epoch scrubber (median of {SCRUB_MOVES})",
                     scrub, "s", SCRUB_TARGET_S))
    default_mb = plotly_bytes(_session().run()) / 1e6
    rows.append(_row("Plotly JSON per rerun, default view", default_mb, "MB",
                     PLOTLY_TARGET_MB))
    for view in VIEWS:
        at = _session(view=view)
        _run(at)
        rows.append(_row(f"Plotly JSON per rerun, view '{view}'", plotly_bytes(at) / 1e6,
                         "MB", PLOTLY_TARGET_MB))
    return rows


def print_rows(rows) -> None:
    for r in rows:
        ratio = f"{r['ratio']:.3g}x" if r.get("ratio") is not None else "-"
        print(f"{r['name']:<58} {r['value']:>9.3g} {r['unit']:<3} {ratio:<8} {r['target']}")


if __name__ == "__main__":
    print_rows(measure())
