"""Applicant section of the intake form, with live validation and chip-ID QR fill.

A handheld 2D scanner types the QR text of a chip ID card into whichever field has the focus;
`ChipQrWatcher` notices it in any line edit it watches, removes it from that field (so nothing the
officer typed is lost) and fills the applicant in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.domain.errors import ValidationError
from app.domain.identity import (
    ChipIdCard,
    looks_like_chip_qr,
    normalize_phone,
    parse_chip_qr,
    validate_id_number,
)

# A chip QR inside whatever else the field held: 12 digits then six more |-separated parts.
_QR_IN_TEXT = re.compile(r"\d{12}\|[^|]*\|[^|]+\|\d{8}\|[^|]+\|[^|]+\|\d{0,8}")
SEXES = ["", "Nam", "Nữ"]


class ChipQrWatcher(QObject):
    scanned = Signal(object)  # ChipIdCard

    def watch(self, edit: QLineEdit) -> None:
        edit.textChanged.connect(lambda text, e=edit: self._on_text_changed(e, text))

    def _on_text_changed(self, edit: QLineEdit, text: str) -> None:
        found = _QR_IN_TEXT.search(text)
        if not found or not looks_like_chip_qr(found.group(0)):
            return
        try:
            card = parse_chip_qr(found.group(0))
        except ValidationError:
            return
        edit.blockSignals(True)
        edit.setText(text[: found.start()] + text[found.end() :])
        edit.blockSignals(False)
        self.scanned.emit(card)


@dataclass(frozen=True)
class ApplicantInput:
    name: str
    id_number: str
    date_of_birth: date | None
    sex: str | None
    address: str
    phone: str
    email: str


class ApplicantForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.id_number = QLineEdit(placeholderText="12 số CCCD / định danh cá nhân")
        self.name = QLineEdit(placeholderText="Họ và tên người nộp")
        self.date_of_birth = QLineEdit(placeholderText="dd/mm/yyyy")
        self.sex = QComboBox()
        self.sex.addItems(SEXES)
        self.address = QLineEdit()
        self.phone = QLineEdit(placeholderText="09xx xxx xxx")
        self.email = QLineEdit()
        self.errors: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        for label, widget, key in (
            ("Số CCCD/ĐDCN (*)", self.id_number, "id_number"),
            ("Họ và tên (*)", self.name, "applicant_name"),
            ("Ngày sinh", self.date_of_birth, "date_of_birth"),
            ("Giới tính", self.sex, "sex"),
            ("Địa chỉ", self.address, "address"),
            ("Điện thoại", self.phone, "phone"),
            ("Thư điện tử", self.email, "email"),
        ):
            layout.addRow(label, widget)
            error = QLabel()
            error.setStyleSheet("color: #b00020")
            error.setWordWrap(True)
            error.hide()
            layout.addRow("", error)
            self.errors[key] = error
        self.id_number.editingFinished.connect(self._check_id_number)
        self.phone.editingFinished.connect(self._check_phone)
        self.name.editingFinished.connect(self._check_name)

    def line_edits(self) -> list[QLineEdit]:
        return [self.id_number, self.name, self.date_of_birth, self.address, self.phone, self.email]

    def fill_from_card(self, card: ChipIdCard) -> None:
        self.id_number.setText(card.id_number)
        self.name.setText(card.full_name)
        self.date_of_birth.setText(card.date_of_birth.strftime("%d/%m/%Y"))
        self.sex.setCurrentText(card.sex)
        self.address.setText(card.address)
        self.clear_errors()
        self._check_id_number()

    def show_error(self, field: str | None, message: str) -> bool:
        label = self.errors.get(field or "")
        if label is None:
            return False
        label.setText(message)
        label.show()
        return True

    def focus_field(self, field: str | None) -> None:
        widgets = {
            "id_number": self.id_number,
            "applicant_name": self.name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "phone": self.phone,
            "email": self.email,
        }
        widget = widgets.get(field or "")
        if widget is not None:
            widget.setFocus()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()

    def clear(self) -> None:
        for edit in self.line_edits():
            edit.clear()
        self.sex.setCurrentIndex(0)
        self.clear_errors()

    def value(self) -> ApplicantInput:
        """What was typed, with the date parsed; raises ValidationError for a malformed date."""
        return ApplicantInput(
            name=self.name.text(),
            id_number=self.id_number.text(),
            date_of_birth=self._date_of_birth(),
            sex=self.sex.currentText() or None,
            address=self.address.text(),
            phone=self.phone.text(),
            email=self.email.text(),
        )

    def _date_of_birth(self) -> date | None:
        text = self.date_of_birth.text().strip()
        if not text:
            return None
        try:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        except ValueError:
            raise ValidationError(
                "applicant.date_of_birth",
                "Ngày sinh phải có dạng dd/mm/yyyy, ví dụ 05/09/1990.",
                field="date_of_birth",
            ) from None

    def _check(self, key: str, check: object) -> None:
        self.errors[key].hide()
        try:
            check() if callable(check) else None
        except ValidationError as error:
            self.show_error(key, error.message)

    def _check_id_number(self) -> None:
        if self.id_number.text().strip():
            self._check("id_number", lambda: self._warn_id())

    def _warn_id(self) -> None:
        document = validate_id_number(self.id_number.text())
        if document.warnings:
            self.show_error("id_number", "Lưu ý: " + " ".join(w.message for w in document.warnings))

    def _check_phone(self) -> None:
        if self.phone.text().strip():
            self._check("phone", lambda: normalize_phone(self.phone.text()))

    def _check_name(self) -> None:
        if not self.name.text().strip():
            self.show_error("applicant_name", "Chưa nhập họ và tên người nộp hồ sơ.")
        else:
            self.errors["applicant_name"].hide()
