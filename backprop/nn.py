"""The network: activations, losses, initialisation, forward and backward pass.

Shapes follow the tutorial. Columns are samples::

    X  : (2, n)    W1 : (H, 2)   b1 : (H, 1)   z1, a1 : (H, n)
    y  : (1, n)    W2 : (1, H)   b2 : (1, 1)   z2, a2 : (1, n)

A deeper network has L hidden layers of widths h1 .. hL, and layer l has
W_l (n_l, n_{l-1}), b_l (n_l, 1), z_l and a_l (n_l, n), with n_0 = 2 inputs and
n_{L+1} = 1 output; the tutorial is L = 1. ``"out"`` in a forward pass is the
output a_{L+1} at any depth (``"a2"`` for the tutorial).

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
    """sigma(z) = 1 / (1 + e^-z), as the compiled kernels compute it; quiet at any z.

    For z below about -709, e^-z overflows to inf and sigma(z) is exactly 0. Four
    in-place passes: twice as fast as the tanh form (1 + tanh(z/2)) / 2.
    """
    with np.errstate(over="ignore", under="ignore"):
        return sigmoid_raw(z, out)


def sigmoid_raw(z, out=None):
    """``sigmoid`` without silencing NumPy's overflow flags (saving about 1.5 µs a call):
    for the training loops, which run under ``np.errstate(all="ignore")`` already."""
    if out is None:
        out = np.empty(np.shape(z))
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
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
# The same functions for loops already under np.errstate (only the sigmoid differs).
RAW_ACTIVATIONS = {**ACTIVATIONS, "sigmoid": sigmoid_raw}
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

PARAM_NAMES = ("W1", "b1", "W2", "b2")  # the tutorial's network (one hidden layer)


def param_names(layers: int) -> tuple[str, ...]:
    """W1, b1, ..., W{layers}, b{layers}: the names of a network with ``layers`` weight layers
    (hidden layers + 1), in the order they are drawn and stored."""
    return tuple(name for layer in range(1, layers + 1) for name in (f"W{layer}", f"b{layer}"))


def layers_of(params: dict) -> int:
    """How many weight layers ``params`` holds (hidden layers + 1): 2 for the tutorial."""
    return sum(1 for name in params if name.startswith("W"))


def widths_of(hidden) -> tuple[int, ...]:
    """The hidden widths as a tuple: ``2`` -> ``(2,)``, ``(3, 2)`` stays."""
    return (int(hidden),) if np.ndim(hidden) == 0 else tuple(int(h) for h in hidden)


# Each init is the standard deviation of the weights, given (fan_in, fan_out).
# "normal" is the tutorial's: std 1, biases drawn too.
INITS = {
    "normal": lambda fan_in, fan_out: 1.0,
    "xavier": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
    "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
}


def init_params(hidden, init: str = "normal", seed: int = 0, inputs: int = 2) -> dict:
    """Draw W1, b1, W2, b2, ... in that order from ``RandomState(seed).randn``.

    hidden : one width (the tutorial's one hidden layer) or one width per hidden layer.
    This is the stream the tutorial gets from ``np.random.seed(seed)``, without
    touching NumPy's global state; a deeper network draws its extra layers after it
    in the same way. ``xavier`` and ``he`` rescale the weights and zero the biases.
    """
    rng = np.random.RandomState(seed)
    sizes = (inputs, *widths_of(hidden), 1)
    params = {}
    for layer in range(1, len(sizes)):
        fan_in, fan_out = sizes[layer - 1], sizes[layer]
        params[f"W{layer}"] = rng.randn(fan_out, fan_in)
        params[f"b{layer}"] = rng.randn(fan_out, 1)
    if init != "normal":
        for layer in range(1, len(sizes)):
            params[f"W{layer}"] *= INITS[init](sizes[layer - 1], sizes[layer])
            params[f"b{layer}"][:] = 0.0
    return params


# --- forward, backward, update -------------------------------------------------------


def forward(params: dict, X, activation: str = "sigmoid") -> dict:
    """z_l = W_l a_{l-1} + b_l and a_l = f(z_l) for each layer (a_0 = X); the last is a sigmoid.

    For the tutorial: z1 = W1 X + b1, a1 = f(z1), z2 = W2 a1 + b2, a2 = sigma(z2).
    Arrays are (., n); ``"out"`` is the output a_{L+1}. Parameters may carry leading
    axes (K, H, 2) ... to run K networks at once. Huge weights give inf/NaN quietly
    (no warning); callers check ``isfinite``.
    """
    last, a, cache = layers_of(params), X, {}
    with np.errstate(all="ignore"):
        for layer in range(1, last + 1):
            z = params[f"W{layer}"] @ a + params[f"b{layer}"]
            a = sigmoid(z) if layer == last else ACTIVATIONS[activation](z)
            cache[f"z{layer}"], cache[f"a{layer}"] = z, a
    cache["out"] = a
    return cache


def backward(params: dict, X, y, cache: dict, activation="sigmoid", loss="mse") -> dict:
    """Every quantity of the backward pass for the batch X (gradients summed over samples).

    For each layer l: ``deriv{l}`` = f'(z_l) (from outputs; the output's is sigma'),
    ``delta{l}`` = dL/dz_l (n_l, n) and the gradients ``dW{l}``, ``db{l}``. For the
    tutorial: deriv2, delta2 (1, n), deriv1, delta1 (H, n), dW1 db1 dW2 db2.
    Stacked parameters (leading axes, as in ``forward``) give stacked results.
    """
    with np.errstate(all="ignore"):
        return _backward(params, X, y, cache, activation, loss)


def _backward(params, X, y, cache, activation, loss) -> dict:
    last = layers_of(params)
    out = cache[f"a{last}"]
    grads = {f"deriv{last}": sigmoid_prime(out)}
    # Output error: dL/dz at the output, chain rule through the output sigmoid.
    delta = LOSSES[loss].delta(out, y)
    for layer in range(last, 0, -1):
        below = X if layer == 1 else cache[f"a{layer - 1}"]
        grads[f"delta{layer}"] = delta
        # dz/dW is the layer's input, so each gradient is delta times input^T.
        grads[f"dW{layer}"] = delta @ below.mT
        grads[f"db{layer}"] = delta.sum(axis=-1, keepdims=True)
        if layer > 1:
            deriv = DERIVATIVES[activation](below)
            grads[f"deriv{layer - 1}"] = deriv
            # Error one layer down: send delta back through W_l, then through f'(z_{l-1}).
            # (.mT transposes the last two axes: .T for one network, right for a stack.)
            delta = (params[f"W{layer}"].mT @ delta) * deriv
    return grads


def update(params: dict, grads: dict, lr: float) -> dict:
    """One gradient-descent step: W <- W - lr * dL/dW, for each parameter."""
    return {name: params[name] - lr * grads["d" + name]
            for name in param_names(layers_of(params))}


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
    last = layers_of(params)
    with np.errstate(all="ignore"):
        return LOSSES[loss].value(cache[f"z{last}"], cache["out"], y)


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
    for name in param_names(layers_of(params)):
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
