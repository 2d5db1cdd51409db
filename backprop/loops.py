"""The NumPy reference engine: the training loops that ``train`` runs when not compiled.

``_BatchLoop`` is the tutorial's batch epoch with preallocated buffers;
``_OnlineLoop`` does a whole forward/backward/update per sample with ``nn``'s
own functions. ``train_numpy`` runs either in chunks and, if the weights
overflow, replays the chunk epoch by epoch to stop at the last finite state.
"""

from __future__ import annotations

import copy

import numpy as np

from . import nn

CHUNK = 500  # epochs between finiteness checks and progress reports


class _BatchLoop:
    """The tutorial's batch epoch with preallocated buffers and few NumPy calls, at any depth.

    Biases are folded into the weights (a row of ones is appended to each layer's
    input), so each layer is one ``dot``: ``Wb[l - 1]`` is [W_l b_l], (n_l, n_{l-1} + 1).
    For plain gradient descent the learning rate is applied to the output delta once,
    and flows linearly into every lower delta and gradient; other optimizers get the
    gradients and keep their state.
    """

    def __init__(self, params, X, y, config, shuffle=None, state=None):
        n = X.shape[1]
        self.layers = nn.layers_of(params)
        self.Wb = [np.hstack([params[f"W{i}"], params[f"b{i}"]])
                   for i in range(1, self.layers + 1)]
        # a_0 = X, then each hidden layer's outputs, each with the bias row of ones below.
        self.inputs = [np.vstack([X, np.ones((1, n))])] + [
            np.ones((W.shape[0] + 1, n)) for W in self.Wb[:-1]]
        self.y = y
        self.lr = config.lr
        self.act = nn.RAW_ACTIVATIONS[config.activation]  # train() silences overflow
        self.act_prime = nn.DERIVATIVES[config.activation]
        self.delta = nn.LOSSES[config.loss].delta
        self.optimizer, self.mu = config.optimizer, config.momentum
        self.state = {key: value if key == "t" else self._fold(value)
                      for key, value in (state or {}).items()}

    def _fold(self, p: dict) -> dict:
        return {f"Wb{i}": np.hstack([p[f"W{i}"], p[f"b{i}"]])
                for i in range(1, self.layers + 1)}

    def _unfold(self, Wb) -> dict:
        params = {}
        for i, W in enumerate(Wb, start=1):
            params[f"W{i}"], params[f"b{i}"] = W[:, :-1].copy(), W[:, -1:].copy()
        return params

    def params(self) -> dict:
        return self._unfold(self.Wb)

    def optimizer_state(self) -> dict:
        return {key: value if key == "t" else
                self._unfold([value[f"Wb{i}"] for i in range(1, self.layers + 1)])
                for key, value in self.state.items()}

    def finite(self) -> bool:
        return all(np.isfinite(W).all() for W in self.Wb)

    def run(self, loss_out, start, stop):
        """Epochs start..stop-1; writes sum((a_out - y)^2) into loss_out[e]."""
        Wb, ins, y, lr, act, act_prime = (
            self.Wb, self.inputs, self.y, self.lr, self.act, self.act_prime)
        L, n = self.layers, y.shape[1]
        # Views: each hidden layer's outputs (the rows above its bias row), inputs^T, W^T.
        outs = [a[:-1] for a in ins[1:]]
        insT = [a.T.copy() if i == 0 else a.T for i, a in enumerate(ins)]
        WT = [W[:, :-1].T for W in Wb]
        z = [np.empty((W.shape[0], n)) for W in Wb]
        d = [np.empty((W.shape[0], n)) for W in Wb]
        p = [np.empty((W.shape[0], n)) for W in Wb[:-1]]
        g = [np.empty_like(W) for W in Wb]
        a_out, err = np.empty((1, n)), np.empty((1, n))
        err0, W_out, in_out, z_out, d_out = err[0], Wb[-1], ins[-1], z[-1], d[-1]
        # Each pass's operands, bound once, so an epoch is only the NumPy calls.
        up = list(zip(Wb[:-1], ins[:-1], z[:-1], outs, strict=True))
        down = [(WT[i + 1], d[i + 1], d[i], outs[i], p[i]) for i in range(L - 2, -1, -1)]
        grads = list(zip(d, insT, g, strict=True))
        steps = list(zip(Wb, g, strict=True))
        gd = self.optimizer == "gd"
        fold = lr if gd else 1.0
        for e in range(start, stop):
            for W, a, zl, out in up:
                np.dot(W, a, out=zl)
                act(zl, out=out)
            np.dot(W_out, in_out, out=z_out)
            nn.sigmoid_raw(z_out, out=a_out)
            np.subtract(a_out, y, out=err)
            loss_out[e] = np.dot(err0, err0)
            np.multiply(self.delta(a_out, y), fold, out=d_out)  # (lr *) dL/dz_out, the loss's
            # (lr *) delta_l = (W_{l+1}^T (lr) delta_{l+1}) * f'(z_l), from the top down
            for WTl, above, dl, out, pl in down:
                np.dot(WTl, above, out=dl)
                dl *= act_prime(out, out=pl)
            for dl, aT, gl in grads:
                np.dot(dl, aT, out=gl)
            if gd:
                for W, gl in steps:
                    W -= gl
                continue
            names = [f"Wb{i}" for i in range(1, L + 1)]
            new, self.state = nn.OPTIMIZERS[self.optimizer](
                dict(zip(names, Wb, strict=True)),
                {"d" + name: grad for name, grad in zip(names, g, strict=True)},
                self.state, lr, self.mu)
            for W, name in zip(Wb, names, strict=True):
                W[...] = new[name]


class _OnlineLoop:
    """Online updates: a full forward/backward/update per sample, in a shuffled order.

    The order of each epoch is drawn from ``default_rng(seed)``, a stream of its
    own, so the initial weights are the same as in batch mode. A caller training
    in chunks passes its own generator as ``shuffle`` to continue that stream.
    """

    def __init__(self, params, X, y, config, shuffle=None, state=None):
        self.p, self.X, self.y, self.config = params, X, y, config
        self.rng = np.random.default_rng(config.seed) if shuffle is None else shuffle
        self.step = nn.OPTIMIZERS[config.optimizer]
        self.mu, self.state = config.momentum, dict(state or {})

    def params(self) -> dict:
        return {k: v.copy() for k, v in self.p.items()}

    def optimizer_state(self) -> dict:
        return copy.deepcopy(self.state)

    def finite(self) -> bool:
        return all(np.isfinite(v).all() for v in self.p.values())

    def run(self, loss_out, start, stop):
        X, y, c = self.X, self.y, self.config
        for e in range(start, stop):
            loss_out[e] = np.sum((nn.forward(self.p, X, c.activation)["out"] - y) ** 2)
            for i in self.rng.permutation(X.shape[1]):
                x, t = X[:, i:i + 1], y[:, i:i + 1]
                grads = nn.backward(self.p, x, t, nn.forward(self.p, x, c.activation),
                                    c.activation, c.loss)
                self.p, self.state = self.step(self.p, grads, self.state, c.lr, self.mu)


LOOPS = {"batch": _BatchLoop, "online": _OnlineLoop}


def train_numpy(config, params, X, y, checkpoints, progress=None, shuffle=None, state=None):
    """The NumPy reference: ``LOOPS[config.update]`` in chunks, replaying a chunk that overflows.

    Returns ``(sq, reached, ck_epochs, ck_params, final, optimizer state)`` as
    ``compiled.train_one`` does.
    """
    E = config.epochs
    wanted = set(np.asarray(checkpoints, dtype=int).tolist())
    stops = sorted(wanted | set(range(CHUNK, E, CHUNK)) | {E})
    loop = LOOPS[config.update](params, X, y, config, shuffle, state)
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
               for k in nn.param_names(nn.layers_of(params))}
    return (sq[:e], e, np.array([s for s, _ in snaps], dtype=int), stacked, loop.params(),
            loop.optimizer_state())


def _find_failure(loop, loss, start, stop):
    """Replay epochs start..stop one at a time from ``loop``; return the last finite state."""
    for e in range(start, stop):
        before = copy.deepcopy(loop)
        loop.run(loss, e, e + 1)
        if not loop.finite() or not np.isfinite(loss[e]):
            return e, before
    return stop, loop
