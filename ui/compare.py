"""The Compare page: run A (the sidebar's settings) beside run B, which changes some of them.

B's settings are chosen on the page and kept in the link as ``b.<setting>`` parameters
(``backprop.compare.b_query``). A link without them opens the default B: A at the first
seed that solves. When B changes nothing that draws the weights or the data, it starts
from A's initial weights, so the two race from one start.
"""

from __future__ import annotations

import streamlit as st

from backprop import FIELDS, TrainConfig, flow, vanishing
from backprop import compare as cmp

from . import widgets
from .cache import cached_compare_loss, cached_figure, cached_run, cached_solving_seed
from .common import CHART, plain

CHANGED = "b_changed"  # the multiselect: which settings B changes
PAIR_FIGURES = (("surface", "Decision surface"), ("derivatives", "Hidden derivative maps"),
                ("gradient flow", "Gradient flow"))


def _key(name: str) -> str:
    return "b_" + name


def hold_link() -> None:
    """Keep the link's ``b.`` parameters for this run (call before ``settings.sync_url``,
    which drops the keys it does not know)."""
    st.session_state.b_link = {key: st.query_params.get_all(key) for key in st.query_params
                               if key.startswith(cmp.PREFIX)}


def _default_b(a: TrainConfig) -> TrainConfig:
    return cmp.default_b(a, cached_solving_seed(a))


def _set_b(a: TrainConfig, b: TrainConfig) -> None:
    """Put B into the page's widgets: the settings it changes, and their values."""
    changed = cmp.differences(a, b)
    st.session_state[CHANGED] = list(changed)
    for name in FIELDS:  # a setting B keeps starts at A's value when it is picked later
        if name in changed:
            widgets.put(name, getattr(b, name), _key(name))
        else:
            st.session_state.pop(_key(name), None)


def _load_b(a: TrainConfig) -> None:
    """Fill B's widgets from the link when it holds a B this page did not write, or with the
    default B on a first visit; keep any warnings for the page."""
    link = st.session_state.get("b_link", {})
    if link and link != st.session_state.get("b_written"):
        read = cmp.read_b_query(link, a, fallback=_default_b(a))
        st.session_state.b_warnings = list(read.warnings)
        _set_b(a, read.config)
    elif CHANGED not in st.session_state:
        st.session_state.b_warnings = []
        _set_b(a, _default_b(a))


def _reset_b(a: TrainConfig) -> None:
    st.session_state.b_warnings = []
    _set_b(a, _default_b(a))


def _b_widget(where, name: str, a: TrainConfig) -> None:
    """One of B's settings, drawn as its ``FIELDS`` entry declares it; starts at A's value."""
    key = _key(name)
    st.session_state.setdefault(key, widgets.shown(name, getattr(a, name)))
    widgets.draw(where, name, key, f"B: {FIELDS[name].label}", persist_state="session")


def b_controls(a: TrainConfig) -> TrainConfig:
    """Choose which settings B changes and their values; returns B's settings."""
    _load_b(a)
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    changed = c1.multiselect("Settings run B changes", list(FIELDS), key=CHANGED,
                             format_func=lambda n: FIELDS[n].label, persist_state="session",
                             help="Every other setting is A's, from the sidebar.")
    c2.button("Default B", on_click=_reset_b, args=(a,), width="stretch",
              help="A at the first seed that solves.")
    columns = st.columns(3)
    for i, name in enumerate(changed):
        _b_widget(columns[i % 3], name, a)
    try:
        return a.replace(**{name: widgets.read(name, st.session_state[_key(name)])
                            for name in changed})
    except ValueError as err:  # widget bounds match FIELDS: a safety net
        st.warning(f"Run B: {plain(err)}. Using A's settings.", icon=":material/block:")
        return a


def _write_link(a: TrainConfig, b: TrainConfig) -> None:
    """Put B into the address bar (``b.`` parameters), replacing any older ones."""
    wanted = cmp.b_query(a, b)
    for key in [k for k in st.query_params if k.startswith(cmp.PREFIX) and k not in wanted]:
        del st.query_params[key]
    changed = {k: v for k, v in wanted.items() if st.query_params.get_all(k) != [v]}
    if changed:
        st.query_params.update(changed)
    st.session_state.b_written = {k: [v] for k, v in wanted.items()}


def compare_page(a: TrainConfig, start: str | None) -> None:
    st.caption("Run A has the sidebar's settings. Run B changes the settings you pick here; "
               "the address bar holds both, so one link shows the pair.")
    b = b_controls(a)
    for warning in st.session_state.get("b_warnings", []):
        st.warning(f"Link setting for run B ignored: {plain(warning)}.", icon=":material/link:")
    _write_link(a, b)
    same = cmp.same_start(a, b)
    start_b = start if same else None
    st.markdown(f"**B changes:** {plain(cmp.describe(a, b))}")
    if cmp.differences(a, b) == ("seed",) and cached_solving_seed(a) is None:
        st.caption(f"None of seeds 0 … {cmp.SOLVING_SEEDS - 1} solves at these settings, so "
                   f"the default B is simply the next seed, {b.seed}.")
    if same:
        st.caption("Same start: B changes nothing that draws the initial weights or the data, "
                   "so it starts from A's initial weights, and any difference is the "
                   "setting's alone.")
    else:
        st.caption("Different starts: B changes "
                   + ", ".join(n for n in cmp.differences(a, b)
                               if n in cmp.START_SETTINGS + cmp.DATA_SETTINGS)
                   + ", so it starts from its own initial weights (or data).")
    pair_panel(a, start, b, start_b)


@st.fragment
def pair_panel(a: TrainConfig, start_a, b: TrainConfig, start_b) -> None:
    """Verdicts, the two MSE curves, then the pair's figures at one epoch; a fragment, so
    moving the epoch redraws only this."""
    run_a, run_b = cached_run(a, start_a), cached_run(b, start_b)
    if not len(run_a.history.epochs) or not len(run_b.history.epochs):
        st.info("Nothing to show yet: a run has no epochs.")
        return
    for column, name, run in zip(st.columns(2), "AB", (run_a, run_b), strict=True):
        column.markdown(f"**Run {name}:** {plain(run.verdict.text)}")
    epochs = sorted(set(run_a.history.epochs.tolist()) | set(run_b.history.epochs.tolist()))
    if st.session_state.get("compare_epoch") not in epochs:  # B's epochs changed
        st.session_state.pop("compare_epoch", None)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    epoch = c1.select_slider("Epoch, for both runs", options=epochs, value=epochs[-1],
                             key="compare_epoch")
    log = c2.toggle("Log-scale MSE", key="compare_log")
    st.plotly_chart(cached_compare_loss(a, start_a, b, start_b, epoch, log), **CHART)
    st.caption("The MSE of both runs through training: A solid blue, B dashed red. The grey "
               "line is the selected epoch.")
    ks = [run.history.index(min(epoch, int(run.history.epochs[-1]))) for run in (run_a, run_b)]
    for name, title in PAIR_FIGURES:
        st.markdown(f"**{title}**")
        for column, label, run, start, k in zip(st.columns(2), "AB", (run_a, run_b),
                                                (start_a, start_b), ks, strict=True):
            with column:
                shown = int(run.history.epochs[k])
                st.caption(f"Run {label} at epoch {shown:,}")
                st.plotly_chart(cached_figure(name, run.config, start, k),
                                key=f"b_{name}_{label}", **CHART)
                if name == "gradient flow":
                    st.caption(_flow_caption(run, k))


def _flow_caption(run, k: int) -> str:
    """The gradient-flow numbers under each run: the tutorial's caption at one hidden layer,
    the first against the output layer's gradient at any depth."""
    if len(run.config.hidden) > 1:
        return vanishing.first_last_caption(run.history.at(k)) + "."
    s = flow.flow_summary(run.history.steps, k, run.config.activation)
    return (f"‖dW⁽¹⁾‖ / ‖dW⁽²⁾‖ = {s['ratio']:.3g}: the hidden layer's gradient is "
            f"{flow.shrink_words(s['ratio'])}; mean derivative {s['mean_deriv']:.3g} "
            f"(ceiling {s['ceiling']:g}).")
