"""The websocket viewer sends a scrub as the browser does: the slider's value and the
id of the fragment the slider was drawn in."""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider

from bench.wsclient import RunResult, Viewer, rerun_message


def slider_delta(label: str, wid: str, options: list[str], fragment_id: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.fragment_id = fragment_id
    slider = msg.delta.new_element.slider
    slider.id, slider.label, slider.type = wid, label, Slider.SELECT_SLIDER
    slider.options.extend(options)
    return msg


@pytest.fixture
def viewer() -> Viewer:
    v = Viewer(port=1)
    v._note(slider_delta("Epoch (recorded checkpoints)", "w-epoch", ["0", "10", "20"], "frag-1"),
            RunResult(query=""))
    v._note(slider_delta("Loose slider", "w-loose", ["a", "b"], ""), RunResult(query=""))
    return v


def test_a_scrub_carries_the_value_and_the_sliders_fragment(viewer):
    state, fragment_id = viewer.choose("^Epoch", "10")
    assert fragment_id == "frag-1"
    msg = BackMsg()
    msg.ParseFromString(rerun_message("seed=1", 8611, [state], fragment_id))
    sent = msg.rerun_script
    assert sent.fragment_id == "frag-1"
    assert sent.query_string == "seed=1"
    assert [(w.id, list(w.string_array_value.data)) for w in sent.widget_states.widgets] == [
        ("w-epoch", ["10"])]


def test_a_slider_outside_any_fragment_sends_no_fragment_id(viewer):
    _, fragment_id = viewer.choose("^Loose", "b")
    assert fragment_id == ""
    msg = BackMsg()
    msg.ParseFromString(rerun_message("", 8611))
    assert msg.rerun_script.fragment_id == ""


def test_an_option_the_slider_does_not_have_is_refused(viewer):
    with pytest.raises(LookupError, match="'15' is not an option"):
        viewer.choose("^Epoch", "15")


@pytest.mark.parametrize("status, ok", [("FINISHED_SUCCESSFULLY", True),
                                        ("FINISHED_FRAGMENT_RUN_SUCCESSFULLY", True),
                                        ("FINISHED_EARLY_FOR_RERUN", False),
                                        ("no script_finished", False)])
def test_a_fragment_run_that_finished_counts_as_ok(status, ok):
    assert RunResult(query="", status=status).ok is ok
