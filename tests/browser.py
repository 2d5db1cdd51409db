"""Drive the real app in a real browser: a headless ``streamlit run`` opened in Chromium.

Shared by ``tests/test_browser.py`` and ``tools/screenshot.py``::

    with serve_app() as url, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        wait_for_app(page, min_charts=1)
        screenshot(page, "screenshots-tmp/app.png")

Playwright drives Debian's Chromium (``shutil.which("chromium")``); it never downloads one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # Let this module import anyway, so tests can skip cleanly.
    PlaywrightTimeout = TimeoutError

ROOT = Path(__file__).resolve().parent.parent

# Streamlit 1.67's DOM, checked against a running app.
APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
ALERT = '[data-testid="stAlert"]'
# The top-right "Running..." widget; it shows ~0.5 s after a run starts, so
# wait_for_app reads the run state on the app root instead.
RUNNING = '[data-testid="stStatusWidget"]'
IDLE_STATES = ("notRunning", "compilationError")
CHART = ".js-plotly-plot"
CHART_BOX = '[data-testid="stPlotlyChart"]'
# The placeholder Streamlit shows while an element's frontend code is still loading.
SKELETON = '[data-testid="stSkeleton"]'
# The panes that scroll (the document itself does not).
SCROLLING_PANES = '[data-testid="stMain"], [data-testid="stSidebarContent"]'
# Counts the charts whose SVG has drawn with a non-zero size.
_DRAWN_JS = """((sel) => [...document.querySelectorAll(sel)].filter(c => {
    const svg = c.querySelector('svg.main-svg');
    if (!svg) return false;
    const r = svg.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
}).length)"""

# Without the background-networking flags Chromium keeps dialling Google's services,
# which on a closed network only costs time and log noise.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def serve_app(app_path: str | os.PathLike = "app.py", query: str = "",
              timeout: float = 60, port: int | None = None) -> Iterator[str]:
    """Run ``streamlit run app_path`` headless on a free loopback port; yield its URL.

    ``app_path`` is relative to the repository root (the working directory of the
    server). ``query`` (``"hidden=3&lr=0.5"``, no ``?``) is appended to the yielded URL.
    The server's whole process group is killed on exit, even when the body raises.
    Raises RuntimeError, with the server's output, if it is not healthy within ``timeout``
    seconds or exits early. ``port`` defaults to a free one.
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    # A file, not a pipe: nobody reads the output while the app runs, and a full pipe
    # would block the server.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(base):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    state = (f"exited with code {proc.returncode}" if proc.poll() is not None
                             else f"not healthy after {timeout:.0f} s")
                    raise RuntimeError(f"streamlit run {app_path} {state}:\n{output}")
                time.sleep(0.2)
            yield f"{base}/?{query}" if query else f"{base}/"
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's process group, then kill it if it lingers."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def launch_chromium(playwright, **kwargs):
    """Launch Debian's headless Chromium through Playwright; extra kwargs go to launch()."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                      args=CHROMIUM_ARGS, **kwargs)


def chromium_path() -> str | None:
    """The system Chromium, or None if it is not installed."""
    return shutil.which("chromium")


def wait_for_app(page, timeout: float = 60, min_charts: int = 0) -> None:
    """Wait until the script has finished running and ``min_charts`` Plotly charts have drawn.

    ``timeout`` is in seconds for the whole wait. Streamlit writes the run state on the
    app root (``data-test-script-state``: ``initial``, ``running``, ``rerunRequested``,
    ``notRunning``, ...). A run counts as finished once the state has been ``notRunning``
    (or ``compilationError``) for half a second: a script may rerun straight away.
    Raises TimeoutError if that does not happen in time.
    """
    deadline = time.monotonic() + timeout
    page.wait_for_selector(APP, state="attached", timeout=_ms_left(deadline))
    settled_since = None
    while True:
        state = page.get_attribute(APP, "data-test-script-state")
        now = time.monotonic()
        if state not in IDLE_STATES:
            settled_since = None
        elif settled_since is None:
            settled_since = now
        elif now - settled_since >= 0.5:
            break
        if now > deadline:
            raise TimeoutError(f"the app was still {state!r} after {timeout:.0f} s")
        page.wait_for_timeout(100)
    if min_charts:
        # Stop early on an exception box: the missing charts will never come.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                f"([sel, n, exc]) => document.querySelector(exc) || {_DRAWN_JS}(sel) >= n",
                arg=[CHART, min_charts, EXCEPTION], timeout=_ms_left(deadline))
        drawn = drawn_charts(page)
        if drawn < min_charts:
            errors = page.locator(EXCEPTION).all_inner_texts()
            why = f"the app raised:\n{errors[0]}" if errors else f"after {timeout:.0f} s"
            raise TimeoutError(f"only {drawn} of {min_charts} charts drew; {why}")


def wait_for_all_charts(page, timeout: float = 30) -> None:
    """Wait until every visible Plotly chart has drawn and no element is still loading.

    For pictures rather than assertions: charts in hidden tabs are ignored, and on
    timeout it returns quietly, leaving the caller to photograph what there is.
    """
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """([skeleton, box, sel]) => !document.querySelector(skeleton)
                && [...document.querySelectorAll(box)].filter(b => b.offsetParent !== null)
                   .every(b => { const svg = b.querySelector(sel + ' svg.main-svg');
                                 return svg && svg.getBoundingClientRect().width > 0; })""",
            arg=[SKELETON, CHART_BOX, CHART], timeout=timeout * 1000)
    # Let Plotly's own layout transitions finish before anything is captured.
    page.wait_for_timeout(300)


def screenshot(page, path: str | os.PathLike, full_page: bool = True) -> None:
    """Save a PNG of the page; ``full_page`` includes everything scrolled out of view.

    Streamlit scrolls inside its own panes (the main area and the sidebar), not the
    document, so Playwright's ``full_page`` alone would stop at the window's edge. Instead
    the window is made as tall as the tallest visible pane for the shot, then restored.
    """
    viewport = page.viewport_size
    height = page.evaluate(
        """(panes) => Math.max(innerHeight, ...[...document.querySelectorAll(panes)]
               .filter(e => e.getBoundingClientRect().right > 0)
               .map(e => e.scrollHeight + innerHeight - e.clientHeight))""",
        SCROLLING_PANES) if full_page else viewport["height"]
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        wait_for_all_charts(page)
    try:
        page.screenshot(path=path, full_page=full_page)
    finally:
        page.set_viewport_size(viewport)


def wait_for_rerun(page, action, timeout: float = 60, min_charts: int = 0) -> None:
    """Do ``action()`` (a click, say), then wait for the rerun it triggers to finish.

    Waits up to 2 s for the run to start, so that the idle state from before the
    action is not mistaken for the end of the new run; an action that starts no run
    (a tab without ``on_change``) just costs those 2 s.
    """
    page.evaluate("""(sel) => { window.__stRunSeen = false;
        const app = document.querySelector(sel);
        new MutationObserver(() => { if (app.dataset.testScriptState !== 'notRunning')
            window.__stRunSeen = true; }).observe(app, {attributes: true}); }""", APP)
    action()
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("() => window.__stRunSeen", timeout=2000)
    wait_for_app(page, timeout, min_charts)


def _ms_left(deadline: float) -> float:
    return max(1.0, (deadline - time.monotonic()) * 1000)


def drawn_charts(page) -> int:
    """How many Plotly charts on the page have an SVG with a non-zero size."""
    return page.evaluate(_DRAWN_JS, CHART)
