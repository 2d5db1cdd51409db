"""Server CPU per scrub, as a browser causes it: ``python -m bench.scrub [--scrubs 60]``.

Starts ``streamlit run app.py`` on loopback (``bench/server.py``), opens one page over
the websocket (``bench/wsclient.py``) at a setting nobody opened before, then moves the
epoch slider (found by its label) to checkpoint after checkpoint, each one not seen
before. Like the browser, each move sends the slider's value with the id of the
fragment it was drawn in (the Run page's ``@st.fragment``), so the server reruns only
that fragment. The server's CPU time (``/proc``: utime + stime of its process group,
every thread, websocket and protobuf work included) over all the moves, divided by
their number, is the figure. The same is measured for a rerun with nothing changed
(the whole script, everything cached) and, for reference, for the same moves sent
without the fragment id (the whole script reruns).

The process's idle CPU over the same time is measured first and subtracted. The
ForwardMsgs each kind of run sends (the server's event loop pays for each one) are
counted and printed too.
Scrubbing must never retrain: the run is checked to send no "Training…" spinner.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import urlencode

from backprop.config import DEFAULTS, to_query
from bench.load import lecturer_opens
from bench.server import Server
from bench.wsclient import Viewer

SCRUBS = 60
TARGET_MS = 20.0
LABEL = "^Epoch"


async def _moves(viewer: Viewer, options: list[str], fragment: bool) -> list:
    results = []
    for option in options:
        state, fragment_id = viewer.choose(LABEL, option)
        if fragment and not fragment_id:
            raise RuntimeError("the epoch slider is not inside a fragment")
        result = await viewer.run(changes=[state], fragment_id=fragment_id if fragment else "")
        if not result.ok or result.charts < 3:
            raise RuntimeError(f"a scrub to {option} failed: {result.status} "
                               f"{result.exceptions + result.errors}, {result.charts} charts")
        if any("Training" in text for text in result.spinners):
            raise RuntimeError(f"a scrub to {option} retrained the run")
        results.append(result)
    return results


def _unseen(options: list[str], n: int, offset: int) -> list[str]:
    """``n`` checkpoints spread over the slider; ``offset`` keeps sets apart."""
    step = max((len(options) - 1) // n, 1)
    return [options[(offset + i * step) % (len(options) - 1)] for i in range(n)]


async def _measure(server: Server, scrubs: int, seed: int, idle: float,
                   messages: dict | None = None) -> dict[str, float]:
    """ms of server CPU per scrub (fragment, whole script) and per cached rerun, less
    ``idle`` (the server's ms of CPU per second with nothing to do). ``messages``, if
    given, gets the mean number of ForwardMsgs each kind of run sent (and the load's)."""
    viewer = Viewer(server.port)
    await viewer.open()
    try:
        query = urlencode(to_query(DEFAULTS.replace(seed=seed)))
        first = await viewer.run(query)
        if not first.ok:
            raise RuntimeError(f"the page did not load: {first.status} {first.exceptions}")
        counts = {"new setting (page load)": [first.messages]}
        wid = viewer.widget_id("slider", LABEL)
        options = viewer.options[wid]
        if len(options) < 3:
            raise RuntimeError(f"the epoch slider has only {len(options)} checkpoints")
        n = min(scrubs, (len(options) - 1) // 2)
        await _moves(viewer, options[:2], True)  # warm: the fragment path's first use
        out = {}

        async def reruns():
            return [await viewer.run() for _ in range(n)]
        for name, action in (("fragment", _moves(viewer, _unseen(options, n, 2), True)),
                             ("whole script", _moves(viewer, _unseen(options, n, 3), False)),
                             ("cached rerun", reruns())):
            cpu, wall = server.cpu_seconds(), time.monotonic()
            results = await action
            spent = 1000 * (server.cpu_seconds() - cpu) - idle * (time.monotonic() - wall)
            out[name] = max(spent, 0.0) / n
            counts[name] = [r.messages for r in results]
        if messages is not None:
            messages.update({k: sum(v) / len(v) for k, v in counts.items()})
        return out
    finally:
        await viewer.close()


def idle_ms_per_second(server: Server, seconds: float = 3.0) -> float:
    cpu = server.cpu_seconds()
    time.sleep(seconds)
    return 1000 * (server.cpu_seconds() - cpu) / seconds


QUIET_MS = 30.0  # ms of CPU per second under which the server counts as settled


def settle(server: Server, limit: float = 20.0) -> None:
    """Wait (up to ``limit`` s) until a second passes with the server nearly idle: work
    left from the lecturer's tabs (or a first compile) must not count as its idle cost,
    which would then be subtracted from every measured run."""
    end = time.monotonic() + limit
    while time.monotonic() < end and idle_ms_per_second(server, 1.0) > QUIET_MS:
        pass


def scrub_costs(scrubs: int = SCRUBS, port: int = 0, seed: int = 4242,
                messages: dict | None = None) -> dict[str, float]:
    """Start a server, measure, stop it; ms of server CPU per action, idle subtracted.
    ``messages``, if given, gets the ForwardMsgs per run of each kind."""
    server = Server(port)
    try:
        server.wait_healthy(90.0)
        asyncio.run(lecturer_opens(server.port))
        settle(server)
        idle = idle_ms_per_second(server)
        costs = asyncio.run(_measure(server, scrubs, seed, idle, messages))
        costs["idle, per second"] = idle
        if server.tracebacks():
            raise RuntimeError(f"the server logged a traceback:\n{server.tail()}")
        return costs
    finally:
        server.stop()


def measure() -> list[dict]:
    """Rows for ``python -m bench``: server CPU per scrub and per cached rerun."""
    costs = scrub_costs()
    names = {"fragment": "scrub over the websocket (fragment rerun): server CPU per scrub",
             "cached rerun": "cached rerun over the websocket: server CPU per rerun",
             "whole script": "scrub over the websocket, whole script (no fragment id)"}
    rows = []
    for key, name in names.items():
        target = TARGET_MS if key != "whole script" else None
        rows.append({"name": name, "value": costs[key], "unit": "ms", "reference": target,
                     "ratio": costs[key] / target if target else None,
                     "target": f"<= {target:g} ms" if target else ""})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scrub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrubs", type=int, default=SCRUBS, help="moves per kind")
    parser.add_argument("--port", type=int, default=0, help="0: a free loopback port")
    args = parser.parse_args(argv)
    if args.scrubs < 3:
        parser.error(f"--scrubs must be >= 3, got {args.scrubs}")
    messages: dict[str, float] = {}
    costs = scrub_costs(args.scrubs, args.port, messages=messages)
    for name, ms in costs.items():
        print(f"{name:<24} {ms:8.1f} ms server CPU")
    for name, count in messages.items():
        print(f"{name:<24} {count:8.1f} messages per run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
