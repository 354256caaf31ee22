"""Tiếp nhận: pick the procedure, tick components, record the applicant, receive (Ctrl+Enter).

The officer decides the reception outcome (NĐ 118/2025 Art. 17): complete → Giấy tiếp nhận (form
01); incomplete → "Yêu cầu bổ sung" with form 02 (Ctrl+Shift+B); not eligible → refused with form
03 (Ctrl+Shift+T); the last two ask for the reason first. After a complete reception of a procedure
with fees, the amount due shows above the fresh form; Ctrl+Shift+P opens that dossier's fee page
(collect, then Esc back to the form).
Thin over the services: every database call goes through the op-runner; validation messages come
from the domain's Vietnamese errors and appear next to the field; nothing typed is lost on error.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError, ValidationError
from app.domain.formatting import vn_datetime
from app.domain.forms import FormKind
from app.domain.identity import normalize_phone, validate_id_number
from app.domain.lifecycle import Status
from app.domain.money import format_vnd
from app.domain.text import clean_text
from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.deadline_quote import quote_deadline
from app.services.dossiers import ReceiveDossier, ReceiveResult, receive_dossier
from app.services.fee_views import DossierFeeQuote, FeeStatusView
from app.services.views import DeadlineView, DossierView, ProcedureView
from ui.dialogs.reason_dialog import ReasonDialog
from ui.events import AppEvents
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.applicant_form import ApplicantForm, ApplicantInput, ChipQrWatcher
from ui.widgets.component_table import ComponentTable
from ui.widgets.fee_panel import FeePanel
from ui.widgets.procedure_picker import ProcedurePicker

CUTOFF_TIP = (
    "Hồ sơ nhận trước hoặc đúng 15 giờ 00 của ngày làm việc được tính từ lúc nhận; nhận sau "
    "15 giờ hoặc vào ngày nghỉ được tính từ đầu giờ làm việc của ngày làm việc tiếp theo."
)


# The reception outcomes other than "complete": the button, its shortcut and the reason asked.
OUTCOMES = {
    "incomplete": (
        "Yêu cầu bổ sung (mẫu 02)",
        "Ctrl+Shift+B",
        "Hồ sơ chưa đầy đủ, chưa hợp lệ: lưu hồ sơ ở trạng thái «Yêu cầu bổ sung» và in "
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)",
        "Nội dung cần bổ sung, hoàn thiện và lý do (mỗi nội dung một dòng):",
        "Xin vui lòng ghi rõ nội dung cần bổ sung, hoàn thiện hồ sơ.",
    ),
    "ineligible": (
        "Từ chối tiếp nhận (mẫu 03)",
        "Ctrl+Shift+T",
        "Hồ sơ không đủ điều kiện tiếp nhận: lưu hồ sơ ở trạng thái «Không được tiếp nhận» và "
        "in Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03)",
        "Lý do từ chối tiếp nhận:",
        "Xin vui lòng ghi rõ lý do từ chối tiếp nhận hồ sơ.",
    ),
}


def precheck_applicant(person: ApplicantInput) -> None:
    """The applicant checks that need no database (name, ID number, phone): ValidationError."""
    if not clean_text(person.name):
        raise ValidationError(
            "applicant.name_required",
            "Chưa nhập họ và tên người nộp hồ sơ.",
            field="applicant_name",
        )
    validate_id_number(person.id_number)
    if person.phone.strip():
        normalize_phone(person.phone)


def reception_form(view: DossierView) -> FormKind:
    """The form to hand over after a reception: 01, or 02/03 when it was not complete."""
    if view.status == Status.SUPPLEMENT_REQUESTED:
        return FormKind.SUPPLEMENT_REQUEST
    if view.status == Status.NOT_RECEIVED:
        return FormKind.REFUSAL
    return FormKind.RECEIPT


class IntakeScreen(QWidget):
    dossier_received = Signal(object)  # DossierView; the window prints `reception_form(view)`

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
        self.officer = officer  # asked at each receive: the officer signed in at that moment
        self._procedure: ProcedureView | None = None

        self.picker = ProcedurePicker()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.duration = QLabel("—")
        self.agency = QLabel("—")
        self.agency.setWordWrap(True)
        self.fees = QLabel("—")
        self.fees.setWordWrap(True)
        self.appointment = QLabel("—")
        self.appointment.setToolTip(CUTOFF_TIP)
        self.appointment.setStyleSheet("font-weight: bold")
        self.components = ComponentTable()
        self.applicant = ApplicantForm()
        self.delivery = QComboBox()
        self.delivery.addItem("Nhận tại Bộ phận Một cửa", "counter")
        self.delivery.addItem("Qua dịch vụ bưu chính công ích", "post")
        self.delivery_address = QLineEdit(placeholderText="Địa chỉ nhận kết quả qua bưu chính")
        self.delivery_address.setEnabled(False)
        self.delivery.currentIndexChanged.connect(self._on_delivery_changed)
        self.receive_button = QPushButton("Tiếp nhận và in giấy hẹn (Ctrl+Enter)")
        self.receive_button.setToolTip("Lưu hồ sơ, cấp mã và mở bản xem trước Giấy tiếp nhận")
        self.receive_button.setDefault(True)
        self.receive_button.clicked.connect(self.submit)
        self.clear_button = QPushButton("Làm mới (Esc)")
        self.clear_button.clicked.connect(self.reset)
        self.outcome_buttons: dict[str, QPushButton] = {}
        for outcome, (text, keys, tip, _prompt, _required) in OUTCOMES.items():
            button = QPushButton(f"{text} ({keys})")
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, o=outcome: self.submit_outcome(o))
            self.outcome_buttons[outcome] = button
        self.fee_panel = FeePanel(ctx, runner, events, officer=officer, refunds=False)
        self.fee_panel.loaded.connect(self._on_fee_panel_loaded)
        self.fee_summary = QLabel()
        self.fee_summary.setWordWrap(True)
        self.fee_button = QPushButton("Thu phí hồ sơ vừa tiếp nhận (Ctrl+Shift+P)")
        self.fee_button.setToolTip("Mở trang thu phí, lệ phí của hồ sơ vừa tiếp nhận")
        self.fee_button.clicked.connect(self.show_fees)
        self.fee_strip = QWidget()
        self.next_button = QPushButton("Trở lại tiếp nhận (Esc)")
        self.next_button.setToolTip(
            "Trở lại mẫu tiếp nhận; có thể thu phí sau ở màn hình Hồ sơ (F4)"
        )
        self.next_button.clicked.connect(self.back_to_form)
        self.form_page = QWidget()
        self.fee_page = QWidget()
        self.pages = QStackedWidget()

        self.qr = ChipQrWatcher(self)
        for edit in [self.picker.search_box, *self.applicant.line_edits(), self.delivery_address]:
            self.qr.watch(edit)
        self.qr.scanned.connect(self.applicant.fill_from_card)
        self.picker.procedure_chosen.connect(self.set_procedure)
        # On the form page only: the fee page has its own Ctrl+Enter (collect) and Esc (next).
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.form_page).activated.connect(self.submit)
        QShortcut(QKeySequence("Escape"), self.form_page).activated.connect(self.reset)
        for outcome, (_text, keys, *_rest) in OUTCOMES.items():
            QShortcut(QKeySequence(keys), self.form_page).activated.connect(
                lambda o=outcome: self.submit_outcome(o)
            )
        QShortcut(QKeySequence("Ctrl+Shift+P"), self.form_page).activated.connect(self.show_fees)
        QShortcut(QKeySequence("Escape"), self.fee_page).activated.connect(self.back_to_form)
        self._layout()
        self.setTabOrder(self.picker.search_box, self.applicant.id_number)
        self._runner.run(lambda: list_procedures(self._ctx), self.picker.set_procedures)

    def _layout(self) -> None:
        info = QGroupBox("Thủ tục")
        form = QFormLayout(info)
        form.addRow("Thời hạn giải quyết:", self.duration)
        form.addRow("Cơ quan giải quyết:", self.agency)
        form.addRow("Phí, lệ phí:", self.fees)
        form.addRow("Hẹn trả kết quả:", self.appointment)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.picker)
        left_layout.addWidget(info)
        left_layout.addWidget(QLabel("Thành phần hồ sơ đã nhận:"))
        left_layout.addWidget(self.components, 1)
        person = QGroupBox("Người nộp hồ sơ (quét mã QR trên CCCD để điền nhanh)")
        QVBoxLayout(person).addWidget(self.applicant)
        delivery = QGroupBox("Hình thức nhận kết quả")
        delivery_layout = QVBoxLayout(delivery)
        delivery_layout.addWidget(self.delivery)
        delivery_layout.addWidget(self.delivery_address)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.receive_button)
        refusals = QHBoxLayout()
        refusals.addStretch(1)
        for button in self.outcome_buttons.values():
            refusals.addWidget(button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(person)
        right_layout.addWidget(delivery)
        right_layout.addStretch(1)
        right_layout.addLayout(buttons)
        right_layout.addLayout(refusals)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([640, 600])
        form_layout = QVBoxLayout(self.form_page)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(splitter)
        fee_layout = QVBoxLayout(self.fee_page)
        fee_layout.setContentsMargins(0, 0, 0, 0)
        fee_layout.addWidget(self.fee_panel, 1)
        next_row = QHBoxLayout()
        next_row.addStretch(1)
        next_row.addWidget(self.next_button)
        fee_layout.addLayout(next_row)
        self.pages.addWidget(self.form_page)
        self.pages.addWidget(self.fee_page)
        strip = QHBoxLayout(self.fee_strip)
        strip.setContentsMargins(0, 0, 0, 0)
        strip.addWidget(self.fee_summary, 1)
        strip.addWidget(self.fee_button)
        self.fee_strip.hide()
        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addWidget(self.fee_strip)
        outer.addWidget(self.pages, 1)

    # ---- procedure ------------------------------------------------------------------------

    def set_procedure(self, procedure: ProcedureView) -> None:
        self._procedure = procedure
        self.duration.setText(procedure.duration.text)
        self.agency.setText(procedure.resolving_agency)
        self.fees.setText(
            "; ".join(f"{f.name}: {format_vnd(f.amount)}" for f in procedure.fees)
            or "Không thu phí, lệ phí"
        )
        self.components.set_components(procedure.components)
        self.appointment.setText("đang tính…")
        now = self._ctx.clock.now()
        self._runner.run(
            lambda: quote_deadline(self._ctx, now, procedure=procedure.id),
            self._show_quote,
            self._show_error,
        )
        self.applicant.id_number.setFocus()

    def _show_quote(self, quote: DeadlineView) -> None:
        self.appointment.setText(vn_datetime(quote.appointment))
        self.appointment.setToolTip(
            f"Tính từ {vn_datetime(quote.clock_start)} ({quote.duration.text}). {CUTOFF_TIP}"
        )

    def _on_delivery_changed(self) -> None:
        self.delivery_address.setEnabled(self.delivery.currentData() == "post")

    # ---- receive --------------------------------------------------------------------------

    def submit(self) -> None:
        """Receive a complete dossier (form 01)."""
        self._submit("complete", "")

    def submit_outcome(self, outcome: str, reason: str | None = None) -> None:
        """Receive the dossier as "incomplete" (form 02) or "ineligible" (form 03). The form is
        checked first, then the reason is asked (unless given) — never the other way round."""
        if self._runner.busy or self.pages.currentWidget() is not self.form_page:
            return
        person = self._check_form()
        if person is None:
            return
        try:
            # What the service would refuse anyway, checked before the officer writes a reason.
            precheck_applicant(person)
        except AppError as error:
            self._show_error(error)
            return
        if reason is None:
            text, _keys, _tip, prompt, required = OUTCOMES[outcome]
            dialog = ReasonDialog(text, prompt, self, required=required, confirm="Lưu và in")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            reason = dialog.reason()
        self._submit(outcome, reason)

    def _check_form(self) -> ApplicantInput | None:
        """The applicant as typed, or None (with the message shown) when something is missing."""
        self.applicant.clear_errors()
        if self._procedure is None:
            self._say("Chưa chọn thủ tục hành chính.", error=True)
            self.picker.search_box.setFocus()
            return None
        try:
            return self.applicant.value()
        except AppError as error:
            self._show_error(error)
            return None

    def _submit(self, outcome: str, reason: str) -> None:
        if self._runner.busy or self.pages.currentWidget() is not self.form_page:
            return
        person = self._check_form()
        if person is None or self._procedure is None:
            return
        with_fees = outcome == "complete" and any(f.amount > 0 for f in self._procedure.fees)
        cmd = ReceiveDossier(
            procedure=self._procedure.id,
            applicant_name=person.name,
            id_number=person.id_number,
            address=person.address,
            phone=person.phone,
            email=person.email,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            components=self.components.received(),
            delivery=str(self.delivery.currentData()),
            delivery_address=self.delivery_address.text(),
            officer=self.officer(),
            outcome=outcome,
            outcome_reason=reason,
        )
        self._runner.run(
            lambda: receive_dossier(self._ctx, cmd),
            lambda result: self._on_received(result, with_fees),
            self._show_error,
        )

    def _on_received(self, result: ReceiveResult, with_fees: bool = False) -> None:
        view: DossierView = result.dossier
        notes = " ".join(w.message for w in result.warnings)
        self.reset()
        form = reception_form(view)
        if form is FormKind.RECEIPT:
            said = f"Đã tiếp nhận hồ sơ {view.code}; hẹn trả {vn_datetime(view.appointment)}."
        else:
            said = f"Đã lưu hồ sơ {view.code} ({view.status_label}); in mẫu {form.value}."
        self._say(f"{said} {notes}".strip())
        self._events.dossiers_changed(view.code)
        if with_fees:
            self.fee_panel.set_dossier(view.code)  # its quote shows above the fresh form
        else:  # nothing to collect for this one: the previous dossier's fees leave the screen
            self.fee_panel.clear()
            self.fee_strip.hide()
        self.dossier_received.emit(view)

    # ---- fees of the dossier just received ------------------------------------------------

    def _on_fee_panel_loaded(self, quote: DossierFeeQuote, status: FeeStatusView) -> None:
        due = f": phải nộp <b>{quote.total_text}</b> ({quote.total_words})"
        self.fee_summary.setText(
            f"Phí, lệ phí hồ sơ <b>{quote.dossier_code}</b> — {status.state_label}"
            + (due if status.state == "due" else "")
        )
        self.fee_strip.setVisible(self.pages.currentWidget() is self.form_page)

    def show_fees(self) -> None:
        """The fee page of the dossier just received (Ctrl+Shift+P)."""
        if self.fee_panel.code is None:
            return
        self.pages.setCurrentWidget(self.fee_page)
        self.fee_strip.hide()  # the fee page says it all
        self.fee_panel.method.setFocus()

    def back_to_form(self) -> None:
        """Back to the form (Esc on the fee page); the fees can also be collected from F4."""
        self.pages.setCurrentWidget(self.form_page)
        self.fee_strip.setVisible(self.fee_panel.code is not None)
        self.picker.search_box.setFocus()

    def start_over(self) -> None:
        """Another officer signed in: a fresh form, nothing of the previous dossier shown."""
        self.fee_panel.clear()
        self.fee_strip.hide()
        self.back_to_form()
        self.reset()

    def _show_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error  # the window's crash handler logs it and keeps the data safe
        shown_near_field = self.applicant.show_error(error.field, error.message)
        self._say(error.message, error=True)
        if shown_near_field:
            self.applicant.focus_field(error.field)

    def _say(self, message: str, *, error: bool = False) -> None:
        color = "#b00020" if error else "#1b5e20"
        self.banner.setStyleSheet(f"color: {color}; font-weight: bold")
        self.banner.setText(message)

    def reset(self) -> None:
        self.applicant.clear()
        self.delivery.setCurrentIndex(0)
        self.delivery_address.clear()
        self.picker.search_box.clear()
        self.picker.search_box.setFocus()
        self._procedure = None
        self.components.setRowCount(0)
        for label in (self.duration, self.agency, self.fees, self.appointment):
            label.setText("—")
