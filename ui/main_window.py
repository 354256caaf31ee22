"""Main window: header (unit, counter, officer, date), mode/sync badge, busy indicator, screens.

F2 Tiếp nhận · F3 Tra cứu · F4 Hồ sơ · F5 Sổ theo dõi/Giám sát · F6 Cài đặt · F7 Nhật ký ·
F8 Thu phí / Ca thu tiền · F10 Số hóa.
Screens get the service context, the op-runner and the event hub in their constructors; the
window only wires them together. The window holds who is signed in (`OfficerSession`) and gives
the screens its `officer` getter, so every action is attributed to the officer signed in at that
moment. Ctrl+L, or the idle lock, hides everything behind a sign-in form where the same or
another officer continues — switching officer at a shared counter without closing anything.
Built without a session (tests, scripts), it acts as the station's default officer and does not
lock by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.forms import FormKind
from app.services.accounts import SignedInOfficer
from app.services.context import ServiceContext
from app.services.workstation import WorkstationInfo, describe_workstation
from ui.dialogs.sign_in_dialog import SignInForm
from ui.events import AppEvents
from ui.officer_session import OfficerSession
from ui.ops import OpRunner
from ui.print_flow import PrintFlow, RenderedDocument
from ui.print_support import PdfPrinter, QtPdfPrinter
from ui.screens.audit_screen import AuditScreen
from ui.screens.cash_session_screen import CashSessionScreen
from ui.screens.dossier_screen import DossierScreen
from ui.screens.intake_screen import IntakeScreen, reception_form
from ui.screens.lookup_screen import LookupScreen
from ui.screens.settings_screen import SettingsScreen
from ui.screens.supervisor_screen import SupervisorScreen
from ui.widgets.idle_lock import IdleLock, configured_minutes
from ui.widgets.lazy_screen import LazyScreen

if TYPE_CHECKING:
    from ui.screens.scan_screen import ScanScreen
from ui.widgets.sync_badge import SyncBadge


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner | None = None,
        events: AppEvents | None = None,
        settings: QSettings | None = None,
        session: OfficerSession | None = None,
        printer: PdfPrinter | None = None,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self.runner = runner or OpRunner(self)
        self.events = events or AppEvents(self)
        self._settings = settings or QSettings("MotCua", "MotCuaDesk")
        self.session = session or OfficerSession(parent=self)
        info = describe_workstation(ctx)
        self._info = info
        self.setWindowTitle(f"MotCua Desk — {info.receiving_point} — {info.counter}")
        self.header = QLabel(self._header_text(info))
        self.lock_button = QPushButton("Khóa / đổi cán bộ (Ctrl+L)")
        self.lock_button.setToolTip("Khóa màn hình khi rời quầy, hoặc để cán bộ khác đăng nhập")
        self.lock_button.clicked.connect(self.lock)
        self.idle_lock = IdleLock(configured_minutes(self._settings), self)
        self.idle_lock.locked.connect(self.lock)
        self.lock_form: SignInForm | None = None  # made at the first lock
        self.badge = SyncBadge(ctx, self.runner, self.events)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.runner.busy_changed.connect(self.busy.setVisible)

        officer = self.officer
        self.intake = IntakeScreen(ctx, self.runner, self.events, officer=officer)
        self.lookup = LookupScreen(ctx, self.runner, self.events)
        self.dossier = DossierScreen(ctx, self.runner, self.events, officer=officer)
        self.supervisor = SupervisorScreen(ctx, self.runner, self.events, officer=officer)
        self.settings = SettingsScreen(
            ctx, self.runner, self.events, self._settings, officer=officer, workstation=info
        )
        self.audit = AuditScreen(ctx, self.runner, officer=officer)
        self.cash = CashSessionScreen(ctx, self.runner, self.events, officer=officer)
        self.scan_screen: ScanScreen | None = None
        self.scan = LazyScreen(self._build_scan_screen)  # built on first show (F10)
        self.print_flow = PrintFlow(
            ctx, self.runner, printer or QtPdfPrinter(self._settings), officer, self
        )
        # After a reception the preview of its form opens: the receipt (form 01, both copies),
        # or form 02 / 03 when the officer found the dossier incomplete / not eligible.
        self.intake.dossier_received.connect(
            lambda view: self.print_flow.print_form(reception_form(view), view.code)
        )
        for source in (
            self.intake.fee_panel,
            self.dossier.fee_panel,
            self.cash,
            self.supervisor.fee_report,
        ):
            source.document_requested.connect(self._on_document_requested)
        self.dossier.print_requested.connect(
            lambda kind, code, as_pdf: self.print_flow.print_form(
                FormKind(kind), code, as_pdf=as_pdf
            )
        )
        self.supervisor.print_logbook_requested.connect(
            lambda page: self.print_flow.print_logbook(page.day_from, page.day_to)
        )
        self.print_flow.printed.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.print_flow.failed.connect(self._on_print_flow_failed)
        self.tabs = QTabWidget()
        screens = (
            ("F2", self.intake, "Tiếp nhận"),
            ("F3", self.lookup, "Tra cứu"),
            ("F4", self.dossier, "Hồ sơ"),
            ("F5", self.supervisor, "Sổ theo dõi / Giám sát"),
            ("F6", self.settings, "Cài đặt"),
            ("F7", self.audit, "Nhật ký kiểm tra"),
            ("F8", self.cash, "Thu phí / Ca thu tiền"),
            ("F10", self.scan, "Số hóa"),
        )
        for key, screen, title in screens:
            self.tabs.addTab(screen, f"{title} ({key})")
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda s=screen: self.show_screen(s))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.events.changed.connect(lambda _change: self.badge.refresh())
        self.events.dossier_opened.connect(lambda _code: self.show_screen(self.dossier))

        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.lock)
        QShortcut(QKeySequence("F9"), self).activated.connect(self.badge.sync_now)

        body = QWidget()
        layout = QVBoxLayout(body)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.lock_button)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(body)
        self.setCentralWidget(self.stack)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.badge)
        self.resize(1366, 768)
        geometry = self._settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if session is not None:
            self.idle_lock.start()
            self.badge.start()  # the real desktop: sync at start and periodically (central mode)

    def _on_print_flow_failed(self, message: str) -> None:
        QMessageBox.warning(self, "Chưa in được", message)

    def _on_document_requested(self, document: RenderedDocument) -> None:
        self.print_flow.print_document(document)

    def officer(self) -> str | None:
        """The signed-in officer's user name (None: the station's default officer)."""
        return self.session.username()

    def _header_text(self, info: WorkstationInfo) -> str:
        current = self.session.current
        who = f"{current.full_name} ({current.role_label})" if current else info.officer
        return (
            f"<b>{info.receiving_point}</b> · {info.counter} · Cán bộ: {who} · "
            f"Ngày {info.today:%d/%m/%Y}"
        )

    # ---- lock and switch officer ----------------------------------------------------------

    def lock(self) -> None:
        """Hide every screen (they show citizens' data) behind the sign-in form."""
        if self.lock_form is None:
            self.lock_form = SignInForm(self._ctx, self.runner)
            self.lock_form.signed_in.connect(self._on_lock_form_signed_in)
            page = QWidget()
            page_layout = QVBoxLayout(page)
            page_layout.addStretch(1)
            page_layout.addWidget(
                QLabel("<h2>Màn hình đã khóa</h2>Đăng nhập để tiếp tục làm việc.")
            )
            self.lock_form.setMaximumWidth(560)
            page_layout.addWidget(self.lock_form)
            page_layout.addStretch(2)
            self.stack.addWidget(page)
        self.idle_lock.lock_now()
        self.lock_form.reset(select=self.officer())
        self.stack.setCurrentIndex(1)
        self.lock_form.password.setFocus()

    @property
    def is_locked(self) -> bool:
        return self.stack.currentIndex() != 0

    def _on_lock_form_signed_in(self, officer: SignedInOfficer) -> None:
        if officer.username != self.officer():
            # Another person at the counter: nothing the previous officer had open stays.
            self.dossier.clear()
            self.intake.start_over()
            if self.scan_screen is not None:
                self.scan_screen.clear()
        self.session.switch(officer)
        self.header.setText(self._header_text(self._info))
        self.stack.setCurrentIndex(0)
        self.idle_lock.start()

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.setCurrentWidget(screen)
        if screen is self.intake:
            self.intake.picker.search_box.setFocus()
        elif screen is self.lookup:
            self.lookup.search_box.setFocus()
            self.lookup.search_box.selectAll()
        elif screen is self.cash:
            self.cash.count.first_field().setFocus()

    def _on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.supervisor:
            self.supervisor.refresh()

    def _build_scan_screen(self) -> QWidget:
        # Imported here: OpenCV, pikepdf and pyHanko cost about a second (cold start budget).
        from ui.screens.scan_screen import ScanScreen

        self.scan_screen = ScanScreen(
            self._ctx, self.runner, self.events, settings=self._settings, officer=self.officer
        )
        return self.scan_screen

    def closeEvent(self, event):  # type: ignore[no-untyped-def]
        if self.scan_screen is not None:
            self.scan_screen.shutdown()
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
