"""The engines against each other and against the tutorial's own loop, side by side.

Run with ``python -m bench.engine``. The figures:

- ``train(TrainConfig())`` compiled against the NumPy reference (target: a few ms,
  within the 60 ms server budget of one new setting);
- the NumPy reference against the tutorial's ``SimpleNeuralNetwork`` trained the
  same 10,000 epochs (target: at most 0.6x its time);
- ``train_many`` over 200 and 2000 seeds, compiled against NumPy;
- ``train_many`` over 1000 seeds on NumPy's vectorised pass, per network, against
  the plain loop (>= 150x);
- cold start in a fresh process: the first compiled ``train`` with the on-disk
  compile cache, and with an empty one (numba compiles everything);
- the loss landscape's 61 x 61 slice through a run, at the tutorial's depth and at
  three hidden layers (target: <= 0.3 s each).

Each time is the minimum over ``repeats`` interleaved runs, so that a busy
machine shows as noise on the slow side only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from backprop import TrainConfig, train, train_many
from backprop.landscape import history_landscape

MANY_SEEDS = 1000
ROOT = Path(__file__).resolve().parents[1]
FIRST_CALL = ("import time; t = time.perf_counter(); from backprop import TrainConfig, train; "
              "train(TrainConfig(), engine='compiled'); print(time.perf_counter() - t)")

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


def _first_call(cache_dir: str | None = None) -> float:
    """Seconds from ``import backprop`` to the end of the first compiled ``train`` (new process)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, capture_output=True,
                         text=True, check=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def measure(repeats: int = 3) -> list[dict]:
    config = TrainConfig()
    train(config, engine="compiled")  # compile (or load the cache) before timing
    # Interleave so that a slow patch of the machine hits all alike; keep the best.
    best = dict.fromkeys(["compiled", "numpy", "plain", "many", "c200", "n200"], np.inf)
    for _ in range(repeats):
        for name, fn in [("compiled", lambda: train(config, engine="compiled")),
                         ("numpy", lambda: train(config, engine="numpy")),
                         ("plain", lambda: plain_loop(config.seed, config.epochs, config.lr)),
                         ("many", lambda: train_many(config, range(MANY_SEEDS),
                                                     engine="numpy")),
                         ("c200", lambda: train_many(config, range(200), engine="compiled")),
                         ("n200", lambda: train_many(config, range(200), engine="numpy"))]:
            t, result = _timed(fn)
            best[name] = min(best[name], t)
            if name == "numpy":
                run = result
            elif name == "plain":
                net = result
    _same_answer(run, net)
    c2000 = n2000 = np.inf
    for _ in range(max(1, repeats - 1)):
        c2000 = min(c2000, _timed(lambda: train_many(config, range(2000), engine="compiled"))[0])
        n2000 = min(n2000, _timed(lambda: train_many(config, range(2000), engine="numpy"))[0])
    slices = {}
    for name, hidden in (("depth 1", (2,)), ("depth 3", (4, 3, 2))):
        run = train(config.replace(hidden=hidden, epochs=2000))
        slices[name] = min(_timed(lambda run=run: history_landscape(
            run.history, run.X, run.y, "sigmoid", "mse"))[0] for _ in range(repeats))
    cached = min(_first_call() for _ in range(repeats))
    with tempfile.TemporaryDirectory() as empty:
        cold = _first_call(empty)
    per_network = best["many"] / MANY_SEEDS
    return [
        {"name": "train at the defaults: compiled vs NumPy reference",
         "value": best["compiled"], "unit": "s", "reference": best["numpy"],
         "ratio": best["compiled"] / best["numpy"], "target": "a few ms (budget 60 ms)"},
        {"name": "train, NumPy reference (records history) vs plain loop",
         "value": best["numpy"], "unit": "s", "reference": best["plain"],
         "ratio": best["numpy"] / best["plain"], "target": "<= 0.6x"},
        {"name": "train_many, 200 seeds: compiled vs NumPy",
         "value": best["c200"], "unit": "s", "reference": best["n200"],
         "ratio": best["c200"] / best["n200"], "target": "GIL-free; not slower"},
        {"name": "train_many, 2000 seeds: compiled vs NumPy",
         "value": c2000, "unit": "s", "reference": n2000, "ratio": c2000 / n2000,
         "target": "GIL-free; not slower"},
        {"name": f"train_many over {MANY_SEEDS} seeds, NumPy's vectorised pass, per network: "
                 "speed-up vs plain loop",
         "value": per_network, "unit": "s", "reference": best["plain"],
         "ratio": best["plain"] / per_network, "target": ">= 150x"},
        {"name": "loss landscape, 61 x 61 slice through a run: depth 1 (2)",
         "value": slices["depth 1"], "unit": "s", "reference": 0.3,
         "ratio": slices["depth 1"] / 0.3, "target": "<= 0.3 s"},
        {"name": "loss landscape, 61 x 61 slice through a run: depth 3 (4,3,2)",
         "value": slices["depth 3"], "unit": "s", "reference": 0.3,
         "ratio": slices["depth 3"] / 0.3, "target": "<= 0.3 s"},
        {"name": "cold start: import + first compiled train, on-disk cache vs empty cache",
         "value": cached, "unit": "s", "reference": cold, "ratio": cached / cold,
         "target": "cached < 2 s"},
    ]


def print_rows(rows) -> None:
    for r in rows:
        print(f"{r['name']}: {r['ratio']:.3g}x (target {r['target']})  "
              f"[{r['value'] * 1e3:.3g} ms vs {r['reference'] * 1e3:.3g} ms]")


if __name__ == "__main__":
    print_rows(measure())
