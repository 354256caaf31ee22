"""Masking of citizens' personal data in any text that may reach a log, a crash report or a
support e-mail: names, ID numbers (9-digit CMND, 12-digit CCCD, tax codes), phone numbers,
e-mail addresses and street addresses (DOMAIN §8: personal data never appears in logs).

It is deliberately greedy: a log line that loses a province name to "[địa chỉ]" costs nothing,
one that keeps a citizen's ID number is a breach. Names are recognised by a Vietnamese family name
(including the common Thái and H'Mông family names of the northern mountain provinces) followed
by further capitalised words, or, in accent-free lower case as typed into a search box, by a
family name followed by a common middle name ("dang thi hoa"). Callers that know the exact values
(an applicant being handled) can pass them as `known` to have them masked whatever their shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.domain.text import fold

NAME_MASK = "[họ tên]"
ID_MASK = "[số giấy tờ]"
PHONE_MASK = "[số điện thoại]"
EMAIL_MASK = "[thư điện tử]"
ADDRESS_MASK = "[địa chỉ]"
KNOWN_MASK = "[dữ liệu cá nhân]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 0 or +84/84, then 9 digits, optionally grouped by spaces, dots or dashes ("0912 345 678").
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)(?:[\s.-]?\d){9}(?!\d)")
# CMND (9), tax code (10, 13), CCCD (12): whole runs of digits, not parts of codes or UUIDs.
_ID_NUMBER = re.compile(r"(?<![\w.-])\d{9,13}(?![\w-])")
# An address starts at one of these words and runs to the end of its field (commas included).
_ADDRESS_WORDS = (
    r"số\s+\d+\w*|số nhà|tổ(?:\s+dân\s+phố)?|thôn|bản|xóm|ấp|khu phố|ngõ|ngách|hẻm|kiệt|"
    r"đường|phố|phường|xã|thị trấn|thị xã|quận|huyện|tỉnh|thành phố|tp\."
)
_ADDRESS = re.compile(
    rf"(?<![\w])(?:{_ADDRESS_WORDS})(?![\w])[^|;\n\"'»)\]}}]*", re.IGNORECASE | re.UNICODE
)
_WORD = re.compile(r"[^\W\d_]+")

FAMILY_NAMES = frozenset(
    fold(n)
    for n in (
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Lâm "
        "Mai Trịnh Trương Hà Cao Lương Lưu Tạ Tô Châu Quách Hứa Thái Kiều Triệu Nông Lò Cầm "
        "Quàng Lường Sầm Tòng Vì Mùa Sùng Giàng Thào Vàng Hờ Lầu Bạc Điêu Đèo Lộc Khổng Mạc "
        "Chu Văn Đào Kim Tăng Lại Thân Từ Doãn Vương Phùng Âu Giáp Ông Hầu La Lục Thạch Danh"
    ).split()
)
MIDDLE_NAMES = frozenset(
    "van thi duc huu ngoc minh thanh quoc xuan kim hoang cong dinh quang thu hong anh "
    "gia bao tuan trung thuy my phuong".split()
)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of probable personal names (see the module docstring for the two shapes)."""
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        first = words[i]
        folded = fold(first.group())
        if folded not in FAMILY_NAMES:
            i += 1
            continue
        capitalised = _is_capitalised(first.group())
        j = i + 1
        while j < len(words) and j - i < 6:
            gap = text[words[j - 1].end() : words[j].start()]
            word = words[j].group()
            if gap != " ":
                break
            if capitalised and not _is_capitalised(word):
                break
            if not capitalised and (word != word.lower() or not word.isascii()):
                break
            if not capitalised and j == i + 1 and fold(word) not in MIDDLE_NAMES:
                break
            j += 1
        if j - i >= 2:
            spans.append((first.start(), words[j - 1].end()))
            i = j
        else:
            i += 1
    return spans


def _mask_spans(text: str, spans: Iterable[tuple[int, int]], mask: str) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(mask)
        last = end
    out.append(text[last:])
    return "".join(out)


def redact(text: str, known: Iterable[str] = ()) -> str:
    """`text` with personal data replaced by bracketed placeholders such as "[họ tên]"."""
    for value in sorted({k.strip() for k in known if k and len(k.strip()) >= 3}, key=len)[::-1]:
        text = re.sub(re.escape(value), KNOWN_MASK, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _ID_NUMBER.sub(ID_MASK, text)
    text = _ADDRESS.sub(ADDRESS_MASK, text)
    return _mask_spans(text, _name_spans(text), NAME_MASK)
