"""Translation between local rows and the sync wire records (plain dicts), for the sync port.

Local foreign keys are UUIDs each workstation made when it imported the catalogue, so on the wire
a dossier names its procedure, agencies, receiving point and counter by their stable codes; this
module maps both ways and applies the central system's reference data (catalogue, calendar,
agencies) to the local tables. It knows nothing of HTTP or of sync/ — dicts in, rows out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db.models import (
    AdministrativeUnit,
    Agency,
    CalendarExceptionRow,
    Counter,
    Dossier,
    DossierComponent,
    OutboxEntry,
    Procedure,
    ReceivingPoint,
    WorkRulesRow,
)
from app.db.sync_models import SyncState, SyncVersion
from app.domain.catalogue import parse_catalogue
from app.domain.clock import VN_TZ
from app.domain.errors import ConfigurationError
from app.services.catalogue import import_catalogue

# Wire fields copied as they are (same name and meaning on both sides).
DIRECT_FIELDS = (
    "id code procedure_code procedure_name receiving_agency_name receiving_agency_eid "
    "resolving_agency_name channel applicant_type applicant_name applicant_name_fold "
    "applicant_id_number applicant_id_kind applicant_dob applicant_sex applicant_address "
    "applicant_phone applicant_email submitter_name submitter_id_number sets delivery "
    "delivery_address duration_value duration_unit received_at clock_start appointment "
    "original_appointment warning_at status resume_status supplement_count reappoint_count "
    "paused_at transferred_at result_at returned_at outcome book_no entry_no officer backfilled "
    "created_at updated_at row_version"
).split()
# Wire fields that stand for a local foreign key.
CODE_FIELDS = (
    "procedure_version",
    "receiving_point",
    "counter",
    "receiving_agency",
    "resolving_agency",
)
RECORD_FIELDS = frozenset((*DIRECT_FIELDS, *CODE_FIELDS, "components"))


@dataclass
class Refs:
    """Code <-> local id of the reference rows, loaded lazily once per transaction."""

    session: Session
    _by_id: dict[str, dict[str, str]] = field(default_factory=dict)
    _by_code: dict[str, dict[str, str]] = field(default_factory=dict)
    _procedures: dict[str, tuple[str, int]] = field(default_factory=dict)
    _procedure_ids: dict[tuple[str, int], str] = field(default_factory=dict)

    def _load(self, kind: str) -> None:
        if kind in self._by_id:
            return
        model: Any = {"agency": Agency, "point": ReceivingPoint, "counter": Counter}[kind]
        rows = self.session.execute(select(model.id, model.code)).all()
        self._by_id[kind] = {i: c for i, c in rows}
        self._by_code[kind] = {c: i for i, c in rows}

    def code(self, kind: str, local_id: str) -> str:
        self._load(kind)
        return self._by_id[kind][local_id]

    def local_id(self, kind: str, code: str) -> str:
        self._load(kind)
        found = self._by_code[kind].get(code)
        if found is None:
            raise ConfigurationError(
                "sync.reference_missing",
                f"Danh mục trên máy trạm chưa có «{code}»; cần tải lại danh mục từ hệ thống "
                "trung tâm.",
            )
        return found

    def _load_procedures(self) -> None:
        if not self._procedures:
            for pid, code, version in self.session.execute(
                select(Procedure.id, Procedure.code, Procedure.version)
            ):
                self._procedures[pid] = (code, version)
                self._procedure_ids[(code, version)] = pid

    def procedure(self, local_id: str) -> tuple[str, int]:
        self._load_procedures()
        return self._procedures[local_id]

    def procedure_id(self, code: str, version: int) -> str:
        self._load_procedures()
        found = self._procedure_ids.get((code, version))
        if found is None:
            raise ConfigurationError(
                "sync.reference_missing",
                f"Danh mục trên máy trạm chưa có thủ tục {code} (phiên bản {version}).",
            )
        return found


def components_of(session: Session, dossier_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The received components of several dossiers, in receipt order, in one query."""
    found: dict[str, list[dict[str, Any]]] = {}
    for c in session.scalars(
        select(DossierComponent)
        .where(DossierComponent.dossier_id.in_(sorted(set(dossier_ids))))
        .order_by(DossierComponent.dossier_id, DossierComponent.round, DossierComponent.position)
    ):
        found.setdefault(c.dossier_id, []).append(
            {
                "round": c.round,
                "position": c.position,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
            }
        )
    return found


def outgoing_record(
    snapshot: dict[str, Any], refs: Refs, components: list[dict[str, Any]]
) -> dict[str, Any]:
    """The wire record of an outbox snapshot: local ids replaced by codes, and the components
    (append-only — supplement rounds — so the current list is never older than the snapshot)."""
    record = {name: snapshot.get(name) for name in DIRECT_FIELDS}
    _, version = refs.procedure(snapshot["procedure_id"])
    record["procedure_version"] = version
    record["receiving_point"] = refs.code("point", snapshot["receiving_point_id"])
    record["counter"] = refs.code("counter", snapshot["counter_id"])
    record["receiving_agency"] = refs.code("agency", snapshot["receiving_agency_id"])
    record["resolving_agency"] = refs.code("agency", snapshot["resolving_agency_id"])
    record["components"] = components
    return record


def _component_key(c: DossierComponent | dict[str, Any]) -> tuple[Any, ...]:
    if isinstance(c, dict):
        return (c["round"], c["position"], c["name"], c["originals"], c["copies"])
    return (c.round, c.position, c.name, c.originals, c.copies)


def upsert_dossier(session: Session, record: dict[str, Any], refs: Refs, next_num: int) -> bool:
    """Make the local row equal the server's record. Returns True if a row was inserted."""
    values: dict[str, Any] = {name: record[name] for name in DIRECT_FIELDS}
    values["procedure_id"] = refs.procedure_id(
        record["procedure_code"], record["procedure_version"]
    )
    values["receiving_point_id"] = refs.local_id("point", record["receiving_point"])
    values["counter_id"] = refs.local_id("counter", record["counter"])
    values["receiving_agency_id"] = refs.local_id("agency", record["receiving_agency"])
    values["resolving_agency_id"] = refs.local_id("agency", record["resolving_agency"])
    row = session.get(Dossier, record["id"])
    inserted = row is None
    if row is None:
        row = Dossier(num=next_num, **values)
        session.add(row)
    else:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    wanted = [_component_key(c) for c in record.get("components", [])]
    have = [] if inserted else [_component_key(c) for c in row.components]
    if wanted != have:
        if not inserted:
            session.execute(delete(DossierComponent).where(DossierComponent.dossier_id == row.id))
            session.expire(row, ["components"])
        session.flush()
        for r, position, name, originals, copies in wanted:
            session.add(
                DossierComponent(
                    dossier_id=row.id,
                    round=r,
                    position=position,
                    name=name,
                    originals=originals,
                    copies=copies,
                )
            )
    return inserted


def next_dossier_num(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(Dossier.num), 0))) or 0) + 1


def apply_catalogue(session: Session, document: str) -> dict[str, int]:
    """Import a catalogue version: new units, agencies, points, counters, procedure versions."""
    return import_catalogue(session, parse_catalogue(document, source="hệ thống trung tâm"))


def apply_agency(session: Session, data: dict[str, Any]) -> None:
    row = session.scalars(select(Agency).where(Agency.code == data["code"])).first()
    if row is None:
        unit = session.scalars(
            select(AdministrativeUnit).where(AdministrativeUnit.code == data["unit"])
        ).first()
        if unit is None:  # arrives with the next catalogue version
            return
        row = Agency(code=data["code"], unit_id=unit.id)
        session.add(row)
    successor = None
    if data.get("successor"):
        successor = session.scalar(select(Agency.id).where(Agency.code == data["successor"]))
    row.e_identifier = data["e_identifier"]
    row.name = data["name"]
    row.parent_name = data.get("parent_name", "")
    row.valid_from = data["valid_from"]
    row.valid_to = data.get("valid_to")
    row.successor_id = successor


def apply_calendar(session: Session, document: dict[str, Any]) -> None:
    """The central calendar is authoritative: make the local rules and exceptions equal it."""
    units = dict(session.execute(select(AdministrativeUnit.code, AdministrativeUnit.id)).all())
    keep_rules: set[tuple[str | None, date]] = set()
    for rule in document["rules"]:
        unit_id = units.get(rule["unit"]) if rule.get("unit") else None
        if rule.get("unit") and unit_id is None:
            continue
        key = (unit_id, rule["effective_from"])
        keep_rules.add(key)
        row = session.scalars(
            select(WorkRulesRow).where(
                WorkRulesRow.unit_id.is_(None)
                if unit_id is None
                else WorkRulesRow.unit_id == unit_id,
                WorkRulesRow.effective_from == rule["effective_from"],
            )
        ).first()
        if row is None:
            row = WorkRulesRow(unit_id=unit_id, effective_from=rule["effective_from"])
            session.add(row)
        row.weekdays = list(rule["weekdays"])
        row.periods = [list(p) for p in rule["periods"]]
        row.cutoff = rule["cutoff"]
        row.hours_per_day = rule["hours_per_day"]
        row.note = rule.get("note", "")
    for row in session.scalars(select(WorkRulesRow)):
        if (row.unit_id, row.effective_from) not in keep_rules:
            session.delete(row)
    days = {e["day"]: e for e in document["exceptions"]}
    existing = {r.day: r for r in session.scalars(select(CalendarExceptionRow))}
    for day, stale in existing.items():
        if day not in days:
            session.delete(stale)
    session.flush()
    for day, item in days.items():
        exception = existing.get(day)
        if exception is None:
            exception = CalendarExceptionRow(day=day)
            session.add(exception)
        exception.kind = item["kind"]
        exception.note = item["note"]
        exception.source = item.get("source", "")
        exception.effective_from = item.get("effective_from")


def plain(value: Any) -> Any:
    """Dates and datetimes as ISO text, so a record dict is JSON-ready."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def ids_with_pending_uploads(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(OutboxEntry.entity_id).where(
                OutboxEntry.state == "pending", OutboxEntry.entity_id.in_(wanted)
            )
        )
    )


def sync_state(session: Session) -> SyncState | None:
    return session.get(SyncState, 1)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A VN calendar day as [start, end) of aware datetimes (the store compares them as text)."""
    start = datetime.combine(day, time.min, VN_TZ)
    return start, start + timedelta(days=1)


class ConfirmedVersions:
    """The confirmed server versions of a set of dossiers, read in one query."""

    def __init__(self, session: Session, ids: Iterable[str]) -> None:
        wanted = sorted(set(ids))
        self.session = session
        self.rows = {
            v.dossier_id: v
            for v in session.scalars(select(SyncVersion).where(SyncVersion.dossier_id.in_(wanted)))
        }
        self.local = set(session.scalars(select(Dossier.id).where(Dossier.id.in_(wanted))))

    def seq(self, dossier_id: str) -> int:
        known = self.rows.get(dossier_id)
        return -1 if known is None else known.change_seq

    def confirm(self, dossier_id: str, version: int, seq: int) -> None:
        if dossier_id not in self.local:
            return
        known = self.rows.get(dossier_id)
        if known is None:
            self.rows[dossier_id] = SyncVersion(
                dossier_id=dossier_id, version=version, change_seq=seq
            )
            self.session.add(self.rows[dossier_id])
        elif seq > known.change_seq:  # a concurrent download may already know a newer version
            known.version, known.change_seq = version, seq

    def forget(self, dossier_id: str) -> None:
        known = self.rows.pop(dossier_id, None)
        if known is not None:
            self.session.delete(known)
