"""The websocket viewer sends a scrub as the browser does: the slider's value and the
id of the fragment the slider was drawn in."""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider

from bench.wsclient import MessageCache, RunResult, Viewer, rerun_message


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


# --- the frontend's message cache (bench/wsclient.py, step 7) ---------------------------------

def chart_message(digest: str, fragment_id: str = "", path=(0, 1)) -> ForwardMsg:
    msg = ForwardMsg()
    msg.hash, msg.metadata.cacheable = digest, True
    msg.metadata.delta_path.extend(path)
    msg.delta.fragment_id = fragment_id
    msg.delta.new_element.plotly_chart.spec = '{"data": []}'
    return msg


def reference_to(digest: str, path=(0, 2)) -> ForwardMsg:
    msg = ForwardMsg()
    msg.ref_hash = digest
    msg.metadata.delta_path.extend(path)
    return msg


def test_a_reference_becomes_the_kept_message_where_the_reference_puts_it():
    cache = MessageCache()
    cache.resolve(chart_message("h1"))
    assert cache.hashes() == ["h1"]
    full = cache.resolve(reference_to("h1", path=(0, 5)))
    assert full.WhichOneof("type") == "delta"
    assert full.delta.new_element.WhichOneof("type") == "plotly_chart"
    assert list(full.metadata.delta_path) == [0, 5]


def test_a_message_not_marked_cacheable_is_not_kept():
    msg = chart_message("h1")
    msg.metadata.cacheable = False
    cache = MessageCache()
    cache.resolve(msg)
    assert cache.hashes() == []


def test_a_kept_message_unused_for_more_than_max_age_runs_is_dropped():
    cache = MessageCache(max_age=2)
    cache.resolve(chart_message("h1"))
    cache.finished()
    cache.finished()
    assert cache.hashes() == ["h1"], "two runs old: still kept"
    cache.finished()
    assert cache.hashes() == []


def test_using_a_kept_message_keeps_it_young():
    cache = MessageCache(max_age=1)
    cache.resolve(chart_message("h1"))
    for _ in range(5):
        cache.finished()
        cache.resolve(reference_to("h1"))
    assert cache.hashes() == ["h1"]


def test_a_fragment_run_ages_only_that_fragments_messages():
    cache = MessageCache(max_age=1)
    cache.resolve(chart_message("page"))
    cache.resolve(chart_message("in-fragment", fragment_id="frag-1"))
    for _ in range(3):
        cache.finished("frag-1")
    assert cache.hashes() == ["page"]


def test_the_rerun_lists_the_kept_hashes():
    msg = BackMsg()
    msg.ParseFromString(rerun_message("", 8611, cached=["h1", "h2"]))
    assert list(msg.rerun_script.cached_message_hashes) == ["h1", "h2"]
