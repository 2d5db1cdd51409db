"""The views at depth 3 through AppTest (``?hidden=4,3,2``), and the tutorial's unchanged.

Only the views this part of issue 12 covers: the first screen's σ′ maps, Why stuck?,
σ′ through training, Hidden units, Network, Gradient check and Gradient flow.
"""

from __future__ import annotations

import numpy as np
import pytest
from appsession import FAST, charts, start, unit_maps, values

from backprop import TrainConfig, train
from backprop.tables import gradient_table

DEEP = {**FAST, "hidden": "4,3,2"}
UNITS = 4 + 3 + 2
SIGMA_TITLES = ["σ′(z⁽¹⁾₁)", "σ′(z⁽¹⁾₂)", "σ′(z⁽¹⁾₃)", "σ′(z⁽¹⁾₄)",
                "σ′(z⁽²⁾₁)", "σ′(z⁽²⁾₂)", "σ′(z⁽²⁾₃)", "σ′(z⁽³⁾₁)", "σ′(z⁽³⁾₂)"]


def view(name: str, query=DEEP):
    """The app opened on a view at depth 3; its charts after the first screen's three."""
    at = start({**query, "view": name})
    return at, charts(at)[3:]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption) + "\n".join(m.value for m in at.markdown)


def test_the_first_screen_has_a_row_of_sigma_maps_per_layer():
    at = start(DEEP)
    deriv = charts(at)[2]
    assert len(unit_maps(deriv)) == UNITS
    assert [a["text"] for a in deriv["layout"]["annotations"]] == SIGMA_TITLES
    assert "each unit of the 3 hidden layers, one row of maps per layer" in captions(at)
    surface = charts(at)[1]
    assert surface["data"][0]["colorbar"]["title"]["text"] == "output a⁽⁴⁾"


def test_the_tutorials_first_screen_is_as_before():
    at = start(FAST)
    deriv = charts(at)[2]
    assert [a["text"] for a in deriv["layout"]["annotations"]] == ["hidden unit 1",
                                                                  "hidden unit 2"]
    assert "σ′(z⁽¹⁾) of each hidden unit j over the input plane." in captions(at)


def test_hidden_units_at_depth_3():
    at, (maps,) = view("Hidden units")
    assert len(unit_maps(maps)) == UNITS
    assert maps["layout"]["annotations"][4]["text"] == "a⁽²⁾₁"
    assert "one row per layer from layer 1 down to layer 3" in captions(at)


def test_the_strip_at_depth_3_has_every_unit_and_sample():
    at, (strip,) = view("σ′ through training")
    rows = strip["data"][0]["y"]
    assert len(rows) == UNITS * 4 and rows[-1] == "layer 3 unit 2 · (1,1)"


def test_why_stuck_works_in_the_last_hidden_layers_space():
    at, (space,) = view("Why stuck?")
    assert space["layout"]["xaxis"]["title"]["text"] == "a⁽³⁾₁ (layer 3 unit 1)"
    run = train(TrainConfig(hidden=(4, 3, 2), epochs=500))
    now = next(t for t in space["data"] if t.get("name") == "target 1 now")
    np.testing.assert_allclose(values(now["x"]), run.history.steps["a3"][-1][0, [1, 2]],
                               atol=5e-4)
    text = captions(at)
    assert "last hidden layer, layer 3," in text and "a⁽⁴⁾ = 0.5" in text


def test_why_stuck_asks_for_two_units_of_a_wide_last_layer():
    at, _ = view("Why stuck?", {**FAST, "hidden": "2,3"})
    assert [s.label for s in at.selectbox if s.key in ("unit_x", "unit_y")] == [
        "Horizontal axis: hidden unit", "Vertical axis: hidden unit"]
    assert list(at.selectbox(key="unit_x").options) == ["1", "2", "3"]


def test_the_network_view_draws_every_layer():
    _, (network,) = view("Network")
    nodes = next(t for t in network["data"] if t.get("mode") == "markers+text")
    assert len(nodes["text"]) == 2 + UNITS + 1 and nodes["text"][-1] == "a⁽⁴⁾"


def test_the_gradient_check_covers_every_parameter_of_a_deep_net():
    at, _ = view("Gradient check")
    (table,) = [d.value for d in at.dataframe if "relative error" in d.value.columns]
    assert len(table) == (4 * 2 + 4) + (3 * 4 + 3) + (2 * 3 + 2) + (1 * 2 + 1)
    assert table.parameter.iloc[-1] == "b⁽⁴⁾₁" and "W⁽³⁾₂₃" in set(table.parameter)
    assert set(table.ok) == {"✓"}


def test_gradient_table_names_a_fourth_layer():
    rows = [{"param": "W4", "index": (0, 1), "analytic": 1.0, "numeric": 1.0, "rel_error": 0.0}]
    assert gradient_table(rows).parameter.tolist() == ["W⁽⁴⁾₁₂"]


@pytest.mark.parametrize("activation, bound", [("sigmoid", "0.25³ = 0.0156 (1/64)"),
                                               ("tanh", "1³ = 1")])
def test_gradient_flow_at_depth_3_states_the_bound(activation, bound):
    at, (flow_chart,) = view("Gradient flow", {**DEEP, "activation": activation})
    assert bound in captions(at)
    names = [t["name"] for t in flow_chart["data"]]
    assert names[:4] == ["‖dW⁽⁴⁾‖ output layer", "‖dW⁽³⁾‖ layer 3", "‖dW⁽²⁾‖ layer 2",
                         "‖dW⁽¹⁾‖ layer 1"]
