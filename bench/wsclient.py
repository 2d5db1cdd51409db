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
   An expander that keeps its state has an id in its delta; opening it is a widget
   change (``bool_value``) that reruns the script. A plain one opens in the browser.
   ``FINISHED_EARLY_FOR_RERUN`` means another run follows, so keep reading.
5. A widget change is another ``rerun_script`` carrying every widget value the page
   holds (``widget_states``); a click is a one-shot ``trigger_value``. A widget drawn
   inside an ``@st.fragment`` also sends that fragment's id (``fragment_id``, from the
   widget's delta), and the server reruns only the fragment.
6. An upload: ``BackMsg(file_urls_request)`` -> ``ForwardMsg(file_urls_response)``,
   an HTTP ``PUT`` of the file (multipart, with the cookies and an ``X-Xsrftoken``
   header) to that URL, then a rerun with the uploader's ``file_uploader_state_value``.
   The PUT must reach the process that holds the websocket's session.

7. The frontend's message cache, kept here too: a message the server marks
   ``metadata.cacheable`` (a new element of at least ``global.minCachedMessageSize``,
   10 kB: our charts) is kept by its hash, and every rerun lists the kept hashes in
   ``cached_message_hashes``. The server then sends a ``ref_hash`` reference instead
   of an unchanged chart. A kept message not used for more than
   ``max_cached_message_age`` runs (from ``new_session``; 2) is dropped, and a fragment
   run ages only the messages drawn in that fragment.

Only loopback addresses are accepted.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
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
    spinners: list[str] = field(default_factory=list)  # st.spinner texts shown
    charts: int = 0
    messages: int = 0
    kinds: list[str] = field(default_factory=list)  # each delta: "add_block tab", ...

    @property
    def ok(self) -> bool:
        """Finished successfully (the whole script, or the fragment asked for) with no
        exception element and no error alert."""
        return (self.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
                and not self.exceptions and not self.errors)

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def page_cookies(port: int, timeout: float = 10.0) -> dict[str, str]:
    """``GET /_stcore/health`` as the frontend does first; return the cookies it sets."""
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
    return {name: morsel.value for name, morsel in cookies.items()}


def xsrf_cookie(port: int, timeout: float = 10.0) -> str | None:
    """The XSRF cookie the health check sets (None when XSRF protection is off)."""
    return page_cookies(port, timeout).get(XSRF_COOKIE)


def rerun_message(query: str, port: int, widgets=(), fragment_id: str = "",
                  cached=()) -> bytes:
    """The BackMsg a page sends: run the main page with this query string and these
    widget values (none: a fresh page); with ``fragment_id``, that fragment only.
    ``cached``: the hashes of the messages the page holds (see MessageCache)."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query.lstrip("?")
    state.fragment_id = fragment_id
    state.cached_message_hashes.extend(cached)
    for widget in widgets:
        state.widget_states.widgets.add().CopyFrom(widget)
    info = state.context_info
    info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
    info.url = f"http://{LOOPBACK}:{port}/?{state.query_string}"
    info.is_embedded, info.color_scheme = False, "light"
    return msg.SerializeToString()


def read_delta(msg: ForwardMsg, result: RunResult) -> None:
    """Note the delta's kind, and exceptions, error alerts and charts."""
    delta = msg.delta.WhichOneof("type")
    inner = getattr(msg.delta, delta, None) if delta in ("new_element", "add_block") else None
    result.kinds.append(f"{delta} {inner.WhichOneof('type')}" if inner is not None else delta)
    if delta != "new_element":
        return
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        result.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
    elif kind == "alert" and element.alert.format == Alert.ERROR:
        result.errors.append(element.alert.body[:300])
    elif kind == "plotly_chart":
        result.charts += 1
    elif kind == "spinner":
        result.spinners.append(element.spinner.text)


class MessageCache:
    """The frontend's ForwardMsg cache (its ``ForwardMsgCache``), step 7 above."""

    def __init__(self, max_age: int = 2):
        self.max_age = max_age
        self.runs = 0
        self._kept: dict[str, tuple[bytes, int, str]] = {}  # hash -> (msg, last run, fragment)

    def hashes(self) -> list[str]:
        return list(self._kept)

    def resolve(self, msg: ForwardMsg) -> ForwardMsg:
        """The message itself: a reference becomes the kept message it names (with the
        reference's own metadata, which says where it goes); a cacheable one is kept."""
        if msg.WhichOneof("type") == "ref_hash":
            encoded, _, fragment = self._kept[msg.ref_hash]  # KeyError: a protocol bug
            self._kept[msg.ref_hash] = (encoded, self.runs, fragment)
            full = ForwardMsg()
            full.ParseFromString(encoded)
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable and msg.hash and msg.hash not in self._kept:
            fragment = msg.delta.fragment_id if msg.WhichOneof("type") == "delta" else ""
            self._kept[msg.hash] = (msg.SerializeToString(), self.runs, fragment)
        return msg

    def finished(self, fragment_id: str = "") -> None:
        """A run ended: age the kept messages (only that fragment's, after a fragment
        run) and drop those unused for more than ``max_age`` runs."""
        self.runs += 1
        for key, (_, used, fragment) in list(self._kept.items()):
            if fragment_id and fragment != fragment_id:
                continue
            if self.runs - used > self.max_age:
                del self._kept[key]


class Viewer:
    """One browser tab's worth of Streamlit session, over a single websocket.

    Like the frontend it keeps every cookie the first response set (the XSRF cookie,
    and behind nginx the affinity cookie that pins the tab to one replica), the
    session id, the URL query string the app last wrote, and the widget values it
    has set (sent with every rerun, as the browser does). Widgets and tabs are found
    by their label, as a person finds them.
    """

    def __init__(self, port: int):
        self.port = port
        self.ws = None
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.query = ""
        self.widgets: dict[tuple[str, str], str] = {}  # (element kind, label) -> widget id
        self.fragments: dict[str, str] = {}  # widget id -> the fragment it was drawn in
        self.options: dict[str, list[str]] = {}  # widget id -> its options (as shown)
        self.tab_ids: dict[str, str] = {}  # tab label -> its tab container's widget id
        self.expanders: dict[str, str] = {}  # expander label -> its id ("" if it keeps none)
        self.states: dict[str, WidgetState] = {}  # widget values this tab holds
        self._containers: dict[tuple[int, ...], str] = {}  # delta path -> container id
        self.cache = MessageCache()
        self.references = 0  # messages the server sent as a reference to a kept one

    @property
    def cookie_header(self) -> dict[str, str]:
        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": jar} if jar else {}

    async def open(self) -> None:
        self.cookies = await asyncio.to_thread(page_cookies, self.port)
        token = self.cookies.get(XSRF_COOKIE)
        self.ws = await connect(
            f"ws://{LOOPBACK}:{self.port}/_stcore/stream",
            subprotocols=["streamlit", token or NO_TOKEN],
            origin=f"http://{LOOPBACK}:{self.port}", additional_headers=self.cookie_header,
            proxy=None, max_size=None, open_timeout=30)

    async def _frames(self):
        async for frame in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            yield msg

    def _note(self, msg: ForwardMsg, result: RunResult) -> None:
        """Remember what a later action needs: session id, URL, widget ids, tab labels."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta":
            read_delta(msg, result)
            path = tuple(msg.metadata.delta_path)
            delta = msg.delta
            if delta.WhichOneof("type") == "add_block":
                block = delta.add_block
                if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                    self._containers[path] = block.tab_container.id
                elif block.WhichOneof("type") == "tab" and path[:-1] in self._containers:
                    self.tab_ids[block.tab.label] = self._containers[path[:-1]]
                elif block.WhichOneof("type") == "expandable":
                    self.expanders[block.expandable.label] = block.expandable.id
            elif delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                inner = getattr(element, element.WhichOneof("type") or "", None)
                if getattr(inner, "id", "") and hasattr(inner, "label"):
                    self.widgets[(element.WhichOneof("type"), inner.label)] = inner.id
                    if msg.delta.fragment_id:
                        self.fragments[inner.id] = msg.delta.fragment_id
                    if hasattr(inner, "options"):
                        self.options[inner.id] = list(inner.options)

    async def run(self, query: str | None = None, changes: list[WidgetState] = (),
                  fragment_id: str = "") -> RunResult:
        """Ask for a run (this query string, or the app's own URL) with these widget
        changes on top of the values set before; read until the script finishes.
        With ``fragment_id``, only that fragment reruns (as when a widget inside it
        changes in a browser)."""
        if query is not None:
            self.query = query.lstrip("?")
        for state in changes:
            if state.WhichOneof("value") != "trigger_value":  # a click does not persist
                self.states[state.id] = state
        widgets = {**self.states, **{s.id: s for s in changes}}
        result = RunResult(query=self.query, started=time.monotonic())
        await self.ws.send(rerun_message(self.query, self.port, widgets.values(), fragment_id,
                                         self.cache.hashes()))
        async for msg in self._frames():
            result.messages += 1
            if msg.WhichOneof("type") == "ref_hash":
                self.references += 1
            msg = self.cache.resolve(msg)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.cache.max_age = (msg.new_session.config.max_cached_message_age
                                      or self.cache.max_age)
            self._note(msg, result)
            if kind == "session_event" and msg.session_event.HasField(
                    "script_compilation_exception"):
                exc = msg.session_event.script_compilation_exception
                result.exceptions.append(f"{exc.type}: {exc.message}"[:300])
            elif kind == "script_finished":
                result.status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                self.cache.finished(fragment_id)
                if msg.script_finished in DONE:
                    break
        result.seconds = time.monotonic() - result.started
        return result

    def widget_id(self, kind: str, label: str) -> str:
        """The id of the widget of this kind whose label matches ``label`` (a regex)."""
        found = [wid for (k, text), wid in self.widgets.items()
                 if k == kind and re.search(label, text)]
        if not found:
            shown = sorted(text for k, text in self.widgets if k == kind)
            raise LookupError(f"no {kind} labelled /{label}/ on the page; there are {shown}")
        return found[-1]

    def tab(self, label: str) -> WidgetState:
        """The widget change that opens the tab labelled ``label``."""
        if label not in self.tab_ids:
            raise LookupError(f"no tab {label!r} on the page; there are {sorted(self.tab_ids)}")
        return WidgetState(id=self.tab_ids[label], string_value=label)

    async def expand(self, label: str) -> RunResult | None:
        """Open the expander whose label matches ``label`` (a regex), as a click does.

        An expander that keeps its state (``on_change="rerun"``, a callback or a bound
        key) has an id: the browser sends its new state and the script reruns, drawing
        what it holds. A plain one opens in the browser alone: nothing is sent (None).
        """
        found = [text for text in self.expanders if re.search(label, text)]
        if not found:
            raise LookupError(f"no expander labelled /{label}/; there are {sorted(self.expanders)}")
        eid = self.expanders[found[-1]]
        if not eid:
            return None
        return await self.run(changes=[WidgetState(id=eid, bool_value=True)])

    def number(self, label: str, value: float) -> WidgetState:
        wid = self.widget_id("number_input", label)
        return (WidgetState(id=wid, int_value=int(value)) if float(value).is_integer()
                else WidgetState(id=wid, double_value=float(value)))

    def choose(self, label: str, option: str) -> tuple[WidgetState, str]:
        """A select slider (found by its label) moved to ``option`` (as shown), and the
        fragment id the browser sends with it ("" when it is not in a fragment)."""
        wid = self.widget_id("slider", label)
        if option not in self.options.get(wid, []):
            raise LookupError(f"{option!r} is not an option of /{label}/")
        state = WidgetState(id=wid)
        state.string_array_value.data.append(option)
        return state, self.fragments.get(wid, "")

    def click(self, label: str) -> WidgetState:
        return WidgetState(id=self.widget_id("button", label), trigger_value=True)

    async def upload(self, label: str, name: str, data: bytes) -> RunResult:
        """Upload a file as the browser does: ask for its URL over the websocket, PUT it
        (same cookies, XSRF header), then rerun with the uploader's new state."""
        wid = self.widget_id("file_uploader", label)
        request = BackMsg()
        request.file_urls_request.request_id = rid = uuid.uuid4().hex
        request.file_urls_request.session_id = self.session_id
        request.file_urls_request.file_names.append(name)
        await self.ws.send(request.SerializeToString())
        async for msg in self._frames():
            if msg.WhichOneof("type") == "file_urls_response" and \
                    msg.file_urls_response.response_id == rid:
                urls = msg.file_urls_response.file_urls[0]
                break
        status, body = await asyncio.to_thread(self._put, urls.upload_url, name, data)
        if status != 204:
            raise RuntimeError(f"upload PUT {urls.upload_url} answered {status}: {body[:300]}")
        state = WidgetState(id=wid)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        return await self.run(changes=[state])

    def _put(self, url: str, name: str, data: bytes) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/json\r\n\r\n').encode() \
            + data + f"\r\n--{boundary}--\r\n".encode()
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        try:
            conn.request("PUT", url, body, {
                **self.cookie_header, "X-Xsrftoken": self.cookies.get(XSRF_COOKIE, ""),
                "Content-Type": f"multipart/form-data; boundary={boundary}"})
            response = conn.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            conn.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

async def open_link(port: int, query: str) -> tuple[Viewer, RunResult]:
    """A page load: health check, new websocket session, one run. The viewer stays open."""
    viewer = Viewer(port)
    await viewer.open()
    return viewer, await viewer.run(query)
