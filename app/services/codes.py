"""Allocation of dossier codes from leased blocks, inside the caller's transaction.

Standalone mode (no central system): this counter is the sole issuer for its agency and
leases blocks to itself. Central mode: leases arrive by sync; running out is a clear refusal,
never a guess.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import CodeLease, Station
from app.domain.codes import DossierCode, Lease, next_self_lease_block, take_next


def _leases(session: Session, agency_eid: str, day: date) -> list[CodeLease]:
    return list(
        session.scalars(
            select(CodeLease).where(CodeLease.agency_eid == agency_eid, CodeLease.day == day)
        )
    )


def allocate_code(
    session: Session, station: Station, agency_eid: str, day: date, now: datetime
) -> DossierCode:
    rows = _leases(session, agency_eid, day)
    active = [r for r in rows if r.state == "active" and r.next_seq <= r.last]
    if not active and station.mode == "standalone":
        first, last = next_self_lease_block(
            [(r.first, r.last) for r in rows], station.lease_block_size, station.code_width
        )
        lease_row = CodeLease(
            agency_eid=agency_eid,
            day=day,
            first=first,
            last=last,
            next_seq=first,
            source="self",
            leased_at=now,
        )
        session.add(lease_row)
        active = [lease_row]
    by_first = {r.first: r for r in active}
    chosen, seq = take_next(
        [Lease(r.agency_eid, r.day, r.first, r.last, r.next_seq) for r in active]
    )
    by_first[chosen.first].next_seq = seq + 1
    return DossierCode(agency_eid, day, seq, station.code_width)


def remaining_codes(session: Session, agency_eid: str, day: date) -> int:
    return sum(
        max(0, r.last - r.next_seq + 1)
        for r in _leases(session, agency_eid, day)
        if r.state == "active"
    )
