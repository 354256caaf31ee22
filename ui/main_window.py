"""Main window: unit/counter header, mode badge, and an instant procedure search."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.views import ProcedureView
from app.services.workstation import describe_workstation


class MainWindow(QMainWindow):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        info = describe_workstation(ctx)
        self.setWindowTitle(f"MotCua Desk — {info.receiving_point} — {info.counter}")
        self.resize(1100, 700)

        self.header = QLabel(
            f"<b>{info.receiving_point}</b> · {info.counter} · Cán bộ: {info.officer} · "
            f"Ngày {info.today:%d/%m/%Y}"
        )
        self.search_box = QLineEdit(placeholderText="Tìm thủ tục theo tên hoặc mã (gõ không dấu)…")
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.search_box.textChanged.connect(self._on_search_box_text_changed)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.header)
        layout.addWidget(self.search_box)
        layout.addWidget(self.results)
        self.setCentralWidget(body)
        self.statusBar().showMessage(info.mode_label)
        self._show(list_procedures(ctx))

    def _on_search_box_text_changed(self, text: str) -> None:
        self._show(list_procedures(self._ctx, text))

    def _show(self, procedures: list[ProcedureView]) -> None:
        self.results.clear()
        for p in procedures:
            item = QListWidgetItem(f"{p.name}  —  {p.code} · {p.duration.text}")
            item.setToolTip(f"Cơ quan giải quyết: {p.resolving_agency}")
            self.results.addItem(item)
