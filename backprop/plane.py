"""The network evaluated over the input plane, for surfaces and heatmaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import nn
from .datasets import LABEL_EVERY_SAMPLE


@dataclass(frozen=True)
class Plane:
    """A grid over the input plane: ``xs`` (nx,), ``ys`` (ny,), ``points`` (2, ny*nx)."""

    xs: np.ndarray
    ys: np.ndarray

    @property
    def points(self) -> np.ndarray:
        gx, gy = np.meshgrid(self.xs, self.ys)
        return np.vstack([gx.ravel(), gy.ravel()])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)


def plane_around(X, resolution: int = 61, margin: float | None = None) -> Plane:
    """A square grid covering the samples X (2, n) plus ``margin`` on every side.

    For the truth tables that is [-0.5, 1.5]^2 around the unit square; point
    clouds get a tighter margin of 0.2 by default.
    """
    if margin is None:
        margin = 0.5 if X.shape[1] <= LABEL_EVERY_SAMPLE else 0.2
    lo = min(float(X.min()), 0.0) - margin
    hi = max(float(X.max()), 1.0) + margin
    axis = np.linspace(lo, hi, resolution)
    return Plane(axis, axis)


def evaluate(params: dict, plane: Plane, activation: str) -> dict:
    """Forward pass over every grid point, reshaped to the grid, for every layer.

    For each hidden layer l = 1 … L: ``z{l}``, ``a{l}`` and ``deriv{l}`` (n_l, ny, nx),
    where deriv{l} is the hidden activation's derivative f'(z_l), taken from a{l}.
    The output is ``out`` (ny, nx), also under its layer's name ``a{L+1}`` (``a2``
    for the tutorial). ``hidden`` is L.
    """
    cache = nn.forward(params, plane.points, activation)
    shape = plane.shape
    hidden = nn.layers_of(params) - 1
    grid = {"hidden": hidden, "out": cache["out"].reshape(shape)}
    grid[f"a{hidden + 1}"] = grid["out"]
    for layer in range(1, hidden + 1):
        a = cache[f"a{layer}"]
        grid[f"z{layer}"] = cache[f"z{layer}"].reshape(-1, *shape)
        grid[f"a{layer}"] = a.reshape(-1, *shape)
        grid[f"deriv{layer}"] = nn.DERIVATIVES[activation](a).reshape(-1, *shape)
    return grid


def per_layer(values: dict, name: str, hidden: int) -> list:
    """``[values["a1"], …, values[f"a{hidden}"]]``: one entry per hidden layer (name "a")."""
    return [values[f"{name}{layer}"] for layer in range(1, hidden + 1)]
