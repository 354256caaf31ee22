"""Supervisor and settings screens on real services."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate

from app.services.calendar import list_calendar, list_work_rules
from app.services.dossiers import receive_dossier
from tests.app.services.helpers import procedure_with_unit, receive_cmd
from tests.ui.conftest import type_text
from ui.screens.settings_screen import SettingsScreen
from ui.screens.supervisor_screen import SupervisorScreen


def test_supervisor_sees_the_days_logbook_and_counts_per_officer(qtbot, ctx, runner, events):
    p = procedure_with_unit(ctx, "working-days")
    codes = [receive_dossier(ctx, receive_cmd(p.id)).dossier.code for _ in range(3)]
    screen = SupervisorScreen(ctx, runner, events)
    qtbot.addWidget(screen)
    screen.refresh()
    assert screen.logbook.rowCount() == 3
    assert [screen.logbook.text(i, 1) for i in range(3)] == codes
    assert screen.total.text() == "Tổng số: 3 hồ sơ"
    assert screen.per_officer.rowCount() == 1
    assert screen.per_officer.text(0, 2) == "3"
    printed = []
    screen.print_logbook_requested.connect(printed.append)
    screen.print_button.click()
    assert printed and printed[0].total == 3


def test_settings_adds_a_day_off_and_a_new_office_hours_version(
    qtbot, ctx, runner, events, qsettings
):
    # Editing the calendar is the unit administrator's (domain.permissions).
    screen = SettingsScreen(ctx, runner, events, qsettings, officer=lambda: "admin")
    qtbot.addWidget(screen)
    assert screen.calendar_table.rowCount() == len(list_calendar(ctx, 2026))
    screen.exception_day.setDate(QDate(2026, 12, 31))
    type_text(screen.exception_note, "Thông báo số 12/TB-UBND")
    screen.add_exception()
    assert any(
        d.day == date(2026, 12, 31) and d.kind == "day-off" for d in list_calendar(ctx, 2026)
    )
    assert "31/12/2026" in screen.message.text()

    screen.rules_from.setDate(QDate(2027, 1, 1))
    screen.cutoff.setText("16:00")
    type_text(screen.rules_note, "Quyết định số 5/QĐ-UBND")
    screen.add_work_rules()
    rules = list_work_rules(ctx)
    assert rules[-1].effective_from == date(2027, 1, 1)
    assert rules[-1].cutoff == "16:00"
    assert screen.rules_table.rowCount() == len(rules)


def test_settings_refuses_a_malformed_time_and_keeps_what_was_typed(
    qtbot, ctx, runner, events, qsettings
):
    screen = SettingsScreen(ctx, runner, events, qsettings)
    qtbot.addWidget(screen)
    before = len(list_work_rules(ctx))
    screen.morning.setText("7 giờ rưỡi")
    screen.add_work_rules()
    assert "07:30-11:30" in screen.message.text()
    assert len(list_work_rules(ctx)) == before
    assert screen.morning.text() == "7 giờ rưỡi"
