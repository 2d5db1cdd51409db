"""Settings: the tutorial's defaults, frozen per version; links; every kind of bad value."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from setting_cases import BAD_TEXTS, BAD_VALUES, valid

from backprop import DEFAULTS, FIELDS, TrainConfig, from_query, to_query
from backprop import config as config_module
from backprop.config import (
    VERSION,
    VERSIONS,
    defaults_at,
    filled_message,
    from_dict,
    read_query,
    settings_table,
)
from backprop.field import Field

README = Path(__file__).resolve().parents[1] / "README.md"

# --- defaults, frozen per version --------------------------------------------------------

# The tutorial: XOR, 2 hidden sigmoid units, the squared error, lr 0.1, 10,000 epochs,
# full batch, weights from randn (we start the stream at seed 0). Then the three
# settings added during version 1, whose defaults keep those runs as they were.
TUTORIAL = {"dataset": "xor", "hidden": 2, "activation": "sigmoid", "loss": "mse", "lr": 0.1,
            "epochs": 10_000, "seed": 0, "init": "normal"}
VERSION_1 = {**TUTORIAL, "update": "batch", "samples": 200, "noise": 0.15}
# What a file or link of each version means by a setting it leaves out, written by
# hand. Never edit a row: a later version may add settings, not change these.
MEANT = {1: VERSION_1, 2: VERSION_1, 3: VERSION_1}


def as_read(settings: dict) -> dict:
    """Each value as its setting reads it (``hidden`` 2 is one layer of two: ``(2,)``)."""
    return {name: FIELDS[name].parse(value) for name, value in settings.items()}


def test_every_version_has_a_frozen_row():
    assert set(MEANT) == set(VERSIONS) == set(range(1, VERSION + 1))


@pytest.mark.parametrize("version", sorted(MEANT))
def test_what_a_missing_setting_meant_is_frozen(version):
    meant = {name: getattr(defaults_at(version), name) for name in FIELDS}
    assert {name: meant[name] for name in MEANT[version]} == as_read(MEANT[version]), (
        f"a default of version {version} changed: declare the old one in the Field's "
        f"earlier=((last_version, old_default),) and add a version")


def test_defaults_are_the_tutorials_and_the_current_versions():
    assert {name: getattr(DEFAULTS, name) for name in TUTORIAL} == as_read(TUTORIAL)
    assert DEFAULTS == TrainConfig() == defaults_at(VERSION)


def test_a_changed_default_keeps_old_links_and_files_meaning_what_they_meant(monkeypatch):
    """Say version 3 made Xavier the default: version 1 and 2 sources still mean normal."""
    changed = dataclasses.replace(FIELDS["init"], default="xavier", earlier=((2, "normal"),))
    monkeypatch.setitem(FIELDS, "init", changed)
    monkeypatch.setattr(config_module, "VERSION", 3)
    assert [changed.default_at(v) for v in (1, 2, 3, 4)] == ["normal", "normal", "xavier",
                                                            "xavier"]
    assert read_query({"seed": "1"}).config.init == "normal"  # no v: a version-1 link
    assert read_query({"v": "2"}).config.init == "normal"
    assert read_query({"v": "3"}).config.init == "xavier"
    assert from_dict({"hidden": 3}, version=2).config.init == "normal"
    assert from_dict({"hidden": 3}, version=3).config.init == "xavier"


def test_a_default_outside_its_own_bounds_is_refused_at_declaration():
    with pytest.raises(ValueError, match="hidden must be a whole number >= 1 and <= 16"):
        Field("hidden", "int", "Hidden units", 1, 16, default=0)
    with pytest.raises(ValueError, match="init must be one of a, b"):
        Field("init", "choice", "Init", choices=("a", "b"), default="a", earlier=((1, "c"),))


# --- TrainConfig is generated from FIELDS ---------------------------------------------------


def test_config_fields_are_the_declared_settings_in_order():
    fields = dataclasses.fields(TrainConfig)
    assert [f.name for f in fields] == list(FIELDS)
    assert [f.default for f in fields] == [f.default for f in FIELDS.values()]
    assert list(DEFAULTS.to_dict()) == list(FIELDS)


def test_config_is_frozen_hashable_and_picklable():
    a, b = TrainConfig(hidden=3, lr=0.5), TrainConfig(hidden=3, lr=0.5)
    assert a == b and hash(a) == hash(b)
    assert {a: "cached"}[b] == "cached"
    assert a != a.replace(seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.hidden = 4
    assert pickle.loads(pickle.dumps(a)) == a  # st.cache_data may pickle it


def test_constructor_accepts_numpy_integers():
    seeds = np.arange(3)
    assert TrainConfig(seed=seeds[2]).seed == 2


@pytest.mark.parametrize("name, value", BAD_VALUES)
def test_constructor_rejects_bad_values_naming_the_field(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        TrainConfig(**{name: value})
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        DEFAULTS.replace(**{name: value})


# --- links: round trips ---------------------------------------------------------------------

configs = st.builds(TrainConfig, **{name: valid(f) for name, f in FIELDS.items()})


@settings(max_examples=200, deadline=None, derandomize=True)
@given(configs)
def test_query_round_trip(config):
    query = to_query(config)
    assert all(isinstance(v, str) for v in query.values()), query
    assert from_query(query) == (config, [])
    assert read_query(query) == (config, (), VERSION, ())


@settings(max_examples=50, deadline=None, derandomize=True)
@given(configs)
def test_round_trip_through_a_real_url(config):
    parsed = parse_qs(urlencode(to_query(config)), keep_blank_values=True)  # values are lists
    assert read_query(parsed) == (config, (), VERSION, ())


def test_a_link_carries_its_version_first():
    query = to_query(DEFAULTS)
    assert list(query) == ["v", *FIELDS]
    assert query["v"] == str(VERSION)


def test_a_link_without_a_version_is_version_1_and_says_what_it_left_out():
    read = read_query({"seed": "9", "hidden": "3"})
    assert read.config == defaults_at(1).replace(seed=9, hidden=3)
    assert read.version == 1 and read.warnings == ()
    assert read.filled == tuple(name for name in FIELDS if name not in ("seed", "hidden"))


def test_an_empty_link_is_the_tutorial():
    assert read_query({}) == (DEFAULTS, tuple(FIELDS), 1, ())


@pytest.mark.parametrize("raw, fragment", [
    ("99", f"this link is version 99, newer than this app reads (versions 1–{VERSION})"),
    ("abc", f"v (the link's version) must be a whole number from 1 to {VERSION}, got 'abc'"),
    ("0", "got '0'"),
    ("-1", "got '-1'"),
    ("9" * 5000, "..."),
])
def test_a_bad_or_newer_link_version_warns_and_reads_the_link_as_this_version(raw, fragment):
    read = read_query({"v": raw, "lr": "0.5"})
    assert read.config == DEFAULTS.replace(lr=0.5) and read.version == VERSION
    assert len(read.warnings) == 1 and fragment in read.warnings[0], read.warnings
    assert len(read.warnings[0]) < 200


def test_filled_message_names_each_setting_and_its_value():
    link = {n: v for n, v in to_query(DEFAULTS).items() if n not in ("update", "samples", "noise")}
    read = read_query({**link, "v": "1"})
    assert filled_message("This link", read) == (
        "This link does not set update, samples, noise; using what version 1 ran with: "
        "update batch, samples 200, noise 0.15.")
    assert filled_message("This link", read_query(to_query(DEFAULTS))) == ""


# --- links: bad values ---------------------------------------------------------------------
# Generated from each declaration (out of range on each side, not a number, not a choice),
# plus some written by hand.
EXTRA_BAD = [("dataset", "mnist"), ("hidden", "two"), ("activation", "softmax"),
             ("loss", "MSE!"), ("lr", "0"), ("lr", "-0.1"), ("epochs", "1.5"),
             ("seed", "4294967296"), ("init", "zeros"), ("update", "minibatch")]


@pytest.mark.parametrize("name, value", BAD_TEXTS + EXTRA_BAD)
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
    assert message.endswith(f"using {to_query(DEFAULTS)[name] or 'none'}"), message
    assert getattr(config, other) == FIELDS[other].parse("3")


@pytest.mark.parametrize("name", [name for name, f in FIELDS.items() if f.kind == "int"])
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


def test_an_empty_list_is_a_setting_left_out():
    read = read_query({"hidden": []})
    assert read.config == DEFAULTS and "hidden" in read.filled and read.warnings == ()


def test_unknown_keys_are_ignored():
    query = {"colour": "blue", "Hidden": "3", "hidden ": "4", "": "x", "lr[]": "1", "V": "9"}
    assert from_query(query) == (DEFAULTS, [])


@pytest.mark.parametrize("text, expected", [
    (" XOR ", ("dataset", "xor")), ("Tanh", ("activation", "tanh")),
    ("3.0", ("hidden", (3,))), (" 3, 2 ", ("hidden", (3, 2))), ("1e3", ("epochs", 1000)),
    (" 0.5 ", ("lr", 0.5)),
])
def test_lenient_spellings_of_valid_values(text, expected):
    name, value = expected
    config, warnings = from_query({name: text})
    assert (getattr(config, name), warnings) == (value, [])


# --- the README's settings table ---------------------------------------------------------


def test_readme_settings_table_is_the_generated_one():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- settings-table -->\n(.*?)\n<!-- /settings-table -->", text, re.S)
    assert found, "README.md has no <!-- settings-table --> ... <!-- /settings-table --> block"
    assert found.group(1).strip() == settings_table(), (
        "README's settings table is out of date: replace it with the output of "
        "`python -m backprop settings`")


def test_settings_table_has_one_row_per_setting_with_its_default():
    rows = settings_table().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{name}`" for name in FIELDS]
    assert rows[list(FIELDS).index("lr")].startswith("| `lr` | `0.1` | 1e-06 – 1000 | α in W")
    assert "| `seed` | `0` | 0 – 4,294,967,295 |" in settings_table()
    assert "`mse` = ½ squared error (tutorial), `bce` = cross-entropy" in settings_table()
    assert "8 – 1,000; only for dataset xor-cloud, circles" in settings_table()
    assert "0 – 0.999; only for optimizer momentum" in settings_table()


@pytest.mark.parametrize("settings, shown", [
    ({}, set()),  # the tutorial: neither point-cloud settings, nor μ, nor your own data
    ({"optimizer": "momentum"}, {"momentum"}),
    ({"optimizer": "adam"}, set()),
    ({"dataset": "circles"}, {"samples", "noise"}),
    ({"dataset": "custom", "optimizer": "momentum"}, {"data", "momentum"}),
])
def test_a_setting_applies_only_beside_the_values_it_names(settings, shown):
    config = DEFAULTS.replace(**settings)
    conditional = {name for name, f in FIELDS.items() if f.when}
    assert {name for name in conditional if FIELDS[name].applies(config)} == shown
    as_mapping = {name: getattr(config, name) for name in FIELDS}
    assert {name for name in conditional if FIELDS[name].applies(as_mapping)} == shown
