"""The vanishing gradient in numbers, at any depth: what lesson 5 and the Compare page quote.

Backprop sends the output's error back one layer at a time::

    δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾)        dW⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ

so the error reaching layer 1 of a network with L hidden layers has been multiplied
by f′ L times. For the sigmoid f′ ≤ 1/4, so those factors alone can shrink it by
(1/4)^L. Everything here reads one snapshot of a run's history
(``History.at(k)``), whatever its depth.
"""

from __future__ import annotations

import numpy as np

from . import flow, nn, notation

# Where each derivative is looked for its peak: a fine grid of z that holds 0 itself.
PEAK_GRID = np.union1d(np.linspace(-10.0, 10.0, 20_001), [0.0])


def gradient_norms(snapshot: dict) -> np.ndarray:
    """‖dW⁽ˡ⁾‖ = sqrt(Σ dW⁽ˡ⁾²) for every weight layer l = 1 .. L+1, shape (L+1,).

    snapshot : one checkpoint, ``History.at(k)`` (``dW1`` (n1, 2), ..., ``dW{L+1}`` (1, nL)).
    """
    return np.array(flow.layer_norms(snapshot))


def derivative_means(snapshot: dict) -> np.ndarray:
    """f′(z⁽ˡ⁾) averaged over units and samples, for each hidden layer l = 1 .. L, (L,)."""
    return np.array(flow.layer_means(snapshot))


def derivative_peak(activation: str) -> tuple[float, float]:
    """The largest slope the hidden activation has, and the first z where it has it, found
    by evaluating the engine's own derivative over ``PEAK_GRID`` (σ′ peaks at z = 0, where
    σ = 1/2 and σ′ = 1/4)."""
    slope = nn.DERIVATIVES[activation](nn.ACTIVATIONS[activation](PEAK_GRID))
    top = int(np.argmax(slope))
    return float(slope[top]), float(PEAK_GRID[top])


def shrink(first: float, last: float) -> float:
    """How many times smaller the first layer's gradient is than the last's: last / first
    (inf when the first is 0, NaN when either is not finite)."""
    if not (np.isfinite(first) and np.isfinite(last)):
        return float("nan")
    return float("inf") if first == 0 else float(last) / float(first)


def shrink_text(factor: float) -> str:
    """``190× smaller`` for 190, ``2.5× larger`` for 0.4, in words."""
    if not np.isfinite(factor):
        return "not comparable (a gradient is zero or not finite)"
    if factor >= 1:
        return f"{factor:.3g}× smaller"
    return "larger (the output layer's is zero)" if factor == 0 else f"{1 / factor:.3g}× larger"


def norm_name(layer: int) -> str:
    """``‖dW⁽¹⁾‖``: the gradient norm of weight layer ``layer``, as the captions write it."""
    return f"‖d{notation.layer('W', layer)}‖"


def first_last_caption(snapshot: dict) -> str:
    """One line for any depth: the first and the output layer's gradient norms and how they
    compare (``‖dW⁽¹⁾‖ = 0.00081, ‖dW⁽⁵⁾‖ = 0.15: the first layer's is 190× smaller``)."""
    norms = gradient_norms(snapshot)
    last = len(norms)
    return (f"{norm_name(1)} = {norms[0]:.3g}, {norm_name(last)} = {norms[-1]:.3g}: the first "
            f"layer's gradient is {shrink_text(shrink(norms[0], norms[-1]))} than the output "
            "layer's")
