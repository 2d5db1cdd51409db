"""The load test's server side: ``streamlit run app.py`` on loopback, and what it costs.

``Server`` starts one app process in its own process group and reads its CPU time
(``utime + stime`` from ``/proc/<pid>/stat`` of every process in the group) and RSS;
``Sampler`` records both every 0.2 s. ``GC_MODES`` are the garbage-collection
variants the bench compares (issue 9.3) without editing the app:

- ``default``: whatever ``.streamlit/config.toml`` says (``postScriptGC = false`` now),
  and the app's own ``gc.freeze()`` after its imports (``ui.common.freeze_startup_heap``);
- ``on``: Streamlit's own default, ``gc.collect(2)`` after every script run;
- ``off``: ``--runner.postScriptGC false``;
- ``freeze``: ``gc.freeze()`` once after the app's imports, keeping the per-run collect.
  Played by ``bench/gc_freeze_main.py``, which freezes and then runs ``app.py`` (the
  app now freezes its startup heap itself, so ``on`` is this mode too).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.wsclient import LOOPBACK, xsrf_cookie

ROOT = Path(__file__).resolve().parents[1]
GC_MODES = {
    "default": ("app.py", []),
    "off": ("app.py", ["--runner.postScriptGC", "false"]),
    "on": ("app.py", ["--runner.postScriptGC", "true"]),
    "freeze": ("bench/gc_freeze_main.py", ["--runner.postScriptGC", "true"]),
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A free loopback port: the OS's pick, or the first free one in ``$BENCH_PORTS``
    (``8641-8650``: on a shared machine, keep to the ports you were given)."""
    span = os.environ.get("BENCH_PORTS", "")
    candidates = [0]
    if span:
        low, _, high = span.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        if port in _HANDED_OUT:  # given to a server that may not listen yet
            continue
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind((LOOPBACK, port))
            port = s.getsockname()[1]
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError(f"no free port in BENCH_PORTS={span}")


_HANDED_OUT: set[int] = set()


def release_port(port: int) -> None:
    _HANDED_OUT.discard(port)


def group_pids(pgid: int) -> list[int]:
    """Every process whose process group is ``pgid``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (utime + stime, /proc/<pid>/stat fields 14 and 15) used by these processes."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLK_TCK


def rss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
            return


class Server:
    """``streamlit run app.py`` in its own process group, on a loopback port.

    script : another page to run instead (a path from the project root), with the
        project's config; ``bench/floor.py`` runs ``bench/floor_app.py`` this way.
    """

    def __init__(self, port: int = 0, gc_mode: str = "default", script: str | None = None):
        default, extra = GC_MODES[gc_mode]
        script = script or default
        self.port, self.gc_mode = port or free_port(), gc_mode
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-load-", suffix=".log")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
             "--server.address", LOOPBACK, "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false", *extra],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def pids(self) -> list[int]:
        return group_pids(self.proc.pid)

    def rss_mb(self) -> float:
        return rss_mb(self.pids())

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pids())

    def owns_port(self) -> bool:
        """Is the listening socket on our port one of our processes' file descriptors?"""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == self.port:
                        inodes.add(cols[9])
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] in inodes:
                            return True
        return False

    def wait_healthy(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.proc.returncode}):\n{self.tail()}")
            with contextlib.suppress(OSError):
                xsrf_cookie(self.port, timeout=2)
                if self.owns_port():
                    return
                raise RuntimeError(f"port {self.port} answers, but not from our server")
            time.sleep(0.2)
        raise RuntimeError(f"no /_stcore/health within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text().splitlines()[-lines:])

    def tracebacks(self) -> int:
        self.log.flush()
        return Path(self.log.name).read_text().count("Traceback")

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()
        release_port(self.port)


def machine_busy_seconds() -> float:
    """CPU time all processes on this machine have used (every core, since boot)."""
    jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / CLK_TCK


class Sampler(threading.Thread):
    """Every 0.2 s: the servers' RSS (peak and a timeline) and CPU time (busiest second).

    ``servers`` are objects with ``rss_mb()`` and ``cpu_seconds()`` (one ``Server``, or
    the replicas of ``bench.proxy.Cluster``).
    """

    def __init__(self, server, every: float = 0.2):
        super().__init__(daemon=True)
        self.server, self.every, self.peak = server, every, 0.0
        self.cpu: list[tuple[float, float]] = []  # (monotonic time, CPU seconds)
        self.rss: list[tuple[float, float]] = []  # (monotonic time, MB)
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            now, rss = time.monotonic(), self.server.rss_mb()
            self.peak = max(self.peak, rss)
            self.rss.append((now, rss))
            self.cpu.append((now, self.server.cpu_seconds()))
            self.halt.wait(self.every)

    def busiest_second(self) -> float:
        """The most cores the server used over any 1 s (1.0: one core, the GIL's limit)."""
        rates = [(c1 - c0) / (t1 - t0) for (t0, c0), (t1, c1) in
                 zip(self.cpu, self.cpu[5:], strict=False) if t1 > t0]
        return max(rates, default=0.0)

    def rss_drift(self) -> tuple[float, float]:
        """Median RSS (MB) of the first and of the last quarter of the samples."""
        values = [mb for _, mb in self.rss]
        if len(values) < 8:
            return float("nan"), float("nan")
        q = len(values) // 4
        return sorted(values[:q])[q // 2], sorted(values[-q:])[q // 2]
