"""The load test's viewers: websocket students, Chromium students, and a heavy one.

Most viewers speak Streamlit's websocket protocol (``bench/wsclient.py``); some are
Chromium pages driven by Playwright, under ``SCHED_IDLE`` (in a class the browsers
render on the students' laptops, not on the server's two cores). Each new link is a
page load, so a new session. A heavy viewer (``Student.heavy``) opens the shared link
and then runs a big computation (``HEAVY``: a 2000-seed census or the default sweep)
while the others explore. Everything talks only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from backprop.config import DEFAULTS, to_query
from bench.plan import Student
from bench.wsclient import LOOPBACK, RunResult, Viewer

RUN_TIMEOUT_S = 60.0
HEAVY_TIMEOUT_S = 240.0
SHOWN = ('.js-plotly-plot, [data-testid="stException"], [data-testid="stAlertContentError"]')
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-proxy-server"]


@dataclass(frozen=True)
class Heavy:
    """How a viewer starts one big computation, as a person would.

    ``steps`` act on the page, found by label: ``("tab", label)``,
    ``("number", label regex, value)``, ``("click", label regex)``, each one rerun.
    ``url`` instead opens a link with these extra query parameters (for when the app
    binds its view controls to the URL); set it and the steps are skipped.
    """

    title: str
    steps: tuple = ()
    url: dict | None = None


HEAVY = {
    "census": Heavy("2000-seed census", (("tab", "Seed census"), ("number", "^Seeds$", 2000))),
    "sweep": Heavy("default sweep (30 cells x 100 seeds)",
                   (("tab", "Sweep"), ("click", "^Run sweep for these settings$"))),
}
HEAVY_REPEATS = 3  # at most, each with a new learning rate so it is never cached


async def _at(t0: float, offset: float) -> None:
    await asyncio.sleep(max(0.0, t0 + offset - time.monotonic()))


async def heavy_runs(viewer: Viewer, heavy: Heavy, query: str) -> list[RunResult]:
    """Start ``heavy`` from the page ``query`` shows; the runs it took, the big one last."""
    if heavy.url is not None:
        return [await asyncio.wait_for(viewer.run(f"{query}&{urlencode(heavy.url)}"),
                                       HEAVY_TIMEOUT_S)]
    runs = [await asyncio.wait_for(viewer.run(query), RUN_TIMEOUT_S)]
    for kind, *args in heavy.steps:
        change = {"tab": viewer.tab, "number": viewer.number, "click": viewer.click}[kind]
        runs.append(await asyncio.wait_for(viewer.run(changes=[change(*args)]),
                                           HEAVY_TIMEOUT_S))
    return runs


async def heavy_student(port: int, s: Student, t0: float, others_done: asyncio.Event) -> None:
    """Open the shared link, then run the heavy computation while the others explore."""
    await _at(t0, s.arrive)
    try:
        s.runs.append(await _open_and_run(port, s.queries[0], s))
        for k in range(HEAVY_REPEATS):
            if others_done.is_set():
                break
            if k == 0:
                await asyncio.sleep(s.gaps[0] if s.gaps else 0.0)
            query = urlencode(to_query(DEFAULTS.replace(lr=round(0.1 + 0.01 * k, 2))))
            viewer = Viewer(port)
            await viewer.open()
            try:
                runs = await heavy_runs(viewer, HEAVY[s.heavy], query)
                s.heavy_runs += runs
                s.heavy_big.append(runs[-1])
            finally:
                await viewer.close()
    except Exception as err:
        s.error = f"{type(err).__name__}: {err}"[:300]


async def _open_and_run(port: int, query: str, s: Student) -> RunResult:
    viewer = Viewer(port)
    await viewer.open()
    try:
        return await asyncio.wait_for(viewer.run(query), RUN_TIMEOUT_S)
    finally:
        await viewer.close()


async def _at(t0: float, offset: float) -> None:
    await asyncio.sleep(max(0.0, t0 + offset - time.monotonic()))


async def ws_student(port: int, s: Student, t0: float) -> None:
    """Open each link as a new page (a new session); stay on it for the gap."""
    await _at(t0, s.arrive)
    viewer = None
    try:
        for i, query in enumerate(s.queries):
            if i:
                await asyncio.sleep(s.gaps[i - 1])
                await viewer.close()
            viewer = Viewer(port)
            await viewer.open()
            s.runs.append(await asyncio.wait_for(viewer.run(query), RUN_TIMEOUT_S))
    except Exception as err:
        s.error = f"{type(err).__name__}: {err}"[:300]
    finally:
        if viewer is not None:
            with contextlib.suppress(Exception):
                await viewer.close()


def loopback_only(blocked: list[str]):
    """A Playwright route handler that lets only 127.0.0.1 through and notes the rest."""
    async def handle(route) -> None:
        if urlsplit(route.request.url).hostname == LOOPBACK:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()
    return handle


async def first_lines(page, selector: str) -> list[str]:
    texts = await page.locator(selector).all_inner_texts()
    return sorted({(text.strip().splitlines() or [""])[0][:200] for text in texts})


async def browser_student(browser, port: int, s: Student, t0: float) -> None:
    await _at(t0, s.arrive)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    await context.route("**/*", loopback_only(blocked))
    page = await context.new_page()
    page.on("pageerror", lambda err: s.notes.append(f"page error: {err}"[:200]))
    app = page.locator('[data-testid="stApp"]:is([data-test-script-state="notRunning"], '
                       '[data-test-script-state="compilationError"])')
    ms = RUN_TIMEOUT_S * 1000
    try:
        for i, query in enumerate(s.queries):
            if i:
                await asyncio.sleep(s.gaps[i - 1])
            run = RunResult(query=query, started=time.monotonic())
            await page.goto(f"http://{LOOPBACK}:{port}/?{query}", timeout=ms)
            # Charts drawn (or an error shown instead), then the script run is over.
            await page.locator(SHOWN).first.wait_for(state="visible", timeout=ms)
            await app.wait_for(state="attached", timeout=ms)
            run.seconds = time.monotonic() - run.started
            state = await app.get_attribute("data-test-script-state")
            run.status = {"notRunning": "FINISHED_SUCCESSFULLY"}.get(state, state)
            run.charts = await page.locator(".js-plotly-plot").count()
            run.exceptions = await first_lines(page, '[data-testid="stException"]')
            run.errors = await first_lines(page, '[data-testid="stAlertContentError"]')
            s.runs.append(run)
    except Exception as err:
        s.error = f"{type(err).__name__}: {err}"[:300]
    finally:
        s.notes += [f"blocked non-loopback request {url}" for url in blocked[:5]]
        with contextlib.suppress(Exception):
            await context.close()


def browser_missing() -> str | None:
    """Why real-browser viewers cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    if shutil.which("chromium") is None:
        return "no chromium executable on PATH"
    return None


def deprioritise_playwright() -> None:
    """Run Playwright's driver, so the Chromium it starts, under ``SCHED_IDLE``.

    In a class each browser renders on its student's laptop; here it shares the
    server's two cores. Children inherit the policy (Chromium resets nice values,
    not the policy), so the browsers take only CPU the server leaves over.
    """
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == os.getpid() and "playwright" in os.readlink(f"/proc/{entry}/exe"):
                for tid in os.listdir(f"/proc/{entry}/task"):
                    os.sched_setscheduler(int(tid), os.SCHED_IDLE, os.sched_param(0))


async def browser_students(port: int, students: list[Student], t0: float,
                           idle: bool) -> None:
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        if idle:
            deprioritise_playwright()
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"),
                                           args=CHROMIUM_ARGS, headless=True)
        try:
            await asyncio.gather(*(browser_student(browser, port, s, t0) for s in students))
        finally:
            await browser.close()


async def play_class(port: int, students: list[Student], budget: float,
                     idle_browsers: bool = True) -> float:
    """Play every student within ``budget`` seconds; return the start time (monotonic)."""
    t0 = time.monotonic()
    others_done = asyncio.Event()
    tasks = [asyncio.create_task(ws_student(port, s, t0)) for s in students
             if not s.browser and not s.heavy]
    heavy = [asyncio.create_task(heavy_student(port, s, t0, others_done))
             for s in students if s.heavy]
    in_browser = [s for s in students if s.browser]
    if in_browser:
        tasks.append(asyncio.create_task(
            browser_students(port, in_browser, t0, idle_browsers)))

    async def mark_done():
        await asyncio.gather(*tasks, return_exceptions=True)
        others_done.set()
    watcher = asyncio.create_task(mark_done())
    done, late = await asyncio.wait(tasks + heavy, timeout=max(budget, 1.0))
    for task in late:
        task.cancel()
    await asyncio.gather(*late, watcher, return_exceptions=True)
    for task in done:  # a browser launch that failed
        if task.exception() is not None:
            for s in in_browser:
                s.error = s.error or f"browser: {task.exception()}"[:300]
    for s in students:
        if s.error is None and len(s.runs) < len(s.queries) and not s.heavy:
            s.error = f"global deadline: {len(s.runs)}/{len(s.queries)} runs done"
        if s.heavy and s.error is None and not s.heavy_runs:
            s.error = f"global deadline: the {HEAVY[s.heavy].title} never ran"
    return t0
