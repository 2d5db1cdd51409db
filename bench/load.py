"""Load test: a class opens the shared link at once, then each student explores.

``python -m bench.load [--explore] [--viewers 30] [--heavy census|sweep] [--replicas 2]``

Starts ``streamlit run app.py`` on a free loopback port (``bench/server.py``) and plays
a class (``bench/plan.py``, ``bench/viewers.py``): the viewers arrive within
``--arrive`` seconds (seeded offsets) and open the shared link, then each opens
``--looks`` other links 3-10 s apart. Without ``--explore`` a look changes one setting
from a short list (students collide and hit the cache); with it, every look is a whole
setting no other look picked, across hidden, lr, seed, epochs, activation, loss, init.

- ``--heavy census`` (or ``sweep``): one of the viewers runs a 2000-seed census (or the
  default sweep) while the others explore; the explorers' p95 during it is reported.
  It clicks through the page (tabs and widgets found by label); ``--heavy-url`` opens
  a link instead, once the app binds those controls to the URL.
- ``--replicas N``: the same class through Debian's nginx (``deploy/``, cookie
  affinity) in front of 1 and then N app processes, side by side.
- ``--gc-mode``: ``default``, ``on``, ``off`` (``runner.postScriptGC``) or ``freeze``
  (``gc.freeze()`` after the imports); ``--gc-compare`` plays the class under each.

Reported: viewers clean, seconds per run p50/p95/p99 (websocket viewers: from the rerun
request to ``script_finished``), server CPU seconds per run (``/proc/<pid>/stat`` utime +
stime of the server's process group over the class, divided by the runs), peak RSS
(every 0.2 s), and the slowest run's setting. Everything is bounded by a global deadline,
talks only to 127.0.0.1 and stops what it started. The exit code is 0 unless the harness
itself broke: a missed target is a result, not a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import replace
from urllib.parse import parse_qsl

from bench.plan import SHARED, Student, class_plan
from bench.proxy import Cluster, nginx_missing
from bench.report import Result, percentiles
from bench.server import GC_MODES, Sampler, Server, machine_busy_seconds
from bench.viewers import HEAVY, browser_missing, play_class
from bench.wsclient import open_link

TARGETS = {30: 0.5, 90: 1.5}  # explorers -> p95 target, s (issue 9.5)
HEAVY_TARGET_S = 1.0
CLASS_TARGET_S = 2.0  # the old shared-list class


def target_for(viewers: int, explore: bool, heavy: str | None) -> float:
    if heavy:
        return HEAVY_TARGET_S
    if not explore:
        return CLASS_TARGET_S
    return TARGETS[min(TARGETS, key=lambda n: abs(n - viewers))]


def plan(viewers, arrive, looks, browsers, seed, gaps, explore, heavy) -> list[Student]:
    """The students; with ``heavy``, the first of ``viewers`` runs it instead of looking."""
    students = class_plan(viewers - bool(heavy), arrive, looks, browsers, seed, gaps,
                          explore)
    if heavy:
        students.insert(0, Student(name=f"heavy-{heavy}", browser=False, arrive=0.0,
                                   queries=students[0].queries[:1], gaps=[0.0],
                                   heavy=heavy))
    return students


def play(viewers: int = 30, arrive: float = 10.0, looks: int = 3, browsers: int = 2,
         port: int = 0, seed: int = 0, deadline: float = 180.0,
         gaps: tuple[float, float] = (3.0, 10.0), idle_browsers: bool = True,
         explore: bool = False, heavy: str | None = None, replicas: int = 0,
         gc_mode: str = "default", label: str = "class") -> Result:
    """Start the app (``replicas`` > 0: that many behind nginx), play the class within
    ``deadline`` seconds, stop everything.

    ``idle_browsers`` runs Chromium under ``SCHED_IDLE``: right for timing the server,
    but on a machine busy with other work the browser viewers may then crawl, so a
    correctness test turns it off.
    """
    end = time.monotonic() + deadline
    note = ""
    if browsers and (why := browser_missing()):
        note, browsers = f"browser viewers played by the websocket client: {why}", 0
    students = plan(viewers, arrive, looks, browsers, seed, gaps, explore, heavy)
    server = Cluster(replicas, port, gc_mode) if replicas else Server(port, gc_mode)
    try:
        server.wait_healthy(min(90.0, end - time.monotonic()))
        asyncio.run(lecturer_opens(server.port))
        idle = server.rss_mb()
        sampler = Sampler(server)
        sampler.start()
        cpu, busy, wall = server.cpu_seconds(), machine_busy_seconds(), time.monotonic()
        own = time.process_time()
        proxy = server.proxy_cpu_seconds() if replicas else 0.0
        try:
            t0 = asyncio.run(play_class(server.port, students, end - time.monotonic() - 5,
                                        idle_browsers))
        finally:
            sampler.halt.set()
            sampler.join()
        wall = time.monotonic() - wall
        used = server.cpu_seconds() - cpu
        load = (used / wall, (time.process_time() - own) / wall,
                (machine_busy_seconds() - busy) / wall, sampler.busiest_second())
        result = Result(students, t0, sampler.peak, idle, server.tracebacks(), load, used,
                        target_for(viewers, explore, heavy), label, note,
                        rss_drift=sampler.rss_drift())
        if replicas:
            result.replicas, result.spread = replicas, server.upstream_counts()
            result.proxy_cpu_s = server.proxy_cpu_seconds() - proxy
        return result
    finally:
        server.stop()


async def lecturer_opens(port: int, timeout: float = 60.0) -> None:
    """The lecturer opens the shared link once before sharing it, as a class does.

    The server then holds the default run and has loaded its compiled kernels; the
    class's own runs (and the CPU accounting) start after this.
    """
    viewer, _ = await asyncio.wait_for(open_link(port, SHARED), timeout)
    await viewer.close()
    await asyncio.sleep(2.0)  # the kernels finish loading in the background


def compare_replicas(n: int, **kw) -> list[Result]:
    """The same class through nginx in front of 1 and then ``n`` replicas."""
    return [play(replicas=r, label=f"{r} replica{'s' * (r > 1)} behind nginx", **kw)
            for r in sorted({1, n})]


def measure() -> list[dict]:
    """Rows for ``python -m bench``: server CPU per scrub and per cached rerun over the
    websocket (``bench/scrub.py``), 30 and 90 explorers, the census scenario, 1 vs 2
    replicas (each class seeded, so the replicas play the same links)."""
    from bench import scrub  # imports this module: here, not at the top

    rows = scrub.measure()
    rows += play(30, explore=True, label="30 explorers").rows()
    rows += play(90, explore=True, browsers=0, deadline=240.0, label="90 explorers").rows()
    rows += play(30, explore=True, browsers=0, heavy="census",
                 label="29 explorers + a 2000-seed census").rows()
    if nginx_missing() is None:
        # At 90 explorers, where one process is busiest: at 30 it idles between runs, and
        # nginx's extra hop is all a second process adds (p95 0.20 s against 0.13 s).
        one, two = compare_replicas(2, viewers=90, explore=True, browsers=0, deadline=240.0)
        for result in (one, two):
            rows += [result.rows()[i] for i in (0, 2, 4)]
        p95 = [percentiles(r.seconds())[1] for r in (one, two)]
        rows.append({"name": "90 explorers, p95 with 2 replicas (ref: with 1)",
                     "value": p95[1], "unit": "s", "reference": p95[0],
                     "ratio": p95[1] / p95[0], "target": "< 1x: a second process helps"})
    else:
        rows.append({"name": f"replicas: not measured, {nginx_missing()}", "value": None,
                     "unit": "", "reference": None, "ratio": None, "target": ""})
    return rows


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--viewers", type=int, default=30)
    add("--arrive", type=float, default=10.0, help="seconds to arrive in")
    add("--looks", type=int, default=3, help="other links each opens")
    add("--browsers", type=int, default=2, help="viewers in real Chromium")
    add("--port", type=int, default=0, help="0: a free loopback port (nginx's with replicas)")
    add("--seed", type=int, default=0)
    add("--deadline", type=float, default=180.0, help="seconds, all in, per class")
    add("--gaps", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"),
        help="seconds on a page before the next link")
    add("--explore", action="store_true", help="every look a setting nobody else picked")
    add("--heavy", choices=sorted(HEAVY), help="one viewer runs this meanwhile")
    add("--heavy-url", metavar="QUERY", help="start --heavy by opening the shared link "
        "plus these query parameters (e.g. 'page=census&census_n=2000') instead of "
        "clicking through the page")
    add("--replicas", type=int, default=0, help="N >= 1: 1 and N replicas behind nginx")
    add("--gc-mode", choices=sorted(GC_MODES), default="default")
    add("--gc-compare", nargs="*", choices=sorted(GC_MODES), metavar="MODE",
        help="play the class under each GC mode (default: on off freeze)")
    add("--browsers-normal-priority", action="store_true",
        help="do not run Chromium under SCHED_IDLE")
    return parser


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.viewers < 1 or args.looks < 0 or args.browsers < 0 or args.deadline <= 0:
        parser.error("--viewers must be >= 1; --looks, --browsers >= 0; --deadline > 0")
    if args.replicas < 0 or (args.replicas and (why := nginx_missing())):
        parser.error(f"--replicas must be >= 0 and needs nginx: got {args.replicas}"
                     + (f"; {why}" if args.replicas else ""))
    if args.heavy_url:
        if not args.heavy:
            parser.error("--heavy-url needs --heavy")
        HEAVY[args.heavy] = replace(HEAVY[args.heavy], url=dict(parse_qsl(args.heavy_url)))
    kw = dict(viewers=args.viewers, arrive=args.arrive, looks=args.looks,
              browsers=args.browsers, port=args.port, seed=args.seed,
              deadline=args.deadline, gaps=tuple(args.gaps),
              idle_browsers=not args.browsers_normal_priority, explore=args.explore,
              heavy=args.heavy)
    kind = "explorers" if args.explore else "viewers"
    print(f"playing {args.viewers} {kind} ({args.browsers} in Chromium"
          f"{', one running the ' + HEAVY[args.heavy].title if args.heavy else ''}), "
          f"arriving within {args.arrive:g} s, {args.looks} more links each; "
          f"deadline {args.deadline:g} s per class", flush=True)
    try:
        if args.replicas:
            results = compare_replicas(args.replicas, gc_mode=args.gc_mode, **kw)
        elif args.gc_compare is not None:
            results = [play(gc_mode=m, label=f"GC {m}", **kw)
                       for m in args.gc_compare or ("on", "off", "freeze")]
        else:
            results = [play(gc_mode=args.gc_mode, label=f"{args.viewers} {kind}", **kw)]
    except (RuntimeError, OSError) as err:
        print(f"load test harness failed: {err}", file=sys.stderr)
        return 2
    for result in results:
        print(f"\n== {result.label}\n{result.summary()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
