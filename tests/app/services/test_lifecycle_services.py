"""State changes after reception: supplement, refuse, stop, transfer, result, return, re-appoint."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import OutboxEntry
from app.domain.clock import VN_TZ, FixedClock
from app.domain.errors import StateError, ValidationError
from app.services import dossiers
from app.services.calendar import load_calendar
from app.services.dossiers import receive_dossier
from app.services.queries import show_dossier
from app.services.station import current_station_point
from tests.app.services.helpers import digitise_required, procedure_with_unit, receive_cmd

SUPERVISOR = "giamsat"  # stopping and re-appointing are the supervisor's (domain.permissions)


@pytest.fixture
def received(ctx):
    p = procedure_with_unit(ctx, "working-days")
    return receive_dossier(ctx, receive_cmd(p.id)).dossier


def test_supplement_pauses_then_restarts_the_clock_from_zero(ctx, clock: FixedClock, received):
    clock.current = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
    paused = dossiers.request_supplement(ctx, received.code, "Thiếu bản sao giấy khai sinh")
    assert paused.status == 5
    clock.current = datetime(2026, 11, 30, 14, 0, tzinfo=VN_TZ)  # Monday
    resumed = dossiers.receive_supplement(ctx, received.code)
    assert resumed.status == 2
    assert resumed.supplement_count == 1
    assert resumed.clock_start == clock.current
    # Full duration again from the supplement's reception, not what was left before the pause.
    assert resumed.appointment > received.appointment
    with ctx.db.read() as s:
        cal = load_calendar(s, current_station_point(s).unit_id, clock.current.date())
    worked = cal.working_time_between(resumed.clock_start, resumed.appointment)
    assert worked == timedelta(hours=8 * resumed.duration.value)
    assert resumed.code == received.code
    assert [e.action for e in resumed.events] == [
        "receive",
        "supplement-request",
        "supplement-receive",
    ]


def test_supplement_after_15h_restarts_next_working_day(ctx, clock: FixedClock, received):
    dossiers.request_supplement(ctx, received.code, "Thiếu giấy tờ")
    clock.current = datetime(2026, 11, 23, 15, 0, 1, tzinfo=VN_TZ)
    resumed = dossiers.receive_supplement(ctx, received.code)
    # 24/11 is a day off (Ngày Văn hóa Việt Nam): the clock starts Wednesday at opening.
    assert resumed.clock_start == datetime(2026, 11, 25, 7, 30, tzinfo=VN_TZ)


def test_supplement_request_after_the_deadline_is_refused(ctx, clock: FixedClock, received):
    clock.current = received.appointment + timedelta(seconds=1)
    with pytest.raises(StateError):
        dossiers.request_supplement(ctx, received.code, "Thiếu giấy tờ")
    assert show_dossier(ctx, received.code).status == 2


def test_refusal_is_a_result_with_an_outcome(ctx, received):
    refused = dossiers.refuse(ctx, received.code, "Không thuộc thẩm quyền")
    assert refused.status == 3
    assert refused.result_at is not None
    assert refused.outcome == "early"
    assert refused.events[-1].reason == "Không thuộc thẩm quyền"


def test_full_path_transfer_result_return(ctx, clock: FixedClock, received):
    digitise_required(ctx, received.code)
    moved = dossiers.transfer(ctx, received.code)
    assert moved.status == 4
    clock.current = received.appointment - timedelta(minutes=5)
    done = dossiers.record_result(ctx, received.code)
    assert done.status == 9
    assert done.outcome == "on-time"
    returned = dossiers.return_result(ctx, received.code)
    assert returned.status == 10
    assert returned.returned_at == clock.current
    with ctx.db.read() as s:
        ops = [e.op for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))]
    assert ops.index("receive") < ops.index("transfer")
    assert ops[-3:] == ["transfer", "result", "return"]


def test_result_after_appointment_is_overdue(ctx, clock: FixedClock, received):
    clock.current = received.appointment + timedelta(seconds=1)
    assert dossiers.record_result(ctx, received.code).outcome == "overdue"


def test_transition_not_allowed_in_status_is_refused_and_changes_nothing(ctx, received):
    with pytest.raises(StateError) as caught:
        dossiers.return_result(ctx, received.code)
    assert caught.value.code == "lifecycle.not_allowed"
    assert "Trả kết quả" in caught.value.message
    dossiers.stop(ctx, received.code, "Công dân đề nghị dừng", officer=SUPERVISOR)
    with pytest.raises(StateError):
        dossiers.transfer(ctx, received.code)
    view = show_dossier(ctx, received.code)
    assert view.status == 8
    assert len(view.events) == 2


def test_reason_is_required_for_refusal_and_stop(ctx, received):
    for call in (dossiers.refuse, dossiers.stop, dossiers.request_supplement):
        with pytest.raises(ValidationError) as caught:
            call(ctx, received.code, "  ")
        assert caught.value.code == "action.reason_required"
    assert show_dossier(ctx, received.code).status == 2


def test_reappointment_keeps_the_original_and_is_allowed_once(ctx, received):
    new = received.appointment + timedelta(days=7)
    new = new.replace(hour=10, minute=0)
    while new.weekday() >= 5:
        new += timedelta(days=1)
    moved = dossiers.reappoint(ctx, received.code, new, "Cần xác minh thêm", officer=SUPERVISOR)
    assert moved.appointment == new
    assert moved.original_appointment == received.appointment
    assert moved.reappoint_count == 1
    with pytest.raises(StateError) as caught:
        dossiers.reappoint(
            ctx, received.code, new + timedelta(days=1), "Lần hai", officer=SUPERVISOR
        )
    assert caught.value.code == "deadline.reappoint_limit"
