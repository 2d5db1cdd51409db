"""Lesson 5 (vanishing gradients): every number it states against a plain deep transcription."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, vanishing
from backprop.compare import same_start
from backprop.lessons import LESSONS, reveal, shrink_choice
from tests.reference_deep import DeepNetwork

X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
Y = np.array([[0.0, 1.0, 1.0, 0.0]])
DEEP = (4, 4, 4, 4)
# The answer choices by hand: (smallest factor, below this factor, text).
BUCKETS = [(0, 0.5, "larger than the output layer's"),
           (0.5, 2, "about the same (less than 2× apart)"),
           (2, 10, "2 to 10× smaller"), (10, 100, "10 to 100× smaller"),
           (100, 1000, "100 to 1,000× smaller"), (1000, np.inf, "more than 1,000× smaller")]


def first_norms(activation: str, hidden=DEEP) -> np.ndarray:
    """‖dW⁽ˡ⁾‖ at seed 0's first update, from the reference network."""
    dW, _ = DeepNetwork(hidden, activation, seed=0).gradients(X, Y)
    return np.array([np.linalg.norm(g) for g in dW])


@pytest.fixture(scope="module")
def lesson():
    result = reveal(LESSONS["vanishing"], None)
    return result, " ".join(result.explanation)


def test_the_answer_is_the_bucket_the_reference_ratio_falls_in(lesson):
    norms = first_norms("sigmoid")
    factor = norms[-1] / norms[0]
    (expected,) = [text for lo, hi, text in BUCKETS if lo <= factor < hi]
    result, _ = lesson
    assert result.answer == expected, f"factor {factor:.3g}: {result.answer!r}"
    assert result.answer in LESSONS["vanishing"].ask().choices
    assert factor > 4 ** 2, "a 4-layer sigmoid net's first gradient should be far smaller"


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_every_layer_norm_and_the_ratio_are_the_references(lesson, activation):
    norms = first_norms(activation)
    _, text = lesson
    shown = ", ".join(f"‖dW⁽{s}⁾‖ = {v:.2g}" for s, v in zip("¹²³⁴⁵", norms, strict=True))
    assert shown in text, f"{activation}: expected {shown!r} in {text!r}"
    assert f"{norms[-1] / norms[0]:.3g}× smaller" in text


def test_the_slowest_layer_is_the_one_with_the_smallest_gradient(lesson):
    slowest = int(np.argmin(first_norms("sigmoid"))) + 1
    assert slowest == 1, "the reference says layer 1 gets the least gradient"
    assert f"layer {slowest} has the smallest" in lesson[1]


def test_the_sigma_prime_bound_is_a_quarter_per_layer(lesson):
    # σ(0) = 1/2, so σ′(0) = 1/2 · (1 − 1/2) = 1/4; four hidden layers: 1/4⁴ = 1/256.
    assert "σ′ is at most 0.25 (at z = 0)" in lesson[1]
    assert "0.25 × 0.25 × 0.25 × 0.25 = 1/256" in lesson[1]
    assert "tanh′ is at most 1." in lesson[1]


def test_the_mean_sigma_prime_per_layer_is_the_references(lesson):
    a = DeepNetwork(DEEP, "sigmoid", seed=0).forward(X)
    means = [float(np.mean(h * (1 - h))) for h in a[1:-1]]  # the four hidden layers
    assert "(" + ", ".join(f"{m:.3f}" for m in means) + ")" in lesson[1]


def test_the_final_mse_of_both_runs_is_the_references(lesson):
    for activation in ("sigmoid", "tanh"):
        net = DeepNetwork(DEEP, activation, seed=0)
        net.train(X, Y, 10_000, 0.1)
        mse = float(np.mean((net.forward(X)[-1] - Y) ** 2))
        assert f"{mse:.4f} (" in lesson[1], f"{activation}: MSE {mse:.4f} not in the lesson"


def test_the_lesson_opens_the_deep_sigmoid_net_and_compares_with_tanh():
    lesson = LESSONS["vanishing"]
    a = TrainConfig().replace(**lesson.settings)
    b = a.replace(**lesson.compare)
    assert a.hidden == DEEP and a.activation == "sigmoid" and b.activation == "tanh"
    assert same_start(a, b), "sigmoid against tanh must race from one start"
    assert lesson.view == "Gradient flow"


@pytest.mark.parametrize("factor, expected", [
    (0.4, "larger than the output layer's"), (0.5, "about the same (less than 2× apart)"),
    (1.99, "about the same (less than 2× apart)"), (2.0, "2 to 10× smaller"),
    (99.9, "10 to 100× smaller"), (190, "100 to 1,000× smaller"),
    (1000, "more than 1,000× smaller"), (np.inf, "more than 1,000× smaller")])
def test_shrink_choice(factor, expected):
    assert shrink_choice(factor) == expected


@pytest.mark.parametrize("activation, peak", [("sigmoid", 0.25), ("tanh", 1.0), ("relu", 1.0)])
def test_derivative_peak(activation, peak):
    assert vanishing.derivative_peak(activation)[0] == pytest.approx(peak, abs=1e-12)


def test_gradient_norms_at_depth_two_match_the_reference():
    from backprop import train
    run = train(TrainConfig(hidden=(3, 2), epochs=1))
    expected = first_norms("sigmoid", (3, 2))
    np.testing.assert_allclose(vanishing.gradient_norms(run.history.at(0)), expected,
                               rtol=1e-10)
    means = vanishing.derivative_means(run.history.at(0))
    a = DeepNetwork((3, 2), "sigmoid", seed=0).forward(X)
    np.testing.assert_allclose(means, [np.mean(h * (1 - h)) for h in a[1:-1]])


@pytest.mark.parametrize("first, last, words", [
    (0.001, 0.19, "190× smaller"), (0.2, 0.1, "2× larger"), (0.0, 0.1, "not comparable"),
    (0.1, 0.0, "larger (the output layer's is zero)"), (np.inf, 1.0, "not comparable")])
def test_shrink_words(first, last, words):
    assert vanishing.shrink_text(vanishing.shrink(first, last)).startswith(words)


def test_the_verdicts_are_the_engines(lesson):
    from backprop import train
    from backprop.lessons import STATUS
    words = [STATUS[train(TrainConfig(hidden=DEEP, activation=a)).verdict.status]
             for a in ("sigmoid", "tanh")]
    assert lesson[0].explanation[-1].count("(") == 2
    assert all(f"({w})" in lesson[0].explanation[-1] for w in words), words
