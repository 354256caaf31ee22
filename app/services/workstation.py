"""A one-look description of this workstation for window titles and the status badge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.db.models import Counter, User
from app.services.context import ServiceContext
from app.services.station import current_station, current_station_point


@dataclass(frozen=True)
class WorkstationInfo:
    receiving_point: str
    counter: str
    officer: str
    officer_username: str
    mode: str
    mode_label: str
    today: date


def describe_workstation(ctx: ServiceContext) -> WorkstationInfo:
    with ctx.db.read() as session:
        station = current_station(session)
        counter = session.get(Counter, station.counter_id)
        # Shown even when that account is locked: the window must still open to sign in.
        officer = session.scalars(
            select(User).where(User.username == station.default_officer)
        ).first()
        point = current_station_point(session)
        label = (
            "Chế độ độc lập: dữ liệu lưu trên máy này, không đồng bộ với hệ thống trung tâm"
            if station.mode == "standalone"
            else "Đồng bộ với hệ thống trung tâm"
        )
        return WorkstationInfo(
            receiving_point=point.name,
            counter=counter.name if counter else "",
            officer=officer.full_name if officer else station.default_officer,
            officer_username=station.default_officer,
            mode=station.mode,
            mode_label=label,
            today=ctx.clock.now().date(),
        )
