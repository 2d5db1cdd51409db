"""Exports for class: a standalone NumPy script that reproduces a run, and the step as LaTeX.

``standalone_script(config)`` writes the tutorial's program again with this run's
settings and initial weights filled in: the same forward pass, ½ squared error
(or cross-entropy), deltas and updates, in plain NumPy with no import of this
package. Run on its own, it prints the ``Epoch N, Loss: X`` lines that
``python -m backprop train`` prints for the same settings (``log_line`` is the one
format both use).

The tutorial's network with plain gradient descent gets the tutorial's own program
(W1, b1, W2, b2 by name). Any other depth or optimizer gets the same program written
over a list of layers, with the optimizer's update (``OPTIMIZER_CODE``) in it.
"""

from __future__ import annotations

import numpy as np

from . import nn
from .config import FIELDS, TrainConfig, format_value
from .script_code import (
    ACTIVATION_CODE,
    DELTA_CODE,
    DELTA_OUT_CODE,
    LAYERED,
    LAYERED_BATCH,
    LAYERED_ONLINE,
    OPTIMIZER_CODE,
    TUTORIAL,
    TUTORIAL_BATCH,
    TUTORIAL_ONLINE,
)
from .training import dataset


def log_line(epoch: int, mse: float) -> str:
    """One line of the training log: ``Epoch 1000, Loss: 0.2497...`` (the tutorial's form).

    Twelve significant digits: enough to follow training, and the same whatever
    order the arithmetic was done in (the last bits of a float are not).
    """
    return f"Epoch {epoch}, Loss: {mse:.12g}"


def step_latex(sections, title: str = "One backpropagation step") -> str:
    """The Backprop step view as LaTeX source: a section per part, each equation displayed.

    sections : what ``steps.step_equations`` returns, ``[(title, [(text, latex), ...])]``.
    Plain text is escaped; the equations are passed through as they are.
    """
    lines = ["% Compile with lualatex or xelatex: the text uses Unicode symbols (σ′, ⁽¹⁾).",
             "\\documentclass{article}", "\\usepackage{amsmath}", "\\begin{document}",
             f"\\section*{{{_latex_text(title)}}}"]
    for heading, items in sections:
        lines.append(f"\\subsection*{{{_latex_text(heading)}}}")
        for text, latex in items:
            if text:
                lines.append(_latex_text(text) + "\n")
            lines.append(f"\\[ {latex} \\]")
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def _latex_text(text: str) -> str:
    """Plain text made safe for LaTeX (its special characters escaped)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _array(values) -> str:
    """A NumPy array literal that reads back exactly (floats via repr)."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    text = ",\n    ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in rows)
    return f"np.array([\n    {text},\n])"


def command_line(config: TrainConfig) -> str:
    """The ``python -m backprop train`` command for the settings that differ from the defaults."""
    flags = [f"--{name} {format_value(getattr(config, name))}" for name, field in FIELDS.items()
             if getattr(config, name) != getattr(TrainConfig(), name) and field.kind != "points"]
    if config.dataset == "custom" and config.data:  # the flag takes the points as a CSV file
        flags = [f for f in flags if not f.startswith("--dataset ")] + ["--data points.csv"]
    return " ".join(["python -m backprop train", *flags])


def standalone_script(config: TrainConfig, params: dict | None = None,
                      log_every: int = 1000) -> str:
    """Python source that trains this run with NumPy alone and prints its log.

    params : the initial weights (W1 (h1, 2), b1 (h1, 1), ..., W{L+1} (1, hL), b{L+1}
        (1, 1)); default: the seed's, as ``train`` draws them.
    """
    if params is None:
        params = nn.init_params(config.hidden, config.init, config.seed)
    layers = len(nn.widths_of(config.hidden)) + 1
    X, y = dataset(config)
    act, act_prime = ACTIVATION_CODE[config.activation]
    settings = ", ".join(f"{name}={format_value(getattr(config, name))}" for name in FIELDS)
    common = {"settings": settings, "command": command_line(config), "act": act,
              "act_prime": act_prime, "X": _array(X), "y": _array(y),
              "lr": repr(float(config.lr)), "epochs": config.epochs,
              "every": max(int(log_every), 0), "seed": config.seed}
    if layers == 2 and config.optimizer == "gd":  # the tutorial's program, by name
        update = TUTORIAL_ONLINE if config.update == "online" else TUTORIAL_BATCH
        return TUTORIAL.format(
            **common, W1=_array(params["W1"]), b1=_array(params["b1"]),
            W2=_array(params["W2"]), b2=_array(params["b2"]),
            delta2=DELTA_CODE[config.loss], update=update.strip("\n"))
    names = nn.param_names(layers)
    update = LAYERED_ONLINE if config.update == "online" else LAYERED_BATCH
    optimizer = OPTIMIZER_CODE[config.optimizer].replace("{mu}", repr(float(config.momentum)))
    return LAYERED.format(
        **common, weights="\n".join(f"{name} = {_array(params[name])}" for name in names),
        names=", ".join(names), sizes=" -> ".join(map(str, (2, *nn.widths_of(config.hidden), 1))),
        delta_out=DELTA_OUT_CODE[config.loss], update=update.strip("\n"),
        optimizer=optimizer.strip("\n"))
