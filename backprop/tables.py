"""Tables for the dashboard and downloads, as pandas DataFrames or CSV text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import notation as n
from .diagnosis import correct

# How a gradient-check row's parameter is named: W1[j,k] is W⁽¹⁾ⱼₖ, b1[j] is b⁽¹⁾ⱼ.
_PARAMETER = {"W": lambda layer, idx: n.weight(layer, *idx),
              "b": lambda layer, idx: n.bias(layer, idx[0])}


def truth_columns(X, y, predictions) -> dict[str, np.ndarray]:
    """The truth table's columns by name: x₁, x₂, target, prediction, correct (✓/✗)."""
    right = correct(predictions, y[0])
    return {n.inp(1): X[0], n.inp(2): X[1], "target": y[0].astype(int),
            "prediction": predictions, "correct": np.where(right, "✓", "✗")}


def truth_table(X, y, predictions) -> pd.DataFrame:
    """x₁, x₂, target, prediction, correct (✓/✗) for every sample."""
    return pd.DataFrame(truth_columns(X, y, predictions))


def parameter_name(param: str, index) -> str:
    """``W⁽¹⁾₂₁`` for ("W1", (1, 0)): the tutorial's name of one weight, 1-based."""
    return _PARAMETER[param[0]](int(param[1:]), [i + 1 for i in index])


def gradient_table(rows) -> pd.DataFrame:
    """``nn.gradient_check`` rows as a table with the tutorial's parameter names (W⁽¹⁾₂₁)."""
    return pd.DataFrame([{
        "parameter": parameter_name(r["param"], r["index"]),
        "backprop": r["analytic"], "numerical": r["numeric"], "relative error": r["rel_error"],
        "ok": "✓" if r["rel_error"] < 1e-5 or abs(r["analytic"] - r["numeric"]) < 1e-9 else "✗",
    } for r in rows])


def loss_csv(loss) -> str:
    """The loss history as CSV: epoch, mse."""
    return pd.DataFrame({"epoch": np.arange(len(loss)), "mse": loss}).to_csv(index=False)
