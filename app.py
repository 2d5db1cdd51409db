"""Backprop Lab: watch a small network learn XOR by backpropagation.

A thin Streamlit UI. It reads settings (sidebar and URL), trains through a
cached wrapper around ``backprop.train`` and places the figures that
``backprop`` builds. All maths and figures live in the ``backprop`` package.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

from backprop import FIELDS, TrainConfig, explore, from_query, nn, tables, to_query, train
from backprop import explore_figures as xfig
from backprop import figures as fig
from backprop.datasets import CONTINUOUS
from backprop.diagram import network_figure
from backprop.plane import evaluate, plane_around
from backprop.presets import PRESETS, preset_config
from backprop.runfile import RunFileError, loads, run_to_json
from backprop.steps import step_equations
from backprop.training import dataset

DEFAULTS = TrainConfig()
MAX_UPLOAD_MB = 5
CHART = {"theme": None, "config": {"displaylogo": False}}
VERDICT_STYLE = {
    "solved": (st.success, ":material/check_circle:"),
    "stuck": (st.warning, ":material/warning:"),
    "learning": (st.info, ":material/hourglass_top:"),
    "diverged": (st.error, ":material/error:"),
}


def plain(text: str) -> str:
    """User-supplied text made inert for st.markdown: no links, images, LaTeX or emphasis."""
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", str(text))


MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!<>|~$:]")


# --- training, cached -----------------------------------------------------------------

@st.cache_resource(max_entries=16, show_spinner="Training…")
def cached_run(config: TrainConfig, start: str | None = None):
    """``train`` keyed on the config (and uploaded weights). Results are read-only."""
    params = {k: np.array(v) for k, v in json.loads(start).items()} if start else None
    return train(config, params=params)


@st.cache_resource(max_entries=24)
def cached_plane(config: TrainConfig, start: str | None, k: int) -> dict:
    """Network output, activations and derivatives over the input plane at checkpoint k."""
    run = cached_run(config, start)
    snap = run.history.at(k)
    plane = plane_around(run.X)
    return {"plane": plane, **evaluate(snap, plane, config.activation)}


# --- settings: URL <-> widgets ------------------------------------------------------------

def _current_query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def _load_settings_from_url() -> None:
    """Fill the widgets from the URL on a session's first run, and whenever the URL is
    no longer the one the app last wrote (browser back/forward). Keep any warnings."""
    if st.session_state.get("written_query") == _current_query():
        return
    config, warnings = from_query(_current_query())
    st.session_state.url_warnings = warnings
    for name in FIELDS:
        st.session_state[name] = getattr(config, name)


def _settings_changed() -> None:
    """A setting was changed by hand: warnings about the original link no longer apply."""
    st.session_state.url_warnings = []


def _reset_defaults() -> None:
    _settings_changed()
    for name in FIELDS:
        st.session_state[name] = getattr(DEFAULTS, name)
    st.session_state.pop("start", None)


def _apply_preset() -> None:
    name = st.session_state.get("preset")
    if name in PRESETS:
        _reset_defaults()
        config = preset_config(name)
        for field in FIELDS:
            st.session_state[field] = getattr(config, field)


def settings_controls() -> TrainConfig:
    """The sidebar settings; returns the config they describe."""
    sb = st.sidebar
    sb.header("Settings")
    sb.button("↺ Tutorial defaults", on_click=_reset_defaults, width="stretch",
              help="XOR, 2 hidden sigmoid units, ½ squared error, lr 0.1, 10,000 epochs, seed 0.")
    sb.selectbox("Preset", list(PRESETS), index=None, key="preset", on_change=_apply_preset,
                 placeholder="Choose a preset…", help="One click sets every setting.")
    if st.session_state.get("preset") in PRESETS:
        sb.caption("👀 " + PRESETS[st.session_state.preset][1])
    dataset_now = st.session_state.get("dataset", DEFAULTS.dataset)
    for name, field in FIELDS.items():
        if field.applies(dataset_now):
            _setting_widget(sb, name)
    if dataset_now in CONTINUOUS:
        sb.caption("Gradients are summed over the samples (as in the tutorial), so many points "
                   "need a small learning rate: try 0.02 for 200 points.")
    try:
        return TrainConfig(**{name: st.session_state[name] for name in FIELDS})
    except ValueError as err:  # widget bounds match FIELDS, so this is a safety net
        st.warning(f"{err}. Using the tutorial defaults.")
        return DEFAULTS


def _setting_widget(where, name: str) -> None:
    """Draw one setting's widget, as its ``FIELDS`` entry declares it."""
    field = FIELDS[name]
    # persist_state keeps a value while its widget is hidden (samples/noise on XOR).
    common = {"key": name, "help": field.help, "on_change": _settings_changed,
              "persist_state": "session"}
    if field.widget == "select":
        where.selectbox(field.label, field.choices, format_func=field.show, **common)
    elif field.widget == "slider":
        where.slider(field.label, int(field.lo), int(field.hi), **common)
    elif field.kind == "int":
        where.number_input(field.label, int(field.lo), int(field.hi),
                           step=int(field.step or 1), **common)
    else:
        where.number_input(field.label, float(field.lo), float(field.hi),
                           step=float(field.step or 0.1), format=field.fmt or "%g", **common)


def sync_url(config: TrainConfig) -> None:
    """Write every setting into the address bar, so copying it shares this exact run."""
    wanted = to_query(config)
    written = {k: [v] for k, v in wanted.items()}
    if written != _current_query():
        st.query_params.from_dict(wanted)
    st.session_state.written_query = written


# --- uploads ----------------------------------------------------------------------------

def _on_upload() -> None:
    upload = st.session_state.get("upload")
    st.session_state.pop("upload_error", None)
    if upload is None:
        return
    try:
        loaded = loads(upload.getvalue())
    except RunFileError as err:
        st.session_state.upload_error = f"{upload.name}: {err}"
        return
    st.session_state.pop("upload_error", None)
    for name in FIELDS:
        st.session_state[name] = getattr(loaded.config, name)
    st.session_state.start = json.dumps({k: v.tolist() for k, v in loaded.params.items()})
    st.session_state.start_name = upload.name


def uploaded_weights(config: TrainConfig) -> str | None:
    """The uploaded starting weights, if they still fit the hidden-layer size."""
    start = st.session_state.get("start")
    if start and len(json.loads(start)["W1"]) != config.hidden:
        st.session_state.pop("start")
        st.info("The uploaded weights were set aside: they are for a different number of "
                "hidden units. Training starts from random weights.", icon=":material/info:")
        return None
    return start


def files_panel(run) -> None:
    """Download this run (JSON, CSV); upload a run file to start from its weights."""
    c1, c2 = st.columns(2)
    c1.download_button("⬇ Run file (JSON)", lambda: run_to_json(run), "backprop-run.json",
                       "application/json", width="stretch",
                       help="Settings, final weights and loss. Upload it here to continue.")
    c2.download_button("⬇ Loss history (CSV)", lambda: tables.loss_csv(run.mse), "loss.csv",
                       "text/csv", width="stretch")
    st.file_uploader(f"Start from a run file's weights (JSON, ≤ {MAX_UPLOAD_MB} MB)",
                     type=["json"], key="upload", on_change=_on_upload,
                     max_upload_size=MAX_UPLOAD_MB)
    if st.session_state.get("start"):
        st.info(f"Training starts from the weights in **{plain(st.session_state.start_name)}**. "
                "Those weights are not part of the link.", icon=":material/folder_open:")
        st.button("Start from random weights again", on_click=lambda: st.session_state.pop(
            "start", None))


# --- views ------------------------------------------------------------------------------------

def verdict_panel(run) -> None:
    verdict = run.verdict
    show, icon = VERDICT_STYLE[verdict.status]
    show(verdict.text, icon=icon)
    if verdict.status == "stuck" and run.config.dataset == "xor":
        st.caption(
            "This is normal for this tiny network, not a bug: with the tutorial's settings about "
            "3 seeds in 10 never solve XOR. Hidden units saturate (σ′ ≈ 0) on two or more "
            "patterns, so almost no gradient reaches them. The σ′ heatmaps below show where.")


def truth_table_panel(run) -> None:
    st.markdown("**Truth table** with the trained network's predictions")
    table = tables.truth_table(run.X, run.y, run.predictions)
    if len(table) > 8:
        st.caption(f"{len(table)} samples; accuracy {np.mean(table.correct == '✓'):.0%}. "
                   "First 8 shown.")
        table = table.head(8)
    st.dataframe(table, hide_index=True, column_config={
        "prediction": st.column_config.NumberColumn(format="%.4f")})
    final = run.mse[-1] if len(run.mse) else float("nan")
    st.caption(f"Final MSE {final:.5f} after {len(run.mse):,} epochs.")


def epoch_controls(run) -> tuple[int, int]:
    """The checkpoint scrubber and sample picker; returns (checkpoint index, sample)."""
    epochs = run.history.epochs.tolist()
    c1, c2 = st.columns([3, 1])
    epoch = c1.select_slider(
        "Epoch (recorded checkpoints)", options=epochs, value=epochs[-1], key="epoch",
        help="Every view below shows the network as it was after this many updates.")
    names = fig.sample_labels(run.X)
    n = run.X.shape[1]
    sample = c2.selectbox("Sample for the step-by-step view", range(n), key="sample",
                          format_func=lambda i: f"x = {names[i]}, y = {run.y[0, i]:g}")
    return run.history.index(epoch), int(sample or 0)


@st.fragment
def views_panel(config: TrainConfig, start: str | None) -> None:
    run = cached_run(config, start)
    if len(run.history.epochs) == 0:
        st.info("Nothing to show yet.")
        return
    k, sample = epoch_controls(run)
    epoch = int(run.history.epochs[k])
    log = st.toggle("Log-scale loss", key="log_loss")
    st.plotly_chart(fig.loss_figure(run.mse, log, epoch, config.dataset == "xor"), **CHART)
    st.caption("Mean squared error over the samples at each epoch, before that epoch's update. "
               "Dotted lines: the MSE of XOR's stuck states. The red line is the selected epoch.")
    at = {"k": k, "epoch": epoch, "sample": sample, "snap": run.history.at(k),
          "grid": cached_plane(config, start, k)}
    tabs = st.tabs(list(VIEWS), key="view", on_change="rerun")
    for tab, view in zip(tabs, VIEWS.values(), strict=True):
        if tab.open:  # only the open tab builds its figures
            with tab:
                view(run, at)


def surface_panel(run, at: dict) -> None:
    st.caption("The network's output for every point of the input plane at this epoch. "
               "Blue means 1, red 0; the black line is where it crosses 0.5 — "
               "the decision boundary. Each sample should sit on its own colour.")
    grid = at["grid"]
    st.plotly_chart(fig.surface_figure(grid["plane"], grid["a2"], run.X, run.y), **CHART)


def hidden_units_panel(run, at: dict) -> None:
    st.caption("What each hidden unit computes: its activation a¹ over the input plane. "
               "The output unit draws its boundary by combining these.")
    grid = at["grid"]
    st.plotly_chart(fig.activation_heatmaps_figure(
        grid["plane"], grid["a1"], run.X, run.y, run.config.activation), **CHART)


def network_panel(run, at: dict) -> None:
    st.caption("Edge width is the weight's size; blue solid = positive, red dashed = "
               "negative. Hover a node for its bias, an edge's dot for its weight.")
    st.plotly_chart(network_figure(at["snap"], run.config.activation), **CHART)


def derivative_panel(run, at: dict) -> None:
    act, grid, epoch = run.config.activation, at["grid"], at["epoch"]
    symbol = nn.DERIVATIVE_SYMBOLS[act]
    st.markdown(f"**{symbol} of each hidden unit over the input plane** (epoch {epoch:,})")
    st.caption(f"Backprop multiplies each hidden unit's error by {symbol}. Where it is dark, "
               "the unit is saturated: almost no gradient passes, so weights feeding it barely "
               "move. The dotted line is the saturation threshold, 10% of the largest possible "
               "value. A unit that is dark on two or more samples can no longer help separate "
               "them.")
    st.plotly_chart(fig.derivative_heatmaps_figure(grid["plane"], grid["deriv1"], run.X, run.y,
                                                   act), **CHART)
    st.markdown(f"**{symbol} at each sample, through training**")
    st.caption("Each row is one hidden unit at one sample; left to right is training time. "
               "Watch cells turn dark: that is saturation setting in.")
    st.plotly_chart(fig.saturation_timeline_figure(
        run.history.epochs, run.history.steps["deriv1"], run.X, act, epoch), **CHART)


def stuck_panel(run, at: dict) -> None:
    """Which units are saturated on which samples, and the samples in hidden space."""
    h, act, k, epoch = run.history, run.config.activation, at["k"], at["epoch"]
    report = explore.saturation(h.steps["deriv1"][k], h.steps["a1"][k], run.y[0], act)
    names = fig.sample_labels(run.X)
    symbol = nn.DERIVATIVE_SYMBOLS[act]
    st.caption(f"A hidden unit is called saturated on a sample when {symbol} < "
               f"{report.threshold:g} (10% of its largest value). Epoch {epoch:,}.")
    if report.saturated and run.X.shape[1] <= 8:
        st.markdown("\n".join(
            f"- unit {j + 1} is saturated on {', '.join(names[i] for i in samples)}"
            for j, samples in report.saturated.items()))
    elif not report.saturated:
        st.markdown("No hidden unit is saturated on any sample at this epoch.")
    if report.merged:
        st.warning("Merged samples: " + "; ".join(", ".join(names[i] for i in g)
                                                  for g in report.merged)
                   + ". These have (almost) the same hidden activations but different targets,"
                     " so the output unit cannot tell them apart: it can only predict their "
                     "average. That is the plateau.", icon=":material/merge:")
    H = run.config.hidden
    units = (0, min(1, H - 1))
    if H > 2:
        c1, c2 = st.columns(2)
        first = c1.selectbox("Horizontal axis unit", range(H), format_func=lambda j: str(j + 1),
                             key="unit_x")
        second = c2.selectbox("Vertical axis unit", range(H), index=1,
                              format_func=lambda j: str(j + 1), key="unit_y")
        units = (first, second)
    st.caption("Hidden space: each sample placed at its hidden activations (a¹ of two units), "
               "with trails showing how it moved during training. The output unit can only draw "
               "a straight line here (dashed: where it says 0.5). Samples that collapse onto one "
               "point can no longer be separated.")
    st.plotly_chart(xfig.hidden_space_figure(
        h.steps["a1"][: k + 1], h.steps["W2"][k], h.steps["b2"][k], run.y[0], run.X, act,
        units, report.merged), **CHART)


def step_panel(run, at: dict) -> None:
    snap, sample, epoch = at["snap"], at["sample"], at["epoch"]
    st.caption(f"Epoch {epoch:,}, one sample, every number of the forward and backward pass. "
               "Each line is an equation from the tutorial with this network's values in it.")
    sections = step_equations(snap, run.X, run.y, sample, run.config.activation,
                              run.config.loss, run.config.lr, run.config.update)
    for title, items in sections:
        st.markdown(f"**{title}**")
        for text, latex in items:
            if text:
                st.caption(text)
            st.latex(latex)


def gradient_check_panel(run, at: dict) -> None:
    snap, epoch = at["snap"], at["epoch"]
    st.caption("Each backprop gradient next to a numerical estimate from nudging that one "
               "weight by ±10⁻⁶ and measuring the loss. Tiny relative errors mean the "
               f"hand-written backward pass is right (epoch {epoch:,}).")
    rows = nn.gradient_check(snap, run.X, run.y, run.config.activation, run.config.loss)
    table = tables.gradient_table(rows)
    st.dataframe(table, hide_index=True, column_config={
        "backprop": st.column_config.NumberColumn(format="%.6e"),
        "numerical": st.column_config.NumberColumn(format="%.6e"),
        "relative error": st.column_config.NumberColumn(format="%.1e")})


# The view tabs under the epoch scrubber, in order; each gets the run and the checkpoint.
VIEWS = {
    "Decision surface": surface_panel,
    "σ′ heatmaps": derivative_panel,
    "Hidden units": hidden_units_panel,
    "Why stuck?": stuck_panel,
    "Backprop step": step_panel,
    "Network": network_panel,
    "Gradient check": gradient_check_panel,
}


# --- live training ---------------------------------------------------------------------------

LIVE_CHUNK = 200  # epochs per tick
LIVE_TICK = 0.5  # seconds between ticks while playing


def _live_state(config: TrainConfig) -> dict:
    """The live run for this session; a new architecture (or seed) starts it over."""
    arch = tuple(getattr(config, name) for name, f in FIELDS.items() if f.live == "reset")
    live = st.session_state.get("live")
    if live is None or live["arch"] != arch:
        live = {"arch": arch, "params": nn.init_params(config.hidden, config.init, config.seed),
                "loss": np.zeros(0), "playing": False,
                "shuffle": np.random.default_rng(config.seed)}  # online mode's order
        st.session_state.live = live
    return live


def _live_step(live: dict, config: TrainConfig, epochs: int) -> None:
    """Train ``epochs`` more epochs from the live weights with the current settings."""
    run = train(config.replace(epochs=epochs), params=live["params"], checkpoints=[epochs],
                shuffle=live["shuffle"])
    live["params"], live["loss"] = run.params, np.concatenate([live["loss"], run.mse])
    if run.stopped:
        live["playing"], live["stopped"] = False, run.stopped


def _toggle_play() -> None:
    st.session_state.live["playing"] = not st.session_state.live["playing"]


def live_controls(config: TrainConfig) -> None:
    live = _live_state(config)
    c1, c2, c3 = st.columns(3)
    finished = len(live["loss"]) >= config.epochs
    c1.button("⏸ Pause" if live["playing"] else "▶ Play", on_click=_toggle_play,
              width="stretch", type="primary", disabled=finished and not live["playing"],
              help="Reached the Epochs setting: raise it or reset." if finished else None)
    if c2.button(f"Step +{LIVE_CHUNK}", width="stretch", disabled=live["playing"]):
        _live_step(live, config, LIVE_CHUNK)
    c3.button("↺ Reset", width="stretch", on_click=lambda: st.session_state.pop("live", None))
    st.caption(f"Play trains {LIVE_CHUNK} epochs every {LIVE_TICK:g} s up to the Epochs "
               "setting. Change the learning rate, loss or update mode while it runs: the "
               "weights are kept. Change the dataset, hidden units, activation, init or seed: "
               "it starts over.")
    live_panel(config, run_every=LIVE_TICK if live["playing"] else None)


def live_panel(config: TrainConfig, run_every) -> None:
    @st.fragment(run_every=run_every)
    def _view():
        live = _live_state(config)
        if live["playing"]:
            room = config.epochs - len(live["loss"])
            if room > 0:
                _live_step(live, config, min(LIVE_CHUNK, room))
            if room <= LIVE_CHUNK or not live["playing"]:
                live["playing"] = False
                st.rerun()  # redraw the buttons and stop the timer
        if live.get("stopped"):
            st.error(live["stopped"], icon=":material/error:")
        X, y = dataset(config)
        params = live["params"]
        pred = nn.forward(params, X, config.activation)["a2"][0]
        done = len(live["loss"])
        right = int(((pred > 0.5) == (y[0] > 0.5)).sum())
        mse = nn.mean_squared_error(pred, y[0])
        st.markdown(f"**Epoch {done:,}** · MSE {mse:.5f} · {right} of {len(pred)} samples right")
        plane = plane_around(X)
        grid = evaluate(params, plane, config.activation)
        c1, c2 = st.columns(2)
        with c1:
            st.plotly_chart(fig.loss_figure(live["loss"] if done else np.zeros(0), False, None,
                                            config.dataset == "xor"), **CHART, key="live_loss")
        with c2:
            st.plotly_chart(fig.surface_figure(plane, grid["a2"], X, y), **CHART,
                            key="live_surface")
        st.plotly_chart(fig.derivative_heatmaps_figure(plane, grid["deriv1"], X, y,
                                                       config.activation), **CHART,
                        key="live_deriv")
    _view()


# --- census and sweep ----------------------------------------------------------------------

class _Results:
    """A small thread-safe LRU of finished computations, shared by all sessions.

    Used instead of st.cache_* where the computation reports progress to a bar
    drawn outside it. Interrupted computations (settings changed) are not kept.
    """

    def __init__(self, limit: int):
        self.limit, self.items, self.lock = limit, OrderedDict(), threading.Lock()

    def __contains__(self, key) -> bool:
        with self.lock:
            return key in self.items

    def get(self, key, compute):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.limit:
                self.items.popitem(last=False)
        return value


@st.cache_resource
def _results() -> _Results:
    return _Results(limit=4)


def _with_progress(label: str, compute):
    bar = st.progress(0.0, text=label)
    try:
        return compute(lambda f: bar.progress(min(max(f, 0.0), 1.0), text=label))
    finally:
        bar.empty()


def census_panel(config: TrainConfig) -> None:
    st.caption("Train many networks that differ only in their random initial weights "
               "(seeds 0 … N−1), with every other setting as in the sidebar. How often does "
               "this recipe solve the task, and where do the failures get stuck?")
    n = st.number_input("Seeds", 10, explore.MAX_SEEDS, 200, step=50, key="census_n")
    key = ("census", config.replace(seed=0), int(n))
    try:
        many = _results().get(key, lambda: _with_progress(
            f"Training {n} networks…", lambda p: explore.census(config, int(n), p)))
    except ValueError as err:  # the library's size bounds
        st.error(f"Census not run: {err}.", icon=":material/block:")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Solved", f"{many.solved.mean():.0%}", help="All samples on the right side of 0.5")
    c2.metric("Stuck near MSE 1/8", int(np.sum(np.isclose(many.plateau, 1 / 8))))
    c3.metric("Stuck near MSE 1/6", int(np.sum(np.isclose(many.plateau, 1 / 6))))
    st.plotly_chart(xfig.census_histogram_figure(many.final_mse, many.solved), **CHART)
    st.caption("Final MSE of every seed. Unsolved seeds pile up at a few values: the plateaus, "
               "where some samples have merged in the hidden layer.")
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
            outputs = [evaluate({name: values[k] for name, values in many.params.items()},
                                plane, config.activation)["a2"] for k in ks]
            titles = [f"seed {many.seeds[k]}" if kind else
                      f"seed {many.seeds[k]} · MSE {many.final_mse[k]:.3f}" for k in ks]
            column.plotly_chart(xfig.surfaces_grid_figure(
                plane, outputs, titles, X, y, columns=2, colorbar=False), **CHART)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    k = c1.selectbox("Open a seed in the main views", range(len(many.seeds)), key="census_pick",
                     format_func=lambda k: explore.seed_label(many, k))
    c2.button("Open", width="stretch", on_click=_open_seed, args=(int(many.seeds[k]),))


def _open_seed(seed: int) -> None:
    st.session_state.seed = seed
    st.session_state.page = "Run"
    _settings_changed()


def sweep_panel(config: TrainConfig) -> None:
    n = dataset(config)[0].shape[1]
    lrs, hidden = explore.sweep_lrs(n), explore.SWEEP_HIDDEN
    st.caption("The solved fraction for every learning rate × hidden-layer width, other "
               "settings from the sidebar. Changing a setting cancels a sweep in progress.")
    seeds = st.number_input("Seeds per cell", 10, explore.SWEEP_SEEDS,
                            explore.SWEEP_SEEDS if n <= 4 else 10, step=10, key="sweep_seeds")
    if n > 4:
        st.caption(f"Each network trains on all {n} points, so this sweep is slow: "
                   "fewer seeds or epochs make it quicker. Learning rates are scaled by "
                   f"4/{n}, because the gradient is summed over the points.")
    key = ("sweep", config.replace(seed=0, lr=0.1, hidden=2), int(seeds))
    if key not in _results() and not st.button("Run sweep", type="primary"):
        return
    try:
        result = _results().get(key, lambda: _with_progress(
            f"Sweeping {len(lrs) * len(hidden)} cells…",
            lambda p: explore.sweep(config, lrs, hidden, int(seeds), p)))
    except ValueError as err:  # the library's size bounds
        st.error(f"Sweep not run: {err}.", icon=":material/block:")
        return
    st.plotly_chart(xfig.sweep_figure(result.lrs, result.hidden, result.solved, result.seeds),
                    **CHART)
    if config.dataset == "xor":
        st.caption("One hidden unit can never solve XOR. Two often get stuck. Wider layers "
                   "nearly always succeed: spare units keep gradient flowing when others "
                   "saturate.")


# --- page ---------------------------------------------------------------------------------------

def run_panel(config: TrainConfig, start: str | None) -> None:
    run = cached_run(config, start)
    top_left, top_right = st.columns([3, 2])
    with top_left:
        verdict_panel(run)
    with top_right:
        truth_table_panel(run)
    views_panel(config, start)
    with st.expander("Files: download this run, or start from a saved one"):
        files_panel(run)


def main() -> None:
    st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide")
    _load_settings_from_url()
    config = settings_controls()
    sync_url(config)
    st.title("Backprop Lab")
    st.caption("A 2-input network with one hidden layer learns by gradient descent, computed "
               "by hand-written backpropagation. Change a setting in the sidebar; the address "
               "bar always holds a link to exactly this run.")
    for warning in st.session_state.get("url_warnings", []):
        st.warning(f"Link setting ignored: {plain(warning)}.", icon=":material/link:")
    if st.session_state.get("upload_error"):
        st.error(f"Could not use that run file — {plain(st.session_state.upload_error)}",
                 icon=":material/folder_open:")
    start = uploaded_weights(config)
    tabs = st.tabs(["Run", "Live training", "Seed census", "Sweep"], key="page",
                   on_change="rerun")
    panels = (lambda: run_panel(config, start), lambda: live_controls(config),
              lambda: census_panel(config), lambda: sweep_panel(config))
    for tab, panel in zip(tabs, panels, strict=True):
        if tab.open:
            with tab:
                panel()


main()
