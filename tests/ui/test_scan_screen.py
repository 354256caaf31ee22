"""The scanning screen over real services and a temporary SQLite store: a receipt's barcode opens
the dossier's components, pages from a scanner (rendered pages behind the real `Scanner`
interface, and the real SANE `test` backend) go through the real pipeline into the strip, are
turned, reordered and deleted, and are saved — and signed with a PKCS#12 certificate — as the
component's PDF/A. Scanner errors and refused signatures keep the pages."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from functools import cache
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from sqlalchemy import select

from app.db.scan_models import DigitisedFile
from app.scanning.backends import DEVICE_ERROR_MESSAGES
from app.scanning.model import DeviceInfo, RawPage, ScanError, ScanSettings, Source
from app.scanning.ocr import ocr_available
from app.scanning.signing import _MESSAGES as SIGN_MESSAGES
from app.services import dossiers
from app.services.digitisation import digitisation_status
from app.services.signing_setup import SigningSetup, save_signing_setup
from tests.app.scanning.pki import make_ca, make_identity, to_pkcs12
from tests.app.scanning.sample_pages import SAMPLE_LINES, render_blank_page, render_text_page
from tests.app.services.helpers import receive_cmd
from ui import scan_sign_flow
from ui.ops import OpRunner
from ui.screens import scan_screen
from ui.screens.scan_screen import PagesChoice, ScanScreen
from ui.widgets.digitisation_table import COLUMNS
from ui.widgets.page_strip import BLANK_LABEL, MIME_TYPE

PROCEDURE = "2.001019"  # Chứng thực di chúc: three components, one must be digitised
DPI = 100  # small pages: these tests check flow and order, not image quality
PASSWORD = "p12-pass"
SIGNER = "Nguyễn Thị Hoa"


@cache
def text_page(number: int) -> Image.Image:
    """A text page that differs from the others (its number of lines), so pages can be told
    apart by value."""
    return render_text_page(SAMPLE_LINES[: 4 + number], dpi=DPI, seed=number)


@cache
def blank_page() -> Image.Image:
    return render_blank_page(dpi=DPI, noise=2.0, seed=7)


class RenderedScanner:
    """A scanner input with the real `Scanner` interface that feeds rendered pages, then
    raises `error` if given (as a real backend does after the pages read before a jam)."""

    backend = "sane"

    def __init__(self, pages: list[Image.Image], error: ScanError | None = None) -> None:
        self.pages = pages
        self.error = error
        self.requests: list[tuple[str, ScanSettings]] = []

    def devices(self) -> list[DeviceInfo]:
        return [
            DeviceInfo(
                "fake:0",
                "Máy quét thử nghiệm",
                "sane",
                sources=(Source.FLATBED, Source.ADF),
                resolutions=(150, 200, 300),
            )
        ]

    def scan(self, device_id: str, settings: ScanSettings) -> Iterator[RawPage]:
        self.requests.append((device_id, settings))
        for index, image in enumerate(self.pages, start=1):
            yield RawPage(image, DPI, index, device_id)
        if self.error is not None:
            raise self.error


@pytest.fixture
def code(ctx) -> str:
    return dossiers.receive_dossier(ctx, receive_cmd(PROCEDURE)).dossier.code


@pytest.fixture
def make_screen(qtbot, ctx, runner, events, qsettings):
    def make(scanner, *, op_runner=None, **kwargs) -> ScanScreen:
        screen = ScanScreen(
            ctx, op_runner or runner, events, scanner=scanner, settings=qsettings, **kwargs
        )
        qtbot.addWidget(screen)
        screen.resize(1366, 700)
        screen.show()
        qtbot.waitExposed(screen)
        screen.activateWindow()
        qtbot.waitUntil(screen.isActiveWindow)
        return screen

    return make


def open_by_barcode(qtbot, screen: ScanScreen, code: str) -> None:
    """A USB barcode reader types the code (ASCII) and Enter."""
    qtbot.keyClicks(screen.code_box, code)
    qtbot.keyClick(screen.code_box, Qt.Key.Key_Return)


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


def must_digitise(ctx, code: str):
    return next(c for c in digitisation_status(ctx, code).components if c.must_digitise)


@pytest.fixture(scope="module")
def pki():
    ca = make_ca()
    return ca, to_pkcs12(make_identity(ca, SIGNER), ca, PASSWORD)


@pytest.fixture
def signing_setup(pki, data_dir: Path, tmp_path: Path) -> None:
    ca, p12 = pki
    (tmp_path / "officer.p12").write_bytes(p12)
    (tmp_path / "root.pem").write_bytes(ca.cert.public_bytes(Encoding.PEM))
    setup = SigningSetup("pkcs12", None, tmp_path / "officer.p12", (tmp_path / "root.pem",))
    save_signing_setup(data_dir, setup)


def test_a_barcode_scan_opens_the_components_with_the_must_digitise_one_selected(
    qtbot, ctx, code, make_screen
):
    screen = make_screen(RenderedScanner([]))
    open_by_barcode(qtbot, screen, code)

    assert screen.view is not None and screen.view.code == code
    assert screen.table.rowCount() == 3
    column = COLUMNS.index("Bắt buộc số hóa")
    flags = [screen.table.item(row, column).text() for row in range(3)]
    assert flags.count("Bắt buộc") == 1
    required = must_digitise(ctx, code)
    assert screen.component_id == required.component_id
    assert screen.table.selectionModel().selectedRows()[0].row() == flags.index("Bắt buộc")
    assert screen.device_box.currentText() == "Máy quét thử nghiệm"
    assert screen.dpi_box.currentText() == "200 dpi"  # the default among 200 and 300
    assert [screen.dpi_box.itemText(i) for i in range(screen.dpi_box.count())] == [
        "200 dpi",
        "300 dpi",
    ]


def test_scanned_pages_are_turned_deleted_and_saved_in_strip_order(
    qtbot, ctx, code, make_screen, events
):
    scanner = RenderedScanner([text_page(1), text_page(2), text_page(3)])
    screen = make_screen(scanner)
    open_by_barcode(qtbot, screen, code)
    changed = []
    events.changed.connect(changed.append)

    press(qtbot, screen.code_box, Qt.Key.Key_F12)
    assert screen.strip.count() == 3
    assert scanner.requests[0][0] == "fake:0"
    first, _second, third = screen.strip.pages()
    assert first.height_px > first.width_px

    screen.strip.setFocus()
    screen.strip.setCurrentRow(0)
    press(qtbot, screen.strip, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    turned = screen.strip.pages()[0]
    assert (turned.width_px, turned.height_px) == (first.height_px, first.width_px)
    assert turned.rotation == 90

    screen.strip.setCurrentRow(1)
    press(qtbot, screen.strip, Qt.Key.Key_Delete)
    assert screen.strip.count() == 2
    assert screen.strip.pages() == [turned, third]

    press(qtbot, screen.strip, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    status = must_digitise(ctx, code)
    assert status.digitised and status.pages == 2 and not status.signed
    assert screen.strip.count() == 0
    assert "Đã lưu" in screen.message.text()
    assert any(code in change.dossier_codes for change in changed)
    # The table shows the saved version (refreshed through the event hub).
    row = screen.table.selectionModel().selectedRows()[0].row()
    assert screen.table.item(row, COLUMNS.index("Số trang")).text() == "2"
    assert screen.table.item(row, COLUMNS.index("Dung lượng")).text().endswith("KB")


def test_a_jam_keeps_the_pages_scanned_before_it_and_says_so_in_vietnamese(
    qtbot, ctx, code, make_screen
):
    jam = ScanError("scan.jammed", DEVICE_ERROR_MESSAGES["scan.jammed"])
    screen = make_screen(RenderedScanner([text_page(1), text_page(2)], jam))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    assert screen.strip.count() == 2
    assert screen.message.text().startswith("Kẹt giấy trong khay nạp.")
    assert "2 trang đã quét vẫn được giữ lại" in screen.message.text()
    assert not screen.scanning and screen.save_button.isEnabled()


def test_a_blank_page_is_flagged_and_only_the_clerk_removes_it(qtbot, ctx, code, make_screen):
    screen = make_screen(RenderedScanner([text_page(1), blank_page(), text_page(2)]))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    labels = [screen.strip.item(row).text() for row in range(3)]
    assert BLANK_LABEL in labels[1] and BLANK_LABEL not in labels[0] + labels[2]
    assert "1 trang có vẻ trắng" in screen.pages.count_label.text()
    assert "Trang 2 có vẻ trắng" in screen.message.text()
    assert screen.strip.count() == 3  # nothing dropped by itself
    screen.pages.buttons["Xóa trang trắng"].click()
    assert screen.strip.count() == 2 and not screen.strip.blank_ids()


def test_insert_before_and_rescan_put_new_pages_where_the_clerk_chose(
    qtbot, ctx, code, make_screen
):
    scanner = RenderedScanner([text_page(1), text_page(2)])
    screen = make_screen(scanner)
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    a, b = screen.strip.pages()

    scanner.pages = [text_page(3)]
    screen.strip.setCurrentRow(1)
    press(qtbot, screen.strip, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier)
    pages = screen.strip.pages()
    assert len(pages) == 3 and pages[0] == a and pages[2] == b and pages[1] not in (a, b)

    screen.strip.setCurrentRow(0)
    press(qtbot, screen.strip, Qt.Key.Key_F12, Qt.KeyboardModifier.ShiftModifier)
    pages_after = screen.strip.pages()
    assert len(pages_after) == 3
    assert pages_after[0] != a and pages_after[1:] == pages[1:]


def test_pages_are_reordered_by_keyboard_and_by_drag_and_drop(qtbot, ctx, code, make_screen):
    screen = make_screen(RenderedScanner([text_page(1), text_page(2), text_page(3)]))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    a, b, c = screen.strip.pages()
    screen.strip.setCurrentRow(0)
    press(
        qtbot,
        screen.strip,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert screen.strip.pages() == [b, a, c]
    assert screen.strip.item(0).text() == "Trang 1"  # numbers follow the order

    # Drop page "c" on the left half of the first thumbnail: it becomes page 1.
    ids = screen.strip.ids()
    data = QMimeData()
    data.setData(MIME_TYPE, str(ids[2]).encode("ascii"))
    target = screen.strip.visualRect(screen.strip.model().index(0, 0)).topLeft()
    drop = QDropEvent(
        QPointF(target.x() + 2, target.y() + 2),
        Qt.DropAction.MoveAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    screen.strip.dropEvent(drop)
    assert screen.strip.pages() == [c, b, a]


def test_unsaved_pages_are_not_dropped_without_asking(qtbot, ctx, code, make_screen, monkeypatch):
    other = dossiers.receive_dossier(ctx, receive_cmd(PROCEDURE)).dossier.code
    screen = make_screen(RenderedScanner([text_page(1)]))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    answers = [PagesChoice.CANCEL, PagesChoice.KEEP, PagesChoice.DISCARD]
    asked: list[str] = []

    def answer(_parent, text, *, can_keep):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(scan_screen, "ask_pages_choice", answer)
    screen.open(other)  # «Quay lại»: same dossier, pages kept
    assert screen.view.code == code and screen.strip.count() == 1
    required = screen.component_id
    position = next(c.position for c in screen.view.components if c.component_id != required)
    screen.select_component(position)  # «Giữ các trang»: they go to the newly chosen component
    assert screen.component_id != required and screen.strip.count() == 1
    screen.open(other)  # «Bỏ các trang»
    assert screen.view.code == other and screen.strip.count() == 0
    assert len(asked) == 3 and code in asked[0]


def test_save_and_sign_with_a_pkcs12_certificate_shows_the_signer(
    qtbot, ctx, code, make_screen, signing_setup, monkeypatch
):
    prompts: list[str] = []

    def secret(_parent, _title, label):
        prompts.append(label)
        return PASSWORD

    monkeypatch.setattr(scan_sign_flow, "ask_secret", secret)
    screen = make_screen(RenderedScanner([text_page(1)]))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    press(
        qtbot,
        screen.strip,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert prompts == ["Mật khẩu của tệp chứng thư số:"]
    status = must_digitise(ctx, code)
    assert status.signed and status.signer == SIGNER
    row = screen.table.selectionModel().selectedRows()[0].row()
    assert screen.table.item(row, COLUMNS.index("Ký số")).text() == SIGNER
    assert f"đã ký số ({SIGNER})" in screen.message.text()
    assert screen.strip.count() == 0


def test_a_wrong_password_saves_nothing_and_keeps_the_pages(
    qtbot, ctx, code, make_screen, signing_setup, monkeypatch
):
    monkeypatch.setattr(scan_sign_flow, "ask_secret", lambda *_args: "sai-mat-khau")
    screen = make_screen(RenderedScanner([text_page(1), text_page(2)]))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    screen.save(sign=True)
    assert screen.message.text() == SIGN_MESSAGES["sign.password_incorrect"]
    assert screen.strip.count() == 2
    assert not must_digitise(ctx, code).digitised


def test_a_saved_component_is_signed_afterwards_with_ky_so(
    qtbot, ctx, code, make_screen, signing_setup, monkeypatch
):
    monkeypatch.setattr(scan_sign_flow, "ask_secret", lambda *_args: PASSWORD)
    screen = make_screen(RenderedScanner([text_page(1)]))
    open_by_barcode(qtbot, screen, code)
    assert not screen.sign_button.isEnabled()
    screen.scan()
    screen.save()
    assert screen.sign_button.isEnabled()
    press(qtbot, screen.strip, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    status = must_digitise(ctx, code)
    assert status.signed and status.signer == SIGNER and status.pages == 1
    assert not screen.sign_button.isEnabled()


def test_signing_without_a_signing_setup_explains_what_is_missing(
    qtbot, ctx, code, make_screen, monkeypatch
):
    monkeypatch.setattr(scan_sign_flow, "ask_secret", lambda *_args: pytest.fail("asked a PIN"))
    screen = make_screen(RenderedScanner([text_page(1)]))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    screen.save(sign=True)
    assert "chưa được cấu hình ký số" in screen.message.text()
    assert screen.strip.count() == 1


class HeldOcr:
    """An OCR queue whose results the test hands out."""

    def __init__(self) -> None:
        self.futures: list[Future[bytes]] = []

    def submit(self, pages) -> Future[bytes]:
        future: Future[bytes] = Future()
        self.futures.append(future)
        return future

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None:
        pass


@pytest.mark.skipif(not ocr_available(), reason="Tesseract with Vietnamese data is not installed")
def test_ocr_of_an_outdated_version_is_dropped_politely(qtbot, ctx, code, make_screen):
    ocr = HeldOcr()
    scanner = RenderedScanner([text_page(1)])
    screen = make_screen(scanner, ocr=ocr)
    open_by_barcode(qtbot, screen, code)
    assert screen.ocr_box.isEnabled()
    screen.ocr_box.setChecked(True)
    screen.scan()
    screen.save()
    assert "nhận dạng chữ ở chế độ nền" in screen.message.text()
    scanner.pages = [text_page(2), text_page(3)]
    screen.ocr_box.setChecked(False)
    screen.scan()
    screen.save()  # a newer version while the first OCR still runs
    ocr.futures[0].set_result(b"%PDF-1.7 text layer")
    assert "kết quả nhận dạng không được áp dụng" in screen.message.text()
    assert must_digitise(ctx, code).pages == 2


@pytest.mark.skipif(not ocr_available(), reason="Tesseract with Vietnamese data is not installed")
def test_background_ocr_adds_the_text_layer_after_the_save(qtbot, ctx, code, make_screen):
    lines = ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "Họ và tên: Nguyễn Thị Phương Thảo")
    page = render_text_page(lines, dpi=DPI, paper="A5", font_pt=16)
    screen = make_screen(RenderedScanner([page]))
    open_by_barcode(qtbot, screen, code)
    screen.ocr_box.setChecked(True)
    screen.scan()
    screen.save()
    qtbot.waitUntil(lambda: "Đã thêm lớp chữ" in screen.message.text(), timeout=60_000)
    with ctx.db.read() as session:
        current = session.scalars(
            select(DigitisedFile).where(DigitisedFile.current.is_(True))
        ).one()
        assert current.ocr and current.pages == 1


def test_pages_arrive_in_order_from_the_worker_thread(qtbot, ctx, code, make_screen):
    pages = [text_page(1), render_text_page(dpi=DPI, paper="A5"), text_page(2)]
    screen = make_screen(RenderedScanner(pages), op_runner=OpRunner())
    qtbot.waitUntil(lambda: screen.current_device() is not None)
    screen.open(code)
    qtbot.waitUntil(lambda: screen.view is not None)
    screen.scan()
    qtbot.waitUntil(lambda: not screen.scanning, timeout=20_000)
    heights = [p.height_px for p in screen.strip.pages()]
    assert len(heights) == 3 and heights[1] < heights[0] == heights[2]  # A5 in the middle


@pytest.fixture
def sane_test_backend(tmp_path_factory, monkeypatch):
    """SANE's `test` backend only, without touching /etc (ENVIRONMENT trap 8)."""
    try:
        from app.scanning import sane_backend
    except ImportError as missing:  # python-sane absent: say so instead of passing
        pytest.skip(f"app.scanning.sane_backend cannot be imported: {missing}")
    config = tmp_path_factory.mktemp("sane.d")
    (config / "dll.conf").write_text("test\n", encoding="ascii")
    shutil.copy("/etc/sane.d/test.conf", config / "test.conf")
    sane_backend.shutdown()  # libsane reads SANE_CONFIG_DIR at init
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    yield sane_backend.SaneScanner()
    sane_backend.shutdown()


@pytest.mark.skipif(sys.platform == "win32", reason="SANE exists only off Windows")
def test_a_flatbed_page_from_the_sane_test_backend_lands_in_the_strip(
    qtbot, ctx, code, make_screen, sane_test_backend
):
    screen = make_screen(sane_test_backend)
    assert "test:0" in [device.id for device in screen.devices]
    screen.device_box.setCurrentIndex([d.id for d in screen.devices].index("test:0"))
    screen.source_box.setCurrentIndex(screen.source_box.findData(Source.FLATBED))
    screen.mode_box.setCurrentIndex(screen.mode_box.findText("Xám"))
    open_by_barcode(qtbot, screen, code)
    screen.scan()
    assert screen.strip.count() == 1, screen.message.text()
    page = screen.strip.pages()[0]
    assert page.dpi == 200
    screen.save()
    assert must_digitise(ctx, code).pages == 1
