"""Read side: a dossier with its history, look-up (code, ID number, name), logbook, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.db.models import Dossier, Event, ReceivingPoint
from app.domain.clock import VN_TZ
from app.domain.codes import looks_like_code
from app.domain.deadlines import WarningLevel, warning_level
from app.domain.errors import NotFoundError, ValidationError
from app.domain.forms import print_action_label
from app.domain.lifecycle import CLOCK_RUNNING, Action, Status
from app.domain.permissions import Permission
from app.domain.text import fold_tokens
from app.services.audit import record_read
from app.services.authz import require
from app.services.catalogue import duration_view
from app.services.context import ServiceContext
from app.services.station import current_station_point
from app.services.views import (
    ApplicantView,
    DossierSummary,
    DossierView,
    EventView,
    LogbookEntry,
    LogbookPage,
    ReceivedComponentView,
)

LOOKUP_LIMIT = 50


def level_of(d: Any, now: datetime) -> str | None:
    """Deadline colour of a dossier row (ORM or column tuple) while its clock runs, else None."""
    if Status(d.status) not in CLOCK_RUNNING:
        return None
    level: WarningLevel = warning_level(d.appointment, d.warning_at, now)
    return level.value


# History lines for events that are not lifecycle steps nor prints.
OTHER_ACTION_LABELS = {
    "digitise": "Số hóa thành phần hồ sơ",
    "sign-digitised": "Ký số bản số hóa",
    "fee-payment": "Thu phí, lệ phí",
    "fee-payment-confirm": "Xác nhận đã nhận tiền chuyển khoản",
    "fee-payment-cancel": "Hủy khoản chờ thanh toán",
    "fee-receipt-issue": "Lập biên lai thu phí, lệ phí",
    "fee-receipt-cancel": "Hủy biên lai",
    "fee-refund": "Hoàn trả phí, lệ phí",
    # papers that are not dossier forms (services.documents.record_document_print)
    "print-fee-receipt": "In biên lai thu phí, lệ phí",
    "print-vietqr-slip": "In phiếu thanh toán VietQR",
    "print-cash-session-report": "In báo cáo ca thu tiền",
    "print-fee-report": "In báo cáo thu phí, lệ phí trong ngày",
}


def _action_label(action: str) -> str:
    try:
        return Action(action).label
    except ValueError:
        # Prints of the dossier's forms are events too («In lại mẫu 01 – …»).
        return print_action_label(action) or OTHER_ACTION_LABELS.get(action, action)


def dossier_view(session: Session, d: Dossier, now: datetime) -> DossierView:
    events = session.scalars(select(Event).where(Event.dossier_id == d.id).order_by(Event.seq))
    point = session.get(ReceivingPoint, d.receiving_point_id)
    return DossierView(
        id=d.id,
        code=d.code,
        status=d.status,
        status_label=Status(d.status).label,
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        receiving_agency=d.receiving_agency_name,
        resolving_agency=d.resolving_agency_name,
        receiving_point=point.name if point else "",
        channel=d.channel,
        applicant=ApplicantView(
            name=d.applicant_name,
            id_number=d.applicant_id_number,
            id_kind=d.applicant_id_kind,
            date_of_birth=d.applicant_dob,
            sex=d.applicant_sex,
            address=d.applicant_address,
            phone=d.applicant_phone,
            email=d.applicant_email,
        ),
        sets=d.sets,
        delivery=d.delivery,
        delivery_address=d.delivery_address,
        duration=duration_view(d.duration_value, d.duration_unit),
        received_at=d.received_at,
        clock_start=d.clock_start,
        appointment=d.appointment,
        original_appointment=d.original_appointment,
        warning_at=d.warning_at,
        warning_level=level_of(d, now),
        supplement_count=d.supplement_count,
        reappoint_count=d.reappoint_count,
        result_at=d.result_at,
        returned_at=d.returned_at,
        outcome=d.outcome,
        book_no=d.book_no,
        entry_no=d.entry_no,
        officer=d.officer,
        components=tuple(
            ReceivedComponentView(c.round, c.position, c.name, c.originals, c.copies)
            for c in d.components
        ),
        events=tuple(
            EventView(
                e.seq,
                e.at,
                e.actor,
                e.action,
                _action_label(e.action),
                e.from_status,
                e.to_status,
                e.reason,
            )
            for e in events
        ),
    )


def find_by_code(session: Session, code: str) -> Dossier:
    d = session.scalars(select(Dossier).where(Dossier.code == code.strip().upper())).first()
    if d is None:
        raise NotFoundError(
            "dossier.not_found", f"Không tìm thấy hồ sơ có mã «{code.strip()}».", field="code"
        )
    return d


def show_dossier(
    ctx: ServiceContext, code: str, *, officer: str | None = None, reason: str = ""
) -> DossierView:
    """A dossier with the applicant's personal data: a sensitive read, so it needs the role to
    see personal data and leaves an audit entry (who, when, which workstation, why)."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.VIEW_PERSONAL_DATA, now)
        dossier = find_by_code(session, code)
        record_read(
            session,
            ctx,
            user,
            "view-dossier",
            entity_type="dossier",
            entity_id=dossier.id,
            reason=reason,
            data={"code": dossier.code},
        )
        return dossier_view(session, dossier, now)


_SUMMARY_COLUMNS = (
    Dossier.id,
    Dossier.code,
    Dossier.status,
    Dossier.applicant_name,
    Dossier.applicant_id_number,
    Dossier.procedure_name,
    Dossier.received_at,
    Dossier.appointment,
    Dossier.warning_at,
    Dossier.num,
)


def _summary(row: Any, now: datetime) -> DossierSummary:
    return DossierSummary(
        id=row.id,
        code=row.code,
        status=row.status,
        status_label=Status(row.status).label,
        applicant_name=row.applicant_name,
        applicant_id_number=row.applicant_id_number,
        procedure_name=row.procedure_name,
        received_at=row.received_at,
        appointment=row.appointment,
        warning_level=level_of(row, now),
    )


def name_match_expression(query: str) -> str | None:
    """FTS5 query for a typed name fragment: whole words, and the last word as a prefix (the one
    still being typed). Exact terms are read lazily from the index, so common words such as
    "van" or "thi" stay cheap even over a million rows."""
    tokens = fold_tokens(query)
    if not tokens:
        return None
    *whole, last = tokens
    return " ".join([*(f'"{t}"' for t in whole), f'"{last}"*'])


def lookup(ctx: ServiceContext, query: str, limit: int = LOOKUP_LIMIT) -> list[DossierSummary]:
    """One box for everything: a dossier code, an ID number, or words of the applicant's name
    (without diacritics). Each path uses an index: the code's unique index, the ID number's
    index, or the FTS5 table over the folded name (newest first)."""
    raw = query.strip()
    if not raw:
        raise ValidationError("lookup.empty", "Nhập mã hồ sơ, số giấy tờ hoặc tên để tra cứu.")
    now = ctx.clock.now()
    newest_first: tuple[Any, ...] = (Dossier.received_at.desc(), Dossier.num.desc())
    with ctx.db.read() as session:
        if looks_like_code(raw):
            condition = Dossier.code == raw.upper()
        elif raw.isdigit():
            condition = Dossier.applicant_id_number == raw
        else:
            match = name_match_expression(raw)
            if match is None:
                return []
            nums = session.execute(
                text(
                    "SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH :m "
                    "ORDER BY rowid DESC LIMIT :n"
                ),
                {"m": match, "n": limit},
            ).scalars()
            condition = Dossier.num.in_(list(nums))
            newest_first = (Dossier.num.desc(),)
        rows = session.execute(
            select(*_SUMMARY_COLUMNS).where(condition).order_by(*newest_first).limit(limit)
        )
        return [_summary(row, now) for row in rows]


def _day_bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day_from, time.min, VN_TZ)
    end = datetime.combine(day_to + timedelta(days=1), time.min, VN_TZ)
    return start, end


def logbook(
    ctx: ServiceContext,
    day_from: date,
    day_to: date | None = None,
    receiving_point_id: str | None = None,
) -> LogbookPage:
    """Dossiers received at a receiving point over a date range, in reception order."""
    day_to = day_to or day_from
    if day_to < day_from:
        raise ValidationError("logbook.range", "Ngày kết thúc phải sau ngày bắt đầu.")
    start, end = _day_bounds(day_from, day_to)
    with ctx.db.read() as session:
        if receiving_point_id is None:
            point = current_station_point(session)
        else:
            found = session.get(ReceivingPoint, receiving_point_id)
            if found is None:
                raise NotFoundError("unit.not_found", "Không tìm thấy đơn vị tiếp nhận.")
            point = found
        rows = session.scalars(
            select(Dossier)
            .where(
                Dossier.receiving_point_id == point.id,
                Dossier.received_at >= start,
                Dossier.received_at < end,
            )
            .order_by(Dossier.received_at, Dossier.num)
        )
        entries = tuple(
            LogbookEntry(
                entry_no=d.entry_no,
                book_no=d.book_no,
                code=d.code,
                procedure_name=d.procedure_name,
                sets=d.sets,
                submitter=d.submitter_name or d.applicant_name,
                address_phone=", ".join(x for x in (d.applicant_address, d.applicant_phone) if x),
                resolving_agency=d.resolving_agency_name,
                received_at=d.received_at,
                appointment=d.appointment,
                transferred_at=d.transferred_at,
                result_at=d.result_at,
                returned_at=d.returned_at,
                status=d.status,
                note=Status(d.status).label,
            )
            for d in rows
        )
        return LogbookPage(day_from, day_to, point.name, entries)


def overdue(ctx: ServiceContext, *, include_amber: bool = True) -> list[DossierSummary]:
    """Dossiers whose clock runs and whose warning time (amber) or appointment (red) has passed."""
    now = ctx.clock.now()
    with ctx.db.read() as session:
        column = Dossier.warning_at if include_amber else Dossier.appointment
        rows = session.scalars(
            select(Dossier)
            .where(Dossier.status.in_([int(s) for s in CLOCK_RUNNING]), column <= now)
            .order_by(Dossier.appointment)
        )
        return [_summary(d, now) for d in rows]


@dataclass(frozen=True)
class OfficerDayCount:
    day: date
    officer: str
    received: int


def counts_per_officer(
    ctx: ServiceContext, day_from: date, day_to: date | None = None
) -> list[OfficerDayCount]:
    """Dossiers received per officer per day at this station's receiving point."""
    start, end = _day_bounds(day_from, day_to or day_from)
    with ctx.db.read() as session:
        point = current_station_point(session)
        day = func.substr(Dossier.received_at, 1, 10)
        rows = session.execute(
            select(day, Dossier.officer, func.count())
            .where(
                Dossier.receiving_point_id == point.id,
                Dossier.received_at >= start,
                Dossier.received_at < end,
            )
            .group_by(day, Dossier.officer)
            .order_by(day, Dossier.officer)
        )
        return [OfficerDayCount(date.fromisoformat(d), o, n) for d, o, n in rows]
