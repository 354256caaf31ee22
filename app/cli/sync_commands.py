"""Command-line commands of the sync: the reference central system and a counter's enrolment/sync.

    motcua central init  --db URL --catalogue FILE [--calendar FILE]
    motcua central enrol --db URL --counter CODE --agency ID [--agency ID …]   (prints the token)
    motcua central revoke --db URL --counter CODE
    motcua central serve --db URL [--host H] [--port P] [--workers N] [--tls-cert F --tls-key F]
    motcua enrol --server URL --token T [--ca-file PEM]
    motcua sync [--server URL] [--ca-file PEM] [--extra-leases dd/mm/yyyy:N …]
                                                (one sync, JSON summary with --json)
    motcua sync leases                          (codes left per day, offline)
    motcua sync-rejected                        (uploads the central system refused)

Like app.bootstrap this is a composition root, so it may import sync/; it does so inside the
handlers, keeping every other command's start-up free of FastAPI and httpx.
Exit codes: 0 done, 3 refused (bad token, revoked, not enrolled…), 4 central system unreachable.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli.commands import PARSER_EXTENSIONS, VietnameseArgumentParser, command, parse_day
from app.cli.output import emit, vn_date, vn_datetime
from app.domain.errors import ValidationError

EXIT_REFUSED = 3
EXIT_UNAVAILABLE = 4
DEFAULT_PORT = 8787
OFFLINE_CODES = ("sync.unavailable", "sync.retry_later")


def _context(args: argparse.Namespace) -> Any:
    return open_context(args.data_dir or default_data_dir())


def parse_extra_lease(text: str) -> tuple[date, int]:
    """`dd/mm/yyyy:N` — N more dossier codes for that day (e.g. 20/11/2026:50)."""
    day_text, _, count_text = text.strip().rpartition(":")
    try:
        day = parse_day(day_text, "extra_leases")
        count = int(count_text)
    except (ValueError, ValidationError):
        count = 0
    if count < 1:
        raise ValidationError(
            "input.extra_leases",
            f"«{text}» phải có dạng ngày/tháng/năm:số_mã (ví dụ 20/11/2026:50), số mã lớn hơn 0.",
            field="extra_leases",
        )
    return day, count


def _central_db(args: argparse.Namespace) -> Any:
    from sync.server.db import ServerDatabase

    return ServerDatabase.open(args.db)


@command("central init")
def _central_init(args: argparse.Namespace) -> int:
    from sync.server.admin import init_central

    db = _central_db(args)
    try:
        summary = init_central(
            db, Path(args.catalogue), calendar_path=Path(args.calendar) if args.calendar else None
        )
    finally:
        db.close()
    emit(
        summary,
        as_json=args.json,
        text=f"Danh mục phiên bản {summary.catalogue_version}"
        f"{' (mới)' if summary.catalogue_changed else ''}, lịch phiên bản "
        f"{summary.calendar_version}; {summary.procedures} thủ tục, {summary.counters} quầy.",
    )
    return 0


@command("central enrol")
def _central_enrol(args: argparse.Namespace) -> int:
    from app.domain.clock import SystemClock
    from sync.server.auth import enrol_counter

    db = _central_db(args)
    try:
        with db.write() as session:
            token = enrol_counter(session, args.counter, list(args.agency), SystemClock().now())
    finally:
        db.close()
    emit(
        {"counter": args.counter, "agencies": list(args.agency), "token": token},
        as_json=args.json,
        text=token,
    )
    return 0


@command("central revoke")
def _central_revoke(args: argparse.Namespace) -> int:
    from sync.server.auth import revoke_counter

    db = _central_db(args)
    try:
        with db.write() as session:
            count = revoke_counter(session, args.counter)
    finally:
        db.close()
    emit(
        {"counter": args.counter, "revoked": count},
        as_json=args.json,
        text=f"Đã thu hồi {count} thông tin xác thực của quầy {args.counter}.",
    )
    return 0


@command("central serve")
def _central_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app

    db = _central_db(args)  # migrates once, before any worker starts
    tls = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key} if args.tls_cert else {}
    if args.workers > 1:
        db.close()
        os.environ["MOTCUA_CENTRAL_DB"] = args.db
        uvicorn.run(
            "sync.server.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=False,
            log_level="warning",
            **tls,
        )
        return 0
    try:
        uvicorn.run(
            create_app(db),
            host=args.host,
            port=args.port,
            access_log=False,
            log_level="warning",
            **tls,
        )
    finally:
        db.close()
    return 0


@command("enrol")
def _enrol(args: argparse.Namespace) -> int:
    from sync.client import SyncError, SyncUnavailable
    from sync.engine import enrol

    ctx = _context(args)
    try:
        result = enrol(
            ctx, args.server, args.token, workstation=ctx.workstation, ca_file=args.ca_file
        )
    except SyncUnavailable as error:
        sys.stderr.write(f"Lỗi: {error.message}\n")
        return EXIT_UNAVAILABLE
    except SyncError as error:
        sys.stderr.write(f"Lỗi: {error.message}\n")
        return EXIT_REFUSED
    finally:
        ctx.db.close()
    emit(
        result,
        as_json=args.json,
        text=f"Đã đăng ký quầy {result.counter_name} ({result.counter}) với {args.server}.",
    )
    return 0 if result.sync.ok else EXIT_UNAVAILABLE


@command("sync")
def _sync(args: argparse.Namespace) -> int:
    from app.services.sync_port import save_ca_file
    from sync.engine import SyncOptions, run_sync_once

    extra = tuple(parse_extra_lease(text) for text in args.extra_leases or ())
    ctx = _context(args)
    try:
        summary = run_sync_once(
            ctx,
            server_url=args.server,
            ca_file=args.ca_file,
            options=SyncOptions(extra_leases=extra),
        )
        if args.ca_file and summary.ok:
            # Proven to work against the central system: the desktop's syncs use it from now on.
            save_ca_file(ctx, args.ca_file)
    finally:
        ctx.db.close()
    # The summary is the command's result, printed as JSON whether or not the sync succeeded.
    emit(
        summary,
        as_json=args.json,
        text=(
            f"Đồng bộ {'xong' if summary.ok else 'chưa xong: ' + summary.error.rstrip('.')}. Gửi "
            f"{summary.uploaded}, bị từ chối {summary.rejected}, tải về {summary.downloaded}; "
            f"còn chờ {summary.pending}; lần thành công gần nhất "
            f"{vn_datetime(summary.last_success) or 'chưa có'}."
        ),
    )
    for reason in summary.leases_refused:
        sys.stderr.write(f"Không được cấp thêm dải số: {reason}\n")
    if summary.ok:
        return 0
    return EXIT_UNAVAILABLE if summary.error_code in OFFLINE_CODES else EXIT_REFUSED


@command("sync leases")
def _sync_leases(args: argparse.Namespace) -> int:
    from app.services.sync_port import lease_capacity

    ctx = _context(args)
    try:
        rows = lease_capacity(ctx)
    finally:
        ctx.db.close()
    text = "\n".join(f"{vn_date(r.day)}: còn {r.remaining} mã hồ sơ" for r in rows)
    emit(rows, as_json=args.json, text=text or "Máy trạm chưa được cấp dải số mã hồ sơ nào.")
    return 0


@command("sync-rejected")
def _sync_rejected(args: argparse.Namespace) -> int:
    from app.services.sync_port import rejected_uploads

    ctx = _context(args)
    try:
        rows = rejected_uploads(ctx)
    finally:
        ctx.db.close()
    text = "\n".join(
        f"{vn_datetime(r.rejected_at)}  {r.dossier_code or r.entity_id}  {r.op}: {r.message}"
        for r in rows
    )
    emit(rows, as_json=args.json, text=text or "Không có thay đổi nào bị từ chối.")
    return 0


def _extend(add: Any) -> None:
    central = add("central", "hệ thống trung tâm tham chiếu (máy chủ đồng bộ)")
    sub = central.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    init = add("init", "nạp danh mục và lịch làm việc", key="central init", into=sub)
    init.add_argument("--catalogue", required=True)
    init.add_argument("--calendar")
    enrol = add("enrol", "cấp mã đăng ký cho một quầy", key="central enrol", into=sub)
    enrol.add_argument("--counter", required=True, help="mã quầy trong danh mục")
    enrol.add_argument("--agency", required=True, action="append", help="mã cơ quan")
    revoke = add("revoke", "thu hồi thông tin xác thực của quầy", key="central revoke", into=sub)
    revoke.add_argument("--counter", required=True)
    serve = add("serve", "chạy máy chủ đồng bộ", key="central serve", into=sub)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--tls-cert", help="tệp chứng thư TLS (PEM); bật HTTPS cùng --tls-key")
    serve.add_argument("--tls-key", help="tệp khóa riêng TLS (PEM)")
    for parser in (init, enrol, revoke, serve):
        parser.add_argument(
            "--db", required=True, help="URL cơ sở dữ liệu (postgresql://… hoặc sqlite:///…)"
        )

    ca_help = "tệp chứng thư CA (PEM) của tỉnh, nếu máy chủ trung tâm dùng CA riêng"
    client = add("enrol", "đăng ký máy trạm này với hệ thống trung tâm")
    client.add_argument("--server", required=True)
    client.add_argument("--token", required=True)
    client.add_argument("--ca-file", metavar="PEM", help=ca_help + " (được ghi nhớ)")
    sync = add("sync", "đồng bộ một lần với hệ thống trung tâm")
    sync.add_argument("--server")
    sync.add_argument(
        "--ca-file", metavar="PEM", help=ca_help + " (ghi nhớ sau lần đồng bộ thành công)"
    )
    sync.add_argument(
        "--extra-leases",
        action="append",
        metavar="NGÀY:SỐ_MÃ",
        help="xin thêm số mã hồ sơ cho một ngày, dạng dd/mm/yyyy:N (nhập bù ngày cũ); lặp lại được",
    )
    sync_sub = sync.add_subparsers(dest="sub", parser_class=VietnameseArgumentParser)
    add("leases", "số mã hồ sơ còn dùng được theo ngày", key="sync leases", into=sync_sub)
    add("sync-rejected", "các thay đổi bị hệ thống trung tâm từ chối")


PARSER_EXTENSIONS.append(_extend)
