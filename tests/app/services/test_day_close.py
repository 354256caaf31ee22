"""Close the day on a standalone counter: counts, once only, not with a cash session open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Event, OutboxEntry
from app.domain.errors import PermissionDeniedError, StateError
from app.services import cash_sessions, dossiers
from app.services.day_close import close_day, day_closure
from tests.app.services.helpers import procedure_with_unit, receive_cmd

SUPERVISOR = "giamsat"


def test_a_standalone_counter_closes_its_day_once_with_the_count_received(ctx, clock):
    p = procedure_with_unit(ctx, "working-days")
    for _ in range(2):
        dossiers.receive_dossier(ctx, receive_cmd(p.id))
    day = clock.current.date()
    closed = close_day(ctx, day, officer=SUPERVISOR, note="Đủ hồ sơ")
    assert (closed.received, closed.closed_by, closed.note) == (2, SUPERVISOR, "Đủ hồ sơ")
    assert day_closure(ctx, day) == closed
    with ctx.db.read() as s:
        event = s.scalar(select(Event).where(Event.action == "day-close"))
        queued = s.scalar(select(OutboxEntry).where(OutboxEntry.op == "day-close"))
    assert event is not None and event.entity_id == day.isoformat()
    assert queued is not None and queued.payload["day_close"]["received"] == 2
    with pytest.raises(StateError) as again:
        close_day(ctx, day, officer=SUPERVISOR)
    assert again.value.code == "day.already_closed"


def test_an_open_cash_session_blocks_the_close(ctx, clock):
    cash_sessions.open_cash_session(ctx, counts={}, opening_float=200_000)
    with pytest.raises(StateError) as refused:
        close_day(ctx, clock.current.date(), officer=SUPERVISOR)
    assert refused.value.code == "day.cash_open"
    assert "ca thu tiền chưa đóng" in refused.value.message
    assert day_closure(ctx, clock.current.date()) is None


def test_a_counter_officer_may_not_close_the_day(ctx, clock):
    with pytest.raises(PermissionDeniedError):
        close_day(ctx, clock.current.date(), officer="canbo")
