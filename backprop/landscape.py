"""The loss landscape: the objective over a 2-D slice of weight space, and the path through it.

A network's parameters are one point θ in weight space. A slice is a plane through
the final weights θ* spanned by two directions d₁ and d₂; each grid point (α, β) is
the network θ* + α·d₁ + β·d₂, and its height is the objective training descends
(½ squared error or cross-entropy, summed over the samples, as in ``nn.objective``).

- ``d₁ = θ₀ − θ*`` points from the final weights back to the initial ones, so the
  start sits at (1, 0) and the end at (0, 0).
- ``d₂`` is a seeded random direction, *filter-normalised* (Li et al., 2018,
  "Visualizing the Loss Landscape of Neural Nets"): each unit's incoming weights
  and bias are scaled to the norm of that unit's weights in θ*, so the slice
  is not dominated by one large layer. It is then made orthogonal to d₁ and given
  d₁'s length, so both axes are on the same scale.

The training path (the recorded checkpoints) is projected onto the plane;
``off_plane`` says how far each checkpoint lies from it.

Every grid point is one network; all of them go through one vectorised forward
pass (networks on the leading axis), as ``train_many`` does with seeds. Any depth
works the same way: θ holds W1, b1, ..., W{L+1}, b{L+1}, and the filter
normalisation is done unit by unit in every layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import nn

RESOLUTION = 61  # odd, so the grid passes exactly through the end (0, 0) and the start (1, 0)
ALPHAS = (-0.5, 1.5)  # along d1: the end at 0, the start at 1, and a margin on each side
BETAS = (-1.0, 1.0)


@dataclass(frozen=True)
class Landscape:
    """A slice and the path on it.

    alphas : (A,), betas : (B,) the grid coordinates along d1 and d2.
    objective : (B, A) the objective at each grid point (rows are betas).
    path : (K, 2) each checkpoint's (alpha, beta); path_epochs (K,); off_plane (K,).
    axes : the two axis titles.
    """

    alphas: np.ndarray
    betas: np.ndarray
    objective: np.ndarray
    path: np.ndarray
    path_epochs: np.ndarray
    off_plane: np.ndarray
    axes: tuple[str, str]


def layer_names(params: dict) -> list[tuple[str, str]]:
    """``[("W1", "b1"), ("W2", "b2"), ...]``: the layers of ``params``, in order."""
    layers, layer = [], 1
    while f"W{layer}" in params:
        layers.append((f"W{layer}", f"b{layer}"))
        layer += 1
    return layers


def flatten(params: dict) -> np.ndarray:
    """All parameters as one vector, layer by layer (W1, b1, W2, b2, ...)."""
    return np.concatenate([np.ravel(params[name]) for pair in layer_names(params)
                           for name in pair])


def unflatten(vectors: np.ndarray, like: dict) -> dict:
    """Split (G, P) vectors into a dict of (G, *shape) arrays shaped like ``like``."""
    out, start = {}, 0
    for pair in layer_names(like):
        for name in pair:
            shape = np.shape(like[name])
            size = int(np.prod(shape))
            out[name] = vectors[:, start:start + size].reshape((len(vectors), *shape))
            start += size
    return out


def forward_many(params: dict, X, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of G networks at once. params hold (G, n_l, n_{l-1}) weights.

    Returns z and a of the output layer, each (G, 1, n).
    """
    a = np.broadcast_to(X, (len(params["W1"]), *np.shape(X)))
    layers = layer_names(params)
    with np.errstate(all="ignore"):
        for depth, (w, b) in enumerate(layers, start=1):
            z = params[w] @ a + params[b]
            # hidden layers use the chosen activation; the output is always a sigmoid
            a = nn.sigmoid(z) if depth == len(layers) else nn.ACTIVATIONS[activation](z)
    return z, a


def objectives(params: dict, X, y, activation: str, loss: str) -> np.ndarray:
    """The objective of each of G networks, (G,): the same registry ``nn.objective`` uses."""
    z, a = forward_many(params, X, activation)
    value = nn.LOSSES[loss][0]
    return np.array([value(z[g], a[g], y) for g in range(len(z))])


def filter_normalised(params: dict, rng: np.random.Generator) -> np.ndarray:
    """A random direction shaped like params, each unit's row scaled to that unit's norm.

    A unit's row is its incoming weights and its bias, [W_l[j, :], b_l[j]]; a unit
    whose row is all zeros gets a row of norm 1.
    """
    parts = []
    for w, b in layer_names(params):
        rows = np.hstack([params[w], params[b]])
        direction = rng.standard_normal(rows.shape)
        scale = np.linalg.norm(rows, axis=1, keepdims=True)
        scale[scale == 0] = 1.0  # a unit with all-zero weights still gets a direction
        direction *= scale / np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-12)
        parts.append((direction[:, :-1], direction[:, -1:]))
    return np.concatenate([np.ravel(part) for pair in parts for part in pair])


def slice_directions(start: dict, end: dict, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """d1 = start - end and d2 (filter-normalised, orthogonal to d1, same length)."""
    d1 = flatten(start) - flatten(end)
    d2 = filter_normalised(end, np.random.default_rng(seed))
    if np.linalg.norm(d1) < 1e-12:  # nothing trained yet: use a second random direction
        d1 = filter_normalised(end, np.random.default_rng(seed + 1))
    d2 = d2 - (d2 @ d1) / (d1 @ d1) * d1  # Gram-Schmidt: remove d2's component along d1
    d2 *= np.linalg.norm(d1) / max(np.linalg.norm(d2), 1e-12)
    return d1, d2


def weight_axis(params: dict, name: str, index: tuple[int, int]) -> np.ndarray:
    """A unit vector along one weight, e.g. ``("W1", (0, 1))``."""
    if name not in params:
        raise ValueError(f"weight must be one of {', '.join(params)}, got {name!r}")
    shape = np.shape(params[name])
    if len(index) != 2 or not all(0 <= i < s for i, s in zip(index, shape, strict=True)):
        raise ValueError(f"{name} has shape {shape}; index {index} is outside it")
    one = {k: np.zeros(np.shape(v)) for k, v in params.items()}
    one[name][index] = 1.0
    return flatten(one)


def landscape(start: dict, end: dict, checkpoints: dict, epochs, X, y, activation: str,
              loss: str, seed: int = 0, resolution: int = RESOLUTION, weights=None) -> Landscape:
    """The objective over a slice through ``end`` and the training path projected onto it.

    start, end : the initial and final parameters (dicts of W1 (H, 2) ...).
    checkpoints : the recorded parameters, each (K, *shape); epochs (K,).
    weights : None for the d1/d2 slice; or two ``(name, (row, col))`` pairs to use
        those two weights as the axes (a span of ±3 around their final values, or
        wider to cover the path).
    """
    if not 2 <= resolution <= 200:
        raise ValueError(f"resolution must be between 2 and 200, got {resolution}")
    centre = flatten(end)
    path = np.stack([flatten({k: v[i] for k, v in checkpoints.items()})
                     for i in range(len(epochs))]) - centre
    if weights is None:
        d1, d2 = slice_directions(start, end, seed)
        alphas, betas = np.linspace(*ALPHAS, resolution), np.linspace(*BETAS, resolution)
        axes = ("α (0 = final θ*, 1 = initial θ₀)", "β (random direction)")
    else:
        (n1, i1), (n2, i2) = weights
        d1, d2 = weight_axis(end, n1, tuple(i1)), weight_axis(end, n2, tuple(i2))
        if d1 @ d2 > 0:
            raise ValueError("pick two different weights for the axes")
        alphas = _span(path @ d1, resolution)
        betas = _span(path @ d2, resolution)
        axes = (f"{n1}[{i1[0] + 1},{i1[1] + 1}] − final", f"{n2}[{i2[0] + 1},{i2[1] + 1}] − final")
    coords = np.column_stack([path @ d1 / (d1 @ d1), path @ d2 / (d2 @ d2)])
    off = np.linalg.norm(path - coords[:, :1] * d1 - coords[:, 1:] * d2, axis=1)
    ga, gb = np.meshgrid(alphas, betas)
    grid = centre + ga.reshape(-1, 1) * d1 + gb.reshape(-1, 1) * d2
    values = objectives(unflatten(grid, end), X, y, activation, loss).reshape(gb.shape)
    return Landscape(alphas, betas, values, coords, np.asarray(epochs), off, axes)


def history_landscape(history, X, y, activation: str, loss: str, seed: int = 0,
                      resolution: int = RESOLUTION, weights=None) -> Landscape:
    """:func:`landscape` through a run's recorded history, every layer of it.

    history : ``Run.history`` (its first checkpoint is the start, its last the end).
    """
    names = nn.param_names(nn.layers_of(history.steps))
    checkpoints = {name: history.steps[name] for name in names}
    return landscape({k: v[0] for k, v in checkpoints.items()},
                     {k: v[-1] for k, v in checkpoints.items()}, checkpoints, history.epochs,
                     X, y, activation, loss, seed, resolution, weights)


def weight_names(params_or_shapes: dict) -> list[str]:
    """Every weight and bias as ``W1[1,2]``-style names (1-based), in parameter order.

    params_or_shapes : parameters, or their shapes (``weights.shapes(hidden)``).
    """
    shapes = {k: v if isinstance(v, tuple) else np.shape(v) for k, v in params_or_shapes.items()}
    return [f"{name}[{r + 1},{c + 1}]" for pair in layer_names(shapes) for name in pair
            for r in range(shapes[name][0]) for c in range(shapes[name][1])]


def parse_weight_name(name: str) -> tuple[str, tuple[int, int]]:
    """``"W3[1,2]"`` -> ``("W3", (0, 1))``, the form ``landscape(weights=...)`` takes."""
    param, _, rest = name.partition("[")
    r, c = rest.rstrip("]").split(",")
    return param, (int(r) - 1, int(c) - 1)


def _span(offsets: np.ndarray, resolution: int) -> np.ndarray:
    """Grid offsets covering ±3 around the final value and the whole path."""
    reach = max(3.0, 1.1 * float(np.max(np.abs(offsets), initial=0.0)))
    return np.linspace(-reach, reach, resolution)


def landscape_figure(slice_: Landscape, title: str | None = None, marker_epoch=None):
    """The objective over the slice as a heatmap with contours, and the training path.

    The path is drawn from start (○) to end (■); hover gives each checkpoint's epoch
    and its distance from the slice. ``marker_epoch`` highlights one checkpoint.
    """
    from .look import styled_figure, trace

    a, b = slice_.path[:, 0], slice_.path[:, 1]
    traces = [trace("contour",
        x=slice_.alphas, y=slice_.betas, z=np.round(slice_.objective, 5),
        colorscale="Viridis", reversescale=True, ncontours=24,
        colorbar={"title": {"text": "objective", "side": "right"}, "thickness": 12, "len": 0.9},
        hovertemplate="α %{x:.2f}, β %{y:.2f}<br>objective %{z:.4f}<extra></extra>"),
        # A white halo under a black line keeps the path readable on dark and light contours.
        trace("scatter", x=a, y=b, mode="lines", line={"color": "white", "width": 5},
              showlegend=False, hoverinfo="skip"),
        trace("scatter",
        x=a, y=b, mode="lines+markers", line={"color": "black", "width": 2},
        marker={"size": 4, "color": "black"}, name="training path",
        customdata=np.column_stack([slice_.path_epochs, slice_.off_plane]),
        hovertemplate="epoch %{customdata[0]:,}<br>off the slice by %{customdata[1]:.3f}"
                      "<extra></extra>")]
    for k, name, symbol in ((0, "start (epoch 0)", "circle"), (-1, "end", "square")):
        traces.append(trace("scatter", x=[a[k]], y=[b[k]],
                            mode="markers", name=name, hoverinfo="skip",
                            marker={"symbol": symbol, "size": 12, "color": "black",
                                    "line": {"width": 2, "color": "white"}}))
    if marker_epoch is not None and len(slice_.path_epochs):
        k = int(np.argmin(np.abs(slice_.path_epochs - marker_epoch)))
        traces.append(trace("scatter", x=a[k:k + 1], y=b[k:k + 1], mode="markers",
                            name=f"epoch {int(slice_.path_epochs[k]):,}",
                            marker={"symbol": "x", "size": 12, "color": "#d6604d"}))
    return styled_figure(traces, {
        "xaxis": {"title": {"text": slice_.axes[0]}, "automargin": True},
        "yaxis": {"title": {"text": slice_.axes[1]}, "automargin": True}}, 460, title,
        legend={"orientation": "h", "y": -0.2})
