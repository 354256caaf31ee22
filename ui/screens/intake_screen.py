"""Tiếp nhận: pick the procedure, tick components, record the applicant, receive (Ctrl+Enter).

Thin over the services: every database call goes through the op-runner; validation messages come
from the domain's Vietnamese errors and appear next to the field; nothing typed is lost on error.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_datetime
from app.domain.money import format_vnd
from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.deadline_quote import quote_deadline
from app.services.dossiers import ReceiveDossier, ReceiveResult, receive_dossier
from app.services.views import DeadlineView, DossierView, ProcedureView
from ui.events import AppEvents
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.applicant_form import ApplicantForm, ChipQrWatcher
from ui.widgets.component_table import ComponentTable
from ui.widgets.procedure_picker import ProcedurePicker

CUTOFF_TIP = (
    "Hồ sơ nhận trước hoặc đúng 15 giờ 00 của ngày làm việc được tính từ lúc nhận; nhận sau "
    "15 giờ hoặc vào ngày nghỉ được tính từ đầu giờ làm việc của ngày làm việc tiếp theo."
)


class IntakeScreen(QWidget):
    dossier_received = Signal(object)  # DossierView

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

        self.qr = ChipQrWatcher(self)
        for edit in [self.picker.search_box, *self.applicant.line_edits(), self.delivery_address]:
            self.qr.watch(edit)
        self.qr.scanned.connect(self.applicant.fill_from_card)
        self.picker.procedure_chosen.connect(self.set_procedure)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.submit)
        QShortcut(QKeySequence("Escape"), self).activated.connect(self.reset)
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
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(person)
        right_layout.addWidget(delivery)
        right_layout.addStretch(1)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([640, 600])
        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addWidget(splitter, 1)

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
        if self._runner.busy:
            return
        self.applicant.clear_errors()
        if self._procedure is None:
            self._say("Chưa chọn thủ tục hành chính.", error=True)
            self.picker.search_box.setFocus()
            return
        try:
            person = self.applicant.value()
        except AppError as error:
            self._show_error(error)
            return
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
        )
        self._runner.run(
            lambda: receive_dossier(self._ctx, cmd), self._on_received, self._show_error
        )

    def _on_received(self, result: ReceiveResult) -> None:
        view: DossierView = result.dossier
        notes = " ".join(w.message for w in result.warnings)
        self.reset()
        self._say(
            f"Đã tiếp nhận hồ sơ {view.code}; hẹn trả {vn_datetime(view.appointment)}. {notes}"
        )
        self._events.dossiers_changed(view.code)
        self.dossier_received.emit(view)

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
