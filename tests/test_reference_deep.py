"""The deep reference itself: the tutorial at one hidden layer, with the right gradients."""

from __future__ import annotations

import numpy as np
import pytest

from tests import reference
from tests.reference_deep import DeepNetwork

X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
Y = np.array([[0.0, 1.0, 1.0, 0.0]])


@pytest.mark.parametrize("activation, loss, update", [
    ("sigmoid", "mse", "batch"), ("tanh", "bce", "batch"), ("sigmoid", "mse", "online")])
def test_one_hidden_layer_is_the_tutorial(activation, loss, update):
    np.random.seed(3)
    gold = reference.TutorialNetwork(2, activation, loss)
    gold_mse = gold.train(X, Y, 300, 0.5, update, seed=3)
    deep = DeepNetwork([2], activation, loss, seed=3)
    mse = deep.train(X, Y, 300, 0.5, update, seed=3)
    np.testing.assert_allclose(mse, gold_mse, rtol=0, atol=1e-13)
    for name, value in gold.params().items():
        np.testing.assert_allclose(deep.params()[name], value, rtol=0, atol=1e-13, err_msg=name)


def _objective(net, loss):
    out = net.forward(X)[-1]
    if loss == "mse":
        return 0.5 * float(np.sum((out - Y) ** 2))
    return float(np.sum(-Y * np.log(out) - (1 - Y) * np.log(1 - out)))


@pytest.mark.parametrize("hidden", [[3], [3, 2], [2, 3, 2]])
@pytest.mark.parametrize("activation, loss", [("sigmoid", "mse"), ("tanh", "bce")])
def test_gradients_match_central_differences(hidden, activation, loss):
    net = DeepNetwork(hidden, activation, loss, seed=1)
    dW, db = net.gradients(X, Y)
    eps = 1e-6
    for analytic_list, params in ((dW, net.W), (db, net.b)):
        for analytic, p in zip(analytic_list, params, strict=True):
            for index in np.ndindex(p.shape):
                p[index] += eps
                up = _objective(net, loss)
                p[index] -= 2 * eps
                down = _objective(net, loss)
                p[index] += eps
                numeric = (up - down) / (2 * eps)
                assert analytic[index] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_adam_first_step_moves_each_weight_by_lr():
    # With bias correction, Adam's first step is lr * g / (|g| + eps): about lr for every
    # parameter whose gradient is not tiny (Kingma & Ba, section 2.1).
    net = DeepNetwork([2], optimizer="adam", seed=0)
    before = [p.copy() for p in net.W + net.b]
    grads = [g for pair in [net.gradients(X, Y)] for g in pair[0] + pair[1]]
    net.step(X, Y, 0.01)
    for b, a, g in zip(before, net.W + net.b, grads, strict=True):
        np.testing.assert_allclose(np.abs(a - b), 0.01 * np.abs(g) / (np.abs(g) + 1e-8),
                                   rtol=1e-10)


def test_momentum_accumulates_velocity():
    # Two steps with momentum mu: the second moves by lr * (mu * g1 + g2).
    net = DeepNetwork([2], optimizer="momentum", momentum=0.5, seed=0)
    g1 = net.gradients(X, Y)[0][0].copy()
    net.step(X, Y, 0.1)
    w = net.W[0].copy()
    g2 = net.gradients(X, Y)[0][0].copy()
    net.step(X, Y, 0.1)
    np.testing.assert_allclose(w - net.W[0], 0.1 * (0.5 * g1 + g2), rtol=1e-9, atol=1e-15)
