"""The Run page: the first screen (verdict, truth table, loss, decision surface, σ′ heatmaps
at the selected epoch) and, one click away, the other views as tabs."""

from __future__ import annotations

import streamlit as st

from backprop import TrainConfig, notation
from backprop.datasets import LABEL_EVERY_SAMPLE
from backprop.diagnosis import SATURATION_FRACTION

from . import files, lessons, views
from .cache import cached_figure, cached_plane, cached_run, cached_truth_table
from .common import CHART, check_link_choice, check_link_flag

VERDICT_STYLE = {
    "solved": (st.success, ":material/check_circle:"),
    "stuck": (st.warning, ":material/warning:"),
    "learning": (st.info, ":material/hourglass_top:"),
    "diverged": (st.error, ":material/error:"),
}


PREDICTION_COLUMN = {"prediction": st.column_config.NumberColumn(format="%.4f")}

# Loss, surface, σ′ maps: the maps get more room, as they hold one panel per hidden unit.
FIRST_SCREEN_WIDTHS = [1, 1, 1.4]

# --- the first screen -----------------------------------------------------------------------

def intro_panel(config: TrainConfig) -> None:
    """The line under the title: what network this is, and that the link holds the view."""
    st.caption(f"A network with 2 inputs, {notation.layers_words(config.hidden)} and one "
               "sigmoid output learns by gradient descent, computed by hand-written "
               "backpropagation. Change a setting in the sidebar; the address bar always holds "
               "a link to exactly this view.")


def _output(run) -> str:
    """The output's name: a⁽²⁾ for the tutorial, a⁽ᴸ⁺¹⁾ numbered for a deeper network."""
    return notation.layer("a", len(run.config.hidden) + 1)


def verdict_panel(run) -> None:
    verdict = run.verdict
    show, icon = VERDICT_STYLE[verdict.status]
    show(verdict.text, icon=icon)
    if verdict.status == "stuck" and len(run.config.hidden) > 1:
        symbol = notation.derivative(run.config.activation, "l")
        st.caption(
            f"On its way back the error is multiplied by each hidden layer's {symbol}, and "
            "saturated units pass almost none of it, so a deep network can stall long before "
            f"its first layers have learned. The {symbol} maps show the saturated units; the "
            "Gradient flow view below measures the gradient that reaches each layer.")
    elif verdict.status == "stuck" and run.config.dataset == "xor":
        symbol = notation.derivative(run.config.activation)
        st.caption(
            "This is normal for this tiny network, not a bug: with the tutorial's settings about "
            f"3 seeds in 10 never solve XOR. Hidden units saturate ({symbol} ≈ 0) on two or "
            "more patterns, so almost no gradient reaches them. The heatmaps of "
            f"{symbol} beside the decision surface show where.")


def truth_table_panel(run, start, k: int) -> None:
    """The samples with the network's outputs a⁽ᴸ⁺¹⁾ at checkpoint k."""
    epoch = int(run.history.epochs[k])
    final = epoch == len(run.mse)
    # quiz mode: the outputs wait for the student
    shown = cached_truth_table(run.config, start, k, lessons.quiz_hidden(run.config))
    st.markdown(f"**Truth table**, with the network's output {_output(run)} "
                + ("after training" if final else f"at epoch {epoch:,}"))
    if shown["samples"] > LABEL_EVERY_SAMPLE:
        st.caption(f"{shown['samples']} samples; {shown['right']:.0%} on the right "
                   f"side of 0.5. First {LABEL_EVERY_SAMPLE} shown.")
    st.dataframe(shown["table"], hide_index=True, column_config=PREDICTION_COLUMN)
    last = run.mse[-1] if len(run.mse) else float("nan")
    st.caption(f"Final MSE {last:.5f} after {len(run.mse):,} epochs.")


def epoch_controls(run) -> tuple[int, bool]:
    """The checkpoint scrubber and the log-scale switch; returns (checkpoint index, log)."""
    epochs = run.history.epochs.tolist()
    labels = [str(e) for e in epochs]
    check_link_choice("epoch", labels, f"{epochs[-1]}",
                      f"a recorded checkpoint between 0 and {epochs[-1]}")
    check_link_flag("log_loss")
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    epoch = row.select_slider(
        "Epoch (recorded checkpoints)", options=epochs, value=epochs[-1], key="epoch",
        bind="query-params",
        help="Every view on this page shows the network as it was after this many updates.")
    log = row.toggle("Log-scale MSE", key="log_loss", bind="query-params")
    return run.history.index(epoch), log


def loss_panel(run, start, k: int, log: bool) -> None:
    st.plotly_chart(cached_figure("loss", run.config, start, k, log), **CHART)
    why = (f"Training descends ½({_output(run)} − y)² summed over the samples: the same "
           "curve, scaled, so the two fall together." if run.config.loss == "mse" else
           "Training descends the cross-entropy; the MSE is plotted so that runs with "
           "either loss compare on one scale.")
    st.caption(f"The MSE at each epoch, before its update: the number the tutorial prints. "
               f"{why} Dotted: the MSE of XOR's stuck states; red: the selected epoch.")


def surface_panel(run, start, k: int) -> None:
    st.plotly_chart(cached_figure("surface", run.config, start, k), **CHART)
    st.caption(f"The output {_output(run)} over the input plane. Blue is 1, red 0; the "
               "black line is where it crosses 0.5, the decision boundary. Each sample should "
               "sit on its own colour.")


def derivative_panel(run, start, k: int) -> None:
    act, L = run.config.activation, len(run.config.hidden)
    symbol = notation.derivative(act, 1 if L == 1 else "l")
    st.plotly_chart(cached_figure("derivatives", run.config, start, k), **CHART)
    line = ("" if act == "relu" else
            f" The dotted line is the saturation threshold, {SATURATION_FRACTION:.0%} of the "
            "largest possible value.")
    units = ("each hidden unit j" if L == 1 else
             f"each unit of the {L} hidden layers, one row of maps per layer (layer 1 on top)")
    st.caption(f"{symbol} of {units} over the input plane. Backprop multiplies each "
               f"hidden unit's error by {symbol}: where it is dark the unit is saturated and "
               f"the weights feeding it barely move.{line}")


def first_screen(run, k: int, log: bool, table_slot) -> None:
    """Verdict and truth table (into ``table_slot``), then loss, surface and σ′ side by side."""
    start = st.session_state.get("start")
    with table_slot:
        truth_table_panel(run, start, k)
    panels = (lambda: loss_panel(run, start, k, log), lambda: surface_panel(run, start, k),
              lambda: derivative_panel(run, start, k))
    for column, draw in zip(st.columns(FIRST_SCREEN_WIDTHS), panels, strict=True):
        with column:
            draw()


@st.fragment
def run_page(config: TrainConfig, start: str | None) -> None:
    """The Run tab; a fragment, so moving the epoch redraws only this page."""
    run = cached_run(config, start)
    if len(run.history.epochs) == 0:
        st.info("Nothing to show yet.")
        return
    # The verdict with the epoch under it, beside the truth table: one row on a wide screen.
    left, right = st.columns([3, 2])
    with left:
        if not lessons.quiz_panel(run):  # quiz mode: the verdict waits for the student
            verdict_panel(run)
        k, log = epoch_controls(run)
    first_screen(run, k, log, right)
    st.markdown("**More views** at the same epoch")
    labels = list(views.VIEWS)
    check_link_choice("view", labels, labels[0])
    tabs = st.tabs(labels, key="view", bind="query-params")
    at = {"k": k, "epoch": int(run.history.epochs[k]), "snap": run.history.at(k),
          "grid": cached_plane(config, start, k), "start": start}
    for tab, view in zip(tabs, views.VIEWS.values(), strict=True):
        if tab.open:  # only the open tab builds its figures
            with tab:
                view(run, at)



FILES_KEY = "files_open"  # the Files expander's open state, in session state


def run_tab(config: TrainConfig, start: str | None) -> None:
    """The Run page, then its files (outside the fragment: an upload changes the settings).

    The files are drawn only while their expander is open (opening it reruns the page):
    closed, they would still be sent on every run, eight elements of the page's 76.
    """
    run_page(config, start)
    box = st.expander("Files: download this run, or start from a saved one", key=FILES_KEY,
                      on_change="rerun")
    if box.open:
        with box:
            files.files_panel(cached_run(config, start))
