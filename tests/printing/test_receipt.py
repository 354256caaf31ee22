"""Form 01 on A5: every field of DOMAIN §5 with the dossier's values, the barcode and the QR
code scan, copies, long text wraps, many components paginate, fonts are embedded."""

from __future__ import annotations

from app.domain.forms import FormKind
from app.domain.money import amount_in_words, format_vnd
from app.services import dossiers
from app.services.catalogue import get_procedure
from app.services.document_sources import status_lookup_text
from printing.dates import moment_in_words
from tests.printing.conftest import LONG_ADDRESS, LONG_NAME
from tests.printing.pdf_checks import (
    all_text,
    decode_symbols,
    flat,
    fonts,
    page_sizes_mm,
    page_texts,
)

A5 = (148.0, 210.0)


def test_receipt_carries_every_field_of_form_01(ctx, simple_dossier, print_form):
    d = simple_dossier
    printed = print_form(FormKind.RECEIPT, d.code, copies=(2,))
    text = all_text(printed.pdf)
    fees = get_procedure(ctx, d.procedure_code).fees
    expected = [
        # common header
        "UBND TỈNH SƠN LA",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH SƠN LA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Sơn La, ngày 23 tháng 11 năm 2026",
        # form 01, in order
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {d.code}",
        "(Liên 2: Giao người nộp)",
        f"Bộ phận tiếp nhận và trả kết quả: {d.receiving_point}",
        "Tiếp nhận hồ sơ của: Đặng Thị Hoà",
        "Số định danh cá nhân: 001190012345",
        "Địa chỉ: Số 12, tổ 3, phường Tô Hiệu, tỉnh Sơn La",
        "Số điện thoại: 0912345678",
        f"Nội dung yêu cầu giải quyết: {d.procedure_name} (mã TTHC {d.procedure_code})",
        "STT Tên giấy tờ Bản chính Bản sao",
        *(f"{c.position} {c.name}" for c in d.components),
        "2. Số lượng hồ sơ: 1 (bộ)",
        f"3. Thời gian giải quyết hồ sơ theo quy định là: {d.duration.text}",
        "4. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
        f"5. Thời gian trả kết quả giải quyết hồ sơ: {moment_in_words(d.appointment)}",
        f"6. Đăng ký nhận kết quả tại: {d.receiving_point}",
        f"{fees[0].name}: {format_vnd(fees[0].amount)} ({amount_in_words(fees[0].amount)})",
        f"Vào Sổ theo dõi hồ sơ, Quyển số: {d.book_no}, Số thứ tự: {d.entry_no}",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "Cán bộ một cửa (mẫu)",
    ]
    for field in expected:
        assert field in text, field
    positions = [text.index(field) for field in expected[5:12]]
    assert positions == sorted(positions), "form 01 fields out of order"
    assert "50.000 đồng (Năm mươi nghìn đồng)" in text
    assert "Bản in lại" not in text and "XEM TRƯỚC" not in text


def test_receipt_is_a5_with_the_serif_embedded_and_no_helvetica(simple_dossier, print_form):
    pdf = print_form(FormKind.RECEIPT, simple_dossier.code).pdf
    assert set(page_sizes_mm(pdf)) == {A5}
    used = fonts(pdf)
    assert used and all(used.values()), used
    assert all("LiberationSerif" in name for name in used)
    assert b"Helvetica" not in pdf


def test_barcode_and_qr_decode_from_a_200_dpi_raster(simple_dossier, print_form):
    pdf = print_form(FormKind.RECEIPT, simple_dossier.code, copies=(1,)).pdf
    decoded = decode_symbols(pdf, page=1)
    assert decoded["code128"] == [simple_dossier.code]
    assert decoded["qr"] == [status_lookup_text(simple_dossier.code)]


def test_two_copies_in_one_pdf_each_labelled_and_scannable(simple_dossier, print_form):
    pdf = print_form(FormKind.RECEIPT, simple_dossier.code).pdf
    pages = [flat(t) for t in page_texts(pdf)]
    assert len(pages) == 2
    assert "(Liên 1: Lưu)" in pages[0] and "Liên 2" not in pages[0]
    assert "(Liên 2: Giao người nộp)" in pages[1] and "Liên 1" not in pages[1]
    assert decode_symbols(pdf, page=2)["code128"] == [simple_dossier.code]


def test_long_names_addresses_and_sixteen_components_wrap_and_paginate(long_dossier, print_form):
    assert len(LONG_NAME) >= 60 and len(LONG_ADDRESS) >= 60
    assert len(long_dossier.components) == 16
    pdf = print_form(FormKind.RECEIPT, long_dossier.code, copies=(1,)).pdf
    pages = [flat(t) for t in page_texts(pdf)]
    text = " ".join(pages)
    assert f"Tiếp nhận hồ sơ của: {LONG_NAME}" in text
    assert f"Địa chỉ: {LONG_ADDRESS}" in text
    assert long_dossier.procedure_name in text
    for component in long_dossier.components:
        assert f"{component.position} {component.name}" in text, component.name
    assert len(pages) >= 2
    # The table header is repeated on the page the table continues on, pages are numbered.
    continued = next(p for p in pages if "16 Văn bản ủy quyền" in p)
    assert "STT Tên giấy tờ Bản chính Bản sao" in continued
    assert all(f"Trang {n}/{len(pages)}" in p for n, p in enumerate(pages, start=1))
    # The signatures never stand alone: the logbook line is on their page.
    signing = next(p for p in pages if "NGƯỜI TIẾP NHẬN HỒ SƠ" in p)
    assert "Vào Sổ theo dõi hồ sơ" in signing
    assert "2. Số lượng hồ sơ: 2 (bộ)" in text
    assert "28.000 đồng (Hai mươi tám nghìn đồng)" in text
    assert "500.000 đồng (Năm trăm nghìn đồng)" in text


def test_supplement_receipt_says_which_round_with_the_new_times(
    ctx, clock, long_dossier, print_form
):
    dossiers.request_supplement(ctx, long_dossier.code, "Thiếu bản sao giấy chứng tử")
    clock.current = clock.current.replace(day=25, hour=10, minute=15)
    after = dossiers.receive_supplement(ctx, long_dossier.code)
    text = all_text(print_form(FormKind.RECEIPT, long_dossier.code, copies=(1,)).pdf)
    assert "(Lần bổ sung: 1)" in text
    assert f"Mã hồ sơ: {long_dossier.code}" in text
    assert "4. Thời gian nhận hồ sơ: 10 giờ 15 phút, ngày 25 tháng 11 năm 2026" in text
    assert (
        f"5. Thời gian trả kết quả giải quyết hồ sơ: {moment_in_words(after.appointment)}" in text
    )
    # No component rows of its own in this round: the table lists what is on file.
    assert "1. Thành phần hồ sơ đã nộp (gồm cả các lần bổ sung):" in text


def test_preview_is_watermarked_and_reprint_is_marked(simple_dossier, print_form, clock):
    preview = all_text(print_form(FormKind.RECEIPT, simple_dossier.code, preview=True).pdf)
    assert "BẢN XEM TRƯỚC – KHÔNG CÓ GIÁ TRỊ" in preview
    first = all_text(print_form(FormKind.RECEIPT, simple_dossier.code).pdf)
    assert "Bản in lại" not in first
    clock.current = clock.current.replace(hour=14, minute=5)
    again = all_text(print_form(FormKind.RECEIPT, simple_dossier.code, copies=(2,)).pdf)
    assert "Bản in lại – in lúc 14 giờ 05 phút, ngày 23 tháng 11 năm 2026" in again
    assert "XEM TRƯỚC" not in again


def test_rendering_is_deterministic_for_the_same_data(simple_dossier, ctx):
    from app.services.documents import PrintRequest, prepare_print
    from printing import render_document

    job = prepare_print(ctx, PrintRequest(FormKind.RECEIPT, simple_dossier.code))
    assert render_document(job.data) == render_document(job.data)


def test_decomposed_input_is_printed_precomposed(ctx, simple_dossier):
    # Some scanners and macOS hand over NFD; reportlab cannot place combining marks (trap 2).
    import unicodedata
    from dataclasses import replace

    from app.services.documents import PrintRequest, prepare_print
    from printing import render_document

    job = prepare_print(ctx, PrintRequest(FormKind.RECEIPT, simple_dossier.code, copies=(1,)))
    nfd_name = unicodedata.normalize("NFD", "Đặng Thị Hoà Nguyễn")
    data = replace(job.data, dossier=replace(job.data.dossier, applicant_name=nfd_name))
    text = all_text(render_document(data))
    assert "Tiếp nhận hồ sơ của: Đặng Thị Hoà Nguyễn" in text
