"""`motcua day close --date D [--note TEXT]` and `motcua day status --date D`: the supervisor's
end-of-day close, refused while the day's changes wait for upload or a cash session is open."""

from __future__ import annotations

import argparse
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli.commands import PARSER_EXTENSIONS, VietnameseArgumentParser, command, parse_day
from app.cli.output import emit, vn_date, vn_datetime
from app.services import day_close
from app.services.context import ServiceContext


def _context(args: argparse.Namespace) -> ServiceContext:
    return open_context(args.data_dir or default_data_dir())


def _text(view: day_close.DayClose) -> str:
    return (
        f"Ngày {vn_date(view.day)} đã chốt lúc {vn_datetime(view.closed_at)} bởi {view.closed_by}; "
        f"{view.received} hồ sơ tiếp nhận."
    )


@command("day close")
def _close(args: argparse.Namespace) -> int:
    view = day_close.close_day(
        _context(args), parse_day(args.date, "date"), officer=args.officer, note=args.note or ""
    )
    emit(view, as_json=args.json, text=_text(view))
    return 0


@command("day status")
def _status(args: argparse.Namespace) -> int:
    day = parse_day(args.date, "date")
    view = day_close.day_closure(_context(args), day)
    if view is None:
        emit(
            {"day": day, "closed": False}, as_json=args.json, text=f"Ngày {vn_date(day)} chưa chốt."
        )
    else:
        emit(view, as_json=args.json, text=_text(view))
    return 0


def add_parsers(add: Any) -> None:
    day = add("day", "chốt số liệu cuối ngày")
    sub = day.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    p = add(
        "close", "chốt ngày (cần đồng bộ xong và đóng hết ca thu tiền)", key="day close", into=sub
    )
    p.add_argument("--date", required=True)
    p.add_argument("--note")
    p.add_argument("--officer")
    add("status", "ngày đã chốt chưa", key="day status", into=sub).add_argument(
        "--date", required=True
    )


PARSER_EXTENSIONS.append(add_parsers)
