"""Two app replicas behind a real nginx on loopback: sessions stick, uploads find them.

Starts two ``streamlit run app.py`` processes and Debian's nginx with the config
rendered from ``deploy/nginx.conf.template`` (temp prefix, no root paths), then drives
a few websocket viewers and one run-file upload through nginx, as a browser would.
Needs nginx: skipped locally without it, a failure under ``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import re

import pytest

from backprop import TrainConfig, train
from backprop.runfile import run_to_json
from bench.proxy import AFFINITY_COOKIE, Cluster, nginx_missing, render
from bench.wsclient import Viewer

VIEWERS = 6
UPLOADED = TrainConfig(hidden=3, epochs=300, seed=5)  # the run file's settings


@pytest.fixture(scope="module")
def cluster():
    why = nginx_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the deploy test needs nginx: {why}; CI must install it",
                        pytrace=False)
        pytest.skip(f"the deploy test needs nginx: {why}")
    c = Cluster(replicas=2)
    try:
        c.wait_healthy(90)
        yield c
    finally:
        c.stop()


async def _viewers_and_upload(port: int):
    viewers, runs = [], []
    try:
        for _ in range(VIEWERS):
            v = Viewer(port)
            await v.open()
            runs.append(await asyncio.wait_for(v.run(""), 60))
            viewers.append(v)
        opened = await asyncio.wait_for(viewers[0].expand("^Files"), 60)  # as a click does
        assert opened is None or opened.ok, f"opening Files: {opened.status} {opened.exceptions}"
        upload = await asyncio.wait_for(viewers[0].upload(
            "run file", "uploaded.json", run_to_json(train(UPLOADED)).encode()), 60)
        return viewers, runs, upload
    finally:
        for v in viewers:
            await v.close()


@pytest.fixture(scope="module")
def played(cluster):
    return asyncio.run(_viewers_and_upload(cluster.port))


def test_every_viewer_ran_clean_through_nginx(played):
    _, runs, _ = played
    bad = [(r.status, r.exceptions, r.errors) for r in runs if not r.ok]
    assert len(runs) == VIEWERS and not bad, f"runs that did not finish cleanly: {bad}"


def test_each_browser_gets_its_own_affinity_cookie(played):
    viewers, _, _ = played
    cookies = [v.cookies.get(AFFINITY_COOKIE) for v in viewers]
    assert None not in cookies, f"nginx set no {AFFINITY_COOKIE} cookie on some viewer"
    assert len(set(cookies)) == VIEWERS, f"affinity cookies repeat: {cookies}"


def test_sessions_spread_over_both_replicas(cluster, played):
    counts = cluster.upstream_counts("/_stcore/stream")
    assert sum(counts.values()) >= VIEWERS, f"websocket sessions per replica: {counts}"
    # Six random cookies all hashing to one of two replicas: probability 2 / 2**6.
    assert all(counts.values()), f"every session went to one replica: {counts}"


def test_upload_reaches_the_session_replica_and_is_used(cluster, played):
    viewers, _, upload = played
    assert upload.ok, f"upload run: {upload.status} {upload.exceptions} {upload.errors}"
    # The app read the uploaded run file: its settings are now the page's URL.
    assert "hidden=3" in viewers[0].query and "epochs=300" in viewers[0].query, (
        f"the URL after the upload is {viewers[0].query!r}; expected hidden=3, epochs=300")
    log = cluster.nginx.access_log()
    cookie = viewers[0].cookies[AFFINITY_COOKIE]

    def upstreams(path):
        return {m.group(1) for line in log if f"affinity={cookie}" in line
                and f" {path}" in line for m in [re.search(r"upstream=(\S+)", line)] if m}
    ws, put = upstreams("/_stcore/stream"), upstreams("/_stcore/upload_file/")
    assert len(ws) == 1 and put == ws, f"websocket went to {ws}, the upload PUT to {put}"


def test_render_rejects_no_replicas_and_fills_every_field():
    with pytest.raises(ValueError, match="replicas must be >= 1"):
        render([], "127.0.0.1:1", "/tmp/x")
    text = render(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3", "/tmp/x")
    assert "${" not in text
    assert text.count("server 127.0.0.1:") == 2 and "listen 127.0.0.1:3;" in text
