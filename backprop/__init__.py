"""Backprop Lab: a 2-H-1 network trained by hand-written backpropagation.

Read it top-down:

- ``nn``: activations and their derivatives (from the output), losses, optimizers,
  init, forward, backward, gradient check: the maths, as the tutorial writes it;
- ``loops``: the NumPy training loops (the reference); ``kernels``: the same loops
  compiled with numba; ``compiled``: which engine runs, and the fallback;
- ``training``: one run and its bounded, replayable history; ``many``: many seeds
  in one pass; ``live``: training in chunks; ``diagnosis``: solved or stuck, on
  which plateau; ``explore``: census, sweep, saturation; ``lru``: a shared store;
- ``field``, ``config``: every setting, declared once, and its URL form;
  ``datasets``, ``userdata``: the data; ``runfile``: JSON run files, every version;
  ``cli``: ``python -m backprop train | script | settings``;
- ``look``, ``notation``, ``figures``, ``explore_figures``, ``diagram``, ``plane``,
  ``landscape``, ``replay``: pure figure builders (arrays in, ``go.Figure`` out);
- ``steps``, ``shown``: one backprop step as equations that check by hand;
  ``lessons``, ``weights``, ``export``, ``presets``, ``tables``: teaching material.

Nothing here imports Streamlit; ``app.py`` and the ``ui`` package are the UI.
"""

from .config import DEFAULTS, FIELDS, TrainConfig, from_query, read_query, to_query
from .many import ManyRuns, train_many
from .training import History, Run, train

__all__ = ["DEFAULTS", "FIELDS", "History", "ManyRuns", "Run", "TrainConfig", "from_query",
           "read_query", "to_query", "train", "train_many"]
