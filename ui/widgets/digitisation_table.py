"""The scanning screen's list of a dossier's components and how far each is digitised.

One row per checklist component: original or copy, whether it must be digitised, whether it is,
who signed it, pages and file size. A must-digitise component not yet signed is shaded, since it
blocks the dossier's transfer. The screen decides which row is selected.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.domain.formatting import vn_datetime
from app.services.digitisation import ComponentScanView

COLUMNS = (
    "STT",
    "Thành phần hồ sơ",
    "Loại bản",
    "Bắt buộc số hóa",
    "Đã số hóa",
    "Ký số",
    "Số trang",
    "Dung lượng",
)
MISSING_COLOUR = QColor("#fff3cd")  # must-digitise and not yet signed: blocks the transfer


def size_text(size: int) -> str:
    if size <= 0:
        return "—"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


class DigitisationTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setToolTip("Chọn thành phần cần số hóa (mũi tên lên/xuống)")

    def show_components(self, components: Sequence[ComponentScanView]) -> None:
        self.setRowCount(len(components))
        for row, c in enumerate(components):
            cells = [
                _item(str(c.position), centre=True),
                _item(c.name),
                _item("Bản chính" if c.original else "Bản sao"),
                _item("Bắt buộc" if c.must_digitise else "Không", centre=True),
                _item("Có" if c.digitised else "Chưa", centre=True),
                _item(c.signer if c.signed else ("Chưa ký" if c.digitised else "—")),
                _item(str(c.pages) if c.digitised else "—", centre=True),
                _item(size_text(c.size) if c.digitised else "—", centre=True),
            ]
            if c.digitised and c.digitised_at is not None:
                cells[4].setToolTip(f"{c.digitised_by}, {vn_datetime(c.digitised_at)}")
            for column, cell in enumerate(cells):
                if c.must_digitise and not c.signed:
                    cell.setBackground(QBrush(MISSING_COLOUR))
                    if not cell.toolTip():
                        cell.setToolTip("Bắt buộc số hóa và ký số trước khi chuyển hồ sơ")
                self.setItem(row, column, cell)


def _item(text: str, *, centre: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if centre:
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item
