"""Where the server's CPU goes in one script run: ``python -m bench.breakdown``.

Runs the app in-process with ``AppTest`` and splits the CPU time (``time.thread_time``,
so other work on the machine does not count) of each run into:

- **train**: ``train`` / ``train_many`` of ``backprop`` (whatever engine is inside);
- **figures**: every ``backprop`` figure builder (``*_figure``) and the plane grids
  they draw (``backprop.plane.evaluate``);
- **serialisation**: Streamlit turning figures into JSON (``plotly.io.to_json`` and its
  re-validation ``plotly.tools.return_figure_from_figure_or_data``), tables into Arrow,
  and every ``ForwardMsg`` of the run into protobuf bytes, as the server does before
  sending it;
- **GC**: the collections Python ran during the run, plus Streamlit's post-run
  ``gc.collect(2)`` when ``runner.postScriptGC`` is on (AppTest skips it, so it is
  called here after each run, on this process's heap);
- **other**: the rest of the script thread (Streamlit's element and widget machinery,
  the app's own code).

AppTest compiles the script on every run (a new ``ScriptCache`` each time); the server
compiles it once, so the compiled script is kept here too. Nothing in the app is
edited: functions are wrapped by monkeypatching every module
attribute that refers to them, with exclusive timing (a figure built inside a timed
call counts once). These kinds of run are measured: a new setting at the defaults (a
new session with a new seed in the URL, so the run trains), a rerun with nothing
changed (everything cached) and a scrub (the epoch slider, found by its label, moved
to a checkpoint not seen before), twice:

- **scrub (fragment rerun)**: what a browser causes. The slider lives in the Run
  page's ``@st.fragment``, so the browser sends the slider's value with that
  fragment's id and the server reruns only the fragment. AppTest has no way to ask
  for that, so its run request is given the fragment id (read from the slider's own
  delta), exactly as ``AppSession`` builds it from the browser's message; the run is
  checked to have drawn nothing outside the fragment.
- **scrub, whole script**: AppTest's own rerun of the whole script; an upper bound.

``python -m bench.scrub`` measures the fragment scrub over the websocket instead, as
server CPU from /proc.

It also measures GC per run with and without ``gc.freeze()`` after the imports, each
with and without ``postScriptGC`` (issue 9.3); ``python -m bench.load --gc-compare``
compares them on a real server.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import plotly.io
import plotly.tools
from streamlit import config, dataframe_util
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from backprop.config import DEFAULTS, to_query
from bench.app import scrubber

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CATEGORIES = ("train", "figures", "serialisation", "GC", "other")
FRAGMENT_SCRUB = "scrub (fragment rerun, as a browser)"
WHOLE_SCRUB = "scrub, whole script (AppTest; upper bound)"
TARGETS_MS = {"new setting": 60.0, "cached rerun": 20.0, FRAGMENT_SCRUB: 20.0,
              WHOLE_SCRUB: None}
RUNS = 10


class Ledger:
    """Exclusive CPU time per category, per thread (nested timed calls are subtracted)."""

    def __init__(self):
        self.local = threading.local()
        self.lock = threading.Lock()
        self.totals: dict[str, float] = defaultdict(float)
        self.gc_label = "GC"

    def enter(self, category: str) -> None:
        self.local.__dict__.setdefault("stack", []).append([category, time.thread_time(), 0.0])

    def exit(self) -> None:
        stack = self.local.__dict__.get("stack")
        if not stack:
            return
        category, start, inner = stack.pop()
        spent = time.thread_time() - start
        with self.lock:
            self.totals[category] += spent - inner
        if stack:
            stack[-1][2] += spent

    def wrap(self, category: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self.enter(category)
            try:
                return fn(*args, **kwargs)
            finally:
                self.exit()
        timed.__bench_original__ = fn
        return timed

    def on_gc(self, phase: str, info: dict) -> None:
        self.enter(self.gc_label) if phase == "start" else self.exit()

    def take(self) -> dict[str, float]:
        with self.lock:
            out, self.totals = dict(self.totals), defaultdict(float)
        return out


def _replace_everywhere(original, wrapped) -> int:
    """Point every module attribute that is ``original`` at ``wrapped``; how many."""
    count = 0
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None) or {}
        for name, value in list(namespace.items()):
            if value is original:
                setattr(module, name, wrapped)
                count += 1
    return count


def _targets() -> list[tuple[str, object]]:
    """(category, function) for every function to time, found in loaded modules."""
    found = {}
    for mod_name, module in list(sys.modules.items()):
        if not mod_name.startswith("backprop"):
            continue
        for name, value in vars(module).items():
            if not callable(value) or getattr(value, "__bench_original__", None):
                continue
            if name in ("train", "train_many"):
                found[id(value)] = ("train", value)
            elif name.endswith("_figure") or (mod_name == "backprop.plane" and name == "evaluate"):
                found[id(value)] = ("figures", value)
    found[id(plotly.io.to_json)] = ("serialisation", plotly.io.to_json)
    rf = plotly.tools.return_figure_from_figure_or_data
    found[id(rf)] = ("serialisation", rf)
    for name in dir(dataframe_util):
        if name.startswith("convert_") and name.endswith(("arrow_bytes", "arrow_table")):
            fn = getattr(dataframe_util, name)
            found[id(fn)] = ("serialisation", fn)
    return list(found.values())


class Instrumented:
    """Install the timers (once modules are loaded) and run measured AppTest runs."""

    def __init__(self):
        self.ledger = Ledger()
        self.messages: list = []
        self.post_gc = True  # call gc.collect(2) after each run, as runner.postScriptGC does
        led = self.ledger
        self._run_script = ScriptRunner._run_script
        ScriptRunner._run_script = led.wrap("other", self._run_script)
        # AppTest gives every run a new ScriptCache, so it parses, rewrites ("magic")
        # and compiles app.py on each run; the server compiles it once. Keep one copy.
        self._get_bytecode = ScriptCache.get_bytecode
        compiled: dict = {}

        def get_bytecode(cache, path):
            if path not in compiled:
                compiled[path] = self._get_bytecode(cache, path)
            return compiled[path]
        ScriptCache.get_bytecode = get_bytecode
        self._forward_msgs = LocalScriptRunner.forward_msgs
        original = self._forward_msgs

        def keep(runner):
            msgs = original(runner)
            self.messages = list(msgs)
            return msgs
        LocalScriptRunner.forward_msgs = keep
        self.patched = [(fn, led.wrap(cat, fn)) for cat, fn in _targets()]
        for fn, wrapped in self.patched:
            _replace_everywhere(fn, wrapped)
        gc.callbacks.append(led.on_gc)

    def uninstall(self) -> None:
        gc.callbacks.remove(self.ledger.on_gc)
        for fn, wrapped in self.patched:
            _replace_everywhere(wrapped, fn)
        ScriptRunner._run_script = self._run_script
        ScriptCache.get_bytecode = self._get_bytecode
        LocalScriptRunner.forward_msgs = self._forward_msgs

    def run(self, at: AppTest) -> dict[str, float]:
        """One measured run: seconds of CPU per category (and ``total``)."""
        self.ledger.take()
        at.run()
        if at.exception:
            raise RuntimeError(f"app raised: {[e.message for e in at.exception]}")
        if self.post_gc:  # what Streamlit's server does after every run
            self.ledger.gc_label = "GC"
            gc.collect(2)
        self.ledger.enter("serialisation")
        for msg in self.messages:
            msg.SerializeToString()
        self.ledger.exit()
        spent = self.ledger.take()
        spent["total"] = sum(spent.values())
        return spent


def _session(seed: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in to_query(DEFAULTS.replace(seed=seed)).items():
        at.query_params[key] = value
    return at


def slider_fragment(messages) -> str:
    """The fragment id the epoch slider was drawn in (what the browser sends back)."""
    for msg in messages:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "slider" and "epoch" in element.slider.label.lower():
                if not msg.delta.fragment_id:
                    raise LookupError("the epoch slider is not inside a fragment")
                return msg.delta.fragment_id
    raise LookupError("no epoch slider in the last run's messages")


@contextlib.contextmanager
def fragment_runs(fragment_id: str):
    """AppTest runs ask for a rerun of this fragment only, as the browser's message does
    (``AppSession.request_rerun`` puts the client's ``fragment_id`` in ``RerunData``)."""
    made = local_script_runner.RerunData
    local_script_runner.RerunData = functools.partial(RerunData, fragment_id=fragment_id)
    try:
        yield
    finally:
        local_script_runner.RerunData = made


def _only_fragment(messages, fragment_id: str) -> None:
    """Raise unless every delta of the run came from the fragment (none from the page)."""
    outside = [m for m in messages if m.WhichOneof("type") == "delta"
               and m.delta.fragment_id != fragment_id]
    if outside or not any(m.WhichOneof("type") == "delta" for m in messages):
        raise RuntimeError(f"a fragment run drew {len(outside)} deltas outside the fragment")


def _mean(runs: list[dict]) -> dict[str, float]:
    keys = set(CATEGORIES) | {"total"}
    return {k: statistics.fmean(r.get(k, 0.0) for r in runs) for k in keys}


def _picks(at: AppTest, runs: int, offset: int) -> list:
    """``runs`` checkpoints spread over the slider (``offset`` keeps two sets apart)."""
    options = list(scrubber(at).options)
    step = max((len(options) - 2) // max(runs, 1), 1)
    return [options[(offset + i * step) % (len(options) - 1)] for i in range(runs)]


def _scrub(tool: Instrumented, at: AppTest, epoch) -> dict[str, float]:
    scrubber(at).set_value(type(scrubber(at).value)(epoch))
    return tool.run(at)


def measure_kinds(tool: Instrumented, runs: int = RUNS, first_seed: int = 1) -> dict:
    """Mean CPU seconds per category for each kind of run."""
    new, cached, whole, fragment = [], [], [], []
    at = None
    for seed in range(first_seed, first_seed + runs):
        at = _session(seed)
        new.append(tool.run(at))
    for _ in range(runs):
        cached.append(tool.run(at))
    for epoch in _picks(at, runs, 0):  # each a checkpoint not seen before
        whole.append(_scrub(tool, at, epoch))
    fragment_id = slider_fragment(tool.messages)
    with fragment_runs(fragment_id):
        for epoch in _picks(at, runs, 1):
            fragment.append(_scrub(tool, at, epoch))
            _only_fragment(tool.messages, fragment_id)
    return {"new setting": _mean(new), "cached rerun": _mean(cached),
            FRAGMENT_SCRUB: _mean(fragment), WHOLE_SCRUB: _mean(whole)}


def post_gc_ms(runs: int = 5) -> float:
    """Median milliseconds of one ``gc.collect(2)`` on this process's heap now."""
    times = []
    for _ in range(runs):
        start = time.thread_time()
        gc.collect(2)
        times.append(time.thread_time() - start)
    return 1000 * statistics.median(times)


GC_KINDS = ("new setting", FRAGMENT_SCRUB)


def _gc_rows(tool: Instrumented, label: str, frozen: bool, post_gc: bool, seed: int,
             gc_ms: dict) -> None:
    """GC ms per run of each of ``GC_KINDS`` with the heap frozen or not, with or
    without Streamlit's collect(2) after each run; the heap is left as it was."""
    was_frozen = gc.get_freeze_count() > 0
    if frozen != was_frozen:
        gc.collect(2)
        gc.freeze() if frozen else gc.unfreeze()
    tool.post_gc = post_gc
    try:
        result = measure_kinds(tool, 3, first_seed=seed)
    finally:
        if frozen != was_frozen:
            gc.unfreeze() if frozen else gc.freeze()
    for kind in GC_KINDS:
        gc_ms[f"{kind.split(' (')[0]}, {label}"] = 1000 * result[kind]["GC"]


def breakdown(runs: int = RUNS) -> tuple[dict, dict]:
    """The per-kind breakdown as the app runs (``runner.postScriptGC`` from
    ``.streamlit/config.toml``; the app itself calls ``gc.freeze()`` after its imports),
    and GC milliseconds per run under each GC mode: as the app runs, Streamlit's
    collect(2) after every run, and Python's own automatic collections alone, each
    with the heap frozen or not."""
    AppTest.from_file(APP, default_timeout=120).run()  # imports, caches, compile
    tool = Instrumented()
    configured = bool(config.get_option("runner.postScriptGC"))
    app_froze = gc.get_freeze_count() > 0
    post = {True: "collect(2) after every run", False: "postScriptGC = false"}
    heap = {True: "gc.freeze() after imports", False: "heap not frozen"}
    gc_ms = {}
    try:
        tool.post_gc = configured
        kinds = measure_kinds(tool, runs)
        for kind in GC_KINDS:
            gc_ms[f"{kind.split(' (')[0]}, as the app runs ({heap[app_froze]}, "
                  f"{post[configured]})"] = 1000 * kinds[kind]["GC"]
        seed = 100
        for frozen in (True, False):
            for post_gc in (True, False):
                if (frozen, post_gc) != (app_froze, configured):
                    _gc_rows(tool, f"{heap[frozen]}, {post[post_gc]}", frozen, post_gc,
                             seed, gc_ms)
                    seed += 100
    finally:
        tool.uninstall()
    return kinds, gc_ms


def measure() -> list[dict]:
    """Rows for ``python -m bench``: ms of server CPU per run, per category."""
    kinds, gc_ms = breakdown()
    rows = []
    for kind, spent in kinds.items():
        target = TARGETS_MS[kind]
        total = 1000 * spent["total"]
        rows.append({"name": f"{kind}: server CPU per run, total", "value": total,
                     "unit": "ms", "reference": target,
                     "ratio": total / target if target else None,
                     "target": f"<= {target:g} ms" if target else ""})
        for cat in CATEGORIES:
            rows.append({"name": f"{kind}: {cat}", "value": 1000 * spent[cat], "unit": "ms",
                         "reference": None, "ratio": None, "target": ""})
    for name, ms in gc_ms.items():
        rows.append({"name": f"GC per run: {name}", "value": ms, "unit": "ms", "reference": None,
                     "ratio": None, "target": ""})
    return rows


def main() -> int:
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    for r in measure():
        ratio = f"{r['ratio']:.3g}x" if r.get("ratio") is not None else ""
        print(f"{r['name']:<50} {r['value']:>8.1f} {r['unit']:<3} {ratio:<8} {r['target']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

