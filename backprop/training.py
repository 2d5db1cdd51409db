"""Training: one run with a replayable history, and many seeds in one pass.

``train`` follows the tutorial's loop exactly (forward, backward, update, once
per epoch on the whole batch) and records:

- ``mse``: mean((y - a2)^2) over the samples, before each update (the figure
  the tutorial prints), one value per epoch. This is what the curves show; the
  objective that training descends is the loss setting (½ squared error or BCE);
- ``history``: at a bounded set of checkpoint epochs, the parameters and every
  per-sample quantity of the backward pass, so a dashboard can replay the run
  without training again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import compiled, nn
from .config import TrainConfig
from .datasets import CONTINUOUS, load
from .diagnosis import Verdict, diagnose

CHUNK = 500  # epochs between finiteness checks and progress reports
NOISY_DATA_ACCURACY = 0.95  # noisy clouds overlap, so "solved" means 95% right
HISTORY_BYTES = 12_000_000  # bound on one run's recorded checkpoints
STEP_KEYS = ("W1", "b1", "W2", "b2", "z1", "a1", "z2", "a2",
             "deriv1", "deriv2", "delta1", "delta2", "dW1", "db1", "dW2", "db2")


def required_accuracy(config: TrainConfig) -> float:
    """Fraction of samples that must be right to call a run solved: all, except on noisy data."""
    return NOISY_DATA_ACCURACY if config.dataset in CONTINUOUS else 1.0


def dataset(config: TrainConfig):
    """``(X, y)`` for a config. Continuous data has a fixed data seed: seeds vary the init only."""
    return load(config.dataset, config.samples, config.noise, seed=0)


def checkpoint_budget(hidden: int, samples: int) -> int:
    """How many checkpoints fit in HISTORY_BYTES: 120 for the truth tables, fewer for big clouds."""
    per_checkpoint = 8 * (4 * hidden * samples + 4 * samples + 2 * (4 * hidden + 1))
    return int(np.clip(HISTORY_BYTES // per_checkpoint, 12, 120))


def checkpoint_epochs(epochs: int, count: int = 120) -> np.ndarray:
    """Sorted epochs to snapshot: 0, the last, and a mix of even and log spacing.

    Log spacing keeps the fast early changes; even spacing covers the rest.
    At most ``count + 2`` epochs, whatever ``epochs`` is.
    """
    even = np.linspace(0, epochs, count // 2 + 1)
    log = np.geomspace(1, max(epochs, 1), count // 2)
    picks = np.round(np.concatenate([[0, epochs], even, log])).astype(int)
    return np.unique(np.clip(picks, 0, epochs))


@dataclass
class History:
    """Snapshots at checkpoint epochs: ``epochs`` (K,), and ``steps[name]`` (K, ...).

    Snapshot k holds the parameters after ``epochs[k]`` updates, and the forward
    and backward pass computed with them (so its gradients are the next update's).
    """

    epochs: np.ndarray
    steps: dict = field(default_factory=dict)

    def index(self, epoch: int) -> int:
        """The index of the checkpoint nearest to ``epoch``."""
        return int(np.argmin(np.abs(self.epochs - epoch)))

    def at(self, k: int) -> dict:
        """Every quantity of snapshot k, by name (W1, z1, delta2, dW1, ...)."""
        return {name: values[k] for name, values in self.steps.items()}


@dataclass
class Run:
    """The result of ``train``: final params, per-epoch MSE and the history."""

    config: TrainConfig
    mse: np.ndarray
    params: dict
    history: History
    X: np.ndarray
    y: np.ndarray
    stopped: str | None = None  # why training ended early, if it did

    @cached_property
    def predictions(self) -> np.ndarray:
        """a2 for every sample with the final params, shape (n,); computed once."""
        return nn.forward(self.params, self.X, self.config.activation)["a2"][0]

    @property
    def verdict(self) -> Verdict:
        return diagnose(self.mse, self.predictions, self.y[0], self.stopped,
                        required_accuracy(self.config))


def _history(epochs, params: dict, X, y, config) -> History:
    """Rebuild every checkpoint's forward and backward pass from its parameters.

    params holds the K checkpoints' W1 (K, H, 2), ...; one stacked NumPy pass
    computes all K snapshots, whichever engine trained.
    """
    if not len(epochs):
        return History(np.zeros(0, dtype=int), {})
    with np.errstate(all="ignore"):
        cache = nn.forward(params, X, config.activation)
        grads = nn.backward(params, X, y, cache, config.activation, config.loss)
    steps = {**params, **cache, **grads}
    return History(np.asarray(epochs, dtype=int), {k: steps[k] for k in STEP_KEYS})


class _BatchLoop:
    """The tutorial's batch epoch with preallocated buffers and few NumPy calls.

    Biases are folded into the weights (a column of ones is appended to the
    layer input), so each layer is one ``dot``; the learning rate is applied
    to delta2 once, and flows linearly into delta1 and both gradients.
    """

    def __init__(self, params, X, y, config, shuffle=None):
        H, n = params["W1"].shape[0], X.shape[1]
        self.W1b = np.hstack([params["W1"], params["b1"]])  # (H, 3)
        self.W2b = np.hstack([params["W2"], params["b2"]])  # (1, H+1)
        self.Xa = np.vstack([X, np.ones((1, n))])
        self.y = y
        self.lr = config.lr
        self.act = nn.ACTIVATIONS[config.activation]
        self.act_prime = nn.DERIVATIVES[config.activation]
        self.delta = nn.LOSSES[config.loss].delta
        self.a1a = np.ones((H + 1, n))  # hidden outputs plus the bias row of ones
        self.H = H

    def params(self) -> dict:
        H = self.H
        return {"W1": self.W1b[:, :2].copy(), "b1": self.W1b[:, 2:].copy(),
                "W2": self.W2b[:, :H].copy(), "b2": self.W2b[:, H:].copy()}

    def finite(self) -> bool:
        return bool(np.isfinite(self.W1b).all() and np.isfinite(self.W2b).all())

    def run(self, loss_out, start, stop):
        """Epochs start..stop-1; writes sum((a2 - y)^2) into loss_out[e]."""
        W1b, W2b, Xa, y, lr, act, act_prime = (
            self.W1b, self.W2b, self.Xa, self.y, self.lr, self.act, self.act_prime)
        H, n = self.H, Xa.shape[1]
        a1a = self.a1a
        a1, XaT, a1aT, W2T = a1a[:H], Xa.T.copy(), a1a.T, W2b[:, :H].T
        z1, d1, p1 = np.empty((H, n)), np.empty((H, n)), np.empty((H, n))
        z2, a2, err, d2s = (np.empty((1, n)) for _ in range(4))
        g1, g2, err0 = np.empty_like(W1b), np.empty_like(W2b), err[0]
        for e in range(start, stop):
            np.dot(W1b, Xa, out=z1)
            act(z1, out=a1)
            np.dot(W2b, a1a, out=z2)
            nn.sigmoid(z2, out=a2)
            np.subtract(a2, y, out=err)
            loss_out[e] = np.dot(err0, err0)
            np.multiply(self.delta(a2, y), lr, out=d2s)  # lr * dL/dz2, from the loss registry
            # lr * delta1 = (W2^T lr delta2) * f'(z1)
            np.dot(W2T, d2s, out=d1)
            d1 *= act_prime(a1, out=p1)
            np.dot(d2s, a1aT, out=g2)
            W2b -= g2
            np.dot(d1, XaT, out=g1)
            W1b -= g1


class _OnlineLoop:
    """Online updates: a full forward/backward/update per sample, in a shuffled order.

    The order of each epoch is drawn from ``default_rng(seed)``, a stream of its
    own, so the initial weights are the same as in batch mode. A caller training
    in chunks passes its own generator as ``shuffle`` to continue that stream.
    """

    def __init__(self, params, X, y, config, shuffle=None):
        self.p, self.X, self.y, self.config = params, X, y, config
        self.rng = np.random.default_rng(config.seed) if shuffle is None else shuffle

    def params(self) -> dict:
        return {k: v.copy() for k, v in self.p.items()}

    def finite(self) -> bool:
        return all(np.isfinite(v).all() for v in self.p.values())

    def run(self, loss_out, start, stop):
        X, y, c = self.X, self.y, self.config
        for e in range(start, stop):
            loss_out[e] = np.sum((nn.forward(self.p, X, c.activation)["a2"] - y) ** 2)
            for i in self.rng.permutation(X.shape[1]):
                x, t = X[:, i:i + 1], y[:, i:i + 1]
                grads = nn.backward(self.p, x, t, nn.forward(self.p, x, c.activation),
                                    c.activation, c.loss)
                self.p = nn.update(self.p, grads, c.lr)


LOOPS = {"batch": _BatchLoop, "online": _OnlineLoop}


def train(config: TrainConfig = TrainConfig(), params: dict | None = None,
          progress=None, checkpoints=None, shuffle=None, engine: str | None = None) -> Run:
    """Train one network; the tutorial's algorithm when ``config`` is the default.

    params : start here instead of a fresh init (e.g. from a run file).
    shuffle : online mode's ``np.random.Generator`` for the sample order; pass the
        same one to each call when training in chunks, so the order continues.
    progress : optional ``callback(fraction_done)``, called every CHUNK epochs.
    checkpoints : epochs to snapshot; default ``checkpoint_epochs(config.epochs)``.
    engine : ``"compiled"`` or ``"numpy"``; default ``$BACKPROP_ENGINE``, else
        compiled when numba loads (see ``compiled.engine``). Both give the same run.

    If the weights become non-finite, training stops: ``mse`` ends at the last
    finite epoch, ``params`` are the last finite weights and ``stopped`` says why.
    """
    X, y = dataset(config)
    if params is None:
        params = nn.init_params(config.hidden, config.init, config.seed)
    params = {k: np.array(params[k], dtype=float) for k in nn.PARAM_NAMES}
    E, n = config.epochs, X.shape[1]
    if checkpoints is None:
        checkpoints = checkpoint_epochs(E, checkpoint_budget(config.hidden, n))
    fit = compiled.train_one if compiled.engine(engine) == "compiled" else _train_numpy
    with np.errstate(all="ignore"):  # divergence is detected, not warned about
        sq, reached, ck_epochs, ck_params, final = fit(config, params, X, y, checkpoints,
                                                       progress, shuffle)
    stopped = None
    if reached < E:
        stopped = (f"Training stopped at epoch {reached}: the weights became "
                   f"non-finite (overflow). Try a smaller learning rate.")
        if not len(ck_epochs) or ck_epochs[-1] != reached:  # the last finite state, too
            ck_epochs = np.append(ck_epochs, reached)
            ck_params = {k: np.concatenate([ck_params[k], final[k][None]]) for k in final}
    elif progress is not None:
        progress(1.0)
    history = _history(ck_epochs, ck_params, X, y, config)
    return Run(config, sq / n, final, history, X, y, stopped)


def _train_numpy(config, params, X, y, checkpoints, progress=None, shuffle=None):
    """The NumPy reference: ``LOOPS[config.update]`` in chunks, replaying a chunk that overflows.

    Returns ``(sq, reached, ck_epochs, ck_params, final)`` as ``compiled.train_one`` does.
    """
    E = config.epochs
    wanted = set(np.asarray(checkpoints, dtype=int).tolist())
    stops = sorted(wanted | set(range(CHUNK, E, CHUNK)) | {E})
    loop = LOOPS[config.update](params, X, y, config, shuffle)
    sq = np.zeros(E)
    snaps, e = [], 0

    def record(epoch):
        if not snaps or snaps[-1][0] != epoch:
            snaps.append((epoch, loop.params()))

    for stop in (s for s in stops if 0 <= s <= E):
        if e in wanted:
            record(e)
        if stop == e:
            continue
        saved = copy.deepcopy(loop)  # weights and, in online mode, the shuffle stream
        loop.run(sq, e, stop)
        if not loop.finite():
            e, loop = _find_failure(saved, sq, e, stop)
            break
        e = stop
        if progress is not None and e < E:
            progress(e / E)
    if e in wanted:
        record(e)
    stacked = {k: np.stack([p[k] for _, p in snaps]) if snaps else np.zeros((0,))
               for k in nn.PARAM_NAMES}
    return sq[:e], e, np.array([s for s, _ in snaps], dtype=int), stacked, loop.params()


def _find_failure(loop, loss, start, stop):
    """Replay epochs start..stop one at a time from ``loop``; return the last finite state."""
    for e in range(start, stop):
        before = copy.deepcopy(loop)
        loop.run(loss, e, e + 1)
        if not loop.finite() or not np.isfinite(loss[e]):
            return e, before
    return stop, loop
