"""The websocket viewer opens an expander as a click does: a stateful one (it has an id)
sends its new state and reruns; a plain one opens in the browser and sends nothing."""

from __future__ import annotations

import asyncio

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.wsclient import RunResult, Viewer


def expander_delta(label: str, eid: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path.extend([0, 3])
    block = msg.delta.add_block.expandable
    block.label, block.id = label, eid
    return msg


@pytest.fixture
def viewer() -> Viewer:
    v = Viewer(port=1)
    v._note(expander_delta("Files: download this run", "w-files"), RunResult(query=""))
    v._note(expander_delta("LaTeX source (copy)", ""), RunResult(query=""))
    sent = []

    async def run(query=None, changes=(), fragment_id=""):
        sent.append(list(changes))
        return RunResult(query="", status="FINISHED_SUCCESSFULLY")
    v.run, v.sent = run, sent
    return v


def test_opening_a_stateful_expander_sends_true_for_its_id(viewer):
    result = asyncio.run(viewer.expand("^Files"))
    assert result.ok
    ((state,),) = viewer.sent
    assert (state.id, state.WhichOneof("value"), state.bool_value) == ("w-files", "bool_value",
                                                                      True)


def test_a_plain_expander_opens_without_a_message(viewer):
    assert asyncio.run(viewer.expand("LaTeX")) is None
    assert viewer.sent == []


def test_an_unknown_expander_names_the_ones_there_are(viewer):
    with pytest.raises(LookupError, match="LaTeX source"):
        asyncio.run(viewer.expand("^Nothing"))
