from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.text import clean_text, fold, fold_tokens, nfc

NFD_HOA = unicodedata.normalize("NFD", "Đặng Thị Hoà")

# Text that looks like what reaches the counter: Vietnamese letters in both shapes, marks on
# their own, odd spaces, punctuation, plus anything else Unicode has.
vietnamese_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            [
                *"aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệ",
                *["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u00a0", "\t", "\n"],
                *"-,.",
            ]
        ),
        st.characters(),
    )
)


def test_nfc_composes_a_decomposed_vietnamese_name() -> None:
    assert NFD_HOA != "Đặng Thị Hoà"
    assert nfc(NFD_HOA) == "Đặng Thị Hoà"


def test_nfc_leaves_precomposed_text_unchanged() -> None:
    assert nfc("Nguyễn Văn Ân") == "Nguyễn Văn Ân"


def test_clean_text_turns_none_into_empty_string() -> None:
    assert clean_text(None) == ""


def test_clean_text_trims_and_collapses_spaces_tabs_newlines_and_nbsp() -> None:
    assert clean_text("  Nguyễn\u00a0\u00a0Văn\t\tA\r\n phường 1 ") == "Nguyễn Văn A phường 1"


def test_clean_text_collapses_unicode_spaces_such_as_em_and_ideographic_space() -> None:
    assert clean_text("Lê\u2003Lợi\u3000Quận\u202f1") == "Lê Lợi Quận 1"


def test_clean_text_removes_zero_width_characters_and_byte_order_mark() -> None:
    assert clean_text("\ufeffTrần\u200b Thị") == "Trần Thị"


def test_clean_text_normalises_to_nfc() -> None:
    cleaned = clean_text(" " + NFD_HOA + " ")
    assert cleaned == "Đặng Thị Hoà"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_clean_text_of_whitespace_only_is_empty() -> None:
    assert clean_text(" \u00a0\t\n ") == ""


def test_clean_text_keeps_case_and_diacritics() -> None:
    assert clean_text("ĐỖ Thị Ngọc") == "ĐỖ Thị Ngọc"


def test_fold_removes_diacritics_and_maps_d_bar_and_lowercases() -> None:
    assert fold("Đặng Thị Hoà") == "dang thi hoa"


def test_fold_gives_the_same_key_for_nfd_input() -> None:
    assert fold(NFD_HOA) == "dang thi hoa"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đ", "d"),
        ("Đ", "d"),
        ("ĐÔNG", "dong"),
        ("Nguyễn Văn Ất", "nguyen van at"),
        ("Phường Bến Thành, Quận 1", "phuong ben thanh, quan 1"),
        ("ƯỚC MƠ", "uoc mo"),
        ("  Lý\u00a0\tThường   Kiệt ", "ly thuong kiet"),
        ("Hoà", "hoa"),
        ("Hòa", "hoa"),
        ("", ""),
    ],
)
def test_fold_examples(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_makes_old_and_new_tone_placement_equal() -> None:
    # "Hoà" (old style) and "Hòa" (new style) are the same name to the officer.
    assert fold("Thuỵ Khuê") == fold("Thụy Khuê")


def test_fold_drops_stray_combining_marks_between_words() -> None:
    assert fold("a \u0301 b") == "a b"


def test_fold_case_folds_beyond_ascii() -> None:
    assert fold("STRASSE") == fold("Straße")


def test_fold_tokens_splits_on_punctuation_and_whitespace() -> None:
    assert fold_tokens("Nguyễn-Văn  A., 12/3 Lê Lợi") == [
        "nguyen",
        "van",
        "a",
        "12",
        "3",
        "le",
        "loi",
    ]


def test_fold_tokens_drops_underscores_and_symbols() -> None:
    assert fold_tokens("hồ_sơ #001 (bản sao)") == ["ho", "so", "001", "ban", "sao"]


def test_fold_tokens_of_punctuation_only_is_empty() -> None:
    assert fold_tokens(" ,.;- ") == []


def test_fold_tokens_of_nfd_input_matches_nfc_input() -> None:
    assert fold_tokens(NFD_HOA) == fold_tokens("Đặng Thị Hoà") == ["dang", "thi", "hoa"]


@given(vietnamese_text)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(vietnamese_text)
def test_fold_is_the_same_for_nfc_and_nfd_input(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@given(vietnamese_text)
def test_fold_output_has_no_combining_marks_and_no_outer_or_double_spaces(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.category(ch) == "Mn" for ch in folded)
    assert folded == folded.strip()
    assert "  " not in folded


@given(vietnamese_text)
def test_clean_text_is_idempotent_and_nfc(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)


@given(vietnamese_text)
def test_fold_tokens_are_non_empty_and_alphanumeric(text: str) -> None:
    for token in fold_tokens(text):
        assert token
        assert all(ch.isalnum() for ch in token)


def test_zero_width_space_between_letter_and_mark_does_not_leave_text_unnormalised() -> None:
    # Removing the invisible character joins "A" and the dot below; NFC must run after that.
    assert clean_text("A\u200b\u0323") == "Ạ"
    assert fold("A\u200b\u0323") == "a"
