"""What a played class measured: percentiles, server CPU per run, RSS, the slowest run.

``Result.rows()`` gives the rows ``python -m bench`` prints ({name, value, unit,
reference, ratio, target}); ``Result.summary()`` the text ``python -m bench.load``
prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from bench.plan import Student, changed
from bench.wsclient import RunResult

TARGET_RSS_MB = 600.0


def _row(name, value, unit, reference=None, target="", ratio=None):
    if ratio is None and reference:
        ratio = value / reference
    return {"name": name, "value": value, "unit": unit, "reference": reference,
            "ratio": ratio, "target": target}


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return float("nan"), float("nan"), float("nan")
    return tuple(float(np.percentile(values, q)) for q in (50, 95, 99))


@dataclass
class Result:
    students: list[Student]
    t0: float
    peak_rss_mb: float
    idle_rss_mb: float
    tracebacks: int
    # Cores busy on average: server, websocket client, machine; the server's busiest second.
    cores: tuple[float, float, float, float]
    server_cpu_s: float  # CPU seconds the server(s) used while the class played
    target_p95_s: float
    label: str = "class"
    note: str = ""
    replicas: int = 1
    spread: dict = field(default_factory=dict)  # replica -> websocket sessions (nginx log)
    proxy_cpu_s: float = 0.0
    rss_drift: tuple[float, float] = (float("nan"), float("nan"))

    def runs(self, browser: bool = False, heavy: bool = False) -> list[RunResult]:
        return [r for s in self.students if s.browser == browser and bool(s.heavy) == heavy
                for r in s.runs]

    def seconds(self, browser: bool = False) -> list[float]:
        return [r.seconds for r in self.runs(browser)]

    def heavy_windows(self) -> list[tuple[float, float]]:
        """When the big computations (census or sweep) were running."""
        return [(r.started, r.ended) for s in self.students for r in s.heavy_big
                if r.seconds == r.seconds]

    def during_heavy(self) -> list[float]:
        windows = self.heavy_windows()
        return [r.seconds for r in self.runs()
                if any(r.started < end and r.ended > start for start, end in windows)]

    def all_runs(self) -> int:
        return sum(len(s.runs) + len(s.heavy_runs) for s in self.students)

    def slowest(self) -> RunResult | None:
        runs = [r for r in self.runs() if r.seconds == r.seconds]
        return max(runs, key=lambda r: r.seconds, default=None)

    def burst(self) -> tuple[float, float, float, str]:
        """Runs completed per second while every viewer is on the page (else the whole test)."""
        runs = [r for s in self.students for r in s.runs]
        present = [s for s in self.students if s.runs and not s.heavy]
        if not runs or not present:
            return 0.0, 0.0, 0.0, "no runs"
        start = max(s.runs[0].started for s in present)
        end = min(s.runs[-1].ended for s in present)
        label = f"all {len(present)} viewers on the page"
        if end - start < 2.0:
            start, end = min(r.started for r in runs), max(r.ended for r in runs)
            label = "whole test (viewers never all on the page at once)"
        span = max(end - start, 1e-9)
        done = sum(start <= r.ended <= end for r in runs)
        asked = sum(start <= r.started <= end for r in runs)
        return done / span, asked / span, span, label

    def rows(self) -> list[dict]:
        n, clean = len(self.students), sum(s.clean for s in self.students)
        p50, p95, p99 = percentiles(self.seconds())
        t = self.target_p95_s
        per_run = self.server_cpu_s / max(self.all_runs(), 1)
        rows = [
            _row(f"{self.label}: viewers clean (every run finished, no exception or error)",
                 clean, "viewers", n, f"{n}/{n} clean"),
            _row(f"{self.label}: seconds per run, p50", p50, "s"),
            _row(f"{self.label}: seconds per run, p95", p95, "s", t, f"<= {t:g} s"),
            _row(f"{self.label}: seconds per run, p99", p99, "s"),
            _row(f"{self.label}: server CPU per run ({self.all_runs()} runs, /proc utime+stime)",
                 per_run, "s"),
            _row(f"{self.label}: server peak RSS (every 0.2 s)", self.peak_rss_mb, "MB",
                 TARGET_RSS_MB, f"<= {TARGET_RSS_MB:g} MB"),
        ]
        slow = self.slowest()
        if slow is not None:
            rows.append(_row(f"{self.label}: slowest run, {changed(slow.query)}", slow.seconds,
                             "s"))
        windows = self.heavy_windows()
        if windows:
            during = self.during_heavy()
            p95_heavy = percentiles(during)[1]
            rows.append(_row(f"{self.label}: explorers' p95 while it computes "
                             f"({len(during)} runs)", p95_heavy, "s", t, f"<= {t:g} s"))
            rows.append(_row(f"{self.label}: its longest run (x{len(windows)} runs)",
                             max(e - s for s, e in windows), "s"))
        page = self.seconds(browser=True)
        if page:
            rows.append(_row(f"{self.label}: browser, link opened to charts drawn, max of "
                             f"{len(page)}", max(page), "s"))
        return rows

    def summary(self) -> str:
        lines = [f"{r['name']:<78} {r['value']:>9.3g} {r['unit']:<7} {r['target']}"
                 for r in self.rows()]
        rate, asked, span, label = self.burst()
        lines.append(f"burst: {rate:.2f} runs/s done, {asked:.2f}/s asked over {span:.1f} s, "
                     f"{label}")
        server, client, machine, busiest = self.cores
        lines.append(f"CPU (cores): server {server:.2f} on average, {busiest:.2f} in its "
                     f"busiest second; websocket client {client:.2f}; whole machine "
                     f"{machine:.2f} of {os.cpu_count()}")
        first, last = self.rss_drift
        lines.append(f"RSS: idle {self.idle_rss_mb:.0f} MB, median of the first quarter "
                     f"{first:.0f} MB, of the last quarter {last:.0f} MB")
        if self.replicas > 1 or self.spread:
            lines.append(f"replicas: {self.replicas}; websocket sessions per replica "
                         f"{self.spread}; nginx CPU {self.proxy_cpu_s:.2f} s")
        lines.append(f"server log tracebacks: {self.tracebacks}")
        slow = sorted(((r.seconds, r.started - self.t0, s.name, r.query) for s in self.students
                       if not s.browser for r in s.runs), reverse=True)[:3]
        lines += [f"slow run {sec:.2f} s at t={at:.1f} s, {name}, {changed(q)}"
                  for sec, at, name, q in slow]
        if self.note:
            lines.append(f"note: {self.note}")
        for s in self.students:
            for problem in s.problems()[:3]:
                lines.append(f"  {s.name}: {problem}")
            for note in s.notes[:3]:
                lines.append(f"  {s.name}: {note}")
        return "\n".join(lines)
