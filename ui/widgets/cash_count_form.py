"""Counting a cash drawer note by note: one row per Vietnamese banknote, the number of notes, the
subtotal, and the total — the way an officer counts the float at opening and the drawer at close.

The denominations are the domain's (`domain.cash.DENOMINATIONS`), so the screen offers exactly the
notes the service accepts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSpinBox, QWidget

from app.domain.cash import DENOMINATIONS, MAX_NOTES
from app.domain.money import format_vnd


class CashCountForm(QWidget):
    changed = Signal(int)  # the total counted, in đồng

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spins: dict[int, QSpinBox] = {}
        self._subtotals: dict[int, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for column, text in enumerate(("Mệnh giá", "Số tờ", "Thành tiền")):
            header = QLabel(f"<b>{text}</b>")
            if column != 1:
                header.setAlignment(right)
            grid.addWidget(header, 0, column)
        for row, value in enumerate(DENOMINATIONS, start=1):
            caption = QLabel(format_vnd(value))
            caption.setAlignment(right)
            spin = QSpinBox(minimum=0, maximum=MAX_NOTES)
            spin.setAccessibleName(f"Số tờ mệnh giá {format_vnd(value)}")
            spin.setMinimumWidth(90)
            caption.setBuddy(spin)
            subtotal = QLabel(format_vnd(0))
            subtotal.setAlignment(right)
            spin.valueChanged.connect(self._on_spin_value_changed)
            grid.addWidget(caption, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(subtotal, row, 2)
            self.spins[value] = spin
            self._subtotals[value] = subtotal
        self.total_label = QLabel()
        self.total_label.setAlignment(right)
        self.total_label.setStyleSheet("font-weight: bold")
        grid.addWidget(QLabel("<b>Tổng cộng</b>"), len(DENOMINATIONS) + 1, 0)
        grid.addWidget(self.total_label, len(DENOMINATIONS) + 1, 1, 1, 2)
        grid.setColumnStretch(2, 1)
        self._on_spin_value_changed()

    def counts(self) -> dict[int, int]:
        """Notes counted by denomination (denominations with no notes left out)."""
        return {value: spin.value() for value, spin in self.spins.items() if spin.value()}

    def total(self) -> int:
        return sum(value * count for value, count in self.counts().items())

    def set_counts(self, counts: dict[int, int]) -> None:
        for value, spin in self.spins.items():
            spin.setValue(counts.get(value, 0))

    def clear(self) -> None:
        self.set_counts({})

    def first_field(self) -> QSpinBox:
        return self.spins[DENOMINATIONS[0]]

    def _on_spin_value_changed(self) -> None:
        for value, spin in self.spins.items():
            self._subtotals[value].setText(format_vnd(value * spin.value()))
        total = self.total()
        self.total_label.setText(format_vnd(total))
        self.changed.emit(total)
