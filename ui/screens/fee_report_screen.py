"""Báo cáo thu phí theo ngày (a tab of Giám sát): every cash session of the receiving point for one
business day, what was taken by method and by procedure, refunds, and the cash counted against
what the records expect — the figures of `fee_reports.daily_fee_report`, printable on A4.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_date, vn_datetime
from app.domain.money import format_vnd
from app.services.context import ServiceContext
from app.services.fee_prints import fee_report_print
from app.services.fee_reports import daily_fee_report
from app.services.fee_views import DailyFeeReport
from printing.fee_reports import render_daily_fee_report
from ui.events import AppEvents, ChangeSet
from ui.ops import OpRunner
from ui.print_flow import RenderedDocument
from ui.screens.cash_session_screen import signed_vnd
from ui.widgets.day_edit import chosen_day, day_edit

SESSION_HEADERS = [
    "Cán bộ",
    "Quầy",
    "Mở ca",
    "Đóng ca",
    "Đầu ca",
    "Đã thu",
    "Tiền mặt phải có",
    "Kiểm đếm",
    "Chênh lệch",
    "Lý do",
]


def _table(headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        table.horizontalHeader().setSectionResizeMode(column, mode)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.setItem(i, j, QTableWidgetItem(text))
    table.resizeRowsToContents()


def daily_report_document(report: DailyFeeReport) -> RenderedDocument:
    return RenderedDocument(
        title=f"Báo cáo thu phí, lệ phí ngày {vn_date(report.business_date)}",
        doc_type="forms",  # A4
        file_name=f"bao-cao-thu-phi_{report.business_date:%Y%m%d}.pdf",
        render=lambda: render_daily_fee_report(report),
        audit=fee_report_print(report),
    )


class FeeReportScreen(QWidget):
    document_requested = Signal(object)  # RenderedDocument

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.report: DailyFeeReport | None = None
        today = ctx.clock.now().date()
        self.day = day_edit(today)
        self.show_button = QPushButton("Xem")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("In báo cáo ngày…")
        self.print_button.clicked.connect(self.print_report)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020; font-weight: bold")
        self.sessions = _table(SESSION_HEADERS, 9)
        self.by_method = _table(["Phương thức", "Số khoản", "Số tiền"], 0)
        self.by_procedure = _table(["Mã TTHC", "Tên thủ tục", "Số khoản", "Số tiền"], 1)
        self.refunds = _table(["Chứng từ", "Mã hồ sơ", "Số tiền", "Hình thức", "Lý do"], 4)
        tabs = QTabWidget()
        tabs.addTab(self.sessions, "Các ca thu tiền")
        tabs.addTab(self.by_method, "Theo phương thức")
        tabs.addTab(self.by_procedure, "Theo thủ tục")
        tabs.addTab(self.refunds, "Hoàn trả")
        self.tabs = tabs
        bar = QHBoxLayout()
        caption = QLabel("&Ngày:")
        caption.setBuddy(self.day)
        bar.addWidget(caption)
        bar.addWidget(self.day)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(tabs, 1)
        self.print_button.setEnabled(False)
        events.changed.connect(self._on_events_changed)

    def _day(self) -> date:
        return chosen_day(self.day)

    def refresh(self) -> None:
        day = self._day()
        self._runner.run(lambda: daily_fee_report(self._ctx, day), self._show, self._on_error)

    def _show(self, report: DailyFeeReport) -> None:
        self.report = report
        self.message.clear()
        self.print_button.setEnabled(True)
        counted = ""
        if len(report.sessions) > report.open_sessions:  # counts exist for closed sessions only
            counted = (
                f"; các ca đã đóng kiểm đếm {format_vnd(report.cash_counted)}, chênh lệch "
                f"{signed_vnd(report.difference)}"
            )
        self.summary.setText(
            f"<b>{report.receiving_point}</b> — ngày {vn_date(report.business_date)}: "
            f"tổng thu <b>{format_vnd(report.collected)}</b>, hoàn trả "
            f"{format_vnd(report.refunded)}, còn <b>{format_vnd(report.net)}</b>.<br>"
            f"{len(report.sessions)} ca thu tiền (đang mở: {report.open_sessions}); tiền mặt "
            f"phải có {format_vnd(report.cash_expected)}"
            + counted
            + f". Biên lai đã dùng: {report.receipts_issued}, đã hủy: "
            f"{report.receipts_cancelled}."
        )
        _fill(
            self.sessions,
            [
                (
                    r.session.officer,
                    r.session.counter,
                    vn_datetime(r.session.opened_at),
                    vn_datetime(r.session.closed_at) or "đang mở",
                    format_vnd(r.session.opening_float),
                    format_vnd(r.collected),
                    format_vnd(r.expected_cash),
                    format_vnd(r.session.counted_total)
                    if r.session.counted_total is not None
                    else "—",
                    signed_vnd(r.session.difference) if r.session.difference is not None else "—",
                    r.session.difference_reason,
                )
                for r in report.sessions
            ],
        )
        _fill(
            self.by_method,
            [(m.label, str(m.count), format_vnd(m.amount)) for m in report.by_method],
        )
        _fill(
            self.by_procedure,
            [(p.code, p.name, str(p.count), format_vnd(p.amount)) for p in report.by_procedure],
        )
        _fill(
            self.refunds,
            [
                (r.document_no, r.dossier_code, format_vnd(r.amount), r.method_label, r.reason)
                for r in report.refunds
            ],
        )

    def print_report(self) -> None:
        if self.report is not None:
            self.document_requested.emit(daily_report_document(self.report))

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.message.setText(error.message)

    def _on_events_changed(self, change: ChangeSet) -> None:
        if self.isVisible():
            self.refresh()
