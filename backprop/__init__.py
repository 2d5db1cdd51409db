"""Backprop Lab: a 2-H-1 network trained by hand-written backpropagation in NumPy.

Read it top-down:

- ``nn``: activations and their derivatives (from the output), losses, init,
  forward, backward, update, gradient check;
- ``training``: one run and its bounded, replayable history; ``many``: many
  seeds in one vectorised pass; ``diagnosis``: solved, stuck (which plateau), ...;
- ``datasets``, ``config``: the data and every setting, with its URL form;
- ``runfile``: JSON run files; ``cli``: ``python -m backprop train``;
- ``plane``, ``figures``, ``diagram``, ``explore_figures``: pure figure builders;
- ``explore`` (census, sweep, saturation), ``steps`` (one step as equations),
  ``presets``, ``tables``.

Nothing here imports Streamlit; ``app.py`` is the only UI.
"""

from .config import DEFAULTS, FIELDS, TrainConfig, from_query, to_query
from .many import ManyRuns, train_many
from .training import History, Run, train

__all__ = ["DEFAULTS", "FIELDS", "History", "ManyRuns", "Run", "TrainConfig", "from_query",
           "to_query", "train", "train_many"]
