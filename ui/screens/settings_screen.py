"""Cài đặt: unit and counter, office hours and cut-off, calendar exceptions, printers per document
type, central server address, scanner. Domain settings go through the services (audited);
per-workstation preferences (printers, server address) live in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QDate, QSettings
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_date
from app.services.calendar import (
    WorkRulesView,
    add_calendar_exception,
    list_calendar,
    list_work_rules,
    set_work_rules,
)
from app.services.context import ServiceContext
from app.services.views import CalendarDayView
from app.services.workstation import WorkstationInfo, describe_workstation
from ui.events import AppEvents, ChangeSet
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.day_edit import chosen_day, day_edit

DOCUMENT_TYPES = {
    "receipt": "Giấy tiếp nhận và hẹn trả (mẫu 01)",
    "forms": "Các phiếu khác (mẫu 02–06)",
    "logbook": "Sổ theo dõi hồ sơ",
    "thermal": "Máy in nhiệt 80 mm",
}
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"]
DEFAULT_PRINTER = "(Máy in mặc định)"
KINDS = {"day-off": "Ngày nghỉ", "make-up": "Ngày làm bù"}


class SettingsScreen(QWidget):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        officer: OfficerGetter = station_default,
        workstation: WorkstationInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self._settings = settings
        # The main window has read it already; a screen made alone (tests) reads it itself.
        self._officer = workstation or describe_workstation(ctx)
        self.officer = officer  # who edits the calendar: checked (and audited) by the service
        self.message = QLabel()
        self.message.setWordWrap(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._unit_box())
        layout.addWidget(self._hours_box())
        layout.addWidget(self._calendar_box())
        layout.addWidget(self._devices_box())
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addWidget(self.message)
        outer.addWidget(scroll, 1)
        self.refresh()

    # ---- sections -------------------------------------------------------------------------

    def _unit_box(self) -> QGroupBox:
        info = self._officer
        box = QGroupBox("Đơn vị và quầy")
        form = QFormLayout(box)
        form.addRow("Điểm tiếp nhận:", QLabel(info.receiving_point))
        form.addRow("Quầy:", QLabel(info.counter))
        form.addRow("Chế độ:", QLabel(info.mode_label))
        return box

    def _hours_box(self) -> QGroupBox:
        box = QGroupBox("Giờ làm việc và giờ chốt tiếp nhận (áp dụng theo ngày hiệu lực)")
        self.rules_table = QTableWidget(0, 4)
        self.rules_table.setHorizontalHeaderLabels(
            ["Hiệu lực từ", "Giờ làm việc", "Giờ chốt", "Ghi chú"]
        )
        self.rules_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.rules_table.setMaximumHeight(120)
        self.rules_table.verticalHeader().setVisible(False)
        self.rules_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.rules_from = day_edit(self._ctx.clock.now().date())
        self.morning = QLineEdit("07:30-11:30")
        self.afternoon = QLineEdit("13:00-17:00")
        self.cutoff = QLineEdit("15:00")
        self.hours_per_day = QSpinBox()
        self.hours_per_day.setRange(1, 12)
        self.hours_per_day.setValue(8)
        self.weekday_boxes = [QCheckBox(name) for name in WEEKDAYS]
        for box_ in self.weekday_boxes[:5]:
            box_.setChecked(True)
        self.rules_note = QLineEdit(placeholderText="Căn cứ (số văn bản)")
        add = QPushButton("Thêm giờ làm việc mới")
        add.clicked.connect(self.add_work_rules)
        days = QHBoxLayout()
        for box_ in self.weekday_boxes:
            days.addWidget(box_)
        form = QFormLayout()
        form.addRow("Hiệu lực từ ngày:", self.rules_from)
        form.addRow("Buổi sáng:", self.morning)
        form.addRow("Buổi chiều:", self.afternoon)
        form.addRow("Giờ chốt (15:00):", self.cutoff)
        form.addRow("Số giờ/ngày làm việc:", self.hours_per_day)
        form.addRow("Ngày làm việc:", days)
        form.addRow("Căn cứ:", self.rules_note)
        layout = QVBoxLayout(box)
        layout.addWidget(self.rules_table)
        layout.addLayout(form)
        layout.addWidget(add)
        return box

    def _calendar_box(self) -> QGroupBox:
        box = QGroupBox("Ngày nghỉ, ngày làm bù")
        self.year = QSpinBox()
        self.year.setRange(2020, 2100)
        self.year.setValue(self._ctx.clock.now().year)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.calendar_table = QTableWidget(0, 3)
        self.calendar_table.setHorizontalHeaderLabels(["Ngày", "Loại", "Ghi chú"])
        self.calendar_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.calendar_table.setMinimumHeight(200)
        self.calendar_table.verticalHeader().setVisible(False)
        self.exception_day = day_edit(self._ctx.clock.now().date())
        self.exception_kind = QComboBox()
        for key, label in KINDS.items():
            self.exception_kind.addItem(label, key)
        self.exception_note = QLineEdit(placeholderText="Căn cứ, ví dụ: Thông báo số …/TB-UBND")
        add = QPushButton("Thêm ngày")
        add.clicked.connect(self.add_exception)
        row = QHBoxLayout()
        for widget in (self.exception_day, self.exception_kind, self.exception_note, add):
            row.addWidget(widget)
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:"))
        top.addWidget(self.year)
        top.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.calendar_table)
        layout.addLayout(row)
        return box

    def _show_printers(self, names: list[str]) -> None:
        printers = [DEFAULT_PRINTER, *names]
        for key, combo in self.printer_choices.items():
            combo.addItems(names)
            saved = str(self._settings.value(f"printers/{key}", ""))
            if saved in printers:
                combo.setCurrentText(saved)
            combo.currentTextChanged.connect(
                lambda text, k=key: self._settings.setValue(f"printers/{k}", text)
            )

    def _devices_box(self) -> QGroupBox:
        box = QGroupBox("Máy in, hệ thống trung tâm, máy quét")
        form = QFormLayout(box)
        self.printer_choices: dict[str, QComboBox] = {}
        for key, label in DOCUMENT_TYPES.items():
            combo = QComboBox()
            combo.addItem(DEFAULT_PRINTER)
            self.printer_choices[key] = combo
            form.addRow(f"{label}:", combo)
        # Asking the print system for its printers can take long (network printers): off the
        # UI thread, the lists are filled when the answer comes.
        self._runner.run(QPrinterInfo.availablePrinterNames, self._show_printers)
        self.server = QLineEdit(str(self._settings.value("sync/server", "")))
        self.server.setPlaceholderText("https://motcua.example.gov.vn (để trống: chế độ độc lập)")
        self.server.editingFinished.connect(
            lambda: self._settings.setValue("sync/server", self.server.text().strip())
        )
        form.addRow("Địa chỉ hệ thống trung tâm:", self.server)
        self.scanner = QComboBox()
        self.scanner.addItem("Chưa cấu hình máy quét")
        form.addRow("Máy quét:", self.scanner)
        return box

    # ---- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        year = self.year.value()
        self._runner.run(lambda: list_calendar(self._ctx, year), self._show_calendar)
        self._runner.run(lambda: list_work_rules(self._ctx), self._show_rules)

    def _show_calendar(self, days: list[CalendarDayView]) -> None:
        self.calendar_table.setRowCount(len(days))
        for i, d in enumerate(days):
            for j, text in enumerate((vn_date(d.day), KINDS.get(d.kind, d.kind), d.note)):
                self.calendar_table.setItem(i, j, QTableWidgetItem(text))

    def _show_rules(self, rules: list[WorkRulesView]) -> None:
        self.rules_table.setRowCount(len(rules))
        for i, r in enumerate(rules):
            hours = ", ".join(f"{a}–{b}" for a, b in r.periods)
            for j, text in enumerate((vn_date(r.effective_from), hours, r.cutoff, r.note)):
                self.rules_table.setItem(i, j, QTableWidgetItem(text))

    def add_exception(self) -> None:
        day = chosen_day(self.exception_day)
        kind = str(self.exception_kind.currentData())
        note = self.exception_note.text()
        self._runner.run(
            lambda: add_calendar_exception(
                self._ctx,
                day,
                kind,
                note,
                actor=self._acting_officer(),
            ),
            lambda view: self._done(f"Đã ghi {vn_date(view.day)}: {KINDS[view.kind]}."),
            self._failed,
        )

    def add_work_rules(self) -> None:
        try:
            periods = [
                tuple(p.strip().split("-")) for p in (self.morning.text(), self.afternoon.text())
            ]
            if any(len(p) != 2 for p in periods):
                raise ValueError
        except ValueError:
            self._say("Giờ làm việc phải có dạng 07:30-11:30.", error=True)
            return
        weekdays = [i for i, box_ in enumerate(self.weekday_boxes) if box_.isChecked()]
        day = chosen_day(self.rules_from)
        self._runner.run(
            lambda: set_work_rules(
                self._ctx,
                effective_from=day,
                periods=[(a, b) for a, b in periods],
                cutoff=self.cutoff.text().strip(),
                weekdays=weekdays,
                hours_per_day=self.hours_per_day.value(),
                note=self.rules_note.text(),
                actor=self._acting_officer(),
            ),
            lambda view: self._done(
                f"Đã thêm giờ làm việc áp dụng từ {vn_date(view.effective_from)}."
            ),
            self._failed,
        )

    def _acting_officer(self) -> str:
        return self.officer() or self._officer.officer_username

    def _done(self, message: str) -> None:
        self._say(message)
        self.refresh()
        self._events.changed.emit(ChangeSet(calendar=True))

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self._say(error.message, error=True)

    def _say(self, message: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {'#b00020' if error else '#1b5e20'}; font-weight: bold")
        self.message.setText(message)

    def set_today(self, day: QDate) -> None:
        self.exception_day.setDate(day)
        self.rules_from.setDate(day)
