"""A small class uses the running app at once: nobody sees an error.

Five viewers (one in real Chromium) open the shared link within 3 s, then two other
links each; then three explorers, each look a setting nobody else picked. Only
correctness is asserted; timings belong to ``python -m bench.load``.
"""

from __future__ import annotations

import asyncio
import os
import random
from urllib.parse import parse_qs, urlencode

import pytest

from backprop.config import DEFAULTS, FIELDS, from_query, to_query
from bench.load import browser_missing, play
from bench.plan import EXPLORE, class_plan, draw_setting
from bench.server import Server
from bench.viewers import Heavy, heavy_runs
from bench.wsclient import Viewer

# A quick page for the heavy-viewer test: 500 epochs, so its census and sweep are small.
SHARED_SMALL = urlencode(to_query(DEFAULTS.replace(epochs=500)))


@pytest.fixture(scope="module")
def small_class():
    why = browser_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the load test's browser viewer needs Chromium: {why}", pytrace=False)
        pytest.skip(f"the load test's browser viewer needs Chromium: {why}")
    return play(viewers=5, arrive=3.0, looks=2, browsers=1, deadline=90.0, gaps=(1.0, 3.0),
                idle_browsers=False)


def test_every_viewer_finished_clean(small_class):
    problems = {s.name: s.problems() for s in small_class.students if not s.clean}
    assert not problems, f"viewers with problems: {problems}"


def test_every_run_reached_script_finished_successfully(small_class):
    runs = [(s.name, r) for s in small_class.students for r in s.runs]
    assert len(runs) == 5 * 3
    assert any(s.browser for s in small_class.students)
    bad = [(name, r.status, r.exceptions, r.errors) for name, r in runs if not r.ok]
    assert not bad, f"runs that did not finish cleanly: {bad}"


def test_explorers_finish_clean_and_report_cpu_per_run():
    result = play(viewers=3, arrive=1.0, looks=2, browsers=0, deadline=60.0,
                  gaps=(0.5, 1.0), explore=True)
    problems = {s.name: s.problems() for s in result.students if not s.clean}
    assert not problems, f"explorers with problems: {problems}"
    assert result.all_runs() == 9
    assert result.server_cpu_s > 0, "the server's /proc CPU time did not grow"


def test_explore_looks_are_all_different_and_valid():
    students = class_plan(90, 10.0, 3, 0, seed=0, gaps=(3, 10), explore=True)
    looks = [q for s in students for q in s.queries[1:]]
    assert len(looks) == 270 and len(set(looks)) == 270, "two looks picked the same setting"
    for query in looks:
        _, warnings = from_query(parse_qs(query))
        assert warnings == [], f"{query}: {warnings}"


@pytest.mark.parametrize("name", sorted(EXPLORE))
def test_explore_draws_vary_every_explored_setting(name):
    rng = random.Random(1)
    values = {draw_setting(rng)[name] for _ in range(200)}
    allowed = FIELDS[name].choices or None
    assert len(values) > 1, f"{name} never varies: {values}"
    if allowed:
        assert values == set(allowed), f"{name}: drew {values}, FIELDS allows {allowed}"


def test_breakdown_ledger_counts_nested_time_once(monkeypatch):
    from bench import breakdown

    clock = [0.0]
    monkeypatch.setattr(breakdown.time, "thread_time", lambda: clock[0])
    ledger = breakdown.Ledger()

    def figure():  # 3 s of its own
        clock[0] += 3.0

    def train():  # 5 s of its own, plus a figure inside it
        clock[0] += 5.0
        timed_figure()

    timed_figure = ledger.wrap("figures", figure)
    ledger.wrap("train", train)()
    ledger.on_gc("start", {})
    clock[0] += 2.0
    ledger.on_gc("stop", {})
    assert ledger.take() == {"train": 5.0, "figures": 3.0, "GC": 2.0}
    assert ledger.take() == {}, "take() should reset the ledger"


@pytest.mark.parametrize("heavy", [
    Heavy("a 20-seed census", (("tab", "Seed census"), ("number", "^Seeds$", 20))),
    Heavy("a 10-seed sweep", (("tab", "Sweep"), ("number", "^Seeds per cell$", 10),
                              ("click", "^Run sweep for these settings$"))),
], ids=["census", "sweep"])
def test_heavy_viewer_finds_its_controls_by_label_and_runs_clean(heavy):
    async def drive(port):
        viewer = Viewer(port)
        await viewer.open()
        try:
            return await heavy_runs(viewer, heavy, SHARED_SMALL)
        finally:
            await viewer.close()

    server = Server()
    try:
        server.wait_healthy(60)
        runs = asyncio.run(drive(server.port))
    finally:
        server.stop()
    assert len(runs) == 1 + len(heavy.steps)
    bad = [(r.status, r.exceptions, r.errors) for r in runs if not r.ok]
    assert not bad, f"{heavy.title}: runs with problems {bad}"
    assert runs[-1].charts >= 1, f"{heavy.title}: the last run drew no chart"


def test_explore_draws_deeper_networks_and_every_optimizer():
    """Issue 12.6: the class-scale targets hold with depth 2 and Adam in the explore mix."""
    rng = random.Random(2)
    draws = [draw_setting(rng) for _ in range(200)]
    depths = {len(d["hidden"]) for d in draws}
    assert depths == {1, 2}, depths
    assert any(d["hidden"] != (d["hidden"][0],) * len(d["hidden"]) for d in draws)
    assert {d["optimizer"] for d in draws} == set(FIELDS["optimizer"].choices)


def test_an_unchanged_chart_comes_back_as_a_reference_to_the_kept_one():
    """As in a browser, the viewer lists the charts it holds; a rerun that draws the same
    charts gets references instead of the charts, and still shows them all."""
    async def drive(port):
        viewer = Viewer(port)
        await viewer.open()
        try:
            first = await viewer.run(SHARED_SMALL)
            sent = viewer.references
            again = await viewer.run()
            return first, again, sent, viewer.references
        finally:
            await viewer.close()

    server = Server()
    try:
        server.wait_healthy(60)
        first, again, before, after = asyncio.run(drive(server.port))
    finally:
        server.stop()
    assert first.ok and again.ok
    assert before == 0, "a first page load has nothing to refer to"
    assert after >= 3, f"the three first-screen charts should come back as references ({after})"
    assert again.charts == first.charts >= 3
