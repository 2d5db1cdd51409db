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
call counts once). Three kinds of run are measured: a new setting at the defaults (a
new session with a new seed in the URL, so the run trains), a rerun with nothing
changed (everything cached) and a scrub (the epoch slider, found by its label, moved
to a checkpoint not seen before). AppTest reruns the whole script on a scrub; a
browser reruns only the views fragment, so the scrub figure is an upper bound.

It also measures GC per run under ``postScriptGC = false`` and after ``gc.freeze()``
(issue 9.3); ``python -m bench.load --gc-compare`` compares them on a real server.
"""

from __future__ import annotations

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
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from backprop.config import DEFAULTS, to_query
from bench.app import scrubber

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CATEGORIES = ("train", "figures", "serialisation", "GC", "other")
TARGETS_MS = {"new setting": 60.0, "cached rerun": 20.0, "scrub": 20.0}
RUNS = 5


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


def _mean(runs: list[dict]) -> dict[str, float]:
    keys = set(CATEGORIES) | {"total"}
    return {k: statistics.fmean(r.get(k, 0.0) for r in runs) for k in keys}


def measure_kinds(tool: Instrumented, runs: int = RUNS, first_seed: int = 1) -> dict:
    """Mean CPU seconds per category for each kind of run."""
    new, cached, scrub = [], [], []
    at = None
    for seed in range(first_seed, first_seed + runs):
        at = _session(seed)
        new.append(tool.run(at))
    for _ in range(runs):
        cached.append(tool.run(at))
    options = list(scrubber(at).options)
    picks = [options[round(i * (len(options) - 2) / max(runs - 1, 1))] for i in range(runs)]
    for epoch in picks:
        scrubber(at).set_value(type(scrubber(at).value)(epoch))
        scrub.append(tool.run(at))
    return {"new setting": _mean(new), "cached rerun": _mean(cached), "scrub": _mean(scrub)}


def post_gc_ms(runs: int = 5) -> float:
    """Median milliseconds of one ``gc.collect(2)`` on this process's heap now."""
    times = []
    for _ in range(runs):
        start = time.thread_time()
        gc.collect(2)
        times.append(time.thread_time() - start)
    return 1000 * statistics.median(times)


def breakdown(runs: int = RUNS) -> tuple[dict, dict]:
    """The per-kind breakdown as configured (``runner.postScriptGC`` from
    ``.streamlit/config.toml``), and GC milliseconds per run under each GC mode:
    Streamlit's collect(2) after every run, ``postScriptGC = false`` (only Python's own
    automatic collections), and ``gc.freeze()`` after the first run's imports."""
    AppTest.from_file(APP, default_timeout=120).run()  # imports, caches, compile
    tool = Instrumented()
    configured = bool(config.get_option("runner.postScriptGC"))
    modes = {True: "collect(2) after every run", False: "postScriptGC = false"}
    gc_ms = {}
    try:
        tool.post_gc = configured
        kinds = measure_kinds(tool, runs)
        tool.post_gc = not configured
        other = measure_kinds(tool, 3, first_seed=100)
        for post_gc, result in ((configured, kinds), (not configured, other)):
            for kind in ("new setting", "scrub"):
                gc_ms[f"{kind}, {modes[post_gc]}"] = 1000 * result[kind]["GC"]
        tool.post_gc = True
        gc.collect(2)
        gc.freeze()
        try:
            frozen = measure_kinds(tool, 3, first_seed=200)
        finally:
            gc.unfreeze()
        for kind in ("new setting", "scrub"):
            gc_ms[f"{kind}, gc.freeze() + collect(2) after every run"] = (
                1000 * frozen[kind]["GC"])
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
                     "unit": "ms", "reference": target, "ratio": total / target,
                     "target": f"<= {target:g} ms"})
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

