"""This workstation: which counter it is, who may act, and first-time set-up with the demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Counter, ReceivingPoint, Station, User
from app.domain.calendar import WorkRules
from app.domain.catalogue import load_catalogue_file
from app.domain.errors import ConfigurationError, NotFoundError
from app.services.calendar import rules_row, seed_default_calendar
from app.services.catalogue import import_catalogue
from app.services.context import ServiceContext
from app.services.journal import record_change

DEMO_OFFICER = "canbo"


def current_station(session: Session) -> Station:
    station = session.scalars(select(Station)).first()
    if station is None:
        raise ConfigurationError(
            "station.not_initialised",
            "Máy trạm chưa được khởi tạo. Hãy chạy «motcua init-demo» (dữ liệu mẫu) "
            "hoặc đăng ký với hệ thống trung tâm.",
        )
    return station


def current_station_point(session: Session) -> ReceivingPoint:
    counter = session.get(Counter, current_station(session).counter_id)
    assert counter is not None  # foreign key
    point = session.get(ReceivingPoint, counter.receiving_point_id)
    assert point is not None
    return point


def active_officer(session: Session, station: Station, username: str | None) -> User:
    name = (username or station.default_officer).strip()
    user = session.scalars(select(User).where(User.username == name)).first()
    if user is None:
        raise NotFoundError(
            "user.not_found",
            f"Không có tài khoản cán bộ «{name}» trên máy trạm này.",
            field="officer",
        )
    if not user.active:
        raise NotFoundError(
            "user.inactive", f"Tài khoản cán bộ «{name}» đã bị khóa.", field="officer"
        )
    return user


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
        session.add(
            User(username=DEMO_OFFICER, full_name="Cán bộ một cửa (mẫu)", unit_id=point.unit_id)
        )
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
            data={**added, "calendar_days": days, "catalogue": catalogue_path.name},
        )
        return InitResult(True, counter.name, point.name, added["procedures"], days)
