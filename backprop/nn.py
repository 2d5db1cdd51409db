"""The network: activations, losses, initialisation, forward and backward pass.

Shapes follow the tutorial. Columns are samples::

    X  : (2, n)    W1 : (H, 2)   b1 : (H, 1)   z1, a1 : (H, n)
    y  : (1, n)    W2 : (1, H)   b2 : (1, 1)   z2, a2 : (1, n)

The output unit is always a sigmoid; the hidden activation is chosen by name.
Every function here is pure: parameters go in, new arrays come out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

# --- activations and their derivatives ---------------------------------------
# Derivatives take the activation's *output* a, not its input z, as the tutorial
# does: for the sigmoid, sigma'(z) = a (1 - a) reuses the forward pass.


def sigmoid(z, out=None):
    """sigma(z) = 1 / (1 + e^-z), written as (1 + tanh(z/2)) / 2 so it never overflows."""
    if out is None:
        out = np.empty(np.shape(z))
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def sigmoid_prime(a, out=None):
    """sigma'(z) = a (1 - a), from the output a = sigma(z)."""
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def tanh(z, out=None):
    return np.tanh(z, out=out)


def tanh_prime(a, out=None):
    """tanh'(z) = 1 - a^2, from the output a = tanh(z)."""
    if out is None:
        out = np.empty(np.shape(a))
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def relu_prime(a, out=None):
    """relu'(z) = 1 where a > 0, else 0 (we take 0 at the kink)."""
    if out is None:
        out = np.empty(np.shape(a))
    np.greater(a, 0.0, out=out)
    return out


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}
DERIVATIVES = {"sigmoid": sigmoid_prime, "tanh": tanh_prime, "relu": relu_prime}
# The largest value each derivative takes (sigma' peaks at 1/4 where z = 0).
DERIVATIVE_MAX = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}

# --- losses --------------------------------------------------------------------


def mse(z2, a2, y):
    """The tutorial's loss, summed over samples: L = sum 1/2 (a2 - y)^2."""
    return 0.5 * float(np.sum((a2 - y) ** 2))


def mse_delta(a2, y):
    """delta2 = dL/dz2 = (a2 - y) * sigma'(z2), with sigma'(z2) = a2 (1 - a2)."""
    return (a2 - y) * sigmoid_prime(a2)


def bce(z2, a2, y):
    """Binary cross-entropy, summed: L = sum -y log a2 - (1-y) log(1-a2).

    Computed from z2 as sum softplus(z2) - y z2, which stays finite when a2 is 0 or 1.
    """
    with np.errstate(all="ignore"):
        return float(np.sum(np.logaddexp(0.0, z2) - y * z2))


def bce_delta(a2, y):
    """delta2 = a2 - y: the sigmoid's a (1 - a) cancels against the log's 1 / (a (1 - a))."""
    return a2 - y


class Loss(NamedTuple):
    """One objective: ``value(z2, a2, y)`` summed over samples, and ``delta(a2, y)`` = dL/dz2.

    Every training path (one run, many seeds, the compiled kernels by registry
    position, the step-by-step view) reads the loss from here.
    """

    value: Callable
    delta: Callable


LOSSES = {"mse": Loss(mse, mse_delta), "bce": Loss(bce, bce_delta)}

# --- initialisation --------------------------------------------------------------

PARAM_NAMES = ("W1", "b1", "W2", "b2")


# Each init is the standard deviation of the weights, given (fan_in, fan_out).
# "normal" is the tutorial's: std 1, biases drawn too.
INITS = {
    "normal": lambda fan_in, fan_out: 1.0,
    "xavier": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
    "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
}


def init_params(hidden: int, init: str = "normal", seed: int = 0, inputs: int = 2) -> dict:
    """Draw W1, b1, W2, b2 in that order from ``RandomState(seed).randn``.

    This is the stream the tutorial gets from ``np.random.seed(seed)``, without
    touching NumPy's global state. ``xavier`` and ``he`` rescale the weights
    and zero the biases.
    """
    rng = np.random.RandomState(seed)
    shapes = {"W1": (hidden, inputs), "b1": (hidden, 1), "W2": (1, hidden), "b2": (1, 1)}
    params = {name: rng.randn(*shape) for name, shape in shapes.items()}
    if init != "normal":
        scale = INITS[init]
        params["W1"] *= scale(inputs, hidden)
        params["W2"] *= scale(hidden, 1)
        params["b1"][:] = 0.0
        params["b2"][:] = 0.0
    return params


# --- forward, backward, update -------------------------------------------------------


def forward(params: dict, X, activation: str = "sigmoid") -> dict:
    """z1 = W1 X + b1, a1 = f(z1), z2 = W2 a1 + b2, a2 = sigma(z2). Arrays are (., n).

    Parameters may carry leading axes (K, H, 2) ... to run K networks at once.
    Huge weights give inf/NaN quietly (no warning); callers check ``isfinite``.
    """
    with np.errstate(all="ignore"):
        z1 = params["W1"] @ X + params["b1"]
        a1 = ACTIVATIONS[activation](z1)
        z2 = params["W2"] @ a1 + params["b2"]
        a2 = sigmoid(z2)
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2}


def backward(params: dict, X, y, cache: dict, activation="sigmoid", loss="mse") -> dict:
    """Every quantity of the backward pass for the batch X (gradients summed over samples).

    Returns ``deriv2`` = sigma'(z2) and ``deriv1`` = f'(z1) (both from outputs),
    ``delta2`` (1, n), ``delta1`` (H, n) and the gradients ``dW1 db1 dW2 db2``.
    Stacked parameters (leading axes, as in ``forward``) give stacked results.
    """
    a1, a2 = cache["a1"], cache["a2"]
    with np.errstate(all="ignore"):
        return _backward(params, X, y, a1, a2, activation, loss)


def _backward(params, X, y, a1, a2, activation, loss) -> dict:
    deriv2 = sigmoid_prime(a2)
    # Output error: dL/dz2, chain rule through the output sigmoid.
    delta2 = LOSSES[loss].delta(a2, y)
    deriv1 = DERIVATIVES[activation](a1)
    # Hidden error: send delta2 back through W2, then through f'(z1). (.mT transposes
    # the last two axes: the same as .T for one network, and right for a stack.)
    delta1 = (params["W2"].mT @ delta2) * deriv1
    return {
        "deriv2": deriv2,
        "delta2": delta2,
        "deriv1": deriv1,
        "delta1": delta1,
        # dz/dW is the layer's input, so each gradient is delta times input^T.
        "dW2": delta2 @ a1.mT,
        "db2": delta2.sum(axis=-1, keepdims=True),
        "dW1": delta1 @ X.T,
        "db1": delta1.sum(axis=-1, keepdims=True),
    }


def update(params: dict, grads: dict, lr: float) -> dict:
    """One gradient-descent step: W <- W - lr * dL/dW, for each parameter."""
    return {name: params[name] - lr * grads["d" + name] for name in PARAM_NAMES}


# --- optimizers ---------------------------------------------------------------------------
# Each takes (params, grads, state, lr, mu) and returns (new params, new state). ``state``
# starts as {} and is carried from one update to the next; names are whatever params holds.

ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8  # Kingma & Ba (2015)'s defaults


def gd(params, grads, state, lr, mu=0.9):
    """Plain gradient descent, the tutorial's: W <- W - lr dL/dW."""
    return {n: params[n] - lr * grads["d" + n] for n in params}, state


def momentum(params, grads, state, lr, mu=0.9):
    """Momentum: v <- mu v + dL/dW, then W <- W - lr v (v starts at 0)."""
    v = {n: mu * state["v"][n] + grads["d" + n] if state else grads["d" + n] + 0.0
         for n in params}
    return {n: params[n] - lr * v[n] for n in params}, {"v": v}


def adam(params, grads, state, lr, mu=0.9):
    """Adam (Kingma & Ba 2015, Algorithm 1), with bias correction; ``mu`` is unused.

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  t <- t + 1;
    W <- W - lr m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).
    """
    b1, b2 = ADAM_BETA1, ADAM_BETA2
    t = state.get("t", 0) + 1
    g = {n: grads["d" + n] for n in params}
    m = {n: b1 * state["m"][n] + (1 - b1) * g[n] if state else (1 - b1) * g[n] for n in params}
    v = {n: b2 * state["v"][n] + (1 - b2) * (g[n] * g[n]) if state else (1 - b2) * (g[n] * g[n])
         for n in params}
    fix1, fix2 = 1 - b1**t, 1 - b2**t
    new = {n: params[n] - lr * (m[n] / fix1) / (np.sqrt(v[n] / fix2) + ADAM_EPS)
           for n in params}
    return new, {"m": m, "v": v, "t": t}


OPTIMIZERS = {"gd": gd, "momentum": momentum, "adam": adam}


def objective(params: dict, X, y, activation="sigmoid", loss="mse") -> float:
    """The loss that training descends (summed over samples)."""
    cache = forward(params, X, activation)
    with np.errstate(all="ignore"):
        return LOSSES[loss].value(cache["z2"], cache["a2"], y)


def mean_squared_error(a2, y) -> float:
    """mean((y - a2)^2): the figure the tutorial prints, and our loss curve."""
    return float(np.mean((y - a2) ** 2))


def gradient_check(params, X, y, activation="sigmoid", loss="mse", eps=1e-6) -> list[dict]:
    """Compare each analytic gradient entry with a central difference.

    numeric = (L(w + eps) - L(w - eps)) / (2 eps). Returns one row per parameter
    entry: ``param``, ``index``, ``analytic``, ``numeric``, ``rel_error`` where
    rel_error = |a - n| / max(|a| + |n|, 1e-12).
    """
    grads = backward(params, X, y, forward(params, X, activation), activation, loss)
    rows = []
    for name in PARAM_NAMES:
        for index in np.ndindex(params[name].shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][index] += eps
            up = objective(shifted, X, y, activation, loss)
            shifted[name][index] -= 2 * eps
            down = objective(shifted, X, y, activation, loss)
            numeric = (up - down) / (2 * eps)
            analytic = float(grads["d" + name][index])
            rel = abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-12)
            rows.append(
                {"param": name, "index": index, "analytic": analytic,
                 "numeric": numeric, "rel_error": rel}
            )
    return rows
