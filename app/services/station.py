"""This workstation: which counter it is, who may act, and first-time set-up with the demo data.

The demo set-up creates one account per role (`DEMO_ACCOUNTS`), all with the documented initial
password `DEMO_PASSWORD`, which must be changed at the first sign-in to the desktop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Counter, ReceivingPoint, Station, User
from app.domain.calendar import WorkRules
from app.domain.catalogue import load_catalogue_file
from app.domain.passwords import hash_password
from app.domain.permissions import Role

# Re-exported: services import them from here.
from app.services.authz import active_officer as active_officer
from app.services.authz import current_station as current_station
from app.services.calendar import rules_row, seed_default_calendar
from app.services.catalogue import import_catalogue
from app.services.context import ServiceContext
from app.services.journal import record_change

DEMO_OFFICER = "canbo"
DEMO_PASSWORD = "MotCua-2026"  # documented in README; must be changed at first sign-in
DEMO_ACCOUNTS = (
    (DEMO_OFFICER, "Cán bộ một cửa (mẫu)", Role.COUNTER_OFFICER),
    ("sohoa", "Cán bộ số hóa (mẫu)", Role.SCANNING_CLERK),
    ("giamsat", "Lãnh đạo bộ phận một cửa (mẫu)", Role.SUPERVISOR),
    ("admin", "Quản trị đơn vị (mẫu)", Role.ADMINISTRATOR),
)


@cache
def _demo_password_hash() -> str:
    # One Argon2 hash per process: the demo accounts share a published password anyway, and
    # hashing it once keeps `init-demo` (run by every test fixture) fast.
    return hash_password(DEMO_PASSWORD)


def ensure_demo_accounts(session: Session, unit_id: str | None, now: datetime) -> list[str]:
    """Create the demo accounts that are missing; give the demo password to accounts that have
    none yet (a demo data dir made before accounts existed). Returns the user names touched."""
    touched = []
    for username, full_name, role in DEMO_ACCOUNTS:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, full_name=full_name, unit_id=unit_id, role=role.value)
            user.created_at = now
            session.add(user)
        elif user.password_hash:
            continue
        user.password_hash = _demo_password_hash()
        user.must_change_password = True
        touched.append(username)
    return touched


def current_station_point(session: Session) -> ReceivingPoint:
    counter = session.get(Counter, current_station(session).counter_id)
    assert counter is not None  # foreign key
    point = session.get(ReceivingPoint, counter.receiving_point_id)
    assert point is not None
    return point


@dataclass(frozen=True)
class InitResult:
    created: bool
    counter: str
    receiving_point: str
    procedures: int
    calendar_days: int


def init_demo(ctx: ServiceContext, catalogue_path: Path) -> InitResult:
    """Load the bundled demo catalogue and calendar and make this PC counter 1 of the first
    receiving point, in standalone mode. Running it again changes nothing."""
    catalogue = load_catalogue_file(catalogue_path)
    now = ctx.clock.now()
    with ctx.db.write() as session:
        existing = session.scalars(select(Station)).first()
        if existing is not None:
            counter = session.get(Counter, existing.counter_id)
            point = current_station_point(session)
            if (
                existing.mode == "standalone"
                and not session.scalars(select(User.id).where(User.password_hash != "")).first()
            ):
                touched = ensure_demo_accounts(session, point.unit_id, now)
                record_change(
                    session,
                    at=now,
                    actor="system",
                    workstation=ctx.workstation,
                    action="demo-accounts",
                    entity_type="station",
                    entity_id=existing.id,
                    data={"accounts": touched},
                )
            return InitResult(False, counter.name if counter else "", point.name, 0, 0)
        added = import_catalogue(session, catalogue)
        session.add(rules_row(WorkRules(), note="Giờ hành chính mặc định"))
        days = seed_default_calendar(session, range(now.year - 1, now.year + 3))
        first_point = catalogue.receiving_points[0]
        point = session.scalars(
            select(ReceivingPoint).where(ReceivingPoint.code == first_point.id)
        ).one()
        counter = session.scalars(
            select(Counter).where(Counter.code == first_point.counters[0].id)
        ).one()
        accounts = ensure_demo_accounts(session, point.unit_id, now)
        station = Station(counter_id=counter.id, mode="standalone", default_officer=DEMO_OFFICER)
        session.add(station)
        session.flush()
        record_change(
            session,
            at=now,
            actor="system",
            workstation=ctx.workstation,
            action="init-demo",
            entity_type="station",
            entity_id=station.id,
            data={
                **added,
                "calendar_days": days,
                "catalogue": catalogue_path.name,
                "accounts": accounts,
            },
        )
        return InitResult(True, counter.name, point.name, added["procedures"], days)
