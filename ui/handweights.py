"""The "Set weights" view: every weight and bias by hand, named starts, and what follows.

The hand weights live in ``st.session_state.hand`` and in the link as ``w=`` (the text
form of ``backprop.weights``). "Train from here" hands them to the app's start
mechanism (``st.session_state.start``, as an uploaded run file does), so the whole
Run page then shows the run from these weights.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from backprop import nn, tables
from backprop.figures import sample_labels
from backprop.steps import step_equations
from backprop.training import dataset
from backprop.weights import MAX_WEIGHT, STARTS, from_text, shapes, start, to_text

from .common import check_link_choice, note_link_value
from .settings import settings_changed

HAND_NAME = "the weights set by hand"
PER_ROW = 3  # units per row of inputs: 2-2-1 fits on one row


def _key(name: str, r: int, c: int) -> str:
    return f"hw_{name}_{r}_{c}"


def _load(params: dict) -> None:
    """Put ``params`` into the number inputs and the link text."""
    for name, values in params.items():
        for (r, c), v in np.ndenumerate(values):
            st.session_state[_key(name, r, c)] = float(v)
    st.session_state.hand = to_text(params)


def _typed(hidden: int) -> None:
    params = {name: np.array([[st.session_state[_key(name, r, c)] or 0.0 for c in range(cols)]
                              for r in range(rows)])
              for name, (rows, cols) in shapes(hidden).items()}
    st.session_state.hand = to_text(params)


def _fallback(config) -> dict:
    if config.hidden == 2:
        return start("tutorial")
    return nn.init_params(config.hidden, config.init, config.seed)


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


def _inputs(hidden: int) -> None:
    """One column per hidden unit (its weights in and out, its bias), then the output bias."""
    common = {"min_value": -MAX_WEIGHT, "max_value": MAX_WEIGHT, "step": 0.1,
              "format": "%.4f", "on_change": _typed, "args": (hidden,)}
    units = list(range(hidden)) + [None]  # None: the output unit
    columns = [c for row in range(0, len(units), PER_ROW)
               for c in st.columns(PER_ROW)][:len(units)]
    for j, column in zip(units[:-1], columns, strict=False):
        column.markdown(f"**Hidden unit {j + 1}**")
        for i in range(2):
            column.number_input(f"W1[{j + 1},{i + 1}] (from x{i + 1})",
                                key=_key("W1", j, i), **common)
        column.number_input(f"b1[{j + 1}]", key=_key("b1", j, 0), **common)
        column.number_input(f"W2[1,{j + 1}] (to the output)", key=_key("W2", 0, j), **common)
    columns[-1].markdown("**Output unit**")
    columns[-1].number_input("b2", key=_key("b2", 0, 0), **common)


def _outputs_panel(config, params: dict) -> None:
    """What these weights do right now: each sample's output, and the objective."""
    X, y = dataset(config)
    cache = nn.forward(params, X, config.activation)
    st.markdown("**What these weights output now**, before any training")
    table = tables.truth_table(X, y, cache["a2"][0])
    st.dataframe(table.head(8), hide_index=True, column_config={
        "prediction": st.column_config.NumberColumn(format="%.4f")})
    st.caption(f"MSE {nn.mean_squared_error(cache['a2'], y):.5f} with these weights "
               f"(objective {nn.objective(params, X, y, config.activation, config.loss):.5f}).")


def _step_panel(config, params: dict) -> None:
    X, y = dataset(config)
    with np.errstate(all="ignore"):
        cache = nn.forward(params, X, config.activation)
        grads = nn.backward(params, X, y, cache, config.activation, config.loss)
    snap = {**params, **cache, **grads}
    names = sample_labels(X)
    sample = st.selectbox("Sample to follow", range(X.shape[1]), key="hand_sample",
                          format_func=lambda i: names[i]) or 0
    for title, items in step_equations(snap, X, y, sample, config.activation, config.loss,
                                       config.lr, config.update):
        st.markdown(f"**{title}**")
        for text, latex in items:
            if text:
                st.caption(text)
            st.latex(latex)


def set_weights_panel(run, at: dict) -> None:
    config = run.config
    params = hand_params(config)
    st.query_params["w"] = st.session_state.hand
    st.caption("Set every weight and bias yourself, or start from a named set. The link "
               "holds these weights. Below: what they output now, one gradient step from "
               "them, and training from here.")
    if config.hidden == 2 and config.dataset == "xor":
        names = list(STARTS)
        check_link_choice("hand_start", names, names[0])
        c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
        name = c1.selectbox("Named start", names, index=None, key="hand_start",
                            format_func=lambda n: STARTS[n][0], on_change=_use_start,
                            placeholder="pick one to load its weights")
        if name:
            c2.caption(STARTS[name][1])
    else:
        st.caption("The named starts are for the 2-2-1 network on XOR.")
    _inputs(config.hidden)
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
