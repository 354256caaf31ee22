"""Dossier-code leases on this counter, for the sync port: what to ask the central system for,
what to give back, and how many codes are left (part of app.services.sync_port, which re-exports
these names; the engine never imports this module directly).

A lease to give back is first marked "returning" in its own transaction, so that no code can be
drawn from it any more; only then are its unused numbers offered to the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Agency, CodeLease, Counter, ReceivingPoint, Station
from app.domain.errors import ValidationError
from app.services.calendar import load_calendar
from app.services.codes import remaining_codes
from app.services.context import ServiceContext

# Leases of the last few days are kept for back-filling paper dossiers of an outage; older
# unused numbers go back to the pool. A lease asked for explicitly for an older day (back-filling
# a long outage) is kept as long after it was *granted*, or the next automatic sync would hand it
# back before the officer has entered the paper dossiers.
KEEP_PAST_LEASE_DAYS = 2
# Claims of standalone numbers: the server accepts lease days from 60 days back, blocks of ≤ 1000.
CLAIM_PAST_DAYS = 60
MAX_CLAIM = 1000


@dataclass(frozen=True)
class LeaseNeed:
    agency_eid: str
    day: date
    count: int
    first: int | None = None  # a claim of numbers used before enrolment (standalone mode)
    claim_of: str | None = None  # the local self-lease the claim comes from


@dataclass(frozen=True)
class LeaseGiveBack:
    lease_id: str
    first_unused: int


@dataclass(frozen=True)
class LeaseCapacity:
    agency_eid: str
    day: date
    remaining: int


def store_lease_row(session: Session, data: dict[str, Any], now: datetime) -> None:
    row = session.get(CodeLease, data["id"])
    if row is None:
        if data["state"] != "active":
            return
        session.add(
            CodeLease(
                id=data["id"],
                agency_eid=data["agency_eid"],
                day=data["day"],
                first=data["first"],
                last=data["last"],
                next_seq=data["first"],
                source="central",
                state="active",
                leased_at=now,
            )
        )
    elif data["state"] == "returned" and row.state != "returned":
        row.state = "returned"  # the server has it back: never draw from it again


def station_agency(session: Session) -> tuple[Station, ReceivingPoint, str] | None:
    station = session.scalars(select(Station)).first()
    if station is None or station.mode != "central":
        return None
    counter = session.get(Counter, station.counter_id)
    assert counter is not None
    point = session.get(ReceivingPoint, counter.receiving_point_id)
    assert point is not None
    agency = session.get(Agency, point.agency_id)
    assert agency is not None
    return station, point, agency.e_identifier


def plan_leases(
    ctx: ServiceContext, *, days_ahead: int = 2
) -> tuple[list[LeaseNeed], list[LeaseGiveBack]]:
    """What to ask for (today, and the next `days_ahead` working days,
    topped up below half a block) and what to give back (leases of past days). Leases to give
    back are marked "returning" here, before anything is sent: no code is drawn from them."""
    today = ctx.clock.now().date()
    with ctx.db.write() as session:
        found = station_agency(session)
        if found is None:
            return [], []
        station, point, eid = found
        calendar = load_calendar(session, point.unit_id, today)
        # Today always (a centre may open on a weekend or a day off), then working days ahead.
        days = [today]
        while len(days) <= days_ahead:
            days.append(calendar.next_working_day(days[-1]))
        block = station.lease_block_size
        needs = [
            LeaseNeed(eid, d, block)
            for d in days
            if remaining_codes(session, eid, d) < max(1, block // 2)
        ]
        cutoff = today - timedelta(days=KEEP_PAST_LEASE_DAYS)
        granted_before = ctx.clock.now() - timedelta(days=KEEP_PAST_LEASE_DAYS)
        for lease in session.scalars(
            select(CodeLease).where(
                CodeLease.source == "central",
                CodeLease.state == "active",
                CodeLease.day < cutoff,
                CodeLease.leased_at < granted_before,
            )
        ):
            lease.state = "returning"
        returns = [
            LeaseGiveBack(lease.id, lease.next_seq)
            for lease in session.scalars(select(CodeLease).where(CodeLease.state == "returning"))
        ]
        # Numbers this station issued to itself before enrolment: the server must know them.
        claims = [
            LeaseNeed(lease.agency_eid, lease.day, count, first=lease.first, claim_of=lease.id)
            for lease in session.scalars(select(CodeLease).where(CodeLease.state == "claiming"))
            if (count := min(lease.next_seq - lease.first, MAX_CLAIM)) > 0
            and today - timedelta(days=CLAIM_PAST_DAYS) <= lease.day
        ]
        return claims + needs, returns


def confirm_claims(ctx: ServiceContext, lease_ids: list[str]) -> None:
    """The server has answered the claims (recorded, or refused because taken): done either way."""
    with ctx.db.write() as session:
        for lease in session.scalars(select(CodeLease).where(CodeLease.id.in_(lease_ids))):
            if lease.state == "claiming":
                lease.state = "returned"


def request_extra_leases(ctx: ServiceContext, day: date, count: int) -> list[LeaseNeed]:
    """An explicit need (e.g. back-filling an outage day, a benchmark preparing a week); the
    engine sends it with the next sync (`SyncOptions.extra_leases`). Empty before the station is
    a central counter."""
    if count < 1:
        raise ValidationError(
            "sync.extra_leases", "Số mã hồ sơ xin thêm phải lớn hơn 0.", field="extra_leases"
        )
    with ctx.db.read() as session:
        found = station_agency(session)
        return [] if found is None else [LeaseNeed(found[2], day, count)]


def store_leases(ctx: ServiceContext, leases: list[dict[str, Any]]) -> None:
    now = ctx.clock.now()
    with ctx.db.write() as session:
        for data in leases:
            store_lease_row(session, data, now)


def confirm_returns(ctx: ServiceContext, lease_ids: list[str]) -> None:
    with ctx.db.write() as session:
        for lease_id in lease_ids:
            row = session.get(CodeLease, lease_id)
            if row is not None and row.state == "returning":
                row.state = "returned"


def reconcile_leases(ctx: ServiceContext, server_active: list[dict[str, Any]]) -> None:
    """After a lease mismatch: take the server's active leases as the truth."""
    now = ctx.clock.now()
    active_ids = {d["id"] for d in server_active}
    with ctx.db.write() as session:
        for data in server_active:
            store_lease_row(session, data, now)
        for row in session.scalars(
            select(CodeLease).where(
                CodeLease.source == "central", CodeLease.state.in_(["active", "returning"])
            )
        ):
            if row.id not in active_ids:
                row.state = "returned"


def lease_capacity(ctx: ServiceContext, days: int = 3) -> list[LeaseCapacity]:
    """Codes this counter can still issue offline, per day (for the badge and the supervisor):
    today and the next `days - 1` calendar days, plus any other day it holds codes for (extra
    leases for back-filling an older day, or prepared ahead), in day order."""
    today = ctx.clock.now().date()
    with ctx.db.read() as session:
        found = station_agency(session)
        if found is None:
            return []
        eid = found[2]
        window = {today + timedelta(days=i) for i in range(days)}
        held = set(
            session.scalars(
                select(CodeLease.day).where(
                    CodeLease.agency_eid == eid,
                    CodeLease.state == "active",
                    CodeLease.next_seq <= CodeLease.last,
                )
            )
        )
        return [
            LeaseCapacity(eid, d, remaining_codes(session, eid, d)) for d in sorted(window | held)
        ]
