"""The real app in a real browser: ``streamlit run app.py`` headless, opened in Chromium.

AppTest checks the script; this checks what a visitor gets: the page loads without an
exception box, the first screen's charts actually draw, a link holds the whole view
(reopened in a fresh browser it shows the same tabs, epoch and sample), a bad link is
reported, and a phone-width window still works. Set SCREENSHOT_DIR to keep a PNG of
each phase.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import (
    ALERT,
    EXCEPTION,
    PlaywrightTimeout,
    drawn_charts,
    launch_chromium,
    screenshot,
    serve_app,
    wait_for_app,
    wait_for_rerun,
)

# Plotly charts that must draw on the default page: the first screen's loss curve,
# decision surface and σ′ heatmaps (the open view tab adds one more).
MIN_CHARTS = 3
WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 400, "height": 900}
BAD_LINK = "hidden=3&lr=abc&epoch=zz"
SWEEP_TIMEOUT = 240  # the tutorial sweep, computed on first use: ~20 s CPU on one core
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


def _set_number(page, label: str, value: str, wait: bool = True) -> None:
    box = page.get_by_role("spinbutton", name=label)
    box.fill(value)
    if wait:
        wait_for_rerun(page, lambda: box.press("Enter"))
    else:
        box.press("Enter")


def _pick(page, label: str, option: str, tries: int = 3) -> None:
    """Choose ``option`` in a selectbox; a rerun landing meanwhile closes the list, so retry."""
    for attempt in range(tries):
        page.get_by_role("combobox", name=label).click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=5_000)
            wait_for_rerun(page, choice.click)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def _view_state(page) -> dict:
    """What the Run page shows: the open tabs, the epoch, the sample and the log switch."""
    return {
        "tabs": page.locator('[role="tab"][aria-selected="true"]').all_inner_texts(),
        "epoch": page.get_by_role("slider", name="Epoch (recorded checkpoints)")
                     .get_attribute("aria-valuetext"),
        "sample": page.get_by_role("combobox", name="Sample x to follow through one step")
                      .input_value(),
        "log": page.get_by_role("switch", name="Log-scale MSE").is_checked(),
    }


def _link_round_trip(browser, url: str) -> None:
    """Change every view control by hand, then open the address bar in a fresh browser."""
    page = _open(browser, f"{url}?epochs=500", WIDE, "view-before")
    wait_for_rerun(page, lambda: page.get_by_role("tab", name="Backprop step").click())
    epoch = page.get_by_role("slider", name="Epoch (recorded checkpoints)")
    epoch.focus()
    epoch.press("Home")
    for _ in range(5):
        epoch.press("ArrowRight")
    wait_for_app(page, timeout=60)
    wait_for_rerun(page, lambda: page.get_by_text("Log-scale MSE").click())
    wait_for_app(page, timeout=60)
    _pick(page, "Sample x to follow through one step", "(1,0)")
    before = _view_state(page)
    assert before["tabs"] == ["Run", "Backprop step"], before
    assert before["epoch"] not in ("0", "500") and before["sample"] == "(1,0)" and before["log"]
    link = page.url
    for key in ("view=", "epoch=", "sample=", "log_loss=", "epochs=500"):
        assert key in link, f"{key} missing from the address bar: {link}"
    fresh = browser.new_context(viewport=WIDE)  # no cookies or session of the first
    try:
        again = fresh.new_page()
        again.goto(link)
        wait_for_app(again, timeout=45, min_charts=MIN_CHARTS)
        assert _exceptions(again) == []
        assert _view_state(again) == before
        assert again.locator(ALERT).filter(has_text="Link").count() == 0
    finally:
        fresh.close()


@pytest.mark.usefixtures("require_browser")
def test_app_in_chromium():
    from playwright.sync_api import sync_playwright

    port = int(os.environ.get("APP_PORT", "0")) or None  # default: any free port
    with serve_app("app.py", timeout=90, port=port) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            # Desktop, default settings.
            page = _open(browser, url, WIDE, "wide")
            assert _exceptions(page) == []
            assert "Backprop Lab" in page.title()
            assert "Backprop Lab" in page.locator("h1").first.inner_text()
            assert drawn_charts(page) >= MIN_CHARTS

            # The first screen: verdict, truth table, loss, surface and σ′ maps at once.
            assert page.get_by_text("Truth table").count() >= 1
            assert page.get_by_text("of each hidden unit j over the input plane").count() >= 1

            # The seed census: histogram and small multiples of decision surfaces.
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="Seed census").click(),
                           min_charts=2)
            assert _exceptions(page) == []
            assert page.get_by_text("Solved", exact=True).count() >= 1

            # The sweep opens with the tutorial's sweep; one for other settings waits for its
            # button, and changing a setting while it runs cancels it (nothing is kept).
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="Sweep").click(),
                           timeout=SWEEP_TIMEOUT, min_charts=1)
            assert page.get_by_text("Solved fraction for the tutorial defaults").count() == 1
            assert page.get_by_role("button", name="Run sweep for these settings").count() == 0
            _set_number(page, "Epochs", "2000")
            assert page.get_by_text("Solved fraction for the tutorial defaults").count() == 1
            page.get_by_role("button", name="Run sweep for these settings").click()
            page.locator(PROGRESS).wait_for(timeout=10_000)
            _set_number(page, "Random seed", "5", wait=False)
            page.locator(PROGRESS).wait_for(state="detached", timeout=10_000)
            wait_for_app(page, timeout=30)
            assert page.get_by_role("button", name="Run sweep for these settings").count() == 1, (
                "the interrupted sweep was kept")
            assert _exceptions(page) == []

            # Live training: Play advances the epoch counter by itself.
            wait_for_rerun(page, lambda: page.get_by_role("tab", name="Live training").click(),
                           min_charts=3)
            page.get_by_role("button", name="▶ Play").click()
            page.get_by_text(re.compile(r"Epoch [1-9][\d,]*")).first.wait_for(timeout=20_000)
            assert _exceptions(page) == []

            # The whole view in the link.
            _link_round_trip(browser, url)

            # A link with a bad value: the app falls back and says so.
            page = _open(browser, f"{url}?{BAD_LINK}", WIDE, "bad-link")
            assert _exceptions(page) == []
            for name in ("lr", "epoch"):
                warning = page.locator(ALERT).filter(has_text=re.compile(rf"\b{name} must be"))
                assert warning.count() == 1, (
                    f"no warning naming {name} for ?{BAD_LINK}; alerts: "
                    f"{page.locator(ALERT).all_inner_texts()}")

            # Phone width.
            page = _open(browser, url, NARROW, "narrow")
            assert _exceptions(page) == []
            assert drawn_charts(page) >= MIN_CHARTS
        finally:
            browser.close()
