"""Live training: Play trains a chunk every tick; settings can change while it runs."""

from __future__ import annotations

import streamlit as st

from backprop import FIELDS, TrainConfig, live
from backprop import figures as fig
from backprop.plane import plane_around
from backprop.training import dataset

from .common import CHART
from .run import FIRST_SCREEN_WIDTHS

TICK = 0.5  # seconds between chunks while playing


def _state(config: TrainConfig) -> live.Live:
    """This session's live run; a different network (see ``live.needs_reset``) starts over."""
    state = st.session_state.get("live")
    if live.needs_reset(state, config):
        state = st.session_state.live = live.start(config)
    return state


def _toggle_play() -> None:
    st.session_state.live.playing = not st.session_state.live.playing


def live_controls(config: TrainConfig) -> None:
    state = _state(config)
    c1, c2, c3 = st.columns(3)
    finished = live.room(state, config) == 0
    c1.button("⏸ Pause" if state.playing else "▶ Play", on_click=_toggle_play,
              width="stretch", type="primary", disabled=finished and not state.playing,
              help="Reached the Epochs setting: raise it or reset." if finished else None)
    if c2.button(f"Step +{live.CHUNK}", width="stretch", disabled=state.playing):
        live.step(state, config)
    c3.button("↺ Reset", width="stretch", on_click=lambda: st.session_state.pop("live", None))
    keep = [FIELDS[n].label.lower() for n, f in FIELDS.items() if f.live == "keep"]
    reset = [FIELDS[n].label.lower() for n, f in FIELDS.items()
             if f.live == "reset" and f.applies(config)]
    st.caption(f"Play trains {live.CHUNK} epochs every {TICK:g} s up to the Epochs setting. "
               f"Change the {', '.join(keep)} while it runs: the weights are kept. Change the "
               f"{', '.join(reset)}: it starts over.")
    live_panel(config, run_every=TICK if state.playing else None)


def live_panel(config: TrainConfig, run_every) -> None:
    @st.fragment(run_every=run_every)
    def _view():
        state = _state(config)
        if state.playing:
            live.step(state, config)
            if not state.playing:
                st.rerun()  # redraw the buttons and stop the timer
        if state.stopped:
            st.error(state.stopped, icon=":material/error:")
        X, y = dataset(config)
        score = live.live_score(state, config)
        st.markdown(f"**Epoch {state.epochs:,}** · MSE {score.mse:.5f} · "
                    f"{score.right} of {score.samples} samples right")
        plane = plane_around(X)
        grid = live.plane_grid(state.params, plane.points, plane.shape, config.activation)
        c1, c2, c3 = st.columns(FIRST_SCREEN_WIDTHS)
        with c1:
            # At epoch 0 there is no curve yet: the chart shows the current MSE.
            st.plotly_chart(fig.loss_figure(state.mse, False, None, config.dataset == "xor",
                                            objective=config.loss, current=score.mse),
                            **CHART, key="live_loss")
        with c2:
            st.plotly_chart(fig.surface_figure(plane, grid["out"], X, y), **CHART,
                            key="live_surface")
        with c3:
            st.plotly_chart(fig.derivative_heatmaps_figure(plane, grid["deriv1"], X, y,
                                                           config.activation),
                            **CHART, key="live_deriv")
            if len(config.hidden) > 1:
                st.caption(f"σ′ maps of the first of {len(config.hidden)} hidden layers: "
                           "the layer the error reaches last, through every layer's σ′.")
    _view()
