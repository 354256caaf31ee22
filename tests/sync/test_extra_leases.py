"""Extra code leases for another day than the usual window: a counter back-filling the paper
dossiers of an older outage day asks for a block of that day in one sync, then receives them
offline with codes of that day from the lease — and the next automatic sync does not take the
block back before the officer is done."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.db.models import CodeLease
from app.domain.clock import VN_TZ, FixedClock, SystemClock
from app.domain.codes import parse_code
from app.domain.errors import CapacityError
from app.services.catalogue import list_procedures
from app.services.dossiers import receive_dossier
from app.services.sync_port import lease_capacity
from tests.app.services.helpers import receive_cmd
from tests.sync.conftest import FAST, NOW, Central, Station

OUTAGE_DAY = date(2026, 11, 20)  # Friday, three days before NOW (Monday 23/11)


def capacity(station: Station) -> dict[date, int]:
    return {c.day: c.remaining for c in lease_capacity(station.ctx)}


def paper_dossier(station: Station, hour: int) -> str:
    procedure = next(
        p.id for p in list_procedures(station.ctx) if not any(c.must_digitise for c in p.components)
    )
    cmd = receive_cmd(
        procedure,
        received_at=datetime.combine(OUTAGE_DAY, datetime.min.time(), VN_TZ).replace(hour=hour),
        backfill_reason="Mất kết nối hệ thống trung tâm, tiếp nhận trên giấy",
    )
    return receive_dossier(station.ctx, cmd).dossier.code


def central_leases_of(station: Station, day: date) -> list[tuple[int, int, str]]:
    with station.ctx.db.read() as session:
        return [
            (r.first, r.last, r.state)
            for r in session.scalars(
                select(CodeLease).where(CodeLease.day == day, CodeLease.source == "central")
            )
        ]


def test_extra_leases_for_a_past_working_day_let_the_counter_back_fill_it_offline(
    sqlite_central: Central, make_station, clock: FixedClock
):
    station = make_station(sqlite_central, "tinh-q01")
    assert OUTAGE_DAY not in capacity(station)
    with pytest.raises(CapacityError) as caught:
        paper_dossier(station, 10)
    assert caught.value.code == "code.no_lease"

    station.options = replace(FAST, extra_leases=((OUTAGE_DAY, 30),))
    summary = station.sync()
    assert summary.ok, summary.error
    assert summary.leases_refused == ()
    assert capacity(station)[OUTAGE_DAY] == 30
    [(first, last, _)] = central_leases_of(station, OUTAGE_DAY)

    # Offline from here until the next sync: the codes of that day come from the lease.
    codes = [parse_code(paper_dossier(station, hour)) for hour in (9, 10, 14)]
    assert [c.day for c in codes] == [OUTAGE_DAY] * 3
    assert [c.seq for c in codes] == [first, first + 1, first + 2]
    assert last == first + 29
    assert capacity(station)[OUTAGE_DAY] == 27

    # The next (automatic) sync uploads them and leaves the rest of the block to back-fill,
    # although the day is older than the two days whose leases are normally kept.
    station.options = FAST
    summary = station.sync()
    assert summary.ok, summary.error
    assert summary.uploaded == 3 and summary.leases_returned == 0
    assert {str(c) for c in codes} <= {code for code, _, _ in sqlite_central.dossiers().values()}
    assert capacity(station)[OUTAGE_DAY] == 27

    # Two days after it was granted, the unused numbers go back to the pool.
    clock.current = NOW + timedelta(days=3)
    summary = station.sync()
    assert summary.ok, summary.error
    assert summary.leases_returned >= 1
    assert OUTAGE_DAY not in capacity(station)
    assert central_leases_of(station, OUTAGE_DAY) == [(first, last, "returned")]


def test_a_large_extra_need_is_asked_in_protocol_blocks_and_a_day_out_of_range_is_reported(
    sqlite_central: Central, make_station
):
    station = make_station(sqlite_central, "tinh-q01")
    too_old = NOW.date() - timedelta(days=90)
    station.options = replace(FAST, extra_leases=((OUTAGE_DAY, 1200), (too_old, 5)))
    summary = station.sync()
    assert summary.ok, summary.error
    assert capacity(station)[OUTAGE_DAY] == 1200
    assert len(central_leases_of(station, OUTAGE_DAY)) == 2  # 1000 + 200
    assert summary.leases_refused == ("Ngày xin cấp dải số nằm ngoài phạm vi cho phép.",)
    assert too_old not in capacity(station)


def test_sync_extra_leases_and_sync_leases_on_the_command_line(
    sqlite_central: Central, make_station, clock: FixedClock, capsys
):
    # The commands run on the real clock: so does the central system here.
    clock.current = SystemClock().now()
    station = make_station(sqlite_central, "tinh-q01")
    data = str(Path(str(station.ctx.db.engine.url.database)).parent)
    day = clock.current.date() - timedelta(days=5)
    far = clock.current.date() - timedelta(days=120)

    code = main(
        [
            *("sync", "--data-dir", data, "--json"),
            *("--extra-leases", f"{day:%d/%m/%Y}:40", "--extra-leases", f"{far:%d/%m/%Y}:3"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["leases_granted"] >= 1
    assert "Không được cấp thêm dải số: Ngày xin cấp dải số nằm ngoài phạm vi" in err

    code = main(["sync", "leases", "--data-dir", data, "--json"])
    out, _ = capsys.readouterr()
    rows = json.loads(out)
    assert code == 0
    assert {"agency_eid": rows[0]["agency_eid"], "day": day.isoformat(), "remaining": 40} in rows
    assert [r["day"] for r in rows] == sorted(r["day"] for r in rows)
    assert clock.current.date().isoformat() in [r["day"] for r in rows]

    assert main(["sync", "leases", "--data-dir", data]) == 0
    assert f"{day:%d/%m/%Y}: còn 40 mã hồ sơ" in capsys.readouterr().out

    for wrong in ("31/02/2026:5", f"{day:%d/%m/%Y}:0", f"{day:%d/%m/%Y}"):
        code = main(["sync", "--data-dir", data, "--extra-leases", wrong])
        assert code == 3
        assert "phải có dạng ngày/tháng/năm:số_mã" in capsys.readouterr().err
