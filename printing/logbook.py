"""Form 07, the logbook (*Sổ theo dõi hồ sơ*), on A4 landscape.

The column set of DOMAIN §5 (titles and widths are template data), one table per book (*quyển*)
with its running entry numbers, the header row repeated on every page, a running title and
«Trang x/y» on every page, and a totals line that reconciles with the dossiers listed (total and
by current status). A day's logbook runs to hundreds of rows, so cells are plain strings wrapped
with the font's metrics rather than paragraphs: several times faster, same look.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.domain.forms import FormKind
from app.domain.lifecycle import Status
from app.domain.text import nfc
from app.services.document_data import LogbookDocument
from app.services.views import LogbookEntry
from printing.dates import date_in_words, short_date, short_moment
from printing.fonts import SERIF
from printing.layout import (
    A4_LANDSCAPE,
    Decorations,
    Styles,
    build_pdf,
    header_block,
    make_styles,
    signature_block,
    table_style,
    text,
)
from printing.receipt import bold, place_date_line
from printing.templates import FormTemplate, form_template

CELL_FONT_SIZE = 7.5
_PAD = 1.5  # points, each side of a cell


def _cell_values(entry: LogbookEntry) -> dict[str, str]:
    return {
        "entry_no": str(entry.entry_no),
        "code": entry.code,
        "procedure_name": entry.procedure_name,
        "sets": str(entry.sets),
        "submitter": entry.submitter,
        "address_phone": entry.address_phone,
        "resolving_agency": entry.resolving_agency,
        "received_at": short_moment(entry.received_at),
        "appointment": short_moment(entry.appointment),
        "transferred_at": short_moment(entry.transferred_at),
        "result_at": short_moment(entry.result_at),
        "returned_at": short_moment(entry.returned_at),
        "signature": "",
        "note": entry.note,
    }


def _wrap(value: str, width: float) -> str:
    if not value:
        return ""
    return "\n".join(simpleSplit(nfc(value), SERIF, CELL_FONT_SIZE, width - 2 * _PAD))


def _table(entries: list[LogbookEntry], template: FormTemplate, s: Styles, width: float) -> Table:
    widths = [width * c.width for c in template.columns]
    head = [Paragraph(text(c.title), s.cell_head) for c in template.columns]
    rows: list[list[object]] = [head]
    for entry in entries:
        values = _cell_values(entry)
        rows.append(
            [_wrap(values[c.key], w) for c, w in zip(template.columns, widths, strict=True)]
        )
    numeric = [i for i, c in enumerate(template.columns) if c.key in ("entry_no", "sets")]
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("FONT", (0, 1), (-1, -1), SERIF, CELL_FONT_SIZE, CELL_FONT_SIZE * 1.15),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "CENTER") for i in numeric]
    return Table(rows, colWidths=widths, repeatRows=1, style=table_style(style))


def _range_text(doc: LogbookDocument, template: FormTemplate) -> str:
    page = doc.page
    if page.day_from == page.day_to:
        return template.text("range_one_day", day=short_date(page.day_from))
    return template.text(
        "range", day_from=short_date(page.day_from), day_to=short_date(page.day_to)
    )


def _books(entries: tuple[LogbookEntry, ...]) -> list[tuple[str, list[LogbookEntry]]]:
    """Entries grouped by book, books in order of their first entry, reception order kept."""
    books: dict[str, list[LogbookEntry]] = {}
    for entry in entries:
        books.setdefault(entry.book_no, []).append(entry)
    return list(books.items())


def _totals(doc: LogbookDocument, template: FormTemplate, s: Styles) -> list[Flowable]:
    entries = doc.page.entries
    if not entries:
        return [Paragraph(text(template.text("totals_none")), s.body)]
    by_status = Counter(entry.status for entry in entries)
    breakdown = "; ".join(
        template.text("breakdown_item", label=Status(status).label, count=count)
        for status, count in sorted(by_status.items())
    )
    out: list[Flowable] = [
        Paragraph(
            template.markup("totals", total=bold(len(entries)), breakdown=text(breakdown)), s.body
        )
    ]
    for book_no, book in _books(entries):
        numbers = [entry.entry_no for entry in book]
        line = template.text(
            "book_totals", book_no=book_no, count=len(book), first=min(numbers), last=max(numbers)
        )
        out.append(Paragraph(text(line), s.body))
    return out


def render_logbook(doc: LogbookDocument) -> bytes:
    template = form_template(FormKind.LOGBOOK, doc.document_date)
    styles = make_styles(10)
    width = A4_LANDSCAPE.content_width
    range_text = _range_text(doc, template)
    printed_on = date_in_words(doc.marks.printed_at.date())
    story: list[Flowable] = [
        header_block(
            doc.issuer, place_date_line(template, doc.place, printed_on), template, styles, width
        ),
        Paragraph(text(template.title), styles.title),
        Paragraph(text(range_text), styles.center_bold),
        Paragraph(
            text(template.text("receiving_point", receiving_point=doc.page.receiving_point)),
            styles.center,
        ),
        Spacer(1, 2 * mm),
    ]
    books = _books(doc.page.entries) or [("", [])]
    for book_no, entries in books:
        if book_no:
            story.append(Paragraph(bold(template.text("book", book_no=book_no)), styles.body))
        story += [_table(entries, template, styles, width), Spacer(1, 3 * mm)]
    signatures = signature_block(
        [
            (template.text("printed_by"), template.text("signature_hint"), ""),
            (template.text("checked_by"), template.text("signature_hint"), ""),
        ],
        styles,
        width,
    )
    story.append(KeepTogether([*_totals(doc, template, styles), signatures]))
    running = template.text(
        "page_header",
        title=template.title,
        receiving_point=doc.page.receiving_point,
        range=range_text,
    )
    decorations = Decorations(
        watermark=template.text("preview_watermark") if doc.marks.preview else None,
        form_no=template.form_no,
        page_format=template.raw("page_number"),
        number_single_pages=True,
        running_header=running,
        margin=A4_LANDSCAPE.left,
    )
    return build_pdf(
        story,
        A4_LANDSCAPE,
        decorations,
        title=f"{template.title} – {range_text}",
        subject=template.form_no,
    )
