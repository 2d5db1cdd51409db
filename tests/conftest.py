"""Shared test helpers."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

# Figures are built unchecked in the app (backprop/look.py); the tests have Plotly check
# every property, so a misspelt one fails here instead of silently not drawing.
os.environ.setdefault("BACKPROP_VALIDATE_FIGURES", "1")

# The fast tier is everything but these: they start the app (AppTest), a browser, a
# server or nginx, or run the CLI in a subprocess. ``python -m pytest -m "not slow"`` runs
# the rest (about 2,200 tests) in about two and a half minutes on two cores.
SLOW_MODULES = ("test_app", "test_browser", "test_load", "test_deploy", "test_cli",
                "test_bench_floor")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if item.module.__name__.split(".")[-1].startswith(SLOW_MODULES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def require_browser() -> None:
    """Skip the requesting test unless Playwright and Debian's Chromium are installed.

    Under ``CI=true`` a missing browser is a failure instead: CI must install it
    (``.ci/run`` does), or the real-browser test would silently never run there.
    """
    missing = [name for name, found in (
        ("the playwright package", importlib.util.find_spec("playwright") is not None),
        ("chromium on PATH", shutil.which("chromium") is not None),
    ) if not found]
    if not missing:
        return
    reason = (f"real-browser test needs {' and '.join(missing)} "
              "(pip install -r requirements-dev.txt; sudo apt-get install chromium)")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must install it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def small_run():
    """A trained run of ``setting_cases.SMALL``, shared by the run-file tests."""
    from setting_cases import SMALL

    from backprop import train
    return train(SMALL)


@pytest.fixture(scope="module")
def valid_text(small_run) -> str:
    """``small_run`` written as a run file."""
    from backprop.runfile import run_to_json
    return run_to_json(small_run)
