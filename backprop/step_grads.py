"""The gradient and update lines of the step-by-step equations, at any depth.

Each layer l's gradient for one sample is its error times its input,
∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ and ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾; in batch mode the update uses their sum
over the samples. Lines are ``(layer, explanation, latex)``, from the output down;
``steps.step_equations`` puts them together.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from .datasets import TABLE_ROWS
from .shown import bounded, change_decimals, factor, fixed, mat, sig, term, tx
from .step_tex import RANGE, TERM_BREAK, A, B, D, W, frac, input_T


def _grad_symbol(layer: int, o: int) -> str:
    """δ⁽ᵒ⁾(a⁽ᵒ⁻¹⁾)ᵀ for the output, δ⁽ˡ⁾x^T or δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ below."""
    return rf"{D(layer)}{input_T(layer)}" if layer < o else rf"{D(o)}({A(o - 1)})^T"


def sample_grads(s: dict, o: int) -> dict:
    """One sample's gradients from its shown values: W{l} and b{l} for every layer."""
    g = {f"W{o}": sig(s[f"d{o}"] * s[f"a{o - 1}"].T), f"b{o}": s[f"d{o}"]}
    for layer in range(o - 1, 0, -1):
        g[f"W{layer}"] = sig(s[f"d{layer}"] @ s[f"a{layer - 1}"].T)
        g[f"b{layer}"] = s[f"d{layer}"]
    return g


def _share(s: dict, g: dict, layer: int, o: int) -> str:
    """The numbers of one sample's W gradient: δ times the input transposed."""
    if layer == o:
        return rf"{factor(s[f'd{o}'])} \cdot {mat(s[f'a{o - 1}'].T)} = {mat(g[f'W{o}'])}"
    return rf"{mat(s[f'd{layer}'])}{mat(s[f'a{layer - 1}'].T)} = {mat(g[f'W{layer}'])}"


def gradient_lines(s: dict, o: int) -> list:
    g = sample_grads(s, o)
    lines = []
    for layer in range(o, 0, -1):
        bias = tx(g[f"b{o}"]) if layer == o else mat(g[f"b{layer}"])
        lines += [
            (layer, "" if lines else
             "This sample's share of each gradient: the error times the layer's input.",
             rf"{frac('L', W(layer))} = {_grad_symbol(layer, o)} = {_share(s, g, layer, o)}"),
            (layer, "", rf"{frac('L', B(layer))} = {D(layer)} = {bias}")]
    return lines


def _sample_of(snap: dict, s: dict, X, k: int, sample: int, activation: str, o: int) -> dict:
    """Shown per-sample values: this step's own for ``sample``, the snapshot's for others."""
    if k == sample:
        return s
    lo, hi = RANGE[activation]
    x = X[:, k:k + 1]
    shown = {"a0": sig(x) if np.any(x % 1) else fixed(x, 0), f"d{o}": sig(snap[f"delta{o}"][0, k])}
    for layer in range(1, o):
        shown[f"a{layer}"] = bounded(snap[f"a{layer}"][:, k:k + 1], lo, hi)
        shown[f"d{layer}"] = sig(snap[f"delta{layer}"][:, k:k + 1])
    return shown


def _batch_totals(snap: dict, o: int) -> dict:
    """The batch gradients in full precision, rounded for display."""
    totals = {f"b{o}": sig(snap[f"db{o}"][0, 0])}
    for layer in range(1, o + 1):
        totals[f"W{layer}"] = sig(snap[f"dW{layer}"])
        if layer < o:
            totals[f"b{layer}"] = sig(snap[f"db{layer}"])
    return totals


def batch_lines(snap: dict, s: dict, X, sample: int, activation: str,
                labels: list[str]) -> tuple[list, dict]:
    """Each sample's contribution to each gradient, and their sum (the batch gradient)."""
    count, o = X.shape[1], len([k for k in snap if k[0] == "W"])
    if count > TABLE_ROWS:  # too many to list: the sum, computed in full precision
        totals = _batch_totals(snap, o)
        sums = [rf"\textstyle\sum {_grad_symbol(layer, o)} = {mat(totals[f'W{layer}'])}"
                for layer in range(o, 0, -1)]
        words = (f"The batch gradient: the sum of all {count} samples' shares (too many to "
                 "list here; pick any sample to see its share worked out).")
        if o == 2:  # the tutorial's two sums fit one line
            return [(None, words, sums[0] + r",\quad " + sums[1].replace(r"\textstyle", "", 1))
                    ], totals
        return [(layer, "" if i else words, line)
                for i, (layer, line) in enumerate(zip(range(o, 0, -1), sums, strict=True))], totals
    sources = [_sample_of(snap, s, X, k, sample, activation, o) for k in range(count)]
    shares = [sample_grads(src, o) for src in sources]
    totals = {name: sig(sum(g[name] for g in shares)) for name in shares[0]}
    lines = []
    for k, (src, g) in enumerate(zip(sources, shares, strict=True)):
        mark = r"\text{ (this sample)}" if k == sample else ""
        for layer in range(o, 0, -1):
            words = "" if layer < o else (
                f"Sample {labels[k]}'s share." if k else
                "Batch mode: every sample adds its share, worked out from its own errors "
                "(choose another sample to see its deltas computed).")
            lines.append((layer, words, rf"\text{{{labels[k]}: }}{_grad_symbol(layer, o)} = "
                                        rf"{_share(src, g, layer, o)}{mark}"))
    for layer in range(o, 0, -1):
        joined = TERM_BREAK.join(mat(g[f"W{layer}"]) for g in shares)
        if layer == o:
            bias = tx(shares[0][f"b{o}"]) + "".join(" " + term(g[f"b{o}"]) for g in shares[1:])
        else:
            bias = TERM_BREAK.join(mat(g[f"b{layer}"]) for g in shares)
        show = tx if layer == o else mat
        lines += [
            (layer, "" if layer < o else f"The batch gradients: the {count} shares added up.",
             rf"\textstyle\sum {_grad_symbol(layer, o)} = {joined} = "
             rf"{mat(totals[f'W{layer}'])}"),
            (layer, "", rf"\textstyle\sum {D(layer)} = {bias} = {show(totals[f'b{layer}'])}")]
    return lines, totals


def update_lines(snap: dict, grads: dict, lr: float, total: str) -> list:
    """Δ = −α·gradient, then the weight plus Δ, with the decimals Δ needs to be seen."""
    alpha = sig(lr, 12).normalize()
    o = len([k for k in grads if k[0] == "W"])
    lines = []
    for layer in range(o, 0, -1):
        for name, symbol, grad in ((f"W{layer}", W(layer), _grad_symbol(layer, o)),
                                   (f"b{layer}", B(layer), D(layer))):
            g = grads[name]
            change = sig(-alpha * g)
            places = change_decimals(change)
            before = fixed(snap[name] if name != f"b{o}" else snap[name][0, 0], places)
            after = np.vectorize(lambda v, p: v.quantize(Decimal(1).scaleb(-int(p))),
                                 otypes=[object])(before + change, places)
            show = mat if np.ndim(g) else tx
            if not np.ndim(g):
                after = after.item()
            lines.append((layer, "", rf"\Delta {symbol} = -\alpha{total}{grad} = -{tx(alpha)} "
                                     rf"\cdot {show(g) if np.ndim(g) else factor(g)} = "
                                     rf"{show(change)}"))
            added = show(before) + TERM_BREAK + show(change) if np.ndim(g) else \
                rf"{tx(before)} {term(change)}"
            lines.append((layer, "", rf"\text{{new }}{symbol} = {symbol} + \Delta {symbol} = "
                                     rf"{added} = {show(after)}"))
    return lines
