"""Looking into produced PDFs the way a reader and a scanner would: extracted text, page sizes,
embedded fonts, and barcodes decoded from a 200 dpi raster of the page (poppler + zxing-cpp)."""

from __future__ import annotations

import io
import subprocess
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
import zxingcpp
from PIL import Image
from pypdf import PdfReader

MM = 72 / 25.4
RASTER_DPI = 200


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace (including the line breaks of wrapped text) collapsed to single spaces."""
    return " ".join(text.split())


def all_text(pdf: bytes) -> str:
    text = flat(" ".join(page_texts(pdf)))
    assert unicodedata.is_normalized("NFC", text), "extracted text is not NFC"
    return text


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        box = page.mediabox
        sizes.append((round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)))
    return sizes


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use: base font name → embedded as a TrueType program (FontFile2)."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        if not font_dict:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = bool(descriptor) and "/FontFile2" in descriptor.get_object()
            found[str(font.get("/BaseFont"))] = embedded
    return found


def rasterize(pdf: bytes, page: int, dpi: int = RASTER_DPI) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-png",
                str(source),
                str(Path(folder) / "page"),
            ],
            check=True,
        )
        (png,) = Path(folder).glob("page*.png")
        return Image.open(png).convert("L").copy()


Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


def symbol_regions(pdf: bytes, page: int) -> dict[str, Box]:
    """Where the Code 128 symbol and the QR code are drawn on a page, from the PDF's rectangles.

    Code 128 bars all share one length (the bar height), whatever their thickness; the QR code's
    rectangles are runs of modules that all share one thickness (the module size)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        rects = [r for r in doc.pages[page - 1].rects if r["fill"]]

    def long_side(r: dict) -> float:
        return round(max(r["width"], r["height"]), 1)

    lengths = Counter(long_side(r) for r in rects if min(r["width"], r["height"]) < 3.5)
    regions: dict[str, Box] = {}
    bar_length = next((n for n, c in lengths.most_common() if n >= 20 and c >= 20), None)
    bars = [r for r in rects if bar_length and long_side(r) == bar_length]
    if bars:
        regions["code128"] = _bbox(bars)
    rest = [r for r in rects if r not in bars]
    thickness = Counter(round(r["height"], 2) for r in rest).most_common(1)
    if thickness:
        modules = [r for r in rest if round(r["height"], 2) == thickness[0][0]]
        if len(modules) > 50:
            regions["qr"] = _bbox(modules)
    return regions


def _bbox(rects: list[dict]) -> Box:
    return (
        min(r["x0"] for r in rects),
        min(r["top"] for r in rects),
        max(r["x1"] for r in rects),
        max(r["bottom"] for r in rects),
    )


def decode_region(
    image: Image.Image, box: Box, fmt: zxingcpp.BarcodeFormat, dpi: int = RASTER_DPI
) -> list[str]:
    """Decode `fmt` symbols in `box` (PDF points) of a page rasterised at `dpi`, with a margin
    of white around it as a scanner would see (the quiet zone is part of the symbol)."""
    scale = dpi / 72
    margin = 6 * MM
    x0, top, x1, bottom = box
    crop = image.crop(
        (
            max(0, int((x0 - margin) * scale)),
            max(0, int((top - margin) * scale)),
            min(image.width, int((x1 + margin) * scale)),
            min(image.height, int((bottom + margin) * scale)),
        )
    )
    return [r.text for r in zxingcpp.read_barcodes(crop, formats=fmt)]


def decode_symbols(pdf: bytes, page: int = 1) -> dict[str, list[str]]:
    """The texts decoded from the page's Code 128 and QR regions (each decoded on its own)."""
    image = rasterize(pdf, page)
    regions = symbol_regions(pdf, page)
    out: dict[str, list[str]] = {}
    if "code128" in regions:
        out["code128"] = decode_region(image, regions["code128"], zxingcpp.BarcodeFormat.Code128)
    if "qr" in regions:
        out["qr"] = decode_region(image, regions["qr"], zxingcpp.BarcodeFormat.QRCode)
    return out
