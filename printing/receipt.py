"""Form 01, the receipt and appointment (*Giấy tiếp nhận hồ sơ và hẹn trả kết quả*), on A5.

Fields in the order of DOMAIN §5: title and code (text, Code 128, QR for look-up), copy label,
receiving unit, applicant, request, components table, number of sets, legal duration, reception
and appointment times in words, result delivery, fees with the amount in words, logbook reference,
signatures. A supplement receipt adds «Lần bổ sung: n». Asked for both copies, the PDF holds
«Liên 1: Lưu» then «Liên 2: Giao người nộp», each starting on a new page and numbered on its own.
The field texts are shared with the 80 mm layout (`printing.thermal`), so both say the same.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from app.domain.forms import FormKind
from app.domain.money import amount_in_words, format_vnd
from app.services.document_data import ComponentLine, FeeLine, PrintMarks, ReceiptData
from printing.barcodes import Code128Barcode, QrCode
from printing.dates import date_in_words, moment_in_words
from printing.layout import (
    A5_PORTRAIT,
    Decorations,
    GroupStart,
    Styles,
    build_pdf,
    header_block,
    make_styles,
    signature_block,
    table_style,
    text,
)
from printing.templates import FormTemplate, form_template


def bold(value: object) -> str:
    return f"<b>{text(value)}</b>"


def place_date_line(template: FormTemplate, place: str, date_words: str) -> str:
    return template.text("place_date", place=place, date_words=date_words)


def decorations_for(
    marks: PrintMarks, template: FormTemplate, *, numbered_copies: bool = False
) -> Decorations:
    return Decorations(
        watermark=template.text("preview_watermark") if marks.preview else None,
        reprint_text=(
            template.text("reprint_mark", printed_at=moment_in_words(marks.printed_at))
            if marks.reprint
            else None
        ),
        form_no=template.form_no,
        page_format=template.raw("page_number"),
        group_page_format=template.raw("copy_page_number") if numbered_copies else None,
    )


def copy_label(template: FormTemplate, copy: int) -> str:
    return template.text(f"copy_{copy}")


def field_lines(data: ReceiptData, template: FormTemplate) -> list[tuple[str, str]]:
    """(key, paragraph markup) of the fields before the components table (A5 and 80 mm)."""
    d = data.dossier
    t = template.markup
    return [
        ("receiving_unit", t("receiving_unit", receiving_point=bold(d.receiving_point))),
        ("applicant", t("applicant", applicant_name=bold(d.applicant_name))),
        ("id_number", t("id_number", id_number=bold(d.id_number))),
        ("address", t("address", address=text(d.address))),
        ("phone_email", t("phone_email", phone=text(d.phone), email=text(d.email))),
        (
            "request",
            t(
                "request",
                procedure_name=bold(d.procedure_name),
                procedure_code=text(d.procedure_code),
            ),
        ),
    ]


def after_table_lines(data: ReceiptData, template: FormTemplate) -> list[str]:
    """Paragraph markup of the fields after the components table (A5 and 80 mm)."""
    d = data.dossier
    t = template.markup
    delivery = template.markup(
        f"delivery_{d.delivery}",
        receiving_point=text(d.receiving_point),
        delivery_address=text(d.delivery_address),
    )
    lines = [
        t("sets", sets=bold(d.sets)),
        t("duration", duration=bold(d.duration_text)),
        t("received_at", received_at=bold(moment_in_words(d.received_at))),
        t("appointment", appointment=bold(moment_in_words(d.appointment))),
        t("delivery", delivery=delivery),
    ]
    lines += fee_lines(d.fees, template)
    lines.append(t("logbook", book_no=bold(d.book_no), entry_no=bold(d.entry_no)))
    return lines


def fee_lines(fees: tuple[FeeLine, ...], template: FormTemplate) -> list[str]:
    if not fees:
        return [template.markup("no_fees")]
    lines = [template.markup("fees")]
    for fee in fees:
        name = text(fee.name)
        if fee.amount == 0:
            line = template.markup("fee_line_free", name=name)
        elif fee.unit == "per-dossier":
            line = template.markup(
                "fee_line",
                name=name,
                amount=bold(format_vnd(fee.amount)),
                amount_words=text(amount_in_words(fee.amount)),
            )
        else:
            unit_key = f"fee_unit_{fee.unit}"
            unit = template.text(unit_key) if template.has(unit_key) else fee.unit
            line = template.markup(
                "fee_line_per_unit",
                name=name,
                amount=bold(format_vnd(fee.amount)),
                unit=text(unit),
            )
        lines.append("– " + line)
    return lines


def components_heading(data: ReceiptData, template: FormTemplate) -> str:
    return template.markup("components_all_rounds" if data.components_all_rounds else "components")


def components_table(
    components: tuple[ComponentLine, ...], template: FormTemplate, styles: Styles, width: float
) -> Table:
    head = [Paragraph(text(c.title), styles.cell_head) for c in template.columns]
    rows: list[list[object]] = [head]
    for c in components:
        rows.append(
            [
                Paragraph(str(c.position), styles.cell_center),
                Paragraph(text(c.name), styles.cell),
                Paragraph(str(c.originals), styles.cell_center),
                Paragraph(str(c.copies), styles.cell_center),
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
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def _code_block(data: ReceiptData, template: FormTemplate, styles: Styles) -> list[Flowable]:
    code = data.dossier.code
    return [
        Paragraph(f"{text(template.text('code'))}: {bold(code)}", styles.center),
        Spacer(1, 1 * mm),
        Code128Barcode(code, bar_height=10 * mm),
    ]


def _lookup_qr(data: ReceiptData, template: FormTemplate, styles: Styles) -> list[Flowable]:
    hint = ParagraphStyle("qr-hint", parent=styles.small_center, fontSize=7, leading=8)
    return [
        QrCode(data.lookup_text, size=19 * mm),
        Paragraph(text(template.text("lookup_hint")), hint),
    ]


def _one_copy(
    data: ReceiptData, template: FormTemplate, styles: Styles, copy: int
) -> list[Flowable]:
    d = data.dossier
    width = A5_PORTRAIT.content_width
    story: list[Flowable] = [
        header_block(
            d.receiving,
            place_date_line(template, d.place, date_in_words(d.received_at.date())),
            template,
            styles,
            width,
        ),
        Paragraph(text(template.title), styles.title),
    ]
    if data.supplement_round:
        story.append(
            Paragraph(
                bold(template.text("supplement_round", round=data.supplement_round)),
                styles.center,
            )
        )
    story += [Spacer(1, 1 * mm), *_code_block(data, template, styles)]
    if copy:
        label = f"({text(copy_label(template, copy))})"
        story += [Spacer(1, 1 * mm), Paragraph(label, styles.center_italic)]
    story.append(Spacer(1, 2 * mm))
    story += [Paragraph(line, styles.body) for _, line in field_lines(data, template)]
    if d.components:
        story += [
            Paragraph(components_heading(data, template), styles.body),
            components_table(d.components, template, styles, width),
            Spacer(1, 1.5 * mm),
        ]
    lines = [Paragraph(line, styles.body) for line in after_table_lines(data, template)]
    names = {"applicant_name": d.applicant_name, "officer_name": d.officer_name}
    signatures = signature_block(
        [(s.title, template.text(s.hint), s.name.format_map(names)) for s in template.signatures],
        styles,
        width,
        between=_lookup_qr(data, template, styles),
        between_width=28 * mm,
    )
    # The logbook line travels with the signatures: a page with signatures alone looks forged.
    story += [*lines[:-1], KeepTogether([lines[-1], signatures])]
    return story


def render_receipt_a5(data: ReceiptData) -> bytes:
    template = form_template(FormKind.RECEIPT, data.document_date)
    styles = make_styles(10)
    story: list[Flowable] = []
    copies = data.copies or (0,)
    for index, copy in enumerate(copies):
        if index:
            story.append(PageBreak())
        story.append(GroupStart(copy_label(template, copy) if copy else ""))
        story += _one_copy(data, template, styles, copy)
    decorations = decorations_for(data.marks, template, numbered_copies=len(copies) > 1)
    return build_pdf(
        story,
        A5_PORTRAIT,
        decorations,
        title=f"{template.title} – {data.dossier.code}",
        subject=template.form_no,
    )
