"""Applying uploaded outbox entries exactly once, in order, with a result per entry.

A batch is one transaction. Each entry runs in a savepoint, so a rejected entry leaves no trace
but its recorded result and never stops the rest of the batch. The result of every applied or
rejected entry is stored under its idempotency key in the same transaction as the change, so a
repeat (a retry after a lost response, a duplicated or replayed request) gets the original answer
and changes nothing. Updates are accepted only on top of the server's current version of the
dossier (optimistic concurrency); a change made elsewhere in between makes the later one a
rejection with a readable reason — the server's state wins and reaches the counter by the feed,
and the supervisor sees the parked action. Transitions are checked with app.domain.lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.domain.clock import VN_TZ
from app.domain.codes import parse_code
from app.domain.errors import AppError, StateError
from app.domain.lifecycle import Action, Status, next_status
from sync.protocol import DossierRecord, EntryResult, UploadEntry
from sync.server.auth import CounterAuth
from sync.server.db import take_seqs, utc_now
from sync.server.models import (
    Agency,
    AppliedEntry,
    Dossier,
    DossierEvent,
    JournalEntry,
    ProcedureRef,
)

# Kinds of change the central system owns: a counter's local edit is refused, visibly.
CENTRAL_ONLY = frozenset({"calendar_exception", "work_rules"})
# Fields a later change may never alter: the identity and the legal code (DOMAIN §2, §3).
_IMMUTABLE = ("code", "receiving_agency", "receiving_agency_eid", "received_at")


class Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _day(record: DossierRecord) -> date:
    return record.received_at.astimezone(VN_TZ).date()


def _stored(row: AppliedEntry) -> EntryResult:
    return EntryResult(
        id=row.key,
        status="applied" if row.status == "applied" else "rejected",
        code=row.code,
        message=row.message,
        row_version=row.row_version,
        change_seq=row.change_seq,
    )


@dataclass
class _Batch:
    """What the entries of one request need, read in a few queries instead of per entry."""

    auth: CounterAuth
    agencies: dict[str, str]  # code -> e-identifier
    procedures: set[tuple[str, int]]
    rows: dict[str, Dossier]  # the batch's dossiers, existing and new
    codes: dict[str, str]  # dossier code -> id, for the codes the batch mentions
    events: set[str]  # event ids already stored

    @classmethod
    def load(cls, session: Session, auth: CounterAuth, entries: list[UploadEntry]) -> _Batch:
        records = [e.dossier for e in entries if e.dossier is not None]
        ids = sorted({e.entity_id for e in entries} | {r.id for r in records})
        codes = sorted({r.code for r in records})
        events = sorted({e.event.id for e in entries if e.event is not None})
        return cls(
            auth=auth,
            agencies=dict(session.execute(select(Agency.code, Agency.e_identifier)).all()),
            procedures=set(session.execute(select(ProcedureRef.code, ProcedureRef.version)).all()),
            rows={r.id: r for r in session.scalars(select(Dossier).where(Dossier.id.in_(ids)))},
            codes=dict(
                session.execute(
                    select(Dossier.code, Dossier.id).where(Dossier.code.in_(codes))
                ).all()
            ),
            events=set(session.scalars(select(DossierEvent.id).where(DossierEvent.id.in_(events)))),
        )


def _check_new(batch: _Batch, record: DossierRecord) -> None:
    try:
        code = parse_code(record.code)
    except AppError as error:
        raise Rejected("dossier.code_format", error.message) from None
    if code.agency_eid != record.receiving_agency_eid or code.day != _day(record):
        raise Rejected(
            "dossier.code_mismatch",
            f"Mã hồ sơ {record.code} không khớp cơ quan tiếp nhận hoặc ngày tiếp nhận.",
        )
    if batch.agencies.get(record.receiving_agency) != record.receiving_agency_eid:
        raise Rejected("dossier.agency_unknown", "Cơ quan tiếp nhận không có trong danh mục.")
    if record.resolving_agency not in batch.agencies:
        raise Rejected("dossier.agency_unknown", "Cơ quan giải quyết không có trong danh mục.")
    if (record.procedure_code, record.procedure_version) not in batch.procedures:
        raise Rejected(
            "dossier.procedure_unknown",
            f"Thủ tục {record.procedure_code} (phiên bản {record.procedure_version}) "
            "không có trong danh mục của hệ thống trung tâm.",
        )
    if record.status != int(Status.RECEIVED) or record.row_version != 1:
        raise Rejected("dossier.not_new", "Bản ghi tiếp nhận hồ sơ không ở trạng thái ban đầu.")
    if batch.codes.get(record.code, record.id) != record.id:
        raise Rejected(
            "dossier.code_taken",
            f"Mã hồ sơ {record.code} đã được cấp cho một hồ sơ khác trên hệ thống trung tâm.",
        )


def _check_update(row: Dossier, record: DossierRecord, op: str) -> None:
    current = DossierRecord.model_validate(row.record)
    for field in _IMMUTABLE:
        if getattr(current, field) != getattr(record, field):
            raise Rejected("dossier.immutable", "Không được thay đổi mã hồ sơ và nơi tiếp nhận.")
    status = Status(row.status)
    if record.row_version != row.row_version + 1:
        raise Rejected(
            "dossier.changed_elsewhere",
            f"Hồ sơ {row.code} đã được cập nhật ở nơi khác (hiện ở trạng thái «{status.label}»); "
            "thao tác này không được áp dụng, cần thực hiện lại nếu vẫn cần.",
        )
    try:
        action = Action(op)
    except ValueError:
        raise Rejected("dossier.action_unknown", f"Thao tác «{op}» không hợp lệ.") from None
    resume = Status(current.resume_status) if current.resume_status else None
    try:
        after = next_status(status, action, resume_to=resume)
    except StateError as error:
        raise Rejected(error.code, error.message) from None
    if int(after) != record.status:
        raise Rejected(
            "lifecycle.mismatch",
            f"Trạng thái sau thao tác «{action.label}» phải là «{after.label}».",
        )


def _apply_dossier(session: Session, batch: _Batch, entry: UploadEntry, seq: int) -> EntryResult:
    """Check everything first (raising Rejected), then change rows: a rejected entry has
    written nothing."""
    auth, record = batch.auth, entry.dossier
    if entry.entity_type in CENTRAL_ONLY:
        raise Rejected(
            "entity.central_only",
            "Lịch làm việc do hệ thống trung tâm quản lý: thay đổi lịch trên máy trạm không "
            "được áp dụng và sẽ được thay bằng lịch của hệ thống trung tâm.",
        )
    if entry.entity_type != "dossier":
        session.add(
            JournalEntry(
                counter_code=auth.counter,
                key=entry.id,
                seq=entry.seq,
                entity_type=entry.entity_type,
                entity_id=entry.entity_id,
                op=entry.op,
                payload=entry.payload,
                created_at=entry.created_at.isoformat(),
                received_at=utc_now(),
            )
        )
        return EntryResult(id=entry.id, status="applied", code="journal.recorded")
    if record is None:
        raise Rejected("entry.no_record", "Thao tác hồ sơ thiếu bản ghi hồ sơ.")
    if record.id != entry.entity_id:
        raise Rejected("entry.mismatch", "Thao tác không khớp hồ sơ.")
    if not auth.may_write(record.receiving_agency, record.resolving_agency):
        raise Rejected(
            "auth.agency",
            "Quầy không được cấp quyền ghi hồ sơ của cơ quan tiếp nhận/giải quyết này.",
        )
    row = batch.rows.get(record.id)
    data = record.model_dump(mode="json")
    if row is not None and row.record == data:
        # The same state again under another key (e.g. a restored outbox): nothing to do.
        return EntryResult(
            id=entry.id, status="applied", row_version=row.row_version, change_seq=row.change_seq
        )
    if entry.op == Action.RECEIVE.value:
        if row is not None:
            raise Rejected("dossier.exists", f"Hồ sơ {row.code} đã có với nội dung khác.")
        _check_new(batch, record)
        row = Dossier(id=record.id, code=record.code)
        session.add(row)
        batch.rows[record.id] = row
        batch.codes[record.code] = record.id
    else:
        if row is None:
            raise Rejected(
                "dossier.unknown",
                "Hồ sơ chưa có trên hệ thống trung tâm (thao tác tiếp nhận chưa được chấp nhận).",
            )
        if not auth.may_write(row.receiving_agency, row.resolving_agency):
            raise Rejected("auth.agency", "Quầy không được cấp quyền ghi hồ sơ này.")
        _check_update(row, record, entry.op)
    row.receiving_agency = record.receiving_agency
    row.resolving_agency = record.resolving_agency
    row.received_day = _day(record).isoformat()
    row.status = record.status
    row.row_version = record.row_version
    row.change_seq = seq
    row.counter_code = auth.counter
    row.record = data
    row.updated_at = utc_now()
    event = entry.event
    if event is not None and event.id not in batch.events:
        batch.events.add(event.id)
        session.add(
            DossierEvent(
                id=event.id,
                dossier_id=record.id,
                at=event.at.isoformat(),
                actor=event.actor,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                reason=event.reason,
                counter_code=auth.counter,
            )
        )
    return EntryResult(
        id=entry.id, status="applied", row_version=record.row_version, change_seq=seq
    )


def _waiting(entry: UploadEntry) -> EntryResult:
    return EntryResult(
        id=entry.id,
        status="retry",
        code="sync.wait_previous",
        message="Chờ thao tác trước đó của cùng hồ sơ.",
    )


def apply_batch(
    session: Session,
    auth: CounterAuth,
    entries: list[UploadEntry],
    now: datetime,
    *,
    careful: bool = False,
) -> list[EntryResult]:
    """Apply a request's entries in order. Taking the feed positions first also serialises
    all feed writers (see models.py), so nothing else changes these rows meanwhile and every
    check can be made on the batch's own reads; the rows are written in one flush at the end.
    `careful` (the caller's fallback if that flush ever fails) flushes each entry in its own
    savepoint instead, so one bad entry cannot sink the others."""
    if not entries:
        return []
    first_seq = take_seqs(session, len(entries))
    keys = [e.id for e in entries]
    mine = AppliedEntry.counter_code == auth.counter
    stored = {
        row.key: row
        for row in session.scalars(select(AppliedEntry).where(mine, AppliedEntry.key.in_(keys)))
    }
    batch = _Batch.load(session, auth, entries)
    held: set[str] = set()  # entities with an entry to retry: their later entries must wait
    results: list[EntryResult] = []
    for offset, entry in enumerate(entries):
        previous = stored.get(entry.id)
        if previous is not None:
            results.append(_stored(previous))
            continue
        if entry.entity_id in held:
            results.append(_waiting(entry))
            continue
        try:
            if careful:
                with session.begin_nested():
                    result = _apply_dossier(session, batch, entry, first_seq + offset)
                    session.flush()
            else:
                result = _apply_dossier(session, batch, entry, first_seq + offset)
        except Rejected as refusal:
            result = EntryResult(
                id=entry.id, status="rejected", code=refusal.code, message=refusal.message
            )
        except IntegrityError:
            result = EntryResult(
                id=entry.id,
                status="rejected",
                code="dossier.code_taken",
                message="Mã hồ sơ hoặc định danh đã được dùng cho một hồ sơ khác.",
            )
        except OperationalError:
            held.add(entry.entity_id)
            result = EntryResult(
                id=entry.id,
                status="retry",
                code="server.busy",
                message="Hệ thống trung tâm đang bận, sẽ gửi lại sau.",
            )
        if result.status != "retry":
            row = AppliedEntry(
                key=entry.id,
                counter_code=auth.counter,
                entity_id=entry.entity_id,
                status=result.status,
                code=result.code,
                message=result.message,
                row_version=result.row_version,
                change_seq=result.change_seq,
                applied_at=now.isoformat(),
            )
            session.add(row)
            stored[entry.id] = row
        results.append(result)
    session.flush()
    return results


def stored_result(session: Session, auth: CounterAuth, key: str) -> EntryResult | None:
    """The recorded result of one of this counter's entries (None: unknown, or another's)."""
    row = session.get(AppliedEntry, (auth.counter, key))
    return None if row is None else _stored(row)
