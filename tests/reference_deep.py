"""A plain transcription of backprop through any number of hidden layers, with optimizers.

The gold reference for deeper networks, written out with nothing clever in it, like
``reference.py`` is for the tutorial's 2-2-1 network. For layers l = 1 … L+1:

    z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,  a⁽ˡ⁾ = f(z⁽ˡ⁾)  (a⁽⁰⁾ = x; the output layer is a sigmoid)
    δ⁽ᴸ⁺¹⁾ = (a⁽ᴸ⁺¹⁾ − y) σ′(z⁽ᴸ⁺¹⁾) for ½ squared error, a⁽ᴸ⁺¹⁾ − y for cross-entropy
    δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾)
    ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ (a⁽ˡ⁻¹⁾)ᵀ,  ∂L/∂b⁽ˡ⁾ = Σ δ⁽ˡ⁾  (summed over the samples)

and the step for each parameter θ with gradient g:

    gd:        θ ← θ − α g
    momentum:  v ← μ v + g;  θ ← θ − α v
    adam:      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
               m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  θ ← θ − α m̂ / (√v̂ + ε)

(Kingma & Ba, 2015, Algorithm 1; t counts the updates from 1.)

Initial weights: ``RandomState(seed).randn`` in the order W1, b1, W2, b2, W3, b3, …
(the tutorial's stream for one hidden layer).
"""

from __future__ import annotations

import numpy as np

from tests.reference import ACTIVATIONS, sigmoid, sigmoid_derivative

BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8


class DeepNetwork:
    """inputs → hidden[0] → … → hidden[-1] → 1 output, trained as the equations above say."""

    def __init__(self, hidden, activation="sigmoid", loss="mse", optimizer="gd",
                 momentum=0.9, seed=0, inputs=2):
        rng = np.random.RandomState(seed)
        sizes = [inputs, *hidden, 1]
        self.W, self.b = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            self.W.append(rng.randn(fan_out, fan_in))
            self.b.append(rng.randn(fan_out, 1))
        self.f, self.f_prime = ACTIVATIONS[activation]
        self.loss, self.optimizer, self.mu = loss, optimizer, momentum
        params = self.W + self.b
        self.m = [np.zeros_like(p) for p in params]  # momentum's v, or Adam's first moment
        self.v = [np.zeros_like(p) for p in params]  # Adam's second moment
        self.t = 0

    def params(self) -> dict:
        out = {}
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True), start=1):
            out[f"W{layer}"], out[f"b{layer}"] = W.copy(), b.copy()
        return out

    def forward(self, X):
        """Returns the activations a⁽⁰⁾ … a⁽ᴸ⁺¹⁾ (a⁽⁰⁾ = X)."""
        a = [X]
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = W @ a[-1] + b
            last = layer == len(self.W) - 1
            a.append(sigmoid(z) if last else self.f(z))
        return a

    def gradients(self, X, y):
        a = self.forward(X)
        out = a[-1]
        delta = (out - y) * sigmoid_derivative(out) if self.loss == "mse" else out - y
        dW, db = [None] * len(self.W), [None] * len(self.W)
        for k in reversed(range(len(self.W))):  # k = layer - 1
            dW[k] = delta @ a[k].T
            db[k] = delta.sum(axis=1, keepdims=True)
            if k > 0:
                delta = (self.W[k].T @ delta) * self.f_prime(a[k])
        return dW, db

    def step(self, X, y, lr):
        dW, db = self.gradients(X, y)
        params, grads = self.W + self.b, dW + db
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if self.optimizer == "gd":
                p -= lr * g
            elif self.optimizer == "momentum":
                self.m[i] = self.mu * self.m[i] + g
                p -= lr * self.m[i]
            else:  # adam
                self.m[i] = BETA1 * self.m[i] + (1 - BETA1) * g
                self.v[i] = BETA2 * self.v[i] + (1 - BETA2) * g * g
                m_hat = self.m[i] / (1 - BETA1 ** self.t)
                v_hat = self.v[i] / (1 - BETA2 ** self.t)
                p -= lr * m_hat / (np.sqrt(v_hat) + EPSILON)

    def train(self, X, y, epochs, lr, update="batch", seed=0):
        """Returns the MSE before each epoch's update(s), (epochs,)."""
        order = np.random.default_rng(seed)
        mse = []
        for _ in range(epochs):
            mse.append(float(np.mean((self.forward(X)[-1] - y) ** 2)))
            if update == "batch":
                self.step(X, y, lr)
            else:
                for i in order.permutation(X.shape[1]):
                    self.step(X[:, i:i + 1], y[:, i:i + 1], lr)
        return np.array(mse)
