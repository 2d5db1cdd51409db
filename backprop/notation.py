"""The tutorial's notation, in one place, for every title, axis, hover text and equation.

Layers are numbered from 1 (the first hidden layer) to the output, as in the
tutorial: ``W⁽¹⁾``, ``b⁽¹⁾``, ``z⁽¹⁾``, ``a⁽¹⁾``, ``δ⁽¹⁾``; the output layer of
the 2-2-1 network is layer 2. Units and inputs are numbered from 1. Every helper
takes the layer, so deeper networks reuse them unchanged.

Plain-text forms (Unicode super- and subscripts) are for Plotly titles, axes and
hover text; the ``tex_`` forms are LaTeX for the step-by-step equations.
"""

from __future__ import annotations

from .nn import widths_of

_SUP = str.maketrans("0123456789()+-lL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻ˡᴸ")
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")

# How each hidden activation and its derivative are written (the output is a sigmoid).
ACTIVATION_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}
TEX_ACTIVATION = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}"}


def _sub(*indices: int) -> str:
    """Subscript indices: ``₁₂``, or ``₁₀,₂`` when one index has two digits."""
    glue = "," if any(i >= 10 for i in indices) else ""
    return glue.join(str(i) for i in indices).translate(_SUB)


def layer(symbol: str, n: int | str) -> str:
    """``W⁽¹⁾``: a layer's quantity. symbol is one of W, b, z, a, δ.

    n may also be a symbol: ``layer("z", "l")`` is ``z⁽ˡ⁾``, ``layer("a", "L+1")`` ``a⁽ᴸ⁺¹⁾``.
    """
    return f"{symbol}{f'({n})'.translate(_SUP)}"


def unit(symbol: str, n: int, j: int) -> str:
    """``a⁽¹⁾₂``: unit j (1-based) of layer n."""
    return layer(symbol, n) + _sub(j)


def weight(n: int, j: int, k: int) -> str:
    """``W⁽¹⁾₂₁``: the weight from unit (or input) k of layer n−1 to unit j of layer n."""
    return layer("W", n) + _sub(j, k)


def bias(n: int, j: int) -> str:
    """``b⁽¹⁾₂``: the bias of unit j of layer n."""
    return unit("b", n, j)


def inp(k: int) -> str:
    """``x₁``: input k (1-based)."""
    return "x" + _sub(k)


def hidden_unit(j: int) -> str:
    """``hidden unit 2``: how a figure names unit j of the hidden layer in words."""
    return f"hidden unit {j}"


def layer_unit(n: int, j: int) -> str:
    """``layer 2 unit 3``: unit j of hidden layer n in words (deeper networks)."""
    return f"layer {n} unit {j}"


def derivative_unit(activation: str, n: int, j: int) -> str:
    """``σ′(z⁽²⁾₃)``: the slope of unit j of layer n."""
    return f"{ACTIVATION_SYMBOL[activation]}′({unit('z', n, j)})"


def derivative(activation: str, n: int | str = 1) -> str:
    """``σ′(z⁽¹⁾)``: the slope of layer n's activation, for titles and colour bars."""
    return f"{ACTIVATION_SYMBOL[activation]}′({layer('z', n)})"


def activation_of(activation: str, n: int | str = 1) -> str:
    """``a⁽¹⁾ = σ(z⁽¹⁾)``."""
    return f"{layer('a', n)} = {ACTIVATION_SYMBOL[activation]}({layer('z', n)})"


# --- LaTeX ------------------------------------------------------------------------


def tex(symbol: str, n: int) -> str:
    r"""``W^{(1)}``; symbol may be a LaTeX command such as ``\delta``."""
    return f"{symbol}^{{({n})}}"


def tex_unit(symbol: str, n: int, j: int) -> str:
    """``a^{(1)}_{2}``."""
    return f"{tex(symbol, n)}_{{{j}}}"


def tex_weight(n: int, j: int, k: int) -> str:
    """``W^{(1)}_{21}`` (``W^{(1)}_{10,2}`` when an index has two digits)."""
    glue = "," if j >= 10 or k >= 10 else ""
    return f"{tex('W', n)}_{{{j}{glue}{k}}}"


def tex_derivative(activation: str, n: int = 1) -> str:
    r"""``\sigma'(z^{(1)})``."""
    return f"{TEX_ACTIVATION[activation]}'({tex('z', n)})"


def layers_words(hidden) -> str:
    """``1 hidden layer of 2 units``, ``2 hidden layers of 3 and 2 units``."""
    widths = widths_of(hidden)
    sizes = " and ".join([", ".join(map(str, widths[:-1])), str(widths[-1])] if
                         len(widths) > 1 else [str(widths[0])])
    layers = "1 hidden layer" if len(widths) == 1 else f"{len(widths)} hidden layers"
    return f"{layers} of {sizes} unit{'' if widths == (1,) else 's'}"
