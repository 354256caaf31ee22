"""`motcua receipt`, `form NN` and `logbook --out`: files, audit, Vietnamese errors."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from app.cli import main
from tests.printing.pdf_checks import all_text, page_sizes_mm


@pytest.fixture
def cli(tmp_path, capsys):
    data = str(tmp_path / "cli-data")

    def invoke(*args: str) -> tuple[int, dict | list | None, str]:
        code = main([*args, "--data-dir", data, "--json"])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip() else None), err

    assert invoke("init-demo")[0] == 0
    return invoke


@pytest.fixture
def code(cli) -> str:
    status, received, _ = cli(
        "receive",
        "--procedure",
        "1.001193",
        "--applicant-name",
        "Đặng Thị Hoà",
        "--id-number",
        "001190012345",
        "--phone",
        "0912345678",
    )
    assert status == 0
    return received["code"]


def test_receipt_writes_both_copies_then_a_marked_reprint(cli, code, tmp_path):
    out = tmp_path / "bien-nhan.pdf"
    status, result, _ = cli("receipt", code, "--out", str(out))
    assert status == 0 and result["reprint"] is False and result["event_seq"]
    text = all_text(out.read_bytes())
    assert "(Liên 1: Lưu)" in text and "(Liên 2: Giao người nộp)" in text
    assert f"Mã hồ sơ: {code}" in text
    status, result, _ = cli("receipt", code, "--out", str(out), "--copy", "khách")
    assert status == 0 and result["reprint"] is True
    text = all_text(out.read_bytes())
    assert "Bản in lại" in text and "Liên 1" not in text
    _, shown, _ = cli("show", code)
    assert [e["action"] for e in shown["events"]][-2:] == ["print-form-01", "reprint-form-01"]


def test_receipt_on_the_80_mm_roll(cli, code, tmp_path):
    out = tmp_path / "nhiet.pdf"
    status, _, _ = cli("receipt", code, "--out", str(out), "--size", "80mm", "--copy", "luu")
    assert status == 0
    ((width, _),) = page_sizes_mm(out.read_bytes())
    assert width == 80.0


def test_form_06_and_a_preview(cli, code, tmp_path):
    out = tmp_path / "mau06.pdf"
    status, result, _ = cli("form", "06", code, "--out", str(out), "--preview")
    assert status == 0 and result["event_seq"] is None
    text = all_text(out.read_bytes())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "BẢN XEM TRƯỚC – KHÔNG CÓ GIÁ TRỊ" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("form", "02", "{code}"), "chưa có yêu cầu bổ sung"),
        (("form", "09", "{code}"), "Mẫu «09» không hợp lệ"),
        (("form", "07", "{code}"), "motcua logbook --out"),
        (("receipt", "{code}", "--copy", "ba"), "Liên «ba» không hợp lệ"),
        (("receipt", "{code}", "--size", "a4"), "Khổ giấy «a4» không hợp lệ"),
        (("receipt", "000.00.70.H52-261123-9999"), "Không tìm thấy hồ sơ"),
    ],
)
def test_refusals_are_in_vietnamese_with_exit_code_3(cli, code, tmp_path, args, message):
    out = tmp_path / "x.pdf"
    status, result, err = cli(*(a.format(code=code) for a in args), "--out", str(out))
    assert status == 3
    assert message in err and result["error"]["message"] in err
    assert not out.exists()


def test_an_unwritable_output_is_a_refusal_not_a_crash(cli, code, tmp_path):
    status, _, err = cli("receipt", code, "--out", str(tmp_path / "no-such-dir" / "x.pdf"))
    assert status == 3 and "Không ghi được tệp" in err


def test_logbook_to_pdf_and_still_as_json_without_out(cli, code, tmp_path):
    out = tmp_path / "so.pdf"
    day = (
        "20" + code.split("-")[1][:2] + "-" + code.split("-")[1][2:4] + "-" + code.split("-")[1][4:]
    )
    status, result, _ = cli("logbook", "--date", day, "--out", str(out))
    assert status == 0 and result["entries"] == 1
    pdf = out.read_bytes()
    assert len(PdfReader(out).pages) == 1
    assert set(page_sizes_mm(pdf)) == {(297.0, 210.0)}
    assert code in all_text(pdf)
    status, listing, _ = cli("logbook", "--date", day)
    assert status == 0 and listing["total"] == 1 and listing["entries"][0]["code"] == code
