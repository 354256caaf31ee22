"""A hypothesis state machine over the engine and the real server: random interleavings of local
changes on two counters, changes made centrally, clock jumps, faulty and clean syncs, late
replays. Invariant: once the network is good again, everything is eventually identical on both
counters and the server, nothing is lost and nothing is doubled."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.bootstrap import open_context
from app.domain.clock import FixedClock
from app.domain.errors import AppError
from app.domain.lifecycle import Action, Status, allowed_actions
from app.services import dossiers
from app.services.sync_port import rejected_uploads
from sync.engine import enrol
from sync.server.app import create_app
from sync.server.db import ServerDatabase
from tests.sync.conftest import AGENCY, FAST, NOW, Central, ServerThread, Station
from tests.sync.proxy import Proxy

SHORT = httpx.Timeout(connect=1.0, read=0.5, write=1.0, pool=1.0)
LOCAL = {
    Action.TRANSFER: lambda ctx, code: dossiers.transfer(ctx, code),
    Action.RECORD_RESULT: lambda ctx, code: dossiers.record_result(ctx, code),
    Action.RETURN_RESULT: lambda ctx, code: dossiers.return_result(ctx, code),
    Action.WITHDRAW: lambda ctx, code: dossiers.withdraw(ctx, code, "Công dân rút hồ sơ"),
    Action.STOP: lambda ctx, code: dossiers.stop(ctx, code, "Dừng theo đề nghị"),
    Action.REQUEST_SUPPLEMENT: lambda ctx, code: dossiers.request_supplement(ctx, code, "Thiếu"),
    Action.RECEIVE_SUPPLEMENT: lambda ctx, code: dossiers.receive_supplement(ctx, code),
}
TEMPLATE: Path | None = None


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        assert TEMPLATE is not None
        self.tmp = Path(tempfile.mkdtemp(prefix="motcua-sm-"))
        shutil.copy(TEMPLATE, self.tmp / "central.sqlite3")
        self.clock = FixedClock(NOW)
        db = ServerDatabase.open(f"sqlite:///{self.tmp / 'central.sqlite3'}", migrate_schema=False)
        self.central = Central(db, self.clock)
        self.central.server = ServerThread(create_app(db, clock=self.clock))
        self.proxy = Proxy(self.central.address, stall_seconds=0.6).start()
        self.stations: list[Station] = []
        for counter in ("tinh-q01", "tinh-q02"):
            ctx = open_context(self.tmp / counter, self.clock)
            result = enrol(ctx, self.central.url, self.central.token(counter, AGENCY), options=FAST)
            assert result.sync.ok
            self.stations.append(Station(counter, ctx, self.central.url))
        self.received: set[str] = set()

    # ---- rules ----------------------------------------------------------------------------

    @rule(who=st.integers(0, 1), count=st.integers(1, 3))
    def receive(self, who: int, count: int) -> None:
        station = self.stations[who]
        before = set(station.dossiers())
        try:
            station.receive(count)
        except AppError as error:  # offline with no lease left: refused before anything
            assert error.code == "code.no_lease"
        self.received |= set(station.dossiers()) - before

    @rule(who=st.integers(0, 1), pick=st.integers(0, 10**6), action=st.sampled_from(list(LOCAL)))
    def change_locally(self, who: int, pick: int, action: Action) -> None:
        station = self.stations[who]
        rows = sorted(station.dossiers().values())
        if not rows:
            return
        code, status, _ = rows[pick % len(rows)]
        # A refused change (e.g. a supplement request after the deadline) writes nothing.
        if action in allowed_actions(Status(status)):
            with contextlib.suppress(AppError):
                LOCAL[action](station.ctx, code)

    @rule(pick=st.integers(0, 10**6), action=st.sampled_from(list(LOCAL)))
    def change_centrally(self, pick: int, action: Action) -> None:
        rows = sorted(self.central.dossiers().values())
        if rows:
            with contextlib.suppress(AppError):
                self.central.action(rows[pick % len(rows)][0], action)

    @rule(who=st.integers(0, 1), faulty=st.booleans(), seed=st.integers(0, 999))
    def sync(self, who: int, faulty: bool, seed: int) -> None:
        self.proxy.chaos(0.3 if faulty else 0.0, seed)
        try:
            self.stations[who].sync(self.proxy.url, timeout=SHORT, retries=1)
        finally:
            self.proxy.calm()

    @rule()
    def replay_late_requests(self) -> None:
        self.proxy.flush_replays()

    @rule(hours=st.integers(1, 20))
    def time_passes(self, hours: int) -> None:
        if self.clock.current < NOW + timedelta(days=3):
            self.clock.current += timedelta(hours=hours)

    @invariant()
    def codes_are_unique_everywhere(self) -> None:
        for rows in [s.dossiers() for s in self.stations] + [self.central.dossiers()]:
            codes = [code for code, _, _ in rows.values()]
            assert len(codes) == len(set(codes))

    # ---- eventually -----------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            self.proxy.calm()
            self.proxy.flush_replays()
            a, b = self.stations
            for station in (a, b, a, b):
                summary = station.sync(self.proxy.url)
                assert summary.ok, summary.error
            server = self.central.dossiers()
            assert set(server) == self.received  # nothing lost, nothing invented
            codes = [code for code, _, _ in server.values()]
            assert len(codes) == len(set(codes)) == len(self.received)  # nothing doubled
            assert a.dossiers() == server == b.dossiers()  # identical
            for station in self.stations:
                assert station.pending() == 0
                assert all(r.op != "receive" for r in rejected_uploads(station.ctx))
        finally:
            self.proxy.close()
            for station in self.stations:
                station.close()
            assert self.central.server is not None
            self.central.server.stop()
            self.central.db.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def machine_template(sqlite_template: Path) -> None:
    global TEMPLATE
    TEMPLATE = sqlite_template


SyncMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("MOTCUA_SM_EXAMPLES", "6")),
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_random_interleavings_converge(machine_template: None) -> None:
    test = SyncMachine.TestCase()
    test.runTest()
