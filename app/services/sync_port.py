"""The sync port: the only door between the sync engine (sync/) and the local store.

The engine plans and talks HTTP; everything it reads from or writes to the local database goes
through these functions, each one transaction, taking and returning plain values (dicts shaped
like the wire records of docs/SYNC.md, and frozen dataclasses). The rules that protect local data
live here, next to the data: a downloaded change never overwrites a dossier that still has pending
uploads; a downloaded batch and its cursor commit together; a lease is marked "returning" (so no
code is drawn from it any more) before its unused numbers are offered back to the server; the
credential is kept in the workstation key store, never in the database (`sync_credentials`).
The UI reads `sync_status`, `rejected_uploads`, `lease_capacity` and `pending_for_day`, and sets
the province's CA bundle with `save_ca_file`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.models import (
    CodeLease,
    Counter,
    Dossier,
    Event,
    OutboxEntry,
    ReceivingPoint,
    Station,
)
from app.db.sync_models import SyncRejection, SyncState, SyncVersion
from app.services.context import ServiceContext
from app.services.journal import record_change
from app.services.station import DEMO_OFFICER, ensure_demo_accounts
from app.services.sync_blobs import mark_blob_uploaded, pending_blobs, read_blob
from app.services.sync_credentials import (
    CredentialMissing,
    checked_ca_file,
    key_store_of,
    load_credential,
    put_credential,
    save_ca_file,
)
from app.services.sync_leases import (
    LeaseCapacity,
    LeaseGiveBack,
    LeaseNeed,
    confirm_claims,
    confirm_returns,
    lease_capacity,
    plan_leases,
    reconcile_leases,
    request_extra_leases,
    store_lease_row,
    store_leases,
)
from app.services.sync_records import (
    ConfirmedVersions,
    Refs,
    apply_agency,
    apply_calendar,
    apply_catalogue,
    components_of,
    day_bounds,
    ids_with_pending_uploads,
    next_dossier_num,
    outgoing_record,
    plain,
    sync_state,
    upsert_dossier,
)
from app.services.sync_status import (
    LocalDigests,
    RejectedUpload,
    SyncStatus,
    day_digests,
    local_digests,
    pending_count,
    pending_for_day,
    record_attempt,
    rejected_uploads,
    sync_status,
)

__all__ = [
    "ApplyStats",
    "CredentialMissing",
    "IncomingChange",
    "LeaseCapacity",
    "LeaseGiveBack",
    "LeaseNeed",
    "LocalDigests",
    "OutgoingEntry",
    "RejectedUpload",
    "SyncSettings",
    "SyncStatus",
    "UploadOutcome",
    "apply_changes",
    "apply_scope",
    "confirm_claims",
    "confirm_returns",
    "day_digests",
    "finish_enrolment",
    "lease_capacity",
    "local_digests",
    "mark_blob_uploaded",
    "pending_blobs",
    "pending_count",
    "pending_entries",
    "pending_for_day",
    "plan_leases",
    "read_blob",
    "reconcile_leases",
    "record_attempt",
    "record_upload_results",
    "rejected_uploads",
    "request_extra_leases",
    "save_ca_file",
    "save_enrolment",
    "store_leases",
    "sync_settings",
    "sync_status",
]

# Local calendar edits the central system refuses (its calendar is authoritative).
CENTRAL_CALENDAR = frozenset({"calendar_exception", "work_rules"})


@dataclass(frozen=True)
class SyncSettings:
    server_url: str
    credential: str  # from the workstation key store, never from the database
    counter: str
    cursor: int
    station_ready: bool
    catalogue_version: int
    calendar_version: int
    ca_file: str = ""  # PEM bundle of the province's CA; "" = the usual public roots


@dataclass(frozen=True)
class OutgoingEntry:
    id: str
    seq: int
    entity_type: str
    entity_id: str
    op: str
    created_at: datetime
    dossier: dict[str, Any] | None
    event: dict[str, Any] | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class UploadOutcome:
    id: str
    status: str  # applied | retry | rejected
    code: str = ""
    message: str = ""
    row_version: int | None = None
    change_seq: int | None = None


@dataclass(frozen=True)
class IncomingChange:
    kind: str  # dossier | lease | catalogue | calendar | agency
    seq: int
    data: dict[str, Any]


@dataclass(frozen=True)
class ApplyStats:
    applied: int = 0
    deferred: int = 0  # dossiers left alone because they have pending uploads


# ---- enrolment ----------------------------------------------------------------------------


def sync_settings(ctx: ServiceContext) -> SyncSettings | None:
    """None before enrolment. Raises `CredentialMissing` when enrolled but this workstation's
    key store lacks the credential (the supervisor enrols the counter again)."""
    with ctx.db.read() as session:
        state = sync_state(session)
        if state is None:
            return None
        legacy = bool(state.credential)  # stored by a version before migration 0006
        settings = SyncSettings(
            server_url=state.server_url,
            credential="",
            counter=state.counter_code,
            cursor=state.cursor,
            station_ready=state.station_ready,
            catalogue_version=state.catalogue_version,
            calendar_version=state.calendar_version,
            ca_file=state.ca_file,
        )
    credential = load_credential(ctx, settings.counter, legacy=legacy)
    return replace(settings, credential=credential)


def save_enrolment(
    ctx: ServiceContext,
    *,
    server_url: str,
    credential: str,
    counter: str,
    agencies: list[dict[str, str]],
    ca_file: str = "",
) -> None:
    """Remember the enrolment (the credential goes to the workstation key store, only its name
    to the database); the station switches to central mode once the catalogue that names its
    counter has been downloaded (`finish_enrolment`)."""
    now = ctx.clock.now()
    checked_ca = checked_ca_file(ca_file) if ca_file else ""
    reference = put_credential(key_store_of(ctx), credential)
    with ctx.db.write() as session:
        state = sync_state(session) or SyncState(id=1, enrolled_at=now)
        session.add(state)
        state.server_url = server_url.rstrip("/")
        state.credential = None
        state.credential_ref = reference
        state.ca_file = checked_ca
        state.counter_code = counter
        state.agencies = agencies
        state.cursor = 0  # downloads are idempotent: start over rather than trust an old cursor
        state.catalogue_version = 0
        state.calendar_version = 0
        state.station_ready = False
        state.enrolled_at = now
        state.last_error = ""


def finish_enrolment(ctx: ServiceContext) -> bool:
    """Make this station the enrolled counter in central mode. False until the catalogue with
    that counter has arrived."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        state = sync_state(session)
        if state is None:
            return False
        if state.station_ready:
            return True
        counter = session.scalars(select(Counter).where(Counter.code == state.counter_code)).first()
        if counter is None:
            return False
        point = session.get(ReceivingPoint, counter.receiving_point_id)
        assert point is not None
        station = session.scalars(select(Station)).first()
        if station is None:
            # A fresh data dir: the same first-time accounts as any new station (initial
            # password to be changed at first sign-in) until accounts come from the centre.
            ensure_demo_accounts(session, point.unit_id, now)
            station = Station(counter_id=counter.id, mode="central", default_officer=DEMO_OFFICER)
            session.add(station)
        station.counter_id = counter.id
        station.mode = "central"
        # Codes leased to itself in standalone mode could collide with the central pool: no
        # more codes from them, and the numbers already used are claimed at the next exchange.
        for lease in session.scalars(
            select(CodeLease).where(CodeLease.source == "self", CodeLease.state == "active")
        ):
            lease.state = "claiming" if lease.next_seq > lease.first else "returned"
        state.station_ready = True
        session.flush()
        record_change(
            session,
            at=now,
            actor="system",
            workstation=ctx.workstation,
            action="sync-enrol",
            entity_type="station",
            entity_id=station.id,
            data={"server": state.server_url, "counter": state.counter_code},
        )
        return True


# ---- upload -------------------------------------------------------------------------------


def pending_entries(ctx: ServiceContext, limit: int, after_seq: int = 0) -> list[OutgoingEntry]:
    """The oldest pending outbox entries after `after_seq`, in order, as wire-ready dicts."""
    with ctx.db.read() as session:
        rows = list(
            session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.state == "pending", OutboxEntry.seq > after_seq)
                .order_by(OutboxEntry.seq)
                .limit(limit)
            )
        )
        refs = Refs(session)
        event_ids = [r.payload.get("event_id") for r in rows if r.payload.get("event_id")]
        events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(event_ids)))}
        components = components_of(session, (r.entity_id for r in rows))
        out = []
        for row in rows:
            snapshot = row.payload.get("dossier")
            dossier = None
            if row.entity_type == "dossier" and isinstance(snapshot, dict):
                dossier = outgoing_record(snapshot, refs, components.get(row.entity_id, []))
            event = events.get(row.payload.get("event_id", ""))
            out.append(
                OutgoingEntry(
                    id=row.id,
                    seq=row.seq,
                    entity_type=row.entity_type,
                    entity_id=row.entity_id,
                    op=row.op,
                    created_at=row.created_at,
                    dossier=dossier,
                    event=None
                    if event is None
                    else {
                        "id": event.id,
                        "at": event.at.isoformat(),
                        "actor": event.actor,
                        "workstation": event.workstation,
                        "action": event.action,
                        "from_status": event.from_status,
                        "to_status": event.to_status,
                        "reason": event.reason,
                    },
                    payload={} if dossier is not None else plain(row.payload),
                )
            )
        return out


def record_upload_results(ctx: ServiceContext, outcomes: list[UploadOutcome]) -> None:
    now = ctx.clock.now()
    with ctx.db.write() as session:
        rows = {
            r.id: r
            for r in session.scalars(
                select(OutboxEntry).where(OutboxEntry.id.in_([o.id for o in outcomes]))
            )
        }
        versions = ConfirmedVersions(session, (r.entity_id for r in rows.values()))
        for outcome in outcomes:
            row = rows.get(outcome.id)
            if row is None or row.state != "pending":
                continue
            row.attempts += 1
            if outcome.status == "applied":
                row.state = "sent"
                row.last_error = ""
                if row.entity_type == "dossier" and outcome.row_version and outcome.change_seq:
                    versions.confirm(row.entity_id, outcome.row_version, outcome.change_seq)
            elif outcome.status == "rejected":
                row.state = "rejected"
                row.last_error = f"{outcome.code}: {outcome.message}"
                session.merge(
                    SyncRejection(
                        outbox_id=row.id, code=outcome.code, message=outcome.message, at=now
                    )
                )
                # The local row now differs from the server's: let the check re-download it.
                versions.forget(row.entity_id)
                if row.entity_type in CENTRAL_CALENDAR and (state := sync_state(session)):
                    state.calendar_version = 0  # the check then restores the central calendar
            else:
                row.last_error = f"{outcome.code}: {outcome.message}"


# ---- download -----------------------------------------------------------------------------


def _apply_dossiers(session: Session, items: list[tuple[int, dict[str, Any]]]) -> ApplyStats:
    refs = Refs(session)
    ids = [data["id"] for _, data in items]
    busy = ids_with_pending_uploads(session, ids)
    versions = ConfirmedVersions(session, ids)
    # Load the rows (and their components) in bulk so the upserts below hit the identity map.
    list(session.scalars(select(Dossier).where(Dossier.id.in_(sorted(set(ids))))))
    applied = deferred = 0
    num = next_dossier_num(session)
    for seq, data in items:
        if data["id"] in busy:
            # Never overwrite a pending local change; the consistency check catches up later.
            deferred += 1
            continue
        if versions.seq(data["id"]) >= seq:
            continue  # already have this or a newer server state
        if upsert_dossier(session, data, refs, num):
            num += 1
            versions.local.add(data["id"])
        versions.confirm(data["id"], int(data["row_version"]), seq)
        applied += 1
    return ApplyStats(applied, deferred)


def apply_changes(ctx: ServiceContext, changes: list[IncomingChange], cursor: int) -> ApplyStats:
    """Apply one downloaded batch and move the cursor, in one transaction."""
    now = ctx.clock.now()
    stats = ApplyStats()
    with ctx.db.write() as session:
        state = sync_state(session)
        assert state is not None, "apply_changes before enrolment"
        dossiers: list[tuple[int, dict[str, Any]]] = []

        def flush_dossiers() -> None:
            nonlocal stats
            if dossiers:
                done = _apply_dossiers(session, dossiers)
                stats = ApplyStats(stats.applied + done.applied, stats.deferred + done.deferred)
                dossiers.clear()

        for change in changes:
            if change.kind == "dossier":
                dossiers.append((change.seq, change.data))
                continue
            flush_dossiers()  # keep feed order across kinds (a catalogue before its dossiers)
            if change.kind == "catalogue" and change.data["version"] > state.catalogue_version:
                apply_catalogue(session, change.data["document"])
                state.catalogue_version = change.data["version"]
            elif change.kind == "calendar" and change.data["version"] > state.calendar_version:
                apply_calendar(session, change.data["document"])
                state.calendar_version = change.data["version"]
            elif change.kind == "agency":
                apply_agency(session, change.data)
            elif change.kind == "lease":
                store_lease_row(session, change.data, now)
            stats = ApplyStats(stats.applied + 1, stats.deferred)
        flush_dossiers()
        state.cursor = max(state.cursor, cursor)
    return stats


def apply_scope(
    ctx: ServiceContext,
    day: date,
    records: list[tuple[int, dict[str, Any]]],
    *,
    last_page: bool,
    seen: set[str],
) -> ApplyStats:
    """Re-download of one day: apply the server's records; after the last page, rows of that
    day the server does not have (for this counter) stop counting as confirmed."""
    with ctx.db.write() as session:
        for _seq, data in records:
            # Force the overwrite: the local confirmation is what the check found wrong.
            session.execute(delete(SyncVersion).where(SyncVersion.dossier_id == data["id"]))
        stats = _apply_dossiers(session, records)
        seen.update(data["id"] for _, data in records)
        if last_page:
            start, end = day_bounds(day)
            stale = [
                i
                for i in session.scalars(
                    select(SyncVersion.dossier_id)
                    .join(Dossier, Dossier.id == SyncVersion.dossier_id)
                    .where(Dossier.received_at >= start, Dossier.received_at < end)
                )
                if i not in seen
            ]
            if stale:
                session.execute(delete(SyncVersion).where(SyncVersion.dossier_id.in_(stale)))
        return stats
