"""Tra cứu: one box for a dossier code, an ID number or a name; a scanned receipt opens directly."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from app.domain.codes import looks_like_code
from app.domain.errors import AppError
from app.services.context import ServiceContext
from app.services.queries import lookup
from app.services.views import DossierSummary
from ui.events import AppEvents, ChangeSet
from ui.models.dossier_table_model import DossierTableModel
from ui.ops import OpRunner


class LookupScreen(QWidget):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self.search_box = QLineEdit(
            placeholderText="Mã hồ sơ, số CCCD hoặc họ tên (không cần dấu) — Enter để tìm"
        )
        self.search_box.setToolTip("Quét mã vạch trên Giấy tiếp nhận để mở ngay hồ sơ (F3)")
        self.status = QLabel()
        self.model = DossierTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.activated.connect(self._on_table_double_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.search_box.returnPressed.connect(self.search)
        events.changed.connect(self._on_events_changed)

    def search(self) -> None:
        query = self.search_box.text().strip()
        if not query:
            return
        self.status.setText("Đang tìm…")
        self._runner.run(
            lambda: lookup(self._ctx, query),
            lambda rows: self._show(query, rows),
            self._on_error,
        )

    def _show(self, query: str, rows: list[DossierSummary]) -> None:
        self.model.set_rows(rows)
        self.status.setText(f"{len(rows)} hồ sơ" if rows else "Không tìm thấy hồ sơ nào.")
        if looks_like_code(query) and len(rows) == 1:
            # A barcode scan of a receipt: go straight to the dossier.
            self._events.dossier_opened.emit(rows[0].code)
            self.search_box.selectAll()

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.status.setText(error.message)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self._events.dossier_opened.emit(self.model.rows[index.row()].code)

    def _on_events_changed(self, change: ChangeSet) -> None:
        shown = {row.code for row in self.model.rows}
        if shown & change.dossier_codes and self.search_box.text().strip():
            self.search()
