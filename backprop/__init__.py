"""Backprop Lab: a 2-H-1 network trained by hand-written backpropagation in NumPy."""

from .config import DEFAULTS, FIELDS, TrainConfig, from_query, to_query
from .training import History, Run, train

__all__ = ["DEFAULTS", "FIELDS", "History", "Run", "TrainConfig", "from_query",
           "to_query", "train"]
