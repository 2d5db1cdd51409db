"""What each run leaves in session state stays small: Streamlit walks every key of it for
each selectbox and number input it draws, so a key per setting costs every run."""

from __future__ import annotations

from appsession import FAST, config_from_state, control, ok, shown, start

from backprop import FIELDS


def test_text_that_does_not_read_keeps_the_last_value_that_did():
    at = start(FAST)
    ok(control(at, "hidden").set_value("3").run())
    ok(control(at, "hidden").set_value("3,,2").run())
    errors = [shown(e.value) for e in at.error]
    assert any("still using 3" in e for e in errors), errors
    # The run shown is still the one with 3 hidden units.
    intro = [c.value for c in at.caption if c.value.startswith("A network with")]
    assert intro and "1 hidden layer of 3 units" in intro[0], intro
    ok(control(at, "hidden").set_value("4").run())
    assert not at.error and config_from_state(at).hidden == (4,)


def test_the_last_good_values_are_one_session_state_entry():
    at = start(FAST)
    per_setting = [name for name in FIELDS if f"last_good_{name}" in at.session_state]
    assert not per_setting, f"one session-state key each for {per_setting}"
    assert set(at.session_state["last_good"]) == set(FIELDS)


def test_the_files_are_drawn_only_while_their_expander_is_open():
    at = start(FAST)
    (files,) = [e for e in at.expander if e.label.startswith("Files:")]
    assert not files.proto.expanded
    assert not at.get("download_button") and not at.get("file_uploader")
    at.session_state["files_open"] = True  # what a click on the expander sends
    ok(at.run())
    labels = sorted(b.proto.label for b in at.get("download_button"))
    assert labels == ["⬇ MSE history (CSV)", "⬇ Run file (JSON)",
                      "⬇ Standalone script (Python)", "⬇ Training replay (HTML, ~7 MB)"], labels
    assert [u.proto.label for u in at.get("file_uploader")] == [
        "Start from a run file's weights (JSON, ≤ 5 MB)"]
