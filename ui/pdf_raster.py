"""PDF pages as pixels, off the UI thread: images for the print preview, bands for the printer.

pdfium draws the PDF the services rendered, so what is previewed and printed is exactly that
document: at `PREVIEW_DPI` for the screen, at the printer's resolution (at most 300 dpi) when
printing. Both run on worker threads (Qt allows a QPainter on a QImage or a QPrinter there; a
QPixmap or a widget only on the UI thread, so none is used).

Three rules keep the UI thread's Python responsive meanwhile:
- pdfium is not thread-safe, not even across documents (pypdfium2's documentation): every call
  into it holds app.pdfium_lock's lock, the one the scanner inputs (PDF import, eSCL) take too,
  and pages and bitmaps are closed under it, not by the garbage collector on whichever thread;
- PySide keeps the GIL during a Qt call (drawImage included), and a printer engine takes ~10 ms
  per million pixels (compressing them for the spooler): a page goes to the printer in bands of
  about BAND_PIXELS, each rendered by pdfium on its own, so no call holds the GIL long and no
  page-sized buffer (26 MB for A4 at 300 dpi) is allocated or copied;
- a worker that keeps calling into Qt wins every race for the GIL (measured: the UI thread's
  handlers waited 100 ms and more); a zero sleep between calls hands it over when the UI waits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

from app.pdfium_lock import PDFIUM_LOCK

# One image pixel per screen pixel at 100 % zoom on a Windows screen scaled to 125 %; a 57-page
# logbook then holds about 320 MB of preview images while the dialog is open (1.5 GB at 300 dpi).
PREVIEW_DPI = 120
# Enough for the barcodes (a 0.25 mm module needs 200 dpi or more) and crisp text.
MAX_PRINT_DPI = 300
BAND_PIXELS = 1_000_000


def _let_the_ui_thread_in() -> None:
    """Hand the GIL over if the UI thread is waiting for it (see the module's docstring)."""
    time.sleep(0)


def first_page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height of the first page, in points."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            width, height = page.get_size()
            page.close()
        finally:
            document.close()
    return width, height


def preview_images(pdf: bytes, dpi: int = PREVIEW_DPI) -> tuple[QImage, ...]:
    """Every page as an RGB32 image: the format Qt's preview records as is (an RGB888 image it
    converts on the UI thread, about 25 ms a page)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        count = len(document)
    images: list[QImage] = []
    try:
        for index in range(count):
            with PDFIUM_LOCK:
                page = document[index]
                images.append(_as_image(page.render(scale=dpi / 72, rev_byteorder=True)))
                page.close()
            _let_the_ui_thread_in()
    finally:
        with PDFIUM_LOCK:
            document.close()
    return tuple(images)


@dataclass(frozen=True)
class Band:
    """Rows `top`… of page `page`, which is `width` × `height` pixels at the rendering dpi."""

    page: int
    width: int
    height: int
    top: int
    image: QImage


def page_bands(pdf: bytes, dpi: int) -> Iterator[Band]:
    """The pages as horizontal bands of about BAND_PIXELS, top to bottom, page after page. Each
    band reaches one row into the next one, drawn over it: a printer driver rounding each band's
    edges to whole dots cannot leave a white line between two bands."""
    scale = dpi / 72
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf)
        count = len(document)
    try:
        for index in range(count):
            with PDFIUM_LOCK:
                page = document[index]
                width_pt, height_pt = page.get_size()
            # As pypdfium2 sizes a whole-page bitmap, so the bands tile it exactly.
            width, height = math.ceil(width_pt * scale), math.ceil(height_pt * scale)
            rows = max(1, BAND_PIXELS // width)
            try:
                for top in range(0, height, rows):
                    bottom = min(height, top + rows + 1)
                    crop = (0, _crop_points(height - bottom, scale), 0, _crop_points(top, scale))
                    with PDFIUM_LOCK:
                        bitmap = page.render(scale=scale, crop=crop, rev_byteorder=True)
                        image = _as_image(bitmap)
                    yield Band(index, width, height, top, image)
                    _let_the_ui_thread_in()
            finally:
                with PDFIUM_LOCK:
                    page.close()
    finally:
        with PDFIUM_LOCK:
            document.close()


def _crop_points(pixels: int, scale: float) -> float:
    # pypdfium2 turns a crop into ceil(points × scale) pixels: half a pixel less cannot round up
    # to one pixel too many, whatever the floating-point error.
    return (pixels - 0.5) / scale if pixels else 0.0


def _as_image(bitmap: pdfium.PdfBitmap) -> QImage:
    """An RGB32 QImage with its own pixels; closes the bitmap (the caller holds the lock)."""
    view = QImage(
        bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888
    )
    image = view.convertToFormat(QImage.Format.Format_RGB32)  # a copy: pdfium's buffer goes
    bitmap.close()
    return image


def paint_images(printer: QPrinter, images: Iterable[QImage]) -> bool:
    """One ready image per page, as large as the printable area allows (the preview's pass, on
    the UI thread); False if the printer would not start."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        for number, image in enumerate(images):
            if number:
                printer.newPage()
            ratio = _fit(printer, image.width(), image.height())
            painter.drawImage(QRectF(0, 0, image.width() * ratio, image.height() * ratio), image)
    finally:
        painter.end()
    return True


def paint_bands(printer: QPrinter, pdf: bytes) -> bool:
    """Rasterise `pdf` at the printer's resolution and paint it, band by band (a worker's job);
    False if the printer would not start."""
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        for band in page_bands(pdf, dpi):
            if band.page and not band.top:
                printer.newPage()
            ratio = _fit(printer, band.width, band.height)
            target = QRectF(
                0, band.top * ratio, band.image.width() * ratio, band.image.height() * ratio
            )
            painter.drawImage(target, band.image)
    finally:
        painter.end()
    return True


def _fit(printer: QPrinter, width: int, height: int) -> float:
    """The scale of a page image on the printable area, keeping the page's proportions (the PDF
    already has the right paper size)."""
    page = printer.pageLayout().paintRectPixels(printer.resolution())
    return min(page.width() / width, page.height() / height)
