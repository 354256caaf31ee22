"""The cash session report (printed at the close of a session) and the supervisor's daily fee
report, on A4 portrait.

Pure render functions over `CashSessionReport` / `DailyFeeReport`: payments by method and by
procedure, refunds, receipts used and cancelled, the drawer counted by denomination against what
the records say, and the difference with its reason; signature blocks for the officer and the
person who checked. Built with the forms' machinery (fonts, `build_pdf`, tables, page numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.domain.formatting import vn_date
from app.domain.money import format_vnd
from app.services.fee_views import (
    CashSessionReport,
    DailyFeeReport,
    MethodTotal,
    ProcedureTotal,
    RefundView,
)
from printing.dates import short_moment
from printing.layout import (
    Decorations,
    PageSpec,
    Styles,
    build_pdf,
    make_styles,
    signature_block,
    table_style,
    text,
)

A4_PORTRAIT = PageSpec(A4[0], A4[1], 20 * mm, 15 * mm, 15 * mm, 15 * mm)
WIDTH = A4_PORTRAIT.content_width
_HINT = "(Ký và ghi rõ họ tên)"
_DECORATIONS = Decorations(page_format="Trang {page}/{pages}")


def _b(value: object) -> str:
    return f"<b>{text(value)}</b>"


def _money(amount: int) -> str:
    return format_vnd(amount).removesuffix(" đồng")


def _signed(amount: int) -> str:
    sign = "+" if amount > 0 else "−" if amount < 0 else ""
    return sign + format_vnd(abs(amount))


def _table(
    s: Styles,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    left: Sequence[int] = (),
) -> Table:
    """A ruled table; columns in `left` (names, reasons) are left-aligned, the rest centred."""
    data: list[list[object]] = [[Paragraph(text(h), s.cell_head) for h in head]]
    for row in rows:
        data.append(
            [
                Paragraph(text(cell), s.cell if i in left else s.cell_center)
                for i, cell in enumerate(row)
            ]
        )
    return Table(
        data,
        colWidths=[WIDTH * w for w in widths],
        repeatRows=1,
        style=table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def _section(title: str, s: Styles) -> Paragraph:
    return Paragraph(_b(title), ParagraphStyle("fee-section", parent=s.body, spaceBefore=4))


def _methods(rows: Sequence[MethodTotal], s: Styles) -> list[Flowable]:
    body = [(m.label, str(m.count), _money(m.amount)) for m in rows] or [("—", "0", "0")]
    return [
        _section("1. Thu theo phương thức thanh toán", s),
        _table(s, ("Phương thức", "Số khoản", "Số tiền (đồng)"), body, (0.5, 0.2, 0.3), left=(0,)),
    ]


def _procedures(rows: Sequence[ProcedureTotal], s: Styles) -> list[Flowable]:
    body = [(p.code, p.name, str(p.count), _money(p.amount)) for p in rows]
    return [
        _section("2. Thu theo thủ tục hành chính", s),
        _table(
            s,
            ("Mã TTHC", "Tên thủ tục", "Số khoản", "Số tiền (đồng)"),
            body or [("—", "—", "0", "0")],
            (0.14, 0.56, 0.1, 0.2),
            left=(1,),
        ),
    ]


def _refunds(rows: Sequence[RefundView], s: Styles) -> list[Flowable]:
    body = [
        (r.document_no, r.dossier_code, r.method_label, _money(r.amount), r.reason) for r in rows
    ]
    return [
        _section("3. Hoàn trả", s),
        _table(
            s,
            ("Chứng từ", "Mã hồ sơ", "Hình thức", "Số tiền", "Lý do"),
            body or [("—", "—", "—", "0", "—")],
            (0.16, 0.28, 0.14, 0.12, 0.3),
            left=(4,),
        ),
    ]


def _session_body(r: CashSessionReport, s: Styles, *, numbered: str = "") -> list[Flowable]:
    v = r.session
    closed = short_moment(v.closed_at) or "chưa đóng"
    story: list[Flowable] = [
        Paragraph(
            f"{numbered}Cán bộ thu: {_b(v.officer)} — {text(v.counter)} — mở ca "
            f"{text(short_moment(v.opened_at))}, đóng ca {text(closed)}",
            s.body,
        ),
        *_methods(r.by_method, s),
        *_procedures(r.by_procedure, s),
        *_refunds(r.refunds, s),
        _section("4. Biên lai đã sử dụng", s),
        _table(
            s,
            ("Ký hiệu", "Số", "Mã hồ sơ", "Số tiền", "Tình trạng"),
            [
                (
                    x.series,
                    x.number_text,
                    x.dossier_code,
                    _money(x.amount),
                    "Đã hủy: " + x.cancel_reason if x.state == "cancelled" else "Hợp lệ",
                )
                for x in r.receipts_issued
            ]
            or [("—", "—", "—", "0", "—")],
            (0.12, 0.14, 0.32, 0.14, 0.28),
            left=(4,),
        ),
        Paragraph(
            f"Số biên lai đã dùng: {_b(len(r.receipts_issued))}; đã hủy: "
            f"{_b(len(r.receipts_cancelled))}",
            s.body,
        ),
        _section("5. Đối chiếu tiền mặt", s),
    ]
    counts = v.counted_counts or {}
    if counts:
        story.append(
            _table(
                s,
                ("Mệnh giá", "Số tờ", "Thành tiền (đồng)"),
                [(_money(int(k)), str(n), _money(int(k) * n)) for k, n in counts.items()],
                (0.4, 0.2, 0.4),
            )
        )
    lines = [
        f"Tiền đầu ca: {_b(format_vnd(v.opening_float))}; thu tiền mặt: "
        f"{_b(format_vnd(r.cash_in))}; hoàn trả tiền mặt: {_b(format_vnd(r.cash_out))}",
        f"Tiền mặt theo sổ: {_b(format_vnd(r.expected_cash))}",
    ]
    if v.counted_total is not None:
        lines.append(
            f"Tiền mặt kiểm đếm: {_b(format_vnd(v.counted_total))}; chênh lệch: "
            f"{_b(_signed(v.difference or 0))}"
        )
        if v.difference_reason:
            lines.append(f"Lý do chênh lệch: {text(v.difference_reason)}")
    if r.awaiting_count:
        lines.append(
            f"Chuyển khoản chờ xác nhận: {r.awaiting_count} khoản, "
            f"{format_vnd(r.awaiting_amount)} (chưa tính vào số đã thu)"
        )
    story += [Paragraph(line, s.body) for line in lines]
    return story


def _heading(title: str, unit: str, subtitle: str, s: Styles) -> list[Flowable]:
    return [
        Paragraph(text(unit.upper()), s.center_bold),
        Paragraph(text(title), s.title),
        Paragraph(text(subtitle), s.center_italic),
        Spacer(1, 3 * mm),
    ]


def render_cash_session_report(report: CashSessionReport) -> bytes:
    s = make_styles(10)
    v = report.session
    story: list[Flowable] = [
        *_heading(
            "BÁO CÁO CA THU PHÍ, LỆ PHÍ",
            v.receiving_point,
            f"Ngày làm việc: {vn_date(v.business_date)}",
            s,
        ),
        *_session_body(report, s),
        Spacer(1, 4 * mm),
        KeepTogether(
            signature_block(
                [("Người thu tiền", _HINT, v.officer), ("Người kiểm tra", _HINT, "")], s, WIDTH
            )
        ),
    ]
    return build_pdf(
        story,
        A4_PORTRAIT,
        _DECORATIONS,
        title=f"Báo cáo ca thu phí {v.business_date.isoformat()} – {v.officer}",
    )


def render_daily_fee_report(report: DailyFeeReport) -> bytes:
    s = make_styles(10)
    sessions = [
        (
            x.session.officer,
            x.session.counter,
            short_moment(x.session.opened_at),
            short_moment(x.session.closed_at) or "đang mở",
            _money(x.expected_cash),
            "" if x.session.counted_total is None else _money(x.session.counted_total),
            "" if x.session.difference is None else _signed(x.session.difference),
            x.session.difference_reason,
        )
        for x in report.sessions
    ]
    story: list[Flowable] = [
        *_heading(
            "BÁO CÁO THU PHÍ, LỆ PHÍ TRONG NGÀY",
            report.receiving_point,
            f"Ngày làm việc: {vn_date(report.business_date)}",
            s,
        ),
        *_methods(report.by_method, s),
        *_procedures(report.by_procedure, s),
        *_refunds(report.refunds, s),
        _section("4. Các ca thu tiền", s),
        _table(
            s,
            ("Cán bộ", "Quầy", "Mở ca", "Đóng ca", "Theo sổ", "Kiểm đếm", "Chênh lệch", "Lý do"),
            sessions or [("—",) * 8],
            (0.1, 0.17, 0.12, 0.12, 0.11, 0.11, 0.11, 0.16),
            left=(1, 7),
        ),
        Paragraph(
            f"Tổng thu: {_b(format_vnd(report.collected))}; hoàn trả: "
            f"{_b(format_vnd(report.refunded))}; chênh lệch thu − hoàn: "
            f"{_b(_signed(report.net))}",
            s.body,
        ),
        Paragraph(
            f"Tiền mặt theo sổ: {_b(format_vnd(report.cash_expected))}; kiểm đếm (các ca đã "
            f"đóng): {_b(format_vnd(report.cash_counted))}; chênh lệch: "
            f"{_b(_signed(report.difference))}; ca chưa đóng: {_b(report.open_sessions)}",
            s.body,
        ),
        Paragraph(
            f"Biên lai đã dùng: {_b(report.receipts_issued)}; đã hủy: "
            f"{_b(report.receipts_cancelled)}",
            s.body,
        ),
        Spacer(1, 4 * mm),
        KeepTogether(
            signature_block([("Người lập", _HINT, ""), ("Người phụ trách", _HINT, "")], s, WIDTH)
        ),
    ]
    return build_pdf(
        story,
        A4_PORTRAIT,
        _DECORATIONS,
        title=f"Báo cáo thu phí ngày {report.business_date.isoformat()}",
    )
