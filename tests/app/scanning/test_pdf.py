"""Component PDFs: pages pass through untouched, the conversion mark is readable and visible, the
metadata comes back, and the file is PDF/A-2b as far as pikepdf's allowlist validator (built on
the veraPDF rules) can tell; `file_name` follows DOMAIN §6."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont, TiffImagePlugin
from reportlab.pdfgen.canvas import Canvas

from app.domain.clock import VN_TZ
from app.scanning import pdf, pdf_facts
from app.scanning.model import CONVERSION_MARK_TEXT, ComponentMeta, PageFormat, ProcessedPage
from resources import resource_path
from tests.printing.pdf_checks import flat, rasterize

MM = 72 / 25.4
FONT = str(resource_path("fonts", "LiberationSerif-Regular.ttf"))

META = ComponentMeta(
    dossier_code="000.00.20.H12-261123-0001",
    procedure_code="1.001193",
    component_position=2,
    component_name="Giấy khai sinh (bản sao)",
    original=False,
    digitised_by="Nguyễn Thị Hoà Bình",
    unit_name="Trung tâm Phục vụ hành chính công xã Tân Phong",
    digitised_at=datetime(2026, 11, 23, 9, 5, 42, tzinfo=VN_TZ),
)


def page_image(width: int, height: int, mode: str = "RGB", text: str = "") -> Image.Image:
    image = Image.new(mode, (width, height), "white" if mode != "1" else 1)
    if text:
        font = ImageFont.truetype(FONT, max(12, height // 40))
        ImageDraw.Draw(image).text((width // 10, height // 10), text, font=font, fill=0)
    return image


def jpeg_page(image: Image.Image, dpi: int) -> ProcessedPage:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=75, dpi=(dpi, dpi))
    return ProcessedPage(buffer.getvalue(), PageFormat.JPEG, image.width, image.height, dpi)


def g4_page(image: Image.Image, dpi: int) -> ProcessedPage:
    buffer = io.BytesIO()
    image.convert("1").save(buffer, "TIFF", compression="group4", dpi=(dpi, dpi), strip_size=2**30)
    return ProcessedPage(buffer.getvalue(), PageFormat.TIFF_G4, image.width, image.height, dpi)


def a5_pages() -> list[ProcessedPage]:
    """Colour A5 at 150 dpi, grey A5 at 200 dpi, black-and-white A5 at 150 dpi."""
    return [
        jpeg_page(page_image(874, 1240, "RGB", "Giấy khai sinh"), 150),
        jpeg_page(page_image(1165, 1654, "L", "Trang hai"), 200),
        g4_page(page_image(874, 1240, "1", "Trang ba"), 150),
    ]


@pytest.fixture(scope="module")
def pages() -> list[ProcessedPage]:
    return a5_pages()


@pytest.fixture(scope="module")
def component_pdf(pages: list[ProcessedPage]) -> bytes:
    return pdf.assemble(pages, META)


def page_text(data: bytes, index: int) -> str:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return flat(doc.pages[index].extract_text() or "")


def image_streams(data: bytes) -> list[pikepdf.Stream]:
    """The one image XObject of each page, in page order."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            (image,) = [
                x for x in page.Resources.XObject.values() if x.Subtype == pikepdf.Name.Image
            ]
            filters = image.Filter if isinstance(image.Filter, pikepdf.Array) else [image.Filter]
            parms = image.get("/DecodeParms")
            parms = parms[0] if isinstance(parms, pikepdf.Array) else parms
            found.append((image.read_raw_bytes(), list(filters), parms, int(image.Width)))
    return found


# ----------------------------------------------------------------------------- pages


def test_one_pdf_page_per_scanned_page_sized_from_its_dpi(component_pdf, pages):
    facts = pdf_facts.inspect(component_pdf)
    assert facts.pages == 3
    for (width_pt, height_pt), page in zip(facts.page_sizes_pt, pages, strict=True):
        assert width_pt == pytest.approx(page.width_px * 72 / page.dpi, abs=0.01)
        assert height_pt == pytest.approx(page.height_px * 72 / page.dpi, abs=0.01)
    # 874 px at 150 dpi and 1165 px at 200 dpi are both A5: 148 × 210 mm.
    assert facts.page_sizes_pt[1][0] / MM == pytest.approx(148, abs=0.2)


def test_jpeg_pages_are_embedded_byte_for_byte(component_pdf, pages):
    streams = image_streams(component_pdf)
    for (raw, filter_, _, _), page in zip(streams[:2], pages[:2], strict=True):
        assert filter_ == [pikepdf.Name.DCTDecode]
        assert raw == page.data


def test_black_and_white_page_keeps_its_ccitt_g4_data(component_pdf, pages):
    raw, filter_, parms, width = image_streams(component_pdf)[2]
    assert filter_ == [pikepdf.Name.CCITTFaxDecode]
    assert int(parms.K) == -1  # Group 4
    assert width == pages[2].width_px
    tiff = Image.open(io.BytesIO(pages[2].data))
    (offset,) = tiff.tag_v2[TiffImagePlugin.STRIPOFFSETS]
    (length,) = tiff.tag_v2[TiffImagePlugin.STRIPBYTECOUNTS]
    assert raw == pages[2].data[offset : offset + length]


# ----------------------------------------------------------------------------- the mark


def test_conversion_mark_is_on_page_one_with_correct_diacritics(component_pdf):
    text = page_text(component_pdf, 0)
    assert unicodedata.is_normalized("NFC", text)
    assert text.count(CONVERSION_MARK_TEXT) == 1
    assert "Thời gian chuyển đổi: 23/11/2026 09:05" in text
    assert "Người chuyển đổi: Nguyễn Thị Hoà Bình" in text
    assert "Đơn vị: Trung tâm Phục vụ hành chính công xã Tân Phong" in text
    assert CONVERSION_MARK_TEXT not in page_text(component_pdf, 1)
    assert CONVERSION_MARK_TEXT not in page_text(component_pdf, 2)


def test_conversion_time_is_shown_in_vietnam_time():
    utc_moment = datetime(2026, 11, 22, 19, 5, tzinfo=UTC)
    lines = pdf.mark_lines(replace(META, digitised_at=utc_moment))
    assert lines[1] == "Thời gian chuyển đổi: 23/11/2026 02:05"


def test_mark_is_visible_in_the_bottom_margin_of_page_one():
    blank = [jpeg_page(page_image(874, 1240), 150), jpeg_page(page_image(874, 1240), 150)]
    data = pdf.assemble(blank, META)
    with pdfplumber.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        x0 = min(w["x0"] for w in words)
        top = min(w["top"] for w in words)
        # right-aligned, inside the bottom 20 mm of the page
        assert max(w["x1"] for w in words) <= page.width - 3 * MM
        assert top >= page.height - 20 * MM
    dpi = 50

    def dark_pixels(raster: Image.Image, box_pt: tuple[float, float, float, float]) -> int:
        crop = raster.crop(tuple(round(v * dpi / 72) for v in box_pt))
        return sum(1 for value in crop.get_flattened_data() if value < 128)

    region = (x0, top, 419.5, 595.2)
    control = (0, 0, 419.5, 595.2 - 25 * MM)
    first, second = rasterize(data, 1, dpi), rasterize(data, 2, dpi)
    assert dark_pixels(first, region) > 50
    assert dark_pixels(first, control) == 0
    assert dark_pixels(second, region) == 0


def test_long_unit_name_wraps_inside_a_small_page():
    meta = replace(
        META,
        unit_name="Trung tâm Phục vụ hành chính công xã Tân Phong, huyện Mường Lay, tỉnh "
        "Điện Biên (điểm tiếp nhận số hai, bộ phận một cửa liên thông)",
    )
    a6 = [jpeg_page(page_image(620, 874), 150)]  # 105 × 148 mm
    data = pdf.assemble(a6, meta)
    with pdfplumber.open(io.BytesIO(data)) as doc:
        page = doc.pages[0]
        assert all(ch["x0"] >= 0 and ch["x1"] <= page.width for ch in page.chars)
        text = flat(page.extract_text())
    assert "bộ phận một cửa liên thông)" in text
    assert CONVERSION_MARK_TEXT in text


def test_every_font_is_embedded_and_no_helvetica_sneaks_in(component_pdf):
    assert pdf_facts.inspect(component_pdf).unembedded_fonts == ()
    with pikepdf.open(io.BytesIO(component_pdf)) as doc:
        fonts = [
            o
            for o in doc.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
        ]
        names = [str(f.BaseFont) for f in fonts]
        assert names and all("LiberationSerif" in name for name in names)
        assert all("/FontFile2" in f.FontDescriptor for f in fonts)


# ----------------------------------------------------------------------------- text layer


def invisible_text_pdf(sizes: list[tuple[float, float]], text: str) -> bytes:
    """A text-only PDF as OCR makes it: rendering mode 3, a font embedded."""
    pdf._register_mark_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, initialFontName=pdf.MARK_FONT)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        label = canvas.beginText(50, height - 80)
        label.setTextRenderMode(3)
        label.setFont(pdf.MARK_FONT, 14)
        label.textLine(text)
        canvas.drawText(label)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_text_layer_is_overlaid_page_by_page(pages):
    sizes = pdf_facts.inspect(pdf.assemble(pages, META)).page_sizes_pt
    layer = invisible_text_pdf(list(sizes), "Ủy ban nhân dân xã Tân Phong")
    data = pdf.assemble(pages, META, ocr_text_pdf=layer)
    for index in range(3):
        assert "Ủy ban nhân dân xã Tân Phong" in page_text(data, index)
    # The page images are still the scanner's bytes.
    assert image_streams(data)[0][0] == pages[0].data


def test_text_layer_with_another_page_count_is_refused(pages):
    layer = invisible_text_pdf([(419.5, 595.2)], "một trang")
    with pytest.raises(pdf.ComponentPdfError) as error:
        pdf.assemble(pages, META, ocr_text_pdf=layer)
    assert error.value.code == "pdf.ocr_page_count"


# ----------------------------------------------------------------------------- metadata, PDF/A


def test_metadata_round_trips_through_the_file(component_pdf):
    facts = pdf_facts.inspect(component_pdf)
    assert facts.component == META
    assert facts.pages_recorded == 3
    assert facts.title == "Giấy khai sinh (bản sao)"


def test_xmp_and_info_say_the_same_as_pikepdf_reads_them(component_pdf):
    with pikepdf.open(io.BytesIO(component_pdf)) as doc:
        meta = doc.open_metadata()
        assert meta.pdfa_status == "2B"
        assert meta["dc:title"] == str(doc.docinfo.Title) == META.component_name
        assert meta["dc:creator"] == [str(doc.docinfo.Author)] == [META.digitised_by]
        assert meta["dc:publisher"] == {META.unit_name}
        assert meta["dc:source"] == "Bản sao"
        assert meta["dc:identifier"] == META.dossier_code
        assert meta["pdf:Keywords"] == str(doc.docinfo.Keywords)
        assert META.procedure_code in meta["dc:subject"]
        assert meta["xmp:CreateDate"] == "2026-11-23T09:05:42+07:00"
        assert str(doc.docinfo.CreationDate) == "D:20261123090542+07'00'"
        assert str(doc.docinfo.MotCuaProcedureCode) == "1.001193"
        assert "/Filter" not in doc.Root.Metadata  # the packet stays readable as text


def test_pdfa_2b_is_claimed_and_the_validator_approves(component_pdf):
    facts = pdf_facts.inspect(component_pdf, validate=True)
    assert facts.claims_pdfa_2b
    assert facts.pdf_version == "1.7"
    assert facts.has_output_intent and not facts.encrypted and not facts.has_javascript
    assert facts.problems == ()
    assert facts.validator_passed, facts.validator_findings


def test_save_options_are_the_ones_pdfa_2b_pins():
    from pikepdf.pdfa import resolve_save_kwargs

    # raises ValueError if an option conflicts with what PDF/A-2b requires
    assert resolve_save_kwargs(pdf.PDFA_FLAVOUR, **pdf.PDFA_SAVE_OPTIONS)["encryption"] is None


def test_output_intent_is_an_srgb_icc_profile(component_pdf):
    with pikepdf.open(io.BytesIO(component_pdf)) as doc:
        (intent,) = doc.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = intent.DestOutputProfile.read_bytes()
    assert int(intent.DestOutputProfile.N) == 3
    assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB " and profile[8] <= 4


def test_assembly_is_deterministic(component_pdf, pages):
    assert pdf.assemble(pages, META) == component_pdf


def test_inspect_reports_what_a_plain_pdf_lacks():
    buffer = io.BytesIO()
    canvas = Canvas(buffer)  # Helvetica, not embedded; no XMP, no output intent
    canvas.drawString(100, 700, "Một tệp PDF thường")
    canvas.save()
    facts = pdf_facts.inspect(buffer.getvalue(), validate=True)
    assert not facts.claims_pdfa_2b
    assert facts.component is None
    assert "/Helvetica" in facts.unembedded_fonts
    assert set(facts.problems) >= {"xmp.missing", "output_intent.missing", "font.not_embedded"}
    assert facts.validator_passed is False and facts.validator_findings


def test_inspect_refuses_what_is_not_a_pdf():
    with pytest.raises(pdf.ComponentPdfError) as error:
        pdf_facts.inspect(b"%PDF-1.7 this is not really a PDF")
    assert error.value.code == "pdf.unreadable"


def test_no_pages_is_refused():
    with pytest.raises(pdf.ComponentPdfError) as error:
        pdf.assemble([], META)
    assert error.value.code == "pdf.no_pages"


def test_page_whose_recorded_size_differs_from_its_image_is_refused(pages):
    wrong = replace(pages[0], width_px=pages[0].width_px + 1)
    with pytest.raises(pdf.ComponentPdfError) as error:
        pdf.assemble([wrong], META)
    assert error.value.code == "pdf.bad_page"


def test_page_data_that_is_not_an_image_is_refused(pages):
    with pytest.raises(pdf.ComponentPdfError) as error:
        pdf.assemble([replace(pages[0], data=b"not a jpeg")], META)
    assert error.value.code == "pdf.bad_page"


# ----------------------------------------------------------------------------- file name


def test_file_name_follows_domain_rule():
    assert pdf.file_name(META) == "000.00.20.H12-261123-0001_02_giay-khai-sinh-ban-sao.pdf"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Đơn đề nghị đăng ký khai sinh", "don-de-nghi-dang-ky-khai-sinh"),
        (
            unicodedata.normalize("NFD", "Sổ hộ khẩu / Giấy xác nhận cư trú"),
            "so-ho-khau-giay-xac-nhan-cu-tru",
        ),
        ("  CCCD   (bản chụp)  ", "cccd-ban-chup"),
        ("???", "thanh-phan"),
    ],
)
def test_file_name_slug_is_ascii_with_diacritics_folded(name, slug):
    meta = replace(META, component_name=name, component_position=11)
    assert pdf.file_name(meta) == f"000.00.20.H12-261123-0001_11_{slug}.pdf"


def test_long_component_name_is_cut_between_words():
    meta = replace(
        META,
        component_name="Văn bản ủy quyền có chứng thực của Ủy ban nhân dân cấp xã nơi người "
        "ủy quyền cư trú hoặc văn phòng công chứng",
    )
    slug = pdf.file_name(meta).split("_", 2)[2].removesuffix(".pdf")
    assert slug.isascii() and len(slug) <= pdf.SLUG_MAX
    assert slug.startswith("van-ban-uy-quyen-co-chung-thuc-cua-uy-ban-nhan-dan")
    assert not slug.endswith("-")
    words = "van ban uy quyen co chung thuc cua uy ban nhan dan cap xa noi nguoi".split()
    assert set(slug.split("-")) <= set(words)
