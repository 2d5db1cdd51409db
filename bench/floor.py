"""Streamlit's floor for our page, beside the app: ``python -m bench.floor [--blocks 8]``.

How much of a cached rerun's or a scrub's server CPU is ours, and how much is the
framework's for the elements the page sends? Two servers run side by side: the app,
and ``bench/floor_app.py``, which sends the same elements (kinds, containers, order,
the same figures and table) but computes nothing. One viewer on each opens the
bench's setting (the defaults at seed 4242), then the two take turns, a block of
runs at a time (A B B A ...), so a drift in the machine's speed falls on both:

- **cached rerun**: a whole-script rerun with nothing changed;
- **scrub**: the epoch slider moved to a checkpoint that viewer has not shown before,
  as a fragment rerun. The app builds that checkpoint's figures; the floor has them.

Each figure is the median over blocks of the server's CPU (every thread, ``/proc``)
per run, less its idle CPU. The floor is what no change to our code can go under:
if it is above the budget, only a page with fewer elements (or a cheaper Streamlit)
meets it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from urllib.parse import urlencode

from backprop.config import to_query
from bench.floor_app import SETTING
from bench.scrub import LABEL, TARGET_MS, idle_ms_per_second, settle
from bench.server import Server
from bench.wsclient import Viewer

BLOCKS, PER_BLOCK = 8, 12
FLOOR_PAGE = "bench/floor_app.py"


class Side:
    """One server, its viewer, its idle CPU, and the checkpoints it has not shown yet."""

    def __init__(self, server: Server):
        self.server, self.viewer, self.idle = server, Viewer(server.port), 0.0
        self.unseen: list[str] = []
        self.ms: dict[str, list[float]] = {"cached rerun": [], "scrub": []}

    async def open(self) -> None:
        await self.viewer.open()
        first = await self.viewer.run(urlencode(to_query(SETTING)))
        if not first.ok:
            raise RuntimeError(f"the page did not load: {first.status} {first.exceptions}")
        for _ in range(2):
            await self.viewer.run()
        options = self.viewer.options[self.viewer.widget_id("slider", LABEL)]
        self.unseen = options[:-1]  # the last is shown already
        random.Random(9).shuffle(self.unseen)
        await self.scrub()  # the fragment path's first use

    async def scrub(self):
        if not self.unseen:
            raise RuntimeError("every checkpoint has been shown: fewer blocks or runs")
        state, fragment_id = self.viewer.choose(LABEL, self.unseen.pop())
        return await self.viewer.run(changes=[state], fragment_id=fragment_id)

    async def block(self, kind: str, runs: int) -> None:
        cpu, wall = self.server.cpu_seconds(), time.monotonic()
        for _ in range(runs):
            result = await (self.viewer.run() if kind == "cached rerun" else self.scrub())
            if not result.ok:
                raise RuntimeError(f"a {kind} failed: {result.status} {result.exceptions}")
        spent = 1000 * (self.server.cpu_seconds() - cpu) - self.idle * (time.monotonic() - wall)
        self.ms[kind].append(max(spent, 0.0) / runs)


async def _paired(app: Side, floor: Side, blocks: int, per: int) -> None:
    for side in (app, floor):
        await side.open()
    for kind in ("cached rerun", "scrub"):
        for b in range(blocks):
            for side in (app, floor) if b % 2 == 0 else (floor, app):
                await side.block(kind, per)


def floor_costs(blocks: int = BLOCKS, per: int = PER_BLOCK) -> dict[str, dict[str, float]]:
    """{"app" | "floor": {"cached rerun" | "scrub": median ms of server CPU per run}}."""
    servers = [Server(), Server(script=FLOOR_PAGE)]
    try:
        for server in servers:
            server.wait_healthy(90.0)
        sides = [Side(server) for server in servers]
        for side in sides:
            settle(side.server)
            side.idle = idle_ms_per_second(side.server, 2.0)
        asyncio.run(_paired(*sides, blocks, per))
        for server in servers:
            if server.tracebacks():
                raise RuntimeError(f"a server logged a traceback:\n{server.tail()}")
        return {name: {kind: statistics.median(ms) for kind, ms in side.ms.items()}
                for name, side in zip(("app", "floor"), sides, strict=True)}
    finally:
        for server in servers:
            server.stop()


def measure() -> list[dict]:
    """Rows for ``python -m bench``: the floor against the budget, the app against it."""
    costs, rows = floor_costs(), []
    for kind in ("cached rerun", "scrub"):
        floor, app = costs["floor"][kind], costs["app"][kind]
        what = "cached rerun" if kind == "cached rerun" else "scrub to a new checkpoint"
        rows += [{"name": f"{what}: the page's elements alone, computing nothing "
                          "(Streamlit's floor)", "value": floor, "unit": "ms",
                  "reference": TARGET_MS, "ratio": floor / TARGET_MS,
                  "target": f"<= {TARGET_MS:g} ms, or the budget is out of reach"},
                 {"name": f"{what}: the app (ref: the floor, in turns with it)", "value": app,
                  "unit": "ms", "reference": floor, "ratio": app / floor, "target": ""}]
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, default=BLOCKS, help="turns per kind of run")
    parser.add_argument("--per-block", type=int, default=PER_BLOCK, help="runs per turn")
    args = parser.parse_args(argv)
    if args.blocks < 2 or args.per_block < 1:
        parser.error("--blocks must be >= 2 and --per-block >= 1")
    costs = floor_costs(args.blocks, args.per_block)
    for kind in ("cached rerun", "scrub"):
        floor, app = costs["floor"][kind], costs["app"][kind]
        print(f"{kind:<13} floor {floor:6.1f} ms   app {app:6.1f} ms   "
              f"ours {app - floor:5.1f} ms ({app / floor:.2f}x the floor)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
