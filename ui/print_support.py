"""Printing a rendered PDF from the desktop: preview, printer per document type, open as PDF.

`PdfPrinter` is the interface screens use. `QtPdfPrinter` is the real one: a Qt print preview
whose pages are the PDF rasterised with pdfium at the printer's resolution, so what prints is
exactly the document the services rendered. Tests use `RecordingPdfPrinter` (no physical printer
can run here) behind the same interface.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSettings, QSizeF, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget


class PdfPrinter(Protocol):
    def print_pdf(self, parent: QWidget | None, pdf: bytes, doc_type: str, title: str) -> bool:
        """Show the preview and print; True if the officer printed it."""
        ...

    def open_pdf(self, pdf: bytes, file_name: str) -> Path:
        """Save the PDF to a temporary file and open it in the system viewer."""
        ...


def pdf_pages_as_images(pdf: bytes, dpi: int) -> list[QImage]:
    document = pdfium.PdfDocument(pdf)
    images = []
    for page in document:
        pil = page.render(scale=dpi / 72).to_pil().convert("RGB")
        data = pil.tobytes()
        image = QImage(data, pil.width, pil.height, 3 * pil.width, QImage.Format.Format_RGB888)
        images.append(image.copy())  # own the pixels: `data` goes away
    return images


def paint_pdf(printer: QPrinter, pdf: bytes) -> None:
    dpi = min(printer.resolution(), 300)
    painter = QPainter(printer)
    try:
        for number, image in enumerate(pdf_pages_as_images(pdf, dpi)):
            if number:
                printer.newPage()
            page = printer.pageLayout().paintRectPixels(printer.resolution())
            # Keep the page's proportions: the PDF already has the right paper size.
            ratio = min(page.width() / image.width(), page.height() / image.height())
            target = QRectF(0, 0, image.width() * ratio, image.height() * ratio)
            painter.drawImage(target, image)
    finally:
        painter.end()


def match_paper(printer: QPrinter, pdf: bytes) -> None:
    """Set the printer's paper to the PDF's first page (A5, A4 landscape, 80 mm roll)."""
    width, height = pdfium.PdfDocument(pdf)[0].get_size()
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

    def print_pdf(self, parent: QWidget | None, pdf: bytes, doc_type: str, title: str) -> bool:
        printer = self._printer_for(doc_type)
        printer.setDocName(title)
        match_paper(printer, pdf)
        preview = QPrintPreviewDialog(printer, parent)
        preview.setWindowTitle(f"Xem trước khi in — {title}")
        preview.paintRequested.connect(lambda p: paint_pdf(p, pdf))
        printed = preview.exec() == QPrintDialog.DialogCode.Accepted
        if printed and printer.printerName():
            self._settings.setValue(f"printers/{doc_type}", printer.printerName())
        return printed

    def open_pdf(self, pdf: bytes, file_name: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="motcua-pdf-"))
        path = folder / file_name
        path.write_bytes(pdf)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path


@dataclass
class RecordingPdfPrinter:
    """Stands in for a physical printer in tests: keeps what would have been printed."""

    accept: bool = True
    printed: list[tuple[str, str, bytes]] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def print_pdf(self, parent: QWidget | None, pdf: bytes, doc_type: str, title: str) -> bool:
        if self.accept:
            self.printed.append((doc_type, title, pdf))
        return self.accept

    def open_pdf(self, pdf: bytes, file_name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix="motcua-pdf-")) / file_name
        path.write_bytes(pdf)
        self.opened.append(path)
        return path
