"""The Run page's elements and nothing else: Streamlit's own cost for the page we send.

``bench/floor.py`` runs this beside ``app.py``. It draws, in the same containers and
order, every element a full run of the Run page sends at the bench's setting (the
defaults at seed 4242, a stuck run, so the "Why stuck?" view shows its warning): the
sidebar's widgets, both rows of tabs, the columns, alerts, captions, the truth table
and the four charts. Every chart and table is built once, at start-up, for every
checkpoint, by the app's own builders, so a run here computes nothing: what a rerun
or a scrub costs on this page is the framework's floor (element protos, widget
registration, hashing, websocket sends). ``tests/test_bench_floor.py`` holds its
element kinds equal to the app's, for a full run and for a scrub.
"""

from __future__ import annotations

import streamlit as st

from backprop import FIELDS
from backprop.config import DEFAULTS
from backprop.explore import saturation
from ui import cache, widgets
from ui.common import CHART
from ui.views import VIEWS

SETTING = DEFAULTS.replace(seed=4242)  # the setting bench/scrub.py and bench/floor.py open
PAGES = ["Run", "Lessons", "Live training", "Seed census", "Sweep", "Compare"]
LINE = "A sentence of a caption, about as long as the app's own captions are. "


@st.cache_resource
def prepared() -> dict:
    """Every checkpoint's four figures and truth table, built once by the app's builders."""
    run = cache.cached_run(SETTING)
    ks, steps = range(len(run.history.epochs)), run.history.steps
    return {"epochs": run.history.epochs.tolist(), "verdict": run.verdict.text,
            "merged": [bool(saturation(steps["deriv1"][k], steps["a1"][k], run.y[0],
                                       SETTING.activation).merged) for k in ks],
            "tables": [cache.cached_truth_table(SETTING, None, k)["table"] for k in ks],
            "figures": [{name: cache.cached_figure(name, SETTING, None, k, *options)
                         for name, options in (("loss", (False,)), ("surface", ()),
                                               ("derivatives", ()), ("hidden space", ((0, 1),)))}
                        for k in ks]}


def sidebar() -> None:
    sb = st.sidebar
    sb.header("Settings")
    sb.button("↺ Tutorial defaults", width="stretch", help=LINE)
    sb.selectbox("Preset", ["a", "b"], index=None, key="preset", placeholder="Choose…",
                 help=LINE)
    shown = {name: widgets.shown(name, getattr(SETTING, name)) for name in FIELDS}
    for name, field in FIELDS.items():
        if field.applies(shown) and field.kind != "points":
            widgets.draw(sb, name, name, field.label, persist_state="session")
    sb.checkbox("Quiz mode", key="quiz", help=LINE)


@st.fragment
def run_page(ready: dict) -> None:
    epochs = ready["epochs"]
    left, right = st.columns([3, 2])
    with left:
        st.warning(ready["verdict"], icon=":material/warning:")
        st.caption(LINE * 5)
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
        epoch = row.select_slider("Epoch (recorded checkpoints)", options=epochs,
                                  value=epochs[-1], key="epoch", bind="query-params", help=LINE)
        row.toggle("Log-scale MSE", key="log_loss", bind="query-params")
    k = epochs.index(epoch)
    figures = ready["figures"][k]
    with right:
        st.markdown("**Truth table**, with the network's output after training")
        st.dataframe(ready["tables"][k], hide_index=True)
        st.caption("Final MSE 0.12829 after 10,000 epochs.")
    for column, name in zip(st.columns([1, 1, 1.4]), ("loss", "surface", "derivatives"),
                            strict=True):
        with column:
            st.plotly_chart(figures[name], **CHART)
            st.caption(LINE * 3)
    st.markdown("**More views** at the same epoch")
    tabs = st.tabs(list(VIEWS), key="view", bind="query-params")
    with tabs[0]:
        st.caption(LINE * 2)
        st.markdown("- hidden unit 1 is saturated on (1,0), (1,1)")
        if ready["merged"][k]:  # the app warns of merged samples only where they are
            st.warning(LINE * 3, icon=":material/merge:")
        st.caption(LINE * 4)
        st.plotly_chart(figures["hidden space"], **CHART)


def main() -> None:
    st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")
    ready = prepared()
    sidebar()
    st.title("Backprop Lab")
    st.caption(LINE * 4)
    st.container()  # the app's notices slot
    tabs = st.tabs(PAGES, key="page", bind="query-params")
    with tabs[0]:
        run_page(ready)
        st.expander("Files: download this run, or start from a saved one", key="files_open",
                    on_change="rerun")


if __name__ == "__main__":  # how ``streamlit run`` runs a page; importing it draws nothing
    main()
