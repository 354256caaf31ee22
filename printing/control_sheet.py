"""Form 06, the processing control sheet (*Phiếu kiểm soát quá trình giải quyết hồ sơ*), on A5.

It travels with the paper dossier: one row per hand-off (who handed it to whom, when, and whether
the step finished early, on time or late). Hand-offs that have happened are printed; those still
ahead are printed with a blank time line to be filled in by hand, as the paper form is used.
The dossier code is also a barcode here, so the receiving agency can scan it.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.forms import FormKind
from app.services.document_data import ControlSheetData
from printing.barcodes import Code128Barcode
from printing.dates import date_in_words, moment_in_words
from printing.layout import (
    A5_PORTRAIT,
    Styles,
    build_pdf,
    header_block,
    make_styles,
    table_style,
    text,
)
from printing.receipt import bold, decorations_for, place_date_line
from printing.templates import FormTemplate, form_template


def _table(data: ControlSheetData, template: FormTemplate, s: Styles, width: float) -> Table:
    head = ParagraphStyle("cs-head", parent=s.cell_head, fontSize=8.5, leading=9.5)
    rows: list[list[object]] = [[Paragraph(text(c.title), head) for c in template.columns]]
    for hand_off in data.hand_offs:
        parties = (
            f"<b>{hand_off.step}.</b> "
            + template.markup("handed", party=text(hand_off.handed_by))
            + "<br/>"
            + template.markup("received", party=text(hand_off.received_by))
        )
        when = (
            template.markup("hand_off_time", at=text(moment_in_words(hand_off.at)))
            if hand_off.at
            else template.markup("hand_off_blank")
        )
        stage_key = f"step_{hand_off.stage}"
        stage = template.text(stage_key) if template.has(stage_key) else hand_off.stage
        note = "<br/>".join(text(x) for x in (stage, hand_off.note) if x)
        rows.append(
            [
                Paragraph(parties, s.cell),
                Paragraph(when, s.cell),
                Paragraph(text(hand_off.outcome), s.cell_center),
                Paragraph(note, s.cell),
            ]
        )
    return Table(
        rows,
        colWidths=[width * c.width for c in template.columns],
        repeatRows=1,
        style=table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )


def render_control_sheet(data: ControlSheetData) -> bytes:
    template = form_template(FormKind.CONTROL_SHEET, data.document_date)
    styles = make_styles(10)
    width = A5_PORTRAIT.content_width
    d = data.dossier
    t = template.markup
    story: list[Flowable] = [
        header_block(
            d.receiving,
            place_date_line(template, d.place, date_in_words(d.received_at.date())),
            template,
            styles,
            width,
        ),
        Paragraph(text(template.title), styles.title),
        Paragraph(f"{text(template.text('code'))}: {bold(d.code)}", styles.center),
        Spacer(1, 1 * mm),
        Code128Barcode(d.code, bar_height=9 * mm),
        Spacer(1, 2 * mm),
        Paragraph(t("attached", applicant_name=bold(d.applicant_name)), styles.body),
        Paragraph(
            t(
                "procedure",
                procedure_name=bold(d.procedure_name),
                procedure_code=text(d.procedure_code),
            ),
            styles.body,
        ),
        Paragraph(t("resolving", resolving_name=bold(d.resolving.name)), styles.body),
        Paragraph(t("received_at", received_at=bold(moment_in_words(d.received_at))), styles.body),
        Paragraph(t("appointment", appointment=bold(moment_in_words(d.appointment))), styles.body),
        Spacer(1, 2 * mm),
        _table(data, template, styles, width),
    ]
    return build_pdf(
        story,
        A5_PORTRAIT,
        decorations_for(data.marks, template),
        title=f"{template.title} – {d.code}",
        subject=template.form_no,
    )
