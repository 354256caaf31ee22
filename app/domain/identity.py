"""Identity data checks at the counter: ID card numbers, tax codes, mobile phones, chip-card QR.

Owns the rules of DOMAIN.md §8. Input the officer can only have mistyped is refused with a
`ValidationError`; facts that merely look odd (a province code outside the table, a birth year
or sex that disagrees with the CCCD number, an old 9-digit CMND) come back as `IdentityWarning`s,
because the card in the applicant's hand outranks our arithmetic. Nothing here logs or stores
the numbers it sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.errors import ValidationError
from app.domain.text import clean_text, fold

# `[0-9]`, never `\d`: `\d` also matches Arabic-Indic, full-width and other Unicode digits.
_CCCD = re.compile(r"[0-9]{12}")
_CMND = re.compile(r"[0-9]{9}")
_TAX_10 = re.compile(r"[0-9]{10}")
_TAX_DEPENDENT = re.compile(r"([0-9]{10})-?([0-9]{3})")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# "+84", "0084" or "84", then an optional trunk "0" (people write "+84 (0) 912…"), then 9 digits.
_PHONE_INTERNATIONAL = re.compile(r"(?:\+84|0084|84)0?([0-9]{9})")
_MOBILE = re.compile(r"0(3[2-9]|5[2689]|7[06-9]|8[1-9]|9[0-9])[0-9]{7}")
_QR_START = re.compile(r"[0-9]{12}\|")
_DDMMYYYY = re.compile(r"[0-9]{8}")

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_PROVINCE_CODES = range(1, 97)  # 001–096: birth-registration codes, deliberately the old table

# Thông tư 59/2021/TT-BCA, Điều 7: even digit = male, odd = female; the pair gives the century,
# 0/1 for 1900–1999, 2/3 for the 2000s, … up to 8/9 for 2300–2399.
_CENTURY_BY_GENDER_DIGIT = {g: 1900 + 100 * (g // 2) for g in range(10)}

_NAM = "Nam"
_NU = "Nữ"
_SEX_BY_FOLDED = {"nam": _NAM, "nu": _NU}


@dataclass(frozen=True)
class IdentityWarning:
    """Something worth a second look; never blocks the officer."""

    code: str
    message: str


@dataclass(frozen=True)
class IdentityDocument:
    """A well-formed ID number with the warnings its structure raised."""

    kind: str  # "cccd" | "cmnd"
    number: str
    warnings: tuple[IdentityWarning, ...] = ()


@dataclass(frozen=True)
class ChipIdCard:
    """The applicant fields typed out by a scanner reading a chip-card QR code."""

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    sex: str  # "Nam" | "Nữ"
    address: str
    issue_date: date | None


def _compact(value: str) -> str:
    # Officers group digits as they read them aloud ("001 087 123456"); spaces carry no meaning.
    return "".join(value.split())


def _parse_sex(value: str) -> str | None:
    return _SEX_BY_FOLDED.get(fold(value))


def _cccd_digits(value: str) -> str:
    number = _compact(value)
    if not _CCCD.fullmatch(number):
        raise ValidationError(
            "identity.cccd_format",
            "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số.",
            field="id_number",
        )
    return number


def cccd_birth_century_and_sex(number: str) -> tuple[int, str]:
    """First year of the birth century and the sex encoded in a CCCD: ("001087…") → (1900, "Nam").

    The birth year is that century plus the two digits after the gender digit.
    """
    gender_digit = int(_cccd_digits(number)[3])
    return _CENTURY_BY_GENDER_DIGIT[gender_digit], _NU if gender_digit % 2 else _NAM


def validate_cccd(
    value: str, *, birth_year: int | None = None, sex: str | None = None
) -> IdentityDocument:
    """Check a 12-digit CCCD / personal identification number (`PPP G YY NNNNNN`, no checksum).

    `birth_year` and `sex`, when the officer has already entered them, are compared with what
    the number encodes; a blank `sex` counts as not entered.
    """
    number = _cccd_digits(value)
    expected_sex: str | None = None
    if sex is not None and sex.strip():
        expected_sex = _parse_sex(sex)
        if expected_sex is None:
            raise ValidationError(
                "identity.sex_format", "Giới tính phải là “Nam” hoặc “Nữ”.", field="sex"
            )

    warnings: list[IdentityWarning] = []
    if int(number[:3]) not in _PROVINCE_CODES:
        warnings.append(
            IdentityWarning(
                "identity.cccd_province",
                f"Ba chữ số đầu của số CCCD ({number[:3]}) không phải mã tỉnh nơi đăng ký khai "
                "sinh (001–096). Vui lòng đối chiếu lại với thẻ.",
            )
        )
    century, encoded_sex = cccd_birth_century_and_sex(number)
    encoded_year = century + int(number[4:6])
    if birth_year is not None and birth_year != encoded_year:
        warnings.append(
            IdentityWarning(
                "identity.cccd_birth_year",
                f"Năm sinh đã nhập ({birth_year}) không khớp với năm sinh trong số CCCD "
                f"({encoded_year}). Vui lòng kiểm tra lại.",
            )
        )
    if expected_sex is not None and expected_sex != encoded_sex:
        warnings.append(
            IdentityWarning(
                "identity.cccd_sex",
                f"Giới tính đã nhập ({expected_sex}) không khớp với giới tính trong số CCCD "
                f"({encoded_sex}). Vui lòng kiểm tra lại.",
            )
        )
    return IdentityDocument("cccd", number, tuple(warnings))


def validate_cmnd(value: str) -> IdentityDocument:
    """Accept an old 9-digit CMND, always flagged as a legacy document."""
    number = _compact(value)
    if not _CMND.fullmatch(number):
        raise ValidationError(
            "identity.cmnd_format", "Số CMND cũ phải gồm đúng 9 chữ số.", field="id_number"
        )
    legacy = IdentityWarning(
        "identity.cmnd_legacy",
        "Chứng minh nhân dân 9 số là giấy tờ cũ. Vui lòng đề nghị công dân cung cấp số định "
        "danh cá nhân (CCCD/thẻ căn cước) 12 số nếu có.",
    )
    return IdentityDocument("cmnd", number, (legacy,))


def validate_id_number(
    value: str, *, birth_year: int | None = None, sex: str | None = None
) -> IdentityDocument:
    """Route an ID number by length: 12 digits → CCCD, 9 digits → legacy CMND.

    `birth_year` and `sex` only apply to a CCCD; a CMND number encodes neither.
    """
    number = _compact(value)
    if not number:
        raise ValidationError(
            "identity.id_required",
            "Vui lòng nhập số CCCD/định danh cá nhân.",
            field="id_number",
        )
    if _CCCD.fullmatch(number):
        return validate_cccd(number, birth_year=birth_year, sex=sex)
    if _CMND.fullmatch(number):
        return validate_cmnd(number)
    raise ValidationError(
        "identity.id_format",
        "Số giấy tờ tùy thân phải gồm 12 chữ số (CCCD/định danh cá nhân) hoặc 9 chữ số (CMND cũ).",
        field="id_number",
    )


def tax_check_digit(first_nine: str) -> int | None:
    """The check digit N10 for nine tax-code digits, or None when no digit can be valid.

    N10 = 10 − (Σ Ni·Wi mod 11) lies in 0…10 (the "11" of other mod-11 schemes cannot occur
    because the subtraction is from 10). When the sum is divisible by 11 the formula gives 10,
    which is not a digit: the tax authority never issues such a prefix, so every code built on
    it is refused — as python-stdnum's `vn.mst` and other public validators also do.
    """
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise _tax_format_error("Phần đầu của mã số thuế phải gồm đúng 9 chữ số.")
    check = 10 - sum(w * int(d) for w, d in zip(_TAX_WEIGHTS, first_nine, strict=True)) % 11
    return check if check < 10 else None


def _tax_format_error(message: str) -> ValidationError:
    return ValidationError("identity.tax_code_format", message, field="tax_code")


def _check_tax_10(code: str) -> None:
    if tax_check_digit(code[:9]) != int(code[9]):
        raise ValidationError(
            "identity.tax_code_checksum",
            "Mã số thuế không đúng (chữ số kiểm tra không khớp). Vui lòng kiểm tra lại.",
            field="tax_code",
        )


def validate_tax_code(value: str) -> str:
    """Check a tax code and return it normalised.

    10 digits (organisation or household), `NNNNNNNNNN-NNN` (dependent unit; the hyphen is
    optional on input and always present on output), or an individual's 12-digit personal
    identification number, which serves as the tax code and is returned unchanged.
    """
    code = _compact(value)
    if _TAX_10.fullmatch(code):
        _check_tax_10(code)
        return code
    if _CCCD.fullmatch(code):
        return code
    dependent = _TAX_DEPENDENT.fullmatch(code)
    if dependent is not None:
        parent, suffix = dependent.groups()
        if suffix == "000":
            raise _tax_format_error("Ba chữ số cuối của mã số thuế đơn vị phụ thuộc phải khác 000.")
        _check_tax_10(parent)
        return f"{parent}-{suffix}"
    raise _tax_format_error(
        "Mã số thuế phải gồm 10 chữ số, 13 chữ số (dạng NNNNNNNNNN-NNN) hoặc là số định danh "
        "cá nhân 12 chữ số."
    )


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile number as `0` + 9 digits: "+84 912.345.678" → "0912345678"."""
    digits = _PHONE_SEPARATORS.sub("", value)
    international = _PHONE_INTERNATIONAL.fullmatch(digits)
    if international is not None:
        digits = "0" + international.group(1)
    if not _MOBILE.fullmatch(digits):
        raise ValidationError(
            "identity.phone_format",
            "Số điện thoại di động không hợp lệ. Vui lòng nhập 10 chữ số bắt đầu bằng 0 "
            "(ví dụ 0912 345 678) hoặc dạng +84.",
            field="phone",
        )
    return digits


def looks_like_chip_qr(text: str) -> bool:
    """Cheap test for a chip-card QR typed by a scanner: 12 digits, a pipe, 6 pipes in all."""
    stripped = text.replace("\ufeff", "").strip()  # some scanners lead with a BOM
    return stripped.count("|") == 6 and _QR_START.match(stripped) is not None


def _qr_error(part: str, what: str) -> ValidationError:
    return ValidationError(
        "identity.qr_format",
        f"Dữ liệu mã QR trên thẻ không đúng: {what}. Vui lòng quét lại hoặc nhập tay.",
        field="qr",
        part=part,
    )


def _qr_date(raw: str, part: str, label: str) -> date:
    if _DDMMYYYY.fullmatch(raw):
        try:
            return date(int(raw[4:]), int(raw[2:4]), int(raw[:2]))
        except ValueError:
            pass
    raise _qr_error(part, f"{label} phải là ngày hợp lệ dạng ngày-tháng-năm (ddmmyyyy)")


def parse_chip_qr(text: str) -> ChipIdCard:
    """Read `<ID>|<old CMND>|<name>|<DOB ddmmyyyy>|<Nam/Nữ>|<address>|<issue date>`.

    Text fields come back through `clean_text` (NFC, single spaces) because some scanners send
    decomposed Vietnamese. The old number may also be 12 digits: CMNDs with 12 digits were
    issued before the CCCD and scanners report them in the same slot.
    """
    parts = [clean_text(p) for p in clean_text(text).split("|")]
    if len(parts) != 7:
        raise _qr_error("fields", f"cần 7 phần ngăn cách bởi dấu “|”, nhận được {len(parts)}")
    id_raw, old_raw, name, dob_raw, sex_raw, address, issued_raw = parts

    id_number = _compact(id_raw)
    if not _CCCD.fullmatch(id_number):
        raise _qr_error("id_number", "số định danh cá nhân phải gồm 12 chữ số")
    old_id = _compact(old_raw)
    if old_id and not (_CMND.fullmatch(old_id) or _CCCD.fullmatch(old_id)):
        raise _qr_error("old_id_number", "số CMND cũ phải gồm 9 hoặc 12 chữ số, hoặc để trống")
    if not name:
        raise _qr_error("full_name", "thiếu họ và tên")
    date_of_birth = _qr_date(_compact(dob_raw), "date_of_birth", "ngày sinh")
    sex = _parse_sex(sex_raw)
    if sex is None:
        raise _qr_error("sex", "giới tính phải là “Nam” hoặc “Nữ”")
    if not address:
        raise _qr_error("address", "thiếu nơi thường trú")
    issued = _compact(issued_raw)
    issue_date = _qr_date(issued, "issue_date", "ngày cấp") if issued else None
    return ChipIdCard(
        id_number=id_number,
        old_id_number=old_id or None,
        full_name=name,
        date_of_birth=date_of_birth,
        sex=sex,
        address=address,
        issue_date=issue_date,
    )
