"""Amounts of Vietnamese đồng as official documents print them: digits and words.

`format_vnd(150000)` → "150.000 đồng" (dot thousands separator); `amount_in_words(150000)` →
"Một trăm năm mươi nghìn đồng". Written by hand because the usual library reading drops
"không trăm" inside a group (1.050.000 must read "Một triệu không trăm năm mươi nghìn đồng") and has
no currency form. Receipts, fee notices and payment records all use these two functions.

Reading rules (the ones accountants and state treasury forms follow):
- a number is read in groups of three digits: nghìn (10³), triệu (10⁶), tỷ (10⁹); above that the
  reading of the part over a billion is followed by "tỷ" ("Một nghìn tỷ", "Một triệu tỷ");
- the leading group is read short (15 → "mười lăm"); every following non-zero group is read in full
  with its hundreds ("không trăm") and "linh" before a lone unit (1.001 → "một nghìn không trăm
  linh một"); groups that are all zero are skipped (10.000.000.000 → "mười tỷ");
- after "mươi": 1 reads "mốt", 4 reads "tư", 5 reads "lăm" (21 "hai mươi mốt", 24 "hai mươi tư",
  25 "hai mươi lăm"); after "mười": 5 reads "lăm", 4 stays "bốn" (14 "mười bốn", 15 "mười lăm").
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 1_000_000_000
# Scale words of the three groups below a billion, highest first.
_GROUP_SCALES = ((1_000_000, "triệu"), (1_000, "nghìn"), (1, ""))


def format_vnd(amount: int) -> str:
    """«150.000 đồng»: digits grouped by dots, as Vietnamese documents write money."""
    _check(amount)
    return f"{amount:,}".replace(",", ".") + " đồng"


def amount_in_words(amount: int) -> str:
    """«Một trăm năm mươi nghìn đồng»: the amount read out, capitalised, with the currency."""
    _check(amount)
    words = " ".join(_read(amount, leading=True)) if amount else DIGITS[0]
    return words[0].upper() + words[1:] + " đồng"


def number_in_words(number: int) -> str:
    """The reading of a non-negative integer without the currency («hai mươi mốt»)."""
    _check(number)
    return " ".join(_read(number, leading=True)) if number else DIGITS[0]


def _check(amount: int) -> None:
    # bool is an int subclass; True đồng is a bug upstream, not an amount.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int of đồng, got {type(amount).__name__}")
    if amount < 0:
        raise ValueError("amount must not be negative")


def _read(number: int, *, leading: bool) -> list[str]:
    """Words of `number` (> 0). `leading`: it starts the whole reading, so no "không trăm"."""
    if number >= _BILLION:
        billions, rest = divmod(number, _BILLION)
        words = [*_read(billions, leading=leading), "tỷ"]
        if rest:
            words += _read_below_billion(rest, leading=False)
        return words
    return _read_below_billion(number, leading=leading)


def _read_below_billion(number: int, *, leading: bool) -> list[str]:
    words: list[str] = []
    for scale, name in _GROUP_SCALES:
        group = number // scale % 1000
        if group == 0:
            continue
        words += _read_group(group, full=not leading or bool(words))
        if name:
            words.append(name)
    return words


def _read_group(group: int, *, full: bool) -> list[str]:
    """Three digits. `full`: read the hundreds even when 0 and "linh" before a lone unit."""
    hundreds, tens, units = group // 100, group // 10 % 10, group % 10
    words: list[str] = []
    if full or hundreds:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
        return words
    words += [DIGITS[tens], "mươi"]
    if units:
        words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words
