"""Ca thu tiền (F8): open the officer's cash session with a counted float, follow its totals, close
it with the drawer counted note by note, and print the session report.

At close the screen shows, while the officer counts, the cash the records expect (float + cash
taken − cash refunded), the total counted and the difference; a difference needs a reason. The
service recomputes all of it from the committed rows — the screen's figures are a preview. Every
call goes through the op-runner; a refusal shows the service's Vietnamese message and the count
typed stays in place.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError, NotFoundError
from app.domain.formatting import vn_date, vn_datetime
from app.domain.money import format_vnd
from app.services.cash_sessions import close_cash_session, current_cash_session, open_cash_session
from app.services.context import ServiceContext
from app.services.fee_prints import cash_session_report_print
from app.services.fee_reports import cash_session_report
from app.services.fee_views import CashSessionReport, CashSessionView
from printing.fee_reports import render_cash_session_report
from ui.events import AppEvents, ChangeSet
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.print_flow import RenderedDocument
from ui.widgets.cash_count_form import CashCountForm

Loaded = tuple[CashSessionView | None, CashSessionReport | None]


def signed_vnd(amount: int) -> str:
    """«+5.000 đồng (thừa)» / «−40.000 đồng (thiếu)» / «0 đồng (khớp)»."""
    if amount > 0:
        return f"+{format_vnd(amount)} (thừa)"
    if amount < 0:
        return f"−{format_vnd(-amount)} (thiếu)"
    return f"{format_vnd(0)} (khớp)"


def session_report_document(report: CashSessionReport) -> RenderedDocument:
    s = report.session
    return RenderedDocument(
        title=f"Báo cáo ca thu tiền ngày {vn_date(s.business_date)} — {s.officer}",
        doc_type="forms",  # A4
        file_name=f"bao-cao-ca_{s.business_date:%Y%m%d}_{s.officer}.pdf",
        render=lambda: render_cash_session_report(report),
        audit=cash_session_report_print(report),
    )


class CashSessionScreen(QWidget):
    document_requested = Signal(object)  # RenderedDocument

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
        *,
        officer: OfficerGetter = station_default,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self.officer = officer
        self.session: CashSessionView | None = None  # the officer's open session
        self.report: CashSessionReport | None = None  # of the open session, else the last one
        self._acting = False

        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setStyleSheet("font-size: 12pt; font-weight: bold")
        self.count = CashCountForm()
        self.count_box = QGroupBox()
        self.expected = QLabel("—")
        self.counted = QLabel("—")
        self.difference = QLabel("—")
        self.difference.setStyleSheet("font-weight: bold")
        self.reason = QLineEdit(placeholderText="Bắt buộc khi có chênh lệch")
        self.open_button = QPushButton("Mở ca thu tiền (Ctrl+Enter)")
        self.open_button.setToolTip("Ghi nhận tiền đầu ca đã đếm theo mệnh giá")
        self.close_button = QPushButton("Đóng ca và in báo cáo (Ctrl+Enter)")
        self.close_button.setToolTip("Chốt ca với số tiền kiểm đếm; in báo cáo ca")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.by_method = QTableWidget(0, 3)
        self.by_method.setHorizontalHeaderLabels(["Phương thức", "Số khoản", "Số tiền"])
        self.by_method.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            self.by_method.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.by_method.verticalHeader().setVisible(False)
        self.by_method.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.report_title = QLabel()
        self.refresh_button = QPushButton("Làm mới")
        self.print_button = QPushButton("In báo cáo ca")
        self.print_button.setToolTip("In báo cáo của ca đang mở (hoặc ca vừa đóng)")
        self._layout()
        self.count.changed.connect(self._on_count_changed)
        self.open_button.clicked.connect(self.open_session)
        self.close_button.clicked.connect(lambda: self.close_session())
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_report)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self._on_ctrl_enter)
        events.changed.connect(self._on_events_changed)
        self._show(None, None)

    def _layout(self) -> None:
        count_layout = QVBoxLayout(self.count_box)
        count_layout.addWidget(self.count)
        close_form = QFormLayout()
        close_form.addRow("Tiền mặt phải có theo sổ:", self.expected)
        close_form.addRow("Tiền mặt kiểm đếm:", self.counted)
        close_form.addRow("Chênh lệch:", self.difference)
        label = QLabel("&Lý do chênh lệch:")
        label.setBuddy(self.reason)
        close_form.addRow(label, self.reason)
        count_layout.addLayout(close_form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.close_button)
        count_layout.addLayout(buttons)
        left = QVBoxLayout()
        left.addWidget(self.state)
        left.addWidget(self.count_box)
        left.addWidget(self.message)
        left.addStretch(1)
        summary = QGroupBox("Số liệu của ca")
        summary_layout = QVBoxLayout(summary)
        summary_layout.addWidget(self.report_title)
        summary_layout.addWidget(self.by_method, 1)
        summary_layout.addWidget(self.totals)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.print_button)
        summary_layout.addLayout(row)
        columns = QHBoxLayout(self)
        columns.addLayout(left, 1)
        columns.addWidget(summary, 1)
        chain = [*self.count.spins.values(), self.reason, self.open_button, self.close_button]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # ---- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        officer = self.officer()

        def load() -> Loaded:
            current = current_cash_session(self._ctx, officer)
            try:
                report = cash_session_report(
                    self._ctx, current.id if current else None, officer=officer
                )
            except NotFoundError:
                report = None  # the officer never had a session
            return current, report

        self._runner.run(load, lambda loaded: self._show(*loaded), self._show_error)

    def _show(self, current: CashSessionView | None, report: CashSessionReport | None) -> None:
        self.session, self.report = current, report
        if current is None:
            self.state.setText("Chưa mở ca thu tiền. Đếm tiền đầu ca theo mệnh giá rồi mở ca.")
            self.count_box.setTitle("Đếm tiền đầu ca")
        else:
            self.state.setText(
                f"Ca đang mở từ {vn_datetime(current.opened_at)} (ngày "
                f"{vn_date(current.business_date)}) — tiền đầu ca "
                f"{format_vnd(current.opening_float)}."
            )
            self.count_box.setTitle("Kiểm đếm tiền mặt cuối ca")
        closing = current is not None
        self.open_button.setVisible(not closing)
        self.close_button.setVisible(closing)
        self.reason.setEnabled(closing)
        self._show_report(report)
        self._on_count_changed(self.count.total())

    def _show_report(self, report: CashSessionReport | None) -> None:
        self.print_button.setEnabled(report is not None)
        if report is None:
            self.report_title.setText("Chưa có ca thu tiền nào.")
            self.by_method.setRowCount(0)
            self.totals.clear()
            return
        s = report.session
        state = "đang mở" if s.state == "open" else f"đã đóng lúc {vn_datetime(s.closed_at)}"
        self.report_title.setText(
            f"<b>Ca ngày {vn_date(s.business_date)}</b> — {s.officer} — {s.counter} ({state})"
        )
        rows = [(m.label, str(m.count), format_vnd(m.amount)) for m in report.by_method]
        self.by_method.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                self.by_method.setItem(i, j, QTableWidgetItem(text))
        lines = [
            f"Đã thu: <b>{format_vnd(report.collected)}</b>; hoàn trả: "
            f"{format_vnd(report.refunded)}",
            f"Tiền mặt: đầu ca {format_vnd(s.opening_float)} + thu {format_vnd(report.cash_in)} "
            f"− hoàn {format_vnd(report.cash_out)} = <b>{format_vnd(report.expected_cash)}</b>",
            f"Biên lai đã dùng: {len(report.receipts_issued)}, đã hủy: "
            f"{len(report.receipts_cancelled)}; miễn phí: {report.exempt_count} hồ sơ",
        ]
        if report.awaiting_count:
            lines.append(
                f"Chờ xác nhận chuyển khoản: {report.awaiting_count} khoản, "
                f"{format_vnd(report.awaiting_amount)}"
            )
        if s.counted_total is not None:
            reason = f" — {s.difference_reason}" if s.difference_reason else ""
            lines.append(
                f"Kiểm đếm: {format_vnd(s.counted_total)}; chênh lệch: "
                f"<b>{signed_vnd(s.difference or 0)}</b>{reason}"
            )
        self.totals.setText("<br>".join(lines))

    def _on_count_changed(self, total: int) -> None:
        self.counted.setText(format_vnd(total))
        if self.session is None or self.report is None:
            self.expected.setText("—")
            self.difference.setText("—")
            return
        expected = self.report.expected_cash
        self.expected.setText(format_vnd(expected))
        difference = total - expected
        self.difference.setText(signed_vnd(difference))
        colour = "#1b5e20" if difference == 0 else "#b00020"
        self.difference.setStyleSheet(f"color: {colour}; font-weight: bold")

    # ---- actions --------------------------------------------------------------------------

    def open_session(self) -> None:
        if self._acting or self.session is not None:
            return
        counts, officer = self.count.counts(), self.officer()
        self._act(
            lambda: open_cash_session(self._ctx, counts=counts, officer=officer), self._on_opened
        )

    def _on_opened(self, view: CashSessionView) -> None:
        self.count.clear()
        self._say(f"Đã mở ca thu tiền; tiền đầu ca {format_vnd(view.opening_float)}.")
        self._events.changed.emit(ChangeSet())
        self.refresh()
        self.count.first_field().setFocus()

    def close_session(self) -> None:
        if self._acting or self.session is None:
            return
        counts, reason, officer = self.count.counts(), self.reason.text(), self.officer()
        session_id = self.session.id

        def close() -> CashSessionReport:
            view = close_cash_session(
                self._ctx, counts, reason=reason, officer=officer, session_id=session_id
            )
            return cash_session_report(self._ctx, view.id)

        self._act(close, self._on_closed)

    def _act(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Open or close; a second press while it runs is ignored."""
        self._acting = True

        def finish(result: Any) -> None:
            self._acting = False
            done(result)

        def fail(error: Exception) -> None:
            self._acting = False
            self._show_error(error)

        self._runner.run(work, finish, fail)

    def _on_closed(self, report: CashSessionReport) -> None:
        s = report.session
        self.count.clear()
        self.reason.clear()
        self._say(
            f"Đã đóng ca: kiểm đếm {format_vnd(s.counted_total or 0)}, chênh lệch "
            f"{signed_vnd(s.difference or 0)}. Đang mở bản xem trước báo cáo ca."
        )
        self._show(None, report)
        self._events.changed.emit(ChangeSet())
        self.document_requested.emit(session_report_document(report))

    def print_report(self) -> None:
        if self.report is not None:
            self.document_requested.emit(session_report_document(self.report))

    def _on_ctrl_enter(self) -> None:
        if self.session is None:
            self.open_session()
        else:
            self.close_session()

    # ---- plumbing -------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b00020" if error else "#1b5e20"
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.message.setText(text)

    def _show_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self._say(error.message, error=True)
        if error.field == "reason":
            self.reason.setFocus()

    def _on_events_changed(self, change: ChangeSet) -> None:
        if change.dossier_codes and self.isVisible():
            self.refresh()  # a payment or refund may have moved this session's totals

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
