"""The line under a form that says what just happened: green when done, red when refused."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

DONE_COLOUR, REFUSED_COLOUR = "#1b5e20", "#b00020"


class StatusMessage(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def say(self, text: str, *, error: bool = False) -> None:
        colour = REFUSED_COLOUR if error else DONE_COLOUR
        self.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.setText(text)
