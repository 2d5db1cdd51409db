"""Beyond one run: a census over seeds, a learning-rate x width sweep (at the config's depth),
and why a run is stuck."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, zip_longest

import numpy as np

from .config import TrainConfig
from .datasets import TABLE_ROWS
from .diagnosis import PLATEAUS, SATURATION_FRACTION
from .many import MAX_SEEDS, ManyRuns, train_many
from .nn import DERIVATIVE_MAX, forward, widths_of
from .plane import Plane

MAX_SWEEP_CELLS = 100
MAX_LOSS_POINTS = 500  # loss samples kept per seed in a census
SWEEP_LRS = (0.05, 0.1, 0.3, 1.0, 3.0, 10.0)
SWEEP_HIDDEN = (1, 2, 3, 4, 8)
SWEEP_SEEDS = 100
MERGE_DISTANCE = 0.05  # patterns closer than this in hidden space look alike to the output


def census(config: TrainConfig, n_seeds: int = 200, progress=None) -> ManyRuns:
    """Train seeds 0..n_seeds-1 with ``config`` (its own seed is ignored)."""
    if not 1 <= n_seeds <= MAX_SEEDS:
        raise ValueError(f"seeds must be between 1 and {MAX_SEEDS}, got {n_seeds}")
    every = max(1, -(-config.epochs // MAX_LOSS_POINTS))
    return train_many(config, range(n_seeds), progress=progress, loss_every=every)


def sweep_lrs(samples: int) -> tuple:
    """The sweep's learning rates for ``samples`` points.

    The gradient is a sum over samples, so clouds get SWEEP_LRS scaled by 4/samples:
    the same step per sample as the four-row tables.
    """
    if samples <= TABLE_ROWS:
        return SWEEP_LRS
    return tuple(float(f"{lr * 4 / samples:.2g}") for lr in SWEEP_LRS)


def census_examples(many: ManyRuns, per_kind: int = 4) -> list[int]:
    """Indices of up to ``per_kind`` solved seeds and as many stuck ones.

    The stuck ones are taken in turn from each plateau (then from the unnamed
    rest), so the examples show every kind of failure the census found.
    """
    solved = np.flatnonzero(many.solved)[:per_kind].tolist()
    stuck = np.flatnonzero(~many.solved)
    groups = [stuck[np.isclose(many.plateau[stuck], p)] for p in PLATEAUS]
    groups.append(stuck[np.isnan(many.plateau[stuck])])
    spread = [int(s) for s in chain.from_iterable(zip_longest(*groups)) if s is not None]
    return solved + spread[:per_kind]


def example_surfaces(many: ManyRuns, picks, plane: Plane) -> list[np.ndarray]:
    """The output (ny, nx) over ``plane`` of each census seed index in ``picks``, at any depth."""
    return [forward({name: values[k] for name, values in many.params.items()}, plane.points,
                    many.config.activation)["out"].reshape(plane.shape) for k in picks]


def seed_label(many: ManyRuns, k: int) -> str:
    """``seed 3 · solved`` or ``seed 0 · stuck, MSE 0.169`` for census index k."""
    outcome = "solved" if many.solved[k] else f"stuck, MSE {many.final_mse[k]:.3f}"
    return f"seed {many.seeds[k]} · {outcome}"


@dataclass(frozen=True)
class Sweep:
    """Solved fraction per (row, lr) cell: ``solved`` has shape (len(hidden), len(lrs)).

    hidden : each row's ``hidden`` setting, one width per layer: ``((1,), (2,), ...)`` for
    the tutorial's one hidden layer, ``((2, 2), (3, 3), ...)`` at depth 2.
    """

    lrs: tuple
    hidden: tuple
    seeds: int
    solved: np.ndarray

    @property
    def depth(self) -> int:
        """Hidden layers in every row."""
        return len(widths_of(self.hidden[0])) if self.hidden else 1


def sweep_rows(config: TrainConfig, widths=SWEEP_HIDDEN) -> tuple:
    """The sweep's rows at ``config``'s depth: (w, w, ..., w) for each w in ``widths``.

    The sweep varies the width of every layer at a fixed depth, so a depth-2 config
    sweeps 1,1 / 2,2 / 3,3 / ...
    """
    depth = len(widths_of(config.hidden))
    return tuple((int(w),) * depth for w in widths)


def sweep(config: TrainConfig, lrs=SWEEP_LRS, hidden=SWEEP_HIDDEN, seeds: int = SWEEP_SEEDS,
          progress=None) -> Sweep:
    """The solved fraction over learning rate x layer width, ``seeds`` seeds per cell.

    hidden : the widths to sweep; every hidden layer of ``config`` (its depth is kept)
    gets the row's width. All learning rates of one row train together in one
    ``train_many`` pass (one learning rate per column), so the cost is one pass per row.
    """
    lrs, rows = tuple(float(v) for v in lrs), sweep_rows(config, hidden)
    cells = len(lrs) * len(rows)
    if not 1 <= cells <= MAX_SWEEP_CELLS:
        raise ValueError(f"sweep cells must be between 1 and {MAX_SWEEP_CELLS}, got {cells}")
    if not 1 <= seeds * len(lrs) <= MAX_SEEDS:
        raise ValueError(f"seeds x learning rates must be <= {MAX_SEEDS}, "
                         f"got {seeds} x {len(lrs)}")
    solved = np.zeros((len(rows), len(lrs)))
    column_lrs = np.repeat(lrs, seeds)
    column_seeds = np.tile(np.arange(seeds), len(lrs))
    for row, widths in enumerate(rows):
        def report(fraction, row=row):
            if progress is not None:
                progress((row + fraction) / len(rows))
        many = train_many(config.replace(hidden=widths), column_seeds, progress=report,
                          loss_every=max(config.epochs, 1), lrs=column_lrs)
        solved[row] = many.solved.reshape(len(lrs), seeds).mean(axis=1)
    return Sweep(lrs, rows, seeds, solved)


@dataclass(frozen=True)
class Saturation:
    """Which hidden units are saturated on which samples, and which samples merged.

    saturated : {unit index: [sample indices]}; merged : groups of sample indices
    whose hidden activations nearly coincide although their targets differ.
    """

    threshold: float
    saturated: dict
    merged: list


def saturation(deriv1, a1, y, activation: str = "sigmoid") -> Saturation:
    """Diagnose one snapshot. deriv1, a1 : (H, n); y : (n,) targets."""
    threshold = SATURATION_FRACTION * DERIVATIVE_MAX[activation]
    low = np.asarray(deriv1) < threshold
    saturated = {j: np.flatnonzero(low[j]).tolist() for j in range(low.shape[0]) if low[j].any()}
    points = np.asarray(a1).T  # (n, H)
    n = points.shape[0]
    groups, seen = [], set()
    for i in range(n):
        if i in seen:
            continue
        with np.errstate(all="ignore"):  # diverged runs have huge activations
            gaps = np.abs(points - points[i]).max(axis=1)
        near = [k for k in range(n) if k not in seen and gaps[k] < MERGE_DISTANCE]
        seen.update(near)
        if len(near) > 1 and len({float(y[k]) for k in near}) > 1:
            groups.append(near)
    return Saturation(threshold, saturated, groups)
