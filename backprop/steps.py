"""One backprop step with every number filled in, as LaTeX, for a chosen sample.

``step_equations`` takes one history snapshot (``History.at(k)``) and returns
sections of (explanation, LaTeX) pairs: forward pass, loss, chain-rule
factors, deltas, gradients and the update. Pure text; the app only displays it.

Every number is rounded to the digits shown, and each line is worked from the
rounded numbers of the lines before it (see :mod:`backprop.shown`), so every
equation checks by hand. The update prints the change Δ explicitly, with as many
decimals as it needs to be seen.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, Overflow, localcontext

import numpy as np

from . import nn
from . import notation as n
from .datasets import TABLE_ROWS
from .shown import SIG, bounded, change_decimals, factor, fixed, mat, sig, term, tofloat, tx

# Output range of each hidden activation (None: unbounded above).
RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}
SYMBOL = n.TEX_ACTIVATION
A1, A2, Z1, Z2 = n.tex("a", 1), n.tex("a", 2), n.tex("z", 1), n.tex("z", 2)
W1, W2, B1, B2 = n.tex("W", 1), n.tex("W", 2), n.tex("b", 1), n.tex("b", 2)
D1, D2 = n.tex(r"\delta", 1), n.tex(r"\delta", 2)


# Long equations are stacked, one "= ..." per line, so they fit a phone's width.
BREAK = r" \\[4pt] &= "
TERM_BREAK = r" \\[4pt] &\quad + "


def stack(latex: str) -> str:
    """``a = b = c`` as an aligned block with each ``= ...`` on its own line."""
    first, *rest = latex.split(" = ")
    if not rest:
        return latex
    return r"\begin{aligned}" + first + " &= " + BREAK.join(rest) + r"\end{aligned}"


def unstack(latex: str) -> str:
    """The one-line form of :func:`stack`'s output (for reading the numbers back)."""
    for old, new in ((r"\begin{aligned}", ""), (r"\end{aligned}", ""), (BREAK, " = "),
                     (TERM_BREAK, " + "), (" &= ", " = ")):
        latex = latex.replace(old, new)
    return latex


def _frac(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


# How each loss is written. Values always come from nn.LOSSES; this is only the text.
# "loss", "slope": (symbolic, numbers) with the numbers filled in from a (prediction), y.
LOSS_TEX = {
    "mse": {
        "loss": (rf"\tfrac12({A2} - y)^2", lambda a, y: rf"\tfrac12({a} - {y})^2"),
        "slope": (rf"{A2} - y", lambda a, y: rf"{a} - {y}"),
        "note": "",
    },
    "bce": {
        "loss": (rf"-y\log {A2} - (1-y)\log(1-{A2})",
                 lambda a, y: rf"-{y}\cdot\log({a}) - (1 - {y})\cdot\log(1 - {a})"),
        "slope": (rf"\frac{{{A2} - y}}{{{A2}(1-{A2})}}",
                  lambda a, y: rf"\frac{{{a} - {y}}}{{{a}\cdot(1 - {a})}}"),
        "note": f" With cross-entropy the slope cancels: {n.layer('δ', 2)} is "
                f"{n.layer('a', 2)} − y, up to the rounding of the factors.",
    },
}
# The hidden slope from the stored output a, as the tutorial computes it: (symbolic,
# numbers, exact value on shown decimals). ReLU's 0/1 slope has no arithmetic to show.
SLOPE_TEX = {
    "sigmoid": (rf"{A1}\odot(1 - {A1})", lambda A: rf"{A} \odot (1 - {A})",
                lambda a: a * (1 - a)),
    "tanh": (rf"1 - {A1}\odot {A1}", lambda A: rf"1 - {A} \odot {A}", lambda a: 1 - a * a),
    "relu": (rf"[{A1} > 0]", None, lambda a: nn.relu_prime(tofloat(a))),
}
# The same slope from z, to show they agree: (symbolic, numbers).
FROM_Z_TEX = {
    "sigmoid": (rf"\sigma({Z1})\odot(1-\sigma({Z1}))",
                lambda Z: rf"\sigma({Z}) \odot (1 - \sigma({Z}))"),
    "tanh": (rf"1 - \tanh({Z1})\odot\tanh({Z1})", lambda Z: rf"1 - \tanh({Z}) \odot \tanh({Z})"),
}


def _apply(activation: str, z):
    """An activation on shown values, rounded for display (ReLU stays exact)."""
    lo, hi = RANGE[activation]
    if activation == "relu":
        return np.vectorize(lambda v: max(v, Decimal(0)), otypes=[object])(z)
    return bounded(nn.ACTIVATIONS[activation](tofloat(z)), lo, hi)


def _forward(p: dict, x, activation: str) -> tuple[dict, list]:
    f = SYMBOL[activation]
    s = {"W1": sig(p["W1"]), "b1": sig(p["b1"]), "W2": sig(p["W2"]), "b2": sig(p["b2"][0, 0])}
    s["x"] = sig(x) if x.shape[0] and np.any(x % 1) else fixed(x, 0)
    s["z1"] = sig(s["W1"] @ s["x"] + s["b1"])
    s["a1"] = _apply(activation, s["z1"])
    s["z2"] = sig((s["W2"] @ s["a1"])[0, 0] + s["b2"])
    s["a2"] = bounded(float(nn.sigmoid(np.array(tofloat(s["z2"])))), 0.0, 1.0)
    lines = [
        ("Hidden layer input: weights times the sample, plus bias. Every number is rounded "
         f"to {SIG} significant digits and each line is worked from the rounded numbers "
         "shown, so you can check it by hand.",
         rf"{Z1} = {W1}x + {B1} = {mat(s['W1'])}{mat(s['x'])} + {mat(s['b1'])} = "
         rf"{mat(s['z1'])}"),
        ("Hidden activations (with enough decimals that the distance to saturation keeps "
         f"{SIG} digits).", rf"{A1} = {f}({Z1}) = {f}({mat(s['z1'])}) = {mat(s['a1'])}"),
        ("Output unit input.",
         rf"{Z2} = {W2}{A1} + {B2} = {mat(s['W2'])}{mat(s['a1'])} {term(s['b2'])} = "
         rf"{tx(s['z2'])}"),
    ]
    return s, lines


def _loss_and_output_error(s: dict, target: float, loss: str) -> tuple[list, list, list]:
    """The loss, the chain-rule factors and δ⁽²⁾, from the shown prediction."""
    value, delta = nn.LOSSES[loss]
    words = LOSS_TEX[loss]
    a, y = s["a2"], Decimal(int(target)) if float(target).is_integer() else sig(target)
    af, yf = float(a), float(y)
    with np.errstate(all="ignore"):
        z_of_a = np.log(af) - np.log1p(-af)  # the z that gives the shown a, for nn's loss
        slope_out = float(nn.sigmoid_prime(np.array(af)))
        s["L"] = sig(value(np.array(z_of_a), np.array(af), np.array(yf)))
        s["dLda"] = sig(float(delta(np.array(af), np.array(yf))) / max(slope_out, 1e-300))
    s["s2"] = sig(a * (1 - a))
    s["d2"] = sig(s["dLda"] * s["s2"])
    output = [(f"Prediction (the output is always a sigmoid); the target is y = {tx(y)}.",
               rf"{A2} = \sigma({Z2}) = \sigma({tx(s['z2'])}) = {tx(a)}")]
    loss_lines = [("The loss for this sample.",
                   rf"L = {words['loss'][0]} = {words['loss'][1](tx(a), tx(y))} = {tx(s['L'])}")]
    chain = [
        ("How the loss changes with the prediction.",
         rf"{_frac('L', A2)} = {words['slope'][0]} = {words['slope'][1](tx(a), tx(y))} = "
         rf"{tx(s['dLda'])}"),
        ("How the prediction changes with its input: the sigmoid's slope, from its output.",
         rf"{_frac(A2, Z2)} = \sigma'({Z2}) = {A2}(1 - {A2}) = {tx(a)}\cdot(1 - {tx(a)}) = "
         rf"{tx(s['s2'])}"),
        ("How the output's input changes with each output weight: the hidden activations.",
         rf"{_frac(Z2, W2)} = ({A1})^T = {mat(s['a1'].T)}"),
    ]
    return output + loss_lines, chain, [
        ("Output error: the first two chain-rule factors multiplied." + words["note"],
         rf"{D2} = {_frac('L', A2)}\,\sigma'({Z2}) = {factor(s['dLda'])} \cdot "
         rf"{factor(s['s2'])} = {tx(s['d2'])}")]


def _hidden_error(s: dict, activation: str) -> list:
    f = SYMBOL[activation]
    symbolic, numbers, exact = SLOPE_TEX[activation]
    s["fp1"] = sig(exact(s["a1"]))
    s["d1"] = sig(s["W2"].T * s["d2"] * s["fp1"])
    slope = rf"{f}'({Z1}) = {symbolic} = " + (f"{numbers(mat(s['a1']))} = " if numbers else "")
    lines = [
        ("Each hidden unit's slope, from its stored output.", slope + mat(s["fp1"])),
        (f"Hidden error: the output error sent back through {n.layer('W', 2)}, scaled by "
         "each unit's slope.",
         rf"{D1} = ({W2})^T{D2} \odot {f}'({Z1}) = {mat(s['W2'].T)} \cdot {factor(s['d2'])}"
         rf" \odot {mat(s['fp1'])} = {mat(s['d1'])}"),
    ]
    if activation in FROM_Z_TEX:
        symbolic, numbers = FROM_Z_TEX[activation]
        z = tofloat(s["z1"])
        from_z = sig(nn.DERIVATIVES[activation](nn.ACTIVATIONS[activation](z)))
        lines.append((
            "The slope again, from z: it agrees with the one from the stored output (up to "
            "the last digit's rounding), so the backward pass never needs z.",
            rf"{symbolic} = {numbers(mat(s['z1']))} = {mat(from_z)}"))
    return lines


def _sample_grads(s: dict) -> dict:
    return {"W2": sig(s["d2"] * s["a1"].T), "b2": s["d2"],
            "W1": sig(s["d1"] @ s["x"].T), "b1": s["d1"]}


def _gradient_lines(s: dict) -> list:
    g = _sample_grads(s)
    return [
        ("This sample's share of each gradient: the error times the layer's input.",
         rf"{_frac('L', W2)} = {D2}({A1})^T = {factor(s['d2'])} \cdot {mat(s['a1'].T)} = "
         rf"{mat(g['W2'])}"),
        ("", rf"{_frac('L', B2)} = {D2} = {tx(g['b2'])}"),
        ("", rf"{_frac('L', W1)} = {D1}x^T = {mat(s['d1'])}{mat(s['x'].T)} = {mat(g['W1'])}"),
        ("", rf"{_frac('L', B1)} = {D1} = {mat(g['b1'])}"),
    ]


def _sample_of(snap: dict, s: dict, X, k: int, sample: int, activation: str) -> dict:
    """Shown per-sample values: this step's own for ``sample``, the snapshot's for others."""
    if k == sample:
        return s
    lo, hi = RANGE[activation]
    x = X[:, k:k + 1]
    return {"x": sig(x) if np.any(x % 1) else fixed(x, 0), "d2": sig(snap["delta2"][0, k]),
            "a1": bounded(snap["a1"][:, k:k + 1], lo, hi), "d1": sig(snap["delta1"][:, k:k + 1])}


def _batch_lines(snap: dict, s: dict, X, sample: int, activation: str,
                 labels: list[str]) -> tuple[list, dict]:
    """Each sample's contribution to each gradient, and their sum (the batch gradient)."""
    count = X.shape[1]
    if count > TABLE_ROWS:  # too many to list: the sum, computed in full precision
        totals = {name: sig(snap["d" + name] if name[0] == "W" else snap["d" + name][..., 0])
                  for name in ("W2", "W1")}
        totals["b2"], totals["b1"] = sig(snap["db2"][0, 0]), sig(snap["db1"])
        return [(f"The batch gradient: the sum of all {count} samples' shares (too many to list "
                 "here; pick any sample to see its share worked out).",
                 rf"\textstyle\sum {D2}({A1})^T = {mat(totals['W2'])},\quad "
                 rf"\sum {D1}x^T = {mat(totals['W1'])}")], totals
    shares = [_sample_grads(_sample_of(snap, s, X, k, sample, activation))
              | {"src": _sample_of(snap, s, X, k, sample, activation)} for k in range(count)]
    totals = {name: sig(sum(g[name] for g in shares)) for name in ("W2", "b2", "W1", "b1")}
    lines = []
    for k, g in enumerate(shares):
        src, mark = g["src"], r"\text{ (this sample)}" if k == sample else ""
        lines.append((
            f"Sample {labels[k]}'s share." if k else
            "Batch mode: every sample adds its share, worked out from its own errors "
            "(choose another sample to see its deltas computed).",
            rf"\text{{{labels[k]}: }}{D2}({A1})^T = {factor(src['d2'])} \cdot "
            rf"{mat(src['a1'].T)} = {mat(g['W2'])}{mark}"))
        lines.append(("", rf"\text{{{labels[k]}: }}{D1}x^T = {mat(src['d1'])}{mat(src['x'].T)}"
                          rf" = {mat(g['W1'])}{mark}"))
    joined = {name: TERM_BREAK.join(mat(g[name]) for g in shares) for name in ("W2", "W1", "b1")}
    joined["b2"] = tx(shares[0]["b2"]) + "".join(" " + term(g["b2"]) for g in shares[1:])
    lines += [
        (f"The batch gradients: the {count} shares added up.",
         rf"\textstyle\sum {D2}({A1})^T = {joined['W2']} = {mat(totals['W2'])}"),
        ("", rf"\textstyle\sum {D2} = {joined['b2']} = {tx(totals['b2'])}"),
        ("", rf"\textstyle\sum {D1}x^T = {joined['W1']} = {mat(totals['W1'])}"),
        ("", rf"\textstyle\sum {D1} = {joined['b1']} = {mat(totals['b1'])}"),
    ]
    return lines, totals


def _update_lines(snap: dict, grads: dict, lr: float, total: str) -> list:
    """Δ = −α·gradient, then the weight plus Δ, with the decimals Δ needs to be seen."""
    alpha = sig(lr, 12).normalize()
    names = {"W2": (W2, rf"{D2}({A1})^T"), "b2": (B2, D2), "W1": (W1, rf"{D1}x^T"),
             "b1": (B1, D1)}
    lines = []
    for name, (symbol, grad) in names.items():
        g = grads[name]
        change = sig(-alpha * g)
        places = change_decimals(change)
        before = fixed(snap[name] if name != "b2" else snap[name][0, 0], places)
        after = np.vectorize(lambda v, p: v.quantize(Decimal(1).scaleb(-int(p))),
                             otypes=[object])(before + change, places)
        show = mat if np.ndim(g) else tx
        if not np.ndim(g):
            after = after.item()
        lines.append(("", rf"\Delta {symbol} = -\alpha{total}{grad} = -{tx(alpha)} \cdot "
                          rf"{show(g) if np.ndim(g) else factor(g)} = {show(change)}"))
        added = show(before) + TERM_BREAK + show(change) if np.ndim(g) else \
            rf"{tx(before)} {term(change)}"
        lines.append(("", rf"\text{{new }}{symbol} = {symbol} + \Delta {symbol} = {added} = "
                          rf"{show(after)}"))
    return lines


def step_equations(snap: dict, X, y, sample: int, activation: str, loss: str,
                   lr: float, update: str = "batch") -> list[tuple[str, list[tuple[str, str]]]]:
    """Sections ``[(title, [(explanation, latex), ...]), ...]`` for sample ``sample``.

    snap : one snapshot (params, forward and backward quantities, batch gradients).
    The per-sample gradients are delta times the layer input. In batch mode the
    update uses their sum over all samples, as in the tutorial, and every
    sample's share is listed (up to ``TABLE_ROWS`` samples); in online mode it
    uses this sample's gradients alone.
    """
    from .figures import sample_labels  # labels only; figures imports nothing from here

    with localcontext() as ctx, np.errstate(all="ignore"):  # diverged: NaN/∞ print, no raise
        ctx.prec, ctx.traps[InvalidOperation], ctx.traps[Overflow] = 60, False, False
        i = sample
        s, forward = _forward(snap, X[:, i:i + 1], activation)
        output, chain, back = _loss_and_output_error(s, float(y[0, i]), loss)
        back += _hidden_error(s, activation)
        grads = _gradient_lines(s)
        if update == "batch":
            more, totals = _batch_lines(snap, s, X, i, activation, sample_labels(X))
            grads += more
            how = (f"Batch update: the gradients summed over all {X.shape[1]} samples, times "
                   f"the learning rate α = {lr:g}, are subtracted. Δ is the change; each "
                   "weight is shown with the decimals its change needs.")
            total = r"\textstyle\sum "
        else:
            totals = _sample_grads(s)
            how = (f"Online update: this sample's gradients alone, times the learning rate "
                   f"α = {lr:g}, are subtracted; the next sample then sees the new weights. "
                   "Δ is the change; each weight is shown with the decimals its change needs.")
            total = ""
        update_lines = _update_lines(snap, totals, lr, total)
        update_lines[0] = (how, update_lines[0][1])
    sections = [("1 · Forward pass", forward + output[:1]), ("2 · Loss", output[1:]),
                ("3 · Chain-rule factors", chain), ("4 · Errors (deltas)", back),
                ("5 · Gradients", grads), ("6 · Update", update_lines)]
    return [(title, [(text, stack(latex)) for text, latex in items]) for title, items in sections]
