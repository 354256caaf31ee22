"""Chốt ngày: the supervisor's end-of-day close, with what still stands in its way.

The panel shows, for the chosen day, whether it is closed (when, by whom) and otherwise the two
conditions the service checks — the day's changes all accepted by the central system (counters in
central mode), every cash session of the day closed — so the button is only offered when it can
work. The service checks again inside its transaction and its refusal is shown as is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_date, vn_datetime
from app.services.context import ServiceContext
from app.services.day_close import DayClose, DayReadiness, close_day, day_readiness
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.day_edit import chosen_day, day_edit
from ui.widgets.status_message import StatusMessage

OK, NOT_YET = "✔", "✘"


def readiness_lines(ready: DayReadiness) -> list[str]:
    if ready.closure is not None:
        c = ready.closure
        return [
            f"Ngày {vn_date(c.day)} đã chốt lúc {vn_datetime(c.closed_at)} bởi {c.closed_by}; "
            f"{c.received} hồ sơ tiếp nhận." + (f" Ghi chú: {c.note}" if c.note else "")
        ]
    lines = [f"Ngày {vn_date(ready.day)} chưa chốt."]
    if ready.central:
        lines.append(
            f"{NOT_YET} Còn {ready.pending_sync} thay đổi của ngày này chưa gửi lên hệ thống "
            "trung tâm — đồng bộ (F9) khi có kết nối."
            if ready.pending_sync
            else f"{OK} Mọi thay đổi của ngày đã gửi lên hệ thống trung tâm."
        )
    lines.append(
        f"{NOT_YET} Còn {ready.open_cash_sessions} ca thu tiền chưa đóng (F8)."
        if ready.open_cash_sessions
        else f"{OK} Các ca thu tiền của ngày đã đóng."
    )
    return lines


def ask_to_confirm(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, "Chốt ngày", text)
    return answer == QMessageBox.StandardButton.Yes


class DayClosePanel(QWidget):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        officer: OfficerGetter = station_default,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._officer = officer
        # Replaced in tests; a real supervisor is asked before an irreversible close.
        self.confirm: Callable[[str], bool] = lambda text: ask_to_confirm(self, text)
        self.ready: DayReadiness | None = None
        today = ctx.clock.now().date()
        self.day = day_edit(today)
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Ghi chú khi chốt (không bắt buộc)")
        self.close_button = QPushButton("Chốt ngày…")
        self.close_button.setToolTip(
            "Chốt số liệu của ngày đã chọn; chỉ làm được khi đã đồng bộ xong "
            "và đóng hết ca thu tiền"
        )
        self.close_button.clicked.connect(self.close_chosen_day)
        self.message = StatusMessage()
        form = QFormLayout()
        form.addRow("Ngày:", self.day)
        form.addRow("", self.status)
        form.addRow("Ghi chú:", self.note)
        self.day.setMaximumWidth(140)
        self.note.setMaximumWidth(520)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def chosen_day(self) -> date:
        return chosen_day(self.day)

    def refresh(self) -> None:
        day = self.chosen_day()
        self._runner.run(lambda: day_readiness(self._ctx, day), self._show)

    def _show(self, ready: DayReadiness) -> None:
        if ready.day != self.chosen_day():
            return  # the supervisor picked another day meanwhile
        self.ready = ready
        self.status.setText("\n".join(readiness_lines(ready)))
        self.close_button.setEnabled(ready.can_close)

    def close_chosen_day(self) -> None:
        day = self.chosen_day()
        if not self.confirm(
            f"Chốt ngày {vn_date(day)}? Sau khi chốt, số liệu của ngày không thể chốt lại."
        ):
            return
        note, officer = self.note.text(), self._officer()
        self._runner.run(
            lambda: close_day(self._ctx, day, officer=officer, note=note),
            self._on_closed,
            self._on_refused,
        )

    def _on_closed(self, closed: DayClose) -> None:
        self.message.say(f"Đã chốt ngày {vn_date(closed.day)}: {closed.received} hồ sơ tiếp nhận.")
        self.note.clear()
        self.refresh()

    def _on_refused(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self.message.say(error.message, error=True)
        self.refresh()
