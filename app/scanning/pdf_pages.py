"""PDF pages for the scanner inputs, each call into pdfium under the process-wide lock.

The file importer (PDFs a clerk picks or a copier drops into the watched folder) and the eSCL
client (scanners that answer with PDF pages) rasterise on worker threads, possibly while the
print preview does too (see app.pdfium_lock). Each function here is one locked unit that returns
plain values — sizes, a PIL image with its own pixels — and closes the pages and bitmaps it
opened, so a caller yielding pages between two calls never holds the lock while its consumer
works. Only the document outlives a call; `close_document` closes it under the lock too.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from app.pdfium_lock import PDFIUM_LOCK


def open_document(source: Path | bytes) -> pdfium.PdfDocument:
    """Raises pdfium.PdfiumError for a damaged or password-protected PDF."""
    with PDFIUM_LOCK:
        return pdfium.PdfDocument(source)


def close_document(document: pdfium.PdfDocument) -> None:
    """Also closes any page still open (pypdfium2 closes a document's pages with it)."""
    with PDFIUM_LOCK:
        document.close()


def page_count(document: pdfium.PdfDocument) -> int:
    with PDFIUM_LOCK:
        return len(document)


def page_size(document: pdfium.PdfDocument, index: int) -> tuple[float, float]:
    """Width and height of page `index`, in points."""
    with PDFIUM_LOCK:
        page = document[index]
        try:
            width, height = page.get_size()
        finally:
            page.close()
    return float(width), float(height)


def render_page(document: pdfium.PdfDocument, index: int, dpi: int, *, grey: bool) -> Image.Image:
    """Page `index` at `dpi`, in "L" when `grey` else "RGB", as an image that owns its pixels:
    to_pil() may share the bitmap's buffer (it does for grey pages), and the bitmap is closed
    here, under the lock, not by the garbage collector on some other thread."""
    with PDFIUM_LOCK:
        page = document[index]
        try:
            bitmap = page.render(scale=dpi / 72, grayscale=grey)
            try:
                image: Image.Image = bitmap.to_pil().copy()
            finally:
                bitmap.close()
        finally:
            page.close()
    return image
