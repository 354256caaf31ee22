"""A counter process SIGKILLed in the middle of a sync — right after the server committed an
upload or while applying the download — and restarted: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.db.database import Database
from app.services.context import ServiceContext
from tests.sync.conftest import Central
from tests.sync.proxy import Proxy

ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(data_dir: Path, url: str, proxy: Proxy, path: str, nth: int) -> int:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.sync_worker", str(data_dir), url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen = 0
    killed = threading.Event()

    def kill_when(method: str, request_path: str) -> None:
        nonlocal seen
        if request_path.startswith(path) and not killed.is_set():
            seen += 1
            if seen == nth:
                # The server has answered (and committed); the client never hears of it.
                os.kill(worker.pid, signal.SIGKILL)
                killed.set()

    proxy.on_response = kill_when
    worker.wait(timeout=120)
    proxy.on_response = None
    assert killed.is_set(), worker.stderr.read() if worker.stderr else ""
    return worker.returncode


@pytest.mark.parametrize(("path", "nth"), [("/v1/upload", 2), ("/v1/changes", 3)])
def test_a_counter_killed_mid_sync_recovers_without_loss_or_duplicates(
    central: Central, make_station, path: str, nth: int
):
    a = make_station(central, "tinh-q01")
    b = make_station(central, "tinh-q02")
    proxy = Proxy(central.address).start()
    try:
        codes = a.receive(30)
        codes += b.receive(20)
        assert b.sync().ok  # so that a has a long feed to download
        a.ctx.db.close()
        data_dir = Path(a.ctx.db.engine.url.database or "").parent
        assert _run_and_kill(data_dir, proxy.url, proxy, path, nth) == -signal.SIGKILL
        a.ctx = ServiceContext(db=Database.open(data_dir), clock=a.ctx.clock)
        if path == "/v1/upload":
            assert 0 < len(central.dossiers()) < 50  # killed halfway through the upload
        for station in (a, b, a):
            summary = station.sync()
            assert summary.ok, summary.error
        server = central.dossiers()
        assert sorted(code for code, _, _ in server.values()) == sorted(codes)
        assert a.dossiers() == server == b.dossiers()
        assert a.pending() == 0
    finally:
        proxy.close()
