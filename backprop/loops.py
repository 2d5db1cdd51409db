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
    """The tutorial's batch epoch with preallocated buffers and few NumPy calls.

    Biases are folded into the weights (a column of ones is appended to the
    layer input), so each layer is one ``dot``. For plain gradient descent the
    learning rate is applied to delta2 once, and flows linearly into delta1 and
    both gradients; other optimizers get the gradients and keep their state.
    """

    def __init__(self, params, X, y, config, shuffle=None, state=None):
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
        self.optimizer, self.mu = config.optimizer, config.momentum
        self.state = {key: value if key == "t" else self._fold(value)
                      for key, value in (state or {}).items()}

    @staticmethod
    def _fold(p: dict) -> dict:
        return {"W1b": np.hstack([p["W1"], p["b1"]]), "W2b": np.hstack([p["W2"], p["b2"]])}

    def _unfold(self, W1b, W2b) -> dict:
        H = self.H
        return {"W1": W1b[:, :2].copy(), "b1": W1b[:, 2:].copy(),
                "W2": W2b[:, :H].copy(), "b2": W2b[:, H:].copy()}

    def params(self) -> dict:
        return self._unfold(self.W1b, self.W2b)

    def optimizer_state(self) -> dict:
        return {key: value if key == "t" else self._unfold(value["W1b"], value["W2b"])
                for key, value in self.state.items()}

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
        gd = self.optimizer == "gd"
        fold = lr if gd else 1.0
        for e in range(start, stop):
            np.dot(W1b, Xa, out=z1)
            act(z1, out=a1)
            np.dot(W2b, a1a, out=z2)
            nn.sigmoid(z2, out=a2)
            np.subtract(a2, y, out=err)
            loss_out[e] = np.dot(err0, err0)
            np.multiply(self.delta(a2, y), fold, out=d2s)  # (lr *) dL/dz2, from the loss
            # (lr *) delta1 = (W2^T (lr) delta2) * f'(z1)
            np.dot(W2T, d2s, out=d1)
            d1 *= act_prime(a1, out=p1)
            np.dot(d2s, a1aT, out=g2)
            np.dot(d1, XaT, out=g1)
            if gd:
                W2b -= g2
                W1b -= g1
                continue
            new, self.state = nn.OPTIMIZERS[self.optimizer](
                {"W1b": W1b, "W2b": W2b}, {"dW1b": g1, "dW2b": g2}, self.state, lr, self.mu)
            W1b[...], W2b[...] = new["W1b"], new["W2b"]


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
            loss_out[e] = np.sum((nn.forward(self.p, X, c.activation)["a2"] - y) ** 2)
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
               for k in nn.PARAM_NAMES}
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
