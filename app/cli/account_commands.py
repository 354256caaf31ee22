"""Command-line commands of accounts, the audit log, exports and backups.

    motcua user add NAME --full-name TEXT --role ROLE [--password-env VAR] --officer ADMIN
    motcua user passwd NAME                 (old, then new password: prompted, or stdin lines)
    motcua user reset NAME [--password-env VAR] --officer ADMIN
    motcua user lock NAME --reason TEXT --officer ADMIN | user unlock NAME --officer ADMIN
    motcua user list --officer ADMIN
    motcua login NAME [--password-env VAR]  (exit 0 if the password is right; counts failures)
    motcua audit verify [--expect-head SEQ:HASH]   (exit 4 if the log was tampered with)
    motcua audit list [--from D] [--to D] [--actor U] [--action A] [--code C] --officer SUP
    motcua export logbook --date D [--to D] --out FILE.csv --reason TEXT --officer SUP
    motcua backup --out FILE [--passphrase-env VAR] [--reason TEXT] --officer SUP
    motcua restore FILE [--passphrase-env VAR] --officer ADMIN

Passwords and passphrases never travel as arguments (they would show in the process list and
the shell history): they come from the environment variable named by `--password-env`, from a
prompt on a terminal, or one per line on standard input for scripts. `--officer` names who acts,
as for every other command; its role is checked by the services and a locked account is refused.
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.bootstrap import default_data_dir, open_context
from app.cli.commands import PARSER_EXTENSIONS, VietnameseArgumentParser, command, parse_day
from app.cli.output import emit, vn_datetime
from app.domain.clock import SystemClock
from app.domain.errors import ValidationError
from app.services import accounts, audit, backup, exports
from app.services.context import ServiceContext
from app.services.keys import default_key_store

EXIT_TAMPERED = 4
AddParser = Callable[..., Any]


def _data_dir(args: argparse.Namespace) -> Path:
    path: Path = args.data_dir or default_data_dir()
    return path


def _context(args: argparse.Namespace) -> ServiceContext:
    return open_context(_data_dir(args))


def _secret(args: argparse.Namespace, prompt: str, env_option: str = "password_env") -> str:
    variable = getattr(args, env_option, None)
    if variable:
        value = os.environ.get(variable)
        if value is None:
            raise ValidationError(
                "input.secret_env",
                f"Biến môi trường «{variable}» chưa được đặt.",
                field=env_option,
            )
        return value
    if sys.stdin.isatty():
        return getpass.getpass(f"{prompt}: ")
    line = sys.stdin.readline()
    if not line:
        raise ValidationError(
            "input.secret_missing", f"Thiếu {prompt.lower()} (đọc từ đầu vào chuẩn).", field="stdin"
        )
    return line.rstrip("\r\n")


def _account_text(a: accounts.AccountView) -> str:
    state = "hoạt động" if a.active else f"đã khóa ({a.locked_reason})"
    return f"{a.username:<16} {a.role_label:<22} {state}  — {a.full_name}"


@command("user add")
def _user_add(args: argparse.Namespace) -> int:
    password = _secret(args, "Mật khẩu ban đầu")
    view = accounts.create_account(
        _context(args),
        admin=args.officer,
        username=args.username,
        full_name=args.full_name,
        role=args.role,
        initial_password=password,
    )
    emit(view, as_json=args.json, text=f"Đã tạo tài khoản: {_account_text(view)}")
    return 0


@command("user passwd")
def _user_passwd(args: argparse.Namespace) -> int:
    old = _secret(args, "Mật khẩu hiện tại", "old_password_env")
    new = _secret(args, "Mật khẩu mới", "new_password_env")
    officer = accounts.change_password(_context(args), args.username, old, new)
    emit(officer, as_json=args.json, text=f"Đã đổi mật khẩu của {officer.username}.")
    return 0


@command("user reset")
def _user_reset(args: argparse.Namespace) -> int:
    password = _secret(args, "Mật khẩu tạm thời")
    view = accounts.reset_password(
        _context(args), admin=args.officer, username=args.username, new_password=password
    )
    emit(
        view,
        as_json=args.json,
        text=f"Đã đặt lại mật khẩu của {view.username}; phải đổi ở lần đăng nhập tới.",
    )
    return 0


@command("user lock")
def _user_lock(args: argparse.Namespace) -> int:
    view = accounts.lock_account(
        _context(args), admin=args.officer, username=args.username, reason=args.reason
    )
    emit(view, as_json=args.json, text=f"Đã khóa tài khoản {view.username}.")
    return 0


@command("user unlock")
def _user_unlock(args: argparse.Namespace) -> int:
    view = accounts.unlock_account(_context(args), admin=args.officer, username=args.username)
    emit(view, as_json=args.json, text=f"Đã mở khóa tài khoản {view.username}.")
    return 0


@command("user list")
def _user_list(args: argparse.Namespace) -> int:
    rows = accounts.list_accounts(_context(args), admin=args.officer)
    emit(rows, as_json=args.json, text="\n".join(_account_text(a) for a in rows))
    return 0


@command("login")
def _login(args: argparse.Namespace) -> int:
    officer = accounts.sign_in(_context(args), args.username, _secret(args, "Mật khẩu"))
    note = " Cần đổi mật khẩu (motcua user passwd)." if officer.must_change_password else ""
    emit(officer, as_json=args.json, text=f"Đăng nhập đúng: {officer.full_name}.{note}")
    return 0


@command("audit verify")
def _audit_verify(args: argparse.Namespace) -> int:
    report = audit.verify_audit_chain(_context(args), args.expect_head)
    lines = [p.message for p in report.problems]
    verdict = "toàn vẹn" if report.ok else "CÓ DẤU HIỆU BỊ SỬA/XÓA"
    emit(
        report,
        as_json=args.json,
        text="\n".join(
            [f"Nhật ký kiểm tra: {report.entries} mục, {verdict}.", *lines, f"Mốc: {report.head}"]
        ),
    )
    if not report.ok:
        sys.stderr.write("Lỗi: nhật ký kiểm tra không còn toàn vẹn.\n")
    return 0 if report.ok else EXIT_TAMPERED


@command("audit list")
def _audit_list(args: argparse.Namespace) -> int:
    query = audit.AuditFilter(
        day_from=parse_day(args.date_from, "from") if args.date_from else None,
        day_to=parse_day(args.to, "to") if args.to else None,
        actor=args.actor or "",
        action=args.action or "",
        dossier_code=args.code or "",
        limit=args.limit,
    )
    rows = audit.list_audit(_context(args), query, officer=args.officer)
    text = "\n".join(
        f"{r.seq:>6}  {vn_datetime(r.at)}  {r.actor:<12} {r.action:<18} "
        f"{r.dossier_code or r.entity_type}  {r.reason}"
        for r in rows
    )
    emit(rows, as_json=args.json, text=text or "Không có mục nào.")
    return 0


@command("export logbook")
def _export_logbook(args: argparse.Namespace) -> int:
    day = parse_day(args.date, "date")
    to = parse_day(args.to, "to") if args.to else None
    result = exports.export_logbook_csv(
        _context(args), day, to, officer=args.officer, reason=args.reason
    )
    backup.write_file(Path(args.out), result.content)
    emit(
        {"out": args.out, "rows": result.rows, "sha256": result.sha256, "event": result.event_seq},
        as_json=args.json,
        text=f"Đã xuất {result.rows} dòng sổ theo dõi vào {args.out} (đã ghi nhật ký).",
    )
    return 0


def _passphrase(args: argparse.Namespace) -> str | None:
    return _secret(args, "Cụm mật khẩu", "passphrase_env") if args.passphrase_env else None


@command("backup")
def _backup(args: argparse.Namespace) -> int:
    result = backup.backup_database(
        _context(args),
        Path(args.out),
        officer=args.officer,
        reason=args.reason,
        passphrase=_passphrase(args),
        key_store=default_key_store(_data_dir(args)),
    )
    how = "cụm mật khẩu" if result.sealed_with == "passphrase" else "khóa của máy trạm"
    emit(
        result,
        as_json=args.json,
        text=f"Đã sao lưu (mã hóa bằng {how}) vào {result.path}. Mốc nhật ký: {result.head}",
    )
    return 0


@command("restore")
def _restore(args: argparse.Namespace) -> int:
    result = backup.restore_database(
        _data_dir(args),
        Path(args.file),
        officer=args.officer,
        clock=SystemClock(),
        workstation=socket.gethostname(),
        passphrase=_passphrase(args),
    )
    verdict = "toàn vẹn" if result.chain_ok else f"{result.problems} vấn đề — chạy «audit verify»"
    emit(
        result,
        as_json=args.json,
        text=f"Đã khôi phục từ {result.restored_from}. Nhật ký kiểm tra: {verdict}.",
    )
    return 0


def add_parsers(add: AddParser) -> None:
    def officer(p: Any, what: str) -> None:
        p.add_argument("--officer", help=f"{what} thực hiện (mặc định: cán bộ của máy trạm)")

    user = add("user", "tài khoản cán bộ: tạo, đổi/đặt lại mật khẩu, khóa, liệt kê")
    sub = user.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    p = add("add", "tạo tài khoản (quản trị đơn vị)", key="user add", into=sub)
    p.add_argument("username")
    p.add_argument("--full-name", required=True)
    p.add_argument(
        "--role", required=True, help="can_bo_mot_cua | can_bo_so_hoa | giam_sat | quan_tri"
    )
    p.add_argument("--password-env", help="tên biến môi trường chứa mật khẩu ban đầu")
    officer(p, "quản trị viên")
    p = add("passwd", "đổi mật khẩu của chính mình", key="user passwd", into=sub)
    p.add_argument("username")
    p.add_argument("--old-password-env")
    p.add_argument("--new-password-env")
    p = add("reset", "đặt lại mật khẩu (quản trị đơn vị)", key="user reset", into=sub)
    p.add_argument("username")
    p.add_argument("--password-env")
    officer(p, "quản trị viên")
    p = add("lock", "khóa tài khoản khi cán bộ nghỉ/chuyển công tác", key="user lock", into=sub)
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    officer(p, "quản trị viên")
    p = add("unlock", "mở lại tài khoản đã khóa", key="user unlock", into=sub)
    p.add_argument("username")
    officer(p, "quản trị viên")
    officer(add("list", "liệt kê tài khoản", key="user list", into=sub), "quản trị viên")

    p = add("login", "kiểm tra mật khẩu của một tài khoản")
    p.add_argument("username")
    p.add_argument("--password-env")

    au = add("audit", "nhật ký kiểm tra: xác minh toàn vẹn, xem")
    au_sub = au.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    p = add("verify", "xác minh chuỗi băm của nhật ký", key="audit verify", into=au_sub)
    p.add_argument("--expect-head", help="mốc đã ghi nhận trước đó, dạng SỐ:MÃ_BĂM")
    p = add("list", "xem nhật ký (giám sát, quản trị)", key="audit list", into=au_sub)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to")
    p.add_argument("--actor")
    p.add_argument("--action")
    p.add_argument("--code", help="mã hồ sơ")
    p.add_argument("--limit", type=int, default=audit.AUDIT_PAGE)
    officer(p, "cán bộ")

    ex = add("export", "xuất dữ liệu ra tệp (có ghi nhật ký)")
    ex_sub = ex.add_subparsers(dest="sub", required=True, parser_class=VietnameseArgumentParser)
    p = add("logbook", "xuất sổ theo dõi hồ sơ ra tệp CSV", key="export logbook", into=ex_sub)
    p.add_argument("--date", required=True)
    p.add_argument("--to")
    p.add_argument("--out", required=True, help="tệp CSV cần ghi")
    p.add_argument("--reason", required=True, help="lý do xuất (ghi vào nhật ký)")
    officer(p, "cán bộ")

    p = add("backup", "sao lưu cơ sở dữ liệu (mã hóa)")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--passphrase-env", help="biến môi trường chứa cụm mật khẩu (khôi phục ở máy khác)"
    )
    p.add_argument("--reason", default="Sao lưu định kỳ")
    officer(p, "cán bộ")
    p = add("restore", "khôi phục cơ sở dữ liệu từ bản sao lưu (đóng phần mềm trước)")
    p.add_argument("file")
    p.add_argument("--passphrase-env")
    officer(p, "quản trị viên")


PARSER_EXTENSIONS.append(add_parsers)
