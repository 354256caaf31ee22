"""Ask the officer for a required reason: what to complete, why refused, why refunded…

A multi-line text (one item per line; the lines are joined with «; », the separator the printed
forms split items on), optionally an amount. Ctrl+Enter confirms, Esc cancels; an empty reason
is refused in the dialog with a Vietnamese message and the dialog stays open with the text kept.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.text import clean_text
from ui.widgets.money_box import MoneyBox


class ReasonDialog(QDialog):
    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        *,
        required: str = "Xin vui lòng ghi rõ lý do.",
        confirm: str = "Đồng ý",
        amount: int | None = None,
        amount_label: str = "Số tiền:",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._required = required
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)  # Tab leaves the text; Enter starts a new item
        self.prompt.setBuddy(self.text)
        self.amount: MoneyBox | None = None
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020; font-weight: bold")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(f"{confirm} (Ctrl+Enter)")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy (Esc)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.text, 1)
        if amount is not None:
            self.amount = MoneyBox(amount)
            self.amount.setValue(amount)
            caption = QLabel(amount_label)
            caption.setBuddy(self.amount)
            layout.addWidget(caption)
            layout.addWidget(self.amount)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.text.setFocus()

    def reason(self) -> str:
        """The lines typed, each cleaned, empty ones dropped, joined with «; »."""
        lines = (clean_text(line) for line in self.text.toPlainText().splitlines())
        return "; ".join(line for line in lines if line)

    def accept(self) -> None:
        if not self.reason():
            self.error.setText(self._required)
            self.error.show()
            self.text.setFocus()
            return
        super().accept()


def ask_reason(
    parent: QWidget | None, title: str, prompt: str, required: str, confirm: str = "Đồng ý"
) -> str | None:
    """The reason typed, or None if the officer cancelled."""
    dialog = ReasonDialog(title, prompt, parent, required=required, confirm=confirm)
    return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None
