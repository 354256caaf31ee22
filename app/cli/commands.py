"""The CLI's commands: argument parsing and one small handler per command over the services."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from app.bootstrap import default_data_dir, init_demo_data, open_context
from app.cli import print_commands
from app.cli.output import emit, plain, vn_date, vn_datetime
from app.domain.clock import VN_TZ
from app.domain.errors import ValidationError
from app.services import calendar as calendar_service
from app.services import catalogue as catalogue_service
from app.services import dossiers, queries
from app.services.context import ServiceContext
from app.services.deadline_quote import quote_deadline
from app.services.dossiers import ComponentCount, ReceiveDossier
from app.services.views import DossierSummary, DossierView

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = dict(print_commands.HANDLERS)
# Other CLI modules (e.g. app/cli/sync_commands.py) append a function that adds their subparsers;
# it receives `add(name, help, *, key=None, into=None)` as used in build_parser below.
PARSER_EXTENSIONS: list[Callable[..., None]] = [print_commands.add_parsers]

_ARGPARSE_VI = {
    "the following arguments are required": "thiếu tham số bắt buộc",
    "unrecognized arguments": "tham số không nhận ra",
    "invalid choice": "lựa chọn không hợp lệ",
    "expected one argument": "cần một giá trị",
    "one of the arguments": "cần một trong các tham số",
    "not allowed with argument": "không dùng cùng tham số",
}


class VietnameseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        for english, vietnamese in _ARGPARSE_VI.items():
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi cú pháp lệnh: {message}\n")


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        return handler

    return register


# ---- argument values -----------------------------------------------------------------------


def parse_moment(text: str, field: str) -> datetime:
    """ISO 8601; a time without offset is Vietnam time (what an officer means)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            "input.datetime",
            f"Thời điểm «{text}» không đúng định dạng ISO 8601 (ví dụ 2026-11-23T09:00:00+07:00).",
            field=field,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def parse_day(text: str, field: str) -> date:
    """dd/mm/yyyy as officers write it, or YYYY-MM-DD as scripts do."""
    value = text.strip()
    try:
        if "/" in value:
            return datetime.strptime(value, "%d/%m/%Y").date()
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            "input.date",
            f"Ngày «{text}» không đúng: xin ghi dạng ngày/tháng/năm (ví dụ 23/11/2026) "
            "hoặc YYYY-MM-DD.",
            field=field,
        ) from None


def parse_component(text: str) -> ComponentCount:
    parts = text.split(":")
    try:
        ref, originals, copies = parts
        return ComponentCount(ref, int(originals), int(copies))
    except ValueError:
        raise ValidationError(
            "input.component",
            f"Thành phần «{text}» phải có dạng MÃ:số_bản_chính:số_bản_sao (ví dụ 1:1:0).",
            field="component",
        ) from None


def _context(args: argparse.Namespace) -> ServiceContext:
    return open_context(args.data_dir or default_data_dir())


# ---- commands ------------------------------------------------------------------------------


@command("init-demo")
def _init_demo(args: argparse.Namespace) -> int:
    ctx = _context(args)
    result = init_demo_data(ctx)
    verb = "Đã khởi tạo" if result.created else "Dữ liệu đã có sẵn tại"
    emit(
        {"data_dir": str(args.data_dir or default_data_dir()), **vars_of(result)},
        as_json=args.json,
        text=f"{verb} {args.data_dir or default_data_dir()}: {result.receiving_point}, "
        f"{result.counter}; {result.procedures} thủ tục, {result.calendar_days} ngày lịch.",
    )
    return 0


def vars_of(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = plain(obj)
    return data


@command("catalogue list")
def _catalogue_list(args: argparse.Namespace) -> int:
    procedures = catalogue_service.list_procedures(_context(args), args.search or "")
    lines = [f"{p.code}  {p.name}  ({p.duration.text})" for p in procedures]
    emit(procedures, as_json=args.json, text="\n".join(lines) or "Không có thủ tục phù hợp.")
    return 0


@command("deadline")
def _deadline(args: argparse.Namespace) -> int:
    received_at = parse_moment(args.received_at, "received_at")
    quote = quote_deadline(
        _context(args),
        received_at,
        procedure=args.procedure,
        duration=args.duration,
        unit=args.unit,
    )
    emit(
        quote,
        as_json=args.json,
        text=f"Bắt đầu tính: {vn_datetime(quote.clock_start)}\n"
        f"Hẹn trả: {vn_datetime(quote.appointment)} ({quote.duration.text})\n"
        f"Cảnh báo từ: {vn_datetime(quote.warning_at)}",
    )
    return 0


@command("receive")
def _receive(args: argparse.Namespace) -> int:
    cmd = ReceiveDossier(
        procedure=args.procedure,
        applicant_name=args.applicant_name,
        id_number=args.id_number,
        address=args.address or "",
        phone=args.phone or "",
        email=args.email or "",
        components=tuple(parse_component(c) for c in args.component) if args.component else None,
        officer=args.officer,
        received_at=parse_moment(args.received_at, "received_at") if args.received_at else None,
        backfill_reason=args.backfill_reason or "",
        outcome=args.outcome,
        outcome_reason=args.outcome_reason or "",
    )
    result = dossiers.receive_dossier(_context(args), cmd)
    d = result.dossier
    for warning in result.warnings:
        sys.stderr.write(f"Lưu ý: {warning.message}\n")
    emit(
        {
            "code": d.code,
            "id": d.id,
            "appointment": d.appointment,
            "status": d.status,
            "received_at": d.received_at,
            "warnings": [w.message for w in result.warnings],
        },
        as_json=args.json,
        text=f"Đã tiếp nhận hồ sơ {d.code}; hẹn trả {vn_datetime(d.appointment)}.",
    )
    return 0


def _show_dossier(args: argparse.Namespace, view: DossierView) -> int:
    emit(
        view,
        as_json=args.json,
        text=f"{view.code} — {view.status_label} (trạng thái {view.status})\n"
        f"Người nộp: {view.applicant.name}\nThủ tục: {view.procedure_name}\n"
        f"Tiếp nhận: {vn_datetime(view.received_at)}  Hẹn trả: {vn_datetime(view.appointment)}",
    )
    return 0


def _transition(
    name: str, call: Callable[[ServiceContext, argparse.Namespace], DossierView]
) -> None:
    COMMANDS[name] = lambda args: _show_dossier(args, call(_context(args), args))


_transition(
    "supplement-request",
    lambda ctx, a: dossiers.request_supplement(ctx, a.code, a.reason, officer=a.officer),
)
_transition(
    "supplement-receive",
    lambda ctx, a: dossiers.receive_supplement(
        ctx,
        a.code,
        officer=a.officer,
        received_at=parse_moment(a.received_at, "received_at") if a.received_at else None,
        backfill_reason=a.backfill_reason or "",
    ),
)
_transition("refuse", lambda ctx, a: dossiers.refuse(ctx, a.code, a.reason, officer=a.officer))
_transition("stop", lambda ctx, a: dossiers.stop(ctx, a.code, a.reason, officer=a.officer))
_transition("withdraw", lambda ctx, a: dossiers.withdraw(ctx, a.code, a.reason, officer=a.officer))
_transition("transfer", lambda ctx, a: dossiers.transfer(ctx, a.code, officer=a.officer))
_transition("result", lambda ctx, a: dossiers.record_result(ctx, a.code, officer=a.officer))
_transition("return", lambda ctx, a: dossiers.return_result(ctx, a.code, officer=a.officer))
_transition(
    "reappoint",
    lambda ctx, a: dossiers.reappoint(
        ctx, a.code, parse_moment(a.new_date, "new_date"), a.reason, officer=a.officer
    ),
)
_transition("show", lambda ctx, a: queries.show_dossier(ctx, a.code))


def _summaries_text(rows: list[DossierSummary]) -> str:
    return "\n".join(
        f"{r.code}  {r.applicant_name}  {r.status_label}  hẹn {vn_datetime(r.appointment)}"
        for r in rows
    )


@command("lookup")
def _lookup(args: argparse.Namespace) -> int:
    rows = queries.lookup(_context(args), args.text)
    emit(rows, as_json=args.json, text=_summaries_text(rows) or "Không tìm thấy hồ sơ nào.")
    return 0


@command("overdue")
def _overdue(args: argparse.Namespace) -> int:
    rows = queries.overdue(_context(args))
    emit(rows, as_json=args.json, text=_summaries_text(rows) or "Không có hồ sơ sắp/quá hạn.")
    return 0


@command("logbook")
def _logbook(args: argparse.Namespace) -> int:
    day = parse_day(args.date, "date")
    to = parse_day(args.to, "to") if args.to else None
    if args.out:
        return print_commands.logbook_to_file(args, day, to)
    page = queries.logbook(_context(args), day, to, args.unit)
    lines = [
        f"{e.entry_no:>4}  {e.code}  {e.submitter}  {vn_datetime(e.received_at)}"
        for e in page.entries
    ]
    header = f"Sổ theo dõi hồ sơ — {page.receiving_point} — {vn_date(page.day_from)}"
    emit(
        {**vars_of(page), "total": page.total},
        as_json=args.json,
        text="\n".join([header, *lines, f"Tổng số: {page.total} hồ sơ"]),
    )
    return 0


@command("calendar list")
def _calendar_list(args: argparse.Namespace) -> int:
    days = calendar_service.list_calendar(_context(args), args.year)
    text = "\n".join(f"{vn_date(d.day)}  {d.kind:<8}  {d.note}" for d in days)
    emit(days, as_json=args.json, text=text or "Không có ngày nghỉ/làm bù nào.")
    return 0


@command("calendar add")
def _calendar_add(args: argparse.Namespace) -> int:
    ctx = _context(args)
    view = calendar_service.add_calendar_exception(
        ctx,
        parse_day(args.date, "date"),
        args.kind,
        args.note,
        actor=args.officer or "admin",
        source=args.source or "",
    )
    emit(view, as_json=args.json, text=f"Đã ghi {vn_date(view.day)}: {view.kind} — {view.note}")
    return 0


# ---- parser --------------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="thư mục dữ liệu (SQLite)"
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="kết quả dạng JSON"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = VietnameseArgumentParser(
        prog="motcua", description="MotCua Desk — phần mềm quầy Một cửa", parents=[common]
    )
    parser.set_defaults(data_dir=None, json=False, command=None, command_key=None)
    sub = parser.add_subparsers(dest="command", parser_class=VietnameseArgumentParser)

    def add(name: str, help_text: str, *, key: str | None = None, into: Any = sub) -> Any:
        p = into.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(command_key=key or name)
        return p

    add("init-demo", "tạo dữ liệu mẫu: đơn vị, danh mục thủ tục, lịch làm việc")

    cat = add("catalogue", "danh mục thủ tục hành chính")
    cat_sub = cat.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    add("list", "liệt kê thủ tục", key="catalogue list", into=cat_sub).add_argument("--search")

    dl = add("deadline", "tính ngày hẹn trả")
    group = dl.add_mutually_exclusive_group(required=True)
    group.add_argument("--procedure")
    group.add_argument("--duration", type=int)
    dl.add_argument(
        "--unit", choices=["working-days", "working-hours", "calendar-days", "same-day"]
    )
    dl.add_argument("--received-at", required=True)

    rc = add("receive", "tiếp nhận hồ sơ")
    rc.add_argument("--procedure", required=True)
    rc.add_argument("--applicant-name", required=True)
    rc.add_argument("--id-number", required=True)
    for option in ("--address", "--phone", "--email", "--officer", "--received-at"):
        rc.add_argument(option)
    rc.add_argument("--backfill-reason")
    rc.add_argument(
        "--outcome",
        choices=["complete", "incomplete", "ineligible"],
        default="complete",
        help="đủ: mẫu 01; chưa đủ: yêu cầu bổ sung, mẫu 02; không đủ điều kiện: từ chối, mẫu 03",
    )
    rc.add_argument("--outcome-reason", help="nội dung cần bổ sung hoặc lý do từ chối")
    rc.add_argument("--component", action="append", metavar="ID:BẢN_CHÍNH:BẢN_SAO")

    for name, help_text in (
        ("supplement-request", "yêu cầu bổ sung hồ sơ (mẫu 02)"),
        ("refuse", "từ chối tiếp nhận giải quyết (mẫu 03)"),
        ("stop", "dừng giải quyết hồ sơ (mẫu 05)"),
        ("withdraw", "công dân rút hồ sơ"),
    ):
        p = add(name, help_text)
        p.add_argument("code")
        p.add_argument("--reason", required=True)
        p.add_argument("--officer")
    sr = add("supplement-receive", "tiếp nhận hồ sơ bổ sung")
    sr.add_argument("code")
    for option in ("--officer", "--received-at", "--backfill-reason"):
        sr.add_argument(option)
    for name, help_text in (
        ("transfer", "chuyển cơ quan giải quyết"),
        ("result", "ghi nhận có kết quả"),
        ("return", "trả kết quả cho công dân"),
    ):
        p = add(name, help_text)
        p.add_argument("code")
        p.add_argument("--officer")
    ra = add("reappoint", "xin lỗi, hẹn lại ngày trả (mẫu 04)")
    ra.add_argument("code")
    ra.add_argument("--new-date", required=True)
    ra.add_argument("--reason", required=True)
    ra.add_argument("--officer")

    add("show", "xem hồ sơ và lịch sử").add_argument("code")
    add("lookup", "tra cứu theo mã, số giấy tờ hoặc tên").add_argument("text")
    lb = add("logbook", "sổ theo dõi hồ sơ")
    lb.add_argument("--date", required=True)
    lb.add_argument("--to")
    lb.add_argument("--unit", help="mã (UUID) điểm tiếp nhận; mặc định: của máy trạm này")
    lb.add_argument("--out", help="ghi sổ ra tệp PDF (A4 ngang) thay vì liệt kê")
    lb.add_argument("--preview", action="store_true", help="bản xem trước (có chữ chìm)")
    lb.add_argument("--officer", help="cán bộ in (mặc định: cán bộ của máy trạm)")
    add("overdue", "hồ sơ sắp đến hạn / quá hạn")

    cal = add("calendar", "lịch làm việc: ngày nghỉ, ngày làm bù")
    cal_sub = cal.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    add("list", "liệt kê ngày nghỉ/làm bù", key="calendar list", into=cal_sub).add_argument(
        "--year", type=int, required=True
    )
    ca = add("add", "thêm ngày nghỉ/làm bù", key="calendar add", into=cal_sub)
    ca.add_argument("--date", required=True)
    ca.add_argument("--kind", required=True, choices=["day-off", "make-up"])
    ca.add_argument("--note", required=True)
    ca.add_argument("--source")
    ca.add_argument("--officer")
    for extend in PARSER_EXTENSIONS:
        extend(add)
    return parser
