"""Numbers as the step-by-step view prints them: exact decimals a reader can check by hand.

Every shown value is a :class:`decimal.Decimal` (or an object array of them), rounded
once to the digits on screen. The next line of working is computed from those
rounded values with exact decimal arithmetic, so ``0.1·(−0.002088) = −0.0002088``
holds digit for digit, and a sum of printed terms is the printed sum. Only a
function value (σ, tanh, log) is evaluated in floating point and then rounded.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

SIG = 4  # significant digits of a shown number
MAX_DECIMALS = 12  # the most decimals a weight or activation is ever shown with


def _one_sig(v, sig: int) -> Decimal:
    if isinstance(v, Decimal):  # an exact result of shown numbers: round it exactly
        if not v.is_finite() or v.is_zero():
            return v
        return v.quantize(Decimal(1).scaleb(v.adjusted() - sig + 1))
    v = float(v)
    return Decimal(f"{v:.{sig - 1}e}") if math.isfinite(v) else Decimal(str(v))


def sig(v, digits: int = SIG):
    """``v`` rounded to ``digits`` significant digits, elementwise (Decimal or object array)."""
    if np.ndim(v) == 0:
        return _one_sig(v.item() if isinstance(v, np.ndarray) else v, digits)
    return np.vectorize(lambda x: _one_sig(x, digits), otypes=[object])(v)


def _one_fixed(v, decimals: int) -> Decimal:
    v = float(v)
    return Decimal(f"{v:.{decimals}f}") if math.isfinite(v) else Decimal(str(v))


def fixed(v, decimals):
    """``v`` rounded to ``decimals`` places (an int, or an array of ints per entry)."""
    if np.ndim(v) == 0:
        return _one_fixed(v, int(decimals))
    return np.vectorize(_one_fixed, otypes=[object])(v, decimals)


def _gap_decimals(v: float, lo: float, hi: float | None) -> int:
    """Decimals that give the distance to a saturation end SIG significant digits."""
    gaps = [v - lo] + ([hi - v] if hi is not None else [])
    gap = min(abs(g) for g in gaps)
    if not math.isfinite(gap) or gap <= 0:
        return MAX_DECIMALS
    return int(np.clip(SIG - 1 - math.floor(math.log10(gap)), SIG, MAX_DECIMALS))


def bounded(v, lo: float, hi: float | None):
    """An activation in (lo, hi): enough decimals that hi − a (or a − lo) keeps 4 digits.

    For a = 0.998703 the slope a(1 − a) depends on 1 − a = 0.001297, which 4
    significant digits of a (0.9987) would cut to 0.0013.
    """
    arr = np.asarray(v, dtype=float)
    if hi is None:  # unbounded above (ReLU): plain significant digits
        return sig(v)
    places = np.vectorize(lambda x: _gap_decimals(x, lo, hi), otypes=[int])(arr)
    return fixed(arr, places) if arr.ndim else fixed(float(arr), int(places))


def change_decimals(delta) -> np.ndarray:
    """Decimals per entry that show each change Δ with SIG significant digits (4 to 12)."""
    def one(d):
        d = float(d)
        if d == 0 or not math.isfinite(d):
            return SIG
        return int(np.clip(SIG - 1 - math.floor(math.log10(abs(d))), SIG, MAX_DECIMALS))
    return np.vectorize(one, otypes=[int])(np.asarray(delta, dtype=object))


def tofloat(v) -> np.ndarray:
    """Shown values back to floats, for evaluating a function on them."""
    return np.asarray(v, dtype=object).astype(float) if np.ndim(v) else float(v)


def tx(d: Decimal) -> str:
    r"""A shown number as LaTeX: ``0.1481``, ``-2``, or ``2.088\times10^{-7}`` when tiny or huge."""
    if not d.is_finite():
        return r"\mathrm{NaN}" if d.is_nan() else ("-" if d < 0 else "") + r"\infty"
    if d.is_zero():
        return "0"
    exponent = d.adjusted()
    if -5 <= exponent < 4:
        return format(d, "f")
    mantissa = format(d.scaleb(-exponent), "f")
    return rf"{mantissa}\times10^{{{exponent}}}"


def factor(d: Decimal) -> str:
    """A number used as a factor: negatives in brackets, ``(-0.002088)``."""
    text = tx(d)
    return rf"\left({text}\right)" if d.is_signed() and not d.is_zero() else text


def term(d: Decimal) -> str:
    """``+ 0.5`` or ``- 0.5``: a number added, with its sign as the operator."""
    return ("- " if d.is_signed() and not d.is_zero() else "+ ") + tx(abs(d))


def mat(a) -> str:
    """A column, row or matrix of shown numbers as a LaTeX bmatrix."""
    a = np.asarray(a, dtype=object)
    a = a.reshape(1, -1) if a.ndim < 2 else a
    rows = [" & ".join(tx(v) for v in row) for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
