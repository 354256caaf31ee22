"""The download side: the change feed, the consistency check and the per-day scope re-download.

A counter sees the dossiers whose receiving or resolving agency is one of its agencies, its own
leases, and the province's catalogue, calendar and agency data. The feed returns whatever it may
see with a feed position above the cursor, lowest first. When a page is not full, the cursor jumps
to the clock value read before the queries: every position up to it has committed (feed writers
are serialised, see models.py), so nothing visible can appear below it later.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from sync.protocol import (
    AgencyChange,
    AgencyRecord,
    CalendarChange,
    CalendarDocument,
    CatalogueChange,
    ChangesResponse,
    CheckRequest,
    CheckResponse,
    Digest,
    DossierChange,
    DossierRecord,
    LeaseChange,
    LeaseDigest,
    ScopedDossier,
    ScopeResponse,
)
from sync.server.auth import CounterAuth
from sync.server.db import committed_clock
from sync.server.leases import active_leases, record_of
from sync.server.models import Agency, CalendarVersion, CatalogueVersion, Dossier, Lease


def _visible(auth: CounterAuth) -> ColumnElement[bool]:
    agencies = sorted(auth.agencies)
    return or_(Dossier.receiving_agency.in_(agencies), Dossier.resolving_agency.in_(agencies))


def catalogue_change(row: CatalogueVersion) -> CatalogueChange:
    return CatalogueChange(
        seq=row.change_seq, version=row.version, sha256=row.sha256, document=row.document
    )


def calendar_change(row: CalendarVersion) -> CalendarChange:
    return CalendarChange(
        seq=row.change_seq,
        version=row.version,
        sha256=row.sha256,
        document=CalendarDocument.model_validate(row.document),
    )


def changes(session: Session, auth: CounterAuth, after: int, limit: int) -> ChangesResponse:
    clock = committed_clock(session)
    found: list[Any] = []
    for row in session.scalars(
        select(Dossier)
        .where(Dossier.change_seq > after, _visible(auth))
        .order_by(Dossier.change_seq)
        .limit(limit)
    ):
        found.append(
            DossierChange(seq=row.change_seq, record=DossierRecord.model_validate(row.record))
        )
    for lease in session.scalars(
        select(Lease)
        .where(Lease.counter_code == auth.counter, Lease.change_seq > after)
        .order_by(Lease.change_seq)
        .limit(limit)
    ):
        found.append(LeaseChange(seq=lease.change_seq, lease=record_of(lease)))
    for cat in session.scalars(
        select(CatalogueVersion)
        .where(CatalogueVersion.change_seq > after)
        .order_by(CatalogueVersion.change_seq)
        .limit(limit)
    ):
        found.append(catalogue_change(cat))
    for cal in session.scalars(
        select(CalendarVersion)
        .where(CalendarVersion.change_seq > after)
        .order_by(CalendarVersion.change_seq)
        .limit(limit)
    ):
        found.append(calendar_change(cal))
    for agency in session.scalars(
        select(Agency).where(Agency.change_seq > after).order_by(Agency.change_seq).limit(limit)
    ):
        found.append(
            AgencyChange(seq=agency.change_seq, agency=AgencyRecord.model_validate(agency.record))
        )
    found.sort(key=lambda change: change.seq)
    page = found[:limit]
    more = len(found) > limit or len(page) == limit
    cursor = page[-1].seq if more else max([clock, after, *(c.seq for c in page)])
    return ChangesResponse(changes=page, cursor=cursor, more=more)


def _digest(row: Any) -> Digest:
    return Digest(count=int(row[1]), sum_version=int(row[2] or 0), sum_seq=int(row[3] or 0))


def month_digests(
    session: Session, auth: CounterAuth, month: str | None = None
) -> dict[str, Digest]:
    """Per month ("2026-11"), or with `month`, per day of that month ("2026-11-23")."""
    key = Dossier.received_day if month else func.substr(Dossier.received_day, 1, 7)
    query = select(
        key, func.count(), func.sum(Dossier.row_version), func.sum(Dossier.change_seq)
    ).where(_visible(auth))
    if month:
        query = query.where(func.substr(Dossier.received_day, 1, 7) == month)
    return {str(row[0]): _digest(row) for row in session.execute(query.group_by(key))}


def lease_digest(session: Session, auth: CounterAuth) -> LeaseDigest:
    leases = active_leases(session, auth)
    return LeaseDigest(
        count=len(leases),
        sum_first=sum(x.first for x in leases),
        sum_last=sum(x.last for x in leases),
    )


def check(session: Session, auth: CounterAuth, request: CheckRequest) -> CheckResponse:
    catalogue = session.scalar(select(func.max(CatalogueVersion.version))) or 0
    calendar = session.scalar(select(func.max(CalendarVersion.version))) or 0
    server = month_digests(session, auth)
    empty = Digest()
    mismatched = {
        month: month_digests(session, auth, month)
        for month in sorted(set(server) | set(request.months))
        if server.get(month, empty) != request.months.get(month, empty)
    }
    return CheckResponse(
        catalogue_ok=request.catalogue_version == catalogue,
        calendar_ok=request.calendar_version == calendar,
        leases_ok=lease_digest(session, auth) == request.leases,
        mismatched=mismatched,
    )


def scope(session: Session, auth: CounterAuth, day: str, after: str, limit: int) -> ScopeResponse:
    """Every visible dossier received on `day`, by id, for a silent re-download of that day."""
    rows = list(
        session.scalars(
            select(Dossier)
            .where(Dossier.received_day == day, Dossier.id > after, _visible(auth))
            .order_by(Dossier.id)
            .limit(limit + 1)
        )
    )
    return ScopeResponse(
        records=[
            ScopedDossier(seq=r.change_seq, record=DossierRecord.model_validate(r.record))
            for r in rows[:limit]
        ],
        more=len(rows) > limit,
    )
