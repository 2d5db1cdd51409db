"""Weights by hand at depth: the link form round-trips every layer, and bad text is named."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import nn
from backprop.weights import MAX_TEXT, from_text, has_starts, shapes, to_text


def test_shapes_of_a_three_layer_network():
    # written out by hand: 2 inputs -> 4 -> 3 -> 2 -> 1 output
    assert shapes((4, 3, 2)) == {"W1": (4, 2), "b1": (4, 1), "W2": (3, 4), "b2": (3, 1),
                                 "W3": (2, 3), "b3": (2, 1), "W4": (1, 2), "b4": (1, 1)}
    assert shapes(2) == shapes((2,)) == {"W1": (2, 2), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}


@pytest.mark.parametrize("hidden", [(3, 2), (4, 3, 2), (1, 1, 1, 1), (16, 16, 16, 16)])
def test_text_round_trips_every_layer_exactly(hidden):
    params = nn.init_params(hidden, "normal", 5)
    text = to_text(params)
    assert len(text) <= MAX_TEXT, "the largest network must fit the link"
    assert text.count(";") == 2 * (len(hidden) + 1) - 1
    back = from_text(text, hidden)
    assert list(back) == list(nn.param_names(len(hidden) + 1))
    for name, value in params.items():
        np.testing.assert_array_equal(back[name], value, err_msg=name)


def test_text_form_of_a_small_deep_network_is_readable():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]]),
              "W2": np.array([[-1.0]]), "b2": np.array([[0.0]]),
              "W3": np.array([[3.0]]), "b3": np.array([[-2.5]])}
    assert to_text(params) == "W1:1.0,2.0;b1:0.5;W2:-1.0;b2:0.0;W3:3.0;b3:-2.5"


GOOD = "W1:1,2;b1:1;W2:1;b2:1;W3:1;b3:1"  # hidden = 1,1


@pytest.mark.parametrize("text, hidden, message", [
    (GOOD.replace(";W3:1", ""), (1, 1), "missing W3"),
    (GOOD + ";W4:1", (1, 1), "expected name:values for each of W1, b1, W2, b2, W3, b3"),
    (GOOD.replace("W2:1", "W2:1,1"), (1, 1), "W2 needs 1 numbers for hidden = 1,1, got 2"),
    (GOOD, (1,), "expected name:values for each of W1, b1, W2, b2, got 'W3:1'"),
    (GOOD, (1, 1, 1), "missing W4, b4"),
    (GOOD.replace("b3:1", "b3:inf"), (1, 1), "finite number"),
    ("x" * (MAX_TEXT + 1), (4, 3, 2), "short text of weights, W1:...;b1:...;W2:...;b2:...;W3"),
])
def test_bad_deep_text_is_refused_with_a_message(text, hidden, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        from_text(text, hidden)


def test_sanity_the_good_text_reads():
    assert from_text(GOOD, (1, 1))["W3"].tolist() == [[1.0]]


@pytest.mark.parametrize("hidden, dataset, expected", [
    ((2,), "xor", True), (2, "xor", True), ((3,), "xor", False), ((2, 2), "xor", False),
    ((4, 3, 2), "xor", False), ((2,), "xor-cloud", False)])
def test_named_starts_are_for_the_tutorials_network_only(hidden, dataset, expected):
    assert has_starts(hidden, dataset) is expected
