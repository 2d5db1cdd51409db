"""Training: one run with a replayable history, and many seeds in one pass.

``train`` follows the tutorial's loop exactly (forward, backward, update, once
per epoch on the whole batch) and records:

- ``mse``: mean((y - a2)^2) over the samples, before each update (the figure
  the tutorial prints), one value per epoch. This is what the curves show; the
  objective that training descends is the loss setting (½ squared error or BCE);
- ``history``: at a bounded set of checkpoint epochs, the parameters and every
  per-sample quantity of the backward pass, so a dashboard can replay the run
  without training again.

The epochs run on the compiled kernels (``compiled``, ``kernels``) or on the
NumPy reference (``loops``); either way only the checkpoint parameters come
back, and one stacked NumPy pass (``_history``) rebuilds every snapshot from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import compiled, nn
from .config import TrainConfig
from .datasets import CONTINUOUS, TABLE_ROWS, load
from .diagnosis import Verdict, diagnose
from .loops import train_numpy

NOISY_DATA_ACCURACY = 0.95  # noisy clouds overlap, so "solved" means 95% right
HISTORY_BYTES = 12_000_000  # bound on one run's recorded checkpoints
# What a snapshot keeps, per weight layer l: its parameters, forward and backward pass.
LAYER_KEYS = ("W", "b", "z", "a", "deriv", "delta", "dW", "db")


def step_keys(layers: int) -> tuple[str, ...]:
    """W1 ... db{layers}, plus ``out`` (the output a_{L+1}): the names in every snapshot."""
    return (*(f"{key}{i}" for i in range(1, layers + 1) for key in LAYER_KEYS), "out")


def required_accuracy(config: TrainConfig) -> float:
    """Fraction of samples that must be right to call a run solved: all, except on noisy data
    (the point clouds, and your own data beyond a truth table's four rows)."""
    if config.dataset in CONTINUOUS:
        return NOISY_DATA_ACCURACY
    if config.dataset == "custom" and len(dataset(config)[1][0]) > TABLE_ROWS:
        return NOISY_DATA_ACCURACY
    return 1.0


def dataset(config: TrainConfig):
    """``(X, y)`` for a config. Continuous data has a fixed data seed: seeds vary the init only.

    ``custom`` is the points in the ``data`` setting (XOR's table while it holds none).
    """
    return load(config.dataset, config.samples, config.noise, seed=0, data=config.data)


def checkpoint_budget(hidden, samples: int) -> int:
    """How many checkpoints fit in HISTORY_BYTES: 120 for the truth tables, fewer for big clouds.

    hidden : the hidden widths (or one width). Each unit keeps z, a, f' and delta per
    sample; each parameter its value and gradient.
    """
    sizes = (2, *nn.widths_of(hidden), 1)
    units = sum(sizes[1:])
    parameters = sum(sizes[i] * (sizes[i - 1] + 1) for i in range(1, len(sizes)))
    per_checkpoint = 8 * (4 * units * samples + 2 * parameters)
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
    optimizer_state: dict = field(default_factory=dict)  # to continue (momentum, Adam)

    @cached_property
    def predictions(self) -> np.ndarray:
        """a2 for every sample with the final params, shape (n,); computed once."""
        return nn.forward(self.params, self.X, self.config.activation)["out"][0]

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
    return History(np.asarray(epochs, dtype=int),
                   {k: steps[k] for k in step_keys(nn.layers_of(params))})


def train(config: TrainConfig = TrainConfig(), params: dict | None = None,
          progress=None, checkpoints=None, shuffle=None, engine: str | None = None,
          optimizer_state: dict | None = None) -> Run:
    """Train one network; the tutorial's algorithm when ``config`` is the default.

    params : start here instead of a fresh init (e.g. from a run file).
    shuffle : online mode's ``np.random.Generator`` for the sample order; pass the
        same one to each call when training in chunks, so the order continues.
    progress : optional ``callback(fraction_done)``, called every CHUNK epochs.
    checkpoints : epochs to snapshot; default ``checkpoint_epochs(config.epochs)``.
    engine : ``"compiled"`` or ``"numpy"``; default ``$BACKPROP_ENGINE``, else
        compiled when numba loads (see ``compiled.engine``). Both give the same run.
    optimizer_state : continue momentum's velocity or Adam's moments from an earlier
        run's ``Run.optimizer_state`` (training in chunks); default: a fresh start.

    If the weights become non-finite, training stops: ``mse`` ends at the last
    finite epoch, ``params`` are the last finite weights and ``stopped`` says why.
    """
    X, y = dataset(config)
    if params is None:
        params = nn.init_params(config.hidden, config.init, config.seed)
    params = {k: np.array(params[k], dtype=float)
              for k in nn.param_names(len(nn.widths_of(config.hidden)) + 1)}
    E, n = config.epochs, X.shape[1]
    if checkpoints is None:
        checkpoints = checkpoint_epochs(E, checkpoint_budget(config.hidden, n))
    fit = compiled.train_one if compiled.engine(engine, config) == "compiled" else train_numpy
    with np.errstate(all="ignore"):  # divergence is detected, not warned about
        sq, reached, ck_epochs, ck_params, final, state = fit(
            config, params, X, y, checkpoints, progress, shuffle, optimizer_state or {})
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
    return Run(config, sq / n, final, history, X, y, stopped, state)
