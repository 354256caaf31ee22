"""Printing: pure render functions, document data in, PDF bytes out (see docs/ARCHITECTURE.md).

No Qt and no database here (an import-linter contract keeps it so): the data comes from
`app.services.documents` as the frozen dataclasses of `app.services.document_data`, the wording
from the versioned templates in `resources/templates/forms/`, the font from `resources/fonts/`.
Given the same data (and so the same clock), a renderer returns the same bytes.

    render_document(data)        any document: dispatches on the data's type (and receipt layout)
    render_receipt(data)         form 01 on A5 or 80 mm, one or both copies
    render_notice(data)          forms 02, 03, 04, 05
    render_control_sheet(data)   form 06
    render_logbook(data)         form 07 on A4 landscape
"""

from __future__ import annotations

from app.services.document_data import (
    ControlSheetData,
    DocumentData,
    LogbookDocument,
    NoticeData,
    ReceiptData,
)
from printing.control_sheet import render_control_sheet
from printing.logbook import render_logbook
from printing.notices import render_notice
from printing.receipt import render_receipt_a5
from printing.thermal import render_receipt_thermal


def render_receipt(data: ReceiptData) -> bytes:
    if data.layout == "80mm":
        return render_receipt_thermal(data)
    return render_receipt_a5(data)


def render_document(data: DocumentData) -> bytes:
    """The PDF of any printable document."""
    if isinstance(data, ReceiptData):
        return render_receipt(data)
    if isinstance(data, NoticeData):
        return render_notice(data)
    if isinstance(data, ControlSheetData):
        return render_control_sheet(data)
    return render_logbook(data)


__all__ = [
    "ControlSheetData",
    "DocumentData",
    "LogbookDocument",
    "NoticeData",
    "ReceiptData",
    "render_control_sheet",
    "render_document",
    "render_logbook",
    "render_notice",
    "render_receipt",
]
