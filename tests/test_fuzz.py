"""Hostile input: URL parameters of every kind never break parsing or the app.

The field list is ``FIELDS``. Exact round-trips and the message for each kind of bad
value are tested in test_config.py, not repeated here.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import DEFAULTS, FIELDS, TrainConfig, from_query, to_query
from backprop.config import VERSION_KEY, defaults_at, read_query
from ui import widgets

APP = str(Path(__file__).resolve().parents[1] / "app.py")

NASTY = [
    "", " ", "abc", "nan", "NaN", "inf", "-inf", "1e309", "-1", "-7", "0", "1e9",
    "99999999999999999999999", "0x10", "1_000", "3.5", "1e-400", "²", "٣", "０",
    "<script>alert(1)</script>", "<b>bold</b>", "'; DROP TABLE runs;--", "%00", "\x00",
    "\u202e", "🧠", "x" * 5000, "None", "True", "[]", "{}",
]

# Any text at all, plus the values that tend to break number parsing.
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=60),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.integers(min_value=-(10**30), max_value=10**30).map(str))
queries = st.dictionaries(
    st.one_of(st.sampled_from([*FIELDS, VERSION_KEY]), st.text(max_size=10)),
    st.one_of(values, st.lists(values, max_size=4)), max_size=14)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(queries)
def test_read_query_never_raises_and_accounts_for_every_setting(query):
    read = read_query(query)
    assert isinstance(read.config, TrainConfig)
    TrainConfig(**read.config.to_dict())  # still valid
    assert from_query(query) == (read.config, list(read.warnings))
    base = defaults_at(read.version)
    for name, field in FIELDS.items():
        raw = query.get(name)
        last = raw[-1] if isinstance(raw, list) and raw else raw
        if last is None or raw == []:  # left out: filled in, no warning
            assert name in read.filled and getattr(read.config, name) == getattr(base, name)
            continue
        assert name not in read.filled
        try:
            expected = field.parse(last)
        except ValueError:
            assert getattr(read.config, name) == getattr(base, name)
            assert any(w.startswith(name + " must be") for w in read.warnings), read.warnings
        else:
            assert getattr(read.config, name) == expected


@pytest.mark.parametrize("raw", NASTY)
@pytest.mark.parametrize("name", list(FIELDS))
def test_each_nasty_value_is_rejected_or_in_range(name, raw):
    config, warnings = from_query({name: raw})
    field, value = FIELDS[name], getattr(config, name)
    if warnings:
        assert value == getattr(DEFAULTS, name)
        assert name in warnings[0] and field.allowed() in warnings[0]
        assert len(warnings[0]) < 200, "a huge value must be shortened in the message"
    elif field.kind in ("int", "float"):
        assert math.isfinite(value) and field.lo <= value <= field.hi


HOSTILE_URLS = [
    {"lr": "abc", "hidden": "-7"},
    {"epochs": "1e9", "seed": "nan", "noise": "inf"},
    {"dataset": "<script>alert(1)</script>", "activation": "<img src=x onerror=alert(1)>"},
    {"hidden": ["3", "999", "4"], "lr": ["", "0.5"]},
    {"loss": "", "init": " ", "update": "\u202e"},
    {"samples": "1" * 400, "unknown": "x", "": ""},
    {"v": "abc", "seed": "2"},
    {"v": "999", "lr": "0.5"},
]


@pytest.mark.parametrize("query", HOSTILE_URLS)
def test_app_survives_hostile_urls(query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    expected, warnings = from_query(query)
    shown = [w.value for w in at.warning if "Link setting ignored" in w.value]
    assert len(shown) == len(warnings)
    for name in FIELDS:  # the widgets hold the parsed (or default) values, as they show them
        assert at.session_state[name] == widgets.shown(name, getattr(expected, name))
    written = {k: at.query_params[k] for k in [VERSION_KEY, *FIELDS]}
    assert written == {k: [v] if isinstance(at.query_params[k], list) else v
                       for k, v in to_query(expected).items()}
    html = " ".join(str(m.value) for m in at.markdown)
    assert "<script>" not in html and "<img" not in html
