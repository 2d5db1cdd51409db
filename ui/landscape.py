"""The "Loss landscape" view: the objective over a slice of weight space, with the path."""

from __future__ import annotations

import numpy as np
import streamlit as st

from backprop import FIELDS

from .cache import cached_figure
from .common import CHART, check_link_choice, check_link_flag


def weight_names(hidden: int) -> list[str]:
    """Every weight and bias as ``W1[1,2]``-style names (1-based), in parameter order."""
    shapes = {"W1": (hidden, 2), "b1": (hidden, 1), "W2": (1, hidden), "b2": (1, 1)}
    return [f"{n}[{r + 1},{c + 1}]" for n, (rows, cols) in shapes.items()
            for r in range(rows) for c in range(cols)]


def _parse(name: str) -> tuple[str, tuple[int, int]]:
    param, _, rest = name.partition("[")
    r, c = rest.rstrip("]").split(",")
    return param, (int(r) - 1, int(c) - 1)


def _axes_controls(hidden: int):
    """None for the initial → final slice, or the two weights picked as axes."""
    check_link_flag("by_weights")
    by_weights = st.toggle("Use two weights as the axes", key="by_weights",
                           bind="query-params",
                           help="Instead of the initial → final direction and a random one.")
    if not by_weights:
        return None
    names = weight_names(hidden)
    check_link_choice("axis_x", names, names[0])
    check_link_choice("axis_y", names, names[1])
    c1, c2 = st.columns(2)
    first = c1.selectbox("Horizontal axis", names, key="axis_x", bind="query-params")
    second = c2.selectbox("Vertical axis", names, index=1, key="axis_y", bind="query-params")
    if first == second:
        st.warning("Pick two different weights; showing the initial → final slice.",
                   icon=":material/warning:")
        return None
    return _parse(first), _parse(second)


def landscape_panel(run, at: dict) -> None:
    finite = all(np.isfinite(run.history.steps[n]).all() for n in ("W1", "b1", "W2", "b2"))
    if not finite:
        st.info("This run's weights became non-finite, so there is no slice of weight space "
                "through them to draw.", icon=":material/error:")
        return
    axes = _axes_controls(run.config.hidden)
    loss = FIELDS["loss"].show(run.config.loss).split(" (")[0]
    if axes is None:
        st.caption(f"The objective training descends ({loss}, summed over the samples) over a "
                   "flat slice of weight space through the final weights: α runs from the "
                   "final weights (0) to the initial ones (1), β along a random direction "
                   "scaled to each unit's weights. The black line is training's path "
                   f"projected onto the slice; × marks epoch {at['epoch']:,}. A long flat "
                   "stretch of the path is a plateau.")
    else:
        st.caption(f"The objective ({loss}) as the two chosen weights move away from their "
                   "final values, every other weight held at its final value. The path is "
                   f"training's projected onto these two weights; × marks epoch {at['epoch']:,}.")
    st.plotly_chart(cached_figure("landscape", run.config, at["start"], at["k"], axes), **CHART)
