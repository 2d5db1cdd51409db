"""N app replicas behind Debian's nginx on loopback, with cookie affinity.

``python -m bench.proxy --render --replicas 3 --listen 80 --prefix /var/lib/backprop``
prints ``deploy/nginx.conf.template`` filled in (see deploy/README.md). The bench and
the CI test use ``Cluster``: it starts N ``Server``s and one nginx as the current user,
with ``nginx -e <log> -p <prefix> -c <conf>`` and every path (pid, logs, temp files)
inside a temp prefix, and stops them all (by the pids it started) afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.server import (
    ROOT,
    Server,
    cpu_seconds,
    free_port,
    group_pids,
    release_port,
    rss_mb,
    stop_group,
)
from bench.wsclient import LOOPBACK, page_cookies

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
AFFINITY_COOKIE = "backprop_affinity"
FIELDS = ("prefix", "listen", "servers")


def render(upstreams: list[str], listen: str, prefix: str) -> str:
    """The nginx config for these ``host:port`` upstreams, listening on ``listen``."""
    if not upstreams:
        raise ValueError("replicas must be >= 1, got no upstream")
    servers = "\n".join(f"        server {u};" for u in upstreams)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in zip(FIELDS, (prefix, listen, servers), strict=True):
        text = text.replace("${" + name + "}", value)
    left = re.findall(r"\$\{\w+\}", text)
    if left:
        raise ValueError(f"deploy/nginx.conf.template has unknown fields {left}")
    return text


def nginx_missing() -> str | None:
    """Why nginx cannot run here, or None."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "no nginx executable (Debian: apt-get install nginx)"
    return None


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Nginx:
    """nginx in the foreground, in its own process group, from a temp prefix."""

    def __init__(self, upstreams: list[str], port: int = 0):
        self.port = port or free_port()
        self.dir = tempfile.TemporaryDirectory(prefix="bench-nginx-")
        prefix = self.dir.name
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            Path(prefix, sub).mkdir()
        self.conf = Path(prefix, "nginx.conf")
        self.conf.write_text(render(upstreams, f"{LOOPBACK}:{self.port}", prefix))
        cmd = [nginx_binary(), "-e", f"{prefix}/error.log", "-p", prefix, "-c", str(self.conf)]
        check = subprocess.run([*cmd, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr[-2000:]}")
        self.proc = subprocess.Popen([*cmd, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.proc.returncode}):\n{self.errors()}")
            with contextlib.suppress(OSError):
                if AFFINITY_COOKIE in page_cookies(self.port, timeout=2):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"nginx gave no affinity cookie within {timeout:.0f} s")

    def access_log(self) -> list[str]:
        path = Path(self.dir.name, "access.log")
        return path.read_text().splitlines() if path.exists() else []

    def errors(self) -> str:
        path = Path(self.dir.name, "error.log")
        return path.read_text()[-2000:] if path.exists() else ""

    def cpu_seconds(self) -> float:
        return cpu_seconds(group_pids(self.proc.pid))

    def stop(self) -> None:
        stop_group(self.proc)
        self.dir.cleanup()
        release_port(self.port)


class Cluster:
    """``replicas`` app processes behind one nginx; looks like one ``Server`` to the bench.

    ``port`` is nginx's. CPU and RSS are the replicas' (the app's cost); nginx's own
    CPU is ``proxy_cpu_seconds``.
    """

    def __init__(self, replicas: int, port: int = 0, gc_mode: str = "default",
                 replica_ports: list[int] | None = None):
        ports = replica_ports or [0] * replicas
        self.servers = [Server(p, gc_mode) for p in ports[:replicas]]
        self.nginx = None
        try:
            self.nginx = Nginx([f"{LOOPBACK}:{s.port}" for s in self.servers], port)
        except Exception:
            self.stop()
            raise
        self.port = self.nginx.port

    def wait_healthy(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        for s in self.servers:
            s.wait_healthy(max(1.0, end - time.monotonic()))
        self.nginx.wait_ready(max(1.0, end - time.monotonic()))

    def rss_mb(self) -> float:
        return sum(rss_mb(s.pids()) for s in self.servers)

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)

    def proxy_cpu_seconds(self) -> float:
        return self.nginx.cpu_seconds()

    def tracebacks(self) -> int:
        return sum(s.tracebacks() for s in self.servers)

    def upstream_counts(self, path: str = "/_stcore/stream") -> dict[str, int]:
        """How many requests for ``path`` nginx sent to each replica (from its access log)."""
        counts = {f"{LOOPBACK}:{s.port}": 0 for s in self.servers}
        for line in self.nginx.access_log():
            m = re.search(r'"\w+ (\S+) [^"]*" \d+ upstream=(\S+)', line)
            if m and m.group(1).startswith(path) and m.group(2) in counts:
                counts[m.group(2)] += 1
        return counts

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for s in self.servers:
            s.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render", action="store_true", help="print the nginx config")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--first-port", type=int, default=8501, help="replica i: this + i")
    parser.add_argument("--listen", default="80", help="nginx's listen address")
    parser.add_argument("--prefix", default="/var/lib/backprop-lab",
                        help="directory for nginx's pid, logs and temp files")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error(f"--replicas must be >= 1, got {args.replicas}")
    if not args.render:
        parser.error("nothing to do: pass --render")
    print(render([f"{LOOPBACK}:{args.first_port + i}" for i in range(args.replicas)],
                 args.listen, args.prefix))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
