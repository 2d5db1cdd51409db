"""A small class uses the running app at once: nobody sees an error.

Five viewers (one in real Chromium) open the shared link within 3 s, then two other
links each. Only correctness is asserted; timings belong to ``python -m bench.load``.
"""

from __future__ import annotations

import os

import pytest

from bench.load import browser_missing, play


@pytest.fixture(scope="module")
def small_class():
    why = browser_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the load test's browser viewer needs Chromium: {why}", pytrace=False)
        pytest.skip(f"the load test's browser viewer needs Chromium: {why}")
    return play(viewers=5, arrive=3.0, looks=2, browsers=1, deadline=50.0, gaps=(1.0, 3.0),
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
