"""Table model of dossier summaries, with the green/amber/red deadline colour."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.formatting import vn_datetime
from app.services.views import DossierSummary

COLUMNS = ["Mã hồ sơ", "Người nộp", "Thủ tục", "Trạng thái", "Hẹn trả"]
LEVEL_COLOURS = {"green": "#e8f5e9", "amber": "#fff3cd", "red": "#f8d7da"}
LEVEL_NAMES = {"green": "còn hạn", "amber": "sắp đến hạn", "red": "quá hạn"}

Index = QModelIndex | QPersistentModelIndex


class DossierTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DossierSummary] = []

    def set_rows(self, rows: list[DossierSummary]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.code,
                row.applicant_name,
                row.procedure_name,
                row.status_label,
                vn_datetime(row.appointment),
            )[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and row.warning_level:
            return QColor(LEVEL_COLOURS[row.warning_level])
        if role == Qt.ItemDataRole.ToolTipRole and row.warning_level:
            return f"Thời hạn: {LEVEL_NAMES[row.warning_level]}"
        return None
