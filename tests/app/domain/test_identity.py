from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.domain.identity import (
    ChipIdCard,
    IdentityDocument,
    IdentityWarning,
    cccd_birth_century_and_sex,
    looks_like_chip_qr,
    normalize_phone,
    parse_chip_qr,
    tax_check_digit,
    validate_cccd,
    validate_cmnd,
    validate_id_number,
    validate_tax_code,
)

MOBILE_RE = r"0(3[2-9]|5[2689]|7[06-9]|8[1-9]|9[0-9])[0-9]{7}"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def codes(document: IdentityDocument) -> list[str]:
    return [w.code for w in document.warnings]


def refusal(call: Callable[..., object], *args: object, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- CCCD -----------------------------------------------------------------------------------


def test_a_well_formed_cccd_is_accepted_without_warnings() -> None:
    assert validate_cccd("001087123456") == IdentityDocument("cccd", "001087123456", ())


def test_cccd_spaces_typed_by_the_officer_are_removed() -> None:
    assert validate_cccd(" 001 087\u00a0123456\t").number == "001087123456"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "00108712345",
        "0010871234567",
        "00108712345a",
        "001-087-123456",
        "００１０８７１２３４５６",
    ],
)
def test_cccd_that_is_not_exactly_twelve_ascii_digits_is_refused(value: str) -> None:
    error = refusal(validate_cccd, value)
    assert error.code == "identity.cccd_format"
    assert error.field == "id_number"
    assert error.message == "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số."


def test_cccd_with_arabic_indic_digits_is_refused() -> None:
    assert refusal(validate_cccd, "٠٠١٠٨٧١٢٣٤٥٦").code == "identity.cccd_format"


@pytest.mark.parametrize("province", ["001", "002", "048", "079", "096"])
def test_cccd_province_codes_001_to_096_raise_no_warning(province: str) -> None:
    assert codes(validate_cccd(province + "087123456")) == []


@pytest.mark.parametrize("province", ["000", "097", "099", "100", "999"])
def test_cccd_province_code_outside_001_to_096_only_warns(province: str) -> None:
    document = validate_cccd(province + "087123456")
    assert document.number == province + "087123456"
    assert codes(document) == ["identity.cccd_province"]
    assert province in document.warnings[0].message


@pytest.mark.parametrize(
    ("gender_digit", "century", "sex"),
    [
        ("0", 1900, "Nam"),
        ("1", 1900, "Nữ"),
        ("2", 2000, "Nam"),
        ("3", 2000, "Nữ"),
        ("4", 2100, "Nam"),
        ("5", 2100, "Nữ"),
        ("6", 2200, "Nam"),
        ("7", 2200, "Nữ"),
        ("8", 2300, "Nam"),
        ("9", 2300, "Nữ"),
    ],
)
def test_cccd_gender_digit_encodes_century_and_sex(
    gender_digit: str, century: int, sex: str
) -> None:
    assert cccd_birth_century_and_sex("001" + gender_digit + "87123456") == (century, sex)


def test_century_helper_accepts_spaced_input_and_refuses_malformed_input() -> None:
    assert cccd_birth_century_and_sex("079 3 01 012345") == (2000, "Nữ")
    assert refusal(cccd_birth_century_and_sex, "07930101234").code == "identity.cccd_format"


@pytest.mark.parametrize(
    ("number", "birth_year"),
    [
        ("001087123456", 1987),
        ("079301012345", 2001),
        ("001000123456", 1900),
        ("001199123456", 1999),
    ],
)
def test_cccd_matching_birth_year_raises_no_warning(number: str, birth_year: int) -> None:
    assert codes(validate_cccd(number, birth_year=birth_year)) == []


@pytest.mark.parametrize(
    ("number", "birth_year"),
    [
        ("001087123456", 1988),
        ("001087123456", 2087),
        ("079301012345", 1901),
        ("001199123456", 2000),
    ],
)
def test_cccd_birth_year_mismatch_only_warns(number: str, birth_year: int) -> None:
    document = validate_cccd(number, birth_year=birth_year)
    assert codes(document) == ["identity.cccd_birth_year"]
    assert str(birth_year) in document.warnings[0].message


@pytest.mark.parametrize("sex", ["Nam", "nam", "NAM", " Nam "])
def test_cccd_matching_male_sex_in_any_casing_raises_no_warning(sex: str) -> None:
    assert codes(validate_cccd("001087123456", sex=sex)) == []


@pytest.mark.parametrize("sex", ["Nữ", "nữ", "NỮ", nfd("Nữ"), nfd("NỮ")])
def test_cccd_matching_female_sex_in_nfd_or_any_casing_raises_no_warning(sex: str) -> None:
    assert codes(validate_cccd("001187123456", sex=sex)) == []


def test_cccd_sex_mismatch_only_warns_and_names_both_values() -> None:
    document = validate_cccd("001087123456", sex=nfd("Nữ"))
    assert codes(document) == ["identity.cccd_sex"]
    assert "Nữ" in document.warnings[0].message
    assert "Nam" in document.warnings[0].message


def test_cccd_blank_sex_counts_as_not_entered() -> None:
    assert codes(validate_cccd("001087123456", sex="  ")) == []


def test_cccd_unknown_sex_value_is_refused() -> None:
    error = refusal(validate_cccd, "001087123456", sex="Khác")
    assert error.code == "identity.sex_format"
    assert error.field == "sex"


def test_cccd_reports_every_mismatch_together_in_a_stable_order() -> None:
    document = validate_cccd("097087123456", birth_year=1990, sex="Nữ")
    assert codes(document) == [
        "identity.cccd_province",
        "identity.cccd_birth_year",
        "identity.cccd_sex",
    ]
    assert all(isinstance(w, IdentityWarning) and w.message for w in document.warnings)


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_any_twelve_digits_are_a_cccd_whose_own_birth_year_and_sex_never_warn(number: str) -> None:
    century, sex = cccd_birth_century_and_sex(number)
    document = validate_cccd(number, birth_year=century + int(number[4:6]), sex=sex)
    assert document.number == number
    assert "identity.cccd_birth_year" not in codes(document)
    assert "identity.cccd_sex" not in codes(document)


# --- CMND and routing -----------------------------------------------------------------------


def test_nine_digit_cmnd_is_accepted_as_a_legacy_document() -> None:
    document = validate_cmnd("024 123 456")
    assert (document.kind, document.number) == ("cmnd", "024123456")
    assert codes(document) == ["identity.cmnd_legacy"]
    assert "giấy tờ cũ" in document.warnings[0].message


@pytest.mark.parametrize("value", ["", "02412345", "0241234567", "02412345x"])
def test_cmnd_that_is_not_exactly_nine_digits_is_refused(value: str) -> None:
    assert refusal(validate_cmnd, value).code == "identity.cmnd_format"


def test_id_number_of_twelve_digits_is_routed_to_cccd_with_its_checks() -> None:
    document = validate_id_number("001 087 123456", birth_year=1987, sex="Nữ")
    assert (document.kind, document.number) == ("cccd", "001087123456")
    assert codes(document) == ["identity.cccd_sex"]


def test_id_number_of_nine_digits_is_routed_to_cmnd_and_ignores_birth_year_and_sex() -> None:
    document = validate_id_number("024123456", birth_year=1950, sex="Nữ")
    assert document.kind == "cmnd"
    assert codes(document) == ["identity.cmnd_legacy"]


@pytest.mark.parametrize("value", ["", "   ", "\u00a0\t"])
def test_empty_id_number_asks_for_one(value: str) -> None:
    error = refusal(validate_id_number, value)
    assert error.code == "identity.id_required"
    assert error.field == "id_number"


@pytest.mark.parametrize(
    "value", ["12345678", "0241234567", "00108712345", "0010871234567", "B1234567"]
)
def test_id_number_of_any_other_shape_is_refused(value: str) -> None:
    error = refusal(validate_id_number, value)
    assert error.code == "identity.id_format"
    assert "12 chữ số" in error.message and "9 chữ số" in error.message


# --- Tax code -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0100109106", "0314409058", "0100233488"])
def test_ten_digit_tax_codes_with_a_correct_check_digit_are_accepted(code: str) -> None:
    assert validate_tax_code(code) == code


@pytest.mark.parametrize("code", ["0100109107", "0100109105", "0100233480", "1100109106"])
def test_ten_digit_tax_code_with_a_wrong_check_digit_is_refused(code: str) -> None:
    error = refusal(validate_tax_code, code)
    assert error.code == "identity.tax_code_checksum"
    assert error.field == "tax_code"


def test_check_digit_follows_the_weighted_mod_11_formula() -> None:
    # 0·31 + 1·29 + 0·23 + 0·19 + 1·17 + 0·13 + 9·7 + 1·5 + 0·3 = 114; 114 mod 11 = 4; 10 − 4 = 6.
    assert tax_check_digit("010010910") == 6


def test_remainder_ten_gives_check_digit_zero() -> None:
    # Σ = 29 + 17 + 63 + 0 = 109 ≡ 10 (mod 11), so N10 = 10 − 10 = 0.
    assert tax_check_digit("010010900") == 0
    assert validate_tax_code("0100109000") == "0100109000"


@pytest.mark.parametrize("last", "0123456789")
def test_remainder_zero_would_need_check_digit_ten_so_no_code_on_that_prefix_is_valid(
    last: str,
) -> None:
    # Σ = 29 + 17 + 63 + 4·3 = 121 = 11·11, so N10 = 10 − 0 = 10, which is not a digit.
    assert tax_check_digit("010010904") is None
    assert refusal(validate_tax_code, "010010904" + last).code == "identity.tax_code_checksum"


def test_check_digit_helper_refuses_anything_but_nine_digits() -> None:
    assert refusal(tax_check_digit, "01001091").code == "identity.tax_code_format"
    assert refusal(tax_check_digit, "01001091x").code == "identity.tax_code_format"


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_every_nine_digit_prefix_has_at_most_one_valid_tax_code(prefix: str) -> None:
    valid = []
    for d in "0123456789":
        try:
            valid.append(validate_tax_code(prefix + d))
        except ValidationError as error:
            assert error.code == "identity.tax_code_checksum"
    check = tax_check_digit(prefix)
    assert valid == ([] if check is None else [prefix + str(check)])


@pytest.mark.parametrize(
    "code", ["0100109106-001", "0100109106001", "0100109106 - 001", " 0314409058-999 "]
)
def test_dependent_unit_tax_code_is_accepted_and_returned_with_a_hyphen(code: str) -> None:
    normalised = validate_tax_code(code)
    assert normalised[10] == "-"
    assert normalised.replace("-", "") == "".join(code.split()).replace("-", "")


def test_dependent_unit_suffix_000_is_refused() -> None:
    error = refusal(validate_tax_code, "0100109106-000")
    assert error.code == "identity.tax_code_format"
    assert "000" in error.message


def test_dependent_unit_with_an_invalid_parent_code_is_refused_on_checksum() -> None:
    assert refusal(validate_tax_code, "0100109107-001").code == "identity.tax_code_checksum"


def test_individual_twelve_digit_personal_number_is_accepted_as_tax_code_as_is() -> None:
    assert validate_tax_code("001087123456") == "001087123456"
    assert validate_tax_code("001 087 123456") == "001087123456"


@pytest.mark.parametrize(
    "code",
    ["", "010010910", "01001091066", "0100109106-", "0100109106-01", "0100109106-0011",
     "01001-09106", "0100109106--001", "010010910A", "0100.109.106", "０１００１０９１０６"],
)  # fmt: skip
def test_tax_code_of_any_other_shape_is_refused_on_format(code: str) -> None:
    error = refusal(validate_tax_code, code)
    assert error.code == "identity.tax_code_format"
    assert error.field == "tax_code"


# --- Mobile phone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["+84912345678", "84912345678", "0084912345678", "+84 912 345 678", "(+84) 912-345-678",
     "+84 (0) 912 345 678", "0912345678", "091.234.5678", "0912 345 678", " 0912-345-678\t"],
)  # fmt: skip
def test_phone_in_any_common_writing_normalises_to_zero_plus_nine_digits(value: str) -> None:
    assert normalize_phone(value) == "0912345678"


@pytest.mark.parametrize(
    "prefix",
    ["032", "039", "052", "056", "058", "059", "070", "076", "077", "078", "079",
     "081", "089", "090", "099"],
)  # fmt: skip
def test_every_allowed_mobile_prefix_is_accepted(prefix: str) -> None:
    assert normalize_phone(prefix + "1234567") == prefix + "1234567"


@pytest.mark.parametrize(
    "prefix",
    ["030", "031", "050", "051", "053", "054", "055", "057", "071", "072", "075", "080",
     "024", "028", "012", "016"],
)  # fmt: skip
def test_prefixes_outside_the_mobile_plan_are_refused(prefix: str) -> None:
    assert refusal(normalize_phone, prefix + "1234567").code == "identity.phone_format"


@pytest.mark.parametrize(
    "value",
    ["", "091234567", "09123456789", "912345678", "+8491234567", "+849123456789", "+85912345678",
     "0912345abc", "0912/345/678", "++84912345678", "０９１２３４５６７８", "01234567890"],
)  # fmt: skip
def test_phone_of_wrong_length_characters_or_country_is_refused(value: str) -> None:
    error = refusal(normalize_phone, value)
    assert error.code == "identity.phone_format"
    assert error.field == "phone"
    assert error.message.startswith("Số điện thoại di động không hợp lệ")


@given(st.from_regex(MOBILE_RE, fullmatch=True))
def test_normalize_phone_is_idempotent_on_its_own_output(number: str) -> None:
    assert normalize_phone(number) == number
    assert normalize_phone(normalize_phone(number)) == number


@given(
    st.from_regex(MOBILE_RE, fullmatch=True), st.sampled_from(["+84 ", "84", "0084 ", "+84 (0) "])
)
def test_international_form_of_any_valid_mobile_normalises_back(number: str, prefix: str) -> None:
    spaced = f"{prefix}{number[1:4]} {number[4:7]} {number[7:]}"
    assert normalize_phone(spaced) == number


# --- Chip-card QR ---------------------------------------------------------------------------

NAME = "Nguyễn Thị Ánh Hồng"
ADDRESS = "Số 12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
QR = f"079301012345|024123456|{NAME}|15081987|Nữ|{ADDRESS}|01072021"
CARD = ChipIdCard(
    id_number="079301012345",
    old_id_number="024123456",
    full_name=NAME,
    date_of_birth=date(1987, 8, 15),
    sex="Nữ",
    address=ADDRESS,
    issue_date=date(2021, 7, 1),
)


def test_chip_qr_fills_every_field() -> None:
    assert parse_chip_qr(QR) == CARD


def test_chip_qr_tolerates_surrounding_whitespace_cr_lf_and_bom() -> None:
    assert parse_chip_qr("\ufeff  " + QR + "\r\n") == CARD


def test_chip_qr_in_nfd_comes_back_in_nfc() -> None:
    card = parse_chip_qr(nfd(QR))
    assert card == CARD
    assert unicodedata.is_normalized("NFC", card.full_name + card.address + card.sex)


def test_chip_qr_collapses_doubled_spaces_inside_text_fields() -> None:
    card = parse_chip_qr(QR.replace("Nguyễn Thị", "Nguyễn  Thị").replace("Lê Lợi", "Lê\u00a0 Lợi"))
    assert (card.full_name, card.address) == (NAME, ADDRESS)


def test_chip_qr_empty_old_number_and_issue_date_become_none() -> None:
    card = parse_chip_qr(QR.replace("|024123456|", "||").removesuffix("01072021"))
    assert card == dataclasses.replace(CARD, old_id_number=None, issue_date=None)


def test_chip_qr_accepts_a_twelve_digit_old_cmnd() -> None:
    assert parse_chip_qr(QR.replace("024123456", "024123456789")).old_id_number == "024123456789"


@pytest.mark.parametrize(
    ("written", "sex"), [("Nam", "Nam"), ("NAM", "Nam"), ("nữ", "Nữ"), (nfd("NỮ"), "Nữ")]
)
def test_chip_qr_sex_is_normalised(written: str, sex: str) -> None:
    assert parse_chip_qr(QR.replace("|Nữ|", f"|{written}|")).sex == sex


@pytest.mark.parametrize(
    ("text", "part", "hint"),
    [
        ("001087123456|Nguyễn Văn A|01011990", "fields", "7 phần"),
        (QR + "|extra", "fields", "nhận được 8"),
        (QR.replace("079301012345", "07930101234"), "id_number", "12 chữ số"),
        (QR.replace("079301012345", "07930101234X"), "id_number", "12 chữ số"),
        (QR.replace("024123456", "02412345"), "old_id_number", "CMND"),
        (QR.replace(NAME, " "), "full_name", "họ và tên"),
        (QR.replace("15081987", "31022000"), "date_of_birth", "ngày sinh"),
        (QR.replace("15081987", "1508198"), "date_of_birth", "ngày sinh"),
        (QR.replace("15081987", "1987-08-15"), "date_of_birth", "ngày sinh"),
        (QR.replace("|Nữ|", "|Khác|"), "sex", "giới tính"),
        (QR.replace("|Nữ|", "||"), "sex", "giới tính"),
        (QR.replace(ADDRESS, ""), "address", "nơi thường trú"),
        (QR.replace("01072021", "32072021"), "issue_date", "ngày cấp"),
        (QR.replace("01072021", "0107202"), "issue_date", "ngày cấp"),
    ],
)
def test_malformed_chip_qr_is_refused_naming_the_wrong_part(
    text: str, part: str, hint: str
) -> None:
    error = refusal(parse_chip_qr, text)
    assert error.code == "identity.qr_format"
    assert error.params["part"] == part
    assert hint in error.message


@given(
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.one_of(st.just(""), st.from_regex(r"[0-9]{9}", fullmatch=True)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["Nam", "Nữ"]),
    st.one_of(st.none(), st.dates(min_value=date(2016, 1, 1), max_value=date(2099, 12, 31))),
)
def test_any_well_formed_chip_qr_round_trips(
    id_number: str, old: str, born: date, sex: str, issued: date | None
) -> None:
    issued_text = issued.strftime("%d%m%Y") if issued else ""
    text = f"{id_number}|{old}|{NAME}|{born.strftime('%d%m%Y')}|{sex}|{ADDRESS}|{issued_text}"
    assert looks_like_chip_qr(text)
    card = parse_chip_qr(text)
    assert card == ChipIdCard(id_number, old or None, NAME, born, sex, ADDRESS, issued)


@pytest.mark.parametrize(
    "text", [QR, "\r\n" + QR + "\r\n", "\ufeff " + QR, nfd(QR), "001087123456||x||||"]
)
def test_looks_like_chip_qr_spots_scanner_output(text: str) -> None:
    assert looks_like_chip_qr(text)


@pytest.mark.parametrize(
    "text",
    ["", "001087123456", "HS-2025-000123", QR + "|", QR.replace("|01072021", ""),
     "00108712345|024123456|A|15081987|Nam|B|01072021", "x" + QR,
     "0010871234567|024123456|A|15081987|Nam|B|01072021"],
)  # fmt: skip
def test_looks_like_chip_qr_ignores_ordinary_typing(text: str) -> None:
    assert not looks_like_chip_qr(text)
