"""Settings: the tutorial's defaults, URL round-trips, and every kind of bad value."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import DEFAULTS, FIELDS, TrainConfig, from_query, to_query


def test_defaults_are_the_tutorials():
    # XOR, 2 hidden sigmoid units, the squared error, lr 0.1, 10,000 epochs, full batch,
    # weights from randn (we start the stream at seed 0).
    assert TrainConfig().to_dict() == {
        "dataset": "xor", "hidden": 2, "activation": "sigmoid", "loss": "mse", "lr": 0.1,
        "epochs": 10_000, "seed": 0, "init": "normal", "update": "batch",
        "samples": 200, "noise": 0.15,  # used only by the noisy datasets
    }


# --- URL round-trips -----------------------------------------------------------------------


def _valid(field):
    if field.kind == "choice":
        return st.sampled_from(field.choices)
    if field.kind == "int":
        return st.integers(int(field.lo), int(field.hi))
    return st.floats(field.lo, field.hi, exclude_min=field.lo_open)


configs = st.builds(TrainConfig, **{name: _valid(f) for name, f in FIELDS.items()})


@settings(max_examples=200, deadline=None, derandomize=True)
@given(configs)
def test_query_round_trip(config):
    query = to_query(config)
    assert all(isinstance(v, str) for v in query.values()), query
    assert from_query(query) == (config, [])


@settings(max_examples=100, deadline=None, derandomize=True)
@given(configs, configs)
def test_round_trip_through_a_real_url_ignores_the_base(config, base):
    """Every setting is in the link, so the receiver's own settings do not matter."""
    parsed = parse_qs(urlencode(to_query(config)), keep_blank_values=True)  # values are lists
    assert from_query(parsed, base=base) == (config, [])


def test_a_partial_query_keeps_the_rest_of_the_base():
    base = TrainConfig(hidden=5, lr=0.3)
    config, warnings = from_query({"seed": "9"}, base=base)
    assert (config, warnings) == (base.replace(seed=9), [])


# --- bad values in the URL -------------------------------------------------------------------
# Hand-written, per field: out of range on each side, wrong type, and text that floats read.
BAD = {
    "dataset": ["mnist", "", "xor;drop"],
    "hidden": ["0", "17", "-1", "2.5", "two", "nan"],
    "activation": ["softmax", "sigmoid2"],
    "loss": ["hinge", "MSE!"],
    "lr": ["0", "-0.1", "1001", "abc", "nan", "inf", "-inf"],
    "epochs": ["-1", "100001", "1.5", "1e999"],
    "seed": ["-1", "4294967296", "0.5", "x"],
    "init": ["zeros"],
    "update": ["minibatch"],
    "samples": ["7", "1001", "8.5"],
    "noise": ["-0.01", "1.01", "nan"],
}
BAD_CASES = [(name, value) for name, values in BAD.items() for value in values]


def test_every_field_has_bad_values_listed():
    assert set(BAD) == set(FIELDS)


@pytest.mark.parametrize("name, value", BAD_CASES)
def test_bad_value_warns_and_falls_back_to_the_default(name, value):
    other = "hidden" if name != "hidden" else "seed"  # a good value next to the bad one
    config, warnings = from_query({name: value, other: "3"})
    assert len(warnings) == 1, warnings
    message = warnings[0]
    field = FIELDS[name]
    assert message.startswith(name), message
    assert repr(value) in message, message
    if field.kind == "choice":
        assert all(choice in message for choice in field.choices), message
    else:
        assert field.allowed() in message, message
    assert getattr(config, name) == getattr(DEFAULTS, name)
    assert message.endswith(f"using {to_query(DEFAULTS)[name]}"), message
    assert getattr(config, other) == 3


INT_FIELDS = [name for name, f in FIELDS.items() if f.kind == "int"]
@pytest.mark.parametrize("name", INT_FIELDS)
def test_whole_number_bounds_are_shown_exactly(name):
    field = FIELDS[name]
    _, warnings = from_query({name: "-5"})
    assert f"<= {int(field.hi)}" in warnings[0], warnings[0]


def test_a_long_bad_value_is_shortened_in_the_warning():
    _, warnings = from_query({"dataset": "x" * 5000})
    assert len(warnings[0]) < 200 and "..." in warnings[0]


def test_repeated_keys_the_last_one_wins():
    assert from_query({"hidden": ["3", "5"], "lr": ["0.5"]}) == (
        TrainConfig(hidden=5, lr=0.5), [])


def test_repeated_keys_a_bad_last_value_falls_back_rather_than_using_an_earlier_one():
    config, warnings = from_query({"hidden": ["3", "zero"]})
    assert config.hidden == DEFAULTS.hidden and len(warnings) == 1


def test_unknown_keys_are_ignored():
    query = {"colour": "blue", "Hidden": "3", "hidden ": "4", "": "x", "lr[]": "1"}
    assert from_query(query) == (DEFAULTS, [])


@pytest.mark.parametrize("text, expected", [
    (" XOR ", ("dataset", "xor")), ("Tanh", ("activation", "tanh")),
    ("3.0", ("hidden", 3)), ("1e3", ("epochs", 1000)), (" 0.5 ", ("lr", 0.5)),
])
def test_lenient_spellings_of_valid_values(text, expected):
    name, value = expected
    config, warnings = from_query({name: text})
    assert (getattr(config, name), warnings) == (value, [])


# --- the dataclass itself --------------------------------------------------------------------

CONSTRUCTOR_BAD = [
    ("hidden", 0), ("hidden", 17), ("hidden", 2.5), ("hidden", "3"), ("lr", 0.0), ("lr", -1.0),
    ("lr", float("nan")), ("lr", float("inf")), ("epochs", -1), ("epochs", 100_001),
    ("seed", -1), ("seed", 2**32), ("dataset", "mnist"), ("activation", "softmax"),
    ("loss", "hinge"), ("init", "zeros"), ("update", "minibatch"), ("samples", 7),
    ("noise", 1.5),
]


@pytest.mark.parametrize("name, value", CONSTRUCTOR_BAD)
def test_constructor_rejects_bad_values_naming_the_field(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        TrainConfig(**{name: value})
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        DEFAULTS.replace(**{name: value})


@pytest.mark.parametrize("name", list(FIELDS))
@pytest.mark.parametrize("flag", [True, False])
def test_constructor_rejects_booleans(name, flag):
    with pytest.raises(ValueError, match=name):
        TrainConfig(**{name: flag})


def test_constructor_accepts_numpy_integers():
    seeds = np.arange(3)
    assert TrainConfig(seed=seeds[2]).seed == 2


def test_config_is_frozen_and_hashable():
    a, b = TrainConfig(hidden=3, lr=0.5), TrainConfig(hidden=3, lr=0.5)
    assert a == b and hash(a) == hash(b)
    assert {a: "cached"}[b] == "cached"
    assert a != a.replace(seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.hidden = 4
