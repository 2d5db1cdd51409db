"""The step-by-step equations show the run's own numbers, and the update they show is
the one training makes."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import TrainConfig, nn, train
from backprop.steps import mat, num, plus, step_equations


def latex_of(sections) -> str:
    return "\n".join(latex for _, items in sections for _, latex in items)


@pytest.mark.parametrize("value, text", [
    (0.5, "0.5"), (-2.0, "-2"), (123456.0, "1.235\\times10^{5}"), (1.2e-5, "1.2\\times10^{-5}"),
])
def test_num_gives_four_significant_digits(value, text):
    assert num(value) == text


def test_plus_and_mat():
    assert plus(-0.25) == "- 0.25" and plus(0.25) == "+ 0.25"
    assert mat([[1, 2], [3, 4]]) == r"\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}"


@pytest.mark.parametrize("activation, loss", [("sigmoid", "mse"), ("tanh", "bce"),
                                              ("relu", "mse")])
@pytest.mark.parametrize("sample", [0, 3])
def test_batch_update_shown_is_the_next_epochs_weights(activation, loss, sample):
    config = TrainConfig(activation=activation, loss=loss, hidden=3, epochs=20, seed=1)
    run = train(config, checkpoints=[20])
    after = train(config.replace(epochs=21)).params
    text = latex_of(step_equations(run.history.at(0), run.X, run.y, sample, activation, loss,
                                   config.lr))
    for name in ("W1", "b1", "W2"):
        assert mat(after[name]) in text, name
    assert num(after["b2"][0, 0]) in text


def test_online_update_shown_is_this_samples_step():
    config = TrainConfig(update="online", epochs=5, seed=2)
    run = train(config, checkpoints=[5])
    snap, sample = run.history.at(0), 1
    x, t = run.X[:, [sample]], run.y[:, [sample]]
    grads = nn.backward(snap, x, t, nn.forward(snap, x, "sigmoid"), "sigmoid", "mse")
    expected = nn.update(snap, grads, config.lr)
    text = latex_of(step_equations(snap, run.X, run.y, sample, "sigmoid", "mse", config.lr,
                                   "online"))
    for name in ("W1", "b1", "W2"):
        assert mat(expected[name]) in text, name


def test_forward_numbers_and_both_sigmoid_slopes_appear():
    run = train(TrainConfig(epochs=50))
    snap = run.history.at(len(run.history.epochs) - 1)
    sections = step_equations(snap, run.X, run.y, 2, "sigmoid", "mse", 0.1)
    text = latex_of(sections)
    assert mat(snap["z1"][:, [2]]) in text and num(snap["a2"][0, 2]) in text
    assert num(snap["delta2"][0, 2]) in text and mat(snap["delta1"][:, [2]]) in text
    a1 = snap["a1"][:, [2]]
    from_z = nn.sigmoid(snap["z1"][:, [2]]) * (1 - nn.sigmoid(snap["z1"][:, [2]]))
    assert np.allclose(from_z, a1 * (1 - a1), atol=1e-15)
    assert text.count(mat(a1 * (1 - a1))) >= 2  # sigma' from z and from a, side by side
    assert [title for title, _ in sections] == [
        "1 · Forward pass", "2 · Loss", "3 · Chain-rule factors", "4 · Errors (deltas)",
        "5 · Gradients", "6 · Update"]
