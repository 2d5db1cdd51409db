"""AppTest: the Set weights view (named starts, the w= link, train from here) and the
Loss landscape view."""

from __future__ import annotations

import json

import pytest
from appsession import FAST, landscape, link_warnings, ok, start, url, values

from backprop.weights import from_text

WEIGHTS = {"view": "Set weights", **FAST}
# The hand-built OR/AND solution, typed from its description (OR and not AND).
OR_AND = "W1:20,20,20,20;b1:-10,-30;W2:20,-20;b2:-10"


def shown_outputs(at) -> list[float]:
    (table,) = [d.value for d in at.dataframe if "prediction" in d.value.columns
                and len(d.value) == 4][-1:]
    return table["prediction"].tolist()


def test_a_named_start_sets_the_weights_and_the_link():
    at = start(WEIGHTS)
    at.selectbox(key="hand_start").set_value("or-and")
    at = ok(at.run())
    assert at.number_input(key="hw_b1_1_0").value == -30.0, "AND's bias"
    params = from_text(url(at)["w"], 2)
    assert params["W2"].tolist() == [[20.0, -20.0]]
    # OR and not AND is XOR: outputs near 0, 1, 1, 0 for the four patterns.
    assert [round(p) for p in shown_outputs(at)] == [0, 1, 1, 0]


def test_the_link_sets_the_weights():
    at = start({**WEIGHTS, "w": OR_AND})
    assert at.number_input(key="hw_W2_0_1").value == -20.0
    assert not link_warnings(at, "view")


@pytest.mark.parametrize("bad", ["W1:1,2;b1:3", "W1:a,b,c,d;b1:0,0;W2:0,0;b2:0", "garbage"])
def test_bad_weights_in_the_link_warn(bad):
    at = start({**WEIGHTS, "w": bad})
    warnings = link_warnings(at, "view")
    assert any(w.startswith("Link view ignored: w must be") for w in warnings), warnings
    assert from_text(url(at)["w"], 2)["W1"].shape == (2, 2), "falls back to usable weights"


def test_typing_a_weight_updates_the_link():
    at = start({**WEIGHTS, "w": OR_AND})
    at.number_input(key="hw_b2_0_0").set_value(5.0)
    at = ok(at.run())
    assert from_text(url(at)["w"], 2)["b2"].tolist() == [[5.0]]


def run_outputs(at) -> list[float]:
    """The Run page's truth table (the first one; the view's own comes after it)."""
    table = [d.value for d in at.dataframe if "prediction" in d.value.columns][0]
    return table["prediction"].tolist()


def test_train_from_here_changes_the_run():
    at = start({**WEIGHTS, "w": OR_AND})
    before = run_outputs(at)  # seed 0's run: stuck, one pattern on the wrong side
    assert [round(p) for p in before] != [0, 1, 1, 0]
    [b for b in at.button if b.label == "Train from here"][0].click()
    at = ok(at.run())
    assert json.loads(at.session_state["start"])["b1"] == [[-10.0], [-30.0]]
    assert [round(p) for p in run_outputs(at)] == [0, 1, 1, 0], "the run starts solved"
    assert any("solved" in s.value.lower() for s in at.success), [s.value for s in at.success]


def test_the_run_follows_typed_weights_and_the_link_carries_them():
    at = start({**WEIGHTS, "w": OR_AND})
    [b for b in at.button if b.label == "Train from here"][0].click()
    at = ok(at.run())
    assert url(at)["from_w"] == "true"
    at.number_input(key="hw_b2_0_0").set_value(10.0)  # output fires for every pattern
    at = ok(at.run())
    assert json.loads(at.session_state["start"])["b2"] == [[10.0]], "the run follows"
    # A fresh session on that link trains from the same weights.
    link = {**WEIGHTS, "w": url(at)["w"], "from_w": "true"}
    again = start(link)
    assert json.loads(again.session_state["start"]) == json.loads(at.session_state["start"])
    assert run_outputs(again) == run_outputs(at)


def test_starting_from_random_weights_again_drops_from_w():
    at = start({**WEIGHTS, "w": OR_AND, "from_w": "true"})
    [b for b in at.button if b.label == "Start from random weights again"][0].click()
    at = ok(at.run())
    assert "start" not in at.session_state and "from_w" not in url(at)


def test_one_gradient_step_shows_the_equations():
    at = start({**WEIGHTS, "w": OR_AND})
    at.toggle(key="hand_step").set_value(True)
    at = ok(at.run())
    assert len(at.latex) >= 5


@pytest.mark.parametrize("extra", [{}, {"by_weights": "true", "axis_x": "W1[1,1]",
                                        "axis_y": "b2[1,1]"}])
def test_the_landscape_draws_a_contour_with_the_path(extra):
    at = start({"view": "Loss landscape", **FAST, **extra})
    figure = landscape(at)
    path = [t for t in figure["data"] if t.get("name") == "training path"][0]
    xs = values(path["x"])
    assert len(xs) > 2, "the path passes through every checkpoint"
    assert any(t.get("name", "").startswith("epoch 500") for t in figure["data"]), \
        "the selected epoch (the last, 500) is marked"
    if extra:
        assert "W1[1,1]" in figure["layout"]["xaxis"]["title"]["text"]
    else:  # the slice runs from the initial weights at α = 1 to the final ones at α = 0
        assert xs[0] == pytest.approx(1) and xs[-1] == pytest.approx(0, abs=1e-9)
