"""VietQR payloads: the DOMAIN §7 test vector byte for byte, the CRC, parsing back, the memo, and a
rendered QR that a real decoder (zxing-cpp) reads back to the same text."""

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from reportlab.graphics.barcode import qrencoder

from app.domain.errors import ValidationError
from app.domain.vietqr import (
    MEMO_MAX,
    build_payload,
    crc16_ccitt_false,
    crc_ok,
    parse_payload,
    parse_tlv,
    payment_memo,
)

DOMAIN_VECTOR = (
    "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA5303704"
    "5405500005802VN62250821HS H12.22-260105-000163040581"
)


def test_the_domain_test_vector_is_reproduced_exactly_crc_included():
    payload = build_payload("970415", "113366668888", 50000, "HS H12.22-260105-0001")
    assert payload == DOMAIN_VECTOR
    assert payload.endswith("63040581")


def test_crc16_ccitt_false_matches_the_standard_check_value():
    # The catalogue check value of CRC-16/CCITT-FALSE over the ASCII digits 1…9.
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(DOMAIN_VECTOR[:-4].encode()) == 0x0581


def test_the_payload_is_dynamic_with_the_napas_merchant_account_and_vnd():
    fields = dict(parse_tlv(DOMAIN_VECTOR))
    assert fields["00"] == "01" and fields["01"] == "12"  # dynamic: the amount is locked
    merchant = dict(parse_tlv(fields["38"]))
    assert merchant == {
        "00": "A000000727",
        "01": "0006970415" + "0112113366668888",
        "02": "QRIBFTTA",
    }
    assert dict(parse_tlv(merchant["01"])) == {"00": "970415", "01": "113366668888"}
    assert (fields["53"], fields["54"], fields["58"]) == ("704", "50000", "VN")


def test_parsing_the_vector_gives_back_account_amount_and_memo():
    qr = parse_payload(DOMAIN_VECTOR)
    assert (qr.bank_bin, qr.account, qr.amount, qr.memo) == (
        "970415",
        "113366668888",
        50000,
        "HS H12.22-260105-0001",
    )
    assert qr.dynamic and qr.currency == "704" and qr.country == "VN"


@pytest.mark.parametrize(
    "tampered",
    [
        DOMAIN_VECTOR.replace("5405500005802", "5405900005802"),  # amount changed, CRC kept
        DOMAIN_VECTOR[:-1] + "2",  # CRC changed
        DOMAIN_VECTOR[:-8],  # CRC field missing
    ],
)
def test_a_tampered_payload_fails_the_crc_check(tampered):
    assert not crc_ok(tampered)
    with pytest.raises(ValidationError) as error:
        parse_payload(tampered)
    assert error.value.code == "vietqr.crc"


def test_the_crc_check_accepts_lowercase_hex():
    assert crc_ok(DOMAIN_VECTOR[:-4] + DOMAIN_VECTOR[-4:].lower())


@pytest.mark.parametrize(
    ("bank_bin", "account", "amount", "memo", "code"),
    [
        ("97041", "113366668888", 50000, "HS X", "vietqr.bin"),
        ("97041٥", "113366668888", 50000, "HS X", "vietqr.bin"),  # an Arabic-Indic digit
        ("970415\n", "113366668888", 50000, "HS X", "vietqr.bin"),
        ("970415", "1133-6666", 50000, "HS X", "vietqr.account"),
        ("970415", "113366668888", 0, "HS X", "vietqr.amount"),
        ("970415", "113366668888", 50000, "HS Hồ sơ", "vietqr.memo"),
        ("970415", "113366668888", 50000, "X" * (MEMO_MAX + 1), "vietqr.memo"),
        ("970415", "113366668888", 50000, "", "vietqr.memo"),
    ],
)
def test_invalid_fields_are_refused_with_a_stable_code(bank_bin, account, amount, memo, code):
    with pytest.raises(ValidationError) as error:
        build_payload(bank_bin, account, amount, memo)
    assert error.value.code == code


def test_a_short_dossier_code_goes_into_the_memo_as_is():
    assert payment_memo("h12.22-260105-0001") == "HS H12.22-260105-0001"


def test_a_full_length_code_is_shortened_by_dropping_zero_fill_levels():
    memo = payment_memo("000.00.70.H52-261123-0001")
    assert memo == "HS 70.H52-261123-0001"
    assert len(memo) <= MEMO_MAX
    assert payment_memo("H52.50.01.00-261123-0975") == "HS H52.50.01-261123-0975"


def test_a_code_that_cannot_fit_the_memo_is_refused():
    with pytest.raises(ValidationError):
        payment_memo("H52.50.01.13-261123-0000001")


@given(
    bank_bin=st.from_regex(r"\A[0-9]{6}\Z"),
    account=st.from_regex(r"\A[0-9A-Z]{1,19}\Z"),
    amount=st.integers(min_value=1, max_value=9_999_999_999_999),
    memo=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=25),
)
def test_any_valid_transfer_round_trips_through_build_and_parse(bank_bin, account, amount, memo):
    payload = build_payload(bank_bin, account, amount, memo)
    assert crc_ok(payload)
    qr = parse_payload(payload)
    assert (qr.bank_bin, qr.account, qr.amount, qr.memo) == (bank_bin, account, amount, memo)


def _qr_image(text: str, module: int = 6) -> Image.Image:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    quiet = 4
    size = (count + 2 * quiet) * module
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for r in range(count):
        for c in range(count):
            if code.isDark(r, c):
                x, y = (c + quiet) * module, (r + quiet) * module
                draw.rectangle((x, y, x + module - 1, y + module - 1), fill=0)
    return image


def test_a_rasterised_qr_of_the_payload_decodes_back_to_the_same_text():
    payload = build_payload(
        "970415", "113366668888", 1_050_000, payment_memo("000.00.70.H52-261123-0001")
    )
    decoded = zxingcpp.read_barcodes(_qr_image(payload))
    assert [d.text for d in decoded] == [payload]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode
    assert parse_payload(decoded[0].text).amount == 1_050_000
