"""The "Set weights" view: every weight and bias by hand, named starts, and what follows.

The hand weights live in ``st.session_state.hand`` and in the link as ``w=`` (the text
form of ``backprop.weights``); that text is the one truth, and each number input
writes its own entry into it. "Train from here" hands them to the app's start
mechanism (``st.session_state.start``, as an uploaded run file does), so the whole
Run page then shows the run from these weights.

The tutorial's 2-2-1 network shows every input at once, one column per hidden unit.
A deeper network has one layer's inputs at a time (a picker chooses the layer): a
layer of 16 units fed by 16 has 272 numbers, and only the picked layer's inputs are
drawn, so the page stays quick at any size.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from backprop import nn, notation, tables
from backprop.config import format_value
from backprop.figures import sample_labels
from backprop.steps import step_equations
from backprop.training import dataset
from backprop.weights import MAX_WEIGHT, STARTS, from_text, has_starts, start, to_text

from . import stepview
from .common import check_link_choice, note_link_value
from .settings import settings_changed

HAND_NAME = "the weights set by hand"
PER_ROW = 3  # units per row of inputs: 2-2-1 fits on one row


def _key(name: str, r: int, c: int) -> str:
    return f"hw_{name}_{r}_{c}"


def _load(params: dict) -> None:
    """Make ``params`` the hand weights (each input takes its value from them when drawn)."""
    st.session_state.hand = to_text(params)


def _typed(hidden, name: str, r: int, c: int) -> None:
    """One number was typed: write it into the hand weights' text."""
    try:
        params = from_text(st.session_state.get("hand", ""), hidden)
    except ValueError:
        params = _fallback_params(hidden)
    params[name][r, c] = st.session_state.get(_key(name, r, c)) or 0.0
    st.session_state.hand = to_text(params)


def _fallback_params(hidden, config=None) -> dict:
    if has_starts(hidden):
        return start("tutorial")
    if config is None:
        return nn.init_params(hidden)
    return nn.init_params(config.hidden, config.init, config.seed)


def _fallback(config) -> dict:
    return _fallback_params(config.hidden, config)


def hand_params(config) -> dict:
    """The hand weights for this hidden size: from the link (bad text warns), else kept."""
    raw = st.query_params.get("w") if st.session_state.get("following_link") else None
    if raw is not None and raw != st.session_state.get("hand"):
        try:
            _load(from_text(raw, config.hidden))
        except ValueError as err:
            note_link_value("w", "the weights as W1:…;b1:…;W2:…;b2:…", raw,
                  f"the earlier weights ({err})")
    try:
        params = from_text(st.session_state.get("hand", ""), config.hidden)
    except ValueError:
        params = _fallback(config)
        _load(params)
    return params


def _use_start() -> None:
    name = st.session_state.get("hand_start")
    if name in STARTS:
        _load(start(name))


def _as_start(params: dict) -> str:
    """The JSON form ``st.session_state.start`` holds (as an uploaded run file's)."""
    return json.dumps({k: v.tolist() for k, v in params.items()})


def _train_from_here(params: dict, by_hand: bool = True) -> None:
    if by_hand:  # not when following a link: its warnings still apply
        settings_changed()
    st.session_state.start = _as_start(params)
    st.session_state.start_name = HAND_NAME
    st.session_state.pop("start_filled", None)


def following_hand() -> bool:
    """True while the run trains from the hand weights (and follows them as they change)."""
    return bool(st.session_state.get("start")) and st.session_state.get("start_name") == HAND_NAME


def start_from_link(config) -> None:
    """Before the run is read: a link with ``from_w=true`` trains from its ``w`` weights.

    Keeps ``from_w`` in the address bar exactly while the run follows the hand weights.
    """
    raw = st.query_params.get("from_w") if st.session_state.get("following_link") else None
    if raw is not None:
        if raw != "true":
            note_link_value("from_w", "true", raw, "random weights")
        elif "w" in st.query_params:
            try:
                params = from_text(st.query_params["w"], config.hidden)
            except ValueError:
                pass  # the view says what was wrong with w when it opens
            else:
                _load(params)
                _train_from_here(params, by_hand=False)
    if following_hand():
        st.query_params["from_w"] = "true"
    elif "from_w" in st.query_params:
        del st.query_params["from_w"]


def _number(where, label: str, hidden, name: str, r: int, c: int, params: dict) -> None:
    """A number input for one weight, showing the hand weights' value for it."""
    key = _key(name, r, c)
    st.session_state[key] = float(params[name][r, c])  # the text is the truth
    where.number_input(label, key=key, min_value=-MAX_WEIGHT, max_value=MAX_WEIGHT, step=0.1,
                       format="%.4f", on_change=_typed, args=(hidden, name, r, c))


def _columns(count: int) -> list:
    return [c for _ in range(0, count, PER_ROW) for c in st.columns(PER_ROW)][:count]


def _tutorial_inputs(hidden, params: dict) -> None:
    """One column per hidden unit (its weights in and out, its bias), then the output bias."""
    units = nn.widths_of(hidden)[0]
    columns = _columns(units + 1)
    for j, column in zip(range(units), columns, strict=False):
        column.markdown(f"**Hidden unit {j + 1}**")
        for i in range(2):
            _number(column, f"W1[{j + 1},{i + 1}] (from x{i + 1})", hidden, "W1", j, i, params)
        _number(column, f"b1[{j + 1}]", hidden, "b1", j, 0, params)
        _number(column, f"W2[1,{j + 1}] (to the output)", hidden, "W2", 0, j, params)
    columns[-1].markdown("**Output unit**")
    _number(columns[-1], "b2", hidden, "b2", 0, 0, params)


def _layer_inputs(hidden, params: dict) -> None:
    """The picked layer: one column per unit, with its incoming weights and its bias."""
    widths = nn.widths_of(hidden)
    o = len(widths) + 1
    labels = stepview.layer_labels(hidden)[1:]
    layer = 1 + (st.selectbox("Layer to set", range(o), key="hand_layer",
                              format_func=lambda i: f"{labels[i]}: {params[f'W{i + 1}'].size} "
                                                    "weights and "
                                                    f"{params[f'b{i + 1}'].size} biases") or 0)
    rows, cols = params[f"W{layer}"].shape
    source = [notation.inp(k + 1) if layer == 1 else notation.unit("a", layer - 1, k + 1)
              for k in range(cols)]
    for j, column in zip(range(rows), _columns(rows), strict=False):
        column.markdown("**Output unit**" if layer == o else f"**Unit {j + 1} of layer {layer}**")
        for k in range(cols):
            _number(column, f"W{layer}[{j + 1},{k + 1}] (from {source[k]})", hidden,
                    f"W{layer}", j, k, params)
        _number(column, f"b{layer}[{j + 1}]", hidden, f"b{layer}", j, 0, params)


def _outputs_panel(config, params: dict) -> None:
    """What these weights do right now: each sample's output, and the objective."""
    X, y = dataset(config)
    cache = nn.forward(params, X, config.activation)
    st.markdown("**What these weights output now**, before any training")
    table = tables.truth_table(X, y, cache["out"][0])
    st.dataframe(table.head(8), hide_index=True, column_config={
        "prediction": st.column_config.NumberColumn(format="%.4f")})
    st.caption(f"MSE {nn.mean_squared_error(cache['out'], y):.5f} with these weights "
               f"(objective {nn.objective(params, X, y, config.activation, config.loss):.5f}).")


def _step_panel(config, params: dict) -> None:
    X, y = dataset(config)
    with np.errstate(all="ignore"):
        cache = nn.forward(params, X, config.activation)
        grads = nn.backward(params, X, y, cache, config.activation, config.loss)
    snap = {**params, **cache, **grads}
    names = sample_labels(X)
    c1, c2 = st.columns(2)
    sample = c1.selectbox("Sample to follow", range(X.shape[1]), key="hand_sample",
                          format_func=lambda i: names[i]) or 0
    focus = stepview.layer_controls(config.hidden, "hand_step_layer", c2, bind=None)
    stepview.sections_panel(step_equations(snap, X, y, sample, config.activation, config.loss,
                                           config.lr, config.update, focus))


def set_weights_panel(run, at: dict) -> None:
    config = run.config
    params = hand_params(config)
    st.query_params["w"] = st.session_state.hand
    st.caption("Set every weight and bias yourself, or start from a named set. The link "
               "holds these weights. Below: what they output now, one gradient step from "
               "them, and training from here.")
    if has_starts(config.hidden, config.dataset):
        names = list(STARTS)
        check_link_choice("hand_start", names, names[0])
        c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
        name = c1.selectbox("Named start", names, index=None, key="hand_start",
                            format_func=lambda n: STARTS[n][0], on_change=_use_start,
                            placeholder="pick one to load its weights")
        if name:
            c2.caption(STARTS[name][1])
    else:
        st.caption("The named starts (the tutorial's seed 0, a hand-built OR + AND solution, "
                   "a saturated start) are made for the tutorial's 2-2-1 network on XOR: they "
                   "are about its two hidden units. For "
                   f"{format_value(nn.widths_of(config.hidden))} hidden units on "
                   f"{config.dataset}, the weights start as this seed's random ones; set any "
                   "of them below.")
    if len(nn.widths_of(config.hidden)) == 1:
        _tutorial_inputs(config.hidden, params)
    else:
        _layer_inputs(config.hidden, params)
    _outputs_panel(config, params)
    if following_hand() and st.session_state.start != _as_start(params):
        _train_from_here(params)  # a weight was typed: the run follows it
        st.rerun(scope="app")  # the view is inside the Run page's fragment; the start is not
    c1, c2 = st.columns(2)
    if following_hand():
        if c1.button("Start from random weights again", width="stretch"):
            st.session_state.pop("start", None)
            st.rerun(scope="app")
    elif c1.button("Train from here", type="primary", width="stretch",
                   help="The whole Run page (loss, surface, σ′ maps, verdict) then shows "
                        "training from these weights, and follows them as you type."):
        _train_from_here(params)
        st.rerun(scope="app")
    step = c2.toggle("One gradient step", key="hand_step",
                     help="Every number of the forward and backward pass from these weights.")
    if following_hand():
        st.success("The Run page above shows training from these weights; change one and "
                   "it retrains. The link holds them.", icon=":material/play_arrow:")
    if step:
        _step_panel(config, params)
