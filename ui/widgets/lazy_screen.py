"""A tab whose screen is built the first time it is shown.

The scanning screen pulls in OpenCV, pikepdf, pyHanko and the scanner drivers (about a second of
imports) and looks for scanners; a counter officer who never scans should not wait for that at
start-up (cold start budget: 2 s)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyScreen(QWidget):
    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self.built: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.built is None:
            self.built = self._build()
            self._layout.addWidget(self.built)
        return self.built

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_built()
        super().showEvent(event)
