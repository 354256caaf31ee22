"""Where this counter stands with the central system, for the sync port, the badge, the CLI and
the supervisor: pending uploads, last success, the rejected list, and the digests the consistency
check compares (part of app.services.sync_port, which re-exports these names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import CodeLease, Dossier, OutboxEntry, Station
from app.db.sync_models import SyncRejection, SyncVersion
from app.services.codes import remaining_codes
from app.services.context import ServiceContext
from app.services.sync_leases import station_agency
from app.services.sync_records import day_bounds, sync_state

Digest = tuple[int, int, int]  # count, sum of server versions, sum of feed positions


@dataclass(frozen=True)
class LocalDigests:
    catalogue_version: int
    calendar_version: int
    months: dict[str, Digest]
    leases: Digest  # count, sum of first, sum of last


@dataclass(frozen=True)
class SyncStatus:
    mode: str
    server_url: str
    pending: int
    oldest_pending_at: datetime | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    rejected: int
    codes_left_today: int | None


@dataclass(frozen=True)
class RejectedUpload:
    outbox_id: str
    entity_type: str
    entity_id: str
    op: str
    dossier_code: str
    created_at: datetime
    rejected_at: datetime
    code: str
    message: str


def _digests(session: Session, month: str | None) -> dict[str, Digest]:
    key = func.substr(Dossier.received_at, 1, 10 if month else 7)
    query = (
        select(key, func.count(), func.sum(SyncVersion.version), func.sum(SyncVersion.change_seq))
        .join(Dossier, Dossier.id == SyncVersion.dossier_id)
        .group_by(key)
    )
    if month:
        query = query.where(func.substr(Dossier.received_at, 1, 7) == month)
    return {str(k): (int(c), int(v or 0), int(s or 0)) for k, c, v, s in session.execute(query)}


def local_digests(ctx: ServiceContext) -> LocalDigests:
    with ctx.db.read() as session:
        state = sync_state(session)
        leases = session.execute(
            select(func.count(), func.sum(CodeLease.first), func.sum(CodeLease.last)).where(
                CodeLease.source == "central", CodeLease.state.in_(["active", "returning"])
            )
        ).one()
        return LocalDigests(
            catalogue_version=state.catalogue_version if state else 0,
            calendar_version=state.calendar_version if state else 0,
            months=_digests(session, None),
            leases=(int(leases[0]), int(leases[1] or 0), int(leases[2] or 0)),
        )


def day_digests(ctx: ServiceContext, month: str) -> dict[str, Digest]:
    with ctx.db.read() as session:
        return _digests(session, month)


def record_attempt(ctx: ServiceContext, *, ok: bool, error: str = "") -> None:
    now = ctx.clock.now()
    with ctx.db.write() as session:
        state = sync_state(session)
        if state is None:
            return
        state.last_attempt_at = now
        state.last_error = "" if ok else error
        if ok:
            state.last_success_at = now


def pending_count(ctx: ServiceContext) -> int:
    with ctx.db.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == "pending")
            )
            or 0
        )


def sync_status(ctx: ServiceContext) -> SyncStatus:
    today = ctx.clock.now().date()
    with ctx.db.read() as session:
        state = sync_state(session)
        station = session.scalars(select(Station)).first()
        pending, oldest = session.execute(
            select(func.count(), func.min(OutboxEntry.created_at)).where(
                OutboxEntry.state == "pending"
            )
        ).one()
        rejected = session.scalar(select(func.count()).select_from(SyncRejection)) or 0
        found = station_agency(session)
        return SyncStatus(
            mode=station.mode if station else "standalone",
            server_url=state.server_url if state else "",
            pending=int(pending),
            oldest_pending_at=oldest,
            last_success_at=state.last_success_at if state else None,
            last_attempt_at=state.last_attempt_at if state else None,
            last_error=state.last_error if state else "",
            rejected=int(rejected),
            codes_left_today=remaining_codes(session, found[2], today) if found else None,
        )


def rejected_uploads(ctx: ServiceContext, limit: int = 500) -> list[RejectedUpload]:
    """The supervisor's list: uploads the central system refused, newest first."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(OutboxEntry, SyncRejection)
            .join(SyncRejection, SyncRejection.outbox_id == OutboxEntry.id)
            .order_by(SyncRejection.at.desc(), OutboxEntry.seq.desc())
            .limit(limit)
        ).all()
        codes = dict(
            session.execute(
                select(Dossier.id, Dossier.code).where(
                    Dossier.id.in_([o.entity_id for o, _ in rows])
                )
            ).all()
        )
        return [
            RejectedUpload(
                outbox_id=o.id,
                entity_type=o.entity_type,
                entity_id=o.entity_id,
                op=o.op,
                dossier_code=codes.get(o.entity_id, ""),
                created_at=o.created_at,
                rejected_at=r.at,
                code=r.code,
                message=r.message,
            )
            for o, r in rows
        ]


def pending_for_day(ctx: ServiceContext, day: date) -> int:
    """Entries created on `day` still waiting for upload ("Close the day" waits for zero)."""
    with ctx.db.read() as session:
        return count_pending_for_day(session, day)


def count_pending_for_day(session: Session, day: date) -> int:
    """`pending_for_day` in the caller's transaction (the day close checks and closes in one)."""
    start, end = day_bounds(day)
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(
                OutboxEntry.state == "pending",
                OutboxEntry.created_at >= start,
                OutboxEntry.created_at < end,
            )
        )
        or 0
    )
