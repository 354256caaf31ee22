"""A spin box for amounts of đồng, grouped the Vietnamese way («150.000 đồng»)."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QSpinBox, QWidget

VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


class MoneyBox(QSpinBox):
    def __init__(self, maximum: int = 100_000_000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLocale(VIETNAMESE)
        self.setGroupSeparatorShown(True)
        self.setRange(0, maximum)
        self.setSingleStep(1_000)
        self.setSuffix(" đồng")
