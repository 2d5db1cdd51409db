"""Weights set by hand: named starting points, and the weights' form in a link.

``STARTS`` holds three starts for the 2-2-1 network, each with a sentence on what
it shows. ``to_text`` / ``from_text`` turn a network's weights into the short text
a URL carries (``w=``) and back, checking every number and shape.
"""

from __future__ import annotations

import math

import numpy as np

from . import nn

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


def start(name: str) -> dict:
    """A copy of the named start's weights: W1 (2, 2), b1 (2, 1), W2 (1, 2), b2 (1, 1)."""
    if name == "tutorial":
        return nn.init_params(2, "normal", 0)
    if name not in STARTS:
        raise ValueError(f"start must be one of {', '.join(STARTS)}, got {name!r}")
    return {k: v.copy() for k, v in {"or-and": OR_AND, "saturated": SATURATED}[name].items()}


def shapes(hidden: int) -> dict[str, tuple[int, int]]:
    return {"W1": (hidden, 2), "b1": (hidden, 1), "W2": (1, hidden), "b2": (1, 1)}


def to_text(params: dict) -> str:
    """Every weight, row by row, as ``W1:a,b,c,d;b1:e,f;W2:g,h;b2:i`` (shortest exact floats)."""
    return ";".join(f"{name}:" + ",".join(repr(float(v)) for v in np.ravel(params[name]))
                    for name in nn.PARAM_NAMES)


def from_text(text: str, hidden: int) -> dict:
    """Read ``to_text``'s form for a network of ``hidden`` units; raise ValueError if bad.

    The message names the parameter, the problem and what was expected.
    """
    if not isinstance(text, str) or len(text) > 20_000:
        raise ValueError("w must be a short text of weights, W1:...;b1:...;W2:...;b2:...")
    parts = {}
    for chunk in text.split(";"):
        name, sep, values = chunk.partition(":")
        name = name.strip()
        if not sep or name not in nn.PARAM_NAMES:
            raise ValueError(f"w: expected name:values for each of "
                             f"{', '.join(nn.PARAM_NAMES)}, got {chunk[:30]!r}")
        if name in parts:
            raise ValueError(f"w: {name} appears twice")
        parts[name] = values
    missing = [name for name in nn.PARAM_NAMES if name not in parts]
    if missing:
        raise ValueError(f"w: missing {', '.join(missing)}")
    params = {}
    for name, shape in shapes(hidden).items():
        numbers = [_weight(name, v) for v in parts[name].split(",")]
        if len(numbers) != shape[0] * shape[1]:
            raise ValueError(f"w: {name} needs {shape[0] * shape[1]} numbers for hidden = "
                             f"{hidden}, got {len(numbers)}")
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
