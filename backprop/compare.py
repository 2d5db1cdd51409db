"""Two runs side by side: run A (the current settings) and run B, which differs in some.

- ``differences``: which settings B changes;
- ``same_start``: whether B can start from A's initial weights (a fair race);
- ``train_pair``: both runs, B from A's start when it can;
- ``first_solving_seed``: the default B, A at the first seed that solves;
- ``b_query`` / ``read_b_query``: B in the link, as ``b.<setting>`` parameters;
- ``census_by_optimizer``: the census once per optimizer (issue 12.3);
- ``compare_loss_figure``: the two MSE curves on one chart.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import nn
from .config import FIELDS, TrainConfig
from .explore import census
from .figures import thin
from .look import BLUE, RED, styled_figure, trace
from .many import train_many
from .training import train

PREFIX = "b."  # B's settings in a link: b.seed=2, b.optimizer=adam
# The settings that draw the initial weights (the arguments of nn.init_params) and the
# data (of datasets.load). Changing any other setting leaves both as they were, so B can
# start where A started; tests/test_compare.py holds this list to that.
START_SETTINGS = ("hidden", "init", "seed")
DATA_SETTINGS = ("dataset", "samples", "noise", "data")
SOLVING_SEEDS = 20  # how many seeds the default B looks through


def differences(a: TrainConfig, b: TrainConfig) -> tuple[str, ...]:
    """The names of the settings where B differs from A, in ``FIELDS`` order."""
    return tuple(name for name in FIELDS if getattr(a, name) != getattr(b, name))


def same_start(a: TrainConfig, b: TrainConfig) -> bool:
    """True when B differs from A only in settings that neither draw the weights nor the data.

    Then B starts from A's initial weights: gd against Adam, ½SE against BCE or sigmoid
    against tanh race from one start, so the difference is the setting's alone.
    """
    return not set(differences(a, b)) & set(START_SETTINGS + DATA_SETTINGS)


def train_pair(a: TrainConfig, b: TrainConfig, params: dict | None = None):
    """Train A and B; returns ``(run_a, run_b, same)``.

    params : A's start (uploaded weights); default A's fresh init. When ``same_start``,
        B trains from the same weights; otherwise from its own init.
    """
    start = params if params is not None else nn.init_params(a.hidden, a.init, a.seed)
    same = same_start(a, b)
    return train(a, params=start), train(b, params=start if same else None), same


def first_solving_seed(config: TrainConfig, seeds=range(SOLVING_SEEDS),
                       skip: int | None = None) -> int | None:
    """The first seed in ``seeds`` (other than ``skip``) that solves at ``config``, or None.

    All the seeds train in one ``train_many`` pass.
    """
    seeds = [int(s) for s in seeds if s != skip]
    if not seeds:
        return None
    many = train_many(config, seeds)
    solved = [s for s, ok in zip(seeds, many.solved, strict=True) if ok]
    return solved[0] if solved else None


def default_b(a: TrainConfig, solving: int | None) -> TrainConfig:
    """A at the first seed that solves (``solving``), or at the next seed if none did."""
    if solving is None:
        solving = a.seed + 1 if a.seed < FIELDS["seed"].hi else a.seed - 1
    return a.replace(seed=solving)


def b_query(a: TrainConfig, b: TrainConfig) -> dict[str, str]:
    """B as link parameters: ``b.<name>`` for every setting where it differs from A.

    When B equals A the link still says so (``b.seed`` = A's seed), so that reopening
    it does not fall back to the default B.
    """
    names = differences(a, b) or ("seed",)
    return {PREFIX + name: FIELDS[name].text(getattr(b, name)) for name in names}


class BRead(NamedTuple):
    """B read from a link: its settings, the ``b.`` settings the link set, and warnings."""

    config: TrainConfig
    given: tuple[str, ...]
    warnings: tuple[str, ...]


def has_b(query) -> bool:
    """Whether the link says anything about B."""
    return any(str(key).startswith(PREFIX) for key in query)


def read_b_query(query, a: TrainConfig, fallback: TrainConfig | None = None) -> BRead:
    """B from ``b.<name>`` query parameters; never raises.

    A setting the link leaves out is A's. A bad value is refused with a warning naming
    it and the allowed range, and ``fallback``'s value (default: A's) is used. Repeated
    keys: the last wins; unknown ``b.`` keys are ignored.
    """
    fallback = fallback or a
    values, given, warnings = {}, [], []
    for name, field in FIELDS.items():
        raw = query[PREFIX + name] if PREFIX + name in query else None
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        try:
            values[name] = field.parse(raw)
            given.append(name)
        except ValueError as err:
            values[name] = getattr(fallback, name)
            warnings.append(f"{PREFIX}{err}; using {field.text(values[name])}")
    return BRead(a.replace(**values), tuple(given), tuple(warnings))


def describe(a: TrainConfig, b: TrainConfig) -> str:
    """What B changes, in words: ``optimizer adam (A: gd), lr 0.01 (A: 0.1)``."""
    parts = [f"{name} {FIELDS[name].text(getattr(b, name))} "
             f"(A: {FIELDS[name].text(getattr(a, name))})" for name in differences(a, b)]
    return ", ".join(parts) if parts else "nothing: B is A"


def census_by_optimizer(config: TrainConfig, n_seeds: int, progress=None,
                        known=None) -> dict[str, tuple[int, int]]:
    """Seeds solved out of ``n_seeds`` by each optimizer, every other setting as ``config``.

    Returns ``{"gd": (solved, n), "momentum": ..., "adam": ...}`` in ``nn.OPTIMIZERS``
    order. known : an earlier census (``ManyRuns``) at ``config``'s own optimizer, reused.
    progress : ``callback(fraction_done)`` over the censuses still to run.
    """
    todo = [o for o in nn.OPTIMIZERS if known is None or o != config.optimizer]
    result = {}
    for name in nn.OPTIMIZERS:
        if name in todo:
            i = todo.index(name)
            part = None if progress is None else (
                lambda f, i=i: progress((i + f) / len(todo)))
            many = census(config.replace(optimizer=name), n_seeds, part)
        else:
            many = known
        result[name] = (int(np.sum(many.solved)), len(many.seeds))
    return result


def compare_loss_figure(mse_a, mse_b, marker_epoch: int | None = None, log: bool = False,
                        height: int = 320):
    """The two MSE curves on one chart: A blue, B red (dashed); a grey line at the epoch."""
    data = []
    for name, values, colour, dash in (("A", mse_a, BLUE, "solid"), ("B", mse_b, RED, "dash")):
        x, y = thin(np.asarray(values, dtype=float))
        data.append(trace("scatter", x=x, y=np.asarray(y, dtype=np.float32), mode="lines",
                          name=f"run {name}", line={"color": colour, "dash": dash}))
    layout = {"xaxis": {"title": {"text": "epoch"}},
              "yaxis": {"title": {"text": "MSE"}, **({"type": "log"} if log else {})},
              "legend": {"orientation": "h", "y": 1.12, "x": 0}}
    if marker_epoch is not None:
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "y domain", "x0": marker_epoch,
                             "x1": marker_epoch, "y0": 0, "y1": 1,
                             "line": {"color": "#555555", "width": 2}}]
    return styled_figure(data, layout, height)


__all__ = ["BRead", "PREFIX", "b_query", "census_by_optimizer", "compare_loss_figure",
           "default_b",
           "describe", "differences", "first_solving_seed", "has_b", "read_b_query",
           "same_start", "train_pair"]
