"""Forms 02–06: each built from the event that decided it, with every field of DOMAIN §5."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.errors import StateError
from app.domain.forms import FormKind
from app.services import dossiers
from printing.dates import moment_in_words
from tests.app.services.helpers import digitise_required
from tests.printing.conftest import LONG_ADDRESS, LONG_NAME
from tests.printing.pdf_checks import all_text, decode_symbols, fonts, page_sizes_mm

A5 = (148.0, 210.0)
SUPERVISOR = "giamsat"  # stopping and re-appointing are the supervisor's (domain.permissions)


def _common_fields(d) -> list[str]:
    return [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Mã hồ sơ: {d.code}",
        LONG_NAME,
    ]


def _check(pdf: bytes, fields: list[str]) -> str:
    assert set(page_sizes_mm(pdf)) == {A5}
    assert all(fonts(pdf).values()) and b"Helvetica" not in pdf
    text = all_text(pdf)
    for field in fields:
        assert field in text, field
    return text


def test_form_02_lists_what_to_complete(ctx, clock, long_dossier, print_form):
    clock.current += timedelta(hours=2)
    dossiers.request_supplement(
        ctx, long_dossier.code, "Bản sao giấy chứng tử của người để lại di sản; Mảnh trích đo"
    )
    pdf = print_form(FormKind.SUPPLEMENT_REQUEST, long_dossier.code).pdf
    _check(
        pdf,
        [
            *_common_fields(long_dossier),
            "UBND TỈNH SƠN LA",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Sơn La, ngày 23 tháng 11 năm 2026",
            f"Địa chỉ: {LONG_ADDRESS}",
            "Số định danh cá nhân: 001190012345",
            "Số điện thoại: 0912345678; Email: thao.ton@example.vn",
            long_dossier.procedure_name,
            "Thời gian tiếp nhận hồ sơ: 09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
            "1. Bản sao giấy chứng tử của người để lại di sản",
            "2. Mảnh trích đo",
            "NGƯỜI HƯỚNG DẪN",
            "Cán bộ một cửa (mẫu)",
        ],
    )


def test_form_03_gives_the_reason_for_refusal(ctx, long_dossier, print_form):
    dossiers.refuse(ctx, long_dossier.code, "Thửa đất đang có tranh chấp, chưa đủ điều kiện")
    _check(
        print_form(FormKind.REFUSAL, long_dossier.code).pdf,
        [
            *_common_fields(long_dossier),
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Thửa đất đang có tranh chấp, chưa đủ điều kiện",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
        ],
    )


def test_form_04_has_the_reason_and_the_old_and_new_appointment(
    ctx, clock, long_dossier, print_form
):
    new = (long_dossier.appointment + timedelta(days=7)).replace(hour=10, minute=0)
    while new.weekday() >= 5:
        new += timedelta(days=1)
    clock.current += timedelta(days=3)
    dossiers.reappoint(
        ctx, long_dossier.code, new, "Cần xác minh thêm nguồn gốc đất", officer=SUPERVISOR
    )
    text = _check(
        print_form(FormKind.APOLOGY, long_dossier.code).pdf,
        [
            *_common_fields(long_dossier),
            # Issued by the resolving agency: its header, not the counter's.
            "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
            "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI TỈNH SƠN LA",
            "Sơn La, ngày 26 tháng 11 năm 2026",
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "Cần xác minh thêm nguồn gốc đất",
            moment_in_words(long_dossier.appointment),
            moment_in_words(new),
            "THỦ TRƯỞNG CƠ QUAN",
        ],
    )
    assert text.index(moment_in_words(long_dossier.appointment)) < text.index(moment_in_words(new))


def test_form_05_notifies_the_stop_with_its_reason(ctx, long_dossier, print_form):
    dossiers.stop(
        ctx, long_dossier.code, "Người nộp đề nghị dừng để bổ sung giấy tờ khác", officer=SUPERVISOR
    )
    _check(
        print_form(FormKind.STOP_NOTICE, long_dossier.code).pdf,
        [
            *_common_fields(long_dossier),
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Người nộp đề nghị dừng để bổ sung giấy tờ khác",
            "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI TỈNH SƠN LA",
        ],
    )


@pytest.mark.parametrize(
    "kind",
    [FormKind.SUPPLEMENT_REQUEST, FormKind.REFUSAL, FormKind.APOLOGY, FormKind.STOP_NOTICE],
)
def test_a_notice_without_its_decision_is_refused(kind, long_dossier, print_form):
    with pytest.raises(StateError) as caught:
        print_form(kind, long_dossier.code)
    assert caught.value.code == "document.not_applicable"


def test_form_06_lists_the_hand_offs_so_far_and_blank_ones_ahead(
    ctx, clock, long_dossier, print_form
):
    pdf = print_form(FormKind.CONTROL_SHEET, long_dossier.code).pdf
    text = _check(
        pdf,
        [
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            f"Mã hồ sơ: {long_dossier.code}",
            f"Kèm theo hồ sơ của: {LONG_NAME}",
            "Cơ quan giải quyết hồ sơ: Văn phòng Đăng ký đất đai tỉnh Sơn La",
            "TÊN CƠ QUAN",
            "THỜI GIAN GIAO, NHẬN HỒ SƠ",
            f"1. Giao: {LONG_NAME} Nhận: {long_dossier.receiving_point}",
            "09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
            "2. Giao: Trung tâm Phục vụ hành chính công tỉnh Sơn La "
            "Nhận: Văn phòng Đăng ký đất đai tỉnh Sơn La",
            "..... giờ ..... phút",
            "Trả kết quả cho người nộp",
        ],
    )
    assert "4. Giao" in text and "5. Giao" not in text
    assert decode_symbols(pdf, page=1)["code128"] == [long_dossier.code]


def test_form_06_after_transfer_and_result_shows_times_and_outcome(
    ctx, clock, simple_dossier, print_form
):
    clock.current += timedelta(hours=1)
    digitise_required(ctx, simple_dossier.code)
    dossiers.transfer(ctx, simple_dossier.code)
    clock.current += timedelta(hours=2)
    dossiers.record_result(ctx, simple_dossier.code)
    text = all_text(print_form(FormKind.CONTROL_SHEET, simple_dossier.code).pdf)
    assert "10 giờ 00 phút, ngày 23 tháng 11 năm 2026" in text  # transfer
    assert "12 giờ 00 phút, ngày 23 tháng 11 năm 2026" in text  # result
    assert "trước hạn" in text
    assert text.count("..... giờ ..... phút") == 1  # only the return is still ahead
