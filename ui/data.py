"""Your own data: a table editor and a CSV upload for the ``custom`` dataset.

The points live in one setting, ``data`` (``userdata.to_link`` text, "" for none), so
the link, the run file and the cache key carry them like any other setting. Every
bad table row or file gets ``userdata.DataError``'s one-line message, and the last
good points stay in use.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from backprop import userdata
from backprop.datasets import custom

from .common import plain

MAX_UPLOAD_MB = userdata.MAX_BYTES // 1_000_000
EDITOR_KEY = "data_table"  # the editor's own key; the setting itself is ``data``
EDIT_KINDS = ("edited_rows", "added_rows", "deleted_rows")  # the editor's edit state


def points_frame(data: str) -> pd.DataFrame:
    """The points of a ``data`` setting as a table with columns x1, x2, y (a fresh copy)."""
    return _frame(data).copy()


@functools.lru_cache(maxsize=4)
def _frame(data: str) -> pd.DataFrame:
    X, y = custom(data=data)
    return pd.DataFrame({"x1": X[0], "x2": X[1], "y": y[0].astype(int)})


def table_points(table: pd.DataFrame) -> str:
    """The edited table as ``data`` text; rows left wholly empty are not points yet.

    Raises ``userdata.DataError`` naming the row as the editor numbers it (from 1).
    """
    table = table[list(userdata.COLUMNS)].reset_index(drop=True)
    filled = table.dropna(how="all")
    rows = [[None if pd.isna(v) else v for v in row] for row in filled.itertuples(index=False)]
    try:
        return userdata.to_link(*userdata.from_rows(rows))
    except userdata.DataError as err:
        head, colon, rest = str(err).partition(":")
        if colon and head.startswith("row "):  # the k-th point is the editor's row ...
            err = f"row {int(filled.index[int(head.split()[1]) - 1]) + 1}:{rest}"
        raise userdata.DataError(str(err)) from None


def _use(data: str, source: str) -> None:
    """Make ``data`` the points of the run (the caller has checked them)."""
    from .settings import settings_changed

    settings_changed()
    st.session_state.data = data
    st.session_state.pop("data_error", None)
    st.session_state.data_source = source


def _on_upload() -> None:
    upload = st.session_state.get("data_upload")
    if upload is None:
        return
    try:
        data = userdata.to_link(*userdata.parse_csv(upload.getvalue()))
    except userdata.DataError as err:
        st.session_state.data_error = f"{upload.name}: {err}"
        return
    _use(data, upload.name)


def data_controls(where) -> None:
    """The ``custom`` dataset's points: editor, CSV upload and download, link note."""
    box = where.expander("Your data", expanded=True)
    data = st.session_state.get("data", "")
    edited = box.data_editor(
        points_frame(data), key=EDITOR_KEY, num_rows="dynamic", hide_index=True,
        width="stretch", height=min(36 * (len(data.split(";")) + 2), 300),
        column_config={"x1": st.column_config.NumberColumn("x1", format="%g"),
                       "x2": st.column_config.NumberColumn("x2", format="%g"),
                       "y": st.column_config.NumberColumn("y", format="%d",
                                                          help="The label: 0 or 1.")})
    edits = st.session_state.get(EDITOR_KEY) or {}
    try:  # checking 10,000 rows takes a third of a second: only when something was edited
        wanted = table_points(edited) if any(edits.get(k) for k in EDIT_KINDS) else None
    except userdata.DataError as err:
        box.error(f"That table cannot be used — {plain(str(err))}. Training uses the last "
                  "good points.", icon=":material/table:")
    else:
        if wanted is not None and wanted != userdata.to_link(*custom(data=data)):  # "" is XOR
            _use(wanted, "the table")
            # Rerun now, so the editor is redrawn from the new points at once: its next
            # edit then applies to them (an editor with new data is a new widget).
            st.rerun()
    box.file_uploader(f"Or upload a CSV (columns x1, x2, y; ≤ {userdata.MAX_ROWS:,} rows, "
                      f"≤ {MAX_UPLOAD_MB} MB)", type=["csv"], key="data_upload",
                      on_change=_on_upload, max_upload_size=MAX_UPLOAD_MB)
    if st.session_state.get("data_error"):
        box.error(f"Could not use that file — {plain(st.session_state.data_error)}. "
                  "Training uses the last good points.", icon=":material/upload_file:")
    X, y = custom(data=data)
    if not data:
        box.caption("No points of your own yet: this is the XOR table. Edit it, add rows, "
                    "or upload a CSV.")
    box.download_button("⬇ These points (CSV)", userdata.to_csv(X, y), "points.csv",
                        "text/csv", width="stretch")
    if not userdata.fits_link(X, y):
        box.info(f"Your data ({X.shape[1]:,} points) is too big for a link: download the run "
                 "file to share it.", icon=":material/link_off:")
