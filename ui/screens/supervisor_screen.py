"""Sổ theo dõi / Giám sát: the logbook for a date range, overdue and amber dossiers, receptions
per officer per day, the changes the central system rejected (with the reason), and the daily fee
report (`fee_report_screen.py`, its own day picker and print), closing the day
(`widgets/day_close_panel.py`) and the dossier codes left for offline work
(`widgets/lease_panel.py`)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.formatting import vn_date, vn_datetime
from app.services.context import ServiceContext
from app.services.queries import OfficerDayCount, counts_per_officer, logbook, overdue
from app.services.sync_status import RejectedUpload, rejected_uploads
from app.services.views import DossierSummary, LogbookPage
from ui.events import AppEvents, ChangeSet
from ui.models.dossier_table_model import DossierTableModel
from ui.models.text_table_model import TextTable
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.screens.fee_report_screen import FeeReportScreen
from ui.widgets.day_close_panel import DayClosePanel
from ui.widgets.day_edit import chosen_day, day_edit
from ui.widgets.lease_panel import LeasePanel

LOGBOOK_COLUMNS = [
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Số bộ",
    "Người nộp",
    "Địa chỉ/Điện thoại",
    "Cơ quan giải quyết",
    "Ngày nhận",
    "Hẹn trả",
    "Ghi chú",
]


class SupervisorScreen(QWidget):
    print_logbook_requested = Signal(object)  # LogbookPage

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        officer: OfficerGetter = station_default,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.page: LogbookPage | None = None
        today = ctx.clock.now().date()
        self.date_from = day_edit(today)
        self.date_to = day_edit(today)
        self.show_button = QPushButton("Xem")
        self.show_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("In sổ theo dõi…")
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.total = QLabel()
        self.logbook = TextTable(LOGBOOK_COLUMNS, 2, compact=(0, 1, 3, 7, 8))
        self.overdue_model = DossierTableModel()
        self.overdue = QTableView()
        self.overdue.setModel(self.overdue_model)
        self.overdue.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.overdue.doubleClicked.connect(
            lambda index: events.dossier_opened.emit(self.overdue_model.rows[index.row()].code)
        )
        self.per_officer = TextTable(["Ngày", "Cán bộ", "Số hồ sơ tiếp nhận"], 1, compact=(0, 2))
        self.rejected = TextTable(
            ["Mã hồ sơ", "Thời điểm", "Thao tác", "Bị từ chối lúc", "Lý do từ chối"],
            4,
            compact=(0, 1, 2, 3),
        )
        tabs = QTabWidget()
        tabs.addTab(self.logbook, "Sổ theo dõi hồ sơ")
        tabs.addTab(self.overdue, "Sắp đến hạn / quá hạn")
        tabs.addTab(self.per_officer, "Theo cán bộ")
        tabs.addTab(self.rejected, "Bị hệ thống trung tâm từ chối")
        self.fee_report = FeeReportScreen(ctx, runner, events)
        tabs.addTab(self.fee_report, "Báo cáo thu phí")
        self.day_close = DayClosePanel(ctx, runner, officer)
        self.leases = LeasePanel(ctx, runner)
        self.day_page = QWidget()
        day_layout = QVBoxLayout(self.day_page)
        day_layout.addWidget(self.day_close)
        day_layout.addWidget(self.leases)
        day_layout.addStretch(1)
        tabs.addTab(self.day_page, "Chốt ngày / Số mã hồ sơ")
        self.tabs = tabs
        # The date range belongs to the logbook tabs; the fee report has its own day.
        self.range_bar = QWidget()
        bar = QHBoxLayout(self.range_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Từ ngày"), self.date_from, QLabel("đến"), self.date_to):
            bar.addWidget(widget)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        bar.addWidget(self.total)
        bar.addWidget(self.print_button)
        tabs.currentChanged.connect(
            lambda _i: self.range_bar.setVisible(
                tabs.currentWidget() not in (self.fee_report, self.day_page)
            )
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.range_bar)
        layout.addWidget(tabs, 1)
        events.changed.connect(self._on_events_changed)

    def _range(self) -> tuple[date, date]:
        return chosen_day(self.date_from), chosen_day(self.date_to)

    def refresh(self) -> None:
        day_from, day_to = self._range()
        self._runner.run(lambda: logbook(self._ctx, day_from, day_to), self._show_logbook)
        self._runner.run(lambda: overdue(self._ctx), self._show_overdue)
        self._runner.run(
            lambda: counts_per_officer(self._ctx, day_from, day_to), self._show_per_officer
        )
        self._runner.run(lambda: rejected_uploads(self._ctx), self._show_rejected)
        self.fee_report.refresh()
        self.day_close.refresh()
        self.leases.refresh()

    def _show_logbook(self, page: LogbookPage) -> None:
        self.page = page
        self.total.setText(f"Tổng số: {page.total} hồ sơ")
        self.logbook.set_rows(
            [
                (
                    str(e.entry_no),
                    e.code,
                    e.procedure_name,
                    str(e.sets),
                    e.submitter,
                    e.address_phone,
                    e.resolving_agency,
                    vn_datetime(e.received_at),
                    vn_datetime(e.appointment),
                    e.note,
                )
                for e in page.entries
            ],
        )

    def _show_overdue(self, rows: list[DossierSummary]) -> None:
        self.overdue_model.set_rows(rows)

    def _show_per_officer(self, rows: list[OfficerDayCount]) -> None:
        self.per_officer.set_rows([(vn_date(r.day), r.officer, str(r.received)) for r in rows])

    def _show_rejected(self, rows: list[RejectedUpload]) -> None:
        self.rejected.set_rows(
            [
                (
                    r.dossier_code or r.entity_type,
                    vn_datetime(r.created_at),
                    r.op,
                    vn_datetime(r.rejected_at),
                    r.message,
                )
                for r in rows
            ],
        )

    def _on_print_button_clicked(self) -> None:
        if self.page is not None:
            self.print_logbook_requested.emit(self.page)

    def _on_events_changed(self, change: ChangeSet) -> None:
        if change.dossier_codes and self.isVisible():
            self.refresh()
