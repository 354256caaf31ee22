"""Administration of the central system: load the province's catalogue and calendar, and record
status changes made on the central side (e.g. the resolving agency recorded a result).

`init_central` takes the same JSON catalogue format as the desktop (docs/CATALOGUE_FORMAT.md);
each load that changes something becomes a new catalogue version in the feed, and every agency
whose data changed gets its own feed entry. The calendar is versioned the same way.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.calendar import (
    CalendarException,
    ExceptionKind,
    WorkingCalendar,
    WorkRules,
    calendar_in_force,
    default_exceptions,
)
from app.domain.catalogue import Catalogue, parse_catalogue
from app.domain.clock import VN_TZ
from app.domain.deadlines import outcome
from app.domain.errors import NotFoundError
from app.domain.lifecycle import Action, Status, next_status
from sync.protocol import (
    AgencyRecord,
    CalendarDayRecord,
    CalendarDocument,
    DossierRecord,
    WorkRulesRecord,
)
from sync.server.db import ServerDatabase, take_seqs, utc_now
from sync.server.models import (
    Agency,
    CalendarVersion,
    CatalogueVersion,
    CounterRow,
    Dossier,
    DossierEvent,
    ProcedureRef,
)


@dataclass(frozen=True)
class InitSummary:
    catalogue_version: int
    catalogue_changed: bool
    calendar_version: int
    calendar_changed: bool
    agencies_changed: int
    counters: int
    procedures: int


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def default_calendar(years: range) -> CalendarDocument:
    """Office hours of the Vietnamese civil service and the `holidays.VN` table for `years`."""
    rules = WorkRules()
    return CalendarDocument(
        rules=[
            WorkRulesRecord(
                unit=None,
                effective_from=rules.effective_from,
                weekdays=sorted(rules.working_weekdays),
                periods=[(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in rules.periods],
                cutoff=rules.cutoff.strftime("%H:%M:%S"),
                hours_per_day=rules.hours_per_working_day,
                note="Giờ hành chính mặc định",
            )
        ],
        exceptions=[
            CalendarDayRecord(
                day=e.day,
                kind="day-off" if e.kind is ExceptionKind.DAY_OFF else "make-up",
                note=e.note,
                source=e.source,
                effective_from=e.effective_from,
            )
            for e in default_exceptions(years)
        ],
    )


def calendar_of(doc: CalendarDocument, on: date) -> WorkingCalendar:
    """The province-wide calendar of a document, in force on `on`."""
    versions = [
        WorkRules(
            effective_from=r.effective_from,
            working_weekdays=frozenset(r.weekdays),
            periods=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in r.periods),
            cutoff=time.fromisoformat(r.cutoff),
            hours_per_working_day=r.hours_per_day,
        )
        for r in doc.rules
        if r.unit is None
    ] or [WorkRules()]
    exceptions = [
        CalendarException(e.day, ExceptionKind(e.kind), e.note, e.source, e.effective_from)
        for e in doc.exceptions
    ]
    return calendar_in_force(versions, exceptions, on)


def _agency_record(catalogue: Catalogue, code: str) -> AgencyRecord:
    spec = catalogue.agency(code)
    assert spec is not None
    units = {u.id: u.code for u in catalogue.units}
    return AgencyRecord(
        code=spec.id,
        e_identifier=spec.e_identifier,
        name=spec.name,
        parent_name=spec.parent_name,
        unit=units[spec.unit],
        valid_from=spec.valid_from,
        valid_to=spec.valid_to,
        successor=spec.successor,
    )


def _store_catalogue(session: Session, text: str, catalogue: Catalogue) -> tuple[int, bool, int]:
    latest = session.scalars(
        select(CatalogueVersion).order_by(CatalogueVersion.version.desc())
    ).first()
    changed = latest is None or latest.sha256 != _sha(text)
    version = latest.version if latest else 0
    if changed:
        version += 1
        seq = take_seqs(session, 1)
        session.add(
            CatalogueVersion(
                version=version,
                sha256=_sha(text),
                document=text,
                created_at=utc_now(),
                change_seq=seq,
            )
        )
    agencies_changed = 0
    for spec in catalogue.agencies:
        record = _agency_record(catalogue, spec.id).model_dump(mode="json")
        row = session.get(Agency, spec.id)
        if row is None or row.record != record:
            seq = take_seqs(session, 1)
            if row is None:
                row = Agency(code=spec.id)
                session.add(row)
            row.e_identifier = spec.e_identifier
            row.record = record
            row.change_seq = seq
            agencies_changed += 1
    known = {(c, v) for c, v in session.execute(select(ProcedureRef.code, ProcedureRef.version))}
    for p in catalogue.procedures:
        if (p.code, p.version) not in known:
            session.add(ProcedureRef(code=p.code, version=p.version))
    for point in catalogue.receiving_points:
        for c in point.counters:
            if session.get(CounterRow, c.id) is None:
                session.add(CounterRow(code=c.id, name=c.name, receiving_point=point.id))
    return version, changed, agencies_changed


def _store_calendar(session: Session, doc: CalendarDocument) -> tuple[int, bool]:
    text = doc.model_dump_json()
    latest = session.scalars(
        select(CalendarVersion).order_by(CalendarVersion.version.desc())
    ).first()
    if latest is not None and latest.sha256 == _sha(text):
        return latest.version, False
    version = (latest.version if latest else 0) + 1
    seq = take_seqs(session, 1)
    session.add(
        CalendarVersion(
            version=version,
            sha256=_sha(text),
            document=doc.model_dump(mode="json"),
            created_at=utc_now(),
            change_seq=seq,
        )
    )
    return version, True


def init_central(
    db: ServerDatabase,
    catalogue_path: Path,
    *,
    calendar_path: Path | None = None,
    years: range | None = None,
) -> InitSummary:
    """Load (or reload) the catalogue and calendar. Re-running with the same files changes
    nothing; a changed file becomes a new version distributed by the feed."""
    text = catalogue_path.read_bytes().decode("utf-8-sig")
    catalogue = parse_catalogue(text, source=catalogue_path.name)
    if calendar_path is not None:
        calendar = CalendarDocument.model_validate(json.loads(calendar_path.read_text("utf-8")))
    else:
        this_year = datetime.now(VN_TZ).year
        calendar = default_calendar(years or range(this_year - 1, this_year + 3))
    with db.write() as session:
        version, changed, agencies = _store_catalogue(session, text, catalogue)
        calendar_version, calendar_changed = _store_calendar(session, calendar)
        counters = int(session.scalar(select(func.count()).select_from(CounterRow)) or 0)
        procedures = int(session.scalar(select(func.count()).select_from(ProcedureRef)) or 0)
    return InitSummary(
        version, changed, calendar_version, calendar_changed, agencies, counters, procedures
    )


def latest_calendar(session: Session) -> CalendarVersion | None:
    return session.scalars(select(CalendarVersion).order_by(CalendarVersion.version.desc())).first()


def record_action(
    session: Session,
    code: str,
    action: Action,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
    source: str = "central",
) -> DossierRecord:
    """A status change made on the central side (another system, the resolving agency). Checked
    against the same lifecycle; counters receive it through the feed."""
    row = session.scalars(select(Dossier).where(Dossier.code == code)).first()
    if row is None:
        raise NotFoundError("dossier.not_found", f"Không tìm thấy hồ sơ có mã «{code}».")
    record = DossierRecord.model_validate(row.record)
    before = Status(row.status)
    resume = Status(record.resume_status) if record.resume_status else None
    after = next_status(before, action, resume_to=resume)
    changes: dict[str, Any] = {
        "status": int(after),
        "updated_at": at,
        "row_version": row.row_version + 1,
    }
    if action in (Action.RECORD_RESULT, Action.REFUSE):
        version = latest_calendar(session)
        doc = CalendarDocument.model_validate(version.document) if version else None
        cal = calendar_of(doc, at.date()) if doc else WorkingCalendar(WorkRules())
        changes |= {"result_at": at, "outcome": outcome(cal, record.appointment, at).value}
    elif action is Action.TRANSFER:
        changes["transferred_at"] = at
    elif action is Action.RETURN_RESULT:
        changes["returned_at"] = at
    elif action is Action.REQUEST_SUPPLEMENT:
        changes |= {"resume_status": int(before), "paused_at": at}
    updated = record.model_copy(update=changes)
    row.record = updated.model_dump(mode="json")
    row.status = int(after)
    row.row_version = updated.row_version
    row.change_seq = take_seqs(session, 1)
    row.counter_code = source
    row.updated_at = utc_now()
    session.add(
        DossierEvent(
            id=_event_id(row.id, updated.row_version),
            dossier_id=row.id,
            at=at.isoformat(),
            actor=actor,
            action=action.value,
            from_status=int(before),
            to_status=int(after),
            reason=reason,
            counter_code=source,
        )
    )
    return updated


def _event_id(dossier_id: str, version: int) -> str:
    # Deterministic, so the same central change can never be recorded twice.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"motcua:{dossier_id}/{version}"))
