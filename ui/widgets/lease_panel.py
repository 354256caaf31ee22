"""Số mã hồ sơ còn cấp được khi mất kết nối, and asking the central system for more.

A counter in central mode issues dossier codes from blocks leased ahead by the central system
(today and the next working days). The supervisor sees what is left per day and, before
back-filling the paper dossiers of an outage day (or preparing a busy day), asks for an extra
block of that day: one sync with the extra need (`SyncOptions.extra_leases`), off the UI thread.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.formatting import vn_date
from app.services.context import ServiceContext
from app.services.sync_port import LeaseCapacity, lease_capacity
from sync.engine import SyncOptions, SyncSummary, run_sync_once
from ui.ops import OpRunner
from ui.widgets.day_edit import chosen_day, day_edit
from ui.widgets.status_message import StatusMessage

MAX_EXTRA = 5000  # one request of the officer's; the engine splits it for the server


def capacity_text(rows: list[LeaseCapacity]) -> str:
    if not rows:
        return (
            "Máy trạm ở chế độ độc lập: mã hồ sơ được cấp ngay trên máy này, không cần xin thêm số."
        )
    lines = ["Số mã hồ sơ còn cấp được khi mất kết nối:"]
    lines += [f"  {vn_date(r.day)}: {r.remaining} số" for r in rows]
    return "\n".join(lines)


def extra_lease_result(summary: SyncSummary, day: date, count: int) -> tuple[str, bool]:
    """The supervisor's message after the sync, and whether it is an error."""
    if not summary.ok:
        return f"Chưa xin được thêm số mã: {summary.error}", True
    if summary.leases_refused:
        return "Hệ thống trung tâm từ chối: " + "; ".join(summary.leases_refused), True
    return f"Đã xin thêm {count} số mã cho ngày {vn_date(day)}.", False


class LeasePanel(QWidget):
    def __init__(
        self, ctx: ServiceContext, runner: OpRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.capacity = QLabel()
        self.capacity.setWordWrap(True)
        today = ctx.clock.now().date()
        self.day = day_edit(today)
        self.count = QSpinBox()
        self.count.setRange(1, MAX_EXTRA)
        self.count.setValue(50)
        self.count.setSuffix(" số")
        self.request_button = QPushButton("Xin thêm số mã")
        self.request_button.setToolTip(
            "Đồng bộ ngay và xin hệ thống trung tâm thêm một khối số mã cho ngày đã chọn "
            "(ví dụ để nhập bù hồ sơ tiếp nhận trên giấy trong ngày mất kết nối)"
        )
        self.request_button.clicked.connect(self.request_extra)
        self.message = StatusMessage()
        self.ask_row = QWidget()
        row = QHBoxLayout(self.ask_row)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Xin thêm cho ngày"), self.day, self.count, self.request_button):
            row.addWidget(widget)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.capacity)
        layout.addWidget(self.ask_row)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        self._runner.run(lambda: lease_capacity(self._ctx), self._show)

    def _show(self, rows: list[LeaseCapacity]) -> None:
        self.capacity.setText(capacity_text(rows))
        self.ask_row.setVisible(bool(rows))  # only a counter in central mode leases codes

    def request_extra(self) -> None:
        day = chosen_day(self.day)
        count = self.count.value()
        options = SyncOptions(extra_leases=((day, count),))
        self.request_button.setEnabled(False)
        self.message.say("Đang đồng bộ và xin thêm số mã…")
        self._runner.run(
            lambda: run_sync_once(self._ctx, options=options),
            lambda summary: self._on_synced(summary, day, count),
        )

    def _on_synced(self, summary: SyncSummary, day: date, count: int) -> None:
        self.request_button.setEnabled(True)
        text, error = extra_lease_result(summary, day, count)
        self.message.say(text, error=error)
        self.refresh()
