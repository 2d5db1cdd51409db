"""Small pieces every panel uses: chart options, inert text, link checks, shared results."""

from __future__ import annotations

import gc
import re

import streamlit as st

from backprop.lru import LRU

CHART = {"theme": None, "config": {"displaylogo": False}}

# The view controls bound to the address bar with ``bind="query-params"``, by key. The
# settings sync leaves these alone (see ``ui.settings.sync_url``).
VIEW_KEYS = ("page", "view", "epoch", "sample", "log_loss", "unit_x", "unit_y", "census_n",
             "sweep_seeds", "lesson", "step", "answer", "number", "quiz", "w", "from_w",
             "by_weights", "axis_x", "axis_y", "step_layer")

MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!<>|~$:]")


def plain(text: str) -> str:
    """User-supplied text made inert for st.markdown: no links, images, LaTeX or emphasis."""
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", str(text))


# --- the view in the link -----------------------------------------------------------------
# Streamlit drops a bound parameter it cannot use without a word. These checks run just
# before each bound widget on a run that follows a link, and note a warning instead.

def _link_value(key: str) -> str | None:
    if not st.session_state.get("following_link"):
        return None
    values = st.query_params.get_all(key)
    return values[-1] if values else None


def note_link_value(key: str, allowed: str, raw: str, fallback: str) -> None:
    """Record that the link's ``key=raw`` was not usable, and what is shown instead."""
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    st.session_state.setdefault("view_warnings", []).append(
        f"{key} must be {allowed}, got {shown!r}; showing {fallback}")


def check_link_choice(key: str, labels: list[str], fallback: str, allowed: str | None = None):
    """Warn if the link's ``key`` is not one of ``labels`` (the widget's option labels)."""
    raw = _link_value(key)
    if raw is not None and raw not in labels:
        note_link_value(key, allowed or "one of " + ", ".join(labels), raw, fallback)


def check_link_number(key: str, lo: int, hi: int, fallback: int) -> None:
    """Warn if the link's ``key`` is not a whole number in [lo, hi]."""
    raw = _link_value(key)
    if raw is None:
        return
    try:
        good = float(raw) == int(float(raw)) and lo <= float(raw) <= hi
    except (ValueError, OverflowError):
        good = False
    if not good:
        note_link_value(key, f"a whole number >= {lo} and <= {hi}", raw, str(fallback))


def check_link_flag(key: str) -> None:
    """Warn if the link's ``key`` is not true or false."""
    raw = _link_value(key)
    if raw is not None and raw.strip().lower() not in ("true", "false"):
        note_link_value(key, "true or false", raw, "false")


# --- the heap ---------------------------------------------------------------------------

_FROZEN: list[bool] = []


def freeze_startup_heap() -> None:
    """Once per process, after the app's imports: take every object alive now (modules,
    functions, Streamlit's server, Plotly's validators) out of the collector's scans.

    With ``runner.postScriptGC = false`` Python's own generational collector still
    runs a full collection every so often, and each one walked the whole heap (about
    90 ms with the GIL held, felt by every session at once). After ``gc.freeze()`` a
    full collection scans only what the sessions made since (about 1 ms): measured
    with ``python -m bench.breakdown`` (its GC rows) and ``python -m bench.load --explore``.
    """
    if _FROZEN:
        return
    _FROZEN.append(True)
    gc.collect()  # garbage from the imports goes now, not into the frozen generation
    gc.freeze()


# --- results shared by every session --------------------------------------------------------

@st.cache_resource
def shared_results(name: str, limit: int) -> LRU:
    """One LRU per ``name`` for the whole server: a result computed once serves everyone."""
    return LRU(limit)


def with_progress(label: str, compute):
    """Run ``compute(report)`` under a progress bar; ``report(fraction)`` moves the bar."""
    bar = st.progress(0.0, text=label)
    try:
        return compute(lambda f: bar.progress(min(max(f, 0.0), 1.0), text=label))
    finally:
        bar.empty()


def shared(name: str, limit: int, key, label: str, compute):
    """``compute(report)`` once per ``key`` for everyone, with a progress bar while it runs.

    A session that arrives while another computes the same key waits under a spinner.
    """
    waiting = st.empty()

    def wait():
        waiting.caption(f"⏳ {label} (started by another visitor)")

    try:
        return shared_results(name, limit).get(key, lambda: with_progress(label, compute),
                                               waiting=wait)
    finally:
        waiting.empty()
