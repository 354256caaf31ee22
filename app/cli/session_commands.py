"""Command-line commands of cash sessions: open with a counted float, close with the count by
denomination, the session report and the supervisor's daily report (text, JSON or PDF).

    motcua session open [--float N] [--count 100000=5 …]
    motcua session close --count 500000=2 … [--reason TEXT] [--session ID] [--out FILE.pdf]
    motcua session report [--date YYYY-MM-DD [--unit ID]] [--session ID] [--out FILE.pdf]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli.commands import PARSER_EXTENSIONS, VietnameseArgumentParser, command, parse_day
from app.cli.output import emit, vn_date, vn_datetime
from app.domain.errors import ValidationError
from app.domain.money import format_vnd
from app.services import cash_sessions, fee_reports
from app.services.context import ServiceContext
from app.services.documents import record_document_print
from app.services.fee_prints import cash_session_report_print, fee_report_print
from app.services.fee_views import CashSessionReport, DailyFeeReport


def _context(args: argparse.Namespace) -> ServiceContext:
    return open_context(args.data_dir or default_data_dir())


def parse_counts(values: list[str] | None) -> dict[int, int]:
    """«500000=2», «500.000=2» → {500000: 2}; the denominations are checked by the domain."""
    counts: dict[int, int] = {}
    for item in values or []:
        left, sep, right = item.replace(".", "").partition("=")
        try:
            if not sep:
                raise ValueError
            value, count = int(left), int(right)
        except ValueError:
            raise ValidationError(
                "input.count",
                f"«{item}» phải có dạng MỆNH_GIÁ=SỐ_TỜ (ví dụ 100000=5).",
                field="count",
            ) from None
        counts[value] = counts.get(value, 0) + count
    return counts


def _signed(amount: int) -> str:
    """«+5.000 đồng» / «−40.000 đồng» / «0 đồng» for a cash difference."""
    sign = "+" if amount > 0 else "−" if amount < 0 else ""
    return sign + format_vnd(abs(amount))


@command("session open")
def _session_open(args: argparse.Namespace) -> int:
    view = cash_sessions.open_cash_session(
        _context(args),
        counts=parse_counts(args.count),
        opening_float=args.float,
        officer=args.officer,
    )
    emit(
        view,
        as_json=args.json,
        text=f"Đã mở ca thu tiền ngày {vn_date(view.business_date)} của {view.officer}; "
        f"tiền đầu ca {format_vnd(view.opening_float)}.",
    )
    return 0


def _session_text(report: CashSessionReport) -> str:
    s = report.session
    lines = [
        f"Ca thu tiền {vn_date(s.business_date)} — {s.officer} — {s.counter}",
        f"Mở: {vn_datetime(s.opened_at)}  Đóng: {vn_datetime(s.closed_at) or 'chưa đóng'}",
        *(f"  {m.label}: {m.count} khoản, {format_vnd(m.amount)}" for m in report.by_method),
        f"Đã thu: {format_vnd(report.collected)}; hoàn trả: {format_vnd(report.refunded)}",
        f"Tiền mặt: đầu ca {format_vnd(s.opening_float)} + thu {format_vnd(report.cash_in)} − hoàn "
        f"{format_vnd(report.cash_out)} = {format_vnd(report.expected_cash)}",
        f"Biên lai đã dùng: {len(report.receipts_issued)}, đã hủy: "
        f"{len(report.receipts_cancelled)}",
    ]
    if s.counted_total is not None:
        lines.append(
            f"Kiểm đếm: {format_vnd(s.counted_total)}; chênh lệch: {_signed(s.difference or 0)}"
            + (f" — {s.difference_reason}" if s.difference_reason else "")
        )
    if report.awaiting_count:
        lines.append(
            f"Chờ xác nhận chuyển khoản: {report.awaiting_count} khoản, "
            f"{format_vnd(report.awaiting_amount)}"
        )
    return "\n".join(lines)


def _daily_text(report: DailyFeeReport) -> str:
    lines = [
        f"Báo cáo thu phí, lệ phí ngày {vn_date(report.business_date)} — {report.receiving_point}",
        *(f"  {m.label}: {m.count} khoản, {format_vnd(m.amount)}" for m in report.by_method),
        f"Tổng thu: {format_vnd(report.collected)}; hoàn trả: {format_vnd(report.refunded)}; "
        f"chênh lệch thu − hoàn: {_signed(report.net)}",
        f"Ca thu tiền: {len(report.sessions)} (đang mở: {report.open_sessions}); tiền mặt "
        f"phải có {format_vnd(report.cash_expected)}, kiểm đếm {format_vnd(report.cash_counted)}, "
        f"chênh lệch {_signed(report.difference)}",
        f"Biên lai đã dùng: {report.receipts_issued}, đã hủy: {report.receipts_cancelled}",
    ]
    return "\n".join(lines)


def _write_pdf(
    ctx: ServiceContext, args: argparse.Namespace, report: CashSessionReport | DailyFeeReport
) -> None:
    if not args.out:
        return
    # Imported here: only printing needs reportlab.
    from printing.fee_reports import render_cash_session_report, render_daily_fee_report

    pdf = (
        render_daily_fee_report(report)
        if isinstance(report, DailyFeeReport)
        else render_cash_session_report(report)
    )
    Path(args.out).write_bytes(pdf)
    printed = (
        fee_report_print(report)
        if isinstance(report, DailyFeeReport)
        else cash_session_report_print(report)
    )
    record_document_print(ctx, printed, args.officer)


@command("session close")
def _session_close(args: argparse.Namespace) -> int:
    ctx = _context(args)
    view = cash_sessions.close_cash_session(
        ctx,
        parse_counts(args.count),
        reason=args.reason or "",
        officer=args.officer,
        session_id=args.session,
    )
    report = fee_reports.cash_session_report(ctx, view.id)
    _write_pdf(ctx, args, report)
    emit(report, as_json=args.json, text=_session_text(report))
    return 0


@command("session report")
def _session_report(args: argparse.Namespace) -> int:
    ctx = _context(args)
    if args.date:
        daily = fee_reports.daily_fee_report(ctx, parse_day(args.date, "date"), args.unit)
        _write_pdf(ctx, args, daily)
        emit(daily, as_json=args.json, text=_daily_text(daily))
        return 0
    report = fee_reports.cash_session_report(ctx, args.session, officer=args.officer)
    _write_pdf(ctx, args, report)
    emit(report, as_json=args.json, text=_session_text(report))
    return 0


def add_parsers(add: Any) -> None:
    session = add("session", "ca thu tiền mặt: mở, đóng, báo cáo")
    session_sub = session.add_subparsers(
        dest="sub", required=True, parser_class=VietnameseArgumentParser
    )
    p = add("open", "mở ca (đếm tiền đầu ca)", key="session open", into=session_sub)
    p.add_argument("--float", type=int, help="tiền đầu ca (đồng)")
    p.add_argument("--count", action="append", metavar="MỆNH_GIÁ=SỐ_TỜ")
    p.add_argument("--officer")
    p = add("close", "đóng ca (kiểm đếm theo mệnh giá)", key="session close", into=session_sub)
    p.add_argument("--count", action="append", metavar="MỆNH_GIÁ=SỐ_TỜ")
    p.add_argument("--reason", help="lý do chênh lệch")
    p.add_argument("--session", help="mã ca (giám sát đóng ca của người khác)")
    p.add_argument("--out", help="ghi báo cáo ca ra tệp PDF")
    p.add_argument("--officer")
    p = add(
        "report", "báo cáo ca / báo cáo ngày của đơn vị", key="session report", into=session_sub
    )
    p.add_argument("--date", help="báo cáo ngày (YYYY-MM-DD) của điểm tiếp nhận")
    p.add_argument("--unit", help="mã (UUID) điểm tiếp nhận; mặc định: của máy trạm này")
    p.add_argument("--session", help="mã ca")
    p.add_argument("--out", help="ghi báo cáo ra tệp PDF")
    p.add_argument("--officer")


PARSER_EXTENSIONS.append(add_parsers)
