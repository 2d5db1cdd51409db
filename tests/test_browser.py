"""The real app in a real browser: ``streamlit run app.py`` headless, opened in Chromium.

AppTest checks the script; this checks what a visitor gets: the page loads without an
exception box, the charts actually draw, a bad link is reported, and a phone-width
window still works. Set SCREENSHOT_DIR to keep a PNG of each phase.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import (
    ALERT,
    EXCEPTION,
    drawn_charts,
    launch_chromium,
    screenshot,
    serve_app,
    wait_for_app,
    wait_for_rerun,
)

# Plotly charts that must draw on the default page (the Run tab).
MIN_CHARTS = 2  # the loss curve and the decision surface
WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 400, "height": 900}
BAD_LINK = "hidden=3&lr=abc"
PROGRESS = '[data-testid="stProgress"]'


def _open(browser, url: str, viewport: dict, shot: str):
    """A fresh session at ``url``, waited on until its script ran and its charts drew."""
    page = browser.new_page(viewport=viewport)
    page.goto(url)
    wait_for_app(page, timeout=45, min_charts=MIN_CHARTS)
    if os.environ.get("SCREENSHOT_DIR"):
        out = Path(os.environ["SCREENSHOT_DIR"])
        out.mkdir(parents=True, exist_ok=True)
        screenshot(page, out / f"{shot}.png")
    return page


def _exceptions(page) -> list[str]:
    return page.locator(EXCEPTION).all_inner_texts()


@pytest.mark.usefixtures("require_browser")
def test_app_in_chromium():
    from playwright.sync_api import sync_playwright

    with serve_app("app.py") as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            # Desktop, default settings.
            page = _open(browser, url, WIDE, "wide")
            assert _exceptions(page) == []
            assert "Backprop Lab" in page.title()
            assert "Backprop Lab" in page.locator("h1").first.inner_text()
            assert drawn_charts(page) >= MIN_CHARTS

            # The σ′ heatmaps: the loss, one panel figure per view, and the timeline.
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="σ′ heatmaps").click(),
                           min_charts=3)
            assert _exceptions(page) == []
            assert page.get_by_text("σ′(z¹) of each hidden unit").count() >= 1

            # The seed census: histogram and small multiples of decision surfaces.
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="Seed census").click(),
                           min_charts=2)
            assert _exceptions(page) == []
            assert page.get_by_text("Solved", exact=True).count() >= 1

            # The sweep: changing a setting while it runs cancels it (nothing is kept).
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="Sweep").click())
            page.get_by_role("button", name="Run sweep").click()
            page.locator(PROGRESS).wait_for(timeout=10_000)
            seed = page.get_by_role("spinbutton", name="Random seed")
            seed.fill("5")
            seed.press("Enter")
            page.locator(PROGRESS).wait_for(state="detached", timeout=4_000)  # sweep: ~6 s
            wait_for_app(page, timeout=30)
            assert page.get_by_role("button", name="Run sweep").count() == 1, "sweep was kept"
            assert _exceptions(page) == []

            # Live training: Play advances the epoch counter by itself.
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="Live training").click(),
                           min_charts=3)
            page.get_by_role("button", name="▶ Play").click()
            page.get_by_text(re.compile(r"Epoch [1-9][\d,]*")).first.wait_for(timeout=20_000)
            assert _exceptions(page) == []

            # A link with a bad value: the app falls back and says so.
            page = _open(browser, f"{url}?{BAD_LINK}", WIDE, "bad-link")
            assert _exceptions(page) == []
            warning = page.locator(ALERT).filter(has_text=re.compile(r"\blr\b"))
            assert warning.count() >= 1, (
                f"no warning naming lr for ?{BAD_LINK}; alerts: "
                f"{page.locator(ALERT).all_inner_texts()}")

            # Phone width.
            page = _open(browser, url, NARROW, "narrow")
            assert _exceptions(page) == []
            assert drawn_charts(page) >= MIN_CHARTS
        finally:
            browser.close()
