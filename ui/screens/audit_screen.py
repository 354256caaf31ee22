"""Nhật ký kiểm tra: the supervisor's view of the audit log — who did or looked at what, when,
from which workstation and why — filtered by date, officer, action and dossier code, with a
button that checks the log's hash chain. Roles are checked by the services: an officer without
the right sees the refusal message, not the log.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_datetime
from app.services.audit import (
    AuditEntryView,
    AuditFilter,
    ChainReport,
    list_audit,
    verify_audit_chain,
)
from app.services.context import ServiceContext
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.day_edit import chosen_day, day_edit

COLUMNS = ["Số", "Thời điểm", "Cán bộ", "Máy trạm", "Thao tác", "Hồ sơ / đối tượng", "Lý do"]


class AuditScreen(QWidget):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        parent: QWidget | None = None,
        *,
        officer: OfficerGetter = station_default,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self.officer = officer
        today = ctx.clock.now().date()
        self.day_from = day_edit(today)
        self.day_to = day_edit(today)
        self.actor = QLineEdit(placeholderText="Tên đăng nhập cán bộ")
        self.action = QLineEdit(placeholderText="Thao tác (vd. view-dossier, receive)")
        self.code = QLineEdit(placeholderText="Mã hồ sơ")
        self.search_button = QPushButton("Lọc (Enter)")
        self.verify_button = QPushButton("Kiểm tra toàn vẹn nhật ký")
        self.verify_button.setToolTip(
            "Tính lại chuỗi băm: phát hiện mục bị sửa, bị xóa hoặc bị đảo thứ tự"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        filters = QHBoxLayout()
        for label, widget in (
            ("Từ", self.day_from),
            ("đến", self.day_to),
            ("Cán bộ", self.actor),
            ("Thao tác", self.action),
            ("Hồ sơ", self.code),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search_button)
        filters.addStretch(1)
        filters.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.search_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        for edit in (self.actor, self.action, self.code):
            edit.returnPressed.connect(self.refresh)

    def refresh(self) -> None:
        query = AuditFilter(
            day_from=chosen_day(self.day_from),
            day_to=chosen_day(self.day_to),
            actor=self.actor.text(),
            action=self.action.text(),
            dossier_code=self.code.text(),
        )
        officer = self.officer()
        self._runner.run(
            lambda: list_audit(self._ctx, query, officer=officer), self._show, self._on_error
        )

    def _show(self, rows: list[AuditEntryView]) -> None:
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = (
                str(r.seq),
                vn_datetime(r.at),
                r.actor,
                r.workstation,
                r.action,
                r.dossier_code or r.entity_type,
                r.reason,
            )
            for j, text in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(text))
        for column in range(len(COLUMNS) - 1):
            self.table.resizeColumnToContents(column)
        self._say(f"{len(rows)} mục.", error=False)

    def verify(self) -> None:
        self._runner.run(lambda: verify_audit_chain(self._ctx), self._show_report, self._on_error)

    def _show_report(self, report: ChainReport) -> None:
        if report.ok:
            self._say(f"Nhật ký toàn vẹn: {report.entries} mục. Mốc: {report.head}", error=False)
        else:
            problems = " ".join(p.message for p in report.problems[:5])
            self._say(f"NHẬT KÝ CÓ DẤU HIỆU BỊ SỬA HOẶC XÓA. {problems}")

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.table.setRowCount(0)
        self._say(error.message)

    def _say(self, message: str, *, error: bool = True) -> None:
        self.message.setStyleSheet(f"color: {'#b00020' if error else '#1b5e20'}")
        self.message.setText(message)
