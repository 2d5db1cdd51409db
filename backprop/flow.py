"""Gradient flow: how big each layer's weight gradient is through training, and why.

Backprop sends the output's error back through the network, one layer at a time::

    δ⁽ᴸ⁺¹⁾ from the loss          δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ f′(z⁽ˡ⁾)          dW⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ

so the error reaching hidden layer l has been multiplied by one factor f′ for each
hidden layer from L down to l: the first layer's by L of them. For the sigmoid
f′ ≤ 0.25, so the slopes alone shrink it by 4ᴸ or more (the vanishing gradient).
For tanh and ReLU the ceiling is 1 (``nn.DERIVATIVE_MAX``). Everything here reads
a run's recorded history, at any depth (the tutorial is L = 1: dW1, dW2, deriv1).
"""

from __future__ import annotations

import numpy as np
from plotly.colors import sample_colorscale

from . import look, nn, notation
from .look import BLUE, GREY, RED, styled_figure, trace


def _norm(m) -> np.ndarray:
    """sqrt(Σ m²) over the last two axes (inf for a diverging run's huge values, quietly)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sqrt(np.sum(np.square(m), axis=(-2, -1)))


def hidden_layers(steps: dict) -> int:
    """L, the number of hidden layers in a history or a snapshot (``dW1`` … ``dW{L+1}``)."""
    return sum(1 for name in steps if name.startswith("dW")) - 1


def layer_norms(steps: dict) -> list[np.ndarray]:
    """‖dW⁽ˡ⁾‖ = sqrt(Σ dW⁽ˡ⁾²) for l = 1 … L+1, each (K,) for a ``History.steps`` or a
    number for one snapshot (``History.at(k)``)."""
    return [_norm(steps[f"dW{layer}"]) for layer in range(1, hidden_layers(steps) + 2)]


def layer_means(steps: dict) -> list[np.ndarray]:
    """f′(z⁽ˡ⁾) averaged over units and samples for each hidden layer l = 1 … L, each (K,)
    for a ``History.steps`` or a number for one snapshot."""
    return [mean_derivative(steps, layer) for layer in range(1, hidden_layers(steps) + 1)]


def gradient_norms(steps: dict) -> dict[str, np.ndarray]:
    """The Frobenius norm of each layer's weight gradient at every checkpoint.

    steps : a ``History.steps``, with ``dW1`` (K, n_1, 2) … ``dW{L+1}`` (K, 1, n_L).
    Returns ``{"dW1": (K,), …, "dW{L+1}": (K,)}``: ‖dW‖ = sqrt(Σ dW²) over each matrix.
    """
    return {f"dW{layer}": norm for layer, norm in enumerate(layer_norms(steps), start=1)}


def mean_derivative(steps: dict, layer: int = 1) -> np.ndarray:
    """f′(z⁽ˡ⁾) of hidden layer ``layer`` averaged over its units and samples, (K,)."""
    return np.mean(steps[f"deriv{layer}"], axis=(-2, -1))


def ratio(top: float, bottom: float) -> float:
    """top / bottom, or NaN when bottom is 0 or either is not finite."""
    if not (np.isfinite(top) and np.isfinite(bottom)) or bottom == 0:
        return float("nan")
    return float(top) / float(bottom)


def flow_summary(steps: dict, k: int, activation: str) -> dict:
    """The numbers the caption quotes, at checkpoint k.

    hidden : L; norms : ‖dW⁽ˡ⁾‖ for l = 1 … L+1; ratio : ‖dW⁽¹⁾‖/‖dW⁽ᴸ⁺¹⁾‖;
    means : the mean f′(z⁽ˡ⁾) of each hidden layer, and product : their product
    (what the slopes multiplied the first layer's error by, on average); ceiling :
    the largest f′ can be (0.25 for the sigmoid), and bound : ceiling ** L, the
    most L slopes can let through. weights : ‖W⁽ˡ⁾‖ for l = 2 … L+1, the other
    factors on the way back. For the tutorial also dW1, dW2, mean_deriv, w2.
    """
    L = hidden_layers(steps)
    norms = [float(norm[k]) for norm in layer_norms(steps)]
    means = [float(mean[k]) for mean in layer_means(steps)]
    weights = [float(_norm(steps[f"W{layer}"][k])) for layer in range(2, L + 2)]
    ceiling = nn.DERIVATIVE_MAX[activation]
    return {"hidden": L, "norms": norms, "ratio": ratio(norms[0], norms[-1]),
            "means": means, "product": float(np.prod(means)), "ceiling": ceiling,
            "bound": ceiling ** L, "weights": weights,
            "dW1": norms[0], "dW2": norms[1], "mean_deriv": means[0], "w2": weights[0]}


def shrink_words(r: float, into: str = "the hidden layer") -> str:
    """A ratio in words: ``4.0× smaller`` for 0.25, ``2.0× larger`` for 2."""
    if not np.isfinite(r):
        return "undefined (the output gradient is zero)"
    if r == 0:
        return f"zero: no gradient reaches {into}"
    return f"{1 / r:.1f}× smaller" if r < 1 else f"{r:.1f}× larger"


def fraction_words(value: float) -> str:
    """``0.0156 (1/64)``: a product of slopes, with its reciprocal when it is small."""
    return f"{value:.3g} (1/{1 / value:,.0f})" if 0 < value < 0.5 else f"{value:.3g}"


def flow_caption(summary: dict, activation: str, epoch: int, start: dict | None = None) -> str:
    """The plain-words lesson for this run at this epoch (markdown).

    start : the summary at epoch 0; a deeper network's caption quotes it too.
    """
    if summary.get("hidden", 1) > 1:
        return deep_caption(summary, activation, epoch, start)
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


def than_output(r: float) -> str:
    """``6.9× smaller than the output layer's``, or why there is no such ratio."""
    if not np.isfinite(r):
        return "not comparable: the output layer's gradient is zero"
    if r == 0:
        return "zero: no gradient reaches the first layer"
    return f"{shrink_words(r)} than the output layer's"


def deep_caption(s: dict, activation: str, epoch: int, start: dict | None = None) -> str:
    """The lesson for L > 1 hidden layers: L slopes on the way to the first layer.

    start : the summary at epoch 0, quoted when ``epoch`` is later (a stuck run's
    output gradient fades too, so the start is where the slopes' effect shows).
    """
    L, ceiling, symbol = s["hidden"], s["ceiling"], notation.derivative(activation, "l")
    out = notation.layer("dW", L + 1)
    bound = (f"together at most {ceiling:g}{_power(L)} = {fraction_words(s['bound'])}, so "
             f"the slopes alone shrink it {1 / s['bound']:,.0f}× or more and the first layers "
             "of a deep sigmoid network barely learn" if ceiling < 1 else
             f"together at most {ceiling:g}{_power(L)} = 1, so the slopes need not shrink it: "
             "that is why deep networks use tanh or ReLU rather than the sigmoid")
    if activation == "relu":
        bound += " (ReLU′ is exactly 0 or 1: each unit passes the error on whole, or is dead)"
    means = ", ".join(f"{m:.3g}" for m in s["means"])
    text = (f"On its way back from the output, the error is multiplied at each of the {L} "
            f"hidden layers by that layer's weights and by {symbol}, which is at most "
            f"{ceiling:g}. The first layer's gradient has been through {L} such slopes: "
            f"{bound}. At epoch {epoch:,}: ‖dW⁽¹⁾‖ = {s['norms'][0]:.3g} and ‖{out}‖ = "
            f"{s['norms'][-1]:.3g}, so the first layer's gradient is {than_output(s['ratio'])}")
    if start is not None and epoch > 0:
        text += f" (at epoch 0: {shrink_words(start['ratio'], 'the first layer')})"
    text += (f". The mean {symbol} of layers 1 to {L} is {means}; their product is "
             f"{fraction_words(s['product'])}.")
    if np.isfinite(s["ratio"]) and s["ratio"] > s["bound"]:
        sizes = ", ".join(f"{w:.3g}" for w in s["weights"])
        text += (f" The ratio can be above {fraction_words(s['bound'])} because the error "
                 f"also passes through the weights (‖W⁽²⁾‖ … ‖W{notation.layer('', L + 1)}‖ "
                 f"= {sizes}), and each dW⁽ˡ⁾ multiplies by its own layer's inputs.")
    return text


def _power(k: int) -> str:
    """``⁴``: an exponent in superscript."""
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _positive(values) -> np.ndarray:
    """float32 for the chart, with zeros and non-finite values left out of a log axis."""
    out = np.asarray(values, dtype=float).copy()
    out[~np.isfinite(out) | (out <= 0) | (out > 1e38)] = np.nan  # 1e38: float32's range
    return out.astype(np.float32)


def layer_colours(count: int) -> list[str]:
    """``count`` colours from the output layer's blue (first) to the first layer's red."""
    if count == 1:
        return [BLUE]
    return sample_colorscale([[0, BLUE], [1, RED]], list(np.linspace(0, 1, count)))


def _norm_traces(epochs, norms: dict, L: int, where: dict) -> list[dict]:
    """One line per layer, the output's first: ‖dW⁽ˡ⁾‖ through training."""
    line = {"mode": "lines+markers", "marker": {"size": 4}, **where}
    if L == 1:
        return [trace("scatter", x=epochs, y=_positive(norms["dW2"]), name="‖dW⁽²⁾‖ output layer",
                      line={"color": BLUE}, **line),
                trace("scatter", x=epochs, y=_positive(norms["dW1"]), name="‖dW⁽¹⁾‖ hidden layer",
                      line={"color": RED}, **line)]
    layers = range(L + 1, 0, -1)
    return [trace("scatter", x=epochs, y=_positive(norms[f"dW{layer}"]),
                  name=f"‖{notation.layer('dW', layer)}‖ "
                       + ("output layer" if layer == L + 1 else f"layer {layer}"),
                  line={"color": colour}, **line)
            for layer, colour in zip(layers, layer_colours(L + 1), strict=True)]


def _slope_traces(epochs, steps: dict, L: int, activation: str, where: dict) -> list[dict]:
    """Mean f′ per hidden layer; for L > 1 also their product and the ceiling ** L."""
    symbol, ceiling = notation.derivative(activation, 1 if L == 1 else "l"), \
        nn.DERIVATIVE_MAX[activation]
    line = {"mode": "lines+markers", "marker": {"size": 4}, **where}
    span = [epochs[0], epochs[-1]] if len(epochs) else []
    means = [mean_derivative(steps, layer) for layer in range(1, L + 1)]
    if L == 1:
        data = [trace("scatter", x=epochs, y=_positive(means[0]), name=f"mean {symbol}",
                      line={"color": GREY}, **line)]
    else:  # one legend entry for the thin per-layer lines: the legend must fit a phone
        colours = layer_colours(L + 1)[1:][::-1]  # layer 1 red, as in the norms above
        slope = notation.ACTIVATION_SYMBOL[activation] + "′"
        data = [trace("scatter", x=epochs, y=_positive(m), mode="lines",
                      name=f"mean {slope} of each layer (colours as above)",
                      legendgroup="means", showlegend=layer == 1,
                      hovertemplate=f"layer {layer}: mean {slope} %{{y:.3g}}<extra></extra>",
                      line={"color": c, "width": 1}, **where)
                for layer, (m, c) in enumerate(zip(means, colours, strict=True), start=1)]
        data.append(trace("scatter", x=epochs, y=_positive(np.prod(means, axis=0)),
                          name=f"product of the {L} means", line={"color": "black"}, **line))
    data.append(trace("scatter", x=span, y=[ceiling] * len(span), name=f"ceiling {ceiling:g}",
                      mode="lines", line={"color": GREY, "dash": "dot"}, **where))
    if L > 1:
        data.append(trace("scatter", x=span, y=[ceiling ** L] * len(span),
                          name=f"ceiling {ceiling:g}{_power(L)} = {ceiling ** L:.3g}",
                          mode="lines", line={"color": "black", "dash": "dot"}, **where))
    return data


def gradient_flow_figure(epochs, steps: dict, activation: str = "sigmoid",
                         marker_epoch: int | None = None, height: int = 420):
    """Gradient norms per layer (top) and the mean f′(z⁽ˡ⁾) with its ceiling (bottom).

    epochs : (K,) checkpoint epochs; steps : the history (``dW1`` … ``dW{L+1}``,
    ``deriv1`` … ``deriv{L}``). With L > 1 hidden layers the bottom panel adds the
    product of the layers' mean slopes and the ceiling to the power L, the most L
    slopes let through. Both panels use a log scale; a red line marks ``marker_epoch``.
    """
    epochs = np.asarray(epochs)
    L = hidden_layers(steps)
    symbol = notation.derivative(activation, 1 if L == 1 else "l")
    layout, ((x1, y1), (x2, y2)) = look.grid(
        2, 1, ("Gradient size ‖dW‖ per layer", f"Mean {symbol} and its ceiling"), 0.0, 0.2)
    slopes = _slope_traces(epochs, steps, L, activation, {"xaxis": x2, "yaxis": y2})
    data = _norm_traces(epochs, gradient_norms(steps), L, {"xaxis": x1, "yaxis": y1}) + slopes
    for axis in ("yaxis", "yaxis2"):  # decades only: minor labels crowd a narrow chart
        layout[axis].update(type="log", exponentformat="power", dtick=1)
    # One scale for every activation, from 10⁻² (lower if needed) to just above 1, so the
    # sigmoid's ceiling of ¼ and tanh's or ReLU's of 1 compare side by side.
    low = min(np.nanmin(_positive(t["y"]), initial=0.01) for t in slopes)
    layout["yaxis2"]["range"] = [min(-2.0, float(np.floor(np.log10(low)))), 0.1]
    layout["xaxis2"]["title"] = {"text": "epoch"}
    if marker_epoch is not None:
        layout["shapes"] = [{"type": "line", "xref": x, "yref": f"{y} domain", "x0": marker_epoch,
                             "x1": marker_epoch, "y0": 0, "y1": 1,
                             "line": {"color": RED, "width": 2}}
                            for x, y in ((x1, y1), (x2, y2))]
    layout["legend"] = {"orientation": "h", "y": -0.22, "x": 0}
    layout["margin"] = {"t": 30}  # room for the first panel's title
    # A deeper network's legend has L + 5 entries, stacked on a narrow screen: room for it.
    entries = sum(1 for t in data if t.get("showlegend", True))
    return styled_figure(data, layout, height + (16 * entries if L > 1 else 0))
