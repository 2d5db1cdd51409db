"""Your own data and the exports for class, through Streamlit's AppTest.

The editor is driven as the browser drives it: AppTest cannot type into an
``st.data_editor``, so a test writes the editor's edit state (edited, added and
deleted rows) into ``session_state`` before a run. A download built on click is
fetched by running the callable the button registered, as a click would.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from appsession import config_from_state, ok, shown, start, truth_table, url
from streamlit.runtime.media_file_manager import MediaFileManager

from backprop import TrainConfig, train
from backprop.export import log_line

CUSTOM = {"epochs": "500", "dataset": "custom"}
XOR = "0,0,0;0,1,1;1,0,1;1,1,0"
XOR_CSV = b"x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def errors(at) -> list[str]:
    return [shown(e.value) for e in at.error]


DEFERRED: dict[str, tuple] = {}  # deferred file id -> (callable, file name), as registered


@pytest.fixture(scope="module", autouse=True)
def record_deferred_downloads():
    """Keep each download callable the app registers (AppTest drops its runtime after a run)."""
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        DEFERRED[file_id] = (data_callable, file_name)
        return file_id

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MediaFileManager, "add_deferred", add_deferred)
        yield


def download(at, label: str) -> tuple[str, bytes]:
    """(file name, contents) of a download button, its contents made as a click makes them."""
    (button,) = [b for b in at.get("download_button") if b.proto.label == label]
    make, name = DEFERRED[button.proto.deferred_file_id]
    data = make()
    return name, data.encode("utf-8") if isinstance(data, str) else data


def edit(at, edited=None, added=(), deleted=()):
    at.session_state["data_table"] = {"edited_rows": edited or {}, "added_rows": list(added),
                                      "deleted_rows": list(deleted)}
    return at.run()


def test_custom_starts_from_the_xor_table_and_trains_it():
    at = start(CUSTOM)
    (editor,) = at.data_editor
    assert editor.value.values.tolist() == [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]
    assert any("No points of your own yet" in c.value for c in at.sidebar.caption)
    np.testing.assert_allclose(truth_table(at).prediction,
                               train(TrainConfig(epochs=500)).predictions)


def test_editing_the_table_changes_the_run_and_the_link():
    at = start({**CUSTOM, "data": XOR})
    ok(edit(at, edited={3: {"y": 1}}, added=[{"x1": 0.5, "x2": 0.25, "y": 0}], deleted=[0]))
    expected = "0,1,1;1,0,1;1,1,1;0.5,0.25,0"
    assert at.session_state["data"] == expected and url(at)["data"] == expected
    assert at.data_editor[0].value.values.tolist() == [[0, 1, 1], [1, 0, 1], [1, 1, 1],
                                                       [0.5, 0.25, 0]]
    config = TrainConfig(dataset="custom", data=expected, epochs=500)
    assert config_from_state(at) == config
    np.testing.assert_allclose(truth_table(at).prediction, train(config).predictions)
    # A second edit applies to the new table (the editor was redrawn from it).
    ok(edit(at, edited={0: {"x1": 2}}))
    assert at.session_state["data"] == "2,1,1;1,0,1;1,1,1;0.5,0.25,0"


@pytest.mark.parametrize("edited, added, message", [
    ({1: {"y": 3}}, [], "row 2: y must be 0 or 1, got 3"),
    ({}, [{"x1": 0.5, "y": 1}], "row 5: x2 must be a number, got None"),
    ({0: {"y": 1}, 3: {"y": 1}}, [], "every point has y = 1"),
])
def test_a_bad_table_row_is_named_and_the_old_points_stay(edited, added, message):
    at = start({**CUSTOM, "data": XOR})
    ok(edit(at, edited=edited, added=added))
    assert any(message in e and "last good points" in e for e in errors(at)), errors(at)
    assert at.session_state["data"] == XOR and url(at)["data"] == XOR


def test_an_empty_added_row_is_not_a_point_yet():
    at = start({**CUSTOM, "data": XOR})
    ok(edit(at, added=[{}]))
    assert errors(at) == [] and at.session_state["data"] == XOR


def test_a_csv_upload_becomes_the_data_and_a_bad_one_keeps_it():
    at = start({**CUSTOM, "data": XOR})
    upload = at.file_uploader(key="data_upload")
    ok(upload.set_value(("mine.csv", b"y,x1,x2\n1,0.5,-2\n0,3,4\n", "text/csv")).run())
    assert at.session_state["data"] == "0.5,-2,1;3,4,0" and errors(at) == []
    assert truth_table(at).target.tolist() == [1, 0]
    ok(at.file_uploader(key="data_upload").set_value(
        ("bad.csv", b"x1,x2,y\n0,0,0\n1,one,1\n", "text/csv")).run())
    (error,) = errors(at)
    assert "bad.csv: row 3: x2 must be a number, got 'one'" in error
    assert at.session_state["data"] == "0.5,-2,1;3,4,0"


def test_the_xor_csv_reproduces_the_tutorial_run():
    at = start({"epochs": "500", "dataset": "custom", "data": "1,1,1;0,0,0"})
    ok(at.file_uploader(key="data_upload").set_value(("xor.csv", XOR_CSV, "text/csv")).run())
    tutorial = train(TrainConfig(epochs=500))
    np.testing.assert_allclose(truth_table(at).prediction, tutorial.predictions, atol=1e-12)


def test_data_too_big_for_a_link_says_so_and_leaves_the_link():
    at = start({**CUSTOM, "data": XOR}, files_open=True)
    rows = "\n".join(f"{i / 500!r},{(i * 7 % 500) / 500!r},{i % 2}" for i in range(400))
    ok(at.file_uploader(key="data_upload").set_value(
        ("big.csv", ("x1,x2,y\n" + rows).encode(), "text/csv")).run())
    assert len(at.session_state["data"].split(";")) == 400
    infos = [shown(i.value) for i in at.info]
    assert ("Your data (400 points) is too big for a link: download the run file to share it."
            in infos), infos
    assert "data" not in url(at) and url(at)["dataset"] == "custom"
    _, run_file = download(at, "⬇ Run file (JSON)")
    assert at.session_state["data"] in run_file.decode()


def test_the_data_download_is_the_points_as_csv():
    at = start({**CUSTOM, "data": "0.5,-2,1;3,4,0"})
    (button,) = [b for b in at.get("download_button") if "These points" in b.proto.label]
    assert button.proto.url  # eager: the points are small


# --- exports ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exports_app():
    return start({"epochs": "2000", "seed": "3", "lr": "0.5"}, page="Run", files_open=True)


def test_the_standalone_script_prints_the_apps_epoch_lines(exports_app, tmp_path):
    name, source = download(exports_app, "⬇ Standalone script (Python)")
    assert name == "backprop_run.py"
    path = tmp_path / name
    path.write_bytes(source)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("Epoch ")]
    mse = train(config_from_state(exports_app)).mse  # the run the app shows
    assert lines == [log_line(e, mse[e]) for e in range(0, 2000, 1000)]
    assert "import backprop" not in source.decode()


def test_the_replay_is_one_offline_html_file(exports_app):
    name, page = download(exports_app, "⬇ Training replay (HTML, ~7 MB)")
    assert name == "backprop_replay.html"
    text = page.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "plotly.js v" in text.lower()
    assert not re.search(r"<script[^>]*\ssrc=", text), "plotly.js must be inside, not fetched"
    assert len(text) > 3_000_000  # plotly.js itself is about 4.6 MB


def test_the_backprop_step_shows_its_latex_source():
    at = start({"epochs": "500"}, view="Backprop step")
    (expander,) = [e for e in at.expander if e.label == "LaTeX source (copy)"]
    (code,) = expander.code
    assert code.language == "latex"
    assert code.value.startswith("% Compile with") and "\\begin{document}" in code.value
    shown_equations = [node.value.strip("$\n") for node in at.latex]  # st.latex adds $$
    assert shown_equations and all(f"\\[ {eq} \\]" in code.value for eq in shown_equations)
