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

Shortcuts (screen-wide): F12 quét · Ctrl+F12 chèn trước trang chọn · Shift+F12 quét lại trang
chọn · Esc dừng quét · Ctrl+← / Ctrl+→ quay trang · Ctrl+Shift+← / → chuyển trang · Delete (in
the strip) xóa trang · Ctrl+S lưu · Ctrl+Shift+S lưu và ký số · Ctrl+K ký số bản đã lưu.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.formatting import vn_datetime
from app.domain.lifecycle import Status
from app.scanning.backends import all_devices, open_scanner
from app.scanning.model import (
    MODE_LABELS,
    SOURCE_LABELS,
    ColourMode,
    DeviceInfo,
    ProcessedPage,
    RawPage,
    ScanError,
    Scanner,
    ScanSettings,
    Source,
)
from app.scanning.ocr import OcrError, OcrQueue, ocr_available, text_layer
from app.scanning.pipeline import process_page, profile_for
from app.services.context import ServiceContext
from app.services.digitisation import (
    ComponentScanView,
    DigitisationView,
    SavedComponent,
    digitisation_status,
    sign_component,
)
from app.services.digitise_flow import add_text_layer, digitise_pages
from app.services.scan_store import ScanStore
from app.services.signing_setup import SigningSetup, load_signing_setup
from ui.events import AppEvents, ChangeSet
from ui.officer_session import OfficerGetter, station_default
from ui.ops import OpRunner
from ui.widgets.page_strip import PagePanel, StripPage, make_strip_page

OFFERED_DPI = (200, 300)
COLUMNS = (
    "STT",
    "Thành phần hồ sơ",
    "Loại bản",
    "Bắt buộc số hóa",
    "Đã số hóa",
    "Ký số",
    "Số trang",
    "Dung lượng",
)
MISSING_COLOUR = QColor("#fff3cd")  # must-digitise and not yet signed: blocks the transfer
COLOURS = {"ok": "#1b5e20", "error": "#b00020", "info": "#37474f"}


class OcrJobs(Protocol):
    """What the screen needs of `OcrQueue` (tests hand in one they control)."""

    def submit(self, pages: Sequence[ProcessedPage]) -> Future[bytes]: ...

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None: ...


# ---- questions to the clerk (module functions, so tests can answer them) -----------------------


class PagesChoice(Enum):
    KEEP = "keep"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_secret(parent: QWidget, title: str, label: str) -> str | None:
    """The PIN or password, typed hidden; None when the clerk cancels. Never stored."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def ask_pages_choice(parent: QWidget, text: str, *, can_keep: bool) -> PagesChoice:
    box = QMessageBox(QMessageBox.Icon.Question, "Các trang chưa lưu", text, parent=parent)
    keep = box.addButton("&Giữ các trang", QMessageBox.ButtonRole.AcceptRole) if can_keep else None
    discard = box.addButton("&Bỏ các trang", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("&Quay lại", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if keep is not None and clicked is keep:
        return PagesChoice.KEEP
    return PagesChoice.DISCARD if clicked is discard else PagesChoice.CANCEL


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, defaultButton=QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


# ---- scanner input --------------------------------------------------------------------------


class InstalledScanners:
    """Every scanner input of this computer as one `Scanner`: the devices of all backends, and a
    scan goes to the backend that listed the device. `config` is per backend, as for
    `backends.all_devices` (eSCL addresses, an import folder…)."""

    backend = "all"

    def __init__(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._config = {name: dict(values) for name, values in (config or {}).items()}
        self._backend_of: dict[str, str] = {}

    def devices(self) -> list[DeviceInfo]:
        errors: list[ScanError] = []
        found = all_devices(self._config, errors=errors)
        if not found and errors:
            raise errors[0]
        self._backend_of = {device.id: device.backend for device in found}
        return found

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        backend = self._backend_of.get(device_id, "sane")
        scanner = open_scanner(backend, **self._config.get(backend, {}))
        return scanner.scan(device_id, settings)


@dataclass(frozen=True)
class ScanOutcome:
    delivered: int
    error: ScanError | None
    stopped: bool


def scan_pages(
    scanner: Scanner,
    device_id: str,
    settings: ScanSettings,
    source: str,
    deliver: Callable[[StripPage], None],
    stop: threading.Event,
    *,
    workers: int = 2,
) -> ScanOutcome:
    """Read pages and clean each up while the next is scanned; `deliver` every finished page in
    order as soon as it is ready. A scanner error ends the batch after the pages before it were
    delivered; `stop` ends it after the page being read."""
    profile = profile_for(settings)
    pending: deque[Future[StripPage]] = deque()
    delivered = 0
    error: ScanError | None = None

    def prepare(raw: RawPage) -> StripPage:
        return make_strip_page(process_page(raw, profile), source)

    def flush(wait: bool) -> None:
        nonlocal delivered
        while pending and (wait or pending[0].done()):
            deliver(pending.popleft().result())
            delivered += 1

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page") as pool:
        raws: Iterator[RawPage] | None = None
        try:
            raws = scanner.scan(device_id, settings)
            for raw in raws:
                pending.append(pool.submit(prepare, raw))
                flush(False)
                if stop.is_set():
                    break
        except ScanError as problem:
            error = problem
        finally:
            close = getattr(raws, "close", None)
            if callable(close):
                close()  # a SANE batch stopped early: the backend cancels the device
            flush(True)  # whatever else happens, the pages read are delivered
    return ScanOutcome(delivered, error, stop.is_set())


class ScanMode(Enum):
    APPEND = "append"
    INSERT = "insert"  # before the selected page
    REPLACE = "replace"  # the selected page (further pages follow it)


@dataclass(eq=False)
class ScanJob:
    mode: ScanMode
    anchor: int | None = None  # strip id of the selected page
    last: int | None = None  # strip id of the last page placed
    received: int = 0
    abandoned: bool = False  # the screen was cleared: its pages go nowhere
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class OcrJob:
    saved: SavedComponent
    code: str
    pages: tuple[ProcessedPage, ...]
    source: str


class _LazyOcr:
    """The OCR queue, started at the first OCR (a thread pool the screen may never need)."""

    def __init__(self, given: OcrJobs | None) -> None:
        self._queue = given

    def get(self) -> OcrJobs:
        if self._queue is None:
            self._queue = OcrQueue()
        return self._queue

    def shutdown(self) -> None:
        if self._queue is not None:
            self._queue.shutdown(wait=False, cancel_running=True)


class _Relay(QObject):
    """Lives on the UI thread; its signals, emitted from worker threads, arrive queued."""

    page_scanned = Signal(object, object)  # ScanJob, StripPage
    ocr_finished = Signal(object, object)  # OcrJob, Future[bytes]


def size_text(size: int) -> str:
    if size <= 0:
        return "—"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def _item(text: str, *, centre: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if centre:
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item


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
        self._settings = settings
        self._ocr = _LazyOcr(ocr)
        self._store: ScanStore | None = None
        self.view: DigitisationView | None = None
        self.component_id: str | None = None
        self.devices: list[DeviceInfo] = []
        self._job: ScanJob | None = None
        self._saving = False
        self._filling = False
        self._relay = _Relay(self)
        self._relay.page_scanned.connect(self._on_relay_page_scanned)
        self._relay.ocr_finished.connect(self._on_relay_ocr_finished)

        self.code_box = QLineEdit(
            placeholderText="Quét mã vạch trên Giấy tiếp nhận hoặc gõ mã hồ sơ, rồi nhấn Enter"
        )
        self.code_box.setToolTip("Máy đọc mã vạch gõ mã hồ sơ và Enter: hồ sơ mở ngay (Alt+H)")
        self.code_box.returnPressed.connect(lambda: self.open(self.code_box.text()))
        self.dossier_label = QLabel("Chưa chọn hồ sơ.")
        self.dossier_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Chọn thành phần cần số hóa (mũi tên lên/xuống)")
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)

        self.device_box = QComboBox()
        self.device_box.currentIndexChanged.connect(self._on_device_box_changed)
        self.find_devices_button = QToolButton()
        self.find_devices_button.setText("Tìm lại")
        self.find_devices_button.setToolTip("Tìm lại các máy quét đang nối với máy tính")
        self.find_devices_button.clicked.connect(self.refresh_devices)
        self.source_box = QComboBox()
        self.mode_box = QComboBox()
        self.dpi_box = QComboBox()
        for box in (self.source_box, self.mode_box, self.dpi_box):
            box.currentIndexChanged.connect(self._remember_settings)
        self.ocr_box = QCheckBox("Nhận dạng chữ (OCR)")
        self.ocr_box.setToolTip("Thêm lớp chữ tìm kiếm được; chạy nền sau khi lưu, không phải chờ")
        self.ocr_box.setEnabled(False)
        self.ocr_box.toggled.connect(self._remember_settings)
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
        lazy_ocr = self._ocr  # not `self`: the slot runs while the screen is going away
        self.destroyed.connect(lambda *_args: lazy_ocr.shutdown())
        events.changed.connect(self._on_events_changed)
        self._restore_settings()
        self._update_actions()
        self._runner.run(ocr_available, self._on_ocr_checked, lambda _error: None)
        self._devices_loaded = False  # looked for when the screen is first shown

    # ---- layout and keys ----------------------------------------------------------------------

    def _layout(self) -> None:
        top = QHBoxLayout()
        code_label = QLabel("Mã &hồ sơ:")
        code_label.setBuddy(self.code_box)
        top.addWidget(code_label)
        top.addWidget(self.code_box, 1)
        top.addWidget(self.dossier_label, 2)

        settings = QGroupBox("Máy quét")
        form = QFormLayout(settings)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_box, 1)
        device_row.addWidget(self.find_devices_button)
        form.addRow(self._buddy("Má&y quét:", self.device_box), device_row)
        form.addRow(self._buddy("&Nguồn giấy:", self.source_box), self.source_box)
        form.addRow(self._buddy("Chế độ &màu:", self.mode_box), self.mode_box)
        form.addRow(self._buddy("Độ phân &giải:", self.dpi_box), self.dpi_box)
        form.addRow(self.ocr_box)
        for button in (self.scan_button, self.insert_button, self.rescan_button, self.stop_button):
            form.addRow(button)

        left = QVBoxLayout()
        left.addWidget(settings)
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

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

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
        return self._job is not None

    def selected_component(self) -> ComponentScanView | None:
        if self.view is None or self.component_id is None:
            return None
        return next((c for c in self.view.components if c.component_id == self.component_id), None)

    def current_device(self) -> DeviceInfo | None:
        index = self.device_box.currentIndex()
        return self.devices[index] if 0 <= index < len(self.devices) else None

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
            self.table.setRowCount(len(view.components))
            for row, c in enumerate(view.components):
                cells = [
                    _item(str(c.position), centre=True),
                    _item(c.name),
                    _item("Bản chính" if c.original else "Bản sao"),
                    _item("Bắt buộc" if c.must_digitise else "Không", centre=True),
                    _item("Có" if c.digitised else "Chưa", centre=True),
                    _item(c.signer if c.signed else ("Chưa ký" if c.digitised else "—")),
                    _item(str(c.pages) if c.digitised else "—", centre=True),
                    _item(size_text(c.size) if c.digitised else "—", centre=True),
                ]
                if c.digitised and c.digitised_at is not None:
                    cells[4].setToolTip(f"{c.digitised_by}, {vn_datetime(c.digitised_at)}")
                for column, cell in enumerate(cells):
                    if c.must_digitise and not c.signed:
                        cell.setBackground(QBrush(MISSING_COLOUR))
                        if not cell.toolTip():
                            cell.setToolTip("Bắt buộc số hóa và ký số trước khi chuyển hồ sơ")
                    self.table.setItem(row, column, cell)
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
        if self._job is not None:
            self._job.abandoned = True
            self._job.stop.set()
            self._job = None
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

    # ---- devices and settings -----------------------------------------------------------------

    def refresh_devices(self) -> None:
        self.device_box.clear()
        self.device_box.addItem("Đang tìm máy quét…")
        self.devices = []
        self._update_actions()
        self._runner.run(self._scanner.devices, self._show_devices, self._on_devices_failed)

    def _show_devices(self, devices: list[DeviceInfo]) -> None:
        wanted = self._setting("scan/device", "")
        self.devices = list(devices)
        self.device_box.blockSignals(True)
        self.device_box.clear()
        for device in self.devices:
            self.device_box.addItem(device.name, device.id)
        if not self.devices:
            self.device_box.addItem("(Không tìm thấy máy quét)")
        self.device_box.blockSignals(False)
        ids = [device.id for device in self.devices]
        self.device_box.setCurrentIndex(ids.index(wanted) if wanted in ids else 0)
        self._on_device_box_changed()
        if not self.devices:
            self._say(
                "Không tìm thấy máy quét nào. Xin kiểm tra máy quét đã bật và nối với máy tính, "
                "rồi nhấn «Tìm lại».",
                "error",
            )

    def _on_devices_failed(self, error: Exception) -> None:
        self._show_devices([])
        self._on_error(error)

    def _on_device_box_changed(self, _index: int = 0) -> None:
        device = self.current_device()
        sources = device.sources if device else (Source.ADF,)
        modes = device.modes if device else tuple(ColourMode)
        dpis = tuple(d for d in OFFERED_DPI if device is None or d in device.resolutions)
        if device is not None and not dpis:
            dpis = device.resolutions or OFFERED_DPI
        self._fill(
            self.source_box, [(SOURCE_LABELS[s], s) for s in sources], "scan/source", Source.ADF
        )
        self._fill(
            self.mode_box, [(MODE_LABELS[m], m) for m in modes], "scan/mode", ColourMode.COLOR
        )
        self._fill(self.dpi_box, [(f"{d} dpi", d) for d in dpis], "scan/dpi", 200)
        self._remember_settings()
        self._update_actions()

    def _fill(self, box: QComboBox, choices: list[tuple[str, Any]], key: str, default: Any) -> None:
        wanted = self._setting(key, default)
        box.blockSignals(True)
        box.clear()
        for label, value in choices:
            box.addItem(label, value)
        values = [str(value) for _label, value in choices]
        for candidate in (str(wanted), str(default)):
            if candidate in values:
                box.setCurrentIndex(values.index(candidate))
                break
        box.blockSignals(False)

    def _setting(self, key: str, default: Any) -> Any:
        if self._settings is None:
            return default
        return self._settings.value(key, default)

    def _restore_settings(self) -> None:
        self.ocr_box.setChecked(str(self._setting("scan/ocr", "false")).lower() == "true")

    def _remember_settings(self, *_args: object) -> None:
        if self._settings is None:
            return
        device = self.current_device()
        if device is not None:
            self._settings.setValue("scan/device", device.id)
        for key, box in (
            ("scan/source", self.source_box),
            ("scan/mode", self.mode_box),
            ("scan/dpi", self.dpi_box),
        ):
            if box.currentData() is not None:
                self._settings.setValue(key, str(box.currentData()))
        if self.ocr_box.isEnabled():
            self._settings.setValue("scan/ocr", "true" if self.ocr_box.isChecked() else "false")

    def scan_settings(self) -> ScanSettings:
        return ScanSettings(
            source=Source(self.source_box.currentData() or Source.ADF),
            mode=ColourMode(self.mode_box.currentData() or ColourMode.COLOR),
            dpi=int(self.dpi_box.currentData() or 200),
        )

    def _on_ocr_checked(self, available: bool) -> None:
        self.ocr_box.setEnabled(bool(available))
        if not available:
            self.ocr_box.setChecked(False)
            self.ocr_box.setToolTip("Máy này chưa cài chương trình nhận dạng chữ tiếng Việt")

    # ---- scanning -----------------------------------------------------------------------------

    def scan(self, mode: ScanMode = ScanMode.APPEND) -> None:
        if self.scanning or self._saving:
            return
        device = self.current_device()
        if device is None:
            self._say("Chưa chọn máy quét. Xin nối máy quét rồi nhấn «Tìm lại».", "error")
            return
        selected = self.strip.selected_ids()
        if mode != ScanMode.APPEND and not selected:
            self._say("Xin chọn một trang trong danh sách trước.", "error")
            return
        anchor = None
        if mode == ScanMode.INSERT:
            anchor = selected[0]
        elif mode == ScanMode.REPLACE:
            anchor = self.strip.current_id() or selected[0]
        job = ScanJob(mode, anchor)
        self._job = job
        self._update_actions()
        self._say("Đang quét…")
        scanner, settings, relay = self._scanner, self.scan_settings(), self._relay
        self._runner.run(
            lambda: scan_pages(
                scanner,
                device.id,
                settings,
                device.backend,
                lambda entry: relay.page_scanned.emit(job, entry),
                job.stop,
            ),
            lambda outcome: self._on_scan_done(job, outcome),
            lambda error: self._on_scan_failed(job, error),
        )

    def stop_scan(self) -> None:
        if self._job is not None:
            self._job.stop.set()
            self._say("Đang dừng sau trang đang quét…")

    def _on_relay_page_scanned(self, job: ScanJob, entry: StripPage) -> None:
        if job.abandoned:
            return
        strip = self.strip
        anchor_row = strip.row_of(job.anchor) if job.anchor is not None else None
        last_row = strip.row_of(job.last) if job.last is not None else None
        if job.mode == ScanMode.REPLACE and job.received == 0 and job.anchor is not None:
            if strip.replace(job.anchor, entry):
                job.last = job.anchor
            else:
                job.last = strip.append(entry)
        elif job.mode != ScanMode.APPEND and last_row is not None:
            job.last = strip.insert(last_row + 1, entry)
        elif job.mode == ScanMode.INSERT and anchor_row is not None:
            job.last = strip.insert(anchor_row, entry)
        else:
            job.last = strip.append(entry)
        job.received += 1
        row = strip.row_of(job.last)
        if row is not None:
            strip.scrollToItem(strip.item(row))
        if self._job is job:
            self._say(f"Đang quét… đã nhận {job.received} trang.")

    def _on_scan_done(self, job: ScanJob, outcome: ScanOutcome) -> None:
        if job.abandoned:
            return
        self._job = None
        self._update_actions()
        if outcome.error is not None:
            text = outcome.error.message
            if job.received and not outcome.error.pages_kept:
                text += f" {job.received} trang đã quét vẫn được giữ lại."
            self._say(text, "error")
            return
        if not job.received:
            self._say("Máy quét không trả về trang nào. Xin kiểm tra giấy rồi quét lại.", "error")
            return
        text = f"Đã quét {job.received} trang"
        text += " (đã dừng theo yêu cầu)." if outcome.stopped else "."
        blank = [self.strip.row_of(i) for i in self.strip.blank_ids()]
        if blank:
            numbers = ", ".join(str(row + 1) for row in blank if row is not None)
            text += f" Trang {numbers} có vẻ trắng — xin kiểm tra, xóa nếu đúng là trang trắng."
        self._say(text, "ok")

    def _on_scan_failed(self, job: ScanJob, error: Exception) -> None:
        if job.abandoned:
            return
        self._job = None
        self._update_actions()
        self._on_error(error)

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
            self._with_signing(lambda setup, secret: self._save(component, setup, secret))
        else:
            self._save(component, None, "")

    def _with_signing(self, then: Callable[[SigningSetup, str], None]) -> None:
        """Read the station's signing set-up, ask the PIN or password, then go on."""

        def load() -> SigningSetup:
            return load_signing_setup(self._scan_store().folder.parent)

        def ask(setup: SigningSetup) -> None:
            label = (
                "Mã PIN của thiết bị ký số (USB token):"
                if setup.kind == "pkcs11"
                else "Mật khẩu của tệp chứng thư số:"
            )
            secret = ask_secret(self, "Ký số", label)
            if secret is None:
                self._say("Đã hủy ký số.")
                return
            then(setup, secret)

        self._runner.run(load, ask, self._on_error)

    def _save(self, component: ComponentScanView, setup: SigningSetup | None, secret: str) -> None:
        assert self.view is not None
        code, component_id = self.view.code, component.component_id
        ids = self.strip.ids()
        entries = self.strip.entries()
        pages = [e.page for e in entries]
        source = Counter(e.source for e in entries).most_common(1)[0][0]
        ocr = self.ocr_box.isEnabled() and self.ocr_box.isChecked()
        officer = self.officer()
        ctx = self._ctx

        def work() -> tuple[SavedComponent, str]:
            store = self._scan_store()
            signer = setup.signer(secret) if setup is not None else None
            text_pdf, ocr_note = None, ""
            if signer is not None and ocr:
                # A signed file cannot take a text layer later: read it now, before signing.
                try:
                    text_pdf = text_layer(pages)
                except OcrError as error:
                    ocr_note = error.message
            saved = digitise_pages(
                ctx,
                store,
                code,
                component_id,
                pages,
                source=source,
                signer=signer,
                ocr_text_pdf=text_pdf,
                officer=officer,
            )
            return saved, ocr_note

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
            self._start_ocr(OcrJob(saved, code, tuple(pages), source))
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
        code, component_id, officer = self.view.code, component.component_id, self.officer()
        ctx = self._ctx

        def sign(setup: SigningSetup, secret: str) -> None:
            self._say("Đang ký số…")
            self._runner.run(
                lambda: sign_component(
                    ctx,
                    self._scan_store(),
                    code,
                    component_id,
                    setup.signer(secret),
                    officer=officer,
                ),
                lambda saved: self._on_signed(code, saved),
                self._on_error,
            )

        self._with_signing(sign)

    def _on_signed(self, code: str, saved: SavedComponent) -> None:
        self._say(f"Đã ký số «{saved.component.name}» ({saved.component.signer}).", "ok")
        self._events.dossiers_changed(code)

    # ---- background OCR -----------------------------------------------------------------------

    def _start_ocr(self, job: OcrJob) -> None:
        future = self._ocr.get().submit(job.pages)
        relay = self._relay
        # Runs on the OCR thread: the relay carries the result to the UI thread.
        future.add_done_callback(lambda done: relay.ocr_finished.emit(job, done))

    def _on_relay_ocr_finished(self, job: OcrJob, future: Future[bytes]) -> None:
        name = job.saved.component.name
        try:
            text_pdf = future.result()
        except CancelledError:
            return
        except OcrError as error:
            self._say(f"Nhận dạng chữ cho «{name}» không thành công: {error.message}", "info")
            return
        officer, ctx = self.officer(), self._ctx
        self._runner.run(
            lambda: add_text_layer(
                ctx,
                self._scan_store(),
                job.saved,
                job.code,
                job.pages,
                text_pdf,
                source=job.source,
                officer=officer,
            ),
            lambda _saved: self._on_text_layer_added(job),
            self._on_text_layer_refused,
        )

    def _on_text_layer_added(self, job: OcrJob) -> None:
        self._say(f"Đã thêm lớp chữ nhận dạng cho «{job.saved.component.name}».", "ok")
        self._events.dossiers_changed(job.code)

    def _on_text_layer_refused(self, error: Exception) -> None:
        if isinstance(error, AppError) and error.code == "ocr.outdated":
            self._say(error.message, "info")  # nothing to do: the newer version stands
        else:
            self._on_error(error)

    def shutdown(self) -> None:
        """Stop background OCR (closing the window must not wait for tesseract)."""
        self._ocr.shutdown()
