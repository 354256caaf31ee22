"""A read-only table of text rows, and the view that shows it with fixed-height rows.

Supervisor lists can hold thousands of rows (a month's logbook at a busy centre). A QTableWidget
creates one item object per cell and `resizeRowsToContents` measures every cell on the UI thread —
seconds for a thousand rows, and refilling the same table gets worse. A model hands Qt the text
only for the rows on screen; rows get a fixed height of two lines, and the full text of a cell
that does not fit is in its tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
LINES_PER_ROW = 2
READABLE_COLUMN_WIDTH = 150
SIZE_SAMPLE_ROWS = 50
CELL_PADDING = 16  # the cell's margins and the grid line


class TextTableModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str]) -> None:
        super().__init__()
        self.headers = list(headers)
        self.rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self.rows[row][column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None


class TextTable(QTableView):
    """`stretch` takes the spare width, `compact` columns fit their header and first rows, the
    rest get a fixed readable width and wrap onto the row's second line."""

    def __init__(
        self,
        headers: Sequence[str],
        stretch: int,
        compact: tuple[int, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.table_model = TextTableModel(headers)
        self.setModel(self.table_model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self._compact = compact
        for column in range(len(headers)):
            if column not in compact and column != stretch:
                self.setColumnWidth(column, READABLE_COLUMN_WIDTH)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() * LINES_PER_ROW + 8)
        self.setWordWrap(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.table_model.set_rows(rows)
        # Compact columns hold short values of one shape (numbers, codes, dates): the header
        # and the first rows give their width; Qt's resizeColumnToContents would lay out
        # hundreds of cells through the style (tens of ms for a busy day).
        metrics = self.fontMetrics()
        sample = rows[:SIZE_SAMPLE_ROWS]
        for column in self._compact:
            texts = [self.table_model.headers[column], *(r[column] for r in sample)]
            width = max(metrics.horizontalAdvance(t) for t in texts) + CELL_PADDING
            self.setColumnWidth(column, width)

    def rowCount(self) -> int:
        return self.table_model.rowCount()

    def text(self, row: int, column: int) -> str:
        return self.table_model.text(row, column)
