"""Phí, lệ phí of one dossier at the counter: the amount due, collecting it, and what was paid.

Thin over the fee services (`fee_quotes`, `fees`, `fee_receipts`, `fee_refunds`): the breakdown
is re-quoted off the UI thread whenever the officer changes what it depends on (copies, pages,
items that do not apply, a reduction with its legal reason, postage), so the amount the applicant
pays is on screen before the officer records it. Cash, card and portal payments are recorded as
paid and their receipt is printed at once; a VietQR transfer waits for confirmation with its QR
drawn large for the applicant's phone; an exemption needs its reason. What was paid, receipts
and refunds: `fee_payments.py`. Every call goes through the op-runner, every refusal shows the
service's Vietnamese message, and nothing typed is lost.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.fees import Adjustment, FeeBasis, exemption, reduction
from app.domain.money import amount_in_words, format_vnd
from app.services import fees
from app.services.context import ServiceContext
from app.services.fee_policy import current_fee_policy
from app.services.fee_prints import vietqr_slip_print
from app.services.fee_quotes import FeeRequest, fee_status, quote_dossier_fees
from app.services.fee_views import (
    METHOD_LABELS,
    DossierFeeQuote,
    FeeStatusView,
    PaymentView,
)
from printing.fee_documents import render_vietqr_slip
from ui.dialogs.reason_dialog import ask_reason
from ui.events import AppEvents, ChangeSet
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.print_flow import RenderedDocument
from ui.widgets.fee_breakdown import FeeBreakdownTable
from ui.widgets.fee_payments import FeePaymentsBox, receipt_document
from ui.widgets.money_box import MoneyBox
from ui.widgets.qr_code_view import QrCodeView

BADGE_COLOURS = {
    "nothing-due": "#546e7a",
    "due": "#b00020",
    "paid": "#1b5e20",
    "exempt": "#0d47a1",
    "refunded": "#6a1b9a",
}
METHOD_HINTS = {
    "cash": "Thu tiền mặt vào ca thu tiền đang mở; biên lai được in ngay.",
    "vietqr": "Hiện mã VietQR để người nộp quét bằng ứng dụng ngân hàng; xác nhận khi tiền về.",
    "card": "Nhập mã giao dịch in trên hóa đơn của máy POS.",
    "online": "Nhập mã giao dịch thanh toán của Cổng Dịch vụ công.",
    "exempt": "Ghi rõ lý do miễn và căn cứ pháp lý.",
}
Loaded = tuple[DossierFeeQuote, FeeStatusView]


class FeePanel(QWidget):
    document_requested = Signal(object)  # RenderedDocument
    loaded = Signal(object, object)  # DossierFeeQuote, FeeStatusView: after every (re)load

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
        *,
        officer: OfficerGetter = station_default,
        refunds: bool = True,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self.officer = officer
        self.code: str | None = None
        self.quote: DossierFeeQuote | None = None
        self.status: FeeStatusView | None = None
        self._generation = 0  # answers to older quote requests are dropped
        self._acting = False  # a change is on its way to the database

        self.badge = QLabel()
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.copies = QSpinBox(minimum=1, maximum=10_000)
        self.copies.setToolTip("Số bản được cấp / chứng thực")
        self.pages = QSpinBox(minimum=1, maximum=10_000)
        self.pages.setToolTip("Số trang của bản chính (phí chứng thực tính theo trang)")
        self.postage = MoneyBox(10_000_000)
        self.postage.setToolTip("Cước bưu chính trả kết quả: dòng riêng, không phải phí TTHC")
        self.table = FeeBreakdownTable()
        self.reduce_percent = QSpinBox(minimum=0, maximum=100, suffix=" %")
        self.reduce_percent.setToolTip("Tỷ lệ giảm (0: không giảm)")
        self.reduce_reason = QLineEdit(placeholderText="Lý do giảm")
        self.legal_basis = QLineEdit(placeholderText="Căn cứ pháp lý (văn bản, điều khoản)")
        self.total = QLabel("—")
        self.total.setStyleSheet("font-size: 18pt; font-weight: bold")
        self.total_words = QLabel()
        self.total_words.setWordWrap(True)
        self.method = QComboBox()
        for method in fees.METHODS:
            self.method.addItem(METHOD_LABELS[method], method)
        self.method_hint = QLabel(METHOD_HINTS["cash"])
        self.method_hint.setWordWrap(True)
        self.reference = QLineEdit(placeholderText="Mã giao dịch (thẻ, Cổng DVC)")
        self.reason = QLineEdit(placeholderText="Ghi chú; khi miễn: lý do miễn (bắt buộc)")
        self.pay_button = QPushButton("Ghi nhận thu phí (Ctrl+Enter)")
        self.pay_button.setToolTip("Ghi nhận khoản thu với số tiền đang hiển thị")
        self.message = QLabel()
        self.message.setWordWrap(True)
        # The transfer awaiting confirmation: the QR, large, for the applicant's phone.
        self.qr = QrCodeView()
        self.qr_caption = QLabel()
        self.qr_caption.setWordWrap(True)
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bank_reference = QLineEdit(placeholderText="Mã giao dịch ngân hàng (nếu có)")
        self.confirm_button = QPushButton("Xác nhận đã nhận tiền")
        self.confirm_button.setToolTip("Tiền đã về tài khoản (xem ứng dụng/sao kê ngân hàng)")
        self.cancel_transfer_button = QPushButton("Hủy khoản chờ…")
        self.print_qr_button = QPushButton("In mã QR")
        self.print_qr_button.setToolTip(
            "In phiếu VietQR (80 mm) cho người không quét được màn hình"
        )
        self.paid = FeePaymentsBox(ctx, runner, events, officer, refunds=refunds)
        self.pay_form = QGroupBox("Ghi nhận thu phí")
        self.due_box = QGroupBox("Các khoản phải nộp")
        self.transfer_box = QGroupBox("Chuyển khoản VietQR — chờ xác nhận")
        # The breakdown, or — while a transfer awaits confirmation — its QR, as large as it fits.
        self.main = QStackedWidget()
        self._layout()
        self._connect()
        self.clear()

    # ---- layout ---------------------------------------------------------------------------

    def _layout(self) -> None:
        basis = QHBoxLayout()
        for caption, widget in (
            ("Số &bản:", self.copies),
            ("Số &trang:", self.pages),
            ("&Cước bưu chính:", self.postage),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            basis.addWidget(label)
            basis.addWidget(widget)
        basis.addStretch(1)
        adjust = QHBoxLayout()
        label = QLabel("&Giảm:")
        label.setBuddy(self.reduce_percent)
        adjust.addWidget(label)
        adjust.addWidget(self.reduce_percent)
        adjust.addWidget(self.reduce_reason, 1)
        adjust.addWidget(self.legal_basis, 1)
        due_layout = QVBoxLayout(self.due_box)
        due_layout.addLayout(basis)
        due_layout.addWidget(self.table, 1)
        due_layout.addLayout(adjust)
        due_layout.addWidget(self.total)
        due_layout.addWidget(self.total_words)

        form = QFormLayout(self.pay_form)
        form.addRow("Phương thức:", self.method)
        form.addRow("", self.method_hint)
        form.addRow("Mã giao dịch:", self.reference)
        form.addRow("Lý do / ghi chú:", self.reason)
        form.addRow("", self.pay_button)
        transfer = QHBoxLayout(self.transfer_box)
        transfer.addWidget(self.qr, 3)
        info = QVBoxLayout()
        info.addWidget(self.qr_caption)
        info.addWidget(self.bank_reference)
        for button in (self.confirm_button, self.cancel_transfer_button, self.print_qr_button):
            info.addWidget(button)
        info.addStretch(1)
        transfer.addLayout(info, 2)
        self.main.addWidget(self.due_box)
        self.main.addWidget(self.transfer_box)

        right = QVBoxLayout()
        right.addWidget(self.pay_form)
        right.addWidget(self.message)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(self.main, 3)
        columns.addLayout(right, 2)
        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addWidget(self.title, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        outer.addLayout(columns, 1)
        outer.addWidget(self.paid)
        chain = [
            self.copies,
            self.pages,
            self.postage,
            self.table,
            self.reduce_percent,
            self.reduce_reason,
            self.legal_basis,
            self.method,
            self.reference,
            self.reason,
            self.pay_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    def _connect(self) -> None:
        for spin in (self.copies, self.pages, self.postage, self.reduce_percent):
            spin.valueChanged.connect(self.requote)
        for edit in (self.reduce_reason, self.legal_basis):
            edit.editingFinished.connect(self.requote)
        self.reason.editingFinished.connect(self._on_reason_editing_finished)
        self.table.skip_changed.connect(self.requote)
        self.method.currentIndexChanged.connect(self._on_method_changed)
        self.pay_button.clicked.connect(self.pay)
        for edit in (self.reference, self.reason):
            edit.returnPressed.connect(self.pay)  # Enter in the last fields records the payment
        self.confirm_button.clicked.connect(self.confirm_transfer)
        self.cancel_transfer_button.clicked.connect(lambda: self.cancel_transfer())
        self.print_qr_button.clicked.connect(self.print_qr)
        self.paid.document_requested.connect(self.document_requested)
        self.paid.said.connect(lambda text, error: self._say(text, error=error))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            # Only while the focus is in the panel: the intake form has its own Ctrl+Enter.
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._on_ctrl_enter)
        self._events.changed.connect(self._on_events_changed)

    # ---- loading --------------------------------------------------------------------------

    def clear(self) -> None:
        self.code, self.quote, self.status = None, None, None
        self._generation += 1
        self.table.clear_dossier()
        for spin in (self.copies, self.pages):
            spin.blockSignals(True)
            spin.setValue(1)
            spin.blockSignals(False)
        for box in (self.postage, self.reduce_percent):
            box.blockSignals(True)
            box.setValue(0)
            box.blockSignals(False)
        for edit in (self.reduce_reason, self.legal_basis, self.reference, self.reason):
            edit.clear()
        self.badge.clear()
        self.title.setText("Chưa chọn hồ sơ.")
        self.total.setText("—")
        self.total_words.clear()
        self.message.clear()
        self.paid.show_status(None)
        self.qr.set_text("")
        self.main.setCurrentWidget(self.due_box)
        self._update_actions()

    def set_dossier(self, code: str) -> None:
        """Show `code` (fresh inputs); a no-op when it is already shown."""
        if code != self.code:
            self.clear()
            self.code = code
            self.reload()

    def reload(self) -> None:
        if self.code is None:
            return
        try:
            request = self._request(display=True)
        except AppError as error:
            self._show_error(error)
            return
        code = self.code
        self._generation += 1
        generation = self._generation
        # Until the new amount is on screen, nothing can be recorded against the old one.
        self.pay_button.setEnabled(False)

        def load() -> Loaded:
            return quote_dossier_fees(self._ctx, code, request), fee_status(self._ctx, code)

        self._runner.run(
            load,
            lambda loaded: self._on_loaded(generation, loaded),
            lambda error: self._on_quote_error(generation, error),
        )

    def requote(self) -> None:
        self.message.clear()
        self.reload()

    def _request(self, *, display: bool) -> FeeRequest:
        """What the quote depends on. `display`: also preview an exemption being recorded."""
        adjustments: list[Adjustment] = []
        if self.reduce_percent.value():
            adjustments.append(
                reduction(
                    Decimal(self.reduce_percent.value()),
                    self.reduce_reason.text(),
                    self.legal_basis.text(),
                )
            )
        elif display and self._method() == "exempt" and self.reason.text().strip():
            adjustments.append(exemption(self.reason.text(), self.legal_basis.text()))
        basis = FeeBasis.simple(self.copies.value(), self.pages.value(), self.table.skip)
        return FeeRequest(basis, tuple(adjustments), self.postage.value())

    def _on_loaded(self, generation: int, loaded: Loaded) -> None:
        if generation != self._generation:
            return
        self.quote, self.status = loaded
        quote, status = loaded
        self.title.setText(f"Hồ sơ <b>{quote.dossier_code}</b> — {quote.procedure_name}")
        colour = BADGE_COLOURS.get(status.state, "#333333")
        badge = status.state_label
        if status.awaiting:
            badge += f" — chờ xác nhận chuyển khoản {format_vnd(status.awaiting)}"
        self.badge.setText(badge)
        self.badge.setStyleSheet(
            f"color: white; background: {colour}; padding: 3px 8px; font-weight: bold"
        )
        self.table.set_lines(quote.lines)
        self.total.setText(f"Tổng cộng: {quote.total_text}")
        self.total_words.setText(f"Bằng chữ: {quote.total_words}")
        self._allow_cash(quote.cash_allowed)
        self.paid.show_status(status)
        awaiting = self._awaiting()
        if awaiting is not None:
            self.qr.set_text(awaiting.qr_payload)
            self.qr_caption.setText(
                f"Số tiền: <b>{format_vnd(awaiting.amount)}</b><br>"
                f"<i>{amount_in_words(awaiting.amount)}</i><br>"
                f"Nội dung chuyển khoản: <b>{awaiting.memo}</b>"
            )
            self.main.setCurrentWidget(self.transfer_box)
        else:
            self.qr.set_text("")
            self.main.setCurrentWidget(self.due_box)
        self._update_actions()
        self.loaded.emit(quote, status)

    def _on_quote_error(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self.total.setText("—")
            self.total_words.clear()
            self._show_error(error)

    def _allow_cash(self, allowed: bool) -> None:
        model = self.method.model()
        assert isinstance(model, QStandardItemModel)
        item = model.item(self.method.findData("cash"))
        item.setEnabled(allowed)
        item.setToolTip("" if allowed else "Đơn vị không thu tiền mặt đối với hồ sơ này")
        if not allowed and self._method() == "cash":
            self.method.setCurrentIndex(self.method.findData("vietqr"))

    # ---- what can be done now -------------------------------------------------------------

    def _method(self) -> str:
        return str(self.method.currentData())

    def _awaiting(self) -> PaymentView | None:
        waiting = [p for p in self.status.payments if p.state == "awaiting"] if self.status else []
        return waiting[-1] if waiting else None

    def _update_actions(self) -> None:
        status = self.status
        payable = status is not None and status.state == "due" and not status.awaiting
        for widget in (self.method, self.reason, self.pay_button):
            widget.setEnabled(payable)
        self.reference.setEnabled(payable and self._method() in ("card", "online"))

    def _on_method_changed(self) -> None:
        method = self._method()
        self.method_hint.setText(METHOD_HINTS.get(method, ""))
        self.reference.setEnabled(self.pay_button.isEnabled() and method in ("card", "online"))
        self.requote()  # an exemption being recorded shows in the breakdown

    def _on_reason_editing_finished(self) -> None:
        if self._method() == "exempt":
            self.requote()

    def _on_ctrl_enter(self) -> None:
        if self.main.currentWidget() is self.transfer_box:
            self.confirm_transfer()
        else:
            self.pay()

    # ---- actions --------------------------------------------------------------------------

    def pay(self) -> None:
        if self.code is None or not self.pay_button.isEnabled():
            return
        try:
            request = self._request(display=False)
        except AppError as error:
            self._show_error(error)
            return
        cmd = fees.RecordPayment(
            code=self.code,
            method=self._method(),
            reference=self.reference.text(),
            reason=self.reason.text(),
            legal_basis=self.legal_basis.text() if self._method() == "exempt" else "",
            request=request,
            officer=self.officer(),
        )
        self._run(lambda: fees.record_payment(self._ctx, cmd), self._on_paid)

    def _on_paid(self, payment: PaymentView) -> None:
        for edit in (self.reference, self.reason):
            edit.clear()
        if payment.method == "exempt":
            self._say(f"Đã ghi nhận miễn phí, lệ phí: {payment.reason}")
        elif payment.state == "awaiting":
            self._say(
                f"Mời người nộp quét mã VietQR và chuyển {format_vnd(payment.amount)}; "
                "bấm «Xác nhận đã nhận tiền» khi tiền về."
            )
        else:
            self._on_money_taken(payment)
        self._changed(payment.dossier_code)

    def _on_money_taken(self, payment: PaymentView) -> None:
        text = f"Đã thu {format_vnd(payment.amount)} ({payment.method_label})."
        if payment.receipt:
            r = payment.receipt
            text += f" Biên lai số {r.number_text}, ký hiệu {r.series}, mã tra cứu {r.lookup_code}."
            self.document_requested.emit(receipt_document(r))
        elif payment.receipt_pending:
            text += " Chưa lập được biên lai: bấm «Lập biên lai» để lập lại."
        self._say(text)

    def confirm_transfer(self) -> None:
        awaiting = self._awaiting()
        if awaiting is None:
            return
        reference, officer = self.bank_reference.text(), self.officer()

        def done(payment: PaymentView) -> None:
            self.bank_reference.clear()
            self._on_money_taken(payment)
            self._changed(payment.dossier_code)

        self._run(
            lambda: fees.confirm_payment(
                self._ctx, awaiting.id, reference=reference, officer=officer
            ),
            done,
        )

    def cancel_transfer(self, reason: str | None = None) -> None:
        awaiting = self._awaiting()
        if awaiting is None:
            return
        if reason is None:
            reason = ask_reason(
                self,
                "Hủy khoản chuyển khoản chờ xác nhận",
                "Lý do hủy (người nộp không chuyển khoản, chuyển sang phương thức khác…):",
                "Hủy khoản thu phải ghi rõ lý do.",
                confirm="Hủy khoản chờ",
            )
            if reason is None:
                return
        officer, given = self.officer(), reason
        self._run(
            lambda: fees.cancel_awaiting_payment(self._ctx, awaiting.id, given, officer=officer),
            lambda p: self._done(p.dossier_code, "Đã hủy khoản chuyển khoản chờ xác nhận."),
        )

    def print_qr(self) -> None:
        awaiting = self._awaiting()
        if awaiting is None:
            return

        def render() -> bytes:
            policy = current_fee_policy(self._ctx)
            account = policy.vietqr_account if policy else ""
            name = policy.vietqr_account_name if policy else ""
            return render_vietqr_slip(awaiting, account=account, account_name=name)

        self.document_requested.emit(
            RenderedDocument(
                f"Phiếu VietQR — {awaiting.dossier_code}",
                "thermal",
                f"vietqr_{awaiting.dossier_code}.pdf",
                render,
                vietqr_slip_print(awaiting),
            )
        )

    # ---- plumbing -------------------------------------------------------------------------

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
            self._show_error(error)

        self._runner.run(work, finish, fail)

    def _done(self, code: str, text: str) -> None:
        self._say(text)
        self._changed(code)

    def _changed(self, code: str) -> None:
        # The panel reloads through the event, like every other screen showing this dossier.
        self._events.dossiers_changed(code)

    def _on_events_changed(self, change: ChangeSet) -> None:
        if self.code is not None and self.code in change.dossier_codes:
            self.reload()

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b00020" if error else "#1b5e20"
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.message.setText(text)

    def _show_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self._say(error.message, error=True)
