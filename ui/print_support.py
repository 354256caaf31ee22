"""Printing a rendered PDF from the desktop: preview, printer per document type, open as PDF.

`PdfPrinter` is the interface the print flow uses, in three steps so that nothing slow runs on the
UI thread (issue 4): `prepare` runs on a worker thread and rasterises the pages for the preview;
`preview` runs on the UI thread, shows those ready images in Qt's modal print preview and, when the
officer confirms, returns the job that sends the document to the chosen printer; the flow runs
that job on a worker thread again (the rasterising and its threading rules: `ui/pdf_raster.py`).
`QtPdfPrinter` is the real one; tests use `RecordingPdfPrinter` (no physical printer can run
here) behind the same interface.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings, QSizeF, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPaintEngine
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from app.domain.errors import ConfigurationError
from ui.pdf_raster import first_page_size, paint_bands, paint_images, preview_images

SendToPrinter = Callable[[], None]
"""Paints the document onto the printer the officer chose; run it on a worker thread."""


@dataclass(frozen=True)
class PreparedPdf:
    """A PDF made ready for the preview off the UI thread."""

    pdf: bytes
    page_size: tuple[float, float]  # the first page's width and height, in points
    images: tuple[QImage, ...]  # every page at PREVIEW_DPI (empty where no preview is shown)


class PdfPrinter(Protocol):
    def prepare(self, pdf: bytes) -> PreparedPdf:
        """On a worker thread: what the preview needs that takes time (the page images)."""
        ...

    def preview(
        self, parent: QWidget | None, document: PreparedPdf, doc_type: str, title: str
    ) -> SendToPrinter | None:
        """On the UI thread: show the preview; the print job if the officer confirmed it."""
        ...

    def open_pdf(self, pdf: bytes, file_name: str) -> Path:
        """Save the PDF to a temporary file and open it in the system viewer."""
        ...


def prepare_pdf(pdf: bytes) -> PreparedPdf:
    """The preview's page images and paper size (a worker thread's job)."""
    return PreparedPdf(pdf, first_page_size(pdf), preview_images(pdf))


def match_paper(printer: QPrinter, page_size: tuple[float, float]) -> None:
    """Set the printer's paper to the PDF's first page (A5, A4 landscape, 80 mm roll)."""
    width, height = page_size
    size = QPageSize(
        QSizeF(min(width, height), max(width, height)),
        QPageSize.Unit.Point,
        "",
        QPageSize.SizeMatchPolicy.FuzzyMatch,
    )
    printer.setPageSize(size)
    landscape = width > height
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )


def is_preview_pass(printer: QPrinter) -> bool:
    """True while Qt's print preview records the pages to show them: it swaps a picture engine
    into the printer. When the officer confirms, it asks again with the printer's own engine."""
    engine = printer.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.Picture


def paint_preview(printer: QPrinter, images: tuple[QImage, ...]) -> None:
    """The preview dialog's paintRequested handler, on the UI thread: ready images only. The
    pass that would print is skipped: the job `preview` returns prints from a worker thread."""
    if is_preview_pass(printer):
        paint_images(printer, images)


def paint_pdf(printer: QPrinter, pdf: bytes) -> None:
    """Send `pdf` to `printer`, rasterised at its resolution (a worker thread's job)."""
    if not paint_bands(printer, pdf):
        name = printer.printerName() or printer.outputFileName()
        raise ConfigurationError(
            "print.printer_unavailable",
            f"Không gửi được bản in tới máy in «{name}». Hãy kiểm tra máy in (nguồn điện, "
            "giấy, kết nối) rồi in lại.",
            printer=name,
        )


class QtPdfPrinter:
    """The real printer path; remembers the printer chosen per document type."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def _printer_for(self, doc_type: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        saved = str(self._settings.value(f"printers/{doc_type}", ""))
        if saved and saved in QPrinterInfo.availablePrinterNames():
            printer.setPrinterName(saved)
        return printer

    def prepare(self, pdf: bytes) -> PreparedPdf:
        return prepare_pdf(pdf)

    def preview(
        self, parent: QWidget | None, document: PreparedPdf, doc_type: str, title: str
    ) -> SendToPrinter | None:
        printer = self._printer_for(doc_type)
        printer.setDocName(title)
        match_paper(printer, document.page_size)
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.setWindowTitle(f"Xem trước khi in — {title}")
        dialog.paintRequested.connect(lambda p: paint_preview(p, document.images))
        try:
            confirmed = dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            # Its page pictures share the images: free them now, not with the main window.
            dialog.deleteLater()
        if not confirmed:
            return None
        if printer.printerName():
            self._settings.setValue(f"printers/{doc_type}", printer.printerName())
        pdf = document.pdf
        return lambda: paint_pdf(printer, pdf)

    def open_pdf(self, pdf: bytes, file_name: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="motcua-pdf-"))
        path = folder / file_name
        path.write_bytes(pdf)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path


@dataclass
class RecordingPdfPrinter:
    """Stands in for a physical printer in tests: keeps what would have been printed. It shows
    no preview, so it makes no page images."""

    accept: bool = True
    printed: list[tuple[str, str, bytes]] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def prepare(self, pdf: bytes) -> PreparedPdf:
        return PreparedPdf(pdf, first_page_size(pdf), ())

    def preview(
        self, parent: QWidget | None, document: PreparedPdf, doc_type: str, title: str
    ) -> SendToPrinter | None:
        if not self.accept:
            return None
        return lambda: self.printed.append((doc_type, title, document.pdf))

    def open_pdf(self, pdf: bytes, file_name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix="motcua-pdf-")) / file_name
        path.write_bytes(pdf)
        self.opened.append(path)
        return path
