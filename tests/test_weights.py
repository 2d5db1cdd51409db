"""Weights by hand: the named starts do what they say, and the link form round-trips."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import nn
from backprop.weights import STARTS, from_text, start, to_text

XOR_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


def test_or_and_start_solves_xor_already():
    a2 = nn.forward(start("or-and"), XOR_X)["a2"][0]
    np.testing.assert_allclose(a2, XOR_Y, atol=1e-4)


def test_or_and_hidden_units_are_or_and_and():
    a1 = nn.forward(start("or-and"), XOR_X)["a1"]
    np.testing.assert_allclose(a1[0], [0, 1, 1, 1], atol=1e-4)  # OR
    np.testing.assert_allclose(a1[1], [0, 0, 0, 1], atol=1e-4)  # AND


def test_saturated_start_is_saturated_everywhere():
    a1 = nn.forward(start("saturated"), XOR_X)["a1"]
    assert (nn.sigmoid_prime(a1) < 0.0025).all()


def test_tutorial_start_is_seed_0():
    # the first numbers of np.random.seed(0); np.random.randn(...): 1.764052345967664, ...
    assert start("tutorial")["W1"][0, 0] == pytest.approx(1.764052345967664, abs=1e-15)


def test_every_named_start_is_described():
    for name, (label, sentence) in STARTS.items():
        assert label and sentence.endswith(".")
        assert start(name)["W1"].shape == (2, 2)


def test_starts_are_copies():
    first = start("or-and")
    first["W1"][0, 0] = 99
    assert start("or-and")["W1"][0, 0] == 20


@pytest.mark.parametrize("hidden", [1, 2, 5])
def test_text_round_trips_exactly(hidden):
    params = nn.init_params(hidden, "normal", 3)
    back = from_text(to_text(params), hidden)
    for name in nn.PARAM_NAMES:
        np.testing.assert_array_equal(back[name], params[name], err_msg=name)


def test_text_form_is_readable():
    assert to_text(start("or-and")) == (
        "W1:20.0,20.0,20.0,20.0;b1:-10.0,-30.0;W2:20.0,-20.0;b2:-10.0")


@pytest.mark.parametrize("text, message", [
    ("", "expected name:values"),
    ("W1:1,2,3,4;b1:1,2;W2:1,2", "missing b2"),
    ("W1:1,2,3,4;b1:1,2;W2:1,2;b2:1;b2:1", "b2 appears twice"),
    ("W1:1,2,3;b1:1,2;W2:1,2;b2:1", "W1 needs 4 numbers for hidden = 2, got 3"),
    ("W1:1,x,3,4;b1:1,2;W2:1,2;b2:1", "W1 must hold numbers, got 'x'"),
    ("W1:1,nan,3,4;b1:1,2;W2:1,2;b2:1", "finite number"),
    ("W1:1,1e9,3,4;b1:1,2;W2:1,2;b2:1", "finite number"),
    ("W9:1;b1:1,2;W2:1,2;b2:1", "expected name:values"),
    ("x" * 50_000, "short text"),
])
def test_bad_text_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        from_text(text, 2)
