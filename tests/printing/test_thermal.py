"""Form 01 on an 80 mm thermal roll: same data, the code as a scannable barcode."""

from __future__ import annotations

from app.domain.forms import FormKind
from app.services.document_sources import status_lookup_text
from printing.dates import moment_in_words
from tests.printing.conftest import LONG_NAME
from tests.printing.pdf_checks import all_text, decode_symbols, fonts, page_sizes_mm


def test_thermal_receipt_is_80_mm_wide_and_as_long_as_its_content(long_dossier, print_form):
    pdf = print_form(FormKind.RECEIPT, long_dossier.code, layout="80mm", copies=(2,)).pdf
    ((width, height),) = page_sizes_mm(pdf)  # one copy, one page: the roll has no page length
    assert width == 80.0
    assert 150 < height < 1000
    assert all(fonts(pdf).values()) and b"Helvetica" not in pdf


def test_thermal_receipt_has_the_same_fields(long_dossier, print_form):
    d = long_dossier
    text = all_text(print_form(FormKind.RECEIPT, d.code, layout="80mm", copies=(2,)).pdf)
    for field in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "(Liên 2: Giao người nộp)",
        d.code,
        f"Tiếp nhận hồ sơ của: {LONG_NAME}",
        "Số định danh cá nhân: 001190012345",
        d.procedure_name,
        *(f"{c.position}. {c.name}" for c in d.components),
        moment_in_words(d.appointment),
        "09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
        f"Quyển số: {d.book_no}, Số thứ tự: {d.entry_no}",
    ):
        assert field in text, field


def test_thermal_barcode_and_qr_decode_from_a_200_dpi_raster(simple_dossier, print_form):
    pdf = print_form(FormKind.RECEIPT, simple_dossier.code, layout="80mm", copies=(1,)).pdf
    decoded = decode_symbols(pdf, page=1)
    assert decoded["code128"] == [simple_dossier.code]
    assert decoded["qr"] == [status_lookup_text(simple_dossier.code)]


def test_both_copies_on_the_roll_are_two_pages(simple_dossier, print_form):
    pdf = print_form(FormKind.RECEIPT, simple_dossier.code, layout="80mm").pdf
    sizes = page_sizes_mm(pdf)
    assert len(sizes) == 2 and sizes[0] == sizes[1]
    assert "Bản in lại" not in all_text(pdf)
