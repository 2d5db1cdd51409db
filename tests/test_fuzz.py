"""Hostile input: URL parameters of every kind never break parsing or the app."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import FIELDS, TrainConfig, from_query, to_query

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
    st.one_of(st.sampled_from(list(FIELDS)), st.text(max_size=10)),
    st.one_of(values, st.lists(values, max_size=4)), max_size=14)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(queries)
def test_from_query_never_raises_and_always_gives_a_valid_config(query):
    config, warnings = from_query(query)
    assert isinstance(config, TrainConfig)
    TrainConfig(**config.to_dict())  # still valid
    for name, raw in query.items():
        if name not in FIELDS:
            continue
        last = raw[-1] if isinstance(raw, list) and raw else raw
        if isinstance(raw, list) and not raw:
            continue
        try:
            FIELDS[name].parse(last)
        except ValueError:
            assert getattr(config, name) == getattr(TrainConfig(), name)
            assert any(w.startswith(name + " must be") for w in warnings), (name, warnings)


@pytest.mark.parametrize("raw", NASTY)
@pytest.mark.parametrize("name", list(FIELDS))
def test_each_nasty_value_is_rejected_or_in_range(name, raw):
    config, warnings = from_query({name: raw})
    field, value = FIELDS[name], getattr(config, name)
    if warnings:
        assert value == getattr(TrainConfig(), name)
        assert name in warnings[0] and field.allowed() in warnings[0]
        assert len(warnings[0]) < 200, "a huge value must be shortened in the message"
    elif field.kind != "choice":
        assert math.isfinite(value) and field.lo <= value <= field.hi


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.builds(
    TrainConfig,
    dataset=st.sampled_from(FIELDS["dataset"].choices),
    hidden=st.integers(1, 16),
    activation=st.sampled_from(FIELDS["activation"].choices),
    loss=st.sampled_from(FIELDS["loss"].choices),
    lr=st.floats(1e-6, 1000),
    epochs=st.integers(0, 100_000),
    seed=st.integers(0, 2**32 - 1),
    init=st.sampled_from(FIELDS["init"].choices),
    update=st.sampled_from(FIELDS["update"].choices),
    samples=st.integers(8, 1000),
    noise=st.floats(0, 1),
))
def test_url_round_trip_is_exact(config):
    back, warnings = from_query(to_query(config))
    assert warnings == []
    assert back == config


HOSTILE_URLS = [
    {"lr": "abc", "hidden": "-7"},
    {"epochs": "1e9", "seed": "nan", "noise": "inf"},
    {"dataset": "<script>alert(1)</script>", "activation": "<img src=x onerror=alert(1)>"},
    {"hidden": ["3", "999", "4"], "lr": ["", "0.5"]},
    {"loss": "", "init": " ", "update": "\u202e"},
    {"samples": "1" * 400, "unknown": "x", "": ""},
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
    for name in FIELDS:  # the widgets hold the parsed (or default) values
        assert at.session_state[name] == getattr(expected, name)
    written = {k: at.query_params[k] for k in FIELDS}
    assert written == {k: [v] if isinstance(at.query_params[k], list) else v
                       for k, v in to_query(expected).items()}
    html = " ".join(str(m.value) for m in at.markdown)
    assert "<script>" not in html and "<img" not in html
