"""Gradient flow: how big each layer's weight gradient is through training, and why.

Backprop sends the output's error back through the network::

    dW2 = δ⁽²⁾ a⁽¹⁾ᵀ          δ⁽¹⁾ = (W⁽²⁾ᵀ δ⁽²⁾) ⊙ f′(z⁽¹⁾)          dW1 = δ⁽¹⁾ Xᵀ

so the hidden layer's gradient carries a factor f′(z⁽¹⁾) that the output layer's
does not. For the sigmoid f′ ≤ 0.25: each sigmoid layer can shrink the gradient by
4× or more (the vanishing gradient). For tanh and ReLU the ceiling is 1
(``nn.DERIVATIVE_MAX``). Everything here reads a run's recorded history.
"""

from __future__ import annotations

import numpy as np

from . import look, nn, notation
from .look import BLUE, GREY, RED, styled_figure, trace


def _norm(m) -> np.ndarray:
    """sqrt(Σ m²) over the last two axes (inf for a diverging run's huge values, quietly)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sqrt(np.sum(np.square(m), axis=(-2, -1)))


def gradient_norms(steps: dict) -> dict[str, np.ndarray]:
    """The Frobenius norm of each layer's weight gradient at every checkpoint.

    steps : a ``History.steps``, with ``dW1`` (K, H, 2) and ``dW2`` (K, 1, H).
    Returns ``{"dW1": (K,), "dW2": (K,)}``: ‖dW‖ = sqrt(Σ dW²) over each matrix.
    """
    return {name: _norm(steps[name]) for name in ("dW1", "dW2")}


def mean_derivative(steps: dict) -> np.ndarray:
    """f′(z⁽¹⁾) averaged over hidden units and samples at every checkpoint, (K,)."""
    return np.mean(steps["deriv1"], axis=(-2, -1))


def ratio(top: float, bottom: float) -> float:
    """top / bottom, or NaN when bottom is 0 or either is not finite."""
    if not (np.isfinite(top) and np.isfinite(bottom)) or bottom == 0:
        return float("nan")
    return float(top) / float(bottom)


def flow_summary(steps: dict, k: int, activation: str) -> dict:
    """The numbers the caption quotes, at checkpoint k.

    dW1, dW2 : the two gradient norms; ratio : ‖dW1‖/‖dW2‖;
    mean_deriv : mean f′(z⁽¹⁾); ceiling : the largest f′ can be (0.25 for the sigmoid);
    w2 : ‖W⁽²⁾‖, the other factor on the way back.
    """
    norms = gradient_norms({n: steps[n][k] for n in ("dW1", "dW2")})
    dW1, dW2 = float(norms["dW1"]), float(norms["dW2"])
    return {"dW1": dW1, "dW2": dW2, "ratio": ratio(dW1, dW2),
            "mean_deriv": float(np.mean(steps["deriv1"][k])),
            "ceiling": nn.DERIVATIVE_MAX[activation],
            "w2": float(_norm(steps["W2"][k]))}


def shrink_words(r: float) -> str:
    """A ratio in words: ``4.0× smaller`` for 0.25, ``2.0× larger`` for 2."""
    if not np.isfinite(r):
        return "undefined (the output gradient is zero)"
    if r == 0:
        return "zero: no gradient reaches the hidden layer"
    return f"{1 / r:.1f}× smaller" if r < 1 else f"{r:.1f}× larger"


def flow_caption(summary: dict, activation: str, epoch: int) -> str:
    """The plain-words lesson for this run at this epoch (markdown)."""
    s, symbol = summary, notation.derivative(activation)
    ceiling = s["ceiling"]
    why = (f"which is at most {ceiling:g}: each sigmoid layer can shrink the gradient by "
           f"{1 / ceiling:.0f}× or more, so in a deep sigmoid network the first layers "
           "barely learn" if ceiling < 1 else
           f"which is at most {ceiling:g}: this layer need not shrink it, which is why deep "
           "networks use tanh or ReLU rather than the sigmoid")
    if activation == "relu":
        why += " (ReLU′ is exactly 0 or 1: a unit either passes the error on or is dead)"
    text = (f"The hidden layer's gradient is the output's error δ⁽²⁾ sent back through "
            f"W⁽²⁾ and multiplied by {symbol}, {why}. At epoch {epoch:,}: "
            f"‖dW⁽¹⁾‖ = {s['dW1']:.3g} and ‖dW⁽²⁾‖ = {s['dW2']:.3g}, so the hidden layer's "
            f"gradient is {shrink_words(s['ratio'])}; the mean {symbol} is "
            f"{s['mean_deriv']:.3g}.")
    if np.isfinite(s["ratio"]) and s["ratio"] > ceiling:
        text += (f" The ratio is above the ceiling because the error also passes through "
                 f"W⁽²⁾ (‖W⁽²⁾‖ = {s['w2']:.3g}), and dW⁽¹⁾ multiplies by the inputs x where "
                 "dW⁽²⁾ multiplies by the hidden outputs a⁽¹⁾.")
    return text


def _positive(values) -> np.ndarray:
    """float32 for the chart, with zeros and non-finite values left out of a log axis."""
    out = np.asarray(values, dtype=float).copy()
    out[~np.isfinite(out) | (out <= 0) | (out > 1e38)] = np.nan  # 1e38: float32's range
    return out.astype(np.float32)


def gradient_flow_figure(epochs, steps: dict, activation: str = "sigmoid",
                         marker_epoch: int | None = None, height: int = 420):
    """Gradient norms per layer (top) and the mean f′(z⁽¹⁾) with its ceiling (bottom).

    epochs : (K,) checkpoint epochs; steps : the history (``dW1``, ``dW2``, ``deriv1``).
    Both panels use a log scale; a red line marks ``marker_epoch``.
    """
    epochs = np.asarray(epochs)
    norms, mean = gradient_norms(steps), mean_derivative(steps)
    symbol = notation.derivative(activation)
    layout, ((x1, y1), (x2, y2)) = look.grid(
        2, 1, ("Gradient size ‖dW‖ per layer", f"Mean {symbol} and its ceiling"), 0.0, 0.2)
    line = {"mode": "lines+markers", "marker": {"size": 4}}
    data = [
        trace("scatter", x=epochs, y=_positive(norms["dW2"]), name="‖dW⁽²⁾‖ output layer",
              line={"color": BLUE}, xaxis=x1, yaxis=y1, **line),
        trace("scatter", x=epochs, y=_positive(norms["dW1"]), name="‖dW⁽¹⁾‖ hidden layer",
              line={"color": RED}, xaxis=x1, yaxis=y1, **line),
        trace("scatter", x=epochs, y=_positive(mean), name=f"mean {symbol}",
              line={"color": GREY}, xaxis=x2, yaxis=y2, **line),
        trace("scatter", x=[epochs[0], epochs[-1]] if len(epochs) else [],
              y=[nn.DERIVATIVE_MAX[activation]] * (2 if len(epochs) else 0),
              name=f"ceiling {nn.DERIVATIVE_MAX[activation]:g}", mode="lines",
              line={"color": GREY, "dash": "dot"}, xaxis=x2, yaxis=y2),
    ]
    for axis in ("yaxis", "yaxis2"):  # decades only: minor labels crowd a narrow chart
        layout[axis].update(type="log", exponentformat="power", dtick=1)
    # One scale for every activation, from 10⁻² (lower if needed) to just above 1, so the
    # sigmoid's ceiling of ¼ and tanh's or ReLU's of 1 compare side by side.
    low = np.nanmin(_positive(mean), initial=0.01)
    layout["yaxis2"]["range"] = [min(-2.0, float(np.floor(np.log10(low)))), 0.1]
    layout["xaxis2"]["title"] = {"text": "epoch"}
    if marker_epoch is not None:
        layout["shapes"] = [{"type": "line", "xref": x, "yref": f"{y} domain", "x0": marker_epoch,
                             "x1": marker_epoch, "y0": 0, "y1": 1,
                             "line": {"color": RED, "width": 2}}
                            for x, y in ((x1, y1), (x2, y2))]
    layout["legend"] = {"orientation": "h", "y": -0.22, "x": 0}
    layout["margin"] = {"t": 30}  # room for the first panel's title
    return styled_figure(data, layout, height)
