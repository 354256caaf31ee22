"""Dossier-code leases: blocks of sequence numbers per agency per day, handed to counters.

Numbers of one (agency, day) are handed out as non-overlapping blocks: a new block starts after
the highest number ever leased, unless a returned range waits in the pool, which is reused first.
Every lease write takes a feed position first (sync.server.db.take_seqs), which serialises all
lease writers across server processes, so two counters can never be given the same number. A
repeated request (same request_id) gets the same block back; a return is idempotent too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.codes import max_sequence
from sync.protocol import LeaseRecord, LeaseRefusal, LeaseRequest, LeaseReturn
from sync.server.auth import CounterAuth
from sync.server.db import take_seqs
from sync.server.models import Lease

# How far from today a counter may lease: back-filling a past outage, and the coming days.
PAST_DAYS = 60
FUTURE_DAYS = 31
CODE_WIDTH = 4  # the province's dossier-code sequence width (DOMAIN §3)


def record_of(row: Lease) -> LeaseRecord:
    return LeaseRecord(
        id=row.id,
        agency_eid=row.agency_eid,
        day=date.fromisoformat(row.day),
        first=row.first,
        last=row.last,
        state="active" if row.state == "active" else "returned",
    )


def _refusal(request: LeaseRequest, code: str, message: str) -> LeaseRefusal:
    return LeaseRefusal(request_id=request.request_id, code=code, message=message)


def grant(
    session: Session, auth: CounterAuth, request: LeaseRequest, now: datetime
) -> LeaseRecord | LeaseRefusal:
    existing = session.scalars(select(Lease).where(Lease.request_id == request.request_id)).first()
    if existing is not None:
        if existing.counter_code != auth.counter:
            return _refusal(request, "lease.request_foreign", "Mã yêu cầu dải số không hợp lệ.")
        return record_of(existing)
    if request.agency_eid not in auth.eids:
        return _refusal(
            request,
            "auth.agency",
            f"Quầy không được cấp dải số mã hồ sơ của cơ quan {request.agency_eid}.",
        )
    today = now.date()
    if not today - timedelta(days=PAST_DAYS) <= request.day <= today + timedelta(days=FUTURE_DAYS):
        return _refusal(
            request, "lease.day_range", "Ngày xin cấp dải số nằm ngoài phạm vi cho phép."
        )
    seq = take_seqs(session, 1)  # also the lock that serialises lease writers
    day = request.day.isoformat()
    if request.first is not None:
        return _claim(session, auth, request, seq, now)
    pool = session.scalars(
        select(Lease)
        .where(Lease.agency_eid == request.agency_eid, Lease.day == day, Lease.state == "free")
        .order_by(Lease.first)
    ).first()
    if pool is not None:
        first = pool.first
        last = min(pool.last, first + request.count - 1)
        if last == pool.last:
            session.delete(pool)
        else:
            pool.first = last + 1
    else:
        top = session.scalar(
            select(func.max(Lease.last)).where(
                Lease.agency_eid == request.agency_eid, Lease.day == day
            )
        )
        # A returned lease keeps its original end in the pool row, so `top` covers every number
        # ever handed out for the day.
        first = int(top or 0) + 1
        ceiling = max_sequence(CODE_WIDTH)
        if first > ceiling:
            return _refusal(
                request,
                "lease.day_exhausted",
                f"Đã cấp hết {ceiling} số mã hồ sơ của cơ quan trong ngày {request.day:%d/%m/%Y}.",
            )
        last = min(first + request.count - 1, ceiling)
    row = Lease(
        id=str(uuid.uuid4()),
        request_id=request.request_id,
        agency_eid=request.agency_eid,
        day=day,
        first=first,
        last=last,
        counter_code=auth.counter,
        state="active",
        change_seq=seq,
        created_at=now.isoformat(),
    )
    session.add(row)
    session.flush()
    return record_of(row)


def _claim(
    session: Session, auth: CounterAuth, request: LeaseRequest, seq: int, now: datetime
) -> LeaseRecord | LeaseRefusal:
    assert request.first is not None
    first, last, day = request.first, request.first + request.count - 1, request.day.isoformat()
    taken = session.scalar(
        select(Lease.id)
        .where(
            Lease.agency_eid == request.agency_eid,
            Lease.day == day,
            Lease.first <= last,
            Lease.last >= first,
        )
        .limit(1)
    )
    if taken is not None:
        return _refusal(
            request,
            "lease.claim_conflict",
            f"Số {first}–{last} ngày {request.day:%d/%m/%Y} đã được cấp cho quầy khác; "
            "hồ sơ mang các số này sẽ bị từ chối khi đồng bộ.",
        )
    row = Lease(
        id=str(uuid.uuid4()),
        request_id=request.request_id,
        agency_eid=request.agency_eid,
        day=day,
        first=first,
        last=last,
        counter_code=auth.counter,
        state="returned",  # used up already: never handed out, nothing to return
        change_seq=seq,
        created_at=now.isoformat(),
    )
    session.add(row)
    session.flush()
    return record_of(row)


def give_back(session: Session, auth: CounterAuth, ret: LeaseReturn, now: datetime) -> bool:
    """Record that the counter stopped using numbers first_unused..last; they join the pool.
    Returns False if the lease is not this counter's."""
    lease = session.get(Lease, ret.lease_id)
    if lease is None or lease.counter_code != auth.counter:
        return False
    if lease.state == "returned":
        return True
    seq = take_seqs(session, 1)
    first_unused = max(ret.first_unused, lease.first)
    if first_unused <= lease.last:
        session.add(
            Lease(
                id=str(uuid.uuid4()),
                agency_eid=lease.agency_eid,
                day=lease.day,
                first=first_unused,
                last=lease.last,
                counter_code=None,
                state="free",
                change_seq=seq,
                created_at=now.isoformat(),
            )
        )
        lease.last = first_unused - 1
    lease.state = "returned"
    lease.change_seq = seq
    return True


def active_leases(session: Session, auth: CounterAuth) -> list[LeaseRecord]:
    rows = session.scalars(
        select(Lease)
        .where(Lease.counter_code == auth.counter, Lease.state == "active")
        .order_by(Lease.day, Lease.agency_eid, Lease.first)
    )
    return [record_of(r) for r in rows]
