"""Forms 02–05 on A5: the supplement request, the refusal, the apology with a new appointment and
the stop notice. They share one shape — header, title, code, a few sentences of template wording
with the dossier's facts, the reason in the officer's own words, a signature — so one renderer
lays out any of them from the list of template keys each form prints.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from app.domain.forms import FormKind
from app.services.document_data import NoticeData
from printing.dates import date_in_words, moment_in_words
from printing.layout import (
    A5_PORTRAIT,
    Styles,
    build_pdf,
    header_block,
    make_styles,
    signature_block,
    text,
)
from printing.receipt import bold, decorations_for, place_date_line
from printing.templates import FormTemplate, form_template

# The template keys each form prints, in order. "@reason" is the officer's reason, "@items" the
# numbered list of what to complete (form 02), "@new_appointment" the new date, set off in bold.
_BODY: dict[FormKind, tuple[str, ...]] = {
    FormKind.SUPPLEMENT_REQUEST: (
        "intro",
        "id_number",
        "address",
        "phone_email",
        "request",
        "received_at",
        "items",
        "@items",
        "reason",
        "closing",
        "apology",
    ),
    FormKind.REFUSAL: (
        "intro",
        "id_number",
        "address",
        "phone_email",
        "request",
        "decision",
        "@reason",
        "apology",
    ),
    FormKind.APOLOGY: (
        "addressee",
        "address",
        "intro",
        "old_appointment",
        "reason_intro",
        "@reason",
        "apology",
        "new_appointment",
        "closing",
    ),
    FormKind.STOP_NOTICE: ("addressee", "address", "intro", "decision", "@reason", "closing"),
}
NOTICE_KINDS = tuple(_BODY)


def _values(data: NoticeData, issuer_name: str) -> dict[str, str]:
    d = data.dossier
    old = data.old_appointment or d.appointment
    new = data.new_appointment or d.appointment
    return {
        "issuer_name": text(issuer_name),
        "receiving_point": text(d.receiving_point),
        "applicant_name": bold(d.applicant_name),
        "id_number": bold(d.id_number),
        "address": text(d.address),
        "phone": text(d.phone),
        "email": text(d.email),
        "procedure_name": bold(d.procedure_name),
        "procedure_code": text(d.procedure_code),
        "code": bold(d.code),
        "received_at": bold(moment_in_words(d.received_at)),
        "received_date": text(date_in_words(d.received_at.date())),
        "issued_at": text(moment_in_words(data.issued_at)),
        "old_appointment": bold(moment_in_words(old)),
        "new_appointment": bold(moment_in_words(new)),
    }


def _body(data: NoticeData, template: FormTemplate, s: Styles, issuer_name: str) -> list[Flowable]:
    values = _values(data, issuer_name)
    quoted = ParagraphStyle("reason", parent=s.body_justified, leftIndent=5 * mm)
    out: list[Flowable] = []
    for key in _BODY[data.kind]:
        if key == "@reason":
            out.append(Paragraph(text(data.reason), quoted))
        elif key == "@items":
            for number, item in enumerate(data.items, start=1):
                out.append(Paragraph(f"{number}. {text(item)}", quoted))
        elif key == "new_appointment":
            out.append(Paragraph(template.markup(key, **values), s.center))
        else:
            out.append(Paragraph(template.markup(key, **values), s.body_justified))
    return out


def render_notice(data: NoticeData) -> bytes:
    if data.kind not in _BODY:
        raise ValueError(f"form {data.kind.value} is not a notice")
    template = form_template(data.kind, data.document_date)
    styles = make_styles(11)
    width = A5_PORTRAIT.content_width
    d = data.dossier
    issuer = d.resolving if template.issuer == "resolving" else d.receiving
    story: list[Flowable] = [
        header_block(
            issuer,
            place_date_line(template, d.place, date_in_words(data.issued_at.date())),
            template,
            styles,
            width,
        ),
        Paragraph(text(template.title), styles.title),
        Paragraph(f"{text(template.text('code'))}: {bold(d.code)}", styles.center),
        Spacer(1, 3 * mm),
    ]
    body = _body(data, template, styles, issuer.name)
    names = {"signer_name": data.signer_name, "applicant_name": d.applicant_name}
    signatures = signature_block(
        [(s.title, template.text(s.hint), s.name.format_map(names)) for s in template.signatures],
        styles,
        width / 2 if len(template.signatures) == 1 else width,
    )
    signatures.hAlign = "RIGHT"
    story += [*body[:-1], KeepTogether([body[-1], signatures])]
    return build_pdf(
        story,
        A5_PORTRAIT,
        decorations_for(data.marks, template),
        title=f"{template.title} – {d.code}",
        subject=template.form_no,
    )
