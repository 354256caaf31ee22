"""Procedure catalogue: import from the JSON format, list and search, the version in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import (
    AdministrativeUnit,
    Agency,
    Counter,
    FeeItem,
    Procedure,
    ProcedureComponent,
    ReceivingPoint,
)
from app.domain.catalogue import Catalogue
from app.domain.durations import Duration, DurationUnit
from app.domain.errors import NotFoundError
from app.domain.text import fold, fold_tokens
from app.services.context import ServiceContext
from app.services.views import ComponentView, DurationView, FeeView, ProcedureView


def import_catalogue(session: Session, catalogue: Catalogue) -> dict[str, int]:
    """Insert what is new; existing units/agencies/points keep their ids, procedure versions are
    immutable (a changed procedure is a new version). Returns counts of rows added."""
    added = {"units": 0, "agencies": 0, "receiving_points": 0, "counters": 0, "procedures": 0}
    units = {u.code: u for u in session.scalars(select(AdministrativeUnit))}
    for spec in catalogue.units:
        if spec.id not in units:
            units[spec.id] = AdministrativeUnit(
                code=spec.id,
                name=spec.name,
                level=spec.level,
                valid_from=spec.valid_from,
                valid_to=spec.valid_to,
            )
            session.add(units[spec.id])
            added["units"] += 1
    session.flush()
    for spec in catalogue.units:
        units[spec.id].parent_id = units[spec.parent].id if spec.parent else None
        units[spec.id].successor_id = units[spec.successor].id if spec.successor else None

    agencies = {a.code: a for a in session.scalars(select(Agency))}
    for a in catalogue.agencies:
        if a.id not in agencies:
            agencies[a.id] = Agency(
                code=a.id,
                e_identifier=a.e_identifier,
                name=a.name,
                parent_name=a.parent_name,
                unit_id=units[a.unit].id,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                illustrative=getattr(a, "illustrative", False),
            )
            session.add(agencies[a.id])
            added["agencies"] += 1
    session.flush()
    for a in catalogue.agencies:
        agencies[a.id].successor_id = agencies[a.successor].id if a.successor else None

    points = {p.code: p for p in session.scalars(select(ReceivingPoint))}
    counters = {c.code for c in session.scalars(select(Counter))}
    for rp in catalogue.receiving_points:
        if rp.id not in points:
            points[rp.id] = ReceivingPoint(
                code=rp.id,
                name=rp.name,
                agency_id=agencies[rp.agency].id,
                unit_id=units[rp.unit].id,
                place=rp.place,
            )
            session.add(points[rp.id])
            added["receiving_points"] += 1
        session.flush()
        for c in rp.counters:
            if c.id not in counters:
                session.add(Counter(code=c.id, name=c.name, receiving_point_id=points[rp.id].id))
                counters.add(c.id)
                added["counters"] += 1

    existing = {(c, v) for c, v in session.execute(select(Procedure.code, Procedure.version))}
    for p in catalogue.procedures:
        if (p.code, p.version) in existing:
            continue
        row = Procedure(
            code=p.code,
            version=p.version,
            effective_from=p.effective_from,
            name=p.name,
            search_fold=fold(f"{p.code} {p.name} {p.field}"),
            field=p.field,
            level=p.level,
            resolving_agency_id=agencies[p.resolving_agency].id,
            receiving_agencies=list(p.receiving_agencies),
            duration_value=p.duration.value,
            duration_unit=p.duration.unit.value,
            result=p.result,
            result_delivery=list(p.result_delivery),
            channels=list(p.channels),
            illustrative=p.illustrative,
        )
        row.components = [
            ProcedureComponent(
                position=i,
                name=c.name,
                originals=c.originals,
                copies=c.copies,
                must_digitise=c.must_digitise,
                note=c.note,
            )
            for i, c in enumerate(p.components, start=1)
        ]
        row.fees = [
            FeeItem(
                position=i,
                code=f.code,
                name=f.name,
                kind=f.kind,
                amount=f.amount,
                unit=f.unit,
                tiers=[{"up_to": t.up_to, "amount": t.amount} for t in f.tiers],
                cap=f.cap,
                note=f.note,
                illustrative=f.illustrative,
            )
            for i, f in enumerate(p.fees, start=1)
        ]
        session.add(row)
        added["procedures"] += 1
    session.flush()
    return added


def duration_view(value: int, unit: str) -> DurationView:
    duration = Duration(value, DurationUnit(unit))
    return DurationView(duration.value, duration.unit.value, duration.describe())


def procedure_view(session: Session, row: Procedure) -> ProcedureView:
    agency = session.get(Agency, row.resolving_agency_id)
    return ProcedureView(
        id=row.id,
        code=row.code,
        version=row.version,
        name=row.name,
        field=row.field,
        level=row.level,
        resolving_agency=agency.name if agency else "",
        duration=duration_view(row.duration_value, row.duration_unit),
        result=row.result,
        result_delivery=tuple(row.result_delivery),
        components=tuple(
            ComponentView(c.id, c.position, c.name, c.originals, c.copies, c.must_digitise)
            for c in row.components
        ),
        fees=tuple(
            FeeView(f.code, f.name, f.kind, f.amount, f.unit, f.cap, f.note, f.illustrative)
            for f in row.fees
        ),
    )


def _current_versions(session: Session, on: date) -> list[Procedure]:
    rows = session.scalars(
        select(Procedure).where(Procedure.effective_from <= on).order_by(Procedure.code)
    )
    latest: dict[str, Procedure] = {}
    for row in rows:
        if row.code not in latest or row.version > latest[row.code].version:
            latest[row.code] = row
    return list(latest.values())


def list_procedures(ctx: ServiceContext, search: str = "") -> list[ProcedureView]:
    """Procedures in force today, filtered by every folded word of `search` (no diacritics needed).

    The catalogue holds hundreds of rows, not millions: filtering in Python keeps matching
    identical to the UI's instant search.
    """
    tokens = fold_tokens(search)
    today = ctx.clock.now().date()
    with ctx.db.read() as session:
        rows = [
            r for r in _current_versions(session, today) if all(t in r.search_fold for t in tokens)
        ]
        return [procedure_view(session, r) for r in sorted(rows, key=lambda r: r.name)]


def resolve_procedure(session: Session, ref: str, on: date) -> Procedure:
    """A procedure by id or TTHC code, in the version in force on `on`."""
    row = session.get(Procedure, ref)
    code = row.code if row else ref.strip()
    candidates = session.scalars(
        select(Procedure)
        .where(Procedure.code == code, Procedure.effective_from <= on)
        .order_by(Procedure.version.desc())
    ).first()
    if candidates is None:
        raise NotFoundError(
            "procedure.not_found",
            f"Không tìm thấy thủ tục hành chính «{ref}» trong danh mục đang áp dụng.",
            field="procedure",
        )
    return candidates


def get_procedure(ctx: ServiceContext, ref: str) -> ProcedureView:
    with ctx.db.read() as session:
        return procedure_view(session, resolve_procedure(session, ref, ctx.clock.now().date()))
