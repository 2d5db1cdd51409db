"""The dashboard through Streamlit's AppTest: defaults, URL, widgets, views, files, census.

Each test starts a fresh session (``AppTest.from_file``); training results are
cached per process, so only the first run of a config pays for it. Most tests
ask for 500 epochs through the URL to stay fast.

AppTest (1.67) cannot click a tab: ``at.tabs`` lists every tab's label, but a
``Tab`` has no setter. The app's tab groups have a key and ``on_change="rerun"``,
which makes them widgets, so a test opens a tab by writing its label into
``at.session_state[key]`` before a run.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop import FIELDS, TrainConfig, explore, to_query, train
from backprop.config import format_value
from backprop.presets import PRESETS, preset_config
from backprop.training import checkpoint_epochs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DEFAULTS = TrainConfig()
FAST = {"epochs": "500"}
VIEWS = ["Decision surface", "σ′ heatmaps", "Hidden units", "Why stuck?", "Backprop step",
         "Network", "Gradient check"]
PAGES = ["Run", "Live training", "Seed census", "Sweep"]


# --- helpers ---------------------------------------------------------------------------------

def start(query: dict | None = None, **state) -> AppTest:
    """A session opened at ``?query``, with ``state`` in session_state, run once."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def url(at: AppTest) -> dict[str, str]:
    """The address bar's settings, one string per key."""
    values = {key: at.query_params[key] for key in at.query_params}
    return {k: v[-1] if isinstance(v, list) else v for k, v in values.items()}


def control(at: AppTest, name: str):
    """The sidebar widget of a setting (widget keys are the FIELDS names)."""
    if FIELDS[name].kind == "choice":
        return at.selectbox(key=name)
    if name == "hidden":
        return at.slider(key=name)
    return at.number_input(key=name)


def shown(markdown: str) -> str:
    """What a reader sees: the app backslash-escapes user text so it cannot become markup."""
    return re.sub(r"\\(.)", r"\1", markdown)


def link_warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning if w.value.startswith("Link setting ignored")]


def charts(at: AppTest) -> list[dict]:
    """Every plotly chart's figure, parsed from the JSON spec the browser receives."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def text_elements(at: AppTest) -> list[str]:
    """Bodies of everything rendered as markdown or raw HTML."""
    kinds = ("markdown", "caption", "latex", "html")
    return [str(node.value) for kind in kinds for node in at.get(kind)]


def config_from_state(at: AppTest) -> TrainConfig:
    return TrainConfig(**{name: at.session_state[name] for name in FIELDS})


def truth_table(at: AppTest):
    (table,) = [d.value for d in at.dataframe if "prediction" in d.value.columns]
    return table


# --- defaults --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return start()


def test_defaults_run_and_seed_0_is_stuck_on_a_plateau(default_app):
    verdicts = [w.value for w in default_app.warning]
    assert any("plateau" in v for v in verdicts), verdicts
    assert link_warnings(default_app) == []
    assert not default_app.error


def test_defaults_write_every_setting_to_the_url(default_app):
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

CHANGES = {"dataset": "and", "hidden": 3, "activation": "tanh", "loss": "bce", "lr": 0.5,
           "epochs": 2000, "seed": 4, "init": "xavier", "update": "online", "samples": 100,
           "noise": 0.3}


def test_every_setting_has_a_change_below():
    assert set(CHANGES) == set(FIELDS)
    for name, value in CHANGES.items():
        assert FIELDS[name].parse(value) == value
        assert value != getattr(DEFAULTS, name)


@pytest.mark.parametrize("name", list(FIELDS))
def test_each_control_changes_the_run_and_the_url(name):
    query = {"epochs": "300"} if name != "epochs" else {}
    if name in ("samples", "noise"):  # only shown for the point clouds
        query["dataset"] = "xor-cloud"
    at = start(query)
    before, expected = url(at), config_from_state(at).replace(**{name: CHANGES[name]})
    ok(control(at, name).set_value(CHANGES[name]).run())
    assert control(at, name).value == CHANGES[name]
    assert config_from_state(at) == expected
    assert url(at) == {**before, name: format_value(CHANGES[name])}
    shown = truth_table(at).prediction  # the run on screen is the new one
    np.testing.assert_allclose(shown, train(expected).predictions[: len(shown)])


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
        assert control(at, name).value == getattr(expected, name), name
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
    assert control(garbage_app, name).value == getattr(DEFAULTS, name)


def test_bad_url_is_corrected_and_no_raw_html_is_rendered(garbage_app):
    assert url(garbage_app) == to_query(DEFAULTS)
    for body in text_elements(garbage_app):
        assert "<script>" not in body
    assert not [m for m in garbage_app.get("markdown") if m.proto.allow_html
                and "<script" in m.value]


# --- the run views --------------------------------------------------------------------------

def red_lines(figure: dict) -> list:
    return [s["x0"] for s in figure["layout"].get("shapes", [])
            if s.get("line", {}).get("color") == "#b2182b"]


def test_epoch_scrubber_moves_every_view_to_that_checkpoint():
    at = start(FAST)
    scrubber = at.select_slider(key="epoch")
    assert scrubber.value == 500
    assert [int(e) for e in scrubber.options] == checkpoint_epochs(500).tolist()
    loss, surface = charts(at)
    assert red_lines(loss) == [500]
    ok(scrubber.set_value(50).run())
    moved_loss, moved_surface = charts(at)
    assert red_lines(moved_loss) == [50]
    assert moved_surface["data"][0]["z"] != surface["data"][0]["z"]
    assert at.select_slider(key="epoch").value == 50


def test_sample_picker_changes_the_backprop_step():
    at = start(FAST, view="Backprop step")
    first = [m.value for m in at.latex]
    assert first and r"\begin{bmatrix}0 \\ 0\end{bmatrix}" in first[0]
    ok(at.selectbox(key="sample").set_value(2).run())
    second = [m.value for m in at.latex]
    assert r"\begin{bmatrix}1 \\ 0\end{bmatrix}" in second[0]
    assert first != second


def test_log_toggle_switches_the_loss_axis():
    at = start(FAST)
    assert charts(at)[0]["layout"]["yaxis"]["type"] == "linear"
    ok(at.toggle(key="log_loss").set_value(True).run())
    assert charts(at)[0]["layout"]["yaxis"]["type"] == "log"


# (view, plotly charts including the loss curve, latex blocks, dataframes incl. truth table)
VIEW_CONTENT = {
    "Decision surface": (2, 0, 1),
    "σ′ heatmaps": (3, 0, 1),
    "Hidden units": (2, 0, 1),
    "Why stuck?": (2, 0, 1),
    "Backprop step": (1, 17, 1),
    "Network": (2, 0, 1),
    "Gradient check": (1, 0, 2),
}


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_renders_only_its_own_content(view):
    at = start(FAST, view=view)
    assert at.session_state["view"] == view
    plots, latex, frames = VIEW_CONTENT[view]
    assert (len(at.get("plotly_chart")), len(at.latex), len(at.dataframe)) == (
        plots, latex, frames)


@pytest.mark.parametrize("activation, symbol, top", [("sigmoid", "σ′(z¹)", 0.25),
                                                     ("tanh", "tanh′(z¹)", 1)])
def test_derivative_view_colour_range_per_activation(activation, symbol, top):
    at = start({**FAST, "activation": activation}, view="σ′ heatmaps")
    heatmaps = charts(at)[1]
    assert heatmaps["layout"]["coloraxis"]["cmax"] == top
    assert heatmaps["layout"]["coloraxis"]["colorbar"]["title"]["text"] == symbol
    assert any(symbol in m.value for m in at.markdown)


def test_gradient_check_agrees_with_backprop():
    at = start(FAST, view="Gradient check")
    (table,) = [d.value for d in at.dataframe if "relative error" in d.value.columns]
    assert len(table) == 9  # W1 (2x2), b1 (2), W2 (2), b2 (1)
    assert (table["relative error"] < 1e-4).all()


def test_why_stuck_with_more_than_two_hidden_units_picks_the_axes():
    at = start({**FAST, "hidden": "4"}, view="Why stuck?")
    ok(at.selectbox(key="unit_y").set_value(3).run())
    figure = charts(at)[1]
    assert figure["layout"]["yaxis"]["title"]["text"] == "a¹ of unit 4"


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
    at = start(FAST)
    before = url(at)
    ok(at.file_uploader(key="upload").set_value(("bad.json", make(), "application/json"))
       .run())
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("Could not use that run file — bad.json:")
    assert len(errors[0]) < 300, "the message is short, whatever the file holds"
    assert "<script>" not in " ".join(text_elements(at))
    assert url(at) == before
    assert "start" not in at.session_state
    ok(at.slider(key="hidden").set_value(3).run())
    assert url(at)["hidden"] == "3"


def test_good_upload_starts_from_its_weights_until_hidden_changes():
    from backprop.runfile import dumps

    config = DEFAULTS.replace(hidden=3, lr=0.5, seed=7, epochs=300)
    saved = train(config)
    text = dumps(config, saved.params, saved.mse)
    at = start(FAST)
    ok(at.file_uploader(key="upload").set_value(("mine.json", text.encode(), "application/json"))
       .run())
    assert not at.error
    assert config_from_state(at) == config
    assert any("**mine\\.json**" in i.value for i in at.info)
    resumed = train(config, params=saved.params)
    np.testing.assert_allclose(truth_table(at).prediction, resumed.predictions)
    ok(at.slider(key="hidden").set_value(2).run())
    assert any("set aside" in i.value for i in at.info)
    assert "start" not in at.session_state


# --- live training, census, sweep -----------------------------------------------------------

def test_live_training_steps_forward():
    at = start(FAST, page="Live training")
    assert any(m.value.startswith("**Epoch 0**") for m in at.markdown)
    (step,) = [b for b in at.button if b.label.startswith("Step +")]
    ok(step.click().run())
    assert any(m.value.startswith("**Epoch 200**") for m in at.markdown)
    assert len(at.get("plotly_chart")) == 3


def test_census_of_a_few_seeds_shows_its_metrics_and_histogram():
    at = start(FAST, page="Seed census", census_n=10)
    assert [m.label for m in at.metric] == ["Solved", "Stuck near MSE 1/8",
                                           "Stuck near MSE 1/6"]
    histogram = charts(at)[0]
    bars = [t for t in histogram["data"] if t["type"] == "histogram"]
    assert sum(int(t["name"].split("(")[1].rstrip(")")) for t in bars) == 10
    assert len(at.selectbox(key="census_pick").options) == 10


def test_sweep_tab_waits_for_its_button():
    at = start(FAST, page="Sweep")
    assert [b.label for b in at.button if b.label == "Run sweep"] == ["Run sweep"]
    assert len(at.get("plotly_chart")) == 0


def test_census_open_button_opens_that_seed_in_the_main_views():
    at = start({**FAST}, page="Seed census", census_n=10)
    ok(at.selectbox(key="census_pick").set_value(3).run())
    ok(at.button[[b.label for b in at.button].index("Open")].click().run())
    assert at.session_state["seed"] == 3
    assert at.query_params["seed"] in ("3", ["3"])


def test_stale_messages_clear_when_the_user_acts():
    at = start({**FAST, "lr": "abc"})
    assert any("Link setting ignored" in w.value for w in at.warning)
    ok(at.number_input(key="seed").set_value(5).run())
    assert not any("Link setting ignored" in w.value for w in at.warning)
    ok(at.file_uploader(key="upload").set_value(("bad.json", b"not json", "application/json"))
       .run())
    assert any("Could not use that run file" in e.value for e in at.error)
    ok(at.file_uploader(key="upload").set_value(None).run())
    assert not any("Could not use that run file" in e.value for e in at.error)


DIVERGES = {"dataset": "xor-cloud", "samples": "50", "noise": "1", "hidden": "16",
            "activation": "relu", "loss": "bce", "lr": "1000", "epochs": "300"}


@pytest.mark.parametrize("view", ["Decision surface", "σ′ heatmaps", "Hidden units",
                                  "Why stuck?", "Backprop step", "Network", "Gradient check"])
def test_a_diverging_run_says_so_once_and_every_view_still_draws(view):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        at = start(DIVERGES, view=view)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "non-finite" in errors[0], errors
    assert charts(at), "the loss curve up to the failure still draws"


def test_census_of_diverging_seeds_has_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        at = start(DIVERGES, page="Seed census", census_n=10)
    assert len(charts(at)) >= 1


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
    assert at.session_state["hidden"] == 2
    assert len(link_warnings(at)) == 1
    assert url(at)["hidden"] == "2"


def test_sweep_runs_and_draws_its_heatmap_on_a_point_cloud():
    at = start({"dataset": "xor-cloud", "samples": "20", "epochs": "50"}, page="Sweep",
               sweep_seeds=10)
    ok(at.button[[b.label for b in at.button].index("Run sweep")].click().run())
    (heatmap,) = [c for c in charts(at) if c["data"][0]["type"] == "heatmap"]
    assert heatmap["data"][0]["x"] == [f"{v:g}" for v in explore.sweep_lrs(20)]
    assert heatmap["data"][0]["z"]["shape"] == f"{len(explore.SWEEP_HIDDEN)}, 6"


def _live_step(at: AppTest) -> AppTest:
    (step,) = [b for b in at.button if b.label.startswith("Step +")]
    return ok(step.click().run())


def test_live_training_keeps_weights_on_lr_change_and_resets_on_architecture_change():
    at = _live_step(start(FAST, page="Live training"))
    before = {k: v.copy() for k, v in at.session_state["live"]["params"].items()}
    ok(at.number_input(key="lr").set_value(0.5).run())
    assert at.session_state["live"]["params"]["W1"] == pytest.approx(before["W1"])
    _live_step(at)
    assert any(m.value.startswith("**Epoch 400**") for m in at.markdown)
    # The second chunk continued from the first chunk's weights with the new lr.
    config = TrainConfig(epochs=200, lr=0.5)
    expected = train(config, params=before).params
    np.testing.assert_allclose(at.session_state["live"]["params"]["W1"], expected["W1"])
    ok(at.slider(key="hidden").set_value(3).run())
    assert any(m.value.startswith("**Epoch 0**") for m in at.markdown)
    assert at.session_state["live"]["params"]["W1"].shape == (3, 2)
