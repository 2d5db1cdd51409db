"""The symbols and layout shared by the step-by-step equations (``steps``, ``step_grads``).

Layer l's symbols come from :mod:`backprop.notation`; layer 0's activation is the
sample x. Long equations are stacked, one ``= ...`` per line, so they fit a phone.
"""

from __future__ import annotations

from . import notation as n

# Output range of each hidden activation (None: unbounded above).
RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}

BREAK = r" \\[4pt] &= "
TERM_BREAK = r" \\[4pt] &\quad + "
ODOT_BREAK = r" \\[4pt] &\quad \odot "


def A(layer: int) -> str:
    """``a^{(l)}``; the sample ``x`` for layer 0."""
    return "x" if layer == 0 else n.tex("a", layer)


def Z(layer: int) -> str:
    return n.tex("z", layer)


def W(layer: int) -> str:
    return n.tex("W", layer)


def B(layer: int) -> str:
    return n.tex("b", layer)


def D(layer: int) -> str:
    return n.tex(r"\delta", layer)


def input_T(layer: int) -> str:
    """The transposed input of layer l: ``x^T`` for the first, ``(a^{(l-1)})^T`` above."""
    return "x^T" if layer == 1 else rf"({A(layer - 1)})^T"


def frac(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def stack(latex: str) -> str:
    """``a = b = c`` as an aligned block with each ``= ...`` on its own line."""
    first, *rest = latex.split(" = ")
    if not rest:
        return latex
    return r"\begin{aligned}" + first + " &= " + BREAK.join(rest) + r"\end{aligned}"


def unstack(latex: str) -> str:
    """The one-line form of :func:`stack`'s output (for reading the numbers back)."""
    for old, new in ((r"\begin{aligned}", ""), (r"\end{aligned}", ""), (BREAK, " = "),
                     (TERM_BREAK, " + "), (ODOT_BREAK, r" \odot "), (" &= ", " = ")):
        latex = latex.replace(old, new)
    return latex
