"""The supervisor's «Số mã hồ sơ» panel against the real central server: it shows the codes
left per day and asks for an extra block of an outage day through one real sync."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate

from app.services.sync_port import lease_capacity
from tests.sync.conftest import Central
from ui.ops import ImmediateOpRunner
from ui.widgets.lease_panel import LeasePanel

OUTAGE_DAY = date(2026, 11, 20)  # Friday before NOW (Monday 23/11)


def test_the_supervisor_asks_for_extra_codes_of_an_outage_day(
    qtbot, sqlite_central: Central, make_station
):
    station = make_station(sqlite_central, "tinh-q01")
    panel = LeasePanel(station.ctx, ImmediateOpRunner())
    qtbot.addWidget(panel)
    panel.refresh()
    today = lease_capacity(station.ctx)[0]
    assert f"{today.day:%d/%m/%Y}: {today.remaining} số" in panel.capacity.text()
    assert "20/11/2026" not in panel.capacity.text()
    assert not panel.ask_row.isHidden()

    panel.day.setDate(QDate(2026, 11, 20))
    panel.count.setValue(40)
    panel.request_button.click()
    assert "Đã xin thêm 40 số mã cho ngày 20/11/2026" in panel.message.text()
    assert {c.day: c.remaining for c in lease_capacity(station.ctx)}[OUTAGE_DAY] == 40
    assert "20/11/2026: 40 số" in panel.capacity.text()
    assert panel.request_button.isEnabled()


def test_a_sync_that_fails_is_shown_and_nothing_is_leased(
    qtbot, sqlite_central: Central, make_station
):
    station = make_station(sqlite_central, "tinh-q01")
    panel = LeasePanel(station.ctx, ImmediateOpRunner())
    qtbot.addWidget(panel)
    assert sqlite_central.server is not None
    sqlite_central.server.stop()  # the central system is down
    panel.day.setDate(QDate(2026, 11, 20))
    panel.request_button.click()
    assert panel.message.text().startswith("Chưa xin được thêm số mã:")
    assert "#b00020" in panel.message.styleSheet()
    assert OUTAGE_DAY not in {c.day for c in lease_capacity(station.ctx)}


def test_a_standalone_counter_needs_no_leases(qtbot, ctx):
    panel = LeasePanel(ctx, ImmediateOpRunner())
    qtbot.addWidget(panel)
    panel.refresh()
    assert "chế độ độc lập" in panel.capacity.text()
    assert panel.ask_row.isHidden()
