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
    """Forward pass over every grid point, reshaped to the grid.

    Returns ``a2`` (ny, nx), and ``z1``, ``a1``, ``deriv1`` (H, ny, nx), where
    deriv1 is the hidden activation's derivative f'(z1), taken from a1.
    """
    cache = nn.forward(params, plane.points, activation)
    ny, nx = plane.shape
    H = params["W1"].shape[0]
    return {
        "a2": cache["a2"].reshape(ny, nx),
        "z1": cache["z1"].reshape(H, ny, nx),
        "a1": cache["a1"].reshape(H, ny, nx),
        "deriv1": nn.DERIVATIVES[activation](cache["a1"]).reshape(H, ny, nx),
    }
