"""The maths of one network: gradients, derivatives, a worked example, initialisation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from reference import TutorialNetwork, assert_matches

from backprop import nn
from backprop.datasets import load

ACTIVATIONS = list(nn.ACTIVATIONS)
LOSSES = list(nn.LOSSES)
EPS = 1e-6  # gradient_check's default step

# --- the numerical gradient check ------------------------------------------------------


def _data(name):
    """The XOR table, or 12 noisy points so that inputs are not just 0 and 1."""
    return load(name, samples=12, noise=0.3, seed=0)


@pytest.mark.parametrize("data", ["xor", "xor-cloud"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("hidden", [1, 2, 5])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_check(activation, loss, hidden, seed, data):
    X, y = _data(data)
    params = nn.init_params(hidden, "normal", seed)
    if activation == "relu":
        # relu has a kink at z = 0 where the central difference straddles two slopes.
        # The check moves z1 by at most EPS * |x| < 1e-5, so 1e-3 of clearance is plenty.
        z1 = params["W1"] @ X + params["b1"]
        assert np.abs(z1).min() > 1e-3, "precondition: pick a seed with no z1 near relu's kink"
    rows = nn.gradient_check(params, X, y, activation, loss, eps=EPS)
    assert len(rows) == sum(p.size for p in params.values())  # every entry, once
    # A central difference carries rounding noise of about eps_machine * |L| / EPS
    # (1e-10 here), so its rel_error means nothing for gradients that small:
    # for those we ask only that analytic and numeric agree to within the noise.
    L = nn.objective(params, X, y, activation, loss)
    noise = 4 * np.finfo(float).eps * max(abs(L), 1.0) / EPS
    bad = [f"{r['param']}{list(r['index'])}: analytic {r['analytic']:.10g}, "
           f"numeric {r['numeric']:.10g}, rel_error {r['rel_error']:.2e}"
           for r in rows
           if r["rel_error"] >= 1e-6 and abs(r["analytic"] - r["numeric"]) > noise]
    assert not bad, f"{len(bad)} of {len(rows)} entries fail the check:\n" + "\n".join(bad)


def test_gradient_check_catches_a_wrong_derivative(monkeypatch):
    """The check can fail: with sigma'(z1) replaced by a (a classic slip) it must object."""
    X, y = _data("xor")
    params = nn.init_params(2, "normal", 0)
    monkeypatch.setitem(nn.DERIVATIVES, "sigmoid", lambda a, out=None: a.copy())
    rows = nn.gradient_check(params, X, y, "sigmoid", "mse")
    worst = {name: max(r["rel_error"] for r in rows if r["param"] == name)
             for name in nn.PARAM_NAMES}
    assert worst["W1"] > 1e-2 and worst["b1"] > 1e-2, worst
    # The output layer does not use the hidden derivative, so it still checks out.
    assert worst["W2"] < 1e-6 and worst["b2"] < 1e-6, worst


# --- one step against the reference ----------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_step_matches_the_reference(activation, loss):
    X, y = _data("xor-cloud")
    np.random.seed(3)
    gold = TutorialNetwork(hidden=4, activation=activation, loss=loss)
    params = nn.init_params(4, "normal", 3)
    assert_matches(params, gold.params(), atol=0)  # the same draws, exactly
    cache = nn.forward(params, X, activation)
    gold.forward(X)
    assert_matches(cache, vars(gold), atol=1e-14, names=["z1", "a1", "z2", "a2"])
    stepped = nn.update(params, nn.backward(params, X, y, cache, activation, loss), lr=0.5)
    gold.backward(X, y, learning_rate=0.5)
    assert_matches(stepped, gold.params(), atol=1e-14)


# --- activations and their derivatives -------------------------------------------------


def _plain_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# Each derivative written as a function of z, the way a textbook does.
DERIVATIVES_OF_Z = {
    "sigmoid": lambda z: _plain_sigmoid(z) * (1 - _plain_sigmoid(z)),
    "tanh": lambda z: 1.0 / np.cosh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
}


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_derivative_from_the_output_equals_the_derivative_at_z(activation):
    z = np.linspace(-30, 30, 600)  # even count: z = 0 (relu's kink) is not on the grid
    from_output = nn.DERIVATIVES[activation](nn.ACTIVATIONS[activation](z))
    assert_matches({"f'": from_output}, {"f'": DERIVATIVES_OF_Z[activation](z)}, atol=1e-12)


def test_sigmoid_prime_takes_the_output():
    # sigma'(0) = 1/4 needs the output 1/2; passed z = 0 it would give 0.
    assert nn.sigmoid_prime(nn.sigmoid(np.array([0.0]))) == 0.25


@pytest.mark.parametrize("function, z, expected", [
    (nn.sigmoid, 0.0, 0.5),
    (nn.sigmoid_prime, 0.5, 0.25),
    (nn.tanh, 0.0, 0.0),
    (nn.tanh_prime, 0.0, 1.0),
    (nn.relu, -2.0, 0.0),
    (nn.relu_prime, 3.0, 1.0),
], ids=lambda v: getattr(v, "__name__", None))
def test_activations_take_a_plain_number(function, z, expected):
    assert float(function(z)) == expected


@pytest.mark.parametrize("z, expected", [(1e4, 1.0), (-1e4, 0.0), (1e308, 1.0),
                                         (-1e308, 0.0), (np.inf, 1.0), (-np.inf, 0.0)])
def test_sigmoid_is_finite_and_quiet_at_huge_inputs(z, expected):
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        a = nn.sigmoid(np.array([z]))
        derivative = nn.sigmoid_prime(a)
    assert np.isfinite(a).all() and a[0] == expected
    assert derivative[0] == 0.0


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_and_backward_are_quiet_on_huge_weights(activation, loss):
    X, y = _data("xor")
    params = {k: v * 1e200 for k, v in nn.init_params(3, "normal", 0).items()}
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        cache = nn.forward(params, X, activation)
        nn.backward(params, X, y, cache, activation, loss)
        nn.objective(params, X, y, activation, loss)


# --- one worked example, by hand ----------------------------------------------------------
# W1 = [[0.5, -0.5], [1, 1]], b1 = [[0], [-1]], W2 = [[1, -1]], b2 = [[0.5]]; x = (1, 0), y = 1.
#
#   z1 = W1 x + b1            = [0.5, 1 - 1]                  = [0.5, 0]
#   a1 = sigma(z1)            = [1 / (1 + e^-0.5), 1/2]       = [0.62245933, 0.5]
#   z2 = W2 a1 + b2           = 0.62245933 - 0.5 + 0.5        = 0.62245933
#   a2 = sigma(z2)                                            = 0.65077768
#   L  = 1/2 (a2 - y)^2       = 1/2 (-0.34922232)^2           = 0.060978115
#   sigma'(z2) = a2 (1 - a2)                                  = 0.22726609
#   delta2 = (a2 - y) sigma'(z2) = -0.34922232 * 0.22726609   = -0.079366392
#   sigma'(z1) = a1 (1 - a1)                                  = [0.23500371, 0.25]
#   delta1 = W2^T delta2 * sigma'(z1)
#          = [1 * -0.079366392 * 0.23500371, -1 * -0.079366392 * 0.25]
#                                                             = [-0.018651397, 0.019841598]
#   dW2 = delta2 a1^T         = [-0.079366392 * 0.62245933, -0.079366392 * 0.5]
#                                                             = [-0.049402351, -0.039683196]
#   dW1 = delta1 x^T          = [[-0.018651397, 0], [0.019841598, 0]]
#   W2 after one step, lr 0.1 = [1 + 0.0049402351, -1 + 0.0039683196]

WORKED = {
    "W1": np.array([[0.5, -0.5], [1.0, 1.0]]), "b1": np.array([[0.0], [-1.0]]),
    "W2": np.array([[1.0, -1.0]]), "b2": np.array([[0.5]]),
}
WORKED_X, WORKED_Y = np.array([[1.0], [0.0]]), np.array([[1.0]])


def test_worked_example_forward():
    cache = nn.forward(WORKED, WORKED_X, "sigmoid")
    assert_matches(cache, {
        "z1": [[0.5], [0.0]],
        "a1": [[0.62245933], [0.5]],
        "z2": [[0.62245933]],
        "a2": [[0.65077768]],
    }, atol=1e-7)
    assert nn.objective(WORKED, WORKED_X, WORKED_Y) == pytest.approx(0.060978115, abs=1e-7)


def test_worked_example_backward():
    cache = nn.forward(WORKED, WORKED_X, "sigmoid")
    grads = nn.backward(WORKED, WORKED_X, WORKED_Y, cache, "sigmoid", "mse")
    assert_matches(grads, {
        "deriv2": [[0.22726609]],
        "delta2": [[-0.079366392]],
        "deriv1": [[0.23500371], [0.25]],
        "delta1": [[-0.018651397], [0.019841598]],
        "dW2": [[-0.049402351, -0.039683196]],
        "db2": [[-0.079366392]],
        "dW1": [[-0.018651397, 0.0], [0.019841598, 0.0]],
        "db1": [[-0.018651397], [0.019841598]],
    }, atol=1e-7)
    stepped = nn.update(WORKED, grads, lr=0.1)
    assert_matches(stepped, {"W2": [[1.0049402351, -0.9960316804]], "b2": [[0.5079366392]]},
                   atol=1e-7)


def test_worked_example_cross_entropy_delta():
    # With cross-entropy, delta2 = a2 - y = 0.65077768 - 1: sigma'(z2) has cancelled.
    cache = nn.forward(WORKED, WORKED_X, "sigmoid")
    grads = nn.backward(WORKED, WORKED_X, WORKED_Y, cache, "sigmoid", "bce")
    assert grads["delta2"][0, 0] == pytest.approx(-0.34922232, abs=1e-7)


# --- initialisation ----------------------------------------------------------------------


@pytest.mark.parametrize("hidden", [1, 2, 7])
@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1])
def test_normal_init_is_the_tutorials_stream(seed, hidden):
    np.random.seed(seed)
    # The tutorial draws W1, b1, W2, b2 in this order from the global stream.
    tutorial = {"W1": np.random.randn(hidden, 2), "b1": np.random.randn(hidden, 1),
                "W2": np.random.randn(1, hidden), "b2": np.random.randn(1, 1)}
    assert_matches(nn.init_params(hidden, "normal", seed), tutorial, atol=0)


def test_init_leaves_the_global_stream_alone():
    np.random.seed(7)
    expected = np.random.random(3)
    np.random.seed(7)
    nn.init_params(4, "xavier", 123)
    assert np.array_equal(np.random.random(3), expected)


# Standard deviations by their textbook definitions (Glorot & Bengio 2010; He et al. 2015).
STDS = {"xavier": lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out)),
        "he": lambda fan_in, fan_out: np.sqrt(2 / fan_in)}


@pytest.mark.parametrize("hidden", [1, 3, 16])
@pytest.mark.parametrize("init", list(STDS))
def test_scaled_init_rescales_the_same_draws_and_zeroes_biases(init, hidden):
    normal = nn.init_params(hidden, "normal", 5)
    scaled = nn.init_params(hidden, init, 5)
    std = STDS[init]
    assert_matches(scaled, {
        "W1": normal["W1"] * std(2, hidden),
        "W2": normal["W2"] * std(hidden, 1),
        "b1": np.zeros((hidden, 1)),
        "b2": np.zeros((1, 1)),
    }, atol=1e-15)


@pytest.mark.parametrize("init", list(STDS))
def test_scaled_init_has_the_advertised_spread(init):
    """Over many seeds the weights' sample std is the definition's, within sampling error."""
    draws = [nn.init_params(16, init, s) for s in range(100)]
    W1 = np.concatenate([p["W1"].ravel() for p in draws])  # 3200 values
    W2 = np.concatenate([p["W2"].ravel() for p in draws])  # 1600 values
    # The sample std of N normal values is within 3 / sqrt(2N) of the truth, relatively,
    # 99.7% of the time; these seeds are fixed, so the test is deterministic.
    assert W1.std() == pytest.approx(STDS[init](2, 16), rel=3 / np.sqrt(2 * W1.size))
    assert W2.std() == pytest.approx(STDS[init](16, 1), rel=3 / np.sqrt(2 * W2.size))


# --- stacked networks ----------------------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_stacked_params_give_each_networks_own_pass(activation, loss):
    """forward/backward on W1 (K, H, 2), ... equal K separate calls (history is built so)."""
    X, y = _data("xor-cloud")
    nets = [nn.init_params(3, "normal", s) for s in range(4)]
    stacked = {k: np.stack([p[k] for p in nets]) for k in nn.PARAM_NAMES}
    cache = nn.forward(stacked, X, activation)
    grads = nn.backward(stacked, X, y, cache, activation, loss)
    for k, params in enumerate(nets):
        one = nn.forward(params, X, activation)
        expected = {**one, **nn.backward(params, X, y, one, activation, loss)}
        mine = {name: value[k] for name, value in {**cache, **grads}.items()}
        assert_matches(mine, expected, atol=1e-14)


# --- optimizers, one parameter by hand ------------------------------------------------------
# W = 1, lr = 0.1, gradients 0.5 then -0.25.
#   gd:       W = 1 - 0.1*0.5 = 0.95;               then 0.95 + 0.025 = 0.975
#   momentum (mu 0.9): v = 0.5, W = 0.95;           v = 0.45 - 0.25 = 0.2, W = 0.95 - 0.02 = 0.93
#   adam:  t=1: m = 0.05, v = 0.00025, m_hat = 0.5, v_hat = 0.25,
#               W = 1 - 0.1 * 0.5 / (0.5 + 1e-8)                     = 0.900000002
#          t=2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
#               m_hat = 0.02 / 0.19 = 0.1052631579, v_hat = 0.00031225 / 0.001999 = 0.1562031016,
#               sqrt(v_hat) = 0.3952253807, W = 0.900000002 - 0.0266337033 = 0.8733662987


@pytest.mark.parametrize("optimizer, after_one, after_two", [
    ("gd", 0.95, 0.975),
    ("momentum", 0.95, 0.93),
    ("adam", 0.900000002, 0.8733662987),
])
def test_optimizer_steps_by_hand(optimizer, after_one, after_two):
    step = nn.OPTIMIZERS[optimizer]
    params, state = {"W": np.array(1.0)}, {}
    params, state = step(params, {"dW": np.array(0.5)}, state, 0.1, 0.9)
    assert float(params["W"]) == pytest.approx(after_one, abs=1e-9)
    params, state = step(params, {"dW": np.array(-0.25)}, state, 0.1, 0.9)
    assert float(params["W"]) == pytest.approx(after_two, abs=1e-9)
