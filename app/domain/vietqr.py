"""VietQR payloads: the EMVCo merchant-presented QR as NAPAS profiles it (TCCS 03:2018/NHNNVN).

This module owns building, parsing and checking the text a banking app reads from the QR the
counter shows (DOMAIN §7). It is generated offline: the payload names the agency's account, the
exact amount (dynamic QR, point of initiation `12`, so the app locks the amount) and the memo
`HS <mã hồ sơ>` that reconciliation matches on. Fields are TLV — two-digit id, two-digit length,
value — and the last field `63` is a CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection,
no final XOR) over everything before it including the literal `6304`. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.errors import ValidationError

NAPAS_AID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"  # NAPAS 247 transfer to an account number
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MEMO_MAX = 25
MEMO_PREFIX = "HS "
# [0-9], not \d: \d also matches other scripts' digits (٠…٩), which no bank system accepts.
_BIN_RE = re.compile(r"^[0-9]{6}\Z")
_TLV_HEAD_RE = re.compile(r"^[0-9]{4}\Z")
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]{1,19}\Z")
# The memo travels through bank systems that only keep printable ASCII.
_MEMO_RE = re.compile(r"^[\x20-\x7e]+\Z")
_AMOUNT_MAX = 9_999_999_999_999  # 13 digits: EMVCo field 54 holds at most 13 characters


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValidationError("vietqr.field_too_long", f"Trường {tag} của mã VietQR quá dài.")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """The fields of a TLV string in order; ValidationError when a length overruns the text."""
    fields, pos = [], 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if not _TLV_HEAD_RE.match(head):
            raise ValidationError("vietqr.malformed", "Chuỗi VietQR sai cấu trúc (ID/độ dài).")
        length = int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValidationError("vietqr.malformed", "Chuỗi VietQR bị cắt cụt.")
        fields.append((head[:2], value))
        pos += 4 + length
    return fields


def check_account(bank_bin: str, account: str) -> None:
    """The beneficiary: a 6-digit NAPAS bank BIN and an account number."""
    if not _BIN_RE.match(bank_bin):
        raise ValidationError("vietqr.bin", "Mã BIN ngân hàng phải gồm đúng 6 chữ số.", field="bin")
    if not _ACCOUNT_RE.match(account):
        raise ValidationError(
            "vietqr.account",
            "Số tài khoản chỉ gồm chữ số và chữ cái không dấu, tối đa 19 ký tự.",
            field="account",
        )


def _check(bank_bin: str, account: str, amount: int, memo: str) -> None:
    check_account(bank_bin, account)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= _AMOUNT_MAX:
        raise ValidationError(
            "vietqr.amount", "Số tiền phải là số nguyên đồng lớn hơn 0.", field="amount"
        )
    if not memo or len(memo) > MEMO_MAX or not _MEMO_RE.match(memo):
        raise ValidationError(
            "vietqr.memo",
            f"Nội dung chuyển khoản phải là chữ không dấu (ASCII), từ 1 đến {MEMO_MAX} ký tự.",
            field="memo",
        )


def build_payload(bank_bin: str, account: str, amount: int, memo: str) -> str:
    """The dynamic VietQR text for a transfer of exactly `amount` đồng, CRC included."""
    _check(bank_bin, account, amount, memo)
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_AID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", CURRENCY_VND)
        + tlv("54", str(amount))
        + tlv("58", COUNTRY_VN)
        + tlv("62", tlv("08", memo))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def crc_ok(payload: str) -> bool:
    """The payload ends with field 63 (length 04) whose value is the CRC of all that precedes."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    try:
        expected = crc16_ccitt_false(payload[:-4].encode("ascii"))
    except UnicodeEncodeError:
        return False
    return payload[-4:].upper() == f"{expected:04X}"


@dataclass(frozen=True)
class VietQR:
    bank_bin: str
    account: str
    amount: int | None
    memo: str
    dynamic: bool
    currency: str
    country: str


def parse_payload(payload: str) -> VietQR:
    """Read a VietQR text back; raises ValidationError on a bad CRC or a missing field."""
    if not crc_ok(payload):
        raise ValidationError("vietqr.crc", "Mã kiểm tra (CRC) của chuỗi VietQR không đúng.")
    top = dict(parse_tlv(payload))
    merchant = dict(parse_tlv(top.get("38", "")))
    beneficiary = dict(parse_tlv(merchant.get("01", "")))
    extra = dict(parse_tlv(top.get("62", "")))
    if merchant.get("00") != NAPAS_AID or not beneficiary.get("00") or not beneficiary.get("01"):
        raise ValidationError(
            "vietqr.not_napas", "Chuỗi QR không phải VietQR chuyển khoản tới tài khoản."
        )
    amount = top.get("54")
    return VietQR(
        bank_bin=beneficiary["00"],
        account=beneficiary["01"],
        amount=int(amount) if amount and re.fullmatch(r"[0-9]+", amount) else None,
        memo=extra.get("08", ""),
        dynamic=top.get("01") == "12",
        currency=top.get("53", ""),
        country=top.get("58", ""),
    )


def payment_memo(dossier_code: str) -> str:
    """`HS <mã hồ sơ>`, shortened to fit the 25 ASCII characters banks carry.

    A full code (`000.00.70.H52-261123-0001`) is 25 characters on its own, so the levels of the
    agency e-identifier that are only zero-fill (`000`, `00`) are dropped: they carry nothing the
    rest of the code does not, and the memo stored on the payment is what reconciliation matches.
    """
    code = dossier_code.strip().upper()
    memo = MEMO_PREFIX + code
    if len(memo) > MEMO_MAX and "-" in code:
        agency, rest = code.split("-", 1)
        levels = [level for level in agency.split(".") if level.strip("0")]
        memo = MEMO_PREFIX + ".".join(levels) + "-" + rest
    if len(memo) > MEMO_MAX or not _MEMO_RE.match(memo):
        raise ValidationError(
            "vietqr.memo",
            f"Mã hồ sơ «{code}» quá dài để ghi vào nội dung chuyển khoản ({MEMO_MAX} ký tự).",
            field="memo",
        )
    return memo
