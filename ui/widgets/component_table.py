"""Checklist of a procedure's components: tick what was received, adjust original/copy counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QSpinBox, QTableWidget, QTableWidgetItem, QWidget

from app.services.dossiers import ComponentCount
from app.services.views import ComponentView

HEADERS = ["Nhận", "STT", "Tên thành phần hồ sơ", "Bản chính", "Bản sao"]


class ComponentTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        header = self.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(True)
        self._components: list[ComponentView] = []

    def set_components(self, components: tuple[ComponentView, ...]) -> None:
        self._components = list(components)
        self.setRowCount(len(components))
        for row, c in enumerate(components):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked)
            self.setItem(row, 0, tick)
            number = QTableWidgetItem(str(c.position))
            number.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, 1, number)
            name = QTableWidgetItem(c.name + ("  (bắt buộc số hóa)" if c.must_digitise else ""))
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name.setToolTip(c.name)
            self.setItem(row, 2, name)
            for column, value in ((3, c.originals), (4, c.copies)):
                spin = QSpinBox()
                spin.setRange(0, 99)
                spin.setValue(value)
                self.setCellWidget(row, column, spin)
        self.resizeRowsToContents()

    def received(self) -> tuple[ComponentCount, ...]:
        counts = []
        for row, c in enumerate(self._components):
            item = self.item(row, 0)
            if item is None or item.checkState() != Qt.CheckState.Checked:
                continue
            originals = self.cellWidget(row, 3)
            copies = self.cellWidget(row, 4)
            assert isinstance(originals, QSpinBox) and isinstance(copies, QSpinBox)
            counts.append(ComponentCount(c.id, originals.value(), copies.value()))
        return tuple(counts)

    def set_checked(self, row: int, checked: bool) -> None:
        item = self.item(row, 0)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
