"""PDF pages as pixels for the preview and the printer: the bands a printer gets tile each page
exactly, and a page painted in bands prints whole (no light line where two bands meet)."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen import canvas

from ui.pdf_raster import BAND_PIXELS, PREVIEW_DPI, page_bands, paint_bands, preview_images
from ui.print_support import match_paper


def _pdf(pages: list[tuple[float, float]], black: bool = False) -> bytes:
    """Pages of the given sizes, each with a frame and a line of text, or all black."""
    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    for number, (width, height) in enumerate(pages, 1):
        drawing.setPageSize((width, height))
        if black:
            drawing.rect(0, 0, width, height, stroke=0, fill=1)
        else:
            drawing.rect(20, 20, width - 40, height - 40)
            drawing.drawString(40, height / 2, f"Trang {number}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def _pixels(image: QImage) -> np.ndarray:
    """An RGB32 image as a height × width × 4 array (its own copy)."""
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


def _whole_page(pdf: bytes, index: int, dpi: int) -> np.ndarray:
    page = pdfium.PdfDocument(pdf)[index]
    bgrx = page.render(scale=dpi / 72, prefer_bgrx=True).to_numpy()  # RGB32's byte order
    return bgrx[:, :, :3]


def test_the_bands_of_each_page_tile_it_exactly_as_one_whole_render():
    pdf = _pdf([A5, landscape(A4)])
    dpi = 300
    bands = list(page_bands(pdf, dpi))
    assert [b.page for b in bands] == sorted(b.page for b in bands)  # page after page
    for index in (0, 1):
        mine = [b for b in bands if b.page == index]
        whole = _whole_page(pdf, index, dpi)
        assert (mine[0].height, mine[0].width) == whole.shape[:2]
        assert len(mine) > 1 and all(
            b.image.width() * b.image.height() <= BAND_PIXELS + b.width for b in mine
        )
        tiled = np.zeros_like(whole)
        for band in mine:
            rows = _pixels(band.image)[:, :, :3]
            tiled[band.top : band.top + rows.shape[0]] = rows
        assert mine[-1].top + mine[-1].image.height() == mine[0].height  # down to the last row
        # Anti-aliasing may differ by one level where a band starts; never a shifted row.
        assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_a_page_painted_in_bands_prints_whole_on_the_paper_of_the_pdf(qtbot, tmp_path):
    pdf = _pdf([A5, A5], black=True)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    match_paper(printer, A5)
    assert paint_bands(printer, pdf)
    printed = pdfium.PdfDocument(out.read_bytes())
    assert len(printed) == 2
    width, height = printed[0].get_size()
    assert abs(width * 25.4 / 72 - 148) < 2 and abs(height * 25.4 / 72 - 210) < 2
    for dpi in (97, 203):  # odd resolutions: band edges fall between device pixels
        gray = printed[0].render(scale=dpi / 72, grayscale=True).to_numpy()
        ink = np.argwhere(gray < 128)
        (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0)
        inside = gray[top + 1 : bottom, left + 1 : right]
        assert inside.max() < 64, "a light line inside a black page"


def test_preview_images_are_every_page_at_the_preview_resolution_in_rgb32():
    pdf = _pdf([A5, A5, A5])
    images = preview_images(pdf)
    assert len(images) == 3
    assert {i.format() for i in images} == {QImage.Format.Format_RGB32}
    assert abs(images[0].width() - 148 / 25.4 * PREVIEW_DPI) < 2
