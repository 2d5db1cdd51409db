"""Live training: one network trained a chunk of epochs at a time, settings changeable between.

The app's Live tab holds one ``Live`` per session and calls ``step`` on every
tick. Between chunks the learner may change any setting: those whose ``FIELDS``
entry says ``live="keep"`` (learning rate, loss, epochs, update) act on the next
chunk with the weights kept; any other change (a new dataset, width,
activation, init or seed) means a different network, so ``needs_reset`` says
start over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import nn
from .config import FIELDS, TrainConfig
from .diagnosis import correct
from .training import dataset, train

CHUNK = 200  # epochs per tick of Play, and per "Step" click


def reset_key(config: TrainConfig) -> tuple:
    """The settings that define *which* network trains: those with ``live == "reset"``."""
    return tuple(getattr(config, name) for name, f in FIELDS.items() if f.live == "reset")


@dataclass
class Live:
    """One live run: the current weights, the MSE of every epoch so far, and why it stopped.

    params : W1 (n1, 2), b1 (n1, 1), ..., W{L+1} (1, nL), b{L+1} (1, 1) (``nn.init_params``).
    mse : (epochs done,) MSE before each update.
    shuffle : online mode's sample order, continued across chunks.
    optimizer_state : momentum's velocity or Adam's moments, continued across chunks;
        ``optimizer_of`` says which optimizer (and μ) it belongs to, so a change starts it over.
    playing : whether Play is on (the app's timer reads it).
    """

    key: tuple
    params: dict
    mse: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shuffle: np.random.Generator | None = None
    optimizer_state: dict = field(default_factory=dict)
    optimizer_of: tuple = ()
    playing: bool = False
    stopped: str | None = None

    @property
    def epochs(self) -> int:
        return len(self.mse)


def start(config: TrainConfig) -> Live:
    """A fresh live run at epoch 0, from the config's seeded initial weights."""
    return Live(key=reset_key(config),
                params=nn.init_params(config.hidden, config.init, config.seed),
                shuffle=np.random.default_rng(config.seed))


def needs_reset(live: Live | None, config: TrainConfig) -> bool:
    """True when there is no live run yet, or ``config`` describes a different network."""
    return live is None or live.key != reset_key(config)


def room(live: Live, config: TrainConfig) -> int:
    """Epochs left before the Epochs setting is reached (0 when it is)."""
    return max(config.epochs - live.epochs, 0)


def step(live: Live, config: TrainConfig, epochs: int = CHUNK) -> Live:
    """Train up to ``epochs`` more epochs (never past ``config.epochs``) with the current
    settings, continuing from the live weights. Updates ``live`` in place and returns it.

    A run whose weights turn non-finite stops: ``live.stopped`` says why and Play turns off.
    """
    epochs = min(int(epochs), room(live, config))
    if epochs <= 0 or live.stopped:
        live.playing = False
        return live
    optimizer = (config.optimizer, config.momentum)
    state = live.optimizer_state if live.optimizer_of == optimizer else {}
    run = train(config.replace(epochs=epochs), params=live.params, checkpoints=[epochs],
                shuffle=live.shuffle, optimizer_state=state)
    live.params, live.mse = run.params, np.concatenate([live.mse, run.mse])
    live.optimizer_state, live.optimizer_of = run.optimizer_state, optimizer
    if run.stopped:
        live.playing, live.stopped = False, run.stopped
    if room(live, config) == 0:
        live.playing = False
    return live


@dataclass(frozen=True)
class Score:
    """How the current weights do on the data: ``predictions`` (n,), ``right`` and ``mse``."""

    predictions: np.ndarray
    right: int
    mse: float

    @property
    def samples(self) -> int:
        return len(self.predictions)


def score(params: dict, X, y, activation: str = "sigmoid") -> Score:
    """Forward pass over the samples X (2, n) with targets y (1, n), at any depth; count the
    right answers."""
    predictions = nn.forward(params, X, activation)["out"][0]
    return Score(predictions, int(correct(predictions, y[0]).sum()),
                 nn.mean_squared_error(predictions, y[0]))


def live_score(live: Live, config: TrainConfig) -> Score:
    """``score`` of the live weights on the config's dataset."""
    X, y = dataset(config)
    return score(live.params, X, y, config.activation)


def plane_grid(params: dict, points, shape: tuple[int, int], activation: str) -> dict:
    """What the live view draws over the input plane, at any depth.

    points : (2, ny * nx) grid points (``Plane.points``); shape : (ny, nx).
    Returns ``out`` (ny, nx), the network's output, and ``deriv1`` (n1, ny, nx), the first
    hidden layer's f′(z⁽¹⁾) (from a⁽¹⁾): the layer the vanishing gradient reaches last.
    """
    cache = nn.forward(params, points, activation)
    ny, nx = shape
    return {"out": cache["out"].reshape(ny, nx),
            "deriv1": nn.DERIVATIVES[activation](cache["a1"]).reshape(-1, ny, nx)}
