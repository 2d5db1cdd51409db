"""Datasets: the four-row truth tables, two seeded continuous clouds, and your own points.

Columns are samples, as in the tutorial: ``X`` has shape ``(2, n_samples)`` and
``y`` has shape ``(1, n_samples)``.
"""

from __future__ import annotations

import functools

import numpy as np

from . import userdata

# The four input patterns, one per column: (0,0), (0,1), (1,0), (1,1).
PATTERNS = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])

TRUTH_TABLES = {
    "xor": [0, 1, 1, 0],
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}


def _truth_table(name):
    def make(samples=None, noise=None, seed=None):
        return PATTERNS.copy(), np.array([TRUTH_TABLES[name]], dtype=float)

    make.__doc__ = f"The {name.upper()} truth table (4 samples)."
    return make


def xor_cloud(samples, noise, seed):
    """Noisy XOR: points around the four corners, label = XOR of the corner.

    Each point is a corner of the unit square plus Gaussian noise of std ``noise``.
    """
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 4, size=samples)
    X = PATTERNS[:, corners] + noise * rng.standard_normal((2, samples))
    y = np.array([TRUTH_TABLES["xor"]], dtype=float)[:, corners]
    return X, y


def circles(samples, noise, seed):
    """Two concentric rings around (0.5, 0.5): inner ring label 1, outer ring 0."""
    rng = np.random.default_rng(seed)
    inner = rng.random(samples) < 0.5
    radius = np.where(inner, 0.2, 0.45) + noise * 0.5 * rng.standard_normal(samples)
    angle = rng.uniform(0.0, 2.0 * np.pi, samples)
    X = 0.5 + np.vstack([radius * np.cos(angle), radius * np.sin(angle)])
    return X, inner[None, :].astype(float)


DATASETS = {name: _truth_table(name) for name in TRUTH_TABLES}
DATASETS["xor-cloud"] = xor_cloud
DATASETS["circles"] = circles

CONTINUOUS = ("xor-cloud", "circles")
CUSTOM = "custom"  # your own points: the ``data`` setting holds them


@functools.lru_cache(maxsize=16)
def _custom(data: str) -> tuple[np.ndarray, np.ndarray]:
    return userdata.from_link(data) if data else _truth_table("xor")()


def custom(samples=None, noise=None, seed=None, data: str = ""):
    """Your own points, from the ``data`` setting (``userdata.to_link`` text).

    With no points yet (``data`` is "") it is the XOR table, where the editor starts.
    Returns copies, so a caller may change them.
    """
    X, y = _custom(data)
    return X.copy(), y.copy()


DATASETS[CUSTOM] = custom

# Size thresholds, named once. A truth table has 4 rows; up to LABEL_EVERY_SAMPLE
# samples, views name and mark every sample (beyond it they would clutter).
TABLE_ROWS = 4
LABEL_EVERY_SAMPLE = 8


def load(name, samples=100, noise=0.1, seed=0, data=""):
    """Return ``(X, y)`` for dataset ``name``; shapes ``(2, n)`` and ``(1, n)``.

    ``samples``, ``noise`` and ``seed`` only affect the continuous datasets, ``data``
    (points as ``x1,x2,y;...`` text) only ``custom``.
    """
    if name == CUSTOM:
        return custom(data=data)
    return DATASETS[name](samples, noise, seed)
