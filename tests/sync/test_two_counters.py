"""Two counters of one agency, offline the same day, come back: unique codes, nothing doubled."""

from __future__ import annotations

import asyncio
from datetime import date

from app.bootstrap import init_demo_data, open_context
from app.domain.lifecycle import Action, Status
from app.services import dossiers
from app.services.calendar import add_calendar_exception, list_calendar
from app.services.catalogue import list_procedures
from app.services.dossiers import receive_dossier
from app.services.sync_port import lease_capacity, rejected_uploads, sync_status
from sync.engine import enrol, run_sync_once_async
from tests.app.services.helpers import receive_cmd
from tests.sync.conftest import FAST, Central


def test_two_offline_counters_of_one_agency_issue_unique_codes_and_see_each_other(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    b = make_station(central, "tinh-q02")
    # Online: both hold leases for today before the network goes away.
    assert lease_capacity(a.ctx)[0].remaining > 0
    assert lease_capacity(b.ctx)[0].remaining > 0

    # Offline: nobody syncs; both keep receiving and changing dossiers.
    codes_a = a.receive(20)
    codes_b = b.receive(20)
    dossiers.transfer(a.ctx, codes_a[0])
    dossiers.record_result(b.ctx, codes_b[1])
    assert not set(codes_a) & set(codes_b)

    # Back online, in either order, more than once.
    for station in (b, a, b, a):
        summary = station.sync()
        assert summary.ok, summary.error
        assert summary.rejected == 0

    server = central.dossiers()
    assert len(server) == 40
    assert len({code for code, _, _ in server.values()}) == 40
    assert {code for code, _, _ in server.values()} == set(codes_a) | set(codes_b)
    assert a.dossiers() == server == b.dossiers()
    assert a.pending() == b.pending() == 0
    by_code = {code: status for code, status, _ in server.values()}
    assert by_code[codes_a[0]] == Status.PROCESSING
    assert by_code[codes_b[1]] == Status.RESOLVED
    assert sync_status(a.ctx).pending == 0


def test_a_change_made_centrally_reaches_the_counter_and_a_conflicting_local_change_is_parked(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    code = a.receive(1)[0]
    assert a.sync().ok
    central.action(code, Action.TRANSFER)  # the resolving agency took it over
    dossiers.withdraw(a.ctx, code, "Công dân xin rút")  # meanwhile, offline, at the counter
    summary = a.sync()
    assert summary.rejected == 1
    assert summary.ok and summary.pending == 0
    # The server's state wins; the counter shows it, and the refused action waits for a
    # supervisor in the rejected list.
    assert a.dossiers() == central.dossiers()
    assert next(iter(central.dossiers().values()))[1] == Status.PROCESSING
    assert sync_status(a.ctx).rejected == 1


def test_a_standalone_station_that_enrols_keeps_its_codes_and_nobody_reuses_them(
    central: Central, make_station, tmp_path, clock
):
    ctx = open_context(tmp_path / "standalone", clock)
    init_demo_data(ctx)  # counter tinh-q01, standalone, leasing numbers to itself
    procedure = list_procedures(ctx)[0].id
    mine = [
        receive_dossier(ctx, receive_cmd(procedure, applicant_name=f"Trước {i}")).dossier.code
        for i in range(3)
    ]
    assert [c[-4:] for c in mine] == ["0001", "0002", "0003"]
    result = enrol(ctx, central.url, central.token("tinh-q01"), options=FAST)
    assert result.sync.ok and result.sync.pending == 0 and result.sync.rejected == 0
    b = make_station(central, "tinh-q02")
    theirs = b.receive(3)
    assert not {c[-4:] for c in theirs} & {"0001", "0002", "0003"}
    assert asyncio.run(run_sync_once_async(b.ctx, server_url=central.url, options=FAST)).ok
    codes = [code for code, _, _ in central.dossiers().values()]
    assert sorted(codes) == sorted(mine + theirs)
    ctx.db.close()


def test_a_local_calendar_edit_is_refused_visibly_and_the_central_calendar_comes_back(
    central: Central, make_station
):
    a = make_station(central, "tinh-q01")
    day = date(2026, 12, 31)
    add_calendar_exception(a.ctx, day, "day-off", "Nghỉ thêm (tự đặt)", actor="admin")
    summary = a.sync()
    assert summary.ok and summary.rejected == 1 and "calendar" in summary.redownloaded
    assert rejected_uploads(a.ctx)[0].code == "entity.central_only"
    assert day not in {d.day for d in list_calendar(a.ctx, 2026)}
