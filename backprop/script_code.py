"""The source text of the standalone script (``export.standalone_script`` fills it in).

Two programs: the tutorial's own, for the 2-2-1 network with plain gradient descent
(W1, b1, W2, b2 by name), and the same program written over a list of layers for any
other depth or optimizer. The small registries say how each activation, loss and
optimizer is written in NumPy.
"""

from __future__ import annotations

# How each hidden activation and its derivative (from the output a) are written.
ACTIVATION_CODE = {
    "sigmoid": ("0.5 * (1.0 + np.tanh(0.5 * z))", "a * (1.0 - a)"),
    "tanh": ("np.tanh(z)", "1.0 - a * a"),
    "relu": ("np.maximum(z, 0.0)", "(a > 0.0).astype(float)"),
}
# delta2 = dL/dz2 for each loss, from a2 and y.
DELTA_CODE = {
    "mse": "(a2 - y) * a2 * (1.0 - a2)  # (a2 - y) * sigma'(z2)",
    "bce": "a2 - y  # cross-entropy: sigma'(z2) cancels",
}


# delta at the output = dL/dz for each loss, from the output a[-1] and y.
DELTA_OUT_CODE = {
    "mse": "(a[-1] - y) * a[-1] * (1.0 - a[-1])  # (out - y) * sigma'(z_out)",
    "bce": "a[-1] - y  # cross-entropy: sigma'(z_out) cancels",
}
# How each optimizer turns the gradients into new parameters: nn.OPTIMIZERS, written out
# in the same arithmetic order (so the log agrees to the last printed digit).
OPTIMIZER_CODE = {
    "gd": '''
def update(theta, grads, state):
    """Gradient descent, as in the tutorial: p <- p - lr g."""
    return [p - lr * g for p, g in zip(theta, grads)], state
''',
    "momentum": '''
mu = {mu}


def update(theta, grads, state):
    """Momentum: v <- mu v + g, then p <- p - lr v (v starts at 0)."""
    if state:
        v = [mu * v_old + g for v_old, g in zip(state["v"], grads)]
    else:
        v = [g + 0.0 for g in grads]
    return [p - lr * v_p for p, v_p in zip(theta, v)], {"v": v}
''',
    "adam": '''
beta1, beta2, eps = 0.9, 0.999, 1e-8  # Kingma & Ba (2015), Algorithm 1


def update(theta, grads, state):
    """Adam: moments m and v, bias-corrected; p <- p - lr m_hat / (sqrt(v_hat) + eps)."""
    t = state.get("t", 0) + 1
    if state:
        m = [beta1 * m_old + (1 - beta1) * g for m_old, g in zip(state["m"], grads)]
        v = [beta2 * v_old + (1 - beta2) * (g * g) for v_old, g in zip(state["v"], grads)]
    else:
        m = [(1 - beta1) * g for g in grads]
        v = [(1 - beta2) * (g * g) for g in grads]
    fix1, fix2 = 1 - beta1**t, 1 - beta2**t
    new = [p - lr * (m_p / fix1) / (np.sqrt(v_p / fix2) + eps)
           for p, m_p, v_p in zip(theta, m, v)]
    return new, {"m": m, "v": v, "t": t}
''',
}


TUTORIAL_BATCH = '''
        # one update per epoch, from the gradient summed over all samples
        W1, b1, W2, b2 = step(W1, b1, W2, b2, X, y)
'''

TUTORIAL_ONLINE = '''
        # one update per sample, in a shuffled order drawn from the run's seed
        for i in order.permutation(X.shape[1]):
            W1, b1, W2, b2 = step(W1, b1, W2, b2, X[:, i:i + 1], y[:, i:i + 1])
'''

# What both programs share: the activation, its derivative, the sigmoid and the data.
PRELUDE = '''

def activation(z):
    """The hidden {whose} activation."""
    return {act}


def activation_derivative(a):
    """Its derivative, computed from the output a = activation(z)."""
    return {act_prime}


def sigmoid(z):
    """1 / (1 + e^-z), written with tanh so that it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# The data: one column per sample.
X = {X}
y = {y}
'''

TUTORIAL = '''"""A Backprop Lab run as a standalone NumPy script.

Settings: {settings}
The same run as: {command}
It prints the same "Epoch N, Loss: X" lines (X is the mean squared error before
that epoch's update, as the tutorial prints it).
"""

import numpy as np
''' + PRELUDE.replace("{whose}", "layer's") + '''
# The initial weights of this run.
W1 = {W1}
b1 = {b1}
W2 = {W2}
b2 = {b2}

lr = {lr}
epochs = {epochs}
log_every = {every}
order = np.random.default_rng({seed})  # the sample order, in online mode


def forward(W1, b1, W2, b2, X):
    z1 = W1 @ X + b1
    a1 = activation(z1)
    z2 = W2 @ a1 + b2
    a2 = sigmoid(z2)
    return a1, a2


def step(W1, b1, W2, b2, X, y):
    """One gradient-descent step on the samples X (columns); returns the new weights."""
    a1, a2 = forward(W1, b1, W2, b2, X)
    delta2 = {delta2}
    # send delta2 back through W2, then through the hidden activation's slope
    delta1 = (W2.T @ delta2) * activation_derivative(a1)
    return (W1 - lr * delta1 @ X.T, b1 - lr * delta1.sum(axis=1, keepdims=True),
            W2 - lr * delta2 @ a1.T, b2 - lr * delta2.sum(axis=1, keepdims=True))


def finite(*arrays):
    return all(np.isfinite(a).all() for a in arrays)


with np.errstate(all="ignore"):
    for epoch in range(epochs):
        before = (W1, b1, W2, b2)
        loss = float(np.mean((y - forward(W1, b1, W2, b2, X)[1]) ** 2))
{update}
        if not (np.isfinite(loss) and finite(W1, b1, W2, b2)):
            W1, b1, W2, b2 = before
            print(f"Training stopped at epoch {{epoch}}: the weights became non-finite "
                  "(overflow). Try a smaller learning rate.")
            break
        if log_every and epoch % log_every == 0:
            print(f"Epoch {{epoch}}, Loss: {{loss:.12g}}")

print("Predictions after training:")
print(forward(W1, b1, W2, b2, X)[1])
'''


LAYERED_BATCH = '''
        # one update per epoch, from the gradient summed over all samples
        theta, state = update(theta, gradients(theta, X, y), state)
'''

LAYERED_ONLINE = '''
        # one update per sample, in a shuffled order drawn from the run's seed
        for i in order.permutation(X.shape[1]):
            theta, state = update(theta, gradients(theta, X[:, i:i + 1], y[:, i:i + 1]), state)
'''

LAYERED = '''"""A Backprop Lab run as a standalone NumPy script.

Settings: {settings}
The same run as: {command}
The network: {sizes} units, layer by layer. It prints the same "Epoch N, Loss: X" lines
(X is the mean squared error before that epoch's update, as the tutorial prints it).
"""

import numpy as np
''' + PRELUDE.replace("{whose}", "layers'") + '''
# The initial weights of this run: W_l (units of layer l, units of layer l-1), b_l (units, 1).
{weights}
theta = [{names}]  # every parameter, in this order

lr = {lr}
epochs = {epochs}
log_every = {every}
order = np.random.default_rng({seed})  # the sample order, in online mode


def forward(theta, X):
    """The activations a[0] = X, a[1], ..., a[-1] (the output, always a sigmoid)."""
    a = [X]
    layers = len(theta) // 2
    for layer in range(layers):
        W, b = theta[2 * layer], theta[2 * layer + 1]
        z = W @ a[-1] + b
        a.append(sigmoid(z) if layer == layers - 1 else activation(z))
    return a


def gradients(theta, X, y):
    """dL/dW and dL/db of every layer, summed over the samples X (columns), in theta's order."""
    a = forward(theta, X)
    delta = {delta_out}
    grads = []
    for layer in reversed(range(len(theta) // 2)):
        # each gradient is the layer's error times the layer's input
        grads[:0] = [delta @ a[layer].T, delta.sum(axis=1, keepdims=True)]
        if layer > 0:
            # send delta back through this layer's W, then through the activation's slope
            delta = (theta[2 * layer].T @ delta) * activation_derivative(a[layer])
    return grads


{optimizer}


def finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


state = {{}}  # the optimizer's memory (momentum's velocity, Adam's moments)
with np.errstate(all="ignore"):
    for epoch in range(epochs):
        before = theta
        loss = float(np.mean((y - forward(theta, X)[-1]) ** 2))
{update}
        if not (np.isfinite(loss) and finite(theta)):
            theta = before
            print(f"Training stopped at epoch {{epoch}}: the weights became non-finite "
                  "(overflow). Try a smaller learning rate.")
            break
        if log_every and epoch % log_every == 0:
            print(f"Epoch {{epoch}}, Loss: {{loss:.12g}}")

print("Predictions after training:")
print(forward(theta, X)[-1])
'''
