"""What was paid for a dossier and what can still be done with it: the payments and refunds, and
the receipt actions (print, issue a pending one, cancel with a reason) and the refund (with a
reason and an amount; the supervisor's permission) — part of the fee panel.

Actions apply to the payment selected in the table, else to the latest payment they fit. Each goes
through the op-runner; the outcome (or the service's Vietnamese refusal) is `said`, and a change
is announced on the event hub so every screen showing the dossier reloads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_datetime
from app.domain.money import format_vnd
from app.services import fee_receipts, fees
from app.services.context import ServiceContext
from app.services.fee_prints import fee_receipt_print
from app.services.fee_refunds import RefundPayment, refund_payment
from app.services.fee_views import FeeStatusView, PaymentView, ReceiptView
from printing.fee_documents import render_fee_receipt_a5
from ui.dialogs.reason_dialog import ReasonDialog, ask_reason
from ui.events import AppEvents
from ui.officer_session import OfficerGetter
from ui.ops import OpRunner
from ui.print_flow import RenderedDocument

HEADERS = ["Thời điểm", "Phương thức", "Số tiền", "Trạng thái", "Biên lai", "Ghi chú"]


def receipt_document(receipt: ReceiptView) -> RenderedDocument:
    return RenderedDocument(
        title=f"Biên lai thu phí, lệ phí số {receipt.number_text} — {receipt.dossier_code}",
        doc_type="receipt",  # A5, the printer of the receipts (mẫu 01)
        file_name=f"bien-lai_{receipt.series}_{receipt.number_text}.pdf",
        render=lambda: render_fee_receipt_a5(receipt),
        audit=fee_receipt_print(receipt),
    )


def refundable(p: PaymentView) -> bool:
    return p.state == "confirmed" and p.method != "exempt" and p.amount > p.refunded


def _rows(status: FeeStatusView) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for p in status.payments:
        receipt = ""
        if p.receipt:
            receipt = f"Số {p.receipt.number_text} ({p.receipt.series})"
        elif p.receipt_pending:
            receipt = "Chưa lập biên lai"
        note = p.reason or p.reference
        if p.refunded:
            note = f"Đã hoàn {format_vnd(p.refunded)}. {note}".strip()
        when = vn_datetime(p.created_at)
        rows.append((when, p.method_label, format_vnd(p.amount), p.state_label, receipt, note))
    for r in status.refunds:
        rows.append(
            (
                vn_datetime(r.created_at),
                f"Hoàn trả ({r.method_label})",
                f"−{format_vnd(r.amount)}",
                r.document_no,
                "",
                r.reason,
            )
        )
    return rows


class FeePaymentsBox(QGroupBox):
    document_requested = Signal(object)  # RenderedDocument
    said = Signal(str, bool)  # message, is an error

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        officer: OfficerGetter,
        *,
        refunds: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Đã thu, hoàn trả", parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self.officer = officer
        self.refunds_allowed = refunds
        self.status: FeeStatusView | None = None
        self._acting = False  # a change is on its way to the database
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        # A dossier has a payment or two: a short table leaves the height to the QR above.
        self.table.setMinimumHeight(60)
        self.table.setMaximumHeight(120)
        self.print_receipt_button = QPushButton("In biên lai")
        self.issue_receipt_button = QPushButton("Lập biên lai")
        self.issue_receipt_button.setToolTip("Lập biên lai cho khoản đã thu nhưng chưa có biên lai")
        self.cancel_receipt_button = QPushButton("Hủy biên lai…")
        self.cancel_receipt_button.setToolTip("Biên lai bị hủy vẫn được lưu, ghi rõ lý do")
        self.refund_button = QPushButton("Hoàn trả phí…")
        self.refund_button.setToolTip(
            "Dành cho lãnh đạo, giám sát; không hoàn trả khi hồ sơ đã có kết quả"
        )
        self.print_receipt_button.clicked.connect(self.print_receipt)
        self.issue_receipt_button.clicked.connect(self.issue_receipt)
        self.cancel_receipt_button.clicked.connect(lambda: self.cancel_receipt())
        self.refund_button.clicked.connect(lambda: self.refund())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 1)
        actions = QVBoxLayout()
        for button in (
            self.print_receipt_button,
            self.issue_receipt_button,
            self.cancel_receipt_button,
            self.refund_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.show_status(None)

    def show_status(self, status: FeeStatusView | None) -> None:
        self.status = status
        rows = _rows(status) if status else []
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self._update_buttons()

    def target(self, wanted: Callable[[PaymentView], bool]) -> PaymentView | None:
        """The selected payment if it qualifies, else the latest payment that does."""
        payments = self.status.payments if self.status else ()
        row = self.table.currentRow()
        if 0 <= row < len(payments) and wanted(payments[row]):
            return payments[row]
        matching = [p for p in payments if wanted(p)]
        return matching[-1] if matching else None

    def _update_buttons(self) -> None:
        has_receipt = self.target(lambda p: p.receipt is not None) is not None
        self.print_receipt_button.setVisible(has_receipt)
        self.cancel_receipt_button.setVisible(has_receipt)
        self.issue_receipt_button.setVisible(self.target(lambda p: p.receipt_pending) is not None)
        self.refund_button.setVisible(self.refunds_allowed and self.target(refundable) is not None)

    # ---- actions --------------------------------------------------------------------------

    def print_receipt(self) -> None:
        payment = self.target(lambda p: p.receipt is not None)
        if payment is not None and payment.receipt is not None:
            self.document_requested.emit(receipt_document(payment.receipt))

    def issue_receipt(self) -> None:
        payment = self.target(lambda p: p.receipt_pending)
        if payment is None:
            return
        officer = self.officer()

        def done(receipt: ReceiptView) -> None:
            self.said.emit(f"Đã lập biên lai số {receipt.number_text} ({receipt.series}).", False)
            self.document_requested.emit(receipt_document(receipt))
            self._events.dossiers_changed(receipt.dossier_code)

        self._run(lambda: fees.issue_payment_receipt(self._ctx, payment.id, officer=officer), done)

    def cancel_receipt(self, reason: str | None = None) -> None:
        payment = self.target(lambda p: p.receipt is not None)
        if payment is None or payment.receipt is None:
            return
        receipt = payment.receipt
        if reason is None:
            reason = ask_reason(
                self,
                f"Hủy biên lai số {receipt.number_text}",
                "Lý do hủy biên lai (biên lai vẫn được lưu, đánh dấu đã hủy):",
                "Hủy biên lai phải ghi rõ lý do.",
                confirm="Hủy biên lai",
            )
            if reason is None:
                return
        officer, given = self.officer(), reason
        self._run(
            lambda: fee_receipts.cancel_receipt(
                self._ctx, receipt.lookup_code, given, officer=officer
            ),
            lambda r: self._done(
                r.dossier_code, f"Đã hủy biên lai số {r.number_text} ({r.series})."
            ),
        )

    def refund(self, reason: str | None = None, amount: int | None = None) -> None:
        payment = self.target(refundable)
        if payment is None:
            return
        if reason is None:
            dialog = ReasonDialog(
                "Hoàn trả phí, lệ phí",
                f"Lý do hoàn trả khoản {format_vnd(payment.amount)} ({payment.method_label}):",
                self,
                required="Hoàn trả phí, lệ phí phải ghi rõ lý do.",
                confirm="Hoàn trả",
                amount=payment.amount - payment.refunded,
                amount_label="Số tiền hoàn trả:",
            )
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            reason = dialog.reason()
            amount = dialog.amount.value() if dialog.amount else None
        cmd = RefundPayment(
            code=payment.dossier_code,
            reason=reason,
            amount=amount,
            payment_id=payment.id,
            officer=self.officer(),
        )
        self._run(
            lambda: refund_payment(self._ctx, cmd),
            lambda r: self._done(
                r.dossier_code,
                f"Đã hoàn trả {format_vnd(r.amount)} ({r.method_label}), chứng từ {r.document_no}.",
            ),
        )

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run a change; a second one while it runs (a double press) is ignored."""
        if self._acting:
            return
        self._acting = True

        def finish(result: Any) -> None:
            self._acting = False
            done(result)

        def fail(error: Exception) -> None:
            self._acting = False
            self._on_error(error)

        self._runner.run(work, finish, fail)

    def _done(self, code: str, text: str) -> None:
        self.said.emit(text, False)
        self._events.dossiers_changed(code)

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.said.emit(error.message, True)
