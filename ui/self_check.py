"""Used by `motcua --self-test`: can this installation build the main window (Qt, plugins)?"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.services.context import ServiceContext
from ui.main_window import MainWindow
from ui.ops import ImmediateOpRunner


def build_main_window(ctx: ServiceContext) -> str:
    app = QApplication.instance() or QApplication([])
    settings = QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "MotCua", "selftest"
    )
    window = MainWindow(ctx, ImmediateOpRunner(), None, settings)
    title = window.windowTitle()
    window.close()
    app.processEvents()
    return title
