"""Form 01 on an 80 mm thermal roll, for counters whose only printer is a receipt printer.

The same fields and wording as the A5 receipt (shared from `printing.receipt`), stacked in one
column 72 mm wide; the page is exactly as long as its content, since the roll has no page length.
The Code 128 symbol is turned a quarter so its modules stay 0.25 mm wide (it would need 85 mm
across); the QR code, the reception and the appointment times sit beside it. The reprint mark is
part of the text here, at the top, because the narrow page has no margin line wide enough for it.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table

from app.domain.forms import FormKind
from app.services.document_data import ReceiptData
from printing.barcodes import Code128Barcode, QrCode
from printing.dates import date_in_words, moment_in_words
from printing.fonts import SERIF_BOLD
from printing.layout import (
    THERMAL_WIDTH,
    Decorations,
    GroupStart,
    Rule,
    Styles,
    build_pdf,
    make_styles,
    table_style,
    text,
    thermal_page,
)
from printing.receipt import (
    after_table_lines,
    bold,
    components_heading,
    copy_label,
    field_lines,
    place_date_line,
)
from printing.templates import FormTemplate, form_template

CONTENT_WIDTH = THERMAL_WIDTH - 8 * mm
# Slack for rounding between the measured story and the frame, so a copy never spills over.
_SLACK = 6 * mm


def _header(data: ReceiptData, template: FormTemplate, s: Styles) -> list[Flowable]:
    issuer = data.dossier.receiving
    small = ParagraphStyle("th-small", parent=s.center, fontSize=s.size - 1)
    small_bold = ParagraphStyle("th-small-bold", parent=small, fontName=SERIF_BOLD)
    out: list[Flowable] = []
    if issuer.parent_name:
        out.append(Paragraph(text(issuer.parent_name.upper()), small))
    out += [
        Paragraph(text(issuer.name.upper()), small_bold),
        Rule(18 * mm),
        Spacer(1, 1 * mm),
        Paragraph(text(template.text("motto_country")), small_bold),
        Paragraph(text(template.text("motto_words")), small_bold),
        Rule(stringWidth(template.text("motto_words"), SERIF_BOLD, small.fontSize), gap=1.5),
        Paragraph(
            text(
                place_date_line(
                    template, data.dossier.place, date_in_words(data.dossier.received_at.date())
                )
            ),
            s.center_italic,
        ),
    ]
    return out


def _code_block(data: ReceiptData, template: FormTemplate, s: Styles) -> Table:
    d = data.dossier
    barcode = Code128Barcode(d.code, bar_height=13 * mm, rotated=True)
    side: list[Flowable] = [
        QrCode(data.lookup_text, size=30 * mm),
        Paragraph(text(template.text("lookup_hint")), s.small_center),
        Spacer(1, 2 * mm),
        Paragraph(text(template.text("label_received_at")) + ":", s.small_center),
        Paragraph(bold(moment_in_words(d.received_at)), s.small_center),
        Spacer(1, 1.5 * mm),
        Paragraph(text(template.text("label_appointment")) + ":", s.small_center),
        Paragraph(bold(moment_in_words(d.appointment)), s.center),
    ]
    left_width = barcode.bar_height + 6 * mm
    return Table(
        [[barcode, side]],
        colWidths=[left_width, CONTENT_WIDTH - left_width],
        style=table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )


def _one_copy(data: ReceiptData, template: FormTemplate, s: Styles, copy: int) -> list[Flowable]:
    d = data.dossier
    story: list[Flowable] = []
    if data.marks.reprint:
        mark = template.text("reprint_mark", printed_at=moment_in_words(data.marks.printed_at))
        story += [Paragraph(bold(mark), s.small_center), Spacer(1, 1.5 * mm)]
    story += _header(data, template, s)
    story.append(Paragraph(text(template.title), s.title))
    if data.supplement_round:
        round_text = template.text("supplement_round", round=data.supplement_round)
        story.append(Paragraph(bold(round_text), s.center))
    story += [
        Paragraph(f"{text(template.text('code'))}:", s.center),
        Paragraph(bold(d.code), s.center_bold),
        *([Paragraph(f"({text(copy_label(template, copy))})", s.center_italic)] if copy else []),
        Spacer(1, 1.5 * mm),
        _code_block(data, template, s),
        Spacer(1, 2 * mm),
    ]
    story += [Paragraph(line, s.body) for _, line in field_lines(data, template)]
    if d.components:
        story.append(Paragraph(components_heading(data, template), s.body))
        for c in d.components:
            story.append(
                Paragraph(
                    f"{c.position}. {text(c.name)} "
                    f"({text(template.columns[2].title)}: {c.originals}, "
                    f"{text(template.columns[3].title)}: {c.copies})",
                    ParagraphStyle("th-comp", parent=s.small, leftIndent=3 * mm),
                )
            )
    story += [Paragraph(line, s.body) for line in after_table_lines(data, template)]
    names = {"applicant_name": d.applicant_name, "officer_name": d.officer_name}
    for signature in template.signatures:
        story += [
            Spacer(1, 2 * mm),
            Paragraph(text(signature.title), s.center_bold),
            Paragraph(text(template.text(signature.hint)), s.small_center),
            Spacer(1, 11 * mm),
            Paragraph(text(signature.name.format_map(names)), s.center_bold),
        ]
    return story


def _height(story: list[Flowable]) -> float:
    """The height the frame needs for `story`, measured the way the frame will lay it out."""
    total = 0.0
    for flowable in story:
        _, height = flowable.wrap(CONTENT_WIDTH, 10_000 * mm)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def render_receipt_thermal(data: ReceiptData) -> bytes:
    template = form_template(FormKind.RECEIPT, data.document_date)
    styles = make_styles(9)
    copies = data.copies or (0,)
    stories = [_one_copy(data, template, styles, copy) for copy in copies]
    page = thermal_page(max(_height(story) for story in stories) + _SLACK)
    flowables: list[Flowable] = []
    for copy, story in zip(copies, stories, strict=True):
        # A new page per copy: the printer's cutter separates the office and applicant copies.
        flowables += [GroupStart(copy_label(template, copy) if copy else ""), *story]
        flowables.append(PageBreak())
    decorations = Decorations(
        watermark=template.text("preview_watermark") if data.marks.preview else None,
        font_size=7,
        margin=4 * mm,
    )
    return build_pdf(
        flowables[:-1],
        page,
        decorations,
        title=f"{template.title} – {data.dossier.code}",
        subject=template.form_no,
    )
