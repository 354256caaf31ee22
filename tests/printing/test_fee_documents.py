"""Fee receipt (A5, 80 mm), VietQR slip and cash reports: what a reader and a scanner find."""

from __future__ import annotations

from datetime import date

import pytest
import zxingcpp

from app.domain.vietqr import parse_payload
from app.services import fee_receipts
from app.services.cash_sessions import close_cash_session, open_cash_session
from app.services.fee_reports import cash_session_report, daily_fee_report
from printing.fee_documents import (
    render_fee_receipt_a5,
    render_fee_receipt_thermal,
    render_vietqr_slip,
)
from printing.fee_reports import render_cash_session_report, render_daily_fee_report
from tests.app.services.fee_helpers import CRIMINAL_RECORD, RESIDENCE, pay, receive
from tests.printing.pdf_checks import all_text, decode_symbols, fonts, page_sizes_mm, rasterize


@pytest.fixture
def receipt(ctx):
    open_cash_session(ctx, opening_float=0)
    payment = pay(ctx, receive(ctx, CRIMINAL_RECORD), copies=3)
    assert payment.receipt is not None
    return payment.receipt


def test_the_a5_receipt_carries_symbol_series_number_payer_amount_in_words(receipt):
    pdf = render_fee_receipt_a5(receipt)
    assert page_sizes_mm(pdf) == [(148.0, 210.0)]
    assert all(fonts(pdf).values()) and b"Helvetica" not in pdf
    text = all_text(pdf)
    for field in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Mẫu số (ký hiệu mẫu): 01BLP-LOCAL",
        "Ký hiệu: LC26",
        "Số: 00000001",
        "Họ tên người nộp: Đặng Thị Hoà",
        f"Mã hồ sơ: {receipt.dossier_code}",
        "Phí cung cấp thông tin lý lịch tư pháp",
        "Tổng cộng: 205.000 đồng",
        "Số tiền bằng chữ: Hai trăm linh năm nghìn đồng",
        f"Mã tra cứu biên lai: {receipt.lookup_code}",
        "Sơn La, ngày 23 tháng 11 năm 2026",
    ):
        assert field in text, field


def test_a_locally_numbered_receipt_says_it_is_not_a_provider_e_receipt(receipt):
    for pdf in (render_fee_receipt_a5(receipt), render_fee_receipt_thermal(receipt)):
        assert "BIÊN LAI DO MÁY TRẠM TỰ ĐÁNH SỐ" in all_text(pdf)


def test_the_receipt_qr_decodes_to_its_look_up_code(receipt):
    assert decode_symbols(render_fee_receipt_a5(receipt))["qr"] == [receipt.lookup_code]


def test_the_80_mm_receipt_is_80_mm_wide_with_the_same_fields(receipt):
    pdf = render_fee_receipt_thermal(receipt)
    ((width, height),) = page_sizes_mm(pdf)
    assert width == 80.0 and 100 < height < 600
    text = all_text(pdf)
    assert "Số: 00000001" in text and "Tổng cộng: 205.000 đồng" in text


def test_a_cancelled_receipt_prints_cancelled_with_its_reason(ctx, receipt):
    cancelled = fee_receipts.cancel_receipt(ctx, receipt.lookup_code, "Ghi sai họ tên")
    text = all_text(render_fee_receipt_a5(cancelled))
    assert "ĐÃ HỦY" in text and "Lý do: Ghi sai họ tên" in text
    assert "ĐÃ HỦY" not in all_text(render_fee_receipt_a5(receipt))


def test_the_printed_vietqr_slip_scans_back_to_the_payload(ctx):
    payment = pay(ctx, receive(ctx, RESIDENCE), "vietqr")
    pdf = render_vietqr_slip(payment, account="113366668888", account_name="TAI KHOAN THU PHI")
    image = rasterize(pdf, 1)
    decoded = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    assert decoded == [payment.qr_payload]
    assert parse_payload(decoded[0]).amount == 20_000
    assert f"Nội dung chuyển khoản: {payment.memo}" in all_text(pdf)


def test_the_session_and_daily_reports_print_the_reconciliation(ctx):
    open_cash_session(ctx, counts={100_000: 1})
    pay(ctx, receive(ctx, RESIDENCE))
    close_cash_session(ctx, {100_000: 1, 10_000: 1}, reason="Thiếu 10.000 do đổi tiền lẻ")
    session_text = all_text(render_cash_session_report(cash_session_report(ctx)))
    for field in (
        "BÁO CÁO CA THU PHÍ, LỆ PHÍ",
        "Tiền mặt 1 20.000",  # the by-method table row
        "Tiền mặt theo sổ: 120.000 đồng",
        "Tiền mặt kiểm đếm: 110.000 đồng; chênh lệch: −10.000 đồng",
        "Lý do chênh lệch: Thiếu 10.000 do đổi tiền lẻ",
        "LC26 00000001",
    ):
        assert field in session_text, field
    daily_text = all_text(render_daily_fee_report(daily_fee_report(ctx, date(2026, 11, 23))))
    assert "BÁO CÁO THU PHÍ, LỆ PHÍ TRONG NGÀY" in daily_text
    assert "Tổng thu: 20.000 đồng" in daily_text
