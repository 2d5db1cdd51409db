"""Backprop Lab: a 2-H-1 network trained by hand-written backpropagation in NumPy.

Read top-down: ``nn`` (activations, losses, forward, backward), ``training``
(one run and its history), ``many`` (many seeds at once), ``datasets``,
``config`` (every setting), ``runfile`` (JSON run files), ``figures``.
"""

from .config import DEFAULTS, FIELDS, TrainConfig, from_query, to_query
from .many import ManyRuns, train_many
from .training import History, Run, train

__all__ = ["DEFAULTS", "FIELDS", "History", "ManyRuns", "Run", "TrainConfig", "from_query",
           "to_query", "train", "train_many"]
