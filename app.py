"""Backprop Lab: watch a small network learn XOR by backpropagation.

The page. Everything it draws comes from the ``ui`` package, which reads the
settings (sidebar and URL), calls ``backprop`` through cached wrappers and
places its figures. One URL holds the whole view: settings, tab, epoch, sample.
"""

from __future__ import annotations

import streamlit as st

from ui import compare, explore, files, handweights, lessons, live, run, settings
from ui.common import check_link_choice, freeze_startup_heap

freeze_startup_heap()  # once per process: the imports above are never garbage

PAGES = {
    "Run": run.run_tab,
    "Lessons": lessons.lessons_page,
    "Live training": lambda config, start: live.live_controls(config),
    "Seed census": lambda config, start: explore.census_panel(config),
    "Sweep": lambda config, start: explore.sweep_panel(config),
    "Compare": compare.compare_page,
}


def main() -> None:
    st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")
    settings.load_settings_from_url()
    config = settings.settings_controls()
    with st.sidebar:
        lessons.quiz_controls()
    compare.hold_link()  # B's b.* settings, before sync_url drops the keys it does not know
    settings.sync_url(config)
    st.title("Backprop Lab")
    run.intro_panel(config)
    notices = st.container()
    files.upload_error_panel()
    handweights.start_from_link(config)  # ?from_w=true: train from the link's hand weights
    start = files.uploaded_weights(config)
    labels = list(PAGES)
    check_link_choice("page", labels, labels[0])
    tabs = st.tabs(labels, key="page", bind="query-params")
    for tab, page in zip(tabs, PAGES.values(), strict=True):
        if tab.open:
            with tab:
                page(config, start)
    with notices:  # last, so the view controls above have checked the link first
        settings.link_warnings_panel()
    st.session_state.following_link = False


main()
