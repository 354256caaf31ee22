"""Exports of logbooks and reports to CSV (opens in Excel): need a role, and are audited.

An export is a bulk read of personal data leaving the application's control, so it needs the
EXPORT permission (supervisor, administrator), a stated reason, and leaves an audit entry with
the range, the row count and a SHA-256 of the content (which file went out can be proven later).
Only the logbook's legal columns (form 07) go out — no ID numbers, dates of birth or e-mails.
The file is UTF-8 with a byte-order mark (what Excel needs to show Vietnamese), and cells that a
spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from app.domain.formatting import vn_datetime
from app.domain.permissions import Permission
from app.services.audit import record_read
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.queries import logbook

LOGBOOK_HEADER = (
    "Số thứ tự",
    "Quyển sổ",
    "Mã hồ sơ",
    "Thủ tục",
    "Số bộ",
    "Người nộp",
    "Địa chỉ, số điện thoại",
    "Cơ quan giải quyết",
    "Tiếp nhận",
    "Hẹn trả",
    "Chuyển xử lý",
    "Có kết quả",
    "Trả kết quả",
    "Trạng thái",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportResult:
    content: bytes
    rows: int
    sha256: str
    event_seq: int


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading apostrophe makes a spreadsheet show the text instead of evaluating it.
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_logbook_csv(
    ctx: ServiceContext,
    day_from: date,
    day_to: date | None = None,
    *,
    officer: str | None,
    reason: str,
) -> ExportResult:
    now = ctx.clock.now()
    with ctx.db.read() as session:
        require(session, None, officer, Permission.EXPORT, now)  # refuse before reading anything
    page = logbook(ctx, day_from, day_to)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LOGBOOK_HEADER)
    for e in page.entries:
        writer.writerow(
            _cell(v)
            for v in (
                e.entry_no,
                e.book_no,
                e.code,
                e.procedure_name,
                e.sets,
                e.submitter,
                e.address_phone,
                e.resolving_agency,
                vn_datetime(e.received_at),
                vn_datetime(e.appointment),
                vn_datetime(e.transferred_at),
                vn_datetime(e.result_at),
                vn_datetime(e.returned_at),
                e.note,
            )
        )
    content = buffer.getvalue().encode("utf-8-sig")
    digest = hashlib.sha256(content).hexdigest()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.EXPORT, now)
        event = record_read(
            session,
            ctx,
            user,
            "export-logbook",
            entity_type="logbook",
            entity_id="form-07",
            reason=reason,
            data={
                "format": "csv",
                "from": page.day_from.isoformat(),
                "to": page.day_to.isoformat(),
                "receiving_point": page.receiving_point,
                "rows": page.total,
                "sha256": digest,
            },
        )
        seq = event.seq
    return ExportResult(content, page.total, digest, seq)
