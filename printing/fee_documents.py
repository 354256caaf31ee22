"""The fee receipt (biên lai thu phí, lệ phí) on A5 and on an 80 mm roll, and the VietQR slip.

Pure render functions over the fee services' views: `ReceiptView` in, PDF bytes out. They reuse
the printing machinery of the forms (fonts, `build_pdf`, the common header, the QR flowable) and
the form set's common wording (national motto, place and date line), so a fee receipt looks like
the other documents of the counter. A receipt numbered by the local provider carries the provider's
notice in a box under the title — it is not an e-receipt and must not pass for one; a cancelled
receipt prints with «ĐÃ HỦY» across the page and the reason. The slip prints the VietQR code large
with the amount and memo, for an applicant who cannot scan the screen.
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.domain.forms import FormKind
from app.domain.money import amount_in_words, format_vnd
from app.services.document_data import Issuer
from app.services.fee_views import PaymentView, ReceiptView
from printing.barcodes import QrCode
from printing.dates import date_in_words, moment_in_words
from printing.fonts import SERIF_BOLD
from printing.layout import (
    A5_PORTRAIT,
    THERMAL_WIDTH,
    Decorations,
    Rule,
    Styles,
    build_pdf,
    header_block,
    make_styles,
    signature_block,
    table_style,
    text,
    thermal_page,
)
from printing.templates import FormTemplate, form_template

TITLE = "BIÊN LAI THU PHÍ, LỆ PHÍ"
CANCELLED_MARK = "ĐÃ HỦY"
THERMAL_CONTENT = THERMAL_WIDTH - 8 * mm
_SLACK = 6 * mm


def _b(value: object) -> str:
    return f"<b>{text(value)}</b>"


def _motto(day: date) -> FormTemplate:
    # The national motto and the place/date pattern are the form set's common wording; any form
    # of the set in force carries them.
    return form_template(FormKind.RECEIPT, day)


def _symbols(r: ReceiptView) -> str:
    return (
        f"Mẫu số (ký hiệu mẫu): {_b(r.template_symbol)} &nbsp; Ký hiệu: {_b(r.series)} "
        f"&nbsp; Số: {_b(r.number_text)}"
    )


def _fields(r: ReceiptView) -> list[str]:
    lines = [
        f"Đơn vị thu: {_b(r.agency_name)}",
        f"Họ tên người nộp: {_b(r.payer_name)}",
    ]
    if r.payer_address:
        lines.append(f"Địa chỉ: {text(r.payer_address)}")
    lines += [
        f"Mã hồ sơ: {_b(r.dossier_code)}",
        f"Thủ tục: {text(r.procedure_name)}",
    ]
    return lines


def _totals(r: ReceiptView) -> list[str]:
    lines = [
        f"Tổng cộng: {_b(r.amount_text)}",
        f"Số tiền bằng chữ: <i>{text(r.amount_words)}</i>",
        f"Hình thức thanh toán: {text(r.method_label)}",
        f"Mã tra cứu biên lai: {_b(r.lookup_code)}",
    ]
    if r.cancelled_at is not None:
        lines.append(
            f"{_b('Biên lai đã hủy')} lúc {text(moment_in_words(r.cancelled_at))}. "
            f"Lý do: {text(r.cancel_reason)}"
        )
    return lines


def _notice(r: ReceiptView, s: Styles, width: float) -> list[Flowable]:
    if not r.notice:
        return []
    style = ParagraphStyle("fee-notice", parent=s.small_center, fontName=SERIF_BOLD)
    box = Table(
        [[Paragraph(text(r.notice), style)]],
        colWidths=[width],
        style=table_style([("BOX", (0, 0), (-1, -1), 1, "black")]),
    )
    return [Spacer(1, 1.5 * mm), box]


def _lines_table(r: ReceiptView, s: Styles, width: float) -> Table:
    rows: list[list[object]] = [
        [Paragraph(h, s.cell_head) for h in ("STT", "Nội dung thu", "Số tiền (đồng)")]
    ]
    for i, line in enumerate(r.lines, start=1):
        rows.append(
            [
                Paragraph(str(i), s.cell_center),
                Paragraph(text(line.name), s.cell),
                Paragraph(text(format_vnd(line.amount).removesuffix(" đồng")), s.cell_center),
            ]
        )
    return Table(
        rows,
        colWidths=[width * 0.1, width * 0.62, width * 0.28],
        style=table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def _decorations(r: ReceiptView, font_size: float = 8) -> Decorations:
    return Decorations(
        watermark=CANCELLED_MARK if r.cancelled_at is not None else None, font_size=font_size
    )


def render_fee_receipt_a5(receipt: ReceiptView) -> bytes:
    r = receipt
    template = _motto(r.issued_at.date())
    s = make_styles(10)
    width = A5_PORTRAIT.content_width
    place_date = template.text(
        "place_date", place=r.place, date_words=date_in_words(r.issued_at.date())
    )
    story: list[Flowable] = [
        header_block(Issuer(r.agency_parent_name, r.agency_name), place_date, template, s, width),
        Paragraph(text(TITLE), s.title),
        Paragraph(_symbols(r), s.center),
        *_notice(r, s, width),
        Spacer(1, 2 * mm),
        *(Paragraph(line, s.body) for line in _fields(r)),
        Spacer(1, 1 * mm),
        _lines_table(r, s, width),
        Spacer(1, 1.5 * mm),
        *(Paragraph(line, s.body) for line in _totals(r)),
    ]
    qr = QrCode(r.lookup_code, size=20 * mm)
    signatures = signature_block(
        [
            ("Người nộp tiền", template.text("signature_hint"), r.payer_name),
            ("Người thu tiền", template.text("signature_hint"), r.issued_by),
        ],
        s,
        width,
    )
    story.append(KeepTogether([Spacer(1, 2 * mm), qr, signatures]))
    return build_pdf(
        story,
        A5_PORTRAIT,
        _decorations(r),
        title=f"{TITLE} – {r.series} {r.number_text}",
        subject=r.dossier_code,
    )


def _height(story: list[Flowable]) -> float:
    total = 0.0
    for flowable in story:
        _, height = flowable.wrap(THERMAL_CONTENT, 10_000 * mm)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _thermal_header(issuer: Issuer, template: FormTemplate, s: Styles) -> list[Flowable]:
    small = ParagraphStyle("fee-th", parent=s.center, fontSize=s.size - 1)
    small_bold = ParagraphStyle("fee-thb", parent=small, fontName=SERIF_BOLD)
    out: list[Flowable] = []
    if issuer.parent_name:
        out.append(Paragraph(text(issuer.parent_name.upper()), small))
    return [
        *out,
        Paragraph(text(issuer.name.upper()), small_bold),
        Rule(18 * mm),
        Spacer(1, 1 * mm),
        Paragraph(text(template.text("motto_country")), small_bold),
        Paragraph(text(template.text("motto_words")), small_bold),
        Spacer(1, 1 * mm),
    ]


def _thermal_pdf(story: list[Flowable], decorations: Decorations, title: str) -> bytes:
    return build_pdf(story, thermal_page(_height(story) + _SLACK), decorations, title=title)


def render_fee_receipt_thermal(receipt: ReceiptView) -> bytes:
    """The same receipt on an 80 mm roll: one column, page as long as the content."""
    r = receipt
    template = _motto(r.issued_at.date())
    s = make_styles(9)
    item = ParagraphStyle("fee-item", parent=s.body, leftIndent=3 * mm)
    place_date = template.text(
        "place_date", place=r.place, date_words=date_in_words(r.issued_at.date())
    )
    story: list[Flowable] = [
        *_thermal_header(Issuer(r.agency_parent_name, r.agency_name), template, s),
        Paragraph(text(place_date), s.center_italic),
        Paragraph(text(TITLE), s.title),
        Paragraph(_symbols(r), s.small_center),
        *_notice(r, s, THERMAL_CONTENT),
        Spacer(1, 2 * mm),
        *(Paragraph(line, s.body) for line in _fields(r)),
        Paragraph("Nội dung thu:", s.body),
        *(
            Paragraph(f"{i}. {text(x.name)}: {_b(format_vnd(x.amount))}", item)
            for i, x in enumerate(r.lines, start=1)
        ),
        *(Paragraph(line, s.body) for line in _totals(r)),
        Spacer(1, 2 * mm),
        QrCode(r.lookup_code, size=24 * mm),
        Paragraph("Người thu tiền", s.center_bold),
        Spacer(1, 10 * mm),
        Paragraph(text(r.issued_by), s.center_bold),
    ]
    return _thermal_pdf(story, _decorations(r, 7), f"{TITLE} – {r.series} {r.number_text}")


def render_vietqr_slip(payment: PaymentView, *, account: str = "", account_name: str = "") -> bytes:
    """The transfer of an awaiting payment on an 80 mm slip, the QR code 50 mm wide."""
    if not payment.qr_payload:
        raise ValueError("the payment has no VietQR payload")
    s = make_styles(9)
    story: list[Flowable] = [
        Paragraph(text("THÔNG TIN CHUYỂN KHOẢN VIETQR"), s.title),
        Paragraph(f"Mã hồ sơ: {_b(payment.dossier_code)}", s.center),
        Spacer(1, 2 * mm),
        QrCode(payment.qr_payload, size=50 * mm),
        Spacer(1, 2 * mm),
        Paragraph(f"Số tiền: {_b(format_vnd(payment.amount))}", s.center),
        Paragraph(f"<i>{text(amount_in_words(payment.amount))}</i>", s.small_center),
        Paragraph(f"Nội dung chuyển khoản: {_b(payment.memo)}", s.center),
    ]
    if account:
        story.append(Paragraph(f"Tài khoản: {_b(account)} {text(account_name)}", s.small_center))
    story.append(
        Paragraph(
            text(
                "Quét mã bằng ứng dụng ngân hàng; giữ nguyên số tiền và nội dung. "
                "Cán bộ xác nhận khi tiền về tài khoản."
            ),
            s.small_center,
        )
    )
    return _thermal_pdf(story, Decorations(font_size=7), f"VietQR – {payment.dossier_code}")
