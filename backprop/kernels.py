"""Compiled training kernels: the same maths as ``nn`` and ``training``, one call per run.

numba compiles these (``nogil``: the GIL is released for the whole call, so other
sessions keep running; ``cache``: the machine code is kept on disk). They are
the fast path; the NumPy code in ``nn`` and ``training`` is the reference they
are tested against (to 1e-12) and the fallback when numba is missing.

The network is stored flat, so one kernel serves every depth:

- ``sizes`` (L + 2,) : units per layer, input first: ``[2, H, 1]`` for the tutorial;
- ``theta`` (P,) : for each layer l = 1 .. L+1, W_l (sizes[l], sizes[l-1]) row-major
  and then b_l (sizes[l],);
- optimizer state ``state`` (2, P) in the same layout (momentum: v in row 0;
  Adam: m and v), and ``steps`` (1,): updates so far (Adam's t).

Activation, loss and optimizer arrive as small integer ids: their position in
the registries ``nn.ACTIVATIONS``, ``nn.LOSSES`` and ``nn.OPTIMIZERS``.
Nothing here allocates per epoch; the workspaces are made once per call.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Ids: positions in the nn registries (compiled.py checks they still agree).
SIGMOID, TANH, RELU = 0, 1, 2
MSE, BCE = 0, 1
GD, MOMENTUM, ADAM = 0, 1, 2
# codes = [activation, loss, optimizer, online]; hyper = [lr, mu, beta1, beta2, eps]
ACTIVATION, LOSS, OPTIMIZER, ONLINE = 0, 1, 2, 3
LR, MU, BETA1, BETA2, EPS = 0, 1, 2, 3, 4

JIT = {"nogil": True, "cache": True}


@njit(**JIT)
def layout(sizes):
    """Offsets into theta: W_l starts at woff[l], b_l at boff[l]; layer l's units
    start at row uoff[l] of the (units, samples) workspaces."""
    layers = sizes.shape[0]
    woff = np.zeros(layers, np.int64)
    boff = np.zeros(layers, np.int64)
    uoff = np.zeros(layers + 1, np.int64)
    at = 0
    for layer in range(1, layers):
        woff[layer] = at
        at += sizes[layer] * sizes[layer - 1]
        boff[layer] = at
        at += sizes[layer]
    for layer in range(layers):
        uoff[layer + 1] = uoff[layer] + sizes[layer]
    return woff, boff, uoff


@njit(**JIT)
def activate(z, act):
    """f(z); the sigmoid as 1 / (1 + e^-z), as nn.sigmoid computes it (a third of tanh's
    cost; e^-z = inf gives the right 0)."""
    if act == SIGMOID:
        return 1.0 / (1.0 + math.exp(-z))
    if act == TANH:
        return math.tanh(z)
    if z > 0.0 or z != z:  # relu; NaN passes through, as np.maximum does
        return z
    return 0.0


@njit(**JIT)
def derivative(a, act):
    """f'(z) from the output a = f(z), as nn.DERIVATIVES does."""
    if act == SIGMOID:
        return (1.0 - a) * a
    if act == TANH:
        return 1.0 - a * a
    return 1.0 if a > 0.0 else 0.0


@njit(**JIT)
def forward(theta, sizes, woff, boff, uoff, act, A, m):
    """z_l = W_l a_{l-1} + b_l, a_l = f(z_l), for the first m columns of A.

    A (units, samples) holds the inputs in its first rows on entry; every layer's
    outputs are written below them. The output layer is a sigmoid.
    """
    last = sizes.shape[0] - 1
    for layer in range(1, last + 1):
        nin, nout, w, b = sizes[layer - 1], sizes[layer], woff[layer], boff[layer]
        f = SIGMOID if layer == last else act
        for j in range(nout):
            row, bias = uoff[layer] + j, theta[b + j]
            for c in range(m):
                z = 0.0
                for i in range(nin):
                    z += theta[w + j * nin + i] * A[uoff[layer - 1] + i, c]
                A[row, c] = z + bias
            if f == SIGMOID:
                for c in range(m):
                    A[row, c] = 1.0 / (1.0 + math.exp(-A[row, c]))
            elif f == TANH:
                for c in range(m):
                    A[row, c] = math.tanh(A[row, c])
            else:
                for c in range(m):
                    A[row, c] = activate(A[row, c], RELU)


@njit(**JIT)
def backward(theta, sizes, woff, boff, uoff, act, loss, A, D, t, m, g):
    """Every delta (into D, shaped like A) and the gradient summed over the m columns (into g).

    t (m,) holds the targets. Both deltas use the weights before any update.
    """
    last = sizes.shape[0] - 1
    out = uoff[last]
    for c in range(m):
        a = A[out, c]
        # Output error dL/dz: through the output sigmoid for ½SE; BCE's 1/(a(1-a)) cancels it.
        D[out, c] = (a - t[c]) * ((1.0 - a) * a) if loss == MSE else a - t[c]
    for layer in range(last, 0, -1):
        nin, nout, w, b = sizes[layer - 1], sizes[layer], woff[layer], boff[layer]
        for j in range(nout):
            # dz/dW is the layer's input, so each gradient is delta times input.
            total = 0.0
            for c in range(m):
                total += D[uoff[layer] + j, c]
            g[b + j] = total
            for i in range(nin):
                total = 0.0
                for c in range(m):
                    total += D[uoff[layer] + j, c] * A[uoff[layer - 1] + i, c]
                g[w + j * nin + i] = total
        if layer > 1:  # send delta back through W_l, then through f'(z_{l-1})
            for i in range(nin):
                for c in range(m):
                    total = 0.0
                    for j in range(nout):
                        total += theta[w + j * nin + i] * D[uoff[layer] + j, c]
                    below = uoff[layer - 1] + i
                    D[below, c] = total * derivative(A[below, c], act)


@njit(**JIT)
def shallow_pass(theta, hidden, act, loss, X, y, n, h, g):
    """``forward`` then ``backward`` for one hidden layer and the whole batch, sample by sample.

    The tutorial's network (and every row of the default sweep), with the layout
    hoisted: W1 (H, 2) at 0, b1 at 2H, W2 (1, H) at 3H, b2 at 4H. Each sum runs in the
    same order as in ``forward`` and ``backward``, so the result is theirs to the bit.
    h (H,) is a workspace; returns sum((a_out - y)^2) and leaves the gradient in g.
    """
    b1, w2, b2 = 2 * hidden, 3 * hidden, 4 * hidden
    for p in range(b2 + 1):
        g[p] = 0.0
    total = 0.0
    for c in range(n):
        x0, x1 = X[0, c], X[1, c]
        z = 0.0
        for j in range(hidden):
            a = activate(theta[2 * j] * x0 + theta[2 * j + 1] * x1 + theta[b1 + j], act)
            h[j] = a
            z += theta[w2 + j] * a
        out = 1.0 / (1.0 + math.exp(-(z + theta[b2])))
        err = out - y[c]
        total += err * err
        # Output error dL/dz: through the output sigmoid for ½SE; BCE's 1/(a(1-a)) cancels it.
        d = err * ((1.0 - out) * out) if loss == MSE else err
        g[b2] += d
        for j in range(hidden):
            # dz/dW is the layer's input; the hidden delta comes back through W2 and f'.
            g[w2 + j] += d * h[j]
            below = theta[w2 + j] * d * derivative(h[j], act)
            g[b1 + j] += below
            g[2 * j] += below * x0
            g[2 * j + 1] += below * x1
    return total


@njit(**JIT)
def step(theta, g, state, steps, opt, hyper):
    """One optimizer update of theta in place from the gradient g."""
    lr = hyper[LR]
    if opt == GD:  # W <- W - lr dL/dW
        for p in range(theta.shape[0]):
            theta[p] -= lr * g[p]
    elif opt == MOMENTUM:  # v <- mu v + g; W <- W - lr v
        mu = hyper[MU]
        for p in range(theta.shape[0]):
            state[0, p] = mu * state[0, p] + g[p]
            theta[p] -= lr * state[0, p]
    else:  # Adam (Kingma & Ba 2015, Algorithm 1)
        steps[0] += 1
        b1, b2, eps = hyper[BETA1], hyper[BETA2], hyper[EPS]
        fix1, fix2 = 1.0 - b1 ** steps[0], 1.0 - b2 ** steps[0]
        for p in range(theta.shape[0]):
            state[0, p] = b1 * state[0, p] + (1.0 - b1) * g[p]
            state[1, p] = b2 * state[1, p] + (1.0 - b2) * (g[p] * g[p])
            theta[p] -= lr * (state[0, p] / fix1) / (math.sqrt(state[1, p] / fix2) + eps)


@njit(**JIT)
def finite(x):
    for v in x:
        if not math.isfinite(v):
            return False
    return True


@njit(**JIT)
def copy(src, dst):
    """dst[:] = src for flat arrays (a plain loop compiles much faster than a slice)."""
    for p in range(src.shape[0]):
        dst[p] = src[p]


@njit(**JIT)
def train_one(theta, state, steps, sizes, X, y, codes, hyper, e0, e1, orders, watch,
              checkpoints, ck_next, ck_theta, sq, sq_every):
    """Train one network in place from epoch e0 to e1 (exclusive); return the epoch reached.

    X (inputs, n), y (n,). orders (e1 - e0, n): the online sample order of each epoch.
    sq[e // sq_every] = sum((a_out - y)^2) before epoch e's update, for every
    sq_every-th epoch e. At each epoch in ``checkpoints`` from index ck_next[0] on, theta
    is copied into ck_theta (before that epoch's update) and ck_next[0] advances.
    watch : stop at the first epoch whose update leaves theta (or whose sq is)
    non-finite, restoring theta from before it; the return value is then that epoch.
    state (2, P) is the optimizer's, flat in P like theta; steps (1,) counts updates.
    """
    woff, boff, uoff = layout(sizes)
    act, loss, opt, online = codes[ACTIVATION], codes[LOSS], codes[OPTIMIZER], codes[ONLINE]
    units, inputs, n, last = uoff[-1], sizes[0], X.shape[1], sizes.shape[0] - 1
    shallow = last == 2 and inputs == 2  # the tutorial's shape: shallow_pass, sample by sample
    fused = shallow and not online  # (faster for one layer; layer by layer is, deeper)
    A = np.empty((units, 0 if fused else n))  # the batch's outputs, layer by layer
    D = np.empty((units, n if not (fused or online) else 0))  # and its deltas
    a1, d1, t1 = np.empty((units, 1)), np.empty((units, 1)), np.empty(1)  # one sample
    g, before = np.empty(theta.shape[0]), np.empty(theta.shape[0])
    m_before, v_before, steps_before = np.empty(theta.shape[0]), np.empty(theta.shape[0]), 0
    for i in range(inputs):
        for c in range(A.shape[1]):
            A[i, c] = X[i, c]
    for e in range(e0, e1 + 1):
        k = ck_next[0]
        if k < checkpoints.shape[0] and checkpoints[k] == e:
            copy(theta, ck_theta[k])
            ck_next[0] = k + 1
        if e == e1:
            break
        if watch:  # keep the state before this epoch, to restore if it overflows
            copy(theta, before)
            copy(state[0], m_before)
            copy(state[1], v_before)
            steps_before = steps[0]
        if fused:
            total = shallow_pass(theta, sizes[1], act, loss, X, y, n, a1[:, 0], g)
        else:  # layer by layer over the batch: the loss before this epoch, and its gradient
            forward(theta, sizes, woff, boff, uoff, act, A, n)
            total = 0.0
            for c in range(n):
                err = A[uoff[last], c] - y[c]
                total += err * err
            if not online:
                backward(theta, sizes, woff, boff, uoff, act, loss, A, D, y, n, g)
        if e % sq_every == 0:
            sq[e // sq_every] = total
        if not online:
            step(theta, g, state, steps, opt, hyper)
        else:
            for r in range(n):
                sample = orders[e - e0, r]
                if shallow:
                    shallow_pass(theta, sizes[1], act, loss, X[:, sample:sample + 1],
                                 y[sample:sample + 1], 1, a1[:, 0], g)
                else:
                    for i in range(inputs):
                        a1[i, 0] = X[i, sample]
                    t1[0] = y[sample]
                    forward(theta, sizes, woff, boff, uoff, act, a1, 1)
                    backward(theta, sizes, woff, boff, uoff, act, loss, a1, d1, t1, 1, g)
                step(theta, g, state, steps, opt, hyper)
        if watch and not (finite(theta) and math.isfinite(total)):
            copy(before, theta)
            copy(m_before, state[0])
            copy(v_before, state[1])
            steps[0] = steps_before
            return e
    return e1


@njit(**JIT)
def train_block(thetas, states, steps, sizes, X, y, codes, hyper, lrs, e0, e1, orders,
                sq, sq_every):
    """``train_one`` for a block of networks (seeds), each from its own row.

    thetas (S, P), states (S, 2, P), steps (S, 1), lrs (S,), orders (S, e1 - e0, n)
    or (S, 0, n) in batch mode, sq (S, rows). Nothing is watched: as in the NumPy
    pass over many seeds, a diverging seed simply carries its NaNs to the end.
    """
    none, ck_next = np.zeros(0, np.int64), np.zeros(1, np.int64)
    ck_theta, mine = np.empty((0, thetas.shape[1])), np.empty(hyper.shape[0])
    copy(hyper, mine)
    watch = False
    for s in range(thetas.shape[0]):
        mine[LR] = lrs[s]
        train_one(thetas[s], states[s], steps[s], sizes, X, y, codes, mine, e0, e1, orders[s],
                  watch, none, ck_next, ck_theta, sq[s], sq_every)
