"""The view tabs under the first screen. Each takes the run and the selected checkpoint
``at`` (``k``, ``epoch``, ``snap``: every quantity of that snapshot, ``grid``: the plane)."""

from __future__ import annotations

import streamlit as st

from backprop import explore, flow, nn, notation, tables
from backprop import figures as fig
from backprop.datasets import LABEL_EVERY_SAMPLE
from backprop.diagnosis import SATURATION_FRACTION
from backprop.export import step_latex
from backprop.steps import step_equations

from . import handweights, landscape
from .cache import cached_figure
from .common import CHART, check_link_choice


def _layers_words(run) -> str:
    """How a caption names the hidden layers: "each hidden unit j", or every layer's units."""
    L = len(run.config.hidden)
    return "each hidden unit j" if L == 1 else f"each unit of each of the {L} hidden layers"


def timeline_panel(run, at: dict) -> None:
    act, L = run.config.activation, len(run.config.hidden)
    symbol = notation.derivative(act, 1 if L == 1 else "l")
    layers = "" if L == 1 else (" The layers follow each other from layer 1 at the top, "
                                "split by white lines.")
    st.caption(f"{symbol} of {_layers_words(run)} at each sample, through training: each row "
               "is one unit at one sample, left to right is training time. Cells turning "
               f"dark are saturation setting in. The red line is the selected epoch.{layers}")
    st.plotly_chart(cached_figure("timeline", run.config, at["start"], at["k"]), **CHART)


def hidden_units_panel(run, at: dict) -> None:
    L = len(run.config.hidden)
    if L == 1:
        st.caption("What each hidden unit j computes: its activation a⁽¹⁾ over the input "
                   "plane. The output unit draws its boundary by combining these.")
    else:
        st.caption(f"What each unit of each hidden layer computes: its activation a⁽ˡ⁾ over "
                   f"the input plane, one row per layer from layer 1 down to layer {L}. Each "
                   "layer combines the maps of the layer above; the output unit draws its "
                   f"boundary by combining the last layer's, {notation.layer('a', L)}.")
    st.plotly_chart(cached_figure("activations", run.config, at["start"], at["k"]), **CHART)


def _unit_axes(H: int) -> tuple[int, int]:
    """The two hidden units to plot against each other (asked for when there are more)."""
    if H <= 2:
        return 0, min(1, H - 1)
    labels = [str(j + 1) for j in range(H)]
    check_link_choice("unit_x", labels, "1")
    check_link_choice("unit_y", labels, "2")
    c1, c2 = st.columns(2)
    first = c1.selectbox("Horizontal axis: hidden unit", range(H), key="unit_x",
                         format_func=lambda j: str(j + 1), bind="query-params")
    second = c2.selectbox("Vertical axis: hidden unit", range(H), index=1, key="unit_y",
                          format_func=lambda j: str(j + 1), bind="query-params")
    return first, second


def stuck_panel(run, at: dict) -> None:
    """Which units of the last hidden layer are saturated on which samples, and its space."""
    h, act, k, epoch = run.history, run.config.activation, at["k"], at["epoch"]
    L = len(run.config.hidden)
    report = explore.saturation(h.steps[f"deriv{L}"][k], h.steps[f"a{L}"][k], run.y[0], act)
    names = fig.sample_labels(run.X)
    symbol = notation.derivative(act, L)
    a, out = notation.layer("a", L), notation.layer("a", L + 1)
    where = "Hidden unit j" if L == 1 else f"Unit j of the last hidden layer, layer {L},"
    st.caption(f"{where} is called saturated on a sample when {symbol} < "
               f"{report.threshold:g} ({SATURATION_FRACTION:.0%} of its largest value). "
               f"Epoch {epoch:,}.")
    unit = "hidden unit" if L == 1 else f"layer {L} unit"
    if report.saturated and run.X.shape[1] <= LABEL_EVERY_SAMPLE:
        st.markdown("\n".join(
            f"- {unit} {j + 1} is saturated on {', '.join(names[i] for i in samples)}"
            for j, samples in report.saturated.items()))
    elif not report.saturated:
        st.markdown(f"No {unit} is saturated on any sample at this epoch.")
    if report.merged:
        same = "hidden activations" if L == 1 else f"activations {a}"
        st.warning("Merged samples: " + "; ".join(", ".join(names[i] for i in g)
                                                  for g in report.merged)
                   + f". These have (almost) the same {same} but different targets,"
                     " so the output unit cannot tell them apart: it can only predict their "
                     "average. That is the plateau.", icon=":material/merge:")
    units = _unit_axes(run.config.hidden[-1])
    layer = "" if L == 1 else f" of the last hidden layer (layer {L})"
    st.caption(f"Hidden space: each sample placed at its hidden activations {a}{layer} (two "
               "units), with trails showing how it moved during training. The output unit can only "
               f"draw a straight line here (dashed: where {out} = 0.5). Samples that collapse "
               "onto one point can no longer be separated.")
    st.plotly_chart(cached_figure("hidden space", run.config, at["start"], k, tuple(units)),
                    **CHART)


def _sample_picker(run) -> int:
    """The sample the Backprop step follows (it sits with that view)."""
    names = fig.sample_labels(run.X)
    check_link_choice("sample", names, names[0], f"one of the samples {names[0]} … {names[-1]}"
                      if len(names) > LABEL_EVERY_SAMPLE else None)
    sample = st.selectbox("Sample x to follow through one step", range(len(names)),
                          key="sample", format_func=lambda i: names[i], bind="query-params",
                          help="Its target y is shown in the truth table.")
    return int(sample or 0)


def step_panel(run, at: dict) -> None:
    from backprop import FIELDS

    from . import stepview

    snap, epoch, config = at["snap"], at["epoch"], run.config
    deep = len(nn.widths_of(config.hidden)) > 1
    c1, *c_layer, c2 = st.columns([1, 1, 2] if deep else [1, 2], vertical_alignment="bottom")
    with c1:
        sample = _sample_picker(run)
    focus = stepview.layer_controls(config.hidden, "step_layer", c_layer[0]) if deep else None
    c2.caption(f"Epoch {epoch:,}, target y = {run.y[0, sample]:g}: every number of the "
               "forward and backward pass for this sample. Each line is an equation from the "
               "tutorial with this network's values in it.")
    if config.optimizer != "gd":
        st.caption(f"The update shown is plain gradient descent's, Δ = −α·gradient; this run's "
                   f"{FIELDS['optimizer'].show(config.optimizer)} turns the same gradients "
                   "into its own step.")
    args = (snap, run.X, run.y, sample, config.activation, config.loss, config.lr,
            config.update)
    sections = step_equations(*args, focus=focus)
    stepview.sections_panel(sections)
    with st.expander("LaTeX source (copy)"):  # the copy button is st.code's own
        whole = sections if focus is None else step_equations(*args)  # every layer
        st.code(step_latex(whole), language="latex")


def network_panel(run, at: dict) -> None:
    st.caption("Edge width is the weight's size; blue solid = positive, red dashed = "
               "negative. Hover a node for its bias b, an edge's dot for its weight W.")
    st.plotly_chart(cached_figure("network", run.config, at["start"], at["k"]), **CHART)


def gradient_check_panel(run, at: dict) -> None:
    snap, epoch = at["snap"], at["epoch"]
    st.caption("Each backprop gradient next to a numerical estimate from nudging that one "
               "weight by ±10⁻⁶ and measuring the loss. Tiny relative errors mean the "
               f"hand-written backward pass is right (epoch {epoch:,}).")
    rows = nn.gradient_check(snap, run.X, run.y, run.config.activation, run.config.loss)
    st.dataframe(tables.gradient_table(rows), hide_index=True, column_config={
        "backprop": st.column_config.NumberColumn(format="%.6e"),
        "numerical": st.column_config.NumberColumn(format="%.6e"),
        "relative error": st.column_config.NumberColumn(format="%.1e")})


def gradient_flow_panel(run, at: dict) -> None:
    act, steps, L = run.config.activation, run.history.steps, len(run.config.hidden)
    summary = flow.flow_summary(steps, at["k"], act)
    st.markdown(flow.flow_caption(summary, act, at["epoch"], flow.flow_summary(steps, 0, act)))
    st.plotly_chart(cached_figure("gradient flow", run.config, at["start"], at["k"]), **CHART)
    bottom = ("the mean derivative the hidden layer's error is multiplied by, under its "
              "ceiling (dotted)" if L == 1 else
              "the mean derivative of each hidden layer, their product (black: what the "
              f"first layer's error is multiplied by), and the ceilings for one layer and "
              f"for {L} (dotted)")
    st.caption(f"Top: the size of each layer's weight gradient through training. Bottom: "
               f"{bottom}. Compare a sigmoid run with tanh or ReLU in the sidebar, or on the "
               "Compare page. The red line is the selected epoch.")


# The view tabs, in order (their labels are the ``view`` values in a link).
VIEWS = {
    "Why stuck?": stuck_panel,
    "Backprop step": step_panel,
    "σ′ through training": timeline_panel,
    "Hidden units": hidden_units_panel,
    "Network": network_panel,
    "Gradient check": gradient_check_panel,
    "Set weights": handweights.set_weights_panel,
    "Loss landscape": landscape.landscape_panel,
    "Gradient flow": gradient_flow_panel,
}
