"""The fee commands of `motcua`, run in-process against a real data dir."""

from __future__ import annotations

import json
import re

import pytest

from app.cli import main
from app.domain.vietqr import parse_payload

VECTOR = (
    "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA5303704"
    "5405500005802VN62250821HS H12.22-260105-000163040581"
)


@pytest.fixture
def run(tmp_path, capsys):
    data = str(tmp_path / "cli-data")

    def invoke(*args: str, as_json: bool = True) -> tuple[int, object, str]:
        code = main([*args, "--data-dir", data, *(["--json"] if as_json else [])])
        out, err = capsys.readouterr()
        if not as_json:
            return code, out, err
        return code, (json.loads(out) if out.strip() else None), err

    assert invoke("init-demo")[0] == 0
    return invoke


@pytest.fixture
def dossier(run) -> str:
    _, received, _ = run(
        "receive",
        "--procedure",
        "3.000333",
        "--applicant-name",
        "Đặng Thị Hoà",
        "--id-number",
        "001190012345",
    )
    return received["code"]


def test_vietqr_prints_the_domain_test_vector_exactly(run):
    code, out, _ = run(
        "vietqr",
        "--bin",
        "970415",
        "--account",
        "113366668888",
        "--amount",
        "50000",
        "--memo",
        "HS H12.22-260105-0001",
        as_json=False,
    )
    assert code == 0
    assert out == VECTOR + "\n"


def test_vietqr_refuses_a_non_ascii_memo_with_exit_code_3(run):
    code, _, err = run(
        "vietqr", "--bin", "970415", "--account", "1", "--amount", "1", "--memo", "Hồ sơ"
    )
    assert code == 3
    assert "không dấu" in err


def test_fee_quote_lists_the_lines_and_the_total_in_words(run, dossier):
    code, quote, _ = run("fee", "quote", dossier, "--copies", "4")
    assert code == 0
    assert [(x["code"], x["amount"]) for x in quote["lines"]] == [
        ("P-LLTP", 200_000),
        ("P-LLTP-IN", 10_000),
    ]
    assert (quote["total"], quote["total_words"]) == (210_000, "Hai trăm mười nghìn đồng")
    _, text, _ = run("fee", "quote", dossier, "--original", "5:2", as_json=False)
    assert "Tổng cộng: 200.000 đồng" in text


def test_cash_needs_a_session_then_pays_with_a_receipt_and_the_session_closes_balanced(
    run, dossier, tmp_path
):
    code, _, err = run("pay", dossier, "--method", "cash")
    assert code == 3 and "Chưa mở ca thu tiền" in err
    code, opened, _ = run("session", "open", "--count", "100.000=2")
    assert (code, opened["opening_float"]) == (0, 200_000)
    code, payment, _ = run("pay", dossier, "--method", "cash")
    assert (code, payment["amount"], payment["receipt"]["number"]) == (0, 200_000, 1)
    _, status, _ = run("fee", "status", dossier)
    assert status["state"] == "paid"
    code, _, err = run("session", "close", "--count", "200000=1")
    assert code == 3 and "lý do chênh lệch" in err
    pdf = tmp_path / "ca.pdf"
    code, report, _ = run("session", "close", "--count", "200000=2", "--out", str(pdf))
    assert code == 0
    assert (report["expected_cash"], report["session"]["difference"]) == (400_000, 0)
    assert pdf.read_bytes().startswith(b"%PDF")
    day = report["session"]["business_date"]
    _, daily, _ = run("session", "report", "--date", day)
    assert (daily["collected"], daily["receipts_issued"]) == (200_000, 1)
    _, found, _ = run(
        "audit", "list", "--action", "print-cash-session-report", "--officer", "giamsat"
    )
    assert len(found) == 1  # written to a PDF: printed; the report without --out is not


def test_a_transfer_is_shown_as_vietqr_then_confirmed(run, dossier, tmp_path):
    code, payment, _ = run("pay", dossier, "--method", "vietqr")
    assert (code, payment["state"]) == (0, "awaiting")
    assert parse_payload(payment["qr_payload"]).amount == 200_000
    slip = tmp_path / "qr.pdf"
    assert run("fee", "qr-slip", dossier, "--out", str(slip))[0] == 0
    assert slip.read_bytes().startswith(b"%PDF")
    code, confirmed, _ = run("fee", "confirm", dossier, "--reference", "FT1")
    assert (code, confirmed["state"], confirmed["receipt"]["number"]) == (0, "confirmed", 1)
    receipt_pdf = tmp_path / "bl.pdf"
    assert run("fee", "print", dossier, "--out", str(receipt_pdf), "--layout", "80mm")[0] == 0
    assert receipt_pdf.read_bytes().startswith(b"%PDF")
    # Both papers are in the audit, tied to the dossier.
    for action in ("print-vietqr-slip", "print-fee-receipt"):
        _, found, _ = run("audit", "list", "--action", action, "--officer", "giamsat")
        assert [e["dossier_code"] for e in found] == [dossier]


def test_an_exemption_without_a_reason_is_refused_and_with_one_recorded(run, dossier):
    code, _, err = run("pay", dossier, "--method", "exempt")
    assert code == 3 and "lý do" in err
    code, payment, _ = run("pay", dossier, "--method", "exempt", "--reason", "Trẻ em")
    assert (code, payment["method"], payment["amount"]) == (0, "exempt", 0)


def test_a_refund_by_the_supervisor_gets_its_own_document_number(run, dossier):
    run("pay", dossier, "--method", "card", "--reference", "POS-1")
    code, _, err = run("fee", "refund", dossier, "--reason", "Nộp nhầm")
    assert code == 3 and "giám sát" in err
    code, refund, _ = run(
        "fee",
        "refund",
        dossier,
        "--reason",
        "Nộp nhầm",
        "--amount",
        "50000",
        "--officer",
        "giamsat",
    )
    assert (code, refund["amount"]) == (0, 50_000)
    assert re.fullmatch(r"HT20\d\d-000001", refund["document_no"])


def test_the_fee_policy_can_be_shown_and_a_no_cash_rule_added(run):
    _, policy, _ = run("fee", "policy")
    assert (policy["cash_allowed"], policy["vietqr_bin"]) == (True, "970415")
    code, _, err = run("fee", "policy", "--from", "2020-01-01")
    assert code == 3 and "--cash" in err
    code, added, _ = run("fee", "policy", "--from", "2020-01-01", "--no-cash")
    assert (code, added["cash_allowed"], added["receipt_series"]) == (0, False, "LC{yy}")
