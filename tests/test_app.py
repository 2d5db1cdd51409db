"""The dashboard through Streamlit's AppTest: defaults, settings in the URL, widgets, files.

The first screen, the views and the view in the link are in tests/test_app_views.py;
the helpers (and how AppTest opens a tab) in tests/appsession.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from appsession import (
    DEFAULTS,
    FAST,
    PAGES,
    VIEWS,
    config_from_state,
    control,
    link_warnings,
    ok,
    shown,
    start,
    text_elements,
    truth_table,
    url,
)
from setting_cases import other_value
from streamlit.testing.v1 import AppTest

from backprop import FIELDS, to_query, train
from backprop.config import VERSION, format_value
from backprop.presets import PRESETS, preset_config
from ui import widgets

# --- defaults --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return start()


def test_defaults_run_and_seed_0_is_stuck_on_a_plateau(default_app):
    verdicts = [w.value for w in default_app.warning]
    assert any("plateau" in v for v in verdicts), verdicts
    assert link_warnings(default_app) == []
    assert not default_app.error


def test_defaults_write_every_setting_to_the_url_and_nothing_else(default_app):
    assert url(default_app) == to_query(DEFAULTS)


def test_defaults_truth_table_has_the_four_patterns(default_app):
    table = truth_table(default_app)
    assert len(table) == 4
    assert table.target.tolist() == [0, 1, 1, 0]
    np.testing.assert_allclose(table.prediction, train(DEFAULTS).predictions)
    assert any("after 10,000 epochs" in c.value for c in default_app.caption)


def test_all_tabs_are_listed(default_app):
    labels = [tab.label for tab in default_app.tabs]
    assert labels == ["Run", *VIEWS, *PAGES[1:]]


# --- sidebar controls ------------------------------------------------------------------------

# Hand-picked changes (each makes a visible difference); any other setting gets other_value.
CHANGES = {**{name: other_value(f) for name, f in FIELDS.items()},
           "dataset": "and", "hidden": "3,2", "activation": "tanh", "loss": "bce", "lr": 0.5,
           "epochs": 2000, "seed": 4, "init": "xavier", "update": "online", "samples": 100,
           "noise": 0.3}


def test_every_setting_has_a_change_below():
    assert set(CHANGES) == set(FIELDS)
    for name, value in CHANGES.items():  # as the widget holds it (hidden: the text "3,2")
        assert widgets.shown(name, widgets.read(name, value)) == value
        assert widgets.read(name, value) != getattr(DEFAULTS, name)


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items()
                                  if f.kind != "points"])  # the data editor: test_app_data.py
def test_each_control_changes_the_run_and_the_url(name):
    query = {"epochs": "300"} if name != "epochs" else {}
    for other, values in FIELDS[name].when:  # shown only beside these (point clouds, μ)
        query[other] = values[0]
    at = start(query)
    change = widgets.read(name, CHANGES[name])
    before, expected = url(at), config_from_state(at).replace(**{name: change})
    ok(control(at, name).set_value(CHANGES[name]).run())
    assert control(at, name).value == CHANGES[name]
    assert config_from_state(at) == expected
    assert url(at) == {**before, name: format_value(change)}
    shown = truth_table(at).prediction  # the run on screen is the new one
    np.testing.assert_allclose(shown, train(expected).predictions[: len(shown)])


def test_momentum_is_shown_only_for_the_momentum_optimizer():
    at = start(FAST)
    assert "momentum" not in {w.key for w in at.sidebar.number_input}
    ok(at.selectbox(key="optimizer").set_value("momentum").run())
    assert "momentum" in {w.key for w in at.sidebar.number_input}
    ok(at.number_input(key="momentum").set_value(0.5).run())
    ok(at.selectbox(key="optimizer").set_value("adam").run())
    assert "momentum" not in {w.key for w in at.sidebar.number_input}
    assert url(at)["momentum"] == "0.5", "a hidden setting keeps its value"


def test_point_cloud_settings_are_hidden_for_the_truth_tables():
    at = start(FAST)
    keys = {w.key for w in at.sidebar.number_input}
    assert "samples" not in keys and "noise" not in keys
    ok(at.selectbox(key="dataset").set_value("circles").run())
    keys = {w.key for w in at.sidebar.number_input}
    assert {"samples", "noise"} <= keys
    assert len(truth_table(at)) == 8  # first 8 of 200 samples


# --- URL in ----------------------------------------------------------------------------------

LINK = {"hidden": "3", "lr": "0.5", "activation": "tanh", "loss": "bce", "seed": "4",
        "epochs": "3000"}


def test_url_settings_fill_the_widgets_and_train_that_run():
    at = start(LINK)
    expected = DEFAULTS.replace(hidden=3, lr=0.5, activation="tanh", loss="bce", seed=4,
                                epochs=3000)
    assert link_warnings(at) == []
    for name in LINK:
        assert control(at, name).value == widgets.shown(name, getattr(expected, name)), name
    assert config_from_state(at) == expected
    assert url(at) == to_query(expected)
    np.testing.assert_allclose(truth_table(at).prediction, train(expected).predictions)
    assert any("after 3,000 epochs" in c.value for c in at.caption)


GARBAGE = {"lr": "abc", "hidden": "-7", "epochs": "1e9",
           "dataset": "<script>alert(1)</script>", "seed": "nan"}


@pytest.fixture(scope="module")
def garbage_app() -> AppTest:
    return start(GARBAGE)


@pytest.mark.parametrize("name", list(GARBAGE))
def test_each_bad_url_parameter_gets_one_warning_naming_it_and_its_range(garbage_app, name):
    warnings = link_warnings(garbage_app)
    assert len(warnings) == len(GARBAGE)
    mine = [w for w in warnings if w.startswith(f"Link setting ignored: {name} must be")]
    assert len(mine) == 1, warnings
    assert FIELDS[name].allowed() in mine[0]
    assert f"using {format_value(getattr(DEFAULTS, name))}" in mine[0]


@pytest.mark.parametrize("name", list(GARBAGE))
def test_bad_url_parameter_falls_back_to_the_default(garbage_app, name):
    assert control(garbage_app, name).value == widgets.shown(name, getattr(DEFAULTS, name))


def test_bad_url_is_corrected_and_no_raw_html_is_rendered(garbage_app):
    assert url(garbage_app) == to_query(DEFAULTS)
    for body in text_elements(garbage_app):
        assert "<script>" not in body
    assert not [m for m in garbage_app.get("markdown") if m.proto.allow_html
                and "<script" in m.value]


# --- presets and reset ----------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_sets_every_setting(name):
    at = start(FAST)
    ok(at.selectbox(key="preset").set_value(name).run())
    expected = preset_config(name)
    assert config_from_state(at) == expected
    assert url(at) == to_query(expected)
    assert any(PRESETS[name][1] in c.value for c in at.sidebar.caption)


def test_tutorial_defaults_button_resets_every_setting():
    at = start({**LINK, "dataset": "or", "init": "he", "update": "online"})
    assert config_from_state(at) != DEFAULTS
    (button,) = [b for b in at.sidebar.button if "Tutorial defaults" in b.label]
    ok(button.click().run())
    assert config_from_state(at) == DEFAULTS
    assert url(at) == to_query(DEFAULTS)
    assert any("plateau" in w.value for w in at.warning)


# --- run files ------------------------------------------------------------------------------

def tampered(**config) -> bytes:
    """A valid run file of the defaults with some settings overwritten."""
    from backprop.runfile import dumps

    run = train(DEFAULTS.replace(epochs=10))
    doc = json.loads(dumps(run.config, run.params, run.mse))
    doc["config"].update(config)
    return json.dumps(doc).encode()


BAD_FILES = {
    "not JSON": lambda: b"this is not json",
    "not UTF-8": lambda: b"\xff\xfe\x00garbage",
    "empty": lambda: b"",
    "too large": lambda: b" " * 4_000_001,
    "empty object": lambda: b"{}",
    "a list": lambda: b"[1, 2, 3]",
    "setting out of range": lambda: tampered(hidden=99),
    "weights for another hidden size": lambda: tampered(hidden=3),
    "script in a setting": lambda: tampered(dataset="<script>alert(1)</script>"),
}


@pytest.mark.parametrize("make", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_upload_shows_an_error_and_the_app_keeps_working(make):
    at = start(FAST, files_open=True)
    before = url(at)
    ok(at.file_uploader(key="upload").set_value(("bad.json", make(), "application/json"))
       .run())
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("Could not use that run file — bad.json:")
    assert len(errors[0]) < 300, "the message is short, whatever the file holds"
    assert "<script>" not in " ".join(text_elements(at))
    assert url(at) == before
    assert "start" not in at.session_state
    ok(control(at, "hidden").set_value("3").run())
    assert url(at)["hidden"] == "3"


def test_good_upload_starts_from_its_weights_until_hidden_changes():
    from backprop.runfile import dumps

    config = DEFAULTS.replace(hidden=3, lr=0.5, seed=7, epochs=300)
    saved = train(config)
    text = dumps(config, saved.params, saved.mse)
    at = start(FAST, files_open=True)
    ok(at.file_uploader(key="upload").set_value(("mine.json", text.encode(), "application/json"))
       .run())
    assert not at.error
    assert config_from_state(at) == config
    assert any("**mine\\.json**" in i.value for i in at.info)
    resumed = train(config, params=saved.params)
    np.testing.assert_allclose(truth_table(at).prediction, resumed.predictions)
    ok(control(at, "hidden").set_value("2").run())
    assert any("set aside" in i.value for i in at.info)
    assert "start" not in at.session_state


def test_stale_messages_clear_when_the_user_acts():
    at = start({**FAST, "lr": "abc"}, files_open=True)
    assert any("Link setting ignored" in w.value for w in at.warning)
    ok(at.number_input(key="seed").set_value(5).run())
    assert not any("Link setting ignored" in w.value for w in at.warning)
    ok(at.file_uploader(key="upload").set_value(("bad.json", b"not json", "application/json"))
       .run())
    assert any("Could not use that run file" in e.value for e in at.error)
    ok(at.file_uploader(key="upload").set_value(None).run())
    assert not any("Could not use that run file" in e.value for e in at.error)


def test_hidden_settings_keep_their_values():
    """samples/noise are only shown for point clouds, but a trip to XOR must not lose them."""
    at = start({**FAST, "dataset": "circles", "samples": "100"})
    ok(at.selectbox(key="dataset").set_value("xor").run())
    ok(at.number_input(key="seed").set_value(3).run())
    assert url(at)["samples"] == "100"
    ok(at.selectbox(key="dataset").set_value("circles").run())
    assert at.number_input(key="samples").value == 100


def test_user_text_cannot_become_markup():
    """A link value that is markdown (an image, a link, LaTeX) is shown as plain text."""
    at = start({**FAST, "dataset": "![x](http://127.0.0.1:9/x.png) [y](http://e) $x^2$"})
    (warning,) = [w.value for w in at.warning if w.value.startswith("Link setting ignored")]
    for raw in ("![", "](", "$x"):
        assert raw not in warning, warning
    assert "![x]" in shown(warning)


def test_a_new_url_in_the_same_session_is_followed():
    """Browser back/forward changes the URL without a new session: the settings follow it."""
    at = start(FAST)
    at.query_params["seed"] = "7"
    at.query_params["hidden"] = "x"
    ok(at.run())
    assert at.session_state["seed"] == 7
    assert at.session_state["hidden"] == "2"
    assert len(link_warnings(at)) == 1
    assert url(at)["hidden"] == "2"


def test_an_upload_says_which_settings_it_filled_in():
    """A first-design run file (eight settings) opens; the app names what it filled in."""
    golden = Path(__file__).parent / "data" / "run-v1-first-design.json"
    at = start(FAST, files_open=True)
    ok(at.file_uploader(key="upload").set_value(
        ("first.json", golden.read_bytes(), "application/json")).run())
    (note,) = [shown(c.value) for c in at.caption if "does not set" in c.value]
    assert "first.json does not set update, samples, noise" in note
    assert "version 1" in note and "update batch" in note


@pytest.mark.parametrize("query, says", [
    (FAST, True),  # a link from before versions: v is missing, so version 1
    ({"v": str(VERSION), **FAST}, False),  # a current link that leaves settings at defaults
    ({}, False),  # the bare address sets nothing: nothing to say
])
def test_an_older_link_says_what_it_filled_in(query, says):
    at = start(query)
    notes = [shown(c.value) for c in at.caption if c.value.startswith("This link")]
    assert bool(notes) == says, notes
