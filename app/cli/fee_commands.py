"""Command-line commands of fee collection: quotes, payments, VietQR, receipts, refunds.

    motcua fee quote CODE [--copies N] [--pages N] [--original PAGES:COPIES …] [--postage N]
                          [--skip ITEM …] [--reduce PERCENT --reason TEXT [--legal-basis T]]
    motcua pay CODE --method cash|vietqr|card|online|exempt [--reference R] [--reason TEXT]
                    (+ the quote options)
    motcua fee status CODE | fee confirm CODE|PAYMENT [--reference R] | fee cancel … --reason T
    motcua fee receipt CODE|PAYMENT | fee receipt-cancel LOOKUP_CODE --reason TEXT
    motcua fee refund CODE --reason TEXT [--amount N] [--method cash|transfer|card|online]
    motcua fee policy [--from DATE (--cash|--no-cash) [--bin B --account A] …]
    motcua fee print LOOKUP_CODE|CODE --out FILE.pdf [--layout a5|80mm]
    motcua fee qr-slip CODE --out FILE.pdf       (the VietQR of an awaiting transfer, 80 mm)
    motcua vietqr --bin BIN --account ACC --amount N --memo TEXT      (prints the payload)

Every command also takes --officer, --data-dir and --json. Cash sessions: session_commands.py,
registered by importing this module. Printing is imported inside the handlers that print, so the
other commands start without reportlab.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli import session_commands as session_commands  # registers session open/close/report
from app.cli.commands import PARSER_EXTENSIONS, VietnameseArgumentParser, command, parse_day
from app.cli.output import emit, vn_date, vn_datetime
from app.domain.errors import NotFoundError, ValidationError
from app.domain.fees import Adjustment, CopyJob, FeeBasis, reduction
from app.domain.money import format_vnd
from app.domain.vietqr import build_payload
from app.services import fee_policy, fee_quotes, fee_receipts, fees
from app.services.context import ServiceContext
from app.services.documents import record_document_print
from app.services.fee_prints import fee_receipt_print, vietqr_slip_print
from app.services.fee_refunds import RefundPayment, refund_payment
from app.services.fee_views import PaymentView, ReceiptView

AddParser = Callable[..., Any]


def _context(args: argparse.Namespace) -> ServiceContext:
    return open_context(args.data_dir or default_data_dir())


def _pair(text: str, what: str) -> tuple[int, int]:
    left, sep, right = text.replace(".", "").partition("=" if "=" in text else ":")
    try:
        if not sep:
            raise ValueError
        return int(left), int(right)
    except ValueError:
        raise ValidationError(
            "input.pair", f"«{text}» phải có dạng {what}.", field="count"
        ) from None


def _request(args: argparse.Namespace) -> fee_quotes.FeeRequest:
    if args.original:
        jobs = tuple(CopyJob(*_pair(o, "SỐ_TRANG:SỐ_BẢN (ví dụ 5:2)")) for o in args.original)
    else:
        jobs = (CopyJob(args.pages, args.copies),)
    adjustments: tuple[Adjustment, ...] = ()
    if args.reduce is not None:
        try:
            percent = Decimal(args.reduce)
        except InvalidOperation:
            raise ValidationError(
                "input.percent", "Tỷ lệ giảm phải là một số.", field="reduce"
            ) from None
        adjustments = (
            reduction(percent, args.reason or "", args.legal_basis or "", args.item or ()),
        )
    return fee_quotes.FeeRequest(
        FeeBasis(jobs, frozenset(args.skip or ())), adjustments, args.postage
    )


@command("fee quote")
def _fee_quote(args: argparse.Namespace) -> int:
    quote = fee_quotes.quote_dossier_fees(_context(args), args.code, _request(args))
    lines = [f"Phí, lệ phí hồ sơ {quote.dossier_code} — {quote.procedure_name}"]
    for x in quote.lines:
        note = f" [{x.adjustment}]" if x.adjustment else ""
        lines.append(f"  {x.code:<10} {x.name}: {x.detail} → {format_vnd(x.amount)}{note}")
    lines.append(f"Tổng cộng: {quote.total_text} ({quote.total_words})")
    lines.append(
        f"Trạng thái: {quote.fee_state_label}; tiền mặt: "
        f"{'được thu' if quote.cash_allowed else 'không thu'}"
    )
    emit(quote, as_json=args.json, text="\n".join(lines))
    return 0


def _payment_text(p: PaymentView) -> str:
    if p.method == "exempt":
        return f"Đã ghi nhận miễn phí, lệ phí cho hồ sơ {p.dossier_code}: {p.reason}"
    if p.state == "awaiting":
        return (
            f"Chờ xác nhận chuyển khoản {format_vnd(p.amount)} — nội dung «{p.memo}».\n"
            f"Mã VietQR:\n{p.qr_payload}\n"
            f"Khi tiền về: motcua fee confirm {p.dossier_code}"
        )
    text = f"Đã thu {format_vnd(p.amount)} ({p.method_label}) — hồ sơ {p.dossier_code}."
    if p.receipt:
        r = p.receipt
        text += (
            f"\nBiên lai số {r.number_text}, ký hiệu {r.series}, mẫu {r.template_symbol}, "
            f"mã tra cứu {r.lookup_code}"
        )
        if r.notice:
            text += f"\n{r.notice}"
    elif p.receipt_pending:
        text += f"\nChưa lập được biên lai: chạy «motcua fee receipt {p.dossier_code}»."
    return text


@command("pay")
def _pay(args: argparse.Namespace) -> int:
    cmd = fees.RecordPayment(
        code=args.code,
        method=args.method,
        reference=args.reference or "",
        reason=args.reason or "",
        legal_basis=args.legal_basis or "",
        request=_request(args),
        officer=args.officer,
    )
    payment = fees.record_payment(_context(args), cmd)
    emit(payment, as_json=args.json, text=_payment_text(payment))
    return 0


@command("fee status")
def _fee_status(args: argparse.Namespace) -> int:
    status = fee_quotes.fee_status(_context(args), args.code)
    lines = [f"{status.dossier_code}: {status.state_label}"]
    if status.due:
        lines.append(f"Phải nộp: {format_vnd(status.due)}")
    for p in status.payments:
        receipt = f", biên lai {p.receipt.number_text}" if p.receipt else ""
        lines.append(
            f"  {vn_datetime(p.created_at)}  {p.method_label}  {format_vnd(p.amount)}  "
            f"{p.state_label}{receipt}"
        )
    for r in status.refunds:
        lines.append(f"  Hoàn trả {r.document_no}: {format_vnd(r.amount)} — {r.reason}")
    emit(status, as_json=args.json, text="\n".join(lines))
    return 0


@command("fee confirm")
def _fee_confirm(args: argparse.Namespace) -> int:
    payment = fees.confirm_payment(
        _context(args), args.ref, reference=args.reference or "", officer=args.officer
    )
    emit(payment, as_json=args.json, text=_payment_text(payment))
    return 0


@command("fee cancel")
def _fee_cancel(args: argparse.Namespace) -> int:
    payment = fees.cancel_awaiting_payment(
        _context(args), args.ref, args.reason, officer=args.officer
    )
    emit(
        payment,
        as_json=args.json,
        text=f"Đã hủy khoản chờ xác nhận {format_vnd(payment.amount)} của hồ sơ "
        f"{payment.dossier_code}.",
    )
    return 0


@command("fee receipt")
def _fee_receipt(args: argparse.Namespace) -> int:
    receipt = fees.issue_payment_receipt(_context(args), args.ref, officer=args.officer)
    emit(
        receipt,
        as_json=args.json,
        text=f"Biên lai số {receipt.number_text} ({receipt.series}), {receipt.amount_text}, "
        f"mã tra cứu {receipt.lookup_code}",
    )
    return 0


@command("fee receipt-cancel")
def _fee_receipt_cancel(args: argparse.Namespace) -> int:
    receipt = fee_receipts.cancel_receipt(
        _context(args), args.lookup_code, args.reason, officer=args.officer
    )
    emit(
        receipt,
        as_json=args.json,
        text=f"Đã hủy biên lai số {receipt.number_text} ({receipt.series}): "
        f"{receipt.cancel_reason}",
    )
    return 0


@command("fee refund")
def _fee_refund(args: argparse.Namespace) -> int:
    refund = refund_payment(
        _context(args),
        RefundPayment(
            code=args.code,
            reason=args.reason,
            amount=args.amount,
            method=args.method,
            reference=args.reference or "",
            officer=args.officer,
        ),
    )
    emit(
        refund,
        as_json=args.json,
        text=f"Đã hoàn trả {format_vnd(refund.amount)} ({refund.method_label}), "
        f"chứng từ {refund.document_no}.",
    )
    return 0


@command("fee policy")
def _fee_policy(args: argparse.Namespace) -> int:
    ctx = _context(args)
    if args.effective_from:
        if args.cash is None:
            raise ValidationError(
                "input.cash", "Khai báo quy định mới cần --cash hoặc --no-cash.", field="cash"
            )
        # Unset receipt options keep the service's defaults (the local provider's symbols).
        symbols = {
            k: v
            for k, v in (
                ("receipt_template", args.receipt_template),
                ("receipt_series", args.receipt_series),
            )
            if v
        }
        view = fee_policy.set_fee_policy(
            ctx,
            fee_policy.SetFeePolicy(
                effective_from=parse_day(args.effective_from, "from"),
                cash_allowed=args.cash,
                vietqr_bin=args.bin or "",
                vietqr_account=args.account or "",
                vietqr_account_name=args.account_name or "",
                province_wide=args.province_wide,
                note=args.note or "",
                officer=args.officer,
                **symbols,
            ),
        )
    else:
        current = fee_policy.current_fee_policy(ctx)
        if current is None:
            emit(None, as_json=args.json, text="Chưa có quy định thu phí nào đang áp dụng.")
            return 0
        view = current
    emit(
        view,
        as_json=args.json,
        text=f"Từ {vn_date(view.effective_from)}: tiền mặt "
        f"{'được thu' if view.cash_allowed else 'không thu'}; tài khoản "
        f"{view.vietqr_bin or '—'}/{view.vietqr_account or '—'}; biên lai "
        f"{view.receipt_provider} {view.receipt_template} {view.receipt_series}",
    )
    return 0


def _printed_receipt(ctx: ServiceContext, ref: str) -> ReceiptView:
    try:
        return fee_receipts.look_up_receipt(ctx, ref)
    except NotFoundError:
        # A dossier code: the receipt of its latest payment that has one.
        status = fee_quotes.fee_status(ctx, ref)
        receipts = [p.receipt for p in status.payments if p.receipt is not None]
        if not receipts:
            raise
        return receipts[-1]


@command("fee print")
def _fee_print(args: argparse.Namespace) -> int:
    from printing.fee_documents import render_fee_receipt_a5, render_fee_receipt_thermal

    ctx = _context(args)
    receipt = _printed_receipt(ctx, args.ref)
    render = render_fee_receipt_thermal if args.layout == "80mm" else render_fee_receipt_a5
    out = Path(args.out)
    out.write_bytes(render(receipt))
    record_document_print(ctx, fee_receipt_print(receipt), args.officer)
    emit(
        {"file": str(out), "receipt": receipt},
        as_json=args.json,
        text=f"Đã ghi biên lai số {receipt.number_text} ({receipt.series}) vào {out}",
    )
    return 0


@command("fee qr-slip")
def _fee_qr_slip(args: argparse.Namespace) -> int:
    from printing.fee_documents import render_vietqr_slip

    ctx = _context(args)
    status = fee_quotes.fee_status(ctx, args.code)
    awaiting = [p for p in status.payments if p.state == "awaiting"]
    if not awaiting:
        raise NotFoundError(
            "payment.not_found", "Hồ sơ không có khoản chuyển khoản nào đang chờ xác nhận."
        )
    policy = fee_policy.current_fee_policy(ctx)
    out = Path(args.out)
    out.write_bytes(
        render_vietqr_slip(
            awaiting[-1],
            account=policy.vietqr_account if policy else "",
            account_name=policy.vietqr_account_name if policy else "",
        )
    )
    record_document_print(ctx, vietqr_slip_print(awaiting[-1]), args.officer)
    emit({"file": str(out)}, as_json=args.json, text=f"Đã ghi phiếu VietQR vào {out}")
    return 0


@command("vietqr")
def _vietqr(args: argparse.Namespace) -> int:
    payload = build_payload(args.bin, args.account, args.amount, args.memo)
    emit({"payload": payload}, as_json=args.json, text=payload)
    return 0


# ---- parser --------------------------------------------------------------------------------


def _quote_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", help="mã hồ sơ")
    p.add_argument("--copies", type=int, default=1, help="số bản (mặc định 1)")
    p.add_argument("--pages", type=int, default=1, help="số trang của bản chính (mặc định 1)")
    p.add_argument(
        "--original",
        action="append",
        metavar="SỐ_TRANG:SỐ_BẢN",
        help="mỗi bản chính một lần: số trang và số bản cần (thay cho --copies/--pages)",
    )
    p.add_argument("--postage", type=int, default=0, help="cước bưu chính trả kết quả (đồng)")
    p.add_argument("--skip", action="append", metavar="MÃ_PHÍ", help="khoản phí không áp dụng")
    p.add_argument("--reduce", metavar="PHẦN_TRĂM", help="giảm phí theo tỷ lệ (cần --reason)")
    p.add_argument("--item", action="append", metavar="MÃ_PHÍ", help="khoản được giảm")
    p.add_argument("--reason", help="lý do miễn/giảm hoặc ghi chú")
    p.add_argument("--legal-basis", help="căn cứ pháp lý của việc miễn/giảm")
    p.add_argument("--officer")


def add_parsers(add: AddParser) -> None:
    sub_kw: dict[str, Any] = {
        "dest": "sub",
        "required": True,
        "parser_class": VietnameseArgumentParser,
    }
    fee = add("fee", "phí, lệ phí: báo phí, trạng thái, xác nhận, biên lai, hoàn trả, quy định")
    fee_sub = fee.add_subparsers(**sub_kw)
    _quote_options(add("quote", "tính phí, lệ phí của hồ sơ", key="fee quote", into=fee_sub))
    p = add("status", "trạng thái phí của hồ sơ", key="fee status", into=fee_sub)
    p.add_argument("code")
    p = add("confirm", "xác nhận đã nhận chuyển khoản", key="fee confirm", into=fee_sub)
    p.add_argument("ref", help="mã hồ sơ hoặc mã khoản thu")
    p.add_argument("--reference", help="mã giao dịch ngân hàng")
    p.add_argument("--officer")
    p = add("cancel", "hủy khoản chuyển khoản chờ xác nhận", key="fee cancel", into=fee_sub)
    p.add_argument("ref")
    p.add_argument("--reason", required=True)
    p.add_argument("--officer")
    p = add("receipt", "lập (lại) biên lai cho khoản đã thu", key="fee receipt", into=fee_sub)
    p.add_argument("ref", help="mã hồ sơ hoặc mã khoản thu")
    p.add_argument("--officer")
    p = add("receipt-cancel", "hủy biên lai", key="fee receipt-cancel", into=fee_sub)
    p.add_argument("lookup_code", help="mã tra cứu của biên lai")
    p.add_argument("--reason", required=True)
    p.add_argument("--officer")
    p = add("refund", "hoàn trả phí, lệ phí", key="fee refund", into=fee_sub)
    p.add_argument("code")
    p.add_argument("--reason", required=True)
    p.add_argument("--amount", type=int)
    p.add_argument("--method", choices=["cash", "transfer", "card", "online"])
    p.add_argument("--reference")
    p.add_argument("--officer")
    p = add("policy", "xem/khai báo quy định thu phí của đơn vị", key="fee policy", into=fee_sub)
    p.add_argument("--from", dest="effective_from", metavar="YYYY-MM-DD")
    p.add_argument("--cash", dest="cash", action="store_true", default=None)
    p.add_argument("--no-cash", dest="cash", action="store_false")
    for option in (
        "--bin",
        "--account",
        "--account-name",
        "--receipt-template",
        "--receipt-series",
        "--note",
        "--officer",
    ):
        p.add_argument(option)
    p.add_argument("--province-wide", action="store_true", help="áp dụng cho toàn tỉnh")

    p = add("print", "in biên lai ra tệp PDF", key="fee print", into=fee_sub)
    p.add_argument("ref", help="mã tra cứu biên lai hoặc mã hồ sơ")
    p.add_argument("--out", required=True, help="tệp PDF")
    p.add_argument("--layout", choices=["a5", "80mm"], default="a5")
    p.add_argument("--officer")
    p = add("qr-slip", "in phiếu VietQR của khoản chờ xác nhận", key="fee qr-slip", into=fee_sub)
    p.add_argument("code")
    p.add_argument("--out", required=True, help="tệp PDF")
    p.add_argument("--officer")

    pay = add("pay", "ghi nhận nộp phí, lệ phí")
    _quote_options(pay)
    pay.add_argument("--method", required=True, choices=list(fees.METHODS))
    pay.add_argument("--reference", help="mã giao dịch (thẻ, cổng DVC, ngân hàng)")

    qr = add("vietqr", "tạo chuỗi VietQR chuyển khoản")
    qr.add_argument("--bin", required=True)
    qr.add_argument("--account", required=True)
    qr.add_argument("--amount", type=int, required=True)
    qr.add_argument("--memo", required=True)


PARSER_EXTENSIONS.append(add_parsers)
