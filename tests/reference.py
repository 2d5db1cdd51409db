"""The gold reference: the tutorial's algorithm, transcribed plainly.

This is the tutorial's ``SimpleNeuralNetwork`` written out again in our own
words, with nothing clever in it: no folded biases, no preallocated buffers,
no vectorising over seeds. The library is tested against it, so it must stay
obviously correct when read next to the tutorial. It is generalised only as
far as the tests need:

- the hidden size and the hidden activation (sigmoid, tanh or relu), each
  derivative taking the activation's *output*, as the tutorial's
  ``sigmoid_derivative(x) = x * (1 - x)`` does;
- the loss: ``mse`` is the tutorial's; ``bce`` (cross-entropy) has
  delta2 = a2 - y, because the output sigmoid's a (1 - a) cancels;
- an ``online`` update: each epoch draws an order of the samples from one
  ``np.random.default_rng(seed)`` created once per run, then does a whole
  forward/backward/update per sample in that order;
- the optimizer that turns a gradient into a step: ``gd`` (the tutorial's),
  ``momentum`` (v = mu v + gradient, then W -= lr v) and ``adam`` (Kingma & Ba
  2015, Algorithm 1: moment estimates, bias correction, eps added to sqrt(v_hat)).

Like the tutorial, the initial weights come from the *global* NumPy stream:
call ``np.random.seed(s)`` before building a ``TutorialNetwork``.
"""

from __future__ import annotations

import numpy as np

# --- activations; each derivative takes the output a = f(z) ----------------------------


def sigmoid(z):
    # exp(-z) overflows to inf for z < -709; 1 / inf = 0 is the right answer there.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(a):
    return a * (1 - a)


def tanh_derivative(a):
    return 1 - a**2


def relu(z):
    return np.maximum(z, 0)


def relu_derivative(a):
    # 0 at the kink itself, where the derivative is undefined.
    return (a > 0).astype(float)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (np.tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
}

# --- data: truth tables from Python's own logic operators ---------------------------------

GATES = {
    "xor": lambda a, b: a ^ b,
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "nand": lambda a, b: 1 - (a & b),
    "xnor": lambda a, b: 1 - (a ^ b),
}


def truth_table(name):
    """The tutorial's layout: X is (2, 4), y is (1, 4), one column per sample."""
    rows = [(0, 0), (0, 1), (1, 0), (1, 1)]
    X = np.array(rows).T
    y = np.array([[GATES[name](a, b) for a, b in rows]])
    return X, y


# --- the network ----------------------------------------------------------------------------


class TutorialNetwork:
    """2 inputs, ``hidden`` units, 1 sigmoid output; W1 (H, 2), b1 (H, 1), W2 (1, H), b2 (1, 1)."""

    def __init__(self, hidden=2, activation="sigmoid", loss="mse", optimizer="gd", mu=0.9):
        # The tutorial's order of draws: W1, b1, W2, b2.
        self.W1 = np.random.randn(hidden, 2)
        self.b1 = np.random.randn(hidden, 1)
        self.W2 = np.random.randn(1, hidden)
        self.b2 = np.random.randn(1, 1)
        self.f, self.f_derivative = ACTIVATIONS[activation]
        self.loss = loss
        self.optimizer, self.mu = optimizer, mu
        # Per-parameter memory of the optimizers, all starting at zero.
        self.velocity = {name: 0.0 for name in ("W1", "b1", "W2", "b2")}
        self.first_moment = {name: 0.0 for name in ("W1", "b1", "W2", "b2")}
        self.second_moment = {name: 0.0 for name in ("W1", "b1", "W2", "b2")}
        self.updates = 0

    def apply(self, gradients, learning_rate):
        """Move every parameter against its gradient, as the optimizer says."""
        if self.optimizer == "adam":
            self.updates += 1  # the t of Algorithm 1, shared by all parameters
        for name, gradient in gradients.items():
            if self.optimizer == "gd":
                step = learning_rate * gradient
            elif self.optimizer == "momentum":
                self.velocity[name] = self.mu * self.velocity[name] + gradient
                step = learning_rate * self.velocity[name]
            else:
                beta1, beta2, eps, t = 0.9, 0.999, 1e-8, self.updates
                self.first_moment[name] = beta1 * self.first_moment[name] + (1 - beta1) * gradient
                self.second_moment[name] = (beta2 * self.second_moment[name]
                                            + (1 - beta2) * gradient**2)
                m_hat = self.first_moment[name] / (1 - beta1**t)
                v_hat = self.second_moment[name] / (1 - beta2**t)
                step = learning_rate * m_hat / (np.sqrt(v_hat) + eps)
            setattr(self, name, getattr(self, name) - step)

    def params(self):
        return {"W1": self.W1.copy(), "b1": self.b1.copy(),
                "W2": self.W2.copy(), "b2": self.b2.copy()}

    def forward(self, X):
        self.z1 = np.dot(self.W1, X) + self.b1
        self.a1 = self.f(self.z1)
        self.z2 = np.dot(self.W2, self.a1) + self.b2
        self.a2 = sigmoid(self.z2)
        return self.a2

    def backward(self, X, y, learning_rate):
        """One gradient step from the forward pass just done (gradients summed over samples)."""
        if self.loss == "mse":
            delta2 = (self.a2 - y) * sigmoid_derivative(self.a2)
        else:
            delta2 = self.a2 - y
        delta1 = np.dot(self.W2.T, delta2) * self.f_derivative(self.a1)
        # Both deltas are computed before any weight changes.
        self.apply({"W2": np.dot(delta2, self.a1.T),
                    "b2": np.sum(delta2, axis=1, keepdims=True),
                    "W1": np.dot(delta1, X.T),
                    "b1": np.sum(delta1, axis=1, keepdims=True)}, learning_rate)

    def train(self, X, y, epochs, learning_rate, update="batch", seed=0):
        """Train; return the loss of every epoch, mean((y - a2)^2) before that epoch's updates.

        The tutorial prints this number every 1000 epochs; we keep all of them.
        """
        losses = []
        order_rng = np.random.default_rng(seed)  # used by the online update only
        for _ in range(epochs):
            output = self.forward(X)
            losses.append(np.mean((y - output) ** 2))
            if update == "batch":
                self.backward(X, y, learning_rate)
                continue
            for i in order_rng.permutation(X.shape[1]):
                x, t = X[:, i:i + 1], y[:, i:i + 1]
                self.forward(x)
                self.backward(x, t, learning_rate)
        return np.array(losses)


def run(config):
    """Train the reference as ``config`` (a TrainConfig on a truth table) says.

    Returns ``(params, losses)``. Seeds the global stream first, as the tutorial does.
    """
    if config.init != "normal" or config.dataset not in GATES:
        raise ValueError("the reference follows the tutorial: normal init, truth tables only")
    widths = (config.hidden,) if isinstance(config.hidden, int) else tuple(config.hidden)
    if len(widths) != 1:
        raise ValueError("the reference follows the tutorial: one hidden layer")
    X, y = truth_table(config.dataset)
    np.random.seed(config.seed)
    net = TutorialNetwork(widths[0], config.activation, config.loss, config.optimizer,
                          config.momentum)
    losses = net.train(X, y, config.epochs, config.lr, config.update, config.seed)
    return net.params(), losses


# --- comparing with the reference -----------------------------------------------------------


def mismatch(what, mine, reference, atol, rtol=0.0):
    """``None`` if ``|mine - reference| <= atol + rtol |reference|`` everywhere, else one line.

    The line names the first entry that differs (for a loss curve, the first epoch):
    ``W1[1, 0]: mine 0.52, reference 0.51 (|diff| 0.01 > 1e-08; 3 of 4 entries differ)``.
    """
    mine, reference = np.asarray(mine, dtype=float), np.asarray(reference, dtype=float)
    if mine.shape != reference.shape:
        return f"{what}: mine has shape {mine.shape}, reference {reference.shape}"
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: handled just below
        diff = np.abs(mine - reference)
    diff[np.isnan(diff)] = np.inf  # a NaN on one side only, or opposite infinities
    diff[(mine == reference) | (np.isnan(mine) & np.isnan(reference))] = 0.0
    allowed = atol + rtol * np.abs(np.nan_to_num(reference, nan=0.0, posinf=0.0, neginf=0.0))
    bad = ~(diff <= allowed)
    if not bad.any():
        return None
    first = np.unravel_index(np.argmax(bad), diff.shape)
    where = f"[{', '.join(map(str, first))}]" if first else ""
    return (f"{what}{where}: mine {float(mine[first])!r}, reference {float(reference[first])!r} "
            f"(|diff| {diff[first]:.3g} > {allowed[first]:.3g}; {int(bad.sum())} of "
            f"{diff.size} entries differ)")


def assert_matches(mine: dict, reference: dict, atol, rtol=0.0, names=None):
    """Assert every named array of ``mine`` matches ``reference``; report all that do not."""
    names = names if names is not None else list(reference)
    problems = [m for name in names
                if (m := mismatch(name, mine[name], reference[name], atol, rtol))]
    assert not problems, "mine vs reference:\n  " + "\n  ".join(problems)
