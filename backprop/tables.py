"""Tables for the dashboard and downloads, as pandas DataFrames or CSV text."""

from __future__ import annotations

import numpy as np
import pandas as pd


def truth_table(X, y, predictions) -> pd.DataFrame:
    """x1, x2, target, prediction, correct (✓/✗) for every sample."""
    correct = (predictions > 0.5) == (y[0] > 0.5)
    return pd.DataFrame({"x1": X[0], "x2": X[1], "target": y[0].astype(int),
                         "prediction": predictions, "correct": np.where(correct, "✓", "✗")})


def gradient_table(rows) -> pd.DataFrame:
    """``nn.gradient_check`` rows as a table with 1-based parameter names like W1[2,1]."""
    return pd.DataFrame([{
        "parameter": f"{r['param']}[{','.join(str(i + 1) for i in r['index'])}]",
        "backprop": r["analytic"], "numerical": r["numeric"], "relative error": r["rel_error"],
        "ok": "✓" if r["rel_error"] < 1e-5 or abs(r["analytic"] - r["numeric"]) < 1e-9 else "✗",
    } for r in rows])


def loss_csv(loss) -> str:
    """The loss history as CSV: epoch, mse."""
    return pd.DataFrame({"epoch": np.arange(len(loss)), "mse": loss}).to_csv(index=False)
