"""The dossier code as a Code 128 barcode and the status look-up as a QR code, both vector.

Code 128 bars are drawn at a module width of at least 0.25 mm: at 0.20 mm a 200 dpi scan (and an
ordinary counter scanner) no longer decodes a 25-character code, at 0.25 mm it does. That makes
the symbol about 85 mm wide with its quiet zones, which fits A5 across but not an 80 mm thermal
roll (72 mm printable), so the thermal layout turns it a quarter (`rotated=True`): scanners read
Code 128 in any orientation. The human-readable code is printed by the form itself, in the
document's font, so no base-14 font sneaks into the PDF.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

MIN_MODULE_WIDTH = 0.25 * mm
QUIET_MODULES = 10  # Code 128's minimum quiet zone on each side


class Code128Barcode(Flowable):  # type: ignore[misc]
    """A Code 128 symbol of `value`; width follows from the module width, never squeezed."""

    def __init__(
        self,
        value: str,
        *,
        bar_height: float = 12 * mm,
        module_width: float = MIN_MODULE_WIDTH,
        rotated: bool = False,
    ) -> None:
        super().__init__()
        if module_width < MIN_MODULE_WIDTH:
            raise ValueError("Code 128 module width below 0.25 mm does not scan reliably")
        self.value = value
        self.rotated = rotated
        self._symbol: Any = Code128(
            value,
            barWidth=module_width,
            barHeight=bar_height,
            humanReadable=False,
            quiet=True,
            lquiet=QUIET_MODULES * module_width,
            rquiet=QUIET_MODULES * module_width,
        )
        self.symbol_width = float(self._symbol.width)
        self.bar_height = bar_height
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self.rotated:
            return self.bar_height, self.symbol_width
        return self.symbol_width, self.bar_height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        if self.rotated:
            canvas.translate(self.bar_height, 0)
            canvas.rotate(90)
        self._symbol.drawOn(canvas, 0, 0)
        canvas.restoreState()


class QrCode(Flowable):  # type: ignore[misc]
    """A square QR code of `text`, `size` wide including its 4-module quiet zone (level M).

    Drawn straight on the canvas as one rectangle per run of dark modules in a row: a few
    hundred path operations instead of a drawing tree, and the matrix is computed once per
    text (a two-copy receipt draws the same code twice).
    """

    def __init__(self, text: str, *, size: float = 24 * mm) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        rows = qr_matrix(self.text)
        count = len(rows)
        box = self.size / (count + 2 * QR_QUIET_MODULES)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        path = canvas.beginPath()
        for r, row in enumerate(rows):
            y = self.size - (r + QR_QUIET_MODULES + 1) * box
            column = 0
            for dark, run in itertools.groupby(row):
                length = len(list(run))
                if dark:
                    path.rect((column + QR_QUIET_MODULES) * box, y, length * box, box)
                column += length
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()


QR_QUIET_MODULES = 4


@lru_cache(maxsize=128)
def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules of `text` at error correction level M (about 15 % may be damaged)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return tuple(tuple(bool(m) for m in row) for row in code.modules)
