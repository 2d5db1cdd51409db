"""Many seeds at once: ``train_many`` runs the tutorial's maths for every seed.

The compiled engine trains the seeds in blocks, one GIL-free call per block.
The NumPy reference runs them in one vectorised pass: for the tutorial's one
hidden layer the seed axis is last and contiguous, so each NumPy call works on one
block of S numbers per weight, and the Python loop runs once per epoch, not once
per epoch per seed. Deeper networks stack the seeds first and use ``nn``'s own
forward and backward pass, which take stacked parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import compiled, nn
from .config import TrainConfig
from .diagnosis import diagnose_many
from .loops import CHUNK
from .training import dataset, required_accuracy

MAX_SEEDS = 2000
MAX_MANY_CELLS = 8_000_000  # hidden x samples x seeds, bounds train_many's memory
# epochs x hidden x samples x seeds, bounds its time to about a minute on one core
# (measured: 24 ns per unit of work at 16 units x 2,000 seeds). The tutorial's
# network at 100,000 epochs and 2,000 seeds fits.
MAX_MANY_WORK = 3_000_000_000


@dataclass
class ManyRuns:
    """The result of ``train_many``. Seeds are the leading axis of every result.

    mse : (epochs, S) mean squared error before each update, per seed
           (every ``loss_every``-th epoch when that is > 1).
    params : W1 (S, H, 2), b1 (S, H, 1), W2 (S, 1, H), b2 (S, 1, 1); at any depth,
        W_l (S, n_l, n_{l-1}) and b_l (S, n_l, 1).
    predictions : (S, n) final outputs. solved : (S,) bool.
    plateau : (S,) the named plateau's MSE for stuck seeds, NaN otherwise.
    """

    config: TrainConfig
    seeds: np.ndarray
    mse: np.ndarray
    params: dict
    predictions: np.ndarray
    solved: np.ndarray
    plateau: np.ndarray
    mse_epochs: np.ndarray

    @property
    def final_mse(self) -> np.ndarray:
        return self.mse[-1] if len(self.mse) else np.full(len(self.seeds), np.nan)


def _many_forward(W1, b1, W2, b2, Xs, act):
    """Seed-last forward pass. Xs (2, n, 1|S); W1 (H, 2, S) ... -> a1 (H, n, S), a2 (n, S)."""
    z1 = b1[:, None, :] + W1[:, 0, None, :] * Xs[0]
    for i in range(1, Xs.shape[0]):
        z1 += W1[:, i, None, :] * Xs[i]
    a1 = act(z1, out=z1)
    a2 = nn.sigmoid_raw(np.einsum("hs,hns->ns", W2, a1) + b2)
    return a1, a2


def _many_step(P, Xs, ys, config, lr, state):
    """One update for every seed at once (in place); returns sum((a2 - y)^2) (S,) and the
    optimizer's new state."""
    W1, b1, W2, b2 = P
    a1, a2 = _many_forward(W1, b1, W2, b2, Xs, nn.RAW_ACTIVATIONS[config.activation])
    err = a2 - ys
    sq = np.einsum("ns,ns->s", err, err) if err.shape[1] > 1 else (err * err).sum(axis=0)
    delta2 = nn.LOSSES[config.loss].delta(a2, ys)
    gd = config.optimizer == "gd"
    if gd:
        delta2 *= lr  # the learning rate (scalar or one per seed) flows into every gradient
    delta1 = W2[:, None, :] * delta2 * nn.DERIVATIVES[config.activation](a1)
    grads = {"dW2": np.einsum("ns,hns->hs", delta2, a1), "db2": delta2.sum(axis=0),
             "dW1": np.stack([(delta1 * Xs[i]).sum(axis=1) for i in range(Xs.shape[0])], 1),
             "db1": delta1.sum(axis=1)}
    if gd:
        W2 -= grads["dW2"]
        b2 -= grads["db2"]
        W1 -= grads["dW1"]
        b1 -= grads["db1"]
        return sq, state
    # Optimizers act entry by entry, so the seed-last layout (and lr per seed) just works.
    params = dict(zip(nn.PARAM_NAMES, P, strict=True))
    new, state = nn.OPTIMIZERS[config.optimizer](params, grads, state, lr, config.momentum)
    for old, name in zip(P, nn.PARAM_NAMES, strict=True):
        old[...] = new[name]
    return sq, state


def train_many(config: TrainConfig, seeds, progress=None, loss_every: int = 1,
               lrs=None, engine: str | None = None) -> ManyRuns:
    """Train one network per seed, every seed from its own initial weights.

    Each seed's result equals ``train(config.replace(seed=s))`` (up to rounding),
    except that a seed whose weights overflow is not stopped: it ends in NaN.
    progress : optional ``callback(fraction_done)``, called between blocks of work
        (a caller can cancel there by raising).
    loss_every : keep the loss of every k-th epoch only, to bound memory.
    lrs : optional learning rate per seed (S,), overriding ``config.lr``; lets a
        sweep train every learning rate in the same pass.
    engine : ``"compiled"`` or ``"numpy"``, as for ``train``.
    """
    seeds = np.asarray(list(seeds), dtype=np.int64)
    lr = config.lr if lrs is None else np.asarray(lrs, dtype=float)
    if np.ndim(lr) and (lr.shape != seeds.shape or not np.all((lr > 0) & (lr <= 1000))):
        raise ValueError(f"lrs must hold one learning rate in (0, 1000] per seed ({len(seeds)})")
    X, y = dataset(config)
    widths, n, S = nn.widths_of(config.hidden), X.shape[1], len(seeds)
    H = sum(widths)  # hidden units in all layers: what memory and time grow with
    if not 1 <= S <= MAX_SEEDS:
        raise ValueError(f"seeds must number between 1 and {MAX_SEEDS}, got {S}")
    if H * n * S > MAX_MANY_CELLS:
        raise ValueError(f"hidden units x samples x seeds must be <= {MAX_MANY_CELLS:,}, "
                         f"got {H} x {n} x {S}; use fewer seeds or samples")
    work = config.epochs * H * n * S
    if work > MAX_MANY_WORK:
        raise ValueError(f"epochs x hidden units x samples x seeds must be <= "
                         f"{MAX_MANY_WORK:,}, got {config.epochs} x {H} x {n} x {S} = {work:,}; "
                         "use fewer")
    if loss_every < 1:
        raise ValueError(f"loss_every must be >= 1, got {loss_every}")
    inits = [nn.init_params(widths, config.init, int(s)) for s in seeds]
    names = nn.param_names(len(widths) + 1)
    start = {k: np.stack([p[k] for p in inits]) for k in names}  # W1 (S, H, 2) ...
    compiled_path = compiled.engine(engine, config) == "compiled"
    fit = (compiled.train_many if compiled_path else
           _train_many_numpy if len(widths) == 1 else _train_many_stacked)
    with np.errstate(all="ignore"):
        params, loss = fit(config, start, lr, seeds, X, y, loss_every, progress)
        a2 = _predict(params, X, config.activation)  # (S, n)
    if progress is not None:
        progress(1.0)
    final = ((a2 - y) ** 2).mean(axis=1)
    solved, plateau = diagnose_many(final, a2.T, y[0], required_accuracy(config))
    return ManyRuns(config, seeds, loss, params, a2, solved, plateau,
                    np.arange(0, config.epochs, loss_every))


def _predict(params, X, activation, cells=1_000_000) -> np.ndarray:
    """The output (S, n) for stacked params, a few seeds at a time to bound memory."""
    S, n = params["W1"].shape[0], X.shape[1]
    H = max(params[f"W{i}"].shape[1] for i in range(1, nn.layers_of(params) + 1))
    step = max(1, cells // (H * n))
    return np.concatenate([
        nn.forward({k: v[s:s + step] for k, v in params.items()}, X, activation)["out"][:, 0]
        for s in range(0, S, step)])


def _train_many_stacked(config, start, lr, seeds, X, y, loss_every, progress=None):
    """The NumPy reference at any depth: every seed at once, stacked on the first axis.

    ``nn.forward`` and ``nn.backward`` take stacked parameters (W_l (S, n_l, n_{l-1})),
    so this is the tutorial's epoch written once for all seeds. Returns what
    ``_train_many_numpy`` does.
    """
    n, S, E = X.shape[1], len(seeds), config.epochs
    params = {k: v.copy() for k, v in start.items()}
    step, act, loss_name = nn.OPTIMIZERS[config.optimizer], config.activation, config.loss
    rate = np.reshape(lr, (-1, 1, 1)) if np.ndim(lr) else lr  # one per seed broadcasts
    loss = np.empty((len(range(0, E, loss_every)), S))
    rngs = None if config.update == "batch" else [np.random.default_rng(int(s)) for s in seeds]
    state = {}
    for e in range(E):
        cache = nn.forward(params, X, act)
        sq = ((cache["out"][:, 0] - y[0]) ** 2).sum(axis=1)  # (S,)
        if rngs is None:
            grads = nn.backward(params, X, y, cache, act, loss_name)
            params, state = step(params, grads, state, rate, config.momentum)
        else:
            order = np.stack([r.permutation(n) for r in rngs])  # (S, n)
            for i in range(n):
                x = np.moveaxis(X[:, order[:, i]], 1, 0)[:, :, None]  # (S, 2, 1)
                t = y[0][order[:, i]][:, None, None]  # (S, 1, 1)
                grads = nn.backward(params, x, t, nn.forward(params, x, act), act, loss_name)
                params, state = step(params, grads, state, rate, config.momentum)
        if e % loss_every == 0:
            loss[e // loss_every] = sq / n
        if progress is not None and (e + 1) % CHUNK == 0 and e + 1 < E:
            progress((e + 1) / E)
    return params, loss


def _train_many_numpy(config, start, lr, seeds, X, y, loss_every, progress=None):
    """The NumPy reference: every seed in one vectorised pass, seed axis last.

    start : W1 (S, H, 2), ... Returns the final params stacked the same way and the
    loss (rows, S), row r being epoch r * loss_every.
    """
    n, S, E = X.shape[1], len(seeds), config.epochs
    # Seed axis last and contiguous: W1 (H, 2, S), b1 (H, S), W2 (H, S), b2 (S,).
    P = (np.ascontiguousarray(np.moveaxis(start["W1"], 0, -1)),
         np.ascontiguousarray(start["b1"][:, :, 0].T),
         np.ascontiguousarray(start["W2"][:, 0, :].T),
         np.ascontiguousarray(start["b2"][:, 0, 0]))
    loss = np.empty((len(range(0, E, loss_every)), S))
    batch = config.update == "batch"
    Xb, yb = X[:, :, None], y[0][:, None]
    rngs = None if batch else [np.random.default_rng(int(s)) for s in seeds]
    state = {}
    for e in range(E):
        if batch:
            sq, state = _many_step(P, Xb, yb, config, lr, state)
        else:
            a2 = _many_forward(*P, Xb, nn.RAW_ACTIVATIONS[config.activation])[1]
            sq = ((a2 - yb) ** 2).sum(axis=0)
            order = np.stack([r.permutation(n) for r in rngs], axis=-1)  # (n, S)
            for idx in order:
                _, state = _many_step(P, X[:, idx][:, None, :], y[0][idx][None, :], config,
                                      lr, state)
        if e % loss_every == 0:
            loss[e // loss_every] = sq / n
        if progress is not None and (e + 1) % CHUNK == 0 and e + 1 < E:
            progress((e + 1) / E)
    W1, b1, W2, b2 = P
    params = {"W1": np.moveaxis(W1, -1, 0).copy(), "b1": b1.T[:, :, None].copy(),
              "W2": W2.T[:, None, :].copy(), "b2": b2[:, None, None].copy()}
    return params, loss
