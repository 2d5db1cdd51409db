"""Every view and page in Chromium at depth 1 (the tutorial's one hidden layer) and depth 3,
with each optimizer: each opens from its link without an exception box, with its charts
drawn and no warning that the link was misread.

The views are opened by their link (``?view=…``), the way a lecturer's shared link opens
them. The optimizers take turns across the views, so every view meets both depths and
every optimizer meets every depth.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from appsession import PAGES, VIEWS
from browser import ALERT, EXCEPTION, drawn_charts, launch_chromium, serve_app, wait_for_app

WIDE = {"width": 1400, "height": 1000}
DEPTHS = {"depth 1": "2", "depth 3": "4,3,2"}
OPTIMIZERS = ("gd", "momentum", "adam")
RATES = {"gd": "0.5", "momentum": "0.1", "adam": "0.01"}
FIRST_SCREEN_CHARTS = 3  # loss, surface, σ′ maps
# Pages whose charts wait for a button (census, sweep) or a lesson answer draw none at first.
PAGE_CHARTS = {"Run": FIRST_SCREEN_CHARTS, "Live training": 1, "Compare": 2}


def _cases():
    cases = []
    for depth, hidden in DEPTHS.items():
        for i, view in enumerate(VIEWS):
            optimizer = OPTIMIZERS[i % len(OPTIMIZERS)]
            cases.append((f"{depth}, {view}, {optimizer}", hidden, optimizer, "Run", view))
        for i, page in enumerate(PAGES[1:]):
            optimizer = OPTIMIZERS[i % len(OPTIMIZERS)]
            cases.append((f"{depth}, {page} page, {optimizer}", hidden, optimizer, page, None))
    return cases


def _link(base: str, hidden: str, optimizer: str, page: str, view: str | None) -> str:
    query = {"hidden": hidden, "optimizer": optimizer, "lr": RATES[optimizer],
             "epochs": "1500", "page": page}
    if view is not None:
        query["view"] = view
    return f"{base}?{urlencode(query)}"


@pytest.mark.usefixtures("require_browser")
def test_every_view_at_depth_1_and_3_with_each_optimizer():
    from playwright.sync_api import sync_playwright

    port = int(os.environ.get("APP_PORT", "0")) or None
    failures = []
    with serve_app("app.py", timeout=90, port=port) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for name, hidden, optimizer, page_name, view in _cases():
                page = browser.new_page(viewport=WIDE)
                try:
                    page.goto(_link(url, hidden, optimizer, page_name, view))
                    try:
                        wait_for_app(page, timeout=60, min_charts=PAGE_CHARTS.get(page_name, 0))
                    except TimeoutError as err:
                        failures.append(f"{name}: {err}")
                        continue
                    errors = page.locator(EXCEPTION).all_inner_texts()
                    misread = page.locator(ALERT).filter(has_text="Link").all_inner_texts()
                    selected = page.locator('[role="tab"][aria-selected="true"]').all_inner_texts()
                    wanted = [page_name] + ([view] if view else [])
                    if errors or misread or selected[:len(wanted)] != wanted:
                        failures.append(f"{name}: exceptions {errors}, link warnings {misread}, "
                                        f"tabs {selected}")
                    if view is not None and drawn_charts(page) < FIRST_SCREEN_CHARTS:
                        failures.append(f"{name}: only {drawn_charts(page)} charts drawn")
                finally:
                    page.close()
        finally:
            browser.close()
    assert not failures, "\n".join(failures)
