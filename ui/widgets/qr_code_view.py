"""A QR code drawn large on screen, for the applicant to scan with a banking app (VietQR).

The modules come from `printing.barcodes.qr_matrix` — the same matrix the printed slip carries —
and are painted with whole-pixel modules on white with the 4-module quiet zone, so a phone camera
(or a decoder reading `grab()`) sees crisp squares whatever the widget's size.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from printing.barcodes import QR_QUIET_MODULES, qr_matrix


class QrCodeView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, minimum: int = 220) -> None:
        super().__init__(parent)
        self._text = ""
        self._rows: tuple[tuple[bool, ...], ...] = ()
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        self._rows = qr_matrix(text) if text else ()
        self.setAccessibleName("Mã QR chuyển khoản" if text else "")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, 300)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._rows:
            return
        modules = len(self._rows) + 2 * QR_QUIET_MODULES
        side = min(self.width(), self.height())
        box = max(1, side // modules)
        size = box * modules
        left = (self.width() - size) // 2
        top = (self.height() - size) // 2
        painter = QPainter(self)
        try:
            painter.fillRect(QRect(left, top, size, size), QColor("white"))
            dark = QColor("black")
            for r, row in enumerate(self._rows):
                y = top + (r + QR_QUIET_MODULES) * box
                for c, on in enumerate(row):
                    if on:
                        x = left + (c + QR_QUIET_MODULES) * box
                        painter.fillRect(QRect(x, y, box, box), dark)
        finally:
            painter.end()
