"""One backprop step with every number filled in, as LaTeX, for a chosen sample, at any depth.

``step_equations`` takes one history snapshot (``History.at(k)``) and returns
sections of (explanation, LaTeX) pairs: the forward pass layer by layer, the loss,
the chain-rule factors, δ at the output and δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾) for
each hidden layer, the gradients and the update. Pure text; the app only displays it.

Every number is rounded to the digits shown, and each line is worked from the
rounded numbers of the lines before it (see :mod:`backprop.shown`), so every
equation checks by hand. The update prints the change Δ explicitly, with as many
decimals as it needs to be seen.

Layers are numbered as in :mod:`backprop.notation`: 1 … L are hidden, the output is
layer ``o`` = L + 1 (2 for the tutorial). ``focus`` keeps one layer's equations and
adds a section with every layer's activations and error, for deep or wide networks.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, Overflow, localcontext

import numpy as np

from . import nn
from . import notation as n
from .shown import SIG, bounded, factor, fixed, mat, sig, term, tofloat, tx
from .step_grads import batch_lines, gradient_lines, sample_grads, update_lines
from .step_tex import BREAK, ODOT_BREAK, RANGE, TERM_BREAK, A, B, D, W, Z, frac, stack, unstack

__all__ = ["BREAK", "LOSS_TEX", "TERM_BREAK", "layer_summary", "stack", "step_equations",
           "unstack"]
SYMBOL = n.TEX_ACTIVATION


# How each loss is written. Values always come from nn.LOSSES; this is only the text.
# "loss", "slope": (symbolic from the output's symbol, numbers from a (prediction), y).
LOSS_TEX = {
    "mse": {
        "loss": (lambda P: rf"\tfrac12({P} - y)^2", lambda a, y: rf"\tfrac12({a} - {y})^2"),
        "slope": (lambda P: rf"{P} - y", lambda a, y: rf"{a} - {y}"),
        "note": lambda o: "",
    },
    "bce": {
        "loss": (lambda P: rf"-y\log {P} - (1-y)\log(1-{P})",
                 lambda a, y: rf"-{y}\cdot\log({a}) - (1 - {y})\cdot\log(1 - {a})"),
        "slope": (lambda P: rf"\frac{{{P} - y}}{{{P}(1-{P})}}",
                  lambda a, y: rf"\frac{{{a} - {y}}}{{{a}\cdot(1 - {a})}}"),
        "note": lambda o: f" With cross-entropy the slope cancels: {n.layer('δ', o)} is "
                          f"{n.layer('a', o)} − y, up to the rounding of the factors.",
    },
}
# The hidden slope from the stored output a, as the tutorial computes it: (symbolic,
# numbers, exact value on shown decimals). ReLU's 0/1 slope has no arithmetic to show.
SLOPE_TEX = {
    "sigmoid": (lambda S: rf"{S}\odot(1 - {S})", lambda S: rf"{S} \odot (1 - {S})",
                lambda a: a * (1 - a)),
    "tanh": (lambda S: rf"1 - {S}\odot {S}", lambda S: rf"1 - {S} \odot {S}",
             lambda a: 1 - a * a),
    "relu": (lambda S: rf"[{S} > 0]", None, lambda a: nn.relu_prime(tofloat(a))),
}
# The same slope from z, to show they agree: (symbolic, numbers).
FROM_Z_TEX = {
    "sigmoid": (lambda S: rf"\sigma({S})\odot(1-\sigma({S}))",
                lambda S: rf"\sigma({S}) \odot (1 - \sigma({S}))"),
    "tanh": (lambda S: rf"1 - \tanh({S})\odot\tanh({S})",
             lambda S: rf"1 - \tanh({S}) \odot \tanh({S})"),
}


def _apply(activation: str, z):
    """An activation on shown values, rounded for display (ReLU stays exact)."""
    lo, hi = RANGE[activation]
    if activation == "relu":
        return np.vectorize(lambda v: max(v, Decimal(0)), otypes=[object])(z)
    return bounded(nn.ACTIVATIONS[activation](tofloat(z)), lo, hi)


def _forward_words(layer: int, deep: bool) -> tuple[str, str]:
    """The explanations of a hidden layer's two forward lines (the tutorial's at depth 1)."""
    rounding = (f"Every number is rounded to {SIG} significant digits and each line is worked "
                "from the rounded numbers shown, so you can check it by hand.")
    if not deep:
        return ("Hidden layer input: weights times the sample, plus bias. " + rounding,
                "Hidden activations (with enough decimals that the distance to saturation "
                f"keeps {SIG} digits).")
    if layer == 1:
        return ("Hidden layer 1's input: its weights times the sample, plus bias. " + rounding,
                "Hidden layer 1's activations (with enough decimals that the distance to "
                f"saturation keeps {SIG} digits).")
    return (f"Hidden layer {layer}'s input: its weights times layer {layer - 1}'s "
            "activations, plus bias.", f"Hidden layer {layer}'s activations.")


def _forward(p: dict, x, activation: str) -> tuple[dict, list]:
    """Shown values of the forward pass, and its lines as (layer, text, latex)."""
    f, o = SYMBOL[activation], nn.layers_of(p)
    s = {name: sig(p[name]) for name in nn.param_names(o)}
    s[f"b{o}"] = sig(p[f"b{o}"][0, 0])
    s["x"] = s["a0"] = sig(x) if x.shape[0] and np.any(x % 1) else fixed(x, 0)
    lines = []
    for layer in range(1, o):
        s[f"z{layer}"] = sig(s[f"W{layer}"] @ s[f"a{layer - 1}"] + s[f"b{layer}"])
        s[f"a{layer}"] = _apply(activation, s[f"z{layer}"])
        into, out = _forward_words(layer, o > 2)
        zl, al = Z(layer), A(layer)
        # deeper than the tutorial and more than two units in or out: "+ b" on its own
        # line, to fit a phone
        wide = o > 2 and max(s[f"W{layer}"].shape) > 2
        plus = TERM_BREAK if wide else " + "
        lines += [
            (layer, into, rf"{zl} = {W(layer)}{A(layer - 1)} + {B(layer)} = "
                          rf"{mat(s[f'W{layer}'])}{mat(s[f'a{layer - 1}'])}{plus}"
                          rf"{mat(s[f'b{layer}'])} = {mat(s[f'z{layer}'])}"),
            (layer, out, rf"{al} = {f}({zl}) = {f}({mat(s[f'z{layer}'])}) = "
                         rf"{mat(s[f'a{layer}'])}")]
    s[f"z{o}"] = sig((s[f"W{o}"] @ s[f"a{o - 1}"])[0, 0] + s[f"b{o}"])
    s[f"a{o}"] = bounded(float(nn.sigmoid(np.array(tofloat(s[f"z{o}"])))), 0.0, 1.0)
    lines.append((o, "Output unit input.",
                  rf"{Z(o)} = {W(o)}{A(o - 1)} + {B(o)} = {mat(s[f'W{o}'])}"
                  rf"{mat(s[f'a{o - 1}'])} {term(s[f'b{o}'])} = {tx(s[f'z{o}'])}"))
    return s, lines


def _loss_and_output_error(s: dict, o: int, target: float, loss: str) -> tuple[list, list]:
    """The prediction, the loss, the chain-rule factors and δ at the output."""
    value, delta = nn.LOSSES[loss]
    words = LOSS_TEX[loss]
    P, a = A(o), s[f"a{o}"]
    y = Decimal(int(target)) if float(target).is_integer() else sig(target)
    af, yf = float(a), float(y)
    with np.errstate(all="ignore"):
        z_of_a = np.log(af) - np.log1p(-af)  # the z that gives the shown a, for nn's loss
        slope_out = float(nn.sigmoid_prime(np.array(af)))
        s["L"] = sig(value(np.array(z_of_a), np.array(af), np.array(yf)))
        s["dLda"] = sig(float(delta(np.array(af), np.array(yf))) / max(slope_out, 1e-300))
    s["s_out"] = sig(a * (1 - a))
    s[f"d{o}"] = sig(s["dLda"] * s["s_out"])
    front = [
        (None, f"Prediction (the output is always a sigmoid); the target is y = {tx(y)}.",
         rf"{P} = \sigma({Z(o)}) = \sigma({tx(s[f'z{o}'])}) = {tx(a)}"),
        (None, "The loss for this sample.",
         rf"L = {words['loss'][0](P)} = {words['loss'][1](tx(a), tx(y))} = {tx(s['L'])}")]
    chain = [
        (None, "How the loss changes with the prediction.",
         rf"{frac('L', P)} = {words['slope'][0](P)} = {words['slope'][1](tx(a), tx(y))} = "
         rf"{tx(s['dLda'])}"),
        (None, "How the prediction changes with its input: the sigmoid's slope, from its "
               "output.",
         rf"{frac(P, Z(o))} = \sigma'({Z(o)}) = {P}(1 - {P}) = {tx(a)}\cdot(1 - {tx(a)}) = "
         rf"{tx(s['s_out'])}"),
        (None, "How the output's input changes with each output weight: the "
               + ("hidden activations." if o == 2 else
                  f"activations of hidden layer {o - 1}, the last."),
         rf"{frac(Z(o), W(o))} = ({A(o - 1)})^T = {mat(s[f'a{o - 1}'].T)}"),
    ]
    error = [(None, "Output error: the first two chain-rule factors multiplied." +
              words["note"](o),
              rf"{D(o)} = {frac('L', P)}\,\sigma'({Z(o)}) = {factor(s['dLda'])} \cdot "
              rf"{factor(s['s_out'])} = {tx(s[f'd{o}'])}")]
    return front, chain, error


def _hidden_error(s: dict, layer: int, o: int, activation: str) -> list:
    """f'(z⁽ˡ⁾) from the stored output, and δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ f'(z⁽ˡ⁾)."""
    f, up = SYMBOL[activation], layer + 1
    symbolic, numbers, exact = SLOPE_TEX[activation]
    a, Wt = s[f"a{layer}"], s[f"W{up}"].T
    s[f"fp{layer}"] = fp = sig(exact(a))
    slope = (rf"{f}'({Z(layer)}) = {symbolic(A(layer))} = "
             + (f"{numbers(mat(a))} = " if numbers else "") + mat(fp))
    if up == o:  # δ at the output is one number: a scalar multiple of the column
        s[f"d{layer}"] = sig(Wt * s[f"d{o}"] * fp)
        back = rf"{mat(Wt)} \cdot {factor(s[f'd{o}'])}"
    else:
        s[f"d{layer}"] = sig((Wt @ s[f"d{up}"]) * fp)
        back = rf"{mat(Wt)}{mat(s[f'd{up}'])}"
    # deeper than the tutorial: the slope on its own line, to fit a phone
    times = ODOT_BREAK if o > 2 else r" \odot "
    source = "the output error" if up == o else f"layer {up}'s error"
    who = "Hidden error" if o == 2 else f"Hidden layer {layer}'s error"
    lines = [
        (layer, "Each hidden unit's slope, from its stored output." if o == 2 else
         f"Each unit's slope in hidden layer {layer}, from its stored output.", slope),
        (layer, f"{who}: {source} sent back through {n.layer('W', up)}, scaled by each "
                "unit's slope.",
         rf"{D(layer)} = ({W(up)})^T{D(up)} \odot {f}'({Z(layer)}) = {back}{times}{mat(fp)}"
         rf" = {mat(s[f'd{layer}'])}"),
    ]
    if activation in FROM_Z_TEX:
        symbolic, numbers = FROM_Z_TEX[activation]
        z = tofloat(s[f"z{layer}"])
        from_z = sig(nn.DERIVATIVES[activation](nn.ACTIVATIONS[activation](z)))
        lines.append((layer,
            "The slope again, from z: it agrees with the one from the stored output (up to "
            "the last digit's rounding), so the backward pass never needs z.",
            rf"{symbolic(Z(layer))} = {numbers(mat(s[f'z{layer}']))} = {mat(from_z)}"))
    return lines


def _summary(s: dict, o: int) -> list:
    """Every layer's activations and error for this sample, side by side as columns."""
    lines = []
    for layer in range(1, o + 1):
        a, d = s[f"a{layer}"], s[f"d{layer}"]
        show = mat if np.ndim(a) else tx
        # "=" without spaces: one line, never stacked (the columns are the narrow form)
        lines.append((None, "" if lines else
                      "Every layer at a glance, for this sample: its activations a and its "
                      f"error δ (the superscript is the layer; layer {o} is the output), "
                      "worked out in full in the layer you pick.",
                      rf"{A(layer)}={show(a)},\quad {D(layer)}={show(d)}"))
    return lines


def _keep(items: list, focus: int | None) -> list:
    """The lines of layer ``focus`` (and every untagged one); a dropped line's explanation
    moves to the next kept line that has none, so no section loses its words."""
    kept, carry = [], ""
    for layer, text, latex in items:
        if focus is not None and layer is not None and layer != focus:
            carry = carry or text
            continue
        kept.append((text or carry, latex))
        carry = ""
    return kept


def step_equations(snap: dict, X, y, sample: int, activation: str, loss: str,
                   lr: float, update: str = "batch", focus: int | None = None,
                   ) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sections ``[(title, [(explanation, latex), ...]), ...]`` for sample ``sample``.

    snap : one snapshot (params W1 … b{o}, forward and backward quantities, batch
        gradients), at any depth.
    focus : None for every layer's equations; or one layer (1 … o) whose equations
        are kept, with a first section summarising every layer's a⁽ˡ⁾ and δ⁽ˡ⁾.
    The per-sample gradients are delta times the layer input. In batch mode the
    update uses their sum over all samples, as in the tutorial, and every
    sample's share is listed (up to ``TABLE_ROWS`` samples); in online mode it
    uses this sample's gradients alone.
    """
    from .figures import sample_labels  # labels only; figures imports nothing from here

    o = nn.layers_of(snap)
    if focus is not None and not 1 <= focus <= o:
        raise ValueError(f"focus must be a layer between 1 and {o}, got {focus}")
    with localcontext() as ctx, np.errstate(all="ignore"):  # diverged: NaN/∞ print, no raise
        ctx.prec, ctx.traps[InvalidOperation], ctx.traps[Overflow] = 60, False, False
        s, forward = _forward(snap, X[:, sample:sample + 1], activation)
        front, chain, back = _loss_and_output_error(s, o, float(y[0, sample]), loss)
        for layer in range(o - 1, 0, -1):
            back += _hidden_error(s, layer, o, activation)
        grads = gradient_lines(s, o)
        if update == "batch":
            more, totals = batch_lines(snap, s, X, sample, activation, sample_labels(X))
            grads += more
            how = (f"Batch update: the gradients summed over all {X.shape[1]} samples, times "
                   f"the learning rate α = {lr:g}, are subtracted. Δ is the change; each "
                   "weight is shown with the decimals its change needs.")
        else:
            totals = sample_grads(s, o)
            how = (f"Online update: this sample's gradients alone, times the learning rate "
                   f"α = {lr:g}, are subtracted; the next sample then sees the new weights. "
                   "Δ is the change; each weight is shown with the decimals its change needs.")
        changes = update_lines(snap, totals, lr, r"\textstyle\sum " if update == "batch" else "")
        changes[0] = (changes[0][0], how, changes[0][2])
        summary = _summary(s, o)
    sections = [("1 · Forward pass", forward + front[:1]), ("2 · Loss", front[1:]),
                ("3 · Chain-rule factors", chain), ("4 · Errors (deltas)", back),
                ("5 · Gradients", grads), ("6 · Update", changes)]
    if focus is not None:
        sections.insert(0, ("Every layer", summary))
    return [(title, [(text, stack(latex)) for text, latex in _keep(items, focus)])
            for title, items in sections]


def layer_summary(snap: dict, X, y, sample: int, activation: str, loss: str
                  ) -> list[tuple[str, str]]:
    """Only the "Every layer" lines of :func:`step_equations` (a⁽ˡ⁾ and δ⁽ˡ⁾ per layer)."""
    return step_equations(snap, X, y, sample, activation, loss, 0.0, "online",
                          focus=nn.layers_of(snap))[0][1]
