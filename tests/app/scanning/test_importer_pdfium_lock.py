"""pdfium is not thread-safe: every caller — the PDF importer, the eSCL client and the print
preview/printer (ui.pdf_raster) — holds the one lock of app.pdfium_lock for each call, never
while a consumer works on a page it was handed, and their results stay right when they run at
the same time. Real PDFs, a real eSCL server on 127.0.0.1, pdfium itself."""

from __future__ import annotations

import functools
import gc
import io
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from PySide6.QtGui import QImage
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from app.pdfium_lock import PDFIUM_LOCK
from app.scanning.escl import EsclScanner
from app.scanning.importer import FileImporter, WatchedFolder
from app.scanning.model import ColourMode, ScanError, ScanSettings, Source
from tests.app.scanning.escl_server import EsclTestServer
from ui.pdf_raster import first_page_size, page_bands, preview_images

SETTINGS = ScanSettings(dpi=100)
_C_FUNCTION = type(pdfium_raw.FPDF_GetPageCount)  # how ctypes represents a library function
GREY = ScanSettings(dpi=100, mode=ColourMode.GRAY)
FEEDER_PDF = ScanSettings(source=Source.ADF, mode=ColourMode.GRAY, dpi=100, paper="A5")


def numbered_pdf(pages: int, size: tuple[float, float] = A5) -> bytes:
    """Pages whose black bar grows with the page number: a page rendered from the wrong page,
    or half-drawn, differs from the right one."""
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=size)
    width, height = size
    for number in range(1, pages + 1):
        drawing.rect(30, height - 60 - 25 * number, width - 60, 25 * number, stroke=0, fill=1)
        drawing.drawString(40, 40, f"Trang {number}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def qimage_pixels(image: QImage) -> np.ndarray:
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 4].copy()


def lock_is_free_for_another_thread() -> bool:
    """Whether some other thread could enter pdfium now. Asked from another thread because the
    lock is re-entrant: the consumer's own thread would get it even while the generator it
    iterates holds it."""
    answer: list[bool] = []

    def try_lock() -> None:
        acquired = PDFIUM_LOCK.acquire(blocking=False)
        if acquired:
            PDFIUM_LOCK.release()
        answer.append(acquired)

    probe = threading.Thread(target=try_lock)
    probe.start()
    probe.join()
    return answer == [True]


@dataclass
class PdfiumCalls:
    """Names of the pdfium functions called, by whether the calling thread held the lock."""

    outside_lock: list[str] = field(default_factory=list)
    under_lock: list[str] = field(default_factory=list)


@pytest.fixture
def pdfium_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[PdfiumCalls]:
    """Every pdfium function is wrapped to record its calls (pypdfium2 looks them up in
    pypdfium2.raw at each call, and its finalizers keep the function given at creation)."""
    calls = PdfiumCalls()

    def checked(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            # RLock._is_owned(): whether *this* thread holds it (what threading.Condition uses).
            held = PDFIUM_LOCK._is_owned()  # type: ignore[attr-defined]
            (calls.under_lock if held else calls.outside_lock).append(name)
            return function(*args, **kwargs)

        return call

    for name in dir(pdfium_raw):
        function = getattr(pdfium_raw, name)
        if name.startswith(("FPDF", "FORM_", "FSDK_")) and isinstance(function, _C_FUNCTION):
            monkeypatch.setattr(pdfium_raw, name, checked(name, function))
    yield calls
    gc.collect()  # the finalizers of anything left unclosed run now, while still checked
    assert calls.outside_lock == [], "pdfium called without the lock by a finalizer"


def test_the_check_sees_a_pdfium_call_made_without_the_lock(pdfium_calls: PdfiumCalls) -> None:
    document = pdfium.PdfDocument(numbered_pdf(1))  # deliberately without the lock
    with PDFIUM_LOCK:
        document.close()

    assert any(name.startswith("FPDF_Load") for name in pdfium_calls.outside_lock)
    assert "FPDF_CloseDocument" in pdfium_calls.under_lock
    pdfium_calls.outside_lock.clear()  # the fixture's own final check is about the rest


def test_import_scan_preview_and_print_call_pdfium_only_under_the_shared_lock(
    tmp_path: Path, escl_server: EsclTestServer, qapp: object, pdfium_calls: PdfiumCalls
) -> None:
    data = numbered_pdf(3)
    pdf = write(tmp_path / "ho-so.pdf", data)
    locked = tmp_path / "khoa.pdf"
    with pikepdf.open(pdf) as opened:
        opened.save(locked, encryption=pikepdf.Encryption(user="1234", owner="5678"))
    folder = tmp_path / "thu-muc-quet"
    folder.mkdir()
    escl_server.formats = ("application/pdf",)

    assert len(list(FileImporter().import_files([pdf], SETTINGS))) == 3
    assert len(list(FileImporter().import_files([pdf], GREY))) == 3
    with pytest.raises(ScanError):  # refused while checked: the error paths close under it too
        list(FileImporter().import_files([locked], SETTINGS))
    dropped = FileImporter().import_files([pdf], SETTINGS)
    next(dropped)
    assert isinstance(dropped, Generator)
    dropped.close()  # a clerk cancelling after the first page: the document closes then
    forgotten = FileImporter().import_files([pdf], SETTINGS)
    next(forgotten)
    del forgotten  # dropped without close(): the garbage collector runs its finally
    gc.collect()
    assert len(list(WatchedFolder(folder).import_file(write(folder / "a.pdf", data), GREY))) == 3
    assert len(list(EsclScanner(max_retry_wait_s=0.01).scan(escl_server.url, FEEDER_PDF))) == 5
    assert first_page_size(data) == pytest.approx(A5)
    assert len(preview_images(data, dpi=50)) == 3
    assert {band.page for band in page_bands(data, 100)} == {0, 1, 2}

    assert pdfium_calls.outside_lock == []
    assert {"FPDF_RenderPageBitmap", "FPDF_ClosePage", "FPDF_CloseDocument"} <= set(
        pdfium_calls.under_lock
    )


@pytest.mark.parametrize("source", ["import", "watched-folder", "escl", "print-bands"])
def test_the_lock_is_free_while_the_consumer_works_on_a_page(
    source: str, tmp_path: Path, escl_server: EsclTestServer, qapp: object
) -> None:
    data = numbered_pdf(4)
    pages: Iterator[object]
    if source == "import":
        pages = FileImporter().import_files([write(tmp_path / "a.pdf", data)], SETTINGS)
    elif source == "watched-folder":
        pages = WatchedFolder(tmp_path).import_file(write(tmp_path / "a.pdf", data), SETTINGS)
    elif source == "escl":
        escl_server.formats = ("application/pdf",)
        pages = EsclScanner(max_retry_wait_s=0.01).scan(escl_server.url, FEEDER_PDF)
    else:
        pages = page_bands(data, 100)

    handed = 0
    for _page in pages:
        handed += 1
        assert lock_is_free_for_another_thread(), f"lock held at page {handed}"

    assert handed >= 4


def test_a_pdf_import_and_a_print_preview_side_by_side_both_come_out_right(
    tmp_path: Path, qapp: object
) -> None:
    """Run many times at once from two threads (a PDF import during a print). Without the
    shared lock this is pdfium entered from two threads; with it, each result must equal the
    one rendered alone."""
    imported_pdf = write(tmp_path / "nhap.pdf", numbered_pdf(5))
    printed_pdf = numbered_pdf(4, size=(420.0, 595.0))

    def import_pages() -> list[np.ndarray]:
        return [
            np.asarray(page.image) for page in FileImporter().import_files([imported_pdf], GREY)
        ]

    def preview_pages() -> list[np.ndarray]:
        return [qimage_pixels(image) for image in preview_images(printed_pdf, dpi=90)]

    expected_import, expected_preview = import_pages(), preview_pages()
    assert len({page.tobytes() for page in expected_import}) == 5  # five different pages
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(work: Callable[[], list[np.ndarray]], expected: list[np.ndarray]) -> None:
        try:
            for _round in range(15):
                start.wait()
                got = work()
                assert len(got) == len(expected)
                for page, (mine, right) in enumerate(zip(got, expected, strict=True), 1):
                    assert np.array_equal(mine, right), f"page {page} differs"
        except BaseException as error:  # re-raised on the test's thread below
            start.abort()
            errors.append(error)

    workers = [
        threading.Thread(target=run, args=(import_pages, expected_import)),
        threading.Thread(target=run, args=(preview_pages, expected_preview)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)  # not a speed check: a deadlock must fail, not hang the suite
    assert not any(worker.is_alive() for worker in workers), "deadlocked"

    assert not errors, errors
