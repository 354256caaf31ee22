"""Lease allocation on the server, property-based: whatever counters ask for and give back,
no number of an (agency, day) is ever held by two counters."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.domain.clock import FixedClock
from sync.protocol import LeaseRequest, LeaseReturn
from sync.server.auth import CounterAuth
from sync.server.db import ServerDatabase
from sync.server.leases import give_back, grant
from sync.server.models import Lease
from tests.sync.conftest import NOW

EID = "000.00.70.H52"
DAYS = [date(2026, 11, 23), date(2026, 11, 25)]
COUNTERS = [
    CounterAuth(f"q{i}", f"c{i}", frozenset({"ttpvhcc-tinh"}), frozenset({EID})) for i in range(3)
]

operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 40)),
    st.tuples(st.just("return"), st.integers(0, 2), st.integers(0, 30), st.integers(0, 45)),
    st.tuples(st.just("repeat"), st.integers(0, 2), st.integers(0, 30), st.just(0)),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_numbers_of_a_day_are_never_held_by_two_counters(
    ops, sqlite_template: Path, tmp_path: Path
):
    target = tmp_path / "leases.sqlite3"
    shutil.copy(sqlite_template, target)
    db = ServerDatabase.open(f"sqlite:///{target}", migrate_schema=False)
    clock = FixedClock(NOW)
    held: dict[str, tuple[int, str]] = {}  # lease id -> (next unused, counter)
    requests: list[tuple[LeaseRequest, int]] = []
    try:
        for n, (kind, who, a, b) in enumerate(ops):
            auth = COUNTERS[who]
            with db.write() as session:
                if kind == "grant":
                    request = LeaseRequest(request_id=f"r{n}", agency_eid=EID, day=DAYS[a], count=b)
                    got = grant(session, auth, request, clock.now())
                    requests.append((request, who))
                    if hasattr(got, "first"):
                        held.setdefault(got.id, (got.first, auth.counter))
                elif kind == "repeat" and requests:
                    request, owner = requests[a % len(requests)]
                    again = grant(session, COUNTERS[owner], request, clock.now())
                    assert hasattr(again, "first") or again.code == "lease.day_exhausted"
                elif kind == "return" and held:
                    lease_id = sorted(held)[a % len(held)]
                    row = session.get(Lease, lease_id)
                    assert row is not None
                    first_unused = min(row.first + b, row.last + 1)
                    if give_back(
                        session,
                        auth,
                        LeaseReturn(lease_id=lease_id, first_unused=first_unused),
                        clock.now(),
                    ):
                        assert held[lease_id][1] == auth.counter
        with db.read() as session:
            rows = list(session.scalars(select(Lease)))
        for day in {r.day for r in rows}:
            ranges = sorted((r.first, r.last) for r in rows if r.day == day and r.last >= r.first)
            for (_, last), (first, _) in itertools.pairwise(ranges):
                assert last < first, ranges
    finally:
        db.close()
