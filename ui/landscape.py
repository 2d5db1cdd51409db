"""The "Loss landscape" view: the objective over a slice of weight space, with the path."""

from __future__ import annotations

import numpy as np
import streamlit as st

from backprop import FIELDS, nn
from backprop.landscape import parse_weight_name
from backprop.landscape import weight_names as _names
from backprop.weights import shapes

from .cache import cached_figure
from .common import CHART, check_link_choice, check_link_flag


def weight_names(hidden) -> list[str]:
    """Every weight and bias of every layer as ``W1[1,2]``-style names, in parameter order."""
    return _names(shapes(hidden))


def _axes_controls(hidden):
    """None for the initial → final slice, or the two weights picked as axes."""
    check_link_flag("by_weights")
    by_weights = st.toggle("Use two weights as the axes", key="by_weights",
                           bind="query-params",
                           help="Instead of the initial → final direction and a random one. "
                                "Every weight and bias of every layer is listed: W3[1,2] is "
                                "layer 3's weight into its unit 1 from unit 2 below.")
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
    return parse_weight_name(first), parse_weight_name(second)


def landscape_panel(run, at: dict) -> None:
    steps = run.history.steps
    finite = all(np.isfinite(steps[n]).all() for n in nn.param_names(nn.layers_of(steps)))
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
