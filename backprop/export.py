"""Exports for class: a standalone NumPy script that reproduces a run.

``standalone_script(config)`` writes the tutorial's program again with this run's
settings and initial weights filled in: the same forward pass, ½ squared error
(or cross-entropy), deltas and updates, in plain NumPy with no import of this
package. Run on its own, it prints the ``Epoch N, Loss: X`` lines that
``python -m backprop train`` prints for the same settings (``log_line`` is the one
format both use).
"""

from __future__ import annotations

import numpy as np

from . import nn
from .config import FIELDS, TrainConfig, format_value
from .training import dataset

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


def log_line(epoch: int, mse: float) -> str:
    """One line of the training log: ``Epoch 1000, Loss: 0.2497...`` (the tutorial's form).

    Twelve significant digits: enough to follow training, and the same whatever
    order the arithmetic was done in (the last bits of a float are not).
    """
    return f"Epoch {epoch}, Loss: {mse:.12g}"


def step_latex(sections, title: str = "One backpropagation step") -> str:
    """The Backprop step view as LaTeX source: a section per part, each equation displayed.

    sections : what ``steps.step_equations`` returns, ``[(title, [(text, latex), ...])]``.
    Plain text is escaped; the equations are passed through as they are.
    """
    lines = ["% Compile with lualatex or xelatex: the text uses Unicode symbols (σ′, ⁽¹⁾).",
             "\\documentclass{article}", "\\usepackage{amsmath}", "\\begin{document}",
             f"\\section*{{{_latex_text(title)}}}"]
    for heading, items in sections:
        lines.append(f"\\subsection*{{{_latex_text(heading)}}}")
        for text, latex in items:
            if text:
                lines.append(_latex_text(text) + "\n")
            lines.append(f"\\[ {latex} \\]")
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_text(text: str) -> str:
    """Plain text made safe for LaTeX (its special characters escaped)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _array(values) -> str:
    """A NumPy array literal that reads back exactly (floats via repr)."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    text = ",\n    ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in rows)
    return f"np.array([\n    {text},\n])"


def command_line(config: TrainConfig) -> str:
    """The ``python -m backprop train`` command for the settings that differ from the defaults."""
    flags = [f"--{name} {format_value(getattr(config, name))}" for name, field in FIELDS.items()
             if getattr(config, name) != getattr(TrainConfig(), name) and field.kind != "points"]
    if config.dataset == "custom" and config.data:  # the flag takes the points as a CSV file
        flags = [f for f in flags if not f.startswith("--dataset ")] + ["--data points.csv"]
    return " ".join(["python -m backprop train", *flags])


def standalone_script(config: TrainConfig, params: dict | None = None,
                      log_every: int = 1000) -> str:
    """Python source that trains this run with NumPy alone and prints its log.

    params : the initial weights (W1 (H, 2), b1 (H, 1), W2 (1, H), b2 (1, 1));
        default: the seed's, as ``train`` draws them.
    """
    if params is None:
        params = nn.init_params(config.hidden, config.init, config.seed)
    X, y = dataset(config)
    act, act_prime = ACTIVATION_CODE[config.activation]
    settings = ", ".join(f"{name}={format_value(getattr(config, name))}" for name in FIELDS)
    update = _ONLINE if config.update == "online" else _BATCH
    return _TEMPLATE.format(
        settings=settings, command=command_line(config), act=act, act_prime=act_prime,
        X=_array(X), y=_array(y), W1=_array(params["W1"]), b1=_array(params["b1"]),
        W2=_array(params["W2"]), b2=_array(params["b2"]), lr=repr(float(config.lr)),
        epochs=config.epochs, every=max(int(log_every), 0), seed=config.seed,
        delta2=DELTA_CODE[config.loss], update=update.strip("\n"),
    )


_BATCH = '''
        # one update per epoch, from the gradient summed over all samples
        W1, b1, W2, b2 = step(W1, b1, W2, b2, X, y)
'''

_ONLINE = '''
        # one update per sample, in a shuffled order drawn from the run's seed
        for i in order.permutation(X.shape[1]):
            W1, b1, W2, b2 = step(W1, b1, W2, b2, X[:, i:i + 1], y[:, i:i + 1])
'''

_TEMPLATE = '''"""A Backprop Lab run as a standalone NumPy script.

Settings: {settings}
The same run as: {command}
It prints the same "Epoch N, Loss: X" lines (X is the mean squared error before
that epoch's update, as the tutorial prints it).
"""

import numpy as np


def activation(z):
    """The hidden layer's activation."""
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
