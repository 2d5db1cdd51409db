"""The floor page (bench/floor_app.py) sends what the app sends, or its floor means nothing.

Both servers run; one viewer on each opens the bench's setting. A cached rerun and a
scrub must send the same element kinds in the same numbers (labels and texts may
differ). A page change that adds or drops an element fails here until the floor page
follows it. Timings belong to ``python -m bench.floor``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from urllib.parse import urlencode

import pytest

from backprop.config import to_query
from bench.floor import FLOOR_PAGE, Side
from bench.floor_app import SETTING
from bench.server import Server


async def _kinds(server: Server) -> tuple[Counter, Counter, list[str]]:
    """Element kinds of a cached rerun and of a scrub, and any run's problems."""
    side = Side(server)
    viewer = side.viewer
    await viewer.open()
    try:
        first = await viewer.run(urlencode(to_query(SETTING)))
        rerun = await viewer.run()
        options = viewer.options[viewer.widget_id("slider", "^Epoch")]
        side.unseen = [options[len(options) // 2]]
        scrub = await side.scrub()
        problems = [f"{r.status} {r.exceptions + r.errors}" for r in (first, rerun, scrub)
                    if not r.ok]
        return Counter(rerun.kinds), Counter(scrub.kinds), problems
    finally:
        await viewer.close()


@pytest.fixture(scope="module")
def pages():
    servers = {"app": Server(), "floor": Server(script=FLOOR_PAGE)}
    try:
        for server in servers.values():
            server.wait_healthy(90)
        return {name: asyncio.run(_kinds(server)) for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()


def test_both_pages_run_clean(pages):
    assert pages["app"][2] == [] and pages["floor"][2] == []


@pytest.mark.parametrize("run", ["cached rerun", "scrub"])
def test_the_floor_sends_the_apps_elements(pages, run):
    i = 0 if run == "cached rerun" else 1
    app, floor = pages["app"][i], pages["floor"][i]
    assert app["new_element plotly_chart"] == 4, "the bench's setting shows four charts"
    missing, extra = app - floor, floor - app
    assert not missing and not extra, (
        f"{run}: the floor page lacks {dict(missing)} and has {dict(extra)} beyond the app")
