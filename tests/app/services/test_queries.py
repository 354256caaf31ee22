"""Look-up, logbook and overdue lists over the real store."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from app.domain.clock import VN_TZ, FixedClock
from app.services.dossiers import receive_dossier
from app.services.queries import logbook, lookup, overdue
from tests.app.services.helpers import procedure_with_unit, receive_cmd


def _receive_people(ctx):
    p = procedure_with_unit(ctx, "working-days")
    people = [
        ("Đặng Thị Hoà", "001190012345"),
        ("Nguyễn Văn Đức", "014085001234"),
        ("Lò Văn Dũng", "014095004321"),
    ]
    return [
        receive_dossier(ctx, receive_cmd(p.id, applicant_name=n, id_number=i)).dossier
        for n, i in people
    ]


def test_lookup_by_name_ignores_diacritics_and_maps_d_stroke(ctx):
    hoa, duc, dung = _receive_people(ctx)
    assert [r.code for r in lookup(ctx, "dang hoa")] == [hoa.code]
    assert [r.code for r in lookup(ctx, "DANG")] == [hoa.code]
    assert {r.code for r in lookup(ctx, "van d")} == {duc.code, dung.code}
    assert [r.code for r in lookup(ctx, unicodedata.normalize("NFD", "Đức"))] == [duc.code]
    assert lookup(ctx, "tran") == []


def test_lookup_by_code_and_by_id_number(ctx):
    hoa, duc, _ = _receive_people(ctx)
    assert [r.code for r in lookup(ctx, hoa.code.lower())] == [hoa.code]
    assert [r.code for r in lookup(ctx, "014085001234")] == [duc.code]


def test_logbook_lists_the_days_receptions_in_order_with_running_numbers(ctx, clock: FixedClock):
    first = _receive_people(ctx)
    clock.current = datetime(2026, 11, 25, 8, 0, tzinfo=VN_TZ)
    later = _receive_people(ctx)
    page = logbook(ctx, datetime(2026, 11, 23).date())
    assert [e.code for e in page.entries] == [d.code for d in first]
    assert page.total == 3
    assert [e.entry_no for e in page.entries] == [1, 2, 3]
    both = logbook(ctx, datetime(2026, 11, 23).date(), datetime(2026, 11, 25).date())
    assert [e.entry_no for e in both.entries] == [1, 2, 3, 4, 5, 6]
    assert [e.code for e in both.entries][3:] == [d.code for d in later]
    assert logbook(ctx, datetime(2026, 11, 24).date()).total == 0


def test_overdue_lists_amber_then_red(ctx, clock: FixedClock):
    hoa, *_ = _receive_people(ctx)
    assert overdue(ctx) == []
    clock.current = hoa.warning_at + timedelta(seconds=1)
    amber = overdue(ctx)
    assert {r.warning_level for r in amber} == {"amber"}
    clock.current = hoa.appointment + timedelta(seconds=1)
    assert {r.warning_level for r in overdue(ctx)} == {"red"}
