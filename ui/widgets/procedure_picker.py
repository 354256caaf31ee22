"""Instant procedure search: type any part of the name or code without diacritics.

The catalogue (hundreds of rows) is loaded once in the background and filtered in memory on every
keystroke with the same fold as the services, so typing never waits on the database.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain.text import fold, fold_tokens
from app.services.views import ProcedureView


class ProcedurePicker(QWidget):
    procedure_chosen = Signal(object)  # ProcedureView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[tuple[str, ProcedureView]] = []
        self.search_box = QLineEdit(placeholderText="Tìm thủ tục: gõ tên hoặc mã, không cần dấu")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setToolTip("Gõ vài chữ của tên thủ tục (ví dụ: khai sinh). ↓ chọn, Enter.")
        self.results = QListWidget()
        self.results.setMaximumHeight(170)
        self.results.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.results)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.returnPressed.connect(self._choose_current)
        self.search_box.installEventFilter(self)
        self.results.itemActivated.connect(lambda _item: self._choose_current())

    def set_procedures(self, procedures: list[ProcedureView]) -> None:
        self._all = [(fold(f"{p.code} {p.name} {p.field}"), p) for p in procedures]
        self._on_search_box_text_changed(self.search_box.text())

    def visible_procedures(self) -> list[ProcedureView]:
        items = (self.results.item(i) for i in range(self.results.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def _on_search_box_text_changed(self, text: str) -> None:
        tokens = fold_tokens(text)
        self.results.clear()
        for key, procedure in self._all:
            if all(t in key for t in tokens):
                item = QListWidgetItem(
                    f"{procedure.name}  —  {procedure.code} · {procedure.duration.text}"
                )
                item.setData(Qt.ItemDataRole.UserRole, procedure)
                item.setToolTip(f"Cơ quan giải quyết: {procedure.resolving_agency}")
                self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _choose_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.procedure_chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down in the search box move through the results without leaving the box.
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step and self.results.count():
                row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)
