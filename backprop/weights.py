"""Weights set by hand: named starting points, and the weights' form in a link, at any depth.

``STARTS`` holds three starts for the tutorial's 2-2-1 network, each with a sentence
on what it shows (they are about its two hidden units, so other sizes have none).
``to_text`` / ``from_text`` turn a network's weights, W1, b1, ..., W{L+1}, b{L+1},
into the short text a URL carries (``w=``) and back, checking every number and shape.
"""

from __future__ import annotations

import math

import numpy as np

from . import nn
from .config import format_value
from .runfile import param_shapes

# A hand-built XOR solution: hidden unit 1 is OR, hidden unit 2 is AND, and the
# output fires for "OR and not AND". Weights of 20 make each unit almost a step.
OR_AND = {
    "W1": np.array([[20.0, 20.0], [20.0, 20.0]]),
    "b1": np.array([[-10.0], [-30.0]]),  # OR fires above x1 + x2 = 0.5, AND above 1.5
    "W2": np.array([[20.0, -20.0]]),
    "b2": np.array([[-10.0]]),
}
# Both hidden units saturated on every sample: z⁽¹⁾ ≥ 6, so σ′(z⁽¹⁾) ≤ 0.0025.
SATURATED = {
    "W1": np.array([[6.0, 6.0], [6.0, 6.0]]),
    "b1": np.array([[6.0], [6.0]]),
    "W2": np.array([[1.0, -1.0]]),
    "b2": np.array([[0.0]]),
}

STARTS = {
    "tutorial": ("the tutorial's start (seed 0)",
                 "The weights np.random.seed(0) gives the tutorial: the run that gets stuck."),
    "or-and": ("a hand-built solution (OR and AND)",
               "Hidden unit 1 computes OR, hidden unit 2 AND; the output says OR and not AND."),
    "saturated": ("a saturated start",
                  "Every hidden unit is saturated on every sample: σ′ is tiny, so gradient "
                  "descent can hardly move the hidden weights."),
}

MAX_WEIGHT = 1e4  # bigger weights only saturate every unit; a typo, surely
MAX_TEXT = 40_000  # the largest network (4 layers of 16) in shortest exact floats, with room
TUTORIAL = (2,)  # the hidden widths the named starts are for


def start(name: str) -> dict:
    """A copy of the named start's weights: W1 (2, 2), b1 (2, 1), W2 (1, 2), b2 (1, 1).

    The starts are for the 2-2-1 network only (see ``has_starts``).
    """
    if name == "tutorial":
        return nn.init_params(2, "normal", 0)
    if name not in STARTS:
        raise ValueError(f"start must be one of {', '.join(STARTS)}, got {name!r}")
    return {k: v.copy() for k, v in {"or-and": OR_AND, "saturated": SATURATED}[name].items()}


def has_starts(hidden, dataset: str = "xor") -> bool:
    """True for the network and data the named starts are made for (2-2-1 on XOR)."""
    return nn.widths_of(hidden) == TUTORIAL and dataset == "xor"


def shapes(hidden) -> dict[str, tuple[int, int]]:
    """W1 (h1, 2), b1 (h1, 1), ..., W{L+1} (1, hL), b{L+1} (1, 1) for these hidden widths."""
    return param_shapes(hidden)


def to_text(params: dict) -> str:
    """Every weight, row by row, as ``W1:a,b,c,d;b1:e,f;W2:g,h;b2:i`` (shortest exact floats)."""
    return ";".join(f"{name}:" + ",".join(repr(float(v)) for v in np.ravel(params[name]))
                    for name in nn.param_names(nn.layers_of(params)))


def from_text(text: str, hidden) -> dict:
    """Read ``to_text``'s form for a network of these hidden widths; raise ValueError if bad.

    The message names the parameter, the problem and what was expected.
    """
    wanted = shapes(hidden)
    names = tuple(wanted)
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        form = ";".join(name + ":..." for name in names)
        raise ValueError(f"w must be a short text of weights, {form}")
    parts = {}
    for chunk in text.split(";"):
        name, sep, values = chunk.partition(":")
        name = name.strip()
        if not sep or name not in names:
            raise ValueError(f"w: expected name:values for each of "
                             f"{', '.join(names)}, got {chunk[:30]!r}")
        if name in parts:
            raise ValueError(f"w: {name} appears twice")
        parts[name] = values
    missing = [name for name in names if name not in parts]
    if missing:
        raise ValueError(f"w: missing {', '.join(missing)}")
    params = {}
    for name, shape in wanted.items():
        numbers = [_weight(name, v) for v in parts[name].split(",")]
        if len(numbers) != shape[0] * shape[1]:
            raise ValueError(f"w: {name} needs {shape[0] * shape[1]} numbers for hidden = "
                             f"{format_value(nn.widths_of(hidden))}, got {len(numbers)}")
        params[name] = np.array(numbers).reshape(shape)
    return params


def _weight(name: str, text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"w: {name} must hold numbers, got {text.strip()[:20]!r}") from None
    if not math.isfinite(value) or abs(value) > MAX_WEIGHT:
        raise ValueError(f"w: every weight must be a finite number of size at most "
                         f"{MAX_WEIGHT:g}, got {text.strip()[:20]!r} in {name}")
    return value
