"""Money as official documents print it: «150.000 đồng» and the amount in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import amount_in_words, format_vnd, number_in_words


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 đồng"),
        (5, "5 đồng"),
        (1_000, "1.000 đồng"),
        (150_000, "150.000 đồng"),
        (1_050_000, "1.050.000 đồng"),
        (10_000_000_000, "10.000.000.000 đồng"),
    ],
)
def test_format_vnd_groups_thousands_with_dots(amount, text):
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (10, "Mười đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (25, "Hai mươi lăm đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (115, "Một trăm mười lăm đồng"),
        (1_001, "Một nghìn không trăm linh một đồng"),
        (1_010, "Một nghìn không trăm mười đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (2_005_000, "Hai triệu không trăm linh năm nghìn đồng"),
        (1_000_001, "Một triệu không trăm linh một đồng"),
        (10_000_000_000, "Mười tỷ đồng"),
        (5_000_000_015, "Năm tỷ không trăm mười lăm đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_amount_in_words_reads_as_accountants_write(amount, words):
    assert amount_in_words(amount) == words


def test_the_hundreds_inside_a_group_are_never_dropped():
    # The library reading this module replaces says "một triệu năm mươi nghìn" here.
    assert "không trăm" in amount_in_words(1_050_000)
    assert "không trăm linh năm nghìn" in amount_in_words(2_005_000)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_refuses_what_is_not_a_non_negative_int(bad):
    with pytest.raises((TypeError, ValueError)):
        amount_in_words(bad)
    with pytest.raises((TypeError, ValueError)):
        format_vnd(bad)


_DIGITS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}


def _parse(words: str) -> int:
    """Read Vietnamese number words back (the inverse the property test checks against)."""
    total = big = small = last = 0
    for word in words.lower().split():
        if word in _DIGITS:
            last = _DIGITS[word]
            small += last
        elif word == "mười":
            last = 10
            small += 10
        elif word == "mươi":
            small += last * 9
            last = 0
        elif word == "trăm":
            small += last * 99
            last = 0
        elif word == "linh":
            continue
        elif word == "nghìn":
            big += small * 1_000
            small = last = 0
        elif word == "triệu":
            big += small * 1_000_000
            small = last = 0
        elif word == "tỷ":
            total = (total + big + small) * 1_000_000_000
            big = small = last = 0
        else:
            raise AssertionError(f"unexpected word {word!r}")
    return total + big + small


@given(st.integers(min_value=0, max_value=999_999_999_999_999))
def test_words_read_back_to_the_same_number(amount):
    words = number_in_words(amount)
    assert _parse(words) == amount
    assert "  " not in words and words == words.strip()
    assert amount_in_words(amount) == words[0].upper() + words[1:] + " đồng"
