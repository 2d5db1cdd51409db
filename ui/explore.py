"""Seed census and sweep: many networks at once, results shared by every visitor."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from backprop import FIELDS, TrainConfig, explore
from backprop import explore_figures as xfig
from backprop.compare import census_by_optimizer
from backprop.datasets import TABLE_ROWS
from backprop.diagnosis import census_counts
from backprop.plane import plane_around
from backprop.training import dataset

from .common import CHART, check_link_number, shared
from .settings import settings_changed

CENSUS_SEEDS = 200  # the census size a link without census_n opens
DEFAULTS = TrainConfig()


def _counts_panel(many) -> None:
    """Solved, then every stuck seed by plateau: the stuck rows add up to the unsolved."""
    counts = census_counts(many.solved, many.plateau, many.final_mse)
    total = len(many.seeds)
    solved = counts.pop("solved")
    c1, c2 = st.columns([1, 2])
    c1.metric("Solved", f"{solved} of {total}", help="Every sample on the right side of 0.5")
    c1.caption(f"{total - solved} unsolved")
    c2.dataframe(pd.DataFrame({"stuck where": list(counts), "seeds": list(counts.values())}),
                 hide_index=True, width="stretch")


def census_panel(config: TrainConfig) -> None:
    st.caption("Train many networks that differ only in their random initial weights "
               "(seeds 0 … N−1), with every other setting as in the sidebar. How often does "
               "this recipe solve the task, and where do the failures get stuck?")
    check_link_number("census_n", 10, explore.MAX_SEEDS, CENSUS_SEEDS)
    n = int(st.number_input("Seeds", 10, explore.MAX_SEEDS, CENSUS_SEEDS, step=50,
                            key="census_n", bind="query-params"))
    try:
        many = shared("census", 4, ("census", config.replace(seed=0), n),
                      f"Training {n} networks…", lambda p: explore.census(config, n, p))
    except ValueError as err:  # the library's size bounds
        st.error(f"Census not run: {err}.", icon=":material/block:")
        return
    _counts_panel(many)
    st.plotly_chart(xfig.census_histogram_figure(many.final_mse, many.solved, many.plateau),
                    **CHART)
    st.caption("Final MSE of every seed. Unsolved seeds pile up at a few values: the plateaus, "
               "where some samples have merged in the hidden layer.")
    _examples_panel(config, many)
    optimizers_panel(config, n, many)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    k = c1.selectbox("Open a seed in the main views", range(len(many.seeds)), key="census_pick",
                     format_func=lambda k: explore.seed_label(many, k))
    c2.button("Open", width="stretch", on_click=_open_seed, args=(int(many.seeds[k]),))


def optimizers_panel(config: TrainConfig, n: int, many) -> None:
    """Issue 12.3: the same census with each optimizer, shared by everyone."""
    st.markdown("**Does momentum or Adam solve more seeds?**")
    key = ("census-optimizers", config.replace(seed=0, optimizer="gd"), n)
    try:
        counts = shared("census-optimizers", 16, key, "Training the census per optimizer…",
                        lambda p: census_by_optimizer(config, n, p, known=many))
    except ValueError as err:
        st.error(f"Census by optimizer not run: {err}.", icon=":material/block:")
        return
    names = FIELDS["optimizer"]
    for column, (name, (solved, total)) in zip(st.columns(len(counts)), counts.items(),
                                               strict=True):
        column.metric(names.show(name), f"{solved} of {total}", f"{solved / total:.0%}",
                      delta_color="off", delta_arrow="off")
    top = max(solved for solved, _ in counts.values())
    best = [names.show(o) for o, (solved, _) in counts.items() if solved == top]
    verdict = (f"{best[0]} solves the most here" if len(best) == 1 else
               f"{' and '.join(best)} tie")
    st.caption(f"The same {n} seeds with every other setting as in the sidebar (lr "
               f"{config.lr:g}); {verdict}. Adam's step is about "
               "the learning rate whatever the gradient's size, so a learning rate chosen for "
               "gradient descent can be a large step for Adam: try it at 0.01 too.")


def _examples_panel(config: TrainConfig, many) -> None:
    X, y = dataset(config)
    plane = plane_around(X, resolution=41)
    picks = explore.census_examples(many)
    st.caption("Decision surfaces of some seeds (blue = output 1, red = 0, black line = 0.5). "
               "Solved ones split the plane into a band; stuck ones leave a sample on the "
               "wrong colour.")
    for column, kind in zip(st.columns(2), (True, False), strict=True):
        ks = [k for k in picks if bool(many.solved[k]) == kind]
        if ks:
            column.markdown("**Solved**" if kind else "**Stuck**")
            titles = [f"seed {many.seeds[k]}" if kind else
                      f"seed {many.seeds[k]} · MSE {many.final_mse[k]:.3f}" for k in ks]
            column.plotly_chart(xfig.surfaces_grid_figure(
                plane, explore.example_surfaces(many, ks, plane), titles, X, y, columns=2,
                colorbar=False), **CHART)


def _open_seed(seed: int) -> None:
    st.session_state.seed = seed
    st.session_state.page = "Run"
    settings_changed()


def _sweep_key(config: TrainConfig, seeds: int) -> tuple:
    # The sweep varies lr and every layer's width itself, at the config's depth, and trains
    # seeds 0..seeds-1; so only the depth of ``hidden`` tells two sweeps apart.
    depth = len(config.hidden)
    return ("sweep", config.replace(seed=0, lr=0.1, hidden=(2,) * depth), seeds)


TUTORIAL_SWEEP = _sweep_key(DEFAULTS, explore.SWEEP_SEEDS)


def _run_sweep(config: TrainConfig, seeds: int):
    """The sweep for these settings, shared by everyone. The tutorial's sweep has a store of
    its own, so other visitors' sweeps never push it out."""
    key = _sweep_key(config, seeds)
    store = ("sweep-tutorial", 1) if key == TUTORIAL_SWEEP else ("sweep", 4)
    lrs = explore.sweep_lrs(dataset(config)[0].shape[1])
    cells = len(lrs) * len(explore.sweep_rows(config))
    return shared(*store, key, f"Sweeping {cells} cells…",
                  lambda p: explore.sweep(config, lrs, explore.SWEEP_HIDDEN, seeds, p))


def sweep_panel(config: TrainConfig) -> None:
    n, depth = dataset(config)[0].shape[1], len(config.hidden)
    layers = ("hidden-layer width" if depth == 1 else
              f"width of all {depth} hidden layers at once (rows 1,1 / 2,2 / …)")
    st.caption(f"The solved fraction for every learning rate × {layers}, other settings "
               "from the sidebar. Changing a setting cancels a sweep in progress.")
    default_seeds = explore.SWEEP_SEEDS if n <= TABLE_ROWS else 10
    check_link_number("sweep_seeds", 10, explore.SWEEP_SEEDS, default_seeds)
    seeds = int(st.number_input("Seeds per cell", 10, explore.SWEEP_SEEDS, default_seeds,
                                step=10, key="sweep_seeds", bind="query-params"))
    if n > TABLE_ROWS:
        st.caption(f"Each network trains on all {n} points, so this sweep is slow: "
                   "fewer seeds or epochs make it quicker. Learning rates are scaled by "
                   f"{TABLE_ROWS}/{n}, because the gradient is summed over the points.")
    mine = _sweep_key(config, seeds)
    try:
        if mine == TUTORIAL_SWEEP or st.session_state.get("sweep_wanted") == mine:
            result = _run_sweep(config, seeds)
            label = "the tutorial defaults" if mine == TUTORIAL_SWEEP else "these settings"
        else:
            c1, c2 = st.columns([1, 2], vertical_alignment="center")
            c1.button("Run sweep for these settings", type="primary", on_click=_want,
                      args=(mine,))
            c2.caption("Your settings differ from the tutorial's. Below is the tutorial's "
                       "sweep, computed once for everyone.")
            result, label = _run_sweep(DEFAULTS, explore.SWEEP_SEEDS), "the tutorial defaults"
    except ValueError as err:  # the library's size bounds
        st.error(f"Sweep not run: {err}.", icon=":material/block:")
        return
    st.markdown(f"**Solved fraction for {label}** ({result.seeds} seeds per cell)")
    st.plotly_chart(xfig.sweep_figure(result.lrs, result.hidden, result.solved, result.seeds),
                    **CHART)
    if label == "the tutorial defaults" or config.dataset == "xor":
        st.caption(_XOR_NOTE if result.depth == 1 else _XOR_NOTE_DEEP)


_XOR_NOTE = ("One hidden unit can never solve XOR. Two often get stuck. Wider layers nearly "
             "always succeed: spare units keep gradient flowing when others saturate.")
# A first layer of one unit squeezes the plane onto a line, and no monotone function of
# one line separates XOR's corners; deeper layers cannot undo that.
_XOR_NOTE_DEEP = ("One unit per layer can never solve XOR: the first layer squeezes the "
                  "plane onto a line. Wider layers keep more of it, and spare units keep "
                  "gradient flowing when others saturate.")


def _want(key: tuple) -> None:
    st.session_state.sweep_wanted = key
