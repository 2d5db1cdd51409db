"""The NumPy engine against the tutorial's own loop, side by side in one process.

Run with ``python -m bench.engine``. Two figures:

- ``train(TrainConfig())``, which also records the per-epoch loss and the
  history, against the tutorial's ``SimpleNeuralNetwork`` trained the same
  10,000 epochs (target: at most 0.6x its time);
- ``train_many`` over 1000 seeds, per network, against the same plain loop
  (target: at least 150x faster).

Each time is the minimum over ``repeats`` interleaved runs, so that a busy
machine shows as noise on the slow side only.
"""

from __future__ import annotations

import time

import numpy as np

from backprop import TrainConfig, train, train_many

MANY_SEEDS = 1000

# --- the tutorial's loop, as it is written there (printing left out) ------------------------


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return x * (1 - x)


class SimpleNeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = np.random.randn(hidden_size, input_size)
        self.b1 = np.random.randn(hidden_size, 1)
        self.W2 = np.random.randn(output_size, hidden_size)
        self.b2 = np.random.randn(output_size, 1)

    def forward(self, X):
        self.z1 = np.dot(self.W1, X) + self.b1
        self.a1 = sigmoid(self.z1)
        self.z2 = np.dot(self.W2, self.a1) + self.b2
        self.a2 = sigmoid(self.z2)
        return self.a2

    def backward(self, X, y, learning_rate):
        delta2 = (self.a2 - y) * sigmoid_derivative(self.a2)
        delta1 = np.dot(self.W2.T, delta2) * sigmoid_derivative(self.a1)
        self.W2 -= learning_rate * np.dot(delta2, self.a1.T)
        self.b2 -= learning_rate * np.sum(delta2, axis=1, keepdims=True)
        self.W1 -= learning_rate * np.dot(delta1, X.T)
        self.b1 -= learning_rate * np.sum(delta1, axis=1, keepdims=True)

    def train(self, X, y, epochs, learning_rate):
        for epoch in range(epochs):
            output = self.forward(X)
            self.backward(X, y, learning_rate)
            if epoch % 1000 == 0:
                np.mean((y - output) ** 2)  # the tutorial prints this


def plain_loop(seed=0, epochs=10_000, learning_rate=0.1) -> SimpleNeuralNetwork:
    """The tutorial's script: XOR, 2 hidden units, seeded global stream."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]).T
    y = np.array([[0], [1], [1], [0]]).T
    np.random.seed(seed)
    net = SimpleNeuralNetwork(input_size=2, hidden_size=2, output_size=1)
    net.train(X, y, epochs=epochs, learning_rate=learning_rate)
    return net


# --- measuring ---------------------------------------------------------------------------------


def _timed(fn):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _same_answer(run, net):
    """Both loops must end at the same weights, or the timing compares different work."""
    for name in ("W1", "b1", "W2", "b2"):
        if not np.allclose(run.params[name], getattr(net, name), rtol=0, atol=1e-8):
            raise AssertionError(f"train and the plain loop disagree on {name}")


def measure(repeats: int = 3) -> list[dict]:
    config = TrainConfig()
    # Interleave the three so that a slow patch of the machine hits all alike; keep the best.
    train_s = plain_s = many_s = np.inf
    for _ in range(repeats):
        t, run = _timed(lambda: train(config))
        train_s = min(train_s, t)
        t, net = _timed(lambda: plain_loop(config.seed, config.epochs, config.lr))
        plain_s = min(plain_s, t)
        many_s = min(many_s, _timed(lambda: train_many(config, range(MANY_SEEDS)))[0])
    _same_answer(run, net)
    per_network = many_s / MANY_SEEDS
    return [
        {"name": "train (records history) vs plain loop",
         "value": train_s, "unit": "s", "reference": plain_s, "ratio": train_s / plain_s,
         "target": "<= 0.6x"},
        {"name": f"train_many over {MANY_SEEDS} seeds, per network: speed-up vs plain loop",
         "value": per_network, "unit": "s", "reference": plain_s,
         "ratio": plain_s / per_network, "target": ">= 150x"},
    ]


def print_rows(rows) -> None:
    for r in rows:
        print(f"{r['name']}: {r['ratio']:.3g}x (target {r['target']})  "
              f"[{r['value'] * 1e3:.3g} ms vs plain loop {r['reference'] * 1e3:.3g} ms]")


if __name__ == "__main__":
    print_rows(measure())
