"""A lightweight Streamlit viewer: the browser's websocket protocol, without the browser.

What the 1.67 frontend does on a page load, and so what this does:

1. ``GET /_stcore/health``. The reply sets the ``_streamlit_xsrf`` cookie.
2. Open ``ws://host/_stcore/stream`` with subprotocols ``["streamlit", <xsrf cookie or
   "PLACEHOLDER_AUTH_TOKEN">]`` (a third entry would be a previous session id, to
   reconnect; a new page never sends one), the cookie, and an ``Origin`` header. The
   server selects ``streamlit``. Frames are binary protobufs both ways.
3. Send ``BackMsg(rerun_script=ClientState(query_string=..., context_info=...))``:
   the query string without its ``?``, no widget states, no page hash (main page).
4. Read ``ForwardMsg``s: ``new_session``, ``delta``s, ... until ``script_finished``.
   ``FINISHED_EARLY_FOR_RERUN`` means another run follows, so keep reading.

The server replaces a message by a ``ref_hash`` reference only when the client lists
that hash in ``cached_message_hashes``; we list none, and skip any reference anyway.
Only loopback addresses are accepted.
"""

from __future__ import annotations

import asyncio
import http.client
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

XSRF_COOKIE = "_streamlit_xsrf"
NO_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends when it has no cookie
LOOPBACK = "127.0.0.1"
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class RunResult:
    """One script run as a viewer saw it."""

    query: str
    seconds: float = float("nan")
    started: float = float("nan")  # time.monotonic() when the rerun request was sent
    status: str = "no script_finished"
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error alerts
    charts: int = 0
    messages: int = 0

    @property
    def ok(self) -> bool:
        """Finished successfully with no exception element and no error alert."""
        return self.status == "FINISHED_SUCCESSFULLY" and not self.exceptions and not self.errors

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def xsrf_cookie(port: int, timeout: float = 10.0) -> str | None:
    """``GET /_stcore/health`` as the frontend does first; return the XSRF cookie it sets."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", "/_stcore/health")
        response = conn.getresponse()
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    finally:
        conn.close()
    return cookies[XSRF_COOKIE].value if XSRF_COOKIE in cookies else None


def rerun_message(query: str, port: int) -> bytes:
    """The BackMsg a fresh page sends: run the main page with this query string."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query.lstrip("?")
    info = state.context_info
    info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
    info.url = f"http://{LOOPBACK}:{port}/?{state.query_string}"
    info.is_embedded, info.color_scheme = False, "light"
    return msg.SerializeToString()


def read_delta(msg: ForwardMsg, result: RunResult) -> None:
    """Note exceptions, error alerts and charts in one delta message."""
    if msg.delta.WhichOneof("type") != "new_element":
        return
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        result.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
    elif kind == "alert" and element.alert.format == Alert.ERROR:
        result.errors.append(element.alert.body[:300])
    elif kind == "plotly_chart":
        result.charts += 1


class Viewer:
    """One browser tab's worth of Streamlit session, over a single websocket."""

    def __init__(self, port: int):
        self.port = port
        self.ws = None

    async def open(self) -> None:
        cookie = await asyncio.to_thread(xsrf_cookie, self.port)
        headers = {"Cookie": f"{XSRF_COOKIE}={cookie}"} if cookie else {}
        self.ws = await connect(
            f"ws://{LOOPBACK}:{self.port}/_stcore/stream",
            subprotocols=["streamlit", cookie or NO_TOKEN],
            origin=f"http://{LOOPBACK}:{self.port}", additional_headers=headers,
            proxy=None, max_size=None, open_timeout=30)

    async def run(self, query: str) -> RunResult:
        """Ask for a run with this query string; read until the script finishes."""
        result = RunResult(query=query, started=time.monotonic())
        await self.ws.send(rerun_message(query, self.port))
        async for frame in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            result.messages += 1
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":  # a cached message we never asked for: skip it
                continue
            if kind == "delta":
                read_delta(msg, result)
            elif kind == "session_event" and msg.session_event.HasField(
                    "script_compilation_exception"):
                exc = msg.session_event.script_compilation_exception
                result.exceptions.append(f"{exc.type}: {exc.message}"[:300])
            elif kind == "script_finished":
                result.status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if msg.script_finished in DONE:
                    break
        result.seconds = time.monotonic() - result.started
        return result

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None


async def open_link(port: int, query: str) -> tuple[Viewer, RunResult]:
    """A page load: health check, new websocket session, one run. The viewer stays open."""
    viewer = Viewer(port)
    await viewer.open()
    return viewer, await viewer.run(query)
