"""One backprop step with every number filled in, as LaTeX, for a chosen sample.

``step_equations`` takes one history snapshot (``History.at(k)``) and returns
sections of (explanation, LaTeX) pairs: forward pass, loss, chain-rule
factors, deltas, gradients and the update. Pure text; the app only displays it.
"""

from __future__ import annotations

import numpy as np

from . import nn

SYMBOL = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}"}


def num(v: float) -> str:
    """A number as LaTeX with 4 significant digits (1.2e-05 as 1.2\\times10^{-5})."""
    text = f"{float(v):.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times10^{{{int(exponent)}}}"
    return text


def plus(v: float) -> str:
    """``+ 0.5`` or ``- 0.5``: a number added in an equation, with its sign as the operator."""
    return ("- " if v < 0 else "+ ") + num(abs(v))


def mat(a) -> str:
    """A matrix or column as a LaTeX bmatrix."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    rows = [" & ".join(num(v) for v in row) for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def step_equations(snap: dict, X, y, sample: int, activation: str, loss: str,
                   lr: float, update: str = "batch") -> list[tuple[str, list[tuple[str, str]]]]:
    """Sections ``[(title, [(explanation, latex), ...]), ...]`` for sample ``sample``.

    snap : one snapshot (params, forward and backward quantities, batch gradients).
    The per-sample gradients are delta times the layer input. In batch mode the
    update uses their sum over all samples, as in the tutorial; in online mode it
    uses this sample's gradients alone.
    """
    i = sample
    f = SYMBOL[activation]
    x, t = X[:, i:i + 1], float(y[0, i])
    W1, b1, W2, b2 = snap["W1"], snap["b1"], snap["W2"], snap["b2"]
    z1, a1 = snap["z1"][:, i:i + 1], snap["a1"][:, i:i + 1]
    z2, a2 = float(snap["z2"][0, i]), float(snap["a2"][0, i])
    d2, d1 = float(snap["delta2"][0, i]), snap["delta1"][:, i:i + 1]
    fprime = snap["deriv1"][:, i:i + 1]
    s2 = a2 * (1 - a2)

    forward = [
        ("Hidden layer input: weights times the sample, plus bias.",
         rf"z^{{(1)}} = W^{{(1)}}x + b^{{(1)}} = {mat(W1)}{mat(x)} + {mat(b1)} = {mat(z1)}"),
        ("Hidden activations.", rf"a^{{(1)}} = {f}(z^{{(1)}}) = {mat(a1)}"),
        ("Output unit input.",
         rf"z^{{(2)}} = W^{{(2)}}a^{{(1)}} + b^{{(2)}} = {mat(W2)}{mat(a1)} {plus(b2[0, 0])}"
         rf" = {num(z2)}"),
        ("Prediction (the output is always a sigmoid).",
         rf"a^{{(2)}} = \sigma(z^{{(2)}}) = {num(a2)}\quad(\text{{target }} y = {num(t)})"),
    ]
    if loss == "mse":
        loss_eq = rf"L = \tfrac12(a^{{(2)}} - y)^2 = \tfrac12({num(a2)} - {num(t)})^2" \
                  rf" = {num(0.5 * (a2 - t) ** 2)}"
        dl_da = rf"\frac{{\partial L}}{{\partial a^{{(2)}}}} = a^{{(2)}} - y = {num(a2 - t)}"
        delta2 = (rf"\delta^{{(2)}} = (a^{{(2)}} - y)\,\sigma'(z^{{(2)}}) = {num(a2 - t)}"
                  rf"\times{num(s2)} = {num(d2)}")
    else:
        value = float(nn.bce(np.array(z2), np.array(a2), np.array(t)))
        loss_eq = rf"L = -y\log a^{{(2)}} - (1-y)\log(1-a^{{(2)}}) = {num(value)}"
        dl_da = (rf"\frac{{\partial L}}{{\partial a^{{(2)}}}} = \frac{{a^{{(2)}} - y}}"
                 rf"{{a^{{(2)}}(1-a^{{(2)}})}} = {num((a2 - t) / max(s2, 1e-300))}")
        delta2 = (rf"\delta^{{(2)}} = \frac{{\partial L}}{{\partial a^{{(2)}}}}\,\sigma'(z^{{(2)}})"
                  rf" = a^{{(2)}} - y = {num(d2)}")
    chain = [
        ("How the loss changes with the prediction.", dl_da),
        ("How the prediction changes with its input: the sigmoid's slope, from its output.",
         rf"\frac{{\partial a^{{(2)}}}}{{\partial z^{{(2)}}}} = \sigma'(z^{{(2)}}) = "
         rf"a^{{(2)}}(1 - a^{{(2)}}) = {num(s2)}"),
        ("How the output's input changes with each output weight: the hidden activations.",
         rf"\frac{{\partial z^{{(2)}}}}{{\partial W^{{(2)}}}} = (a^{{(1)}})^T = {mat(a1.T)}"),
    ]
    back = [
        ("Output error: the first two chain-rule factors multiplied.", delta2),
        ("Hidden error: the output error sent back through W², scaled by each unit's slope.",
         rf"\delta^{{(1)}} = (W^{{(2)}})^T\delta^{{(2)}} \odot {f}'(z^{{(1)}}) = "
         rf"{mat(W2.T * d2)} \odot {mat(fprime)} = {mat(d1)}"),
    ]
    if activation == "sigmoid":
        from_z = nn.sigmoid(z1) * (1 - nn.sigmoid(z1))
        back.append((
            "The slope two ways: from z, and from the stored output a(1 − a). They agree, "
            "so the backward pass never needs z.",
            rf"\sigma(z^{{(1)}})(1-\sigma(z^{{(1)}})) = {mat(from_z)} \qquad "
            rf"a^{{(1)}}(1-a^{{(1)}}) = {mat(a1 * (1 - a1))}"))
    grads = [
        ("This sample's share of each gradient: the error times the layer's input.",
         rf"\frac{{\partial L}}{{\partial W^{{(2)}}}} = \delta^{{(2)}}(a^{{(1)}})^T = "
         rf"{mat(d2 * a1.T)},\quad \frac{{\partial L}}{{\partial b^{{(2)}}}} = {num(d2)}"),
        ("", rf"\frac{{\partial L}}{{\partial W^{{(1)}}}} = \delta^{{(1)}}x^T = {mat(d1 @ x.T)},"
             rf"\quad \frac{{\partial L}}{{\partial b^{{(1)}}}} = {mat(d1)}"),
    ]
    if update == "batch":
        g = {k: snap[k] for k in ("dW1", "db1", "dW2", "db2")}
        how = (f"Batch update: the gradients summed over all {X.shape[1]} samples, times "
               f"the learning rate α = {lr:g}, are subtracted.")
        total = r"\sum"
    else:
        g = {"dW2": d2 * a1.T, "db2": np.array([[d2]]), "dW1": d1 @ x.T, "db1": d1}
        how = (f"Online update: this sample's gradients alone, times the learning rate "
               f"α = {lr:g}, are subtracted; the next sample then sees the new weights.")
        total = ""
    update = [
        (how, rf"W^{{(2)}} \leftarrow W^{{(2)}} - \alpha{total}\delta^{{(2)}}(a^{{(1)}})^T = "
              rf"{mat(W2)} - {num(lr)}{mat(g['dW2'])} = {mat(W2 - lr * g['dW2'])}"),
        ("", rf"b^{{(2)}} \leftarrow {num(b2[0, 0])} - {num(lr)}\times{num(g['db2'][0, 0])}"
             rf" = {num(b2[0, 0] - lr * g['db2'][0, 0])}"),
        ("", rf"W^{{(1)}} \leftarrow {mat(W1)} - {num(lr)}{mat(g['dW1'])} = "
             rf"{mat(W1 - lr * g['dW1'])}"),
        ("", rf"b^{{(1)}} \leftarrow {mat(b1)} - {num(lr)}{mat(g['db1'])} = "
             rf"{mat(b1 - lr * g['db1'])}"),
    ]
    return [("1 · Forward pass", forward), ("2 · Loss", [("The loss for this sample.", loss_eq)]),
            ("3 · Chain-rule factors", chain), ("4 · Errors (deltas)", back),
            ("5 · Gradients", grads), ("6 · Update", update)]
