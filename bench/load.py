"""Load test: a class opens the shared link at once, then each student explores.

``python -m bench.load [--viewers 30] [--arrive 10] [--looks 3] [--browsers 2] [--port 0]``

Starts ``streamlit run app.py`` on a free loopback port and plays a class: the viewers
arrive within ``--arrive`` seconds (seeded offsets) and open the default-settings link,
then each opens ``--looks`` other links (one setting changed, drawn from a short list so
that students share configs and hit the cache), 3-10 s apart. Most viewers speak
Streamlit's websocket protocol (``bench/wsclient.py``); ``--browsers`` of them are
Chromium pages driven by Playwright. Each new link is a page load, so a new session.

Reported: viewers that finished clean, seconds per script run (websocket viewers: from
the rerun request to ``script_finished``), the server's peak RSS (process group, sampled
every 0.2 s), and the burst throughput: script runs completed per second while every
viewer is on the page (from the last arrival's first request to the moment the first
viewer has finished its last run), next to the runs requested per second in that same
window; a ratio near 1 means the server keeps up.

Everything is bounded by a global deadline, talks only to 127.0.0.1 and kills the
server's process group at the end. The exit code is 0 unless the harness itself broke;
a missed target is a result, not a crash. Chromium runs under ``SCHED_IDLE``: in a
class the browsers render on the students' laptops, not on the server's two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np

from backprop.config import DEFAULTS, to_query
from bench.wsclient import LOOPBACK, RunResult, Viewer, xsrf_cookie

ROOT = Path(__file__).resolve().parents[1]
SHARED = urlencode(to_query(DEFAULTS))  # the link the teacher shares: every default
# One setting changed from the shared link; a short list, so students collide.
LOOKS = ({"seed": 1}, {"seed": 2}, {"seed": 3}, {"lr": 0.5}, {"lr": 1.0}, {"hidden": 3},
         {"hidden": 4}, {"activation": "tanh"}, {"loss": "bce"}, {"init": "xavier"},
         {"dataset": "circles", "lr": 0.02})
TARGET_P95_S, TARGET_RSS_MB = 2.0, 600.0
RUN_TIMEOUT_S = 60.0
SHOWN = ('.js-plotly-plot, [data-testid="stException"], [data-testid="stAlertContentError"]')
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-proxy-server"]


def look_query(change: dict) -> str:
    return urlencode(to_query(DEFAULTS.replace(**change)))


def changed(query: str) -> str:
    """What a link changes from the shared one: ``seed=2``."""
    return "&".join(sorted(set(query.split("&")) - set(SHARED.split("&")))) or "shared link"


@dataclass
class Student:
    """One viewer's seeded plan and what happened."""

    name: str
    browser: bool
    arrive: float  # seconds after the start
    queries: list[str]
    gaps: list[float]  # seconds spent on each page before opening the next link
    runs: list[RunResult] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return (self.error is None and len(self.runs) == len(self.queries)
                and all(r.ok for r in self.runs))

    def problems(self) -> list[str]:
        out = [self.error] if self.error else []
        for r in self.runs:
            if not r.ok:
                out.append(f"{r.status} {r.exceptions + r.errors} at {changed(r.query)}")
        return out


def class_plan(viewers: int, arrive: float, looks: int, browsers: int, seed: int,
               gaps: tuple[float, float]) -> list[Student]:
    rng = random.Random(seed)
    browser_ids = set(rng.sample(range(viewers), min(browsers, viewers)))
    students = []
    for i in range(viewers):
        changes = [rng.choice(LOOKS) for _ in range(looks)]
        students.append(Student(
            name=f"{'browser' if i in browser_ids else 'viewer'}-{i:02d}",
            browser=i in browser_ids, arrive=rng.uniform(0, arrive),
            queries=[SHARED] + [look_query(c) for c in changes],
            gaps=[rng.uniform(*gaps) for _ in range(looks)]))
    return sorted(students, key=lambda s: s.arrive)


# --- the server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run app.py`` in its own process group, on a loopback port."""

    def __init__(self, port: int):
        self.port = port or free_port()
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-load-", suffix=".log")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.address", LOOPBACK, "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def pids(self) -> list[int]:
        """The server and its children: every process in its process group."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[2]) == self.proc.pid:
                        pids.append(int(entry))
        return pids

    def rss_mb(self) -> float:
        total_kb = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        return total_kb / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process group."""
        ticks = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def owns_port(self) -> bool:
        """Is the listening socket on our port one of our processes' file descriptors?"""
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].split(":")[1], 16) == self.port:
                inodes.add(cols[9])
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] in inodes:
                            return True
        return False

    def wait_healthy(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.proc.returncode}):\n{self.tail()}")
            with contextlib.suppress(OSError):
                xsrf_cookie(self.port, timeout=2)
                if self.owns_port():
                    return
                raise RuntimeError(f"port {self.port} answers, but not from our server")
            time.sleep(0.2)
        raise RuntimeError(f"no /_stcore/health within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text().splitlines()[-lines:])

    def tracebacks(self) -> int:
        self.log.flush()
        return Path(self.log.name).read_text().count("Traceback")

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(wait)
                break
        self.log.close()


def machine_busy_seconds() -> float:
    """CPU time all processes on this machine have used (every core, since boot)."""
    jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Every 0.2 s: the server's RSS (for the peak) and CPU time (for the busiest second)."""

    def __init__(self, server: Server, every: float = 0.2):
        super().__init__(daemon=True)
        self.server, self.every, self.peak = server, every, 0.0
        self.cpu: list[tuple[float, float]] = []  # (monotonic time, CPU seconds)
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.peak = max(self.peak, self.server.rss_mb())
            self.cpu.append((time.monotonic(), self.server.cpu_seconds()))
            self.halt.wait(self.every)

    def busiest_second(self) -> float:
        """The most cores the server used over any 1 s (1.0: one core, the GIL's limit)."""
        rates = [(c1 - c0) / (t1 - t0) for (t0, c0), (t1, c1) in
                 zip(self.cpu, self.cpu[5:], strict=False) if t1 > t0]
        return max(rates, default=0.0)


# --- the viewers ------------------------------------------------------------------------------

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
    tasks = [asyncio.create_task(ws_student(port, s, t0)) for s in students if not s.browser]
    in_browser = [s for s in students if s.browser]
    if in_browser:
        tasks.append(asyncio.create_task(
            browser_students(port, in_browser, t0, idle_browsers)))
    done, late = await asyncio.wait(tasks, timeout=max(budget, 1.0))
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    for task in done:  # a browser launch that failed
        if task.exception() is not None:
            for s in in_browser:
                s.error = s.error or f"browser: {task.exception()}"[:300]
    for s in students:
        if s.error is None and len(s.runs) < len(s.queries):
            s.error = f"global deadline: {len(s.runs)}/{len(s.queries)} runs done"
    return t0


# --- the report -------------------------------------------------------------------------------

@dataclass
class Result:
    students: list[Student]
    t0: float
    peak_rss_mb: float
    idle_rss_mb: float
    tracebacks: int
    # Cores busy on average: server, websocket client, machine; the server's busiest second.
    cores: tuple[float, float, float, float]
    note: str = ""

    def seconds(self, browser: bool = False) -> list[float]:
        return [r.seconds for s in self.students if s.browser == browser for r in s.runs]

    def burst(self) -> tuple[float, float, float, str]:
        """Runs completed per second while every viewer is on the page.

        The window opens when the last viewer to arrive asks for the shared link and
        closes when the first viewer finishes its last run. Returns (completed/s,
        requested/s, window seconds, label); with no such window (few viewers, long
        gaps), the whole test.
        """
        runs = [r for s in self.students for r in s.runs]
        if not runs:
            return 0.0, 0.0, 0.0, "no runs"
        present = [s for s in self.students if s.runs]
        start = max(s.runs[0].started for s in present)
        end = min(s.runs[-1].ended for s in present)
        label = f"all {len(present)} viewers on the page"
        if end - start < 2.0:
            start, end = min(r.started for r in runs), max(r.ended for r in runs)
            label = "whole test (viewers never all on the page at once)"
        span = max(end - start, 1e-9)
        done = sum(start <= r.ended <= end for r in runs)
        asked = sum(start <= r.started <= end for r in runs)
        return done / span, asked / span, span, label

    def rows(self) -> list[dict]:
        n, clean = len(self.students), sum(s.clean for s in self.students)
        ws = self.seconds() or [float("nan")]
        p50, p95 = (float(np.percentile(ws, q)) for q in (50, 95))
        rate, asked, span, label = self.burst()
        rows = [
            {"name": "viewers clean (every run finished, no exception or error)",
             "value": clean, "unit": "viewers", "reference": n, "ratio": clean / n,
             "target": f"{n}/{n} clean"},
            {"name": "seconds per run, p50 (websocket viewers)", "value": p50, "unit": "s",
             "reference": None, "ratio": None, "target": ""},
            {"name": "seconds per run, p95 (websocket viewers)", "value": p95, "unit": "s",
             "reference": TARGET_P95_S, "ratio": p95 / TARGET_P95_S,
             "target": f"<= {TARGET_P95_S:g} s"},
            {"name": "server peak RSS (process group, every 0.2 s)", "value": self.peak_rss_mb,
             "unit": "MB", "reference": TARGET_RSS_MB, "ratio": self.peak_rss_mb / TARGET_RSS_MB,
             "target": f"<= {TARGET_RSS_MB:g} MB"},
            {"name": f"burst: runs completed/s, {label} ({span:.1f} s; ref = runs asked/s)",
             "value": rate, "unit": "runs/s", "reference": asked,
             "ratio": rate / asked if asked else None, "target": "ratio ~1: the server keeps up"},
        ]
        page = self.seconds(browser=True)
        if page:
            rows.append({"name": f"browser: link opened to charts drawn, max of {len(page)}",
                         "value": max(page), "unit": "s", "reference": None, "ratio": None,
                         "target": ""})
        return rows

    def summary(self) -> str:
        n = len(self.students)
        clean = sum(s.clean for s in self.students)
        rows = self.rows()
        p50, p95, rss = (rows[i]["value"] for i in (1, 2, 3))
        rate, asked, span, label = self.burst()
        runs = sum(len(s.runs) for s in self.students)
        mark = {True: "ok", False: "MISSED"}
        lines = [
            f"viewers clean    {clean}/{n}{'':<12} target {n}/{n} clean   {mark[clean == n]}",
            f"p50 s per run    {p50:<8.3f}{'':<8} ({len(self.seconds())} websocket runs)",
            f"p95 s per run    {p95:<8.3f}{'':<8} target <= {TARGET_P95_S:g} s"
            f"        {mark[p95 <= TARGET_P95_S]}",
            f"peak RSS MB      {rss:<8.0f}{'':<8} target <= {TARGET_RSS_MB:g} MB"
            f"     {mark[rss <= TARGET_RSS_MB]}   (idle {self.idle_rss_mb:.0f} MB)",
            f"burst runs/s     {rate:<8.2f}{'':<8} requested {asked:.2f}/s over {span:.1f} s, "
            f"{label}",
            f"runs in total    {runs}; server log tracebacks: {self.tracebacks}",
        ]
        page = self.seconds(browser=True)
        if page:
            lines.append(f"browser pages    {len(page)} loads, link to charts drawn: "
                         f"median {np.median(page):.2f} s, max {max(page):.2f} s")
        server, client, machine, busiest = self.cores
        lines.append(f"CPU (cores)      server {server:.2f} on average, {busiest:.2f} in its "
                     f"busiest second; websocket client {client:.2f}; whole machine "
                     f"{machine:.2f} of {os.cpu_count()} (browsers and anything else included)")
        slow = sorted(((r.seconds, r.started - self.t0, s.name, r.query) for s in self.students
                       if not s.browser for r in s.runs), reverse=True)[:3]
        lines += [f"slow run         {sec:.2f} s at t={at:.1f} s, {name}, {changed(q)}"
                  for sec, at, name, q in slow]
        if self.note:
            lines.append(f"note             {self.note}")
        for s in self.students:
            for problem in s.problems()[:3]:
                lines.append(f"  {s.name}: {problem}")
            for note in s.notes[:3]:
                lines.append(f"  {s.name}: {note}")
        return "\n".join(lines)


def play(viewers: int = 30, arrive: float = 10.0, looks: int = 3, browsers: int = 2,
         port: int = 0, seed: int = 0, deadline: float = 180.0,
         gaps: tuple[float, float] = (3.0, 10.0), idle_browsers: bool = True) -> Result:
    """Start the app, play the class within ``deadline`` seconds, stop the app.

    ``idle_browsers`` runs Chromium under ``SCHED_IDLE`` (see ``deprioritise_playwright``):
    right for timing the server, but on a machine busy with other work the browser
    viewers may then crawl, so a correctness test turns it off.
    """
    end = time.monotonic() + deadline
    note = ""
    if browsers and (why := browser_missing()):
        note, browsers = f"browser viewers played by the websocket client: {why}", 0
    students = class_plan(viewers, arrive, looks, browsers, seed, gaps)
    server = Server(port)
    try:
        server.wait_healthy(min(60.0, end - time.monotonic()))
        idle = server.rss_mb()
        sampler = Sampler(server)
        sampler.start()
        cpu, busy, wall = server.cpu_seconds(), machine_busy_seconds(), time.monotonic()
        own = time.process_time()
        try:
            t0 = asyncio.run(play_class(server.port, students, end - time.monotonic() - 5,
                                        idle_browsers))
        finally:
            sampler.halt.set()
            sampler.join()
        wall = time.monotonic() - wall
        load = ((server.cpu_seconds() - cpu) / wall, (time.process_time() - own) / wall,
                (machine_busy_seconds() - busy) / wall, sampler.busiest_second())
        return Result(students, t0, sampler.peak, idle, server.tracebacks(), load, note)
    finally:
        server.stop()


def measure(viewers: int = 30, arrive: float = 10.0, looks: int = 3, browsers: int = 2,
            port: int = 0, seed: int = 0, deadline: float = 180.0,
            gaps: tuple[float, float] = (3.0, 10.0)) -> list[dict]:
    """Rows {name, value, unit, reference, ratio, target} for ``python -m bench``."""
    return play(viewers, arrive, looks, browsers, port, seed, deadline, gaps).rows()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, default=30)
    parser.add_argument("--arrive", type=float, default=10.0, help="seconds to arrive in")
    parser.add_argument("--looks", type=int, default=3, help="other links each opens")
    parser.add_argument("--browsers", type=int, default=2, help="viewers in real Chromium")
    parser.add_argument("--port", type=int, default=0, help="0: a free loopback port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds, all in")
    parser.add_argument("--gaps", type=float, nargs=2, default=(3.0, 10.0),
                        metavar=("MIN", "MAX"), help="seconds on a page before the next link")
    parser.add_argument("--browsers-normal-priority", action="store_true",
                        help="do not run Chromium under SCHED_IDLE")
    args = parser.parse_args(argv)
    if args.viewers < 1 or args.looks < 0 or args.browsers < 0 or args.deadline <= 0:
        parser.error("--viewers must be >= 1; --looks, --browsers >= 0; --deadline > 0")
    print(f"playing {args.viewers} viewers ({args.browsers} in Chromium), arriving within "
          f"{args.arrive:g} s, {args.looks} more links each; deadline {args.deadline:g} s",
          flush=True)
    try:
        result = play(args.viewers, args.arrive, args.looks, args.browsers, args.port,
                      args.seed, args.deadline, tuple(args.gaps),
                      not args.browsers_normal_priority)
    except (RuntimeError, OSError) as err:
        print(f"load test harness failed: {err}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
