"""Receiving a dossier: code, appointment, event + outbox together; bad input saves nothing."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import CodeLease, Dossier, Event, OutboxEntry
from app.domain.clock import VN_TZ, FixedClock
from app.domain.codes import parse_code
from app.domain.deadlines import compute_deadline
from app.domain.durations import Duration, DurationUnit
from app.domain.errors import AppError, NotFoundError, ValidationError
from app.services.calendar import load_calendar
from app.services.context import ServiceContext
from app.services.dossiers import ComponentCount, receive_dossier
from app.services.queries import show_dossier
from app.services.station import current_station_point
from tests.app.services.helpers import procedure_with_unit, receive_cmd


def counts(ctx: ServiceContext) -> dict[str, int]:
    with ctx.db.read() as s:
        return {
            "dossiers": s.scalar(select(func.count()).select_from(Dossier)) or 0,
            "events": s.scalar(select(func.count()).select_from(Event)) or 0,
            "outbox": s.scalar(select(func.count()).select_from(OutboxEntry)) or 0,
            "next_seq": s.scalar(select(func.coalesce(func.sum(CodeLease.next_seq), 0))) or 0,
        }


def test_received_dossier_gets_code_of_receiving_agency_and_reception_date(ctx):
    p = procedure_with_unit(ctx, "working-days")
    view = receive_dossier(ctx, receive_cmd(p.id)).dossier
    code = parse_code(view.code)
    assert code.day == datetime(2026, 11, 23).date()
    assert code.seq == 1
    assert view.code.endswith("-261123-0001")
    assert view.status == 2
    with ctx.db.read() as s:
        point = current_station_point(s)
        agency_eid = s.scalar(select(Dossier.receiving_agency_eid))
    assert code.agency_eid == agency_eid
    assert point.name == view.receiving_point


def test_appointment_is_the_domain_deadline_of_the_procedure(ctx):
    p = procedure_with_unit(ctx, "working-days")
    view = receive_dossier(ctx, receive_cmd(p.code)).dossier
    with ctx.db.read() as s:
        cal = load_calendar(s, current_station_point(s).unit_id, view.received_at.date())
    expected = compute_deadline(
        cal, view.received_at, Duration(p.duration.value, DurationUnit(p.duration.unit))
    )
    assert view.appointment == expected.appointment
    assert view.original_appointment == expected.appointment
    assert view.clock_start == expected.clock_start
    # 24/11/2026 is a day off: 1+ working days from Monday 09:00 land on Wednesday or later.
    assert view.appointment.date() >= datetime(2026, 11, 25).date()


def test_each_reception_writes_dossier_event_and_outbox_together(ctx):
    p = procedure_with_unit(ctx, "working-days")
    before = counts(ctx)
    view = receive_dossier(ctx, receive_cmd(p.id)).dossier
    after = counts(ctx)
    assert after["dossiers"] == before["dossiers"] + 1
    assert after["events"] == before["events"] + 1
    assert after["outbox"] == before["outbox"] + 1
    with ctx.db.read() as s:
        entry = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq.desc())).first()
        assert entry is not None
        assert entry.payload["dossier"]["code"] == view.code
        assert entry.state == "pending"
    assert [e.action for e in view.events] == ["receive"]
    assert view.events[0].actor == "canbo"


def test_codes_are_consecutive_and_restart_each_day(ctx, clock: FixedClock):
    p = procedure_with_unit(ctx, "working-days")
    codes = [receive_dossier(ctx, receive_cmd(p.id)).dossier.code for _ in range(3)]
    assert [parse_code(c).seq for c in codes] == [1, 2, 3]
    clock.current = datetime(2026, 11, 25, 8, 0, tzinfo=VN_TZ)
    next_day = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    assert next_day.endswith("-261125-0001")


def test_a_new_self_lease_block_follows_the_used_one_without_gap(ctx):
    p = procedure_with_unit(ctx, "working-days")
    with ctx.db.write() as s:
        from app.db.models import Station

        station = s.scalars(select(Station)).one()
        station.lease_block_size = 3
    seqs = [parse_code(receive_dossier(ctx, receive_cmd(p.id)).dossier.code).seq for _ in range(7)]
    assert seqs == list(range(1, 8))
    with ctx.db.read() as s:
        blocks = sorted((r.first, r.last) for r in s.scalars(select(CodeLease)))
    assert blocks == [(1, 3), (4, 6), (7, 9)]


def test_decomposed_input_is_stored_in_nfc(ctx):
    p = procedure_with_unit(ctx, "working-days")
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    nfd_address = unicodedata.normalize("NFD", "Bản Phiêng Ngần, xã Chiềng Sinh")
    view = receive_dossier(
        ctx, receive_cmd(p.id, applicant_name=nfd_name, address=nfd_address)
    ).dossier
    assert view.applicant.name == "Nguyễn Thị Ánh Tuyết"
    assert unicodedata.is_normalized("NFC", view.applicant.name)
    assert unicodedata.is_normalized("NFC", view.applicant.address)
    assert view.applicant.phone == "0912345678"


@pytest.mark.parametrize(
    ("changes", "error_type", "code"),
    [
        ({"id_number": "12345"}, ValidationError, "identity.id_format"),
        ({"id_number": "00119001234X"}, ValidationError, "identity.id_format"),
        ({"applicant_name": "   "}, ValidationError, "applicant.name_required"),
        ({"procedure": "9.999999"}, NotFoundError, "procedure.not_found"),
        ({"phone": "0123"}, ValidationError, "identity.phone_format"),
        ({"email": "khong-phai-email"}, ValidationError, "applicant.email"),
        ({"components": (ComponentCount("99", 1, 0),)}, ValidationError, "component.unknown"),
        ({"components": (ComponentCount("1", 0, 0),)}, ValidationError, "component.count"),
        ({"delivery": "post"}, ValidationError, "dossier.delivery_address"),
        ({"officer": "khong-ton-tai"}, NotFoundError, "user.not_found"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(ctx, changes, error_type, code):
    p = procedure_with_unit(ctx, "working-days")
    receive_dossier(ctx, receive_cmd(p.id))
    before = counts(ctx)
    cmd = receive_cmd(changes.pop("procedure", p.id), **changes)
    with pytest.raises(error_type) as caught:
        receive_dossier(ctx, cmd)
    assert caught.value.code == code
    assert any(ch in caught.value.message for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệíìỉĩịóòỏõọ")
    assert counts(ctx) == before


def test_backfilled_reception_needs_a_reason_and_is_audited(ctx, clock: FixedClock):
    p = procedure_with_unit(ctx, "working-days")
    earlier = clock.current - timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        receive_dossier(ctx, receive_cmd(p.id, received_at=earlier))
    assert caught.value.code == "reception.backfill_reason"
    view = receive_dossier(
        ctx, receive_cmd(p.id, received_at=earlier, backfill_reason="Mất điện, ghi sổ giấy")
    ).dossier
    assert view.received_at == earlier
    assert view.code.endswith(f"-{earlier:%y%m%d}-0001")
    assert view.events[0].reason == "Mất điện, ghi sổ giấy"
    with pytest.raises(AppError) as future:
        receive_dossier(
            ctx,
            receive_cmd(p.id, received_at=clock.current + timedelta(hours=2), backfill_reason="x"),
        )
    assert future.value.code == "reception.future"


def test_dossiers_and_events_cannot_be_deleted(ctx):
    p = procedure_with_unit(ctx, "working-days")
    receive_dossier(ctx, receive_cmd(p.id))
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    for table in ("dossiers", "events"):
        with pytest.raises(IntegrityError), ctx.db.write() as s:
            s.execute(text(f"DELETE FROM {table}"))
    assert counts(ctx)["dossiers"] == 1


@pytest.mark.parametrize(
    ("outcome", "status", "action"),
    [("incomplete", 5, "supplement-request"), ("ineligible", 3, "refuse")],
)
def test_incomplete_or_ineligible_dossier_is_recorded_with_its_reason_in_one_transaction(
    ctx, outcome, status, action
):
    p = procedure_with_unit(ctx, "working-days")
    before = counts(ctx)
    reason = "Thiếu bản sao giấy khai sinh của người con"
    view = receive_dossier(ctx, receive_cmd(p.id, outcome=outcome, outcome_reason=reason)).dossier
    assert view.status == status
    after = counts(ctx)
    assert after["dossiers"] == before["dossiers"] + 1
    assert after["events"] == before["events"] + 2  # receive, then the outcome
    assert after["outbox"] == before["outbox"] + 2
    shown = show_dossier(ctx, view.code)
    assert [e.action for e in shown.events][-2:] == ["receive", action]
    assert shown.events[-1].reason == reason


@pytest.mark.parametrize("outcome", ["incomplete", "ineligible"])
def test_outcome_without_reason_is_refused_and_saves_nothing(ctx, outcome):
    p = procedure_with_unit(ctx, "working-days")
    before = counts(ctx)
    with pytest.raises(ValidationError) as err:
        receive_dossier(ctx, receive_cmd(p.id, outcome=outcome, outcome_reason="  "))
    assert err.value.code == "dossier.outcome_reason"
    assert "Cần ghi rõ" in err.value.message
    assert counts(ctx) == before


def test_unknown_outcome_is_refused(ctx):
    p = procedure_with_unit(ctx, "working-days")
    with pytest.raises(ValidationError) as err:
        receive_dossier(ctx, receive_cmd(p.id, outcome="maybe", outcome_reason="x"))
    assert err.value.code == "dossier.outcome"
