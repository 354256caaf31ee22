"""Hồ sơ: one dossier's data, history (who, when, what), the actions its state allows, and its
fees (collect, confirm a transfer, print or cancel a receipt, refund) on the «Phí, lệ phí» tab."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_datetime
from app.domain.lifecycle import Action, Status, allowed_actions
from app.services import dossiers
from app.services.context import ServiceContext
from app.services.queries import show_dossier
from app.services.views import DossierView
from ui.events import AppEvents, ChangeSet
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.fee_panel import FeePanel

# Actions that need the officer to state a reason.
NEEDS_REASON = {Action.REFUSE, Action.STOP, Action.WITHDRAW, Action.REQUEST_SUPPLEMENT}
SCREEN_ACTIONS = [
    Action.RECEIVE_SUPPLEMENT,
    Action.TRANSFER,
    Action.RECORD_RESULT,
    Action.RETURN_RESULT,
    Action.REQUEST_SUPPLEMENT,
    Action.REFUSE,
    Action.STOP,
    Action.WITHDRAW,
]
LEVEL_TEXT = {"green": "còn hạn", "amber": "sắp đến hạn (dưới 1 ngày làm việc)", "red": "quá hạn"}


Call = Callable[[ServiceContext, str, str, str | None], DossierView]
RAW_HTML = {"Mã hồ sơ", "Trạng thái"}  # values already marked up
WIDE = {"Thủ tục", "Cơ quan giải quyết"}  # long values: a row of their own


def _details_table(rows: list[tuple[str, str]]) -> str:
    """Two label/value pairs per line (long ones alone), so the fee tab keeps its height."""
    cells = [(k, v if k in RAW_HTML else html.escape(v), k in WIDE) for k, v in rows]
    lines: list[str] = []
    pending: list[str] = []
    for key, value, wide in cells:
        cell = f"<td>{html.escape(key)}:&nbsp;</td><td{' colspan=4' if wide else ''}>{value}</td>"
        if wide:
            if pending:
                lines.append("".join(pending))
                pending = []
            lines.append(cell)
            continue
        pending.append(cell + ("<td>&nbsp;&nbsp;&nbsp;</td>" if not pending else ""))
        if len(pending) == 2:
            lines.append("".join(pending))
            pending = []
    if pending:
        lines.append("".join(pending))
    return "<table>" + "".join(f"<tr>{line}</tr>" for line in lines) + "</table>"


def _call(action: Action) -> Call:
    """The service of `action`, taking (context, code, reason, officer)."""
    calls: dict[Action, Call] = {
        Action.RECEIVE_SUPPLEMENT: lambda c, code, _r, o: dossiers.receive_supplement(
            c, code, officer=o
        ),
        Action.TRANSFER: lambda c, code, _r, o: dossiers.transfer(c, code, officer=o),
        Action.RECORD_RESULT: lambda c, code, _r, o: dossiers.record_result(c, code, officer=o),
        Action.RETURN_RESULT: lambda c, code, _r, o: dossiers.return_result(c, code, officer=o),
        Action.REQUEST_SUPPLEMENT: lambda c, code, r, o: dossiers.request_supplement(
            c, code, r, officer=o
        ),
        Action.REFUSE: lambda c, code, r, o: dossiers.refuse(c, code, r, officer=o),
        Action.STOP: lambda c, code, r, o: dossiers.stop(c, code, r, officer=o),
        Action.WITHDRAW: lambda c, code, r, o: dossiers.withdraw(c, code, r, officer=o),
    }
    return calls[action]


class DossierScreen(QWidget):
    print_requested = Signal(str, str, bool)  # form number, dossier code, open as PDF

    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
        *,
        officer: OfficerGetter = station_default,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self.officer = officer
        self.view: DossierView | None = None
        self.details = QLabel("Chưa chọn hồ sơ. Tra cứu (F3) hoặc quét mã vạch Giấy tiếp nhận.")
        self.details.setWordWrap(True)
        self.message = QLabel()
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels(["Thời điểm", "Cán bộ", "Thao tác", "Lý do"])
        self.history.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column in range(3):
            self.history.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.history.verticalHeader().setVisible(False)
        self.buttons: dict[Action, QPushButton] = {}
        row = QHBoxLayout()
        for action in SCREEN_ACTIONS:
            button = QPushButton(action.label)
            button.clicked.connect(lambda _checked=False, a=action: self.perform(a))
            button.hide()
            self.buttons[action] = button
            row.addWidget(button)
        row.addStretch(1)
        self.reprint_button = QPushButton("In giấy tiếp nhận (Ctrl+P)")
        self.reprint_button.setToolTip(
            "In hoặc in lại mẫu 01; lần in sau được đánh dấu «Bản in lại»"
        )
        self.reprint_button.setShortcut("Ctrl+P")
        self.pdf_button = QPushButton("Mở PDF")
        self.pdf_button.setToolTip("Mở Giấy tiếp nhận dưới dạng tệp PDF")
        for button, as_pdf in ((self.reprint_button, False), (self.pdf_button, True)):
            button.setEnabled(False)
            button.clicked.connect(lambda _c=False, p=as_pdf: self._request_print(p))
            row.addWidget(button)
        self.fee_panel = FeePanel(ctx, runner, events, officer=officer)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.history, "&Quá trình xử lý")
        self.tabs.addTab(self.fee_panel, "&Phí, lệ phí")
        self.tabs.setTabToolTip(
            1, "Thu phí, xác nhận chuyển khoản, in/hủy biên lai, hoàn trả (Alt+P)"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.details)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        events.dossier_opened.connect(self.open)
        events.changed.connect(self._on_events_changed)

    def clear(self) -> None:
        """Forget the dossier shown (another officer signed in: they open it themselves, and
        that read is audited under their name)."""
        self.view = None
        self.details.setText("Chưa chọn hồ sơ. Tra cứu (F3) hoặc quét mã vạch Giấy tiếp nhận.")
        self.message.clear()
        self.history.setRowCount(0)
        self.fee_panel.clear()
        for button in self.buttons.values():
            button.hide()

    def open(self, code: str) -> None:
        # Opening a dossier shows personal data: audited under the officer signed in now.
        officer = self.officer()
        self._runner.run(
            lambda: show_dossier(self._ctx, code, officer=officer), self.show_view, self._on_error
        )

    def show_view(self, view: DossierView) -> None:
        self.view = view
        self.reprint_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        a = view.applicant
        level = f" — <b>{LEVEL_TEXT[view.warning_level]}</b>" if view.warning_level else ""
        rows = [
            ("Mã hồ sơ", f"<b>{view.code}</b>"),
            ("Trạng thái", f"{view.status_label} ({view.status}){level}"),
            ("Thủ tục", view.procedure_name),
            ("Người nộp", f"{a.name} — {a.id_number}"),
            ("Địa chỉ, điện thoại", ", ".join(x for x in (a.address, a.phone) if x)),
            ("Tiếp nhận", vn_datetime(view.received_at)),
            ("Hẹn trả", self._appointment_text(view)),
            ("Cơ quan giải quyết", view.resolving_agency),
            ("Số lần bổ sung", str(view.supplement_count)),
            ("Sổ theo dõi", f"Quyển {view.book_no}, số thứ tự {view.entry_no}"),
        ]
        self.details.setText(_details_table(rows))
        allowed = set(allowed_actions(Status(view.status)))
        for action, button in self.buttons.items():
            button.setVisible(action in allowed)
        self.history.setRowCount(len(view.events))
        for i, e in enumerate(view.events):
            for j, text in enumerate((vn_datetime(e.at), e.actor, e.action_label, e.reason)):
                self.history.setItem(i, j, QTableWidgetItem(text))
        self.history.resizeRowsToContents()
        self.fee_panel.set_dossier(view.code)

    def show_fees(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.fee_panel.method.setFocus()

    def _request_print(self, as_pdf: bool) -> None:
        if self.view is not None:
            self.print_requested.emit("01", self.view.code, as_pdf)

    @staticmethod
    def _appointment_text(view: DossierView) -> str:
        text = vn_datetime(view.appointment)
        if view.appointment != view.original_appointment:
            text += f" (hẹn ban đầu {vn_datetime(view.original_appointment)})"
        return text

    def perform(self, action: Action, reason: str | None = None) -> None:
        if self.view is None:
            return
        if action in NEEDS_REASON and reason is None:
            reason, ok = QInputDialog.getText(self, action.label, "Lý do:")
            if not ok:
                return
        code = self.view.code
        call = _call(action)
        given = reason or ""
        officer = self.officer()
        self._runner.run(
            lambda: call(self._ctx, code, given, officer), self._on_done, self._on_error
        )

    def _on_done(self, view: DossierView) -> None:
        self.message.setStyleSheet("color: #1b5e20")
        self.message.setText(f"Đã cập nhật hồ sơ {view.code}: {view.status_label}.")
        self.show_view(view)
        self._events.dossiers_changed(view.code)

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.message.setStyleSheet("color: #b00020")
        self.message.setText(error.message)

    def _on_events_changed(self, change: ChangeSet) -> None:
        if self.view is not None and self.view.code in change.dossier_codes:
            self.open(self.view.code)
