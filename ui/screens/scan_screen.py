"""Số hóa: scan a received dossier's components into signed PDF/A files.

The clerk scans the receipt's barcode (or types the code and Enter), picks a component, scans;
pages are cleaned up as they arrive and appear in the strip at once (a small signal relay carries
each page from the op-runner's worker thread), where they can be turned, reordered, deleted,
rescanned or completed with pages inserted before the selected one. «Lưu» saves the strip as the
component's PDF/A, «Lưu và ký số» signs it too (PIN or password asked each time, never kept),
«Ký số bản đã lưu» signs the current version. OCR, when chosen, runs in the background after an
unsigned save and adds the text layer only if the component was not changed or signed meanwhile.

Nothing scanned is lost: a scanner error (jam, empty feeder, open cover) or a refused save leaves
the pages in the strip, which is emptied only by a successful save or by the clerk.

Split by concern: scanning into the strip (where each page goes) is `ui.strip_scanning`, the
scanner box `ui.widgets.scanner_settings`, the component list `ui.widgets.digitisation_table`,
the strip `ui.widgets.page_strip`, signing `ui.scan_sign_flow`, background OCR `ui.scan_ocr`, the
unsaved-pages question `ui.dialogs.unsaved_pages_dialog`; the work without Qt (reading, cleaning
and saving pages) is in `app.services.digitise_flow`. This module keeps the screen's state: the
dossier, the chosen component, whether a scan or a save is running.

Shortcuts (screen-wide): F12 quét · Ctrl+F12 chèn trước trang chọn · Shift+F12 quét lại trang
chọn · Esc dừng quét · Ctrl+← / Ctrl+→ quay trang · Ctrl+Shift+← / → chuyển trang · Delete (in
the strip) xóa trang · Ctrl+S lưu · Ctrl+Shift+S lưu và ký số · Ctrl+K ký số bản đã lưu.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.lifecycle import Status
from app.scanning.backends import InstalledScanners
from app.scanning.model import DeviceInfo, ProcessedPage, Scanner
from app.scanning.ocr import ocr_available
from app.services.context import ServiceContext
from app.services.digitisation import (
    ComponentScanView,
    DigitisationView,
    SavedComponent,
    digitisation_status,
)
from app.services.digitise_flow import save_scanned
from app.services.scan_store import ScanStore
from app.services.signing_setup import SigningSetup
from ui.dialogs.unsaved_pages_dialog import PagesChoice, ask_pages_choice
from ui.events import AppEvents, ChangeSet
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.scan_ocr import BackgroundOcr, OcrJob, OcrJobs
from ui.scan_sign_flow import SignFlow
from ui.strip_scanning import ScanMode, StripScanning
from ui.widgets.digitisation_table import DigitisationTable, size_text
from ui.widgets.page_strip import PagePanel
from ui.widgets.scanner_settings import ScannerSettings

COLOURS = {"ok": "#1b5e20", "error": "#b00020", "info": "#37474f"}


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, defaultButton=QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class ScanScreen(QWidget):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
        *,
        officer: OfficerGetter = station_default,
        scanner: Scanner | None = None,
        settings: QSettings | None = None,
        ocr: OcrJobs | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self.officer = officer
        self._scanner: Scanner = scanner if scanner is not None else InstalledScanners()
        self._store: ScanStore | None = None
        self.view: DigitisationView | None = None
        self.component_id: str | None = None
        self._saving = False
        self._filling = False
        self._signing = SignFlow(ctx, runner, self._scan_store, self)
        self._signing.said.connect(self._say)
        self._signing.failed.connect(self._on_error)
        self._signing.signed.connect(lambda code, _saved: self._events.dossiers_changed(code))
        self._ocr = BackgroundOcr(
            ctx, runner, self._scan_store, lambda: self.officer(), ocr, parent=self
        )
        self._ocr.said.connect(self._say)
        self._ocr.failed.connect(self._on_error)
        self._ocr.text_layer_added.connect(self._events.dossiers_changed)

        self.code_box = QLineEdit(
            placeholderText="Quét mã vạch trên Giấy tiếp nhận hoặc gõ mã hồ sơ, rồi nhấn Enter"
        )
        self.code_box.setToolTip("Máy đọc mã vạch gõ mã hồ sơ và Enter: hồ sơ mở ngay (Alt+H)")
        self.code_box.returnPressed.connect(lambda: self.open(self.code_box.text()))
        self.dossier_label = QLabel("Chưa chọn hồ sơ.")
        self.dossier_label.setWordWrap(True)
        self.table = DigitisationTable()
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)

        self.scanner_settings = ScannerSettings(settings)
        self.scanner_settings.refresh_requested.connect(self.refresh_devices)
        # Also reachable on the screen itself, as before the box had its own module.
        self.device_box = self.scanner_settings.device_box
        self.source_box = self.scanner_settings.source_box
        self.mode_box = self.scanner_settings.mode_box
        self.dpi_box = self.scanner_settings.dpi_box
        self.ocr_box = self.scanner_settings.ocr_box
        self.scan_button = QPushButton("Quét (F12)")
        self.scan_button.setToolTip("Quét thêm trang vào cuối danh sách (F12)")
        self.scan_button.clicked.connect(lambda: self.scan(ScanMode.APPEND))
        self.insert_button = QPushButton("Chèn trước trang chọn (Ctrl+F12)")
        self.insert_button.setToolTip("Quét và chèn các trang vào trước trang đang chọn")
        self.insert_button.clicked.connect(lambda: self.scan(ScanMode.INSERT))
        self.rescan_button = QPushButton("Quét lại trang chọn (Shift+F12)")
        self.rescan_button.setToolTip("Thay trang đang chọn bằng trang quét tiếp theo")
        self.rescan_button.clicked.connect(lambda: self.scan(ScanMode.REPLACE))
        self.stop_button = QPushButton("Dừng quét (Esc)")
        self.stop_button.clicked.connect(self.stop_scan)

        self.pages = PagePanel(runner)
        self.strip = self.pages.strip
        self.pages.changed.connect(self._update_actions)
        self.pages.said.connect(self._say)
        self.pages.failed.connect(self._on_error)
        self._scanning = StripScanning(runner, self.strip, self)
        self._scanning.said.connect(self._say)
        self._scanning.failed.connect(self._on_error)
        self._scanning.running_changed.connect(self._update_actions)

        self.save_button = QPushButton("Lưu (Ctrl+S)")
        self.save_button.setToolTip("Lưu các trang theo thứ tự trên thành tệp PDF/A của thành phần")
        self.save_button.clicked.connect(lambda: self.save(sign=False))
        self.save_sign_button = QPushButton("Lưu và ký số (Ctrl+Shift+S)")
        self.save_sign_button.setToolTip("Lưu rồi ký số ngay; hỏi mã PIN hoặc mật khẩu mỗi lần")
        self.save_sign_button.clicked.connect(lambda: self.save(sign=True))
        self.sign_button = QPushButton("Ký số bản đã lưu (Ctrl+K)")
        self.sign_button.setToolTip("Ký số bản điện tử đã lưu, chưa ký, của thành phần đang chọn")
        self.sign_button.clicked.connect(self.sign_saved)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self._layout()
        self._shortcuts()
        ocr_queue = self._ocr.queue  # not `self`: the slot runs while the screen is going away
        self.destroyed.connect(lambda *_args: ocr_queue.shutdown())
        events.changed.connect(self._on_events_changed)
        self.scanner_settings.device_changed.connect(self._update_actions)
        self._update_actions()
        self._runner.run(ocr_available, self.scanner_settings.set_ocr_available, lambda _e: None)
        self._devices_loaded = False  # looked for when the screen is first shown

    # ---- layout and keys ----------------------------------------------------------------------

    def _layout(self) -> None:
        top = QHBoxLayout()
        code_label = QLabel("Mã &hồ sơ:")
        code_label.setBuddy(self.code_box)
        top.addWidget(code_label)
        top.addWidget(self.code_box, 1)
        top.addWidget(self.dossier_label, 2)

        self.scanner_settings.add_buttons(
            self.scan_button, self.insert_button, self.rescan_button, self.stop_button
        )
        left = QVBoxLayout()
        left.addWidget(self.scanner_settings)
        left.addStretch(1)
        lower = QWidget()
        middle = QHBoxLayout(lower)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addLayout(left)
        middle.addWidget(self.pages, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([150, 450])

        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        for button in (self.save_button, self.save_sign_button, self.sign_button):
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def _shortcuts(self) -> None:
        screen_keys: list[tuple[str, Callable[[], None]]] = [
            ("F12", lambda: self.scan(ScanMode.APPEND)),
            ("Ctrl+F12", lambda: self.scan(ScanMode.INSERT)),
            ("Shift+F12", lambda: self.scan(ScanMode.REPLACE)),
            ("Escape", self.stop_scan),
            ("Ctrl+Left", self.pages.rotate_left),
            ("Ctrl+Right", self.pages.rotate_right),
            ("Ctrl+Shift+Left", self.pages.move_earlier),
            ("Ctrl+Shift+Right", self.pages.move_later),
            ("Ctrl+S", lambda: self.save(sign=False)),
            ("Ctrl+Shift+S", lambda: self.save(sign=True)),
            ("Ctrl+K", self.sign_saved),
        ]
        for keys, slot in screen_keys:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._devices_loaded:
            self._devices_loaded = True
            self.refresh_devices()
        if self.view is None:
            self.code_box.setFocus()

    # ---- messages and state -------------------------------------------------------------------

    def _say(self, text: str, kind: str = "info") -> None:
        self.message.setStyleSheet(f"color: {COLOURS[kind]}")
        self.message.setText(text)

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, AppError):
            raise error
        self._say(error.message, "error")

    @property
    def scanning(self) -> bool:
        return self._scanning.running

    def selected_component(self) -> ComponentScanView | None:
        if self.view is None or self.component_id is None:
            return None
        return next((c for c in self.view.components if c.component_id == self.component_id), None)

    @property
    def devices(self) -> list[DeviceInfo]:
        return self.scanner_settings.devices

    def current_device(self) -> DeviceInfo | None:
        return self.scanner_settings.current_device()

    def _update_actions(self) -> None:
        idle = not self.scanning and not self._saving
        has_pages = self.strip.count() > 0
        picked = bool(self.strip.selected_ids())
        can_scan = idle and self.current_device() is not None
        self.scan_button.setEnabled(can_scan)
        self.insert_button.setEnabled(can_scan and picked)
        self.rescan_button.setEnabled(can_scan and len(self.strip.selected_ids()) == 1)
        self.stop_button.setEnabled(self.scanning)
        component = self.selected_component()
        ready = idle and component is not None and has_pages
        self.save_button.setEnabled(ready)
        self.save_sign_button.setEnabled(ready)
        self.sign_button.setEnabled(
            idle and component is not None and component.digitised and not component.signed
        )

    # ---- the dossier and its components -------------------------------------------------------

    def open(self, code: str) -> None:
        """Show a dossier's components (a barcode scan of the receipt lands here)."""
        code = code.strip()
        if not code:
            return
        officer = self.officer()
        self._runner.run(
            lambda: digitisation_status(self._ctx, code, officer=officer),
            self._on_status_opened,
            self._on_error,
        )

    def _on_status_opened(self, view: DigitisationView) -> None:
        another = self.view is None or view.code != self.view.code
        if another and self.strip.count() and self.view is not None:
            choice = ask_pages_choice(
                self,
                f"Còn {self.strip.count()} trang đã quét của hồ sơ {self.view.code} chưa lưu. "
                f"Bỏ các trang đó để mở hồ sơ {view.code}?",
                can_keep=False,
            )
            if choice != PagesChoice.DISCARD:
                self.code_box.setText(self.view.code)
                return
            self.strip.clear_pages()
        if another:
            self.component_id = None
        self._show_status(view)
        self.code_box.setText(view.code)
        self.code_box.selectAll()  # the next barcode scan replaces it

    def _show_status(self, view: DigitisationView) -> None:
        self.view = view
        self.dossier_label.setText(
            f"<b>{view.code}</b> — {view.procedure_name} ({Status(view.status).label})"
        )
        self._filling = True
        try:
            self.table.show_components(view.components)
            ids = [c.component_id for c in view.components]
            if self.component_id not in ids:
                # First visit: the first component that still blocks the transfer.
                first = next(iter(view.missing), None)
                self.component_id = first.component_id if first else (ids[0] if ids else None)
            if self.component_id is not None:
                self.table.selectRow(ids.index(self.component_id))
        finally:
            self._filling = False
        self.table.resizeRowsToContents()
        self._update_actions()

    def _on_table_selection_changed(self) -> None:
        if self._filling or self.view is None:
            return
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        chosen = self.view.components[rows[0].row()]
        if chosen.component_id == self.component_id:
            return
        previous = self.selected_component()
        if self.strip.count() and previous is not None:
            choice = ask_pages_choice(
                self,
                f"Còn {self.strip.count()} trang đã quét cho «{previous.name}» chưa lưu. "
                f"Giữ các trang đó để lưu vào «{chosen.name}», hay bỏ đi?",
                can_keep=True,
            )
            if choice == PagesChoice.CANCEL:
                self._filling = True
                try:
                    ids = [c.component_id for c in self.view.components]
                    self.table.selectRow(ids.index(previous.component_id))
                finally:
                    self._filling = False
                return
            if choice == PagesChoice.DISCARD:
                self.strip.clear_pages()
        self.component_id = chosen.component_id
        self._update_actions()

    def select_component(self, position: int) -> None:
        """Select the component with STT `position` (as the clerk does with the arrow keys)."""
        assert self.view is not None
        row = [c.position for c in self.view.components].index(position)
        self.table.selectRow(row)

    def clear(self) -> None:
        """Forget the dossier and the unsaved pages (another officer signed in); a scan still
        running is stopped and its pages dropped."""
        self._scanning.abandon()
        self.view = None
        self.component_id = None
        self.table.setRowCount(0)
        self.strip.clear_pages()
        self.code_box.clear()
        self.dossier_label.setText("Chưa chọn hồ sơ.")
        self.message.clear()
        self._update_actions()

    def _on_events_changed(self, change: ChangeSet) -> None:
        if self.view is not None and self.view.code in change.dossier_codes:
            code = self.view.code
            officer = self.officer()
            self._runner.run(
                lambda: digitisation_status(self._ctx, code, officer=officer),
                self._on_status_refreshed,
                self._on_error,
            )

    def _on_status_refreshed(self, view: DigitisationView) -> None:
        if self.view is not None and view.code == self.view.code:
            self._show_status(view)

    # ---- devices ------------------------------------------------------------------------------

    def refresh_devices(self) -> None:
        self.scanner_settings.show_searching()
        self._update_actions()
        self._runner.run(self._scanner.devices, self._show_devices, self._on_devices_failed)

    def _show_devices(self, devices: list[DeviceInfo]) -> None:
        self.scanner_settings.show_devices(devices)
        if not devices:
            self._say(
                "Không tìm thấy máy quét nào. Xin kiểm tra máy quét đã bật và nối với máy tính, "
                "rồi nhấn «Tìm lại».",
                "error",
            )

    def _on_devices_failed(self, error: Exception) -> None:
        self._show_devices([])
        self._on_error(error)

    # ---- scanning -----------------------------------------------------------------------------

    def scan(self, mode: ScanMode = ScanMode.APPEND) -> None:
        if self.scanning or self._saving:
            return
        device = self.current_device()
        if device is None:
            self._say("Chưa chọn máy quét. Xin nối máy quét rồi nhấn «Tìm lại».", "error")
            return
        self._scanning.start(self._scanner, device, self.scanner_settings.scan_settings(), mode)

    def stop_scan(self) -> None:
        self._scanning.stop()

    # ---- saving and signing -------------------------------------------------------------------

    def _scan_store(self) -> ScanStore:
        """Built on a worker thread (the key store may ask the OS keyring), once."""
        if self._store is None:
            self._store = ScanStore.beside(self._ctx)
        return self._store

    def save(self, *, sign: bool = False) -> None:
        component = self.selected_component()
        if self.view is None or component is None or self.scanning or self._saving:
            return
        if not self.strip.count():
            self._say("Chưa có trang nào để lưu. Xin quét trước (F12).", "error")
            return
        blank = self.strip.blank_ids()
        if blank and not ask_confirm(
            self,
            "Trang có vẻ trắng",
            f"Còn {len(blank)} trang có vẻ trắng trong danh sách. Vẫn lưu cả các trang đó?",
        ):
            return
        if sign:
            self._signing.with_secret(lambda setup, secret: self._save(component, setup, secret))
        else:
            self._save(component, None, "")

    def _save(self, component: ComponentScanView, setup: SigningSetup | None, secret: str) -> None:
        assert self.view is not None
        code, component_id = self.view.code, component.component_id
        ids = self.strip.ids()
        entries = self.strip.entries()
        pages = [e.page for e in entries]
        source = Counter(e.source for e in entries).most_common(1)[0][0]
        ocr = self.scanner_settings.ocr_wanted()
        officer = self.officer()
        ctx = self._ctx

        def work() -> tuple[SavedComponent, str]:
            store = self._scan_store()
            signer = setup.signer(secret) if setup is not None else None
            return save_scanned(
                ctx,
                store,
                code,
                component_id,
                pages,
                source=source,
                signer=signer,
                ocr=ocr,
                officer=officer,
            )

        self._saving = True
        self.pages.set_locked(True)
        self._update_actions()
        self._say("Đang lưu và ký số…" if setup is not None else "Đang lưu…")
        self._runner.run(
            work,
            lambda result: self._on_saved(code, ids, pages, source, ocr, result),
            self._on_save_failed,
        )

    def _on_saved(
        self,
        code: str,
        ids: list[int],
        pages: list[ProcessedPage],
        source: str,
        ocr: bool,
        result: tuple[SavedComponent, str],
    ) -> None:
        saved, ocr_note = result
        self._saving = False
        self.pages.set_locked(False)
        self.strip.remove(ids)
        c = saved.component
        text = f"Đã lưu «{c.name}»: {saved.pages} trang, {size_text(saved.size)}"
        text += f", đã ký số ({c.signer})." if saved.signed else ", chưa ký số."
        if ocr_note:
            text += f" {ocr_note}"
        elif ocr and not saved.signed:
            text += " Đang nhận dạng chữ ở chế độ nền."
            self._ocr.start(OcrJob(saved, code, tuple(pages), source))
        self._say(text, "ok")
        self._update_actions()
        self._events.dossiers_changed(code)

    def _on_save_failed(self, error: Exception) -> None:
        self._saving = False
        self.pages.set_locked(False)
        self._update_actions()
        self._on_error(error)  # the pages stay in the strip

    def sign_saved(self) -> None:
        component = self.selected_component()
        if self.view is None or component is None or self.scanning or self._saving:
            return
        if not component.digitised or component.signed:
            return
        self._signing.sign_saved(self.view.code, component.component_id, self.officer())

    def shutdown(self) -> None:
        """Stop background OCR (closing the window must not wait for tesseract)."""
        self._ocr.shutdown()
