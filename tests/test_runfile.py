"""Run files: exact round-trips, one rejection per kind of bad file, and fuzzing.

Golden files of every version and migrations are in test_runfile_versions.py.
"""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from setting_cases import SMALL

from backprop import TrainConfig, train
from backprop.config import FIELDS, VERSION, defaults_at
from backprop.nn import PARAM_NAMES
from backprop.runfile import (
    MAX_BYTES,
    RunFile,
    RunFileError,
    dumps,
    loads,
    param_shapes,
    run_to_json,
)


def assert_same(loaded: RunFile, config, params, mse):
    assert loaded.config == config
    assert list(loaded.params) == list(PARAM_NAMES)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(loaded.params[name], params[name], err_msg=name)
        assert loaded.params[name].dtype == np.float64, name
    np.testing.assert_array_equal(loaded.mse, mse, err_msg="mse")


# --- round trips ------------------------------------------------------------------


@pytest.mark.parametrize("config", [
    SMALL,
    TrainConfig(dataset="circles", hidden=16, activation="tanh", loss="bce", lr=0.37,
                epochs=30, seed=2**32 - 1, init="he", update="online", samples=9, noise=0.3),
    TrainConfig(epochs=0),
    TrainConfig(dataset="custom", data="0.5,-2,1;3,4,0;1e-300,123456.789,1", epochs=40),
], ids=["tutorial", "every-setting-changed", "zero-epochs", "your-own-data"])
def test_round_trip_is_exact(config):
    run = train(config)
    assert_same(loads(run_to_json(run)), config, run.params, run.mse)


@pytest.mark.parametrize("encode", [
    lambda text: text,
    lambda text: text.encode(),
    lambda text: bytearray(text.encode()),
    lambda text: b"\xef\xbb\xbf" + text.encode(),
], ids=["str", "bytes", "bytearray", "utf8-with-bom"])
def test_loads_takes_text_and_bytes(valid_text, small_run, encode):
    assert_same(loads(encode(valid_text)), SMALL, small_run.params, small_run.mse)


def test_file_is_plain_json_with_every_setting(valid_text, small_run):
    doc = json.loads(valid_text)
    assert list(doc) == ["format", "version", "config", "params", "mse"]
    assert doc["format"] == "backprop-run" and doc["version"] == VERSION
    assert doc["config"] == SMALL.to_dict()
    assert doc["params"]["W1"] == small_run.params["W1"].tolist()
    assert doc["mse"] == small_run.mse.tolist()


def test_training_from_a_loaded_file_continues_identically():
    whole = train(TrainConfig(epochs=600))
    first = train(TrainConfig(epochs=300))
    loaded = loads(run_to_json(first))
    rest = train(TrainConfig(epochs=300), params=loaded.params)
    np.testing.assert_array_equal(np.concatenate([first.mse, rest.mse]), whole.mse)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(rest.params[name], whole.params[name], err_msg=name)


def test_a_run_at_the_limits_fits_in_max_bytes():
    """100,000 epochs and 16 hidden units, every float at its longest repr (22 chars)."""
    config = TrainConfig(hidden=16, epochs=100_000)
    rng = np.random.default_rng(0)
    params = {name: -rng.random(shape) * 1e-5 for name, shape in param_shapes(16).items()}
    mse = rng.random(100_000) * 1e-5 + 1e-6
    text = dumps(config, params, mse)
    assert len(text.encode()) < MAX_BYTES, f"{len(text.encode()):,} bytes"
    assert_same(loads(text), config, params, mse)


@pytest.mark.parametrize("params, mse, fragment", [
    ({"W1": np.full((2, 2), np.nan)}, [0.1], "params: missing b1"),
    ({**{n: np.zeros(s) for n, s in param_shapes(2).items()}, "W1": np.zeros((3, 2))},
     [0.1], "W1 has shape (3, 2)"),
    ({n: np.full(s, np.inf) for n, s in param_shapes(2).items()}, [0.1], "finite"),
    ({n: np.zeros(s) for n, s in param_shapes(2).items()}, [np.nan], "finite"),
], ids=["missing-param", "wrong-shape", "infinite-weight", "nan-mse"])
def test_dumps_refuses_what_loads_would_refuse(params, mse, fragment):
    with pytest.raises(RunFileError, match=re.escape(fragment)):
        dumps(TrainConfig(), params, mse)


# --- rejections ---------------------------------------------------------------------


def edit(change):
    """A case that changes the parsed valid file, then writes it back as JSON text."""

    def make(text):
        doc = json.loads(text)
        change(doc)
        return json.dumps(doc)  # NaN and inf come out as the literals NaN and Infinity

    return make


def raw(data):
    return lambda text: data


def replace(old, new):
    return lambda text: text.replace(old, new, 1)


def sub(pattern, new):
    """Rewrite the file's text where ``pattern`` first matches (for literals json can't write)."""
    return lambda text: re.sub(pattern, new, text, count=1)


def set_in(*path_and_value):
    *path, value = path_and_value

    def change(doc):
        for key in path[:-1]:
            doc = doc[key]
        doc[path[-1]] = value

    return edit(change)


def drop(*path):
    def change(doc):
        for key in path[:-1]:
            doc = doc[key]
        del doc[path[-1]]

    return edit(change)


NESTED = "[" * 100_000 + "]" * 100_000
REJECTIONS = {
    # size, encoding, syntax
    "too-large-bytes": (raw(b" " * (MAX_BYTES + 1)), "too large: 4,000,001 bytes"),
    "too-large-text": (raw(" " * (MAX_BYTES + 1)), "too large"),
    "empty": (raw(b""), "the file is empty"),
    "only-whitespace": (raw(b" \n\t\r\n"), "the file is empty"),
    "not-utf8": (raw(b'{"format": "\xff"}'), "not UTF-8 text: invalid byte at position 12"),
    "lone-surrogate-text": (raw('{"format": "\ud800"}'), "not UTF-8 text"),
    "not-text-or-bytes": (raw(12), "text or bytes, not int"),
    "not-json": (raw(b'{"format": '), "not valid JSON"),
    "truncated": (lambda text: text[: len(text) // 2], "not valid JSON"),
    "integer-too-long": (raw("1" * 5000), "a number has too many digits"),
    "deeply-nested": (raw(NESTED), "nested too deeply"),
    "deeply-nested-setting": (replace('"lr": 0.1', f'"lr": {NESTED}'), "nested too deeply"),
    "duplicate-key": (replace(f'"version": {VERSION}',
                              f'"version": {VERSION}, "version": {VERSION}'),
                      "duplicate key 'version'"),
    # top level
    "top-level-list": (raw("[1, 2]"), "the top level must be a JSON object, got a list of 2"),
    "top-level-number": (raw("3"), "the top level must be a JSON object, got 3"),
    "missing-format": (drop("format"), 'no "format": "backprop-run" key'),
    "wrong-format": (set_in("format", "pickle"), "\"format\" must be \"backprop-run\", "
                                                 "got the string 'pickle'"),
    "missing-version": (drop("version"), 'missing key: "version"'),
    "future-version": (set_in("version", VERSION + 1), f"written by version {VERSION + 1}; "
                                                       f"this program reads versions 1–{VERSION}"),
    "version-zero": (set_in("version", 0), f"unsupported version 0: this program reads "
                                           f"versions 1–{VERSION}"),
    "version-as-float": (set_in("version", float(VERSION)), f"unsupported version {VERSION}.0"),
    "version-as-text": (set_in("version", "1"), "unsupported version '1'"),
    "version-as-bool": (set_in("version", True), "unsupported version True"),
    "unknown-top-level-key": (set_in("history", []), "unknown key(s): 'history'"),
    "missing-curve": (drop("mse"), "missing key(s): mse"),
    # config
    "config-not-object": (set_in("config", [1]), "config must be an object of settings"),
    "config-bad-value": (set_in("config", "lr", "fast"), "config: lr must be a number"),
    "config-out-of-range": (set_in("config", "hidden", 17), "config: hidden must be 1 to 4 whole "
                                                            "numbers >= 1 and <= 16"),
    "config-too-deep": (set_in("config", "hidden", [2, 2, 2, 2, 2]),
                        "config: hidden must be 1 to 4 whole numbers"),
    "config-fractional-int": (set_in("config", "epochs", 50.5), "config: epochs must be"),
    "config-bool": (set_in("config", "seed", True), "config: seed must be"),
    "config-unknown-setting": (set_in("config", "colour", 0.9),
                               "config: unknown setting(s): 'colour' (not settings of this "
                               "Backprop Lab; a newer one may have written it)"),
    # params
    "params-not-object": (set_in("params", [[1.0]]), "params must be an object with W1"),
    "params-missing-key": (drop("params", "W2"), "params: missing W2"),
    "params-extra-key": (set_in("params", "W3", [[1.0]]), "params: unknown key(s) 'W3'"),
    "params-flat-list": (set_in("params", "W1", [1.0, 2.0]), "W1 must be a 2-D list"),
    "params-empty": (set_in("params", "b2", []), "b2 must be a 2-D list"),
    "params-number": (set_in("params", "b2", 0.5), "b2 must be a 2-D list"),
    "params-string": (set_in("params", "W1", 0, 0, "1.0"), "W1 must hold only numbers, "
                                                          "got the string '1.0'"),
    "params-bool": (set_in("params", "b1", 0, 0, True), "b1 must hold only numbers, got True"),
    "params-null": (set_in("params", "W2", 0, 0, None), "W2 must hold only numbers, got None"),
    "params-3d": (set_in("params", "b2", [[[0.0]]]), "b2 must hold only numbers, got a list"),
    "params-ragged": (set_in("params", "W1", [[1.0, 2.0], [3.0]]),
                      "the rows of W1 have different lengths"),
    "params-shape-vs-hidden": (set_in("config", "hidden", 3),
                               "W1 has shape (2, 2), but hidden = 3 needs (3, 2)"),
    "params-shape-vs-each-other": (set_in("params", "W2", [[1.0, 2.0, 3.0]]),
                                   "W2 has shape (1, 3), but hidden = 2 needs (1, 2)"),
    "params-transposed": (set_in("params", "b1", [[0.0, 0.0]]),
                          "b1 has shape (1, 2), but hidden = 2 needs (2, 1)"),
    "params-nan": (set_in("params", "W1", 0, 0, float("nan")), "NaN is not allowed"),
    "params-infinity": (set_in("params", "b2", 0, 0, float("inf")), "Infinity is not allowed"),
    "params-minus-infinity": (set_in("params", "b2", 0, 0, -float("inf")),
                              "-Infinity is not allowed"),
    "params-overflowing-float": (sub(r'"b2": \[\[[^]]*]]', '"b2": [[1e999]]'), "b2 holds a number "
                                                                         "too large to be finite"),
    "params-overflowing-int": (set_in("params", "b2", [[10**400]]), "b2 holds a number too "
                                                                    "large to be finite"),
    # the MSE curve
    "curve-not-list": (set_in("mse", {"0": 0.25}), "mse must be a list of numbers, "
                                                   "got an object"),
    "curve-longer-than-epochs": (set_in("config", "epochs", 49),
                                 "mse has 50 entries, more than epochs = 49"),
    "curve-string": (set_in("mse", 3, "0.25"), "mse[3] must be a number, got the string"),
    "curve-nested": (set_in("mse", 0, [0.25]), "mse[0] must be a number, got a list of 1"),
    "curve-nan": (set_in("mse", 7, float("nan")), "NaN is not allowed"),
    "curve-overflowing": (sub(r'"mse": \[[^,]*,', '"mse": [1e999,'), "mse holds a number "
                                                                  "too large to be finite"),
    "curve-negative": (set_in("mse", 4, -0.5), "mse[4] is -0.5: a mean squared error is >= 0"),
}


@pytest.mark.parametrize("make, fragment", list(REJECTIONS.values()), ids=list(REJECTIONS))
def test_rejects(valid_text, make, fragment):
    data = make(valid_text)
    with pytest.raises(RunFileError) as caught:
        loads(data)
    assert fragment in str(caught.value), f"message was: {caught.value}"


def test_the_valid_file_behind_every_rejection_loads(valid_text):
    """Each rejection above breaks one thing: the file it starts from is fine."""
    assert loads(valid_text).config == SMALL


@pytest.mark.parametrize("name", list(FIELDS))
def test_a_bad_value_for_any_setting_is_named(valid_text, name):
    data = set_in("config", name, [name])(valid_text)
    with pytest.raises(RunFileError, match=f"^config: {name} must be "):
        loads(data)


@pytest.mark.parametrize("offset", [-40, -20, -10, -5, -2, 0, 5])
def test_nesting_near_the_recursion_limit(valid_text, offset):
    depth = sys.getrecursionlimit() + offset
    nested = "[" * depth + "]" * depth
    with pytest.raises(RunFileError, match="nested too deeply|config: lr must be"):
        loads(valid_text.replace('"lr": 0.1', f'"lr": {nested}'))


def test_recursion_while_checking_is_a_run_file_error(valid_text, monkeypatch):
    def too_deep(data, version):
        raise RecursionError

    monkeypatch.setattr("backprop.runfile.from_dict", too_deep)
    with pytest.raises(RunFileError, match="nested too deeply"):
        loads(valid_text)


# --- fuzzing: nothing but RunFileError, whatever the bytes --------------------------------


def loads_or_rejects(data):
    try:
        loaded = loads(data)
    except RunFileError as err:
        assert str(err), "an empty message"
        return None
    assert isinstance(loaded.config, TrainConfig)
    assert loaded.mse.shape[0] <= loaded.config.epochs
    meant = defaults_at(loaded.version)  # what a left-out setting means
    assert all(getattr(loaded.config, name) == getattr(meant, name) for name in loaded.filled)
    for name, shape in param_shapes(loaded.config.hidden).items():
        assert loaded.params[name].shape == shape, name
        assert np.isfinite(loaded.params[name]).all(), name
    return loaded


FUZZ = settings(max_examples=200, deadline=None, derandomize=True)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    loads_or_rejects(data)


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text(data):
    loads_or_rejects(data)


@FUZZ
@given(st.data())
def test_mutated_valid_files(valid_text, data):
    raw_bytes = bytearray(valid_text.encode())
    start = data.draw(st.integers(0, len(raw_bytes) - 1), label="start")
    length = data.draw(st.integers(0, 8), label="length")
    insert = data.draw(st.binary(max_size=8) | st.sampled_from(
        [b"NaN", b"-Infinity", b"1e999", b"[", b"]", b"{", b"}", b",", b'"', b"true", b"null",
         b"-", b"0", b"9" * 400]), label="insert")
    raw_bytes[start:start + length] = insert
    loads_or_rejects(bytes(raw_bytes))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                   max_size=4),
    max_leaves=12)
PATHS = [(), ("format",), ("version",), ("config",), *[("config", name) for name in FIELDS],
         ("params",), ("params", "W1"), ("params", "W1", 0), ("params", "W1", 0, 1),
         ("params", "b2", 0, 0), ("mse",), ("mse", 0)]


@FUZZ
@given(st.sampled_from(PATHS), JSON_VALUES)
def test_any_json_value_anywhere(valid_text, path, value):
    doc = json.loads(valid_text)
    if path:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    else:
        doc = value
    loaded = loads_or_rejects(json.dumps(doc))
    if path == ("mse", 0) and type(value) is float and 0 <= value < float("inf"):
        assert loaded is not None, f"a valid MSE {value!r} was rejected"


def test_a_file_carries_points_too_big_for_a_link():
    n = 3000  # far beyond userdata.MAX_LINK_CHARS in the link form
    rng = np.random.default_rng(5)
    xs = rng.random((n, 2)).tolist()
    points = ";".join(f"{a!r},{b!r},{i % 2}" for i, (a, b) in enumerate(xs))
    config = TrainConfig(dataset="custom", data=points, epochs=3)
    run = train(config)
    loaded = loads(run_to_json(run))
    assert loaded.config == config and len(loaded.config.data) > 100_000


@pytest.mark.parametrize("data, fragment", [
    ("0,0,0;1,1,2", "row 2: y must be 0 or 1, got 2"),
    (["0,0,0"], "got \"['0,0,0']\""),
])
def test_bad_points_in_a_file_are_named(valid_text, data, fragment):
    with pytest.raises(RunFileError, match="^config: data must be points") as err:
        loads(set_in("config", "data", data)(valid_text))
    assert fragment in str(err.value)
