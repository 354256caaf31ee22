"""Vietnamese OCR with the real tesseract `vie`: the invisible text layer lands on the right pages
at the right places, stays invisible, keeps the file PDF/A-2b, and runs in the background.

Two small pages (a 300 dpi colour strip and a 200 dpi black-and-white one) keep OCR to about a
second for the module; a stand-in tesseract script plays the hung process for cancellation."""

from __future__ import annotations

import io
import stat
import time
import unicodedata
from concurrent.futures import Future
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from app.scanning import ocr, pdf, pdf_facts
from app.scanning.model import ProcessedPage
from tests.app.scanning.test_pdf import FONT, META, MM, g4_page, jpeg_page
from tests.printing.pdf_checks import rasterize

COLOUR_LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY KHAI SINH",
    "Họ và tên: Nguyễn Thị Hoà Bình",
)
BW_LINES = ("Ủy ban nhân dân xã Tân Phong", "Số: 123/2026/QĐ-UBND")
# Distinctive words; OCR may miss one of each page, not more.
COLOUR_WORDS = {"CỘNG", "HÒA", "NGHĨA", "VIỆT", "Độc", "Hạnh", "phúc", "GIẤY", "KHAI", "Nguyễn"}
BW_WORDS = {"Ủy", "ban", "nhân", "dân", "Tân", "Phong"}


def text_page(lines: tuple[str, ...], size_mm: tuple[float, float], dpi: int, mode: str):
    """The page image and, for each line, its bounding box in PDF points from the top left."""
    width, height = (round(mm * dpi / 25.4) for mm in size_mm)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(14 * dpi / 72))
    boxes = []
    y = round(8 * dpi / 25.4)
    for line in lines:
        x0, top, x1, bottom = draw.textbbox((round(10 * dpi / 25.4), y), line, font=font)
        draw.text((round(10 * dpi / 25.4), y), line, font=font, fill=0)
        boxes.append(tuple(v * 72 / dpi for v in (x0, top, x1, bottom)))
        y += round(14 * 1.6 * dpi / 72)
    return image.convert(mode), boxes


@pytest.fixture(scope="module")
def scanned():
    colour, colour_boxes = text_page(COLOUR_LINES, (148, 45), 300, "RGB")
    bw, _ = text_page(BW_LINES, (148, 30), 200, "1")
    return [jpeg_page(colour, 300), g4_page(bw, 200)], colour_boxes


@pytest.fixture(scope="module")
def layer(scanned) -> bytes:
    return ocr.text_layer(scanned[0])


@pytest.fixture(scope="module")
def assembled(scanned, layer) -> bytes:
    return pdf.assemble(scanned[0], META, ocr_text_pdf=layer)


def words_of(data: bytes, index: int) -> list[dict]:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return doc.pages[index].extract_words()


def test_text_layer_has_one_page_per_page_of_the_same_size(scanned, layer):
    pages: list[ProcessedPage] = scanned[0]
    with pikepdf.open(io.BytesIO(layer)) as doc:
        assert len(doc.pages) == 2
        for page, source in zip(doc.pages, pages, strict=True):
            box = pikepdf.Rectangle(page.mediabox)
            assert box.width == pytest.approx(source.width_px * 72 / source.dpi, abs=0.5)
            assert box.height == pytest.approx(source.height_px * 72 / source.dpi, abs=0.5)
            assert not page.get_images()  # text only: the scanned image is not duplicated


def test_vietnamese_words_are_searchable_in_the_component_pdf(assembled):
    for index, expected in ((0, COLOUR_WORDS), (1, BW_WORDS)):
        found = {unicodedata.normalize("NFC", w["text"]) for w in words_of(assembled, index)}
        missing = expected - found
        assert len(missing) <= 1, f"page {index + 1}: OCR missed {missing}"


def test_recognised_words_sit_over_their_image(scanned, assembled):
    _, boxes = scanned
    x0, top, x1, bottom = boxes[2]  # "GIẤY KHAI SINH"
    words = [w for w in words_of(assembled, 0) if w["text"] in {"GIẤY", "KHAI", "SINH"}]
    assert words
    tolerance = 2 * MM
    for word in words:
        assert x0 - tolerance <= word["x0"] and word["x1"] <= x1 + tolerance
        assert top - tolerance <= word["top"] and word["bottom"] <= bottom + tolerance


def test_text_layer_is_invisible(scanned, assembled):
    without = pdf.assemble(scanned[0], META)
    for page in (1, 2):
        difference = ImageChops.difference(
            rasterize(without, page, 40), rasterize(assembled, page, 40)
        )
        assert difference.getbbox() is None


def test_component_with_text_layer_is_still_pdfa_2b(assembled, scanned):
    facts = pdf_facts.inspect(assembled, validate=True)
    assert facts.unembedded_fonts == ()
    assert facts.problems == ()
    assert facts.validator_passed, facts.validator_findings
    # and the page images are still the scanner's bytes
    with pikepdf.open(io.BytesIO(assembled)) as doc:
        image = next(iter(doc.pages[0].get_images().values()))  # recurses into forms
        assert image.read_raw_bytes() == scanned[0][0].data


# ----------------------------------------------------------------------------- the queue


def test_queue_hands_back_a_future_of_the_text_layer(scanned):
    with ocr.OcrQueue() as queue:
        assert queue.workers == 1 and queue.language == "vie"
        future = queue.submit(scanned[0][1:])
        assert isinstance(future, Future)
        data = future.result(timeout=120)
    with pikepdf.open(io.BytesIO(data)) as doc:
        assert len(doc.pages) == 1


def test_language_not_installed_fails_the_future_with_its_code(scanned):
    with ocr.OcrQueue(language="klingon") as queue:
        error = queue.submit(scanned[0]).exception(timeout=60)
    assert isinstance(error, ocr.OcrError) and error.code == "ocr.language_missing"


def test_missing_tesseract_is_reported(scanned, tmp_path):
    absent = str(tmp_path / "tesseract")
    with pytest.raises(ocr.OcrError) as error:
        ocr.text_layer(scanned[0], tesseract_cmd=absent)
    assert error.value.code == "ocr.unavailable"
    assert not ocr.ocr_available(tesseract_cmd=absent)
    assert ocr.ocr_available()


def test_no_pages_is_refused():
    with pytest.raises(ocr.OcrError) as error:
        ocr.text_layer([])
    assert error.value.code == "ocr.no_pages"


@pytest.fixture
def hung_tesseract(tmp_path, monkeypatch) -> tuple[str, Path]:
    """A stand-in tesseract that lists `vie` and then hangs on any page."""
    started = tmp_path / "started"
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then echo "List of available languages (1):"; '
        "echo vie; exit 0; fi\n"
        'touch "$OCR_TEST_STARTED"\n'
        "exec sleep 60\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("OCR_TEST_STARTED", str(started))
    return str(script), started


def test_shutdown_stops_the_running_tesseract_and_drops_waiting_jobs(scanned, hung_tesseract):
    program, started = hung_tesseract
    queue = ocr.OcrQueue(tesseract_cmd=program)
    running = queue.submit(scanned[0])
    waiting = queue.submit(scanned[0])
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists()
    queue.shutdown(wait=True, cancel_running=True)
    error = running.exception(timeout=5)
    assert isinstance(error, ocr.OcrError) and error.code == "ocr.cancelled"
    assert waiting.cancelled()


def test_a_hung_tesseract_times_out(scanned, hung_tesseract):
    program, _ = hung_tesseract
    with pytest.raises(ocr.OcrError) as error:
        ocr.text_layer(scanned[0], tesseract_cmd=program, page_timeout_s=0.3)
    assert error.value.code == "ocr.timeout"


def test_the_frozen_bundle_gives_tesseract_the_library_path_it_started_with(monkeypatch):
    from app.scanning.ocr import program_env

    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/motcua/_internal")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    assert program_env()["LD_LIBRARY_PATH"] == "/opt/motcua/_internal"  # not frozen: untouched
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert program_env(OMP_THREAD_LIMIT="1")["LD_LIBRARY_PATH"] == "/usr/local/lib"
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG")
    assert "LD_LIBRARY_PATH" not in program_env()
