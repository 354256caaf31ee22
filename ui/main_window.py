"""Main window: header (unit, counter, officer, date), mode/sync badge, busy indicator, screens.

F2 Tiếp nhận · F3 Tra cứu · F4 Hồ sơ · F5 Sổ theo dõi/Giám sát · F6 Cài đặt.
Screens get the service context, the op-runner and the event hub in their constructors; the
window only wires them together.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QTabWidget, QVBoxLayout, QWidget

from app.services.context import ServiceContext
from app.services.workstation import WorkstationInfo, describe_workstation
from ui.events import AppEvents
from ui.ops import OpRunner
from ui.screens.dossier_screen import DossierScreen
from ui.screens.intake_screen import IntakeScreen
from ui.screens.lookup_screen import LookupScreen
from ui.screens.settings_screen import SettingsScreen
from ui.screens.supervisor_screen import SupervisorScreen


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner | None = None,
        events: AppEvents | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self.runner = runner or OpRunner(self)
        self.events = events or AppEvents(self)
        self._settings = settings or QSettings("MotCua", "MotCuaDesk")
        info = describe_workstation(ctx)
        self.setWindowTitle(f"MotCua Desk — {info.receiving_point} — {info.counter}")
        self.header = QLabel(self._header_text(info))
        self.badge = QLabel(info.mode_label)
        self.badge.setToolTip("Trạng thái kết nối và đồng bộ với hệ thống trung tâm")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.runner.busy_changed.connect(self.busy.setVisible)

        self.intake = IntakeScreen(ctx, self.runner, self.events)
        self.lookup = LookupScreen(ctx, self.runner, self.events)
        self.dossier = DossierScreen(ctx, self.runner, self.events)
        self.supervisor = SupervisorScreen(ctx, self.runner, self.events)
        self.settings = SettingsScreen(ctx, self.runner, self.events, self._settings)
        self.tabs = QTabWidget()
        screens = (
            ("F2", self.intake, "Tiếp nhận"),
            ("F3", self.lookup, "Tra cứu"),
            ("F4", self.dossier, "Hồ sơ"),
            ("F5", self.supervisor, "Sổ theo dõi / Giám sát"),
            ("F6", self.settings, "Cài đặt"),
        )
        for key, screen, title in screens:
            self.tabs.addTab(screen, f"{title} ({key})")
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda s=screen: self.show_screen(s))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.events.dossier_opened.connect(lambda _code: self.show_screen(self.dossier))

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.badge)
        self.resize(1366, 768)
        geometry = self._settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    @staticmethod
    def _header_text(info: WorkstationInfo) -> str:
        return (
            f"<b>{info.receiving_point}</b> · {info.counter} · Cán bộ: {info.officer} · "
            f"Ngày {info.today:%d/%m/%Y}"
        )

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.setCurrentWidget(screen)
        if screen is self.intake:
            self.intake.picker.search_box.setFocus()
        elif screen is self.lookup:
            self.lookup.search_box.setFocus()
            self.lookup.search_box.selectAll()

    def _on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.supervisor:
            self.supervisor.refresh()

    def closeEvent(self, event):  # type: ignore[no-untyped-def]
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
