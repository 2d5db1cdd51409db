"""The Run page's first screen, the view tabs, the view in the link, live, census and sweep
through Streamlit's AppTest (helpers in tests/appsession.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from appsession import (
    DEFAULTS,
    FAST,
    PAGES,
    VIEWS,
    charts,
    is_derivative_maps,
    is_loss,
    is_surface,
    link_warnings,
    ok,
    red_lines,
    settings_in_url,
    start,
    truth_table,
    unit_maps,
    values,
)

from backprop import TrainConfig, explore, nn, to_query, train
from backprop.diagnosis import PLATEAUS, plateau_name
from backprop.training import checkpoint_epochs

SIGMOID_TOP = 0.25  # σ′ peaks at z = 0: σ(0)(1 − σ(0)) = ½ · ½


def first_screen(at) -> tuple[dict, dict, dict]:
    """The loss, surface and σ′ figures, which come first on the Run page, in that order."""
    loss, surface, deriv = charts(at)[:3]
    assert is_loss(loss) and is_surface(surface) and is_derivative_maps(deriv, SIGMOID_TOP)
    return loss, surface, deriv


# --- the first screen -------------------------------------------------------------------------

def test_the_default_link_draws_loss_surface_and_sigma_maps_without_a_click():
    at = start()
    loss, surface, deriv = first_screen(at)
    assert red_lines(loss) == [10_000]  # at the selected epoch: the last one
    units = unit_maps(deriv)
    assert len(units) == DEFAULTS.hidden[0]  # one map per hidden unit
    assert any("plateau" in w.value for w in at.warning), "the verdict is on the first screen"
    assert len(truth_table(at)) == 4
    assert not [m for m in at.markdown if "below" in m.value]
    assert not [c for c in at.caption if "heatmaps below" in c.value]


def test_the_first_screen_has_the_right_number_of_hidden_unit_maps():
    at = start({**FAST, "hidden": "4"})
    deriv = charts(at)[2]
    assert len(unit_maps(deriv)) == 4


def test_epoch_scrubber_moves_the_first_screen_and_the_truth_table():
    at = start(FAST)
    scrubber = at.select_slider(key="epoch")
    assert scrubber.value == 500
    assert [int(e) for e in scrubber.options] == checkpoint_epochs(500).tolist()
    loss, surface, deriv = first_screen(at)
    ok(scrubber.set_value(50).run())
    moved_loss, moved_surface, moved_deriv = first_screen(at)
    assert red_lines(moved_loss) == [50]
    assert moved_surface["data"][0]["z"] != surface["data"][0]["z"]
    assert moved_deriv["data"][0]["z"] != deriv["data"][0]["z"]
    # The table shows a⁽²⁾ at epoch 50: the run's snapshot there, not the final outputs.
    run = train(DEFAULTS.replace(epochs=500))
    k = run.history.index(50)
    np.testing.assert_allclose(truth_table(at).prediction, run.history.steps["a2"][k][0])
    assert any("at epoch 50" in m.value for m in at.markdown)


def test_log_toggle_switches_the_loss_axis():
    at = start(FAST)
    assert charts(at)[0]["layout"]["yaxis"]["type"] == "linear"
    ok(at.toggle(key="log_loss").set_value(True).run())
    assert charts(at)[0]["layout"]["yaxis"]["type"] == "log"


@pytest.mark.parametrize("activation, top, symbol", [("sigmoid", 0.25, "σ′(z⁽¹⁾)"),
                                                     ("tanh", 1.0, "tanh′(z⁽¹⁾)")])
def test_sigma_maps_colour_range_per_activation(activation, top, symbol):
    at = start({**FAST, "activation": activation})
    deriv = charts(at)[2]
    assert is_derivative_maps(deriv, top)
    assert deriv["layout"]["coloraxis"]["colorbar"]["title"]["text"] == symbol
    assert any(symbol in c.value and "10%" in c.value for c in at.caption)


# --- the view tabs ------------------------------------------------------------------------------

# (view, plotly charts after the three of the first screen, dataframes besides the truth table)
VIEW_CONTENT = {
    "Why stuck?": (1, 0),
    "Backprop step": (0, 0),
    "σ′ through training": (1, 0),
    "Hidden units": (1, 0),
    "Network": (1, 0),
    "Gradient check": (0, 1),
    "Set weights": (0, 1),
    "Loss landscape": (1, 0),
    "Gradient flow": (1, 0),
}


def test_every_view_is_listed():
    assert list(VIEW_CONTENT) == VIEWS
    labels = [tab.label for tab in start(FAST).tabs]
    assert labels == ["Run", *VIEWS, *PAGES[1:]]


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_renders_only_its_own_content(view):
    at = start(FAST, view=view)
    assert at.session_state["view"] == view
    plots, frames = VIEW_CONTENT[view]
    assert (len(at.get("plotly_chart")), len(at.dataframe)) == (3 + plots, 1 + frames)
    assert bool(at.latex) == (view == "Backprop step")


def test_sample_picker_sits_in_the_backprop_step_and_changes_it():
    assert "sample" not in [s.key for s in start(FAST).selectbox]
    at = start(FAST, view="Backprop step")
    first = [m.value for m in at.latex]
    assert r"\begin{bmatrix}0 \\ 0\end{bmatrix}" in first[0]
    ok(at.selectbox(key="sample").set_value(2).run())
    second = [m.value for m in at.latex]
    assert r"\begin{bmatrix}1 \\ 0\end{bmatrix}" in second[0]


def test_gradient_check_agrees_with_backprop():
    at = start(FAST, view="Gradient check")
    (table,) = [d.value for d in at.dataframe if "relative error" in d.value.columns]
    assert len(table) == 9  # W1 (2x2), b1 (2), W2 (2), b2 (1)
    assert (table["relative error"] < 1e-4).all()


def test_why_stuck_with_more_than_two_hidden_units_picks_the_axes():
    at = start({**FAST, "hidden": "4"}, view="Why stuck?")
    ok(at.selectbox(key="unit_y").set_value(3).run())
    figure = charts(at)[3]
    assert "4" in figure["layout"]["yaxis"]["title"]["text"]


def test_why_stuck_states_the_threshold_from_the_registry():
    at = start()  # the default view; seed 0 is stuck with saturated units
    (line,) = [c.value for c in at.caption if "is called saturated" in c.value]
    assert "0.025" in line and "10%" in line  # 10% of σ′'s largest value, 0.25


DIVERGES = {"dataset": "xor-cloud", "samples": "50", "noise": "1", "hidden": "16",
            "activation": "relu", "loss": "bce", "lr": "1000", "epochs": "300"}


@pytest.mark.parametrize("view", VIEWS)
def test_a_diverging_run_says_so_once_and_every_view_still_draws(view):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        at = start(DIVERGES, view=view)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "non-finite" in errors[0], errors
    assert charts(at), "the loss curve up to the failure still draws"


# --- the whole view in the link ----------------------------------------------------------------

VIEW_LINK = {**FAST, "page": "Run", "view": "Backprop step", "epoch": "50",
             "sample": "(1,0)", "log_loss": "true"}


def test_a_view_link_opens_that_tab_epoch_sample_and_scale():
    at = start(VIEW_LINK)
    assert link_warnings(at, "view") == []
    assert at.session_state["page"] == "Run" and at.session_state["view"] == "Backprop step"
    assert at.select_slider(key="epoch").value == 50
    assert at.selectbox(key="sample").value == 2  # (1,0) is the third pattern
    assert at.toggle(key="log_loss").value is True
    loss = charts(at)[0]
    assert red_lines(loss) == [50] and loss["layout"]["yaxis"]["type"] == "log"
    assert r"\begin{bmatrix}1 \\ 0\end{bmatrix}" in at.latex[0].value
    assert settings_in_url(at) == to_query(DEFAULTS.replace(epochs=500))
    # The view keys stay in the address bar beside the settings: nothing wiped them.
    for key in ("view", "epoch", "sample", "log_loss"):
        assert key in at.query_params, key


@pytest.mark.parametrize("key, value, page", [("page", "Census", None),
                                              ("view", "Decision surface", None),
                                              ("epoch", "51", None), ("epoch", "abc", None),
                                              ("sample", "(2,2)", "Backprop step"),
                                              ("log_loss", "maybe", None),
                                              ("census_n", "5", "Seed census"),
                                              ("census_n", "ten", "Seed census"),
                                              ("sweep_seeds", "1e9", "Sweep")])
def test_a_bad_view_value_falls_back_with_a_warning_naming_it(key, value, page):
    query = {**FAST, key: value}
    if page in PAGES:
        query["page"] = page
    elif page:
        query["view"] = page
    state = {"census_n": 10} if key != "census_n" else {}
    at = start(query, **state)
    (warning,) = link_warnings(at, "view")
    assert warning.startswith(f"Link view ignored: {key} must be"), warning
    assert repr(value) in warning
    assert link_warnings(at) == [], "a bad view value is not a bad setting"


def test_bad_view_warnings_clear_when_a_setting_changes():
    at = start({**FAST, "epoch": "51"})
    assert link_warnings(at, "view")
    ok(at.number_input(key="seed").set_value(3).run())
    assert link_warnings(at, "view") == []


def test_the_page_link_opens_the_census_with_its_size():
    at = start({**FAST, "page": "Seed census", "census_n": "10"})
    assert at.number_input(key="census_n").value == 10
    assert len(at.selectbox(key="census_pick").options) == 10


# --- live training, census, sweep ---------------------------------------------------------------

def test_live_training_steps_forward_and_draws_at_epoch_0():
    at = start(FAST, page="Live training")
    assert any(m.value.startswith("**Epoch 0**") for m in at.markdown)
    loss = charts(at)[0]
    (now,) = [t for t in loss["data"] if t["type"] == "scatter" and t.get("name") == "MSE now"]
    # Epoch 0 draws its one point, the initial weights' MSE, so the chart is not empty.
    init = nn.init_params(2, "normal", 0)
    X, y = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]]), np.array([0.0, 1, 1, 0])
    expected = np.mean((nn.forward(init, X)["a2"][0] - y) ** 2)
    assert values(now["y"]) == pytest.approx([expected], rel=1e-5)  # sent as float32
    assert loss["layout"]["yaxis"]["range"][1] > expected  # and it is inside the chart
    (step,) = [b for b in at.button if b.label.startswith("Step +")]
    ok(step.click().run())
    assert any(m.value.startswith("**Epoch 200**") for m in at.markdown)
    assert len(at.get("plotly_chart")) == 3


def _live_step(at):
    (step,) = [b for b in at.button if b.label.startswith("Step +")]
    return ok(step.click().run())


def test_live_training_keeps_weights_on_lr_change_and_resets_on_architecture_change():
    at = _live_step(start(FAST, page="Live training"))
    before = {k: v.copy() for k, v in at.session_state["live"].params.items()}
    ok(at.number_input(key="lr").set_value(0.5).run())
    assert at.session_state["live"].params["W1"] == pytest.approx(before["W1"])
    _live_step(at)
    assert any(m.value.startswith("**Epoch 400**") for m in at.markdown)
    expected = train(TrainConfig(epochs=200, lr=0.5), params=before).params
    np.testing.assert_allclose(at.session_state["live"].params["W1"], expected["W1"])
    ok(at.text_input(key="hidden").set_value("3").run())
    assert any(m.value.startswith("**Epoch 0**") for m in at.markdown)
    assert at.session_state["live"].params["W1"].shape == (3, 2)


def test_census_counts_come_from_the_plateau_registry_and_add_up():
    at = start(FAST, page="Seed census", census_n=10)
    (metric,) = [m for m in at.metric if m.label == "Solved"]
    solved = int(metric.value.split(" of ")[0])
    (table,) = [d.value for d in at.dataframe if "stuck where" in d.value.columns]
    assert table["stuck where"].tolist() == [
        *(f"stuck near MSE {plateau_name(p)}" for p in PLATEAUS), "unsolved elsewhere"]
    assert solved + table["seeds"].sum() == 10
    assert any(c.value == f"{10 - solved} unsolved" for c in at.caption)
    histogram = charts(at)[0]
    bars = [t for t in histogram["data"] if t["type"] == "histogram"]
    assert sum(int(t["name"].split("(")[1].rstrip(")")) for t in bars) == 10


def test_census_open_button_opens_that_seed_on_the_run_page():
    at = start({**FAST, "page": "Seed census", "census_n": "10"})
    ok(at.selectbox(key="census_pick").set_value(3).run())
    ok(at.button[[b.label for b in at.button].index("Open")].click().run())
    assert at.session_state["seed"] == 3
    assert at.session_state["page"] == "Run", "the link's page=Seed census no longer wins"
    assert at.query_params["seed"] in ("3", ["3"])
    assert charts(at) and is_loss(charts(at)[0])


def test_census_of_diverging_seeds_has_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        at = start(DIVERGES, page="Seed census", census_n=10)
    assert len(charts(at)) >= 1


CLOUD = {"dataset": "xor-cloud", "samples": "20", "epochs": "50"}
# A stand-in for the tutorial's sweep (100 seeds x 30 cells x 10,000 epochs, tens of seconds):
# what a session finds when an earlier visitor has already computed it.
TUTORIAL_SWEEP = explore.Sweep(explore.SWEEP_LRS, explore.SWEEP_HIDDEN, explore.SWEEP_SEEDS,
                               np.linspace(0, 1, 30).reshape(len(explore.SWEEP_HIDDEN), 6))


@pytest.fixture(autouse=True)
def tutorial_sweep_done():
    """Put the stand-in where the app keeps the tutorial sweep for every session."""
    from ui.common import shared_results
    from ui.explore import TUTORIAL_SWEEP as key

    store = shared_results("sweep-tutorial", 1)
    if key not in store:
        store.get(key, lambda: TUTORIAL_SWEEP)


def test_sweep_opens_with_the_tutorial_sweep_and_offers_one_for_these_settings():
    at = start(CLOUD, page="Sweep", sweep_seeds=10)
    (heatmap,) = [c for c in charts(at) if c["data"][0]["type"] == "heatmap"]
    assert heatmap["data"][0]["x"] == [f"{v:g}" for v in explore.SWEEP_LRS]  # the tutorial's
    assert any("the tutorial defaults" in m.value for m in at.markdown)
    assert any("settings differ" in c.value for c in at.caption)
    (button,) = [b for b in at.button if b.label == "Run sweep for these settings"]
    ok(button.click().run())
    (heatmap,) = [c for c in charts(at) if c["data"][0]["type"] == "heatmap"]
    assert heatmap["data"][0]["x"] == [f"{v:g}" for v in explore.sweep_lrs(20)]
    assert heatmap["data"][0]["z"]["shape"] == f"{len(explore.SWEEP_HIDDEN)}, 6"
    assert any("these settings" in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == "Run sweep for these settings"]


def test_the_default_sweep_is_shown_at_once_with_no_button():
    at = start(page="Sweep")
    (heatmap,) = [c for c in charts(at) if c["data"][0]["type"] == "heatmap"]
    assert heatmap["data"][0]["x"] == [f"{v:g}" for v in explore.SWEEP_LRS]
    assert any("for the tutorial defaults" in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label.startswith("Run sweep")]
    assert not [c for c in at.caption if "settings differ" in c.value]
