"""The breakdown of a dossier's fees: one row per fee item (tick = applies), then postage.

Each row shows the item, its kind (phí / lệ phí), the quantity it is priced on, the amount and the
exemption or reduction applied with its legal reason. An item the officer unticks is skipped in the
next quote (e.g. the late-registration fee of an on-time birth registration) and stays listed,
greyed, so it can be ticked again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.domain.fees import UNIT_LABELS
from app.domain.money import format_vnd
from app.services.fee_views import FeeLineView

HEADERS = ["Áp dụng", "Khoản thu", "Loại", "Số lượng", "Thành tiền", "Miễn, giảm (căn cứ)"]
KIND_LABELS = {"phí": "Phí", "lệ phí": "Lệ phí", "khác": "Khác", "bưu chính": "Bưu chính"}


class FeeBreakdownTable(QTableWidget):
    skip_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        header = self.horizontalHeader()
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(True)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setAccessibleName("Các khoản phí, lệ phí")
        self.items_seen: dict[str, FeeLineView] = {}  # every fee item of the dossier, by code
        self.skip: set[str] = set()
        self.itemChanged.connect(self._on_item_changed)

    def clear_dossier(self) -> None:
        self.items_seen.clear()
        self.skip.clear()
        self.setRowCount(0)

    def set_lines(self, lines: tuple[FeeLineView, ...]) -> None:
        for line in lines:
            if line.tthc:
                self.items_seen[line.code] = line
        quoted = {line.code: line for line in lines}
        rows: list[tuple[FeeLineView, bool]] = [
            (quoted.get(code, seen), code in quoted) for code, seen in self.items_seen.items()
        ]
        rows += [(line, True) for line in lines if not line.tthc]
        self.blockSignals(True)
        try:
            self.setRowCount(len(rows))
            for row, (line, applies) in enumerate(rows):
                self._fill(row, line, applies)
        finally:
            self.blockSignals(False)
        self.resizeRowsToContents()

    def _fill(self, row: int, line: FeeLineView, applies: bool) -> None:
        tick = QTableWidgetItem()
        tick.setData(Qt.ItemDataRole.UserRole, line.code)
        if line.tthc:
            tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            tick.setCheckState(Qt.CheckState.Checked if applies else Qt.CheckState.Unchecked)
            tick.setToolTip("Bỏ chọn nếu khoản này không áp dụng cho hồ sơ (phím cách)")
        else:
            tick.setFlags(Qt.ItemFlag.ItemIsEnabled)
        quantity = f"{line.quantity} {UNIT_LABELS.get(line.unit, '')}".strip()
        amount = format_vnd(line.amount) if applies else "Không áp dụng"
        if applies and line.gross != line.amount:
            amount = f"{format_vnd(line.amount)} (gốc {format_vnd(line.gross)})"
        texts = [
            line.name + (" (mức minh họa)" if line.illustrative else ""),
            KIND_LABELS.get(line.kind, line.kind),
            quantity if applies else "—",
            amount,
            line.adjustment if applies else "",
        ]
        self.setItem(row, 0, tick)
        for column, text in enumerate(texts, start=1):
            item = QTableWidgetItem(text)
            item.setToolTip(line.detail if column in (1, 3) else text)
            if column == 4:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not applies:
                item.setForeground(QColor("#777777"))
            self.setItem(row, column, item)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0 or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        code = str(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self.skip.discard(code)
        else:
            self.skip.add(code)
        self.skip_changed.emit()
