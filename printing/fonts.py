"""The one typeface of every printed document: Liberation Serif 2.x, bundled in `resources/fonts/`.

NĐ 30/2020 asks for a Times New Roman–compatible serif with the full Vietnamese alphabet; Liberation
Serif 2.x has Times metrics and every Vietnamese letter (1.x did not), is OFL-licensed (licence in
`resources/fonts/OFL.txt`) and ships with the application because counters run Windows machines
whose fonts we cannot rely on. reportlab embeds a subset of each TTF in every PDF (FontFile2).
`register_fonts()` is idempotent and thread-safe; every renderer calls it before drawing.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from resources import resource_path

SERIF = "LiberationSerif"
SERIF_BOLD = "LiberationSerif-Bold"
SERIF_ITALIC = "LiberationSerif-Italic"
SERIF_BOLD_ITALIC = "LiberationSerif-BoldItalic"

_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the four faces and the family (so <b>/<i> in paragraphs pick the right file)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, file_name in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file_name))))
        for bold, italic, name in (
            (0, 0, SERIF),
            (1, 0, SERIF_BOLD),
            (0, 1, SERIF_ITALIC),
            (1, 1, SERIF_BOLD_ITALIC),
        ):
            addMapping(SERIF, bold, italic, name)
        _registered = True


def font_files() -> dict[str, str]:
    """Face name → bundled file name (for the licence check and the packaging spec)."""
    return dict(_FILES)
