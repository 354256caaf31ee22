"""The audit log: checking its hash chain, browsing it, and recording sensitive reads.

State changes are audited by the services that make them (through `journal.record_change`).
Reads that expose citizens' personal data — opening a dossier's details, exporting, backing up —
are audited here with `record_read`, in the same `events` table and chain, with the officer, the
time, the workstation and the reason given. Reads are not queued for upload and carry no
`dossier_id`, so a dossier's own history shows what was done to it, not who looked at it.

`verify_audit_chain` reports edited entries (hash mismatch), deleted or reordered entries (gaps
in the sequence numbers, broken links), changes queued for upload whose event is gone (the tail
deleted), and, given a head recorded elsewhere, a chain rewritten from some point on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Dossier, Event, OutboxEntry, User
from app.domain.audit_chain import GENESIS, ChainHead, ChainProblem, check_anchor, check_chain
from app.domain.clock import VN_TZ
from app.domain.errors import ValidationError
from app.domain.permissions import Permission
from app.domain.text import clean_text
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.journal import record_change

AUDIT_PAGE = 500
# Reads that need a stated reason (the others are part of ordinary counter work).
REASON_REQUIRED = frozenset({"export-logbook", "backup"})


def record_read(
    session: Session,
    ctx: ServiceContext,
    user: User,
    action: str,
    *,
    entity_type: str,
    entity_id: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append a sensitive-read entry to the audit chain (inside the caller's transaction)."""
    clean_reason = clean_text(reason)
    if action in REASON_REQUIRED and not clean_reason:
        raise ValidationError(
            "audit.reason_required",
            "Thao tác này cần ghi rõ lý do (sẽ được lưu vào nhật ký kiểm tra).",
            field="reason",
        )
    return record_change(
        session,
        at=ctx.clock.now(),
        actor=user.username,
        workstation=ctx.workstation,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        reason=clean_reason,
        data=data,
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head: str  # "SEQ:HASH", to be written down or compared later (`--expect-head`)
    problems: tuple[ChainProblem, ...]


_CHAIN_COLUMNS = (
    Event.id,
    Event.seq,
    Event.at,
    Event.actor,
    Event.workstation,
    Event.action,
    Event.entity_type,
    Event.entity_id,
    Event.dossier_id,
    Event.from_status,
    Event.to_status,
    Event.reason,
    Event.data,
    Event.prev_hash,
    Event.hash,
)


def chain_head(session: Session) -> ChainHead:
    row = session.execute(select(Event.seq, Event.hash).order_by(Event.seq.desc()).limit(1)).first()
    return ChainHead(0, GENESIS) if row is None else ChainHead(int(row[0]), str(row[1]))


def _orphaned_uploads(session: Session) -> list[ChainProblem]:
    ids = {str(i) for i in session.scalars(select(Event.id))}
    problems = []
    for seq, payload in session.execute(select(OutboxEntry.seq, OutboxEntry.payload)):
        event_id = payload.get("event_id") if isinstance(payload, dict) else None
        if event_id and event_id not in ids:
            problems.append(
                ChainProblem(
                    None,
                    "orphan-outbox",
                    f"Thay đổi chờ đồng bộ số {seq} trỏ đến một mục nhật ký không còn tồn tại.",
                )
            )
    return problems


def verify_audit_chain(ctx: ServiceContext, expected_head: str | None = None) -> ChainReport:
    """Check the whole chain. Not restricted by role: it reveals no personal data."""
    anchor = None
    if expected_head:
        try:
            anchor = ChainHead.parse(expected_head)
        except ValueError:
            raise ValidationError(
                "audit.head_format",
                "Mốc nhật ký phải có dạng SỐ:MÃ_BĂM (như «motcua audit verify» đã in).",
                field="expect_head",
            ) from None
    with ctx.db.read() as session:
        rows = session.execute(select(*_CHAIN_COLUMNS).order_by(Event.seq)).mappings()
        problems, head = check_chain(dict(row) for row in rows)
        problems += _orphaned_uploads(session)
        if anchor is not None:
            at_anchor = (
                GENESIS
                if anchor.seq == 0
                else session.scalar(select(Event.hash).where(Event.seq == anchor.seq))
            )
            problems += check_anchor(head, anchor, at_anchor)
        count = int(session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1)) or 0)
    return ChainReport(not problems, count, str(head), tuple(problems))


@dataclass(frozen=True)
class AuditEntryView:
    seq: int
    at: datetime
    actor: str
    workstation: str
    action: str
    entity_type: str
    entity_id: str
    dossier_code: str | None
    from_status: int | None
    to_status: int | None
    reason: str


@dataclass(frozen=True)
class AuditFilter:
    day_from: date | None = None
    day_to: date | None = None
    actor: str = ""
    action: str = ""
    dossier_code: str = ""
    limit: int = AUDIT_PAGE


def list_audit(
    ctx: ServiceContext, query: AuditFilter | None = None, *, officer: str | None = None
) -> list[AuditEntryView]:
    """Newest first, filtered by day range, officer, action and dossier (supervisors, admins)."""
    query = query or AuditFilter()
    now = ctx.clock.now()
    with ctx.db.read() as session:
        require(session, None, officer, Permission.VIEW_AUDIT, now)
        # A dossier's own events name it as their entity; fee, digitisation and print events
        # name their own entity and carry the dossier in `dossier_id`.
        concerned = func.coalesce(Event.dossier_id, Event.entity_id)
        stmt = select(Event, Dossier.code).outerjoin(Dossier, Dossier.id == concerned)
        if query.day_from is not None:
            stmt = stmt.where(Event.at >= datetime.combine(query.day_from, time.min, VN_TZ))
        if query.day_to is not None:
            end = datetime.combine(query.day_to + timedelta(days=1), time.min, VN_TZ)
            stmt = stmt.where(Event.at < end)
        if clean_text(query.actor):
            stmt = stmt.where(Event.actor == clean_text(query.actor))
        if clean_text(query.action):
            stmt = stmt.where(Event.action == clean_text(query.action))
        if clean_text(query.dossier_code):
            stmt = stmt.where(Dossier.code == clean_text(query.dossier_code).upper())
        rows = session.execute(stmt.order_by(Event.seq.desc()).limit(max(1, query.limit)))
        return [
            AuditEntryView(
                e.seq,
                e.at,
                e.actor,
                e.workstation,
                e.action,
                e.entity_type,
                e.entity_id,
                code,
                e.from_status,
                e.to_status,
                e.reason,
            )
            for e, code in rows
        ]
