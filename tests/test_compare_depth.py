"""Compare at depth: B may change hidden (b.hidden=4,3,2 in the link); same start only when the
layers, init, seed and data are equal."""

from __future__ import annotations

import numpy as np
import pytest
from appsession import ok, shown, start, url

from backprop import TrainConfig
from backprop import compare as cmp
from tests.reference_deep import DeepNetwork

A = TrainConfig(epochs=300)
DEEP = (4, 3, 2)
X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
Y = np.array([[0.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize("a, b", [((2,), DEEP), (DEEP, (4, 3, 3)), ((3, 2), (2, 3)),
                                  (DEEP, (4, 3)), ((4,), (4, 4))])
def test_other_layers_mean_another_start(a, b):
    assert "hidden" in cmp.START_SETTINGS
    assert not cmp.same_start(A.replace(hidden=a), A.replace(hidden=b))


@pytest.mark.parametrize("change", [{"activation": "tanh"}, {"optimizer": "adam"},
                                    {"loss": "bce"}, {"lr": 0.5}])
def test_at_depth_a_training_setting_keeps_the_start(change):
    a = A.replace(hidden=DEEP)
    run_a, run_b, same = cmp.train_pair(a, a.replace(**change))
    assert same
    reference = DeepNetwork(DEEP, seed=0).params()
    for name, value in reference.items():
        np.testing.assert_array_equal(run_a.history.steps[name][0], value, name)
        np.testing.assert_array_equal(run_b.history.steps[name][0], value, name)


def test_b_with_other_layers_trains_from_its_own_reference_start():
    _, run_b, same = cmp.train_pair(A, A.replace(hidden=DEEP))
    assert not same
    net = DeepNetwork(DEEP, seed=0)
    for name, value in net.params().items():
        np.testing.assert_array_equal(run_b.history.steps[name][0], value, name)
    np.testing.assert_allclose(run_b.mse, net.train(X, Y, 300, 0.1), rtol=1e-10)


def test_b_hidden_round_trips_through_the_link():
    read = cmp.read_b_query({"b.hidden": "4,3,2"}, A)
    assert read.config.hidden == DEEP and read.given == ("hidden",) and not read.warnings
    assert cmp.b_query(A, read.config) == {"b.hidden": "4,3,2"}
    assert cmp.read_b_query(cmp.b_query(A, read.config), A).config == read.config
    assert cmp.describe(A, read.config) == "hidden 4,3,2 (A: 2)"


@pytest.mark.parametrize("bad", ["3,,2", "0", "17", "2,2,2,2,2", "abc"])
def test_a_bad_b_hidden_warns_with_the_range_and_falls_back(bad):
    read = cmp.read_b_query({"b.hidden": bad, "b.seed": "3"}, A)
    (warning,) = read.warnings
    assert warning.startswith("b.hidden must be 1 to 4 whole numbers >= 1 and <= 16")
    assert repr(bad) in warning and warning.endswith("; using 2")
    assert read.config == A.replace(seed=3)


# --- the page --------------------------------------------------------------------------------

PAGE = {"page": "Compare", "epochs": "300", "b.hidden": "4,3,2"}


def _first_last(hidden, epoch: int) -> tuple[float, float]:
    """‖dW⁽¹⁾‖ and the output layer's ‖dW‖ after ``epoch`` updates (reference)."""
    net = DeepNetwork(hidden, seed=0)
    net.train(X, Y, epoch, 0.1)
    dW, _ = net.gradients(X, Y)
    return float(np.linalg.norm(dW[0])), float(np.linalg.norm(dW[-1]))


@pytest.fixture(scope="module")
def deep_page():
    return start(PAGE)


def test_the_page_opens_b_with_four_three_two_layers(deep_page):
    at = deep_page
    assert at.session_state["b_changed"] == ["hidden"]
    assert at.text_input(key="b_hidden").value == "4,3,2"
    assert {k: v for k, v in url(at).items() if k.startswith("b.")} == {"b.hidden": "4,3,2"}
    captions = [shown(c.value) for c in at.caption]
    assert any(c.startswith("Different starts: B changes hidden") for c in captions)
    assert "**B changes:** hidden 4,3,2 (A: 2)" in [shown(m.value) for m in at.markdown]


def test_b_s_gradient_flow_caption_is_the_references(deep_page):
    first, last = _first_last(DEEP, 300)
    captions = [shown(c.value) for c in deep_page.caption]
    expected = f"‖dW⁽¹⁾‖ = {first:.3g}, ‖dW⁽⁴⁾‖ = {last:.3g}: the first layer's gradient is"
    assert any(c.startswith(expected) for c in captions), (expected, captions)


def test_changing_b_hidden_on_the_page_rewrites_the_link():
    at = start(PAGE)
    at = ok(at.text_input(key="b_hidden").set_value("3,3").run())
    assert url(at)["b.hidden"] == "3,3"
    at = ok(at.text_input(key="b_hidden").set_value("3,,3").run())
    assert any("hidden must be 1 to 4 whole numbers" in w.value for w in at.warning)
