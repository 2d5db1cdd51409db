"""Run files: download this run (JSON, CSV); upload one to start from its weights.

Exports for class sit beside them: a standalone NumPy script of this run and an
offline training replay (HTML with plotly.js embedded), each built only when asked.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from backprop import TrainConfig, tables
from backprop.config import filled_message
from backprop.export import standalone_script
from backprop.replay import replay_html
from backprop.runfile import RunFileError, loads, param_shapes, run_to_json

from . import widgets
from .common import plain
from .settings import settings_changed

MAX_UPLOAD_MB = 5


def _on_upload() -> None:
    upload = st.session_state.get("upload")
    st.session_state.pop("upload_error", None)
    st.session_state.pop("start_filled", None)
    if upload is None:
        return
    try:
        loaded = loads(upload.getvalue())
    except RunFileError as err:
        st.session_state.upload_error = f"{upload.name}: {err}"
        return
    settings_changed()
    widgets.put_config(loaded.config)
    st.session_state.start = json.dumps({k: v.tolist() for k, v in loaded.params.items()})
    st.session_state.start_name = upload.name
    # Settings the file did not hold, filled with the values of its format version.
    st.session_state.start_filled = filled_message(upload.name, loaded)


def weights_fit(start: str, hidden) -> bool:
    """Whether the weights in ``start`` (JSON: name -> nested lists) have exactly the layers
    and shapes of a network with these hidden widths (``runfile.param_shapes``)."""
    weights = json.loads(start)
    shapes = param_shapes(hidden)
    return set(weights) == set(shapes) and all(
        np.shape(weights[name]) == shape for name, shape in shapes.items())


def uploaded_weights(config: TrainConfig) -> str | None:
    """The uploaded starting weights, if they still fit the hidden layers (every shape)."""
    start = st.session_state.get("start")
    if start and not weights_fit(start, config.hidden):
        st.session_state.pop("start")
        st.info("The uploaded weights were set aside: they are for different hidden layers "
                "(depth or widths). Training starts from random weights.",
                icon=":material/info:")
        return None
    return start


def upload_error_panel() -> None:
    if st.session_state.get("upload_error"):
        st.error(f"Could not use that run file — {plain(st.session_state.upload_error)}",
                 icon=":material/folder_open:")


def files_panel(run) -> None:
    """Download this run (JSON, CSV) and its exports; upload a run file to start from its
    weights. The four downloads sit in one two-column grid (one layout block, not two)."""
    c1, c2 = st.columns(2)
    c1.download_button("⬇ Run file (JSON)", lambda: run_to_json(run), "backprop-run.json",
                       "application/json", width="stretch",
                       help="Settings, final weights and MSE. Upload it here to continue.")
    c2.download_button("⬇ MSE history (CSV)", lambda: tables.loss_csv(run.mse), "loss.csv",
                       "text/csv", width="stretch")
    exports_panel(run, (c1, c2))
    st.file_uploader(f"Start from a run file's weights (JSON, ≤ {MAX_UPLOAD_MB} MB)",
                     type=["json"], key="upload", on_change=_on_upload,
                     max_upload_size=MAX_UPLOAD_MB)
    if st.session_state.get("start"):
        in_link = st.query_params.get("from_w") == "true"  # set by the Set weights view
        st.info(f"Training starts from the weights in **{plain(st.session_state.start_name)}**. "
                + ("They are in the link (w=…&from_w=true)." if in_link else
                   "Those weights are not part of the link: share the run file."),
                icon=":material/folder_open:")
        if st.session_state.get("start_filled"):
            st.caption(plain(st.session_state.start_filled))
        st.button("Start from random weights again", on_click=lambda: st.session_state.pop(
            "start", None))


def start_params() -> dict | None:
    """The uploaded starting weights as arrays, or None (the seed's own start)."""
    start = st.session_state.get("start")
    return {k: np.array(v) for k, v in json.loads(start).items()} if start else None


def exports_panel(run, columns=None) -> None:
    """For class: this run as a NumPy-only script, and as a replay that plays offline
    (into ``columns``, two of them, or two new ones)."""
    params = start_params()  # read now: the callables run later, outside this session's run
    c1, c2 = columns or st.columns(2)
    c1.download_button("⬇ Standalone script (Python)",
                       lambda: standalone_script(run.config, params),
                       "backprop_run.py", "text/x-python", width="stretch",
                       help="This run as the tutorial's program, NumPy only: it prints the "
                            "same Epoch N, Loss: X lines as python -m backprop train.")
    c2.download_button("⬇ Training replay (HTML, ~7 MB)", lambda: replay_html(run),
                       "backprop_replay.html", "text/html", width="stretch",
                       help="The decision surface and MSE curve, one frame per checkpoint, "
                            "with plotly.js inside: it plays offline, in a lecture hall.")
