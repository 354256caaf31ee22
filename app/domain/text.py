"""Vietnamese text normalisation: one NFC form for storage and one accent-free key for search.

Vietnamese arrives in two Unicode shapes — precomposed (NFC, what most keyboards send) and
decomposed (NFD, what macOS file names, some PDFs and some QR scanners produce) — plus stray
no-break spaces and tabs from copy-paste. Everything the application stores goes through
`clean_text`, and every name or address it searches is compared through `fold`, so "Đặng Thị Hoà",
its NFD twin and "dang thi hoa" all find the same person.
"""

from __future__ import annotations

import re
import unicodedata

# Python's `\s` on str patterns is Unicode-aware: it covers tabs, newlines, NBSP (U+00A0),
# the U+2000 block and the ideographic space, which is exactly what pasted text brings along.
_WHITESPACE = re.compile(r"\s+")

# Zero-width characters are not whitespace to Unicode but are invisible to the officer; pasted
# web text and some scanners (BOM) insert them, and they would make equal names compare unequal.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))

# Letters and digits only; `[^\W_]` is "a word character that is not the underscore".
_TOKEN = re.compile(r"[^\W_]+")

# đ is a letter of its own, not d plus a mark, so stripping marks alone would leave it in place.
# Applied after casefold, which has already turned Đ into đ.
_D_MAP = str.maketrans("đ", "d")


def nfc(s: str) -> str:
    """Return `s` in Unicode Normalization Form C (precomposed)."""
    return unicodedata.normalize("NFC", s)


def clean_text(s: str | None) -> str:
    """NFC, trimmed, every run of whitespace collapsed to one ordinary space; None gives ""."""
    if s is None:
        return ""
    return _WHITESPACE.sub(" ", nfc(s.translate(_INVISIBLE))).strip()


def fold(s: str) -> str:
    """Search key: no diacritics, đ → d, case-folded, single-spaced.

    Case-folding happens before the marks are removed because folding can itself produce
    combining marks (e.g. "İ" folds to "i" + U+0307); removing them afterwards keeps the key
    stable, so `fold(fold(x)) == fold(x)`.
    """
    text = nfc(s.translate(_INVISIBLE)).casefold().translate(_D_MAP)
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _WHITESPACE.sub(" ", nfc(bare)).strip()


def fold_tokens(s: str) -> list[str]:
    """The folded words of `s`; punctuation and whitespace both separate words."""
    return _TOKEN.findall(fold(s))
