"""Chốt ngày from the supervisor screen, on real services: the panel shows what blocks the
close, offers the button only when it can work, asks first, and shows the service's refusal."""

from __future__ import annotations

from app.domain.formatting import vn_date
from app.services import cash_sessions, dossiers
from app.services.day_close import day_closure
from tests.app.services.helpers import procedure_with_unit, receive_cmd
from tests.ui.conftest import type_text
from ui.screens.supervisor_screen import SupervisorScreen


def _screen(qtbot, ctx, runner, events, officer):
    screen = SupervisorScreen(ctx, runner, events, officer=lambda: officer)
    qtbot.addWidget(screen)
    screen.refresh()
    return screen.day_close


def test_an_open_cash_session_blocks_the_close_until_it_is_closed(qtbot, ctx, runner, events):
    opened = cash_sessions.open_cash_session(ctx, counts={}, opening_float=200_000)
    panel = _screen(qtbot, ctx, runner, events, "giamsat")
    assert "Còn 1 ca thu tiền chưa đóng" in panel.status.text()
    assert not panel.close_button.isEnabled()

    cash_sessions.close_cash_session(ctx, {200_000: 1}, session_id=opened.id)
    panel.refresh()
    assert "Các ca thu tiền của ngày đã đóng" in panel.status.text()
    assert panel.close_button.isEnabled()


def test_the_supervisor_closes_the_day_after_confirming(qtbot, ctx, runner, events, clock):
    p = procedure_with_unit(ctx, "working-days")
    for _ in range(2):
        dossiers.receive_dossier(ctx, receive_cmd(p.id))
    panel = _screen(qtbot, ctx, runner, events, "giamsat")
    asked: list[str] = []
    panel.confirm = lambda text: asked.append(text) or False  # the supervisor says no
    panel.close_button.click()
    assert len(asked) == 1 and vn_date(clock.current.date()) in asked[0]
    assert day_closure(ctx, clock.current.date()) is None

    panel.confirm = lambda _text: True
    type_text(panel.note, "Đủ hồ sơ, đã đối chiếu")
    panel.close_button.click()
    closed = day_closure(ctx, clock.current.date())
    assert closed is not None and closed.received == 2 and closed.closed_by == "giamsat"
    assert closed.note == "Đủ hồ sơ, đã đối chiếu"
    assert "Đã chốt ngày" in panel.message.text()
    assert "đã chốt lúc" in panel.status.text() and "bởi giamsat" in panel.status.text()
    assert not panel.close_button.isEnabled()


def test_a_counter_officer_is_refused_and_the_note_is_kept(qtbot, ctx, runner, events, clock):
    panel = _screen(qtbot, ctx, runner, events, "canbo")
    panel.confirm = lambda _text: True
    type_text(panel.note, "Ghi chú")
    panel.close_button.click()
    assert day_closure(ctx, clock.current.date()) is None
    assert "quyền" in panel.message.text()  # the service's Vietnamese refusal
    assert "#b00020" in panel.message.styleSheet()
    assert panel.note.text() == "Ghi chú"
