"""Dossier use cases: receive, and every later state change (supplement, refuse, stop, transfer,
result, return, re-appoint, withdraw).

Each call is one transaction that writes the dossier, its event and its outbox entry together;
validation happens before anything is written, so bad input changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Agency,
    BookSequence,
    Counter,
    Dossier,
    DossierComponent,
    Procedure,
    ReceivingPoint,
    Station,
)
from app.domain.calendar import WorkingCalendar
from app.domain.deadlines import (
    compute_deadline,
    ensure_supplement_request_allowed,
    outcome,
    restart_after_supplement,
    validate_reappointment,
    warning_time,
)
from app.domain.durations import Duration, DurationUnit
from app.domain.errors import StateError, ValidationError
from app.domain.identity import IdentityWarning, normalize_phone, validate_id_number
from app.domain.lifecycle import Action, Status, next_status
from app.domain.permissions import Permission, permission_for
from app.domain.text import clean_text, fold
from app.services.authz import require
from app.services.calendar import load_calendar
from app.services.catalogue import resolve_procedure
from app.services.codes import allocate_code
from app.services.context import ServiceContext
from app.services.digitisation import missing_for_transfer
from app.services.journal import record_change
from app.services.queries import dossier_view, find_by_code
from app.services.station import current_station
from app.services.views import DossierView

# How far back a paper dossier taken during an outage may be entered.
MAX_BACKFILL = timedelta(days=60)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DELIVERY = ("counter", "post", "online")


@dataclass(frozen=True)
class ComponentCount:
    """A component received: `ref` is the component id or its number (STT) in the checklist."""

    ref: str
    originals: int
    copies: int


@dataclass(frozen=True)
class ReceiveDossier:
    procedure: str
    applicant_name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    date_of_birth: date | None = None
    sex: str | None = None
    components: tuple[ComponentCount, ...] | None = None  # None: the checklist as catalogued
    sets: int = 1
    delivery: str = "counter"
    delivery_address: str = ""
    channel: int = 1
    submitter_name: str = ""
    submitter_id_number: str = ""
    officer: str | None = None
    received_at: datetime | None = None  # only for back-filling paper dossiers of an outage
    backfill_reason: str = ""
    # The reception outcome (NĐ 118/2025 Art. 17): "complete" → form 01; "incomplete" → recorded
    # and put straight into "Yêu cầu bổ sung" (form 02); "ineligible" → recorded and refused
    # (form 03). Either of the last two needs `outcome_reason` (what to complete / why refused).
    outcome: str = "complete"
    outcome_reason: str = ""


OUTCOME_ACTIONS = {"incomplete": Action.REQUEST_SUPPLEMENT, "ineligible": Action.REFUSE}


@dataclass(frozen=True)
class ReceiveResult:
    dossier: DossierView
    warnings: tuple[IdentityWarning, ...]


def _reception_moment(
    now: datetime, received_at: datetime | None, reason: str
) -> tuple[datetime, bool]:
    if received_at is None:
        return now, False
    if received_at.tzinfo is None:
        raise ValidationError(
            "reception.naive_time",
            "Thời điểm tiếp nhận phải ghi rõ múi giờ (ví dụ 2026-11-23T09:00:00+07:00).",
            field="received_at",
        )
    if not clean_text(reason):
        raise ValidationError(
            "reception.backfill_reason",
            "Nhập hồ sơ tiếp nhận trước đó (khi mất kết nối) phải ghi rõ lý do.",
            field="backfill_reason",
        )
    if received_at > now + timedelta(minutes=1):
        raise ValidationError(
            "reception.future",
            "Thời điểm tiếp nhận không được ở tương lai.",
            field="received_at",
        )
    if received_at < now - MAX_BACKFILL:
        raise ValidationError(
            "reception.too_old",
            f"Chỉ được nhập bù hồ sơ tiếp nhận trong vòng {MAX_BACKFILL.days} ngày.",
            field="received_at",
        )
    return received_at, True


def _components(
    procedure: Procedure, counts: tuple[ComponentCount, ...] | None
) -> list[DossierComponent]:
    if counts is None:
        return [
            DossierComponent(
                component_id=c.id,
                position=c.position,
                name=c.name,
                originals=c.originals,
                copies=c.copies,
            )
            for c in procedure.components
        ]
    by_ref = {c.id: c for c in procedure.components} | {
        str(c.position): c for c in procedure.components
    }
    received = []
    for item in counts:
        component = by_ref.get(item.ref.strip())
        if component is None:
            raise ValidationError(
                "component.unknown",
                f"Thành phần hồ sơ «{item.ref}» không thuộc thủ tục {procedure.code}.",
                field="components",
            )
        if item.originals < 0 or item.copies < 0 or item.originals + item.copies == 0:
            raise ValidationError(
                "component.count",
                f"Số bản chính/bản sao của thành phần «{component.name}» không hợp lệ.",
                field="components",
            )
        received.append(
            DossierComponent(
                component_id=component.id,
                position=component.position,
                name=component.name,
                originals=item.originals,
                copies=item.copies,
            )
        )
    return received


def _validated_applicant(
    cmd: ReceiveDossier,
) -> tuple[str, str, str, str, str, tuple[IdentityWarning, ...]]:
    name = clean_text(cmd.applicant_name)
    if not name:
        raise ValidationError(
            "applicant.name_required",
            "Chưa nhập họ và tên người nộp hồ sơ.",
            field="applicant_name",
        )
    if len(name) > 200:
        raise ValidationError(
            "applicant.name_too_long",
            "Họ và tên quá dài (tối đa 200 ký tự).",
            field="applicant_name",
        )
    document = validate_id_number(
        cmd.id_number,
        birth_year=cmd.date_of_birth.year if cmd.date_of_birth else None,
        sex=cmd.sex,
    )
    phone = normalize_phone(cmd.phone) if clean_text(cmd.phone) else ""
    email = clean_text(cmd.email)
    if email and not _EMAIL.match(email):
        raise ValidationError("applicant.email", "Địa chỉ thư điện tử không hợp lệ.", field="email")
    return name, document.number, document.kind, phone, email, document.warnings


def _next_num(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(Dossier.num), 0))) or 0) + 1


def _next_entry(session: Session, book_no: str) -> int:
    book = session.get(BookSequence, book_no)
    if book is None:
        book = BookSequence(book_no=book_no, last_entry=0)
        session.add(book)
    book.last_entry += 1
    return book.last_entry


def snapshot(d: Dossier) -> dict[str, object]:
    """The dossier as the sync outbox carries it (plain JSON values)."""
    out: dict[str, object] = {}
    for column in Dossier.__table__.columns:
        value = getattr(d, column.key)
        out[column.key] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return out


def receive_dossier(ctx: ServiceContext, cmd: ReceiveDossier) -> ReceiveResult:
    now = ctx.clock.now()
    received_at, backfilled = _reception_moment(now, cmd.received_at, cmd.backfill_reason)
    name, id_number, id_kind, phone, email, warnings = _validated_applicant(cmd)
    _check_outcome(cmd)
    if cmd.sets < 1:
        raise ValidationError("dossier.sets", "Số bộ hồ sơ phải từ 1 trở lên.", field="sets")
    if cmd.delivery not in DELIVERY:
        raise ValidationError(
            "dossier.delivery", "Hình thức trả kết quả không hợp lệ.", field="delivery"
        )
    if cmd.delivery == "post" and not clean_text(cmd.delivery_address):
        raise ValidationError(
            "dossier.delivery_address",
            "Trả kết quả qua bưu chính cần địa chỉ nhận.",
            field="delivery_address",
        )
    with ctx.db.write() as session:
        station = current_station(session)
        officer = require(session, station, cmd.officer, Permission.RECEIVE, now)
        procedure = resolve_procedure(session, cmd.procedure, received_at.date())
        components = _components(procedure, cmd.components)
        counter = session.get(Counter, station.counter_id)
        assert counter is not None
        point = session.get(ReceivingPoint, counter.receiving_point_id)
        assert point is not None
        receiving = session.get(Agency, point.agency_id)
        resolving = session.get(Agency, procedure.resolving_agency_id)
        assert receiving is not None and resolving is not None
        calendar = load_calendar(session, point.unit_id, received_at.date())
        duration = Duration(procedure.duration_value, DurationUnit(procedure.duration_unit))
        deadline = compute_deadline(calendar, received_at, duration)
        code = allocate_code(session, station, receiving.e_identifier, received_at.date(), now)
        book_no = f"{counter.code}/{received_at.year}"
        dossier = Dossier(
            num=_next_num(session),
            code=str(code),
            procedure_id=procedure.id,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            receiving_point_id=point.id,
            counter_id=counter.id,
            receiving_agency_id=receiving.id,
            receiving_agency_name=receiving.name,
            receiving_agency_eid=receiving.e_identifier,
            resolving_agency_id=resolving.id,
            resolving_agency_name=resolving.name,
            channel=cmd.channel,
            applicant_name=name,
            applicant_name_fold=fold(name),
            applicant_id_number=id_number,
            applicant_id_kind=id_kind,
            applicant_dob=cmd.date_of_birth,
            applicant_sex=clean_text(cmd.sex) or None,
            applicant_address=clean_text(cmd.address),
            applicant_phone=phone,
            applicant_email=email,
            submitter_name=clean_text(cmd.submitter_name),
            submitter_id_number=clean_text(cmd.submitter_id_number),
            sets=cmd.sets,
            delivery=cmd.delivery,
            delivery_address=clean_text(cmd.delivery_address),
            duration_value=duration.value,
            duration_unit=duration.unit.value,
            received_at=received_at,
            clock_start=deadline.clock_start,
            appointment=deadline.appointment,
            original_appointment=deadline.appointment,
            warning_at=deadline.warning_at,
            status=int(next_status(Status.SUBMITTED_ONLINE, Action.RECEIVE)),
            book_no=book_no,
            entry_no=_next_entry(session, book_no),
            officer=officer.username,
            backfilled=backfilled,
            created_at=now,
            updated_at=now,
        )
        dossier.components = components
        session.add(dossier)
        session.flush()
        record_change(
            session,
            at=now,
            actor=officer.username,
            workstation=ctx.workstation,
            action=Action.RECEIVE.value,
            entity_type="dossier",
            entity_id=dossier.id,
            dossier_id=dossier.id,
            to_status=dossier.status,
            reason=clean_text(cmd.backfill_reason) if backfilled else "",
            data={"received_at": received_at.isoformat(), "backfilled": backfilled},
            outbox_payload={"dossier": snapshot(dossier)},
        )
        follow_up = OUTCOME_ACTIONS.get(cmd.outcome)
        if follow_up is not None:
            require(session, station, cmd.officer, permission_for(follow_up), now)
            mutate = _pause if follow_up is Action.REQUEST_SUPPLEMENT else _finish
            reason = clean_text(cmd.outcome_reason)
            actor = officer.username
            args = (follow_up, received_at, now, reason, mutate)
            _transition(session, ctx, station, actor, dossier, *args)
        return ReceiveResult(dossier_view(session, dossier, now), warnings)


def _check_outcome(cmd: ReceiveDossier) -> None:
    if cmd.outcome != "complete" and cmd.outcome not in OUTCOME_ACTIONS:
        raise ValidationError("dossier.outcome", "Kết quả tiếp nhận không hợp lệ.", field="outcome")
    if cmd.outcome in OUTCOME_ACTIONS and not clean_text(cmd.outcome_reason):
        what = "nội dung cần bổ sung" if cmd.outcome == "incomplete" else "lý do từ chối"
        raise ValidationError(
            "dossier.outcome_reason", f"Cần ghi rõ {what}.", field="outcome_reason"
        )


@dataclass(frozen=True)
class Step:
    """What a state change sees: the dossier row, when it happens, the calendar, this station."""

    dossier: Dossier
    at: datetime
    calendar: WorkingCalendar
    station: Station


Mutation = Callable[[Step], dict[str, object]]


def _apply(
    ctx: ServiceContext,
    code: str,
    action: Action,
    *,
    officer: str | None,
    reason: str = "",
    reason_required: bool = False,
    at: datetime | None = None,
    mutate: Mutation | None = None,
) -> DossierView:
    """Check the lifecycle, let `mutate` change the row, then write event + outbox, all in one
    transaction. `mutate` returns extra data for the event."""
    now = ctx.clock.now()
    moment = at or now
    clean_reason = clean_text(reason)
    if reason_required and not clean_reason:
        raise ValidationError(
            "action.reason_required", f"«{action.label}» cần ghi rõ lý do.", field="reason"
        )
    with ctx.db.write() as session:
        station: Station = current_station(session)
        user = require(session, station, officer, permission_for(action), now)
        dossier = find_by_code(session, code)
        _transition(
            session, ctx, station, user.username, dossier, action, moment, now, clean_reason, mutate
        )
        return dossier_view(session, dossier, now)


def _transition(
    session: Session,
    ctx: ServiceContext,
    station: Station,
    actor: str,
    dossier: Dossier,
    action: Action,
    moment: datetime,
    now: datetime,
    reason: str,
    mutate: Mutation | None,
) -> None:
    """One lifecycle step inside the caller's transaction: status, row, event and outbox."""
    before = Status(dossier.status)
    resume = Status(dossier.resume_status) if dossier.resume_status else None
    after = next_status(before, action, resume_to=resume)
    point = session.get(ReceivingPoint, dossier.receiving_point_id)
    assert point is not None
    calendar = load_calendar(session, point.unit_id, moment.date())
    extra = mutate(Step(dossier, moment, calendar, station)) if mutate else {}
    dossier.status = int(after)
    dossier.updated_at = now
    dossier.row_version += 1
    session.flush()
    record_change(
        session,
        at=now,
        actor=actor,
        workstation=ctx.workstation,
        action=action.value,
        entity_type="dossier",
        entity_id=dossier.id,
        dossier_id=dossier.id,
        from_status=int(before),
        to_status=int(after),
        reason=reason,
        data={"at": moment.isoformat(), **extra},
        outbox_payload={"dossier": snapshot(dossier)},
    )


def _duration(d: Dossier) -> Duration:
    return Duration(d.duration_value, DurationUnit(d.duration_unit))


def _pause(step: Step) -> dict[str, object]:
    d = step.dossier
    ensure_supplement_request_allowed(d.appointment, step.at)
    d.resume_status = d.status
    d.paused_at = step.at
    return {}


def request_supplement(
    ctx: ServiceContext, code: str, reason: str, *, officer: str | None = None
) -> DossierView:
    return _apply(
        ctx,
        code,
        Action.REQUEST_SUPPLEMENT,
        officer=officer,
        reason=reason,
        reason_required=True,
        mutate=_pause,
    )


def receive_supplement(
    ctx: ServiceContext,
    code: str,
    *,
    officer: str | None = None,
    received_at: datetime | None = None,
    backfill_reason: str = "",
) -> DossierView:
    moment, backfilled = _reception_moment(ctx.clock.now(), received_at, backfill_reason)

    def restart(step: Step) -> dict[str, object]:
        # The clock restarts from zero with the full legal duration (DOMAIN §4.6).
        d = step.dossier
        deadline = restart_after_supplement(step.calendar, step.at, _duration(d))
        d.supplement_count += 1
        d.clock_start = deadline.clock_start
        d.appointment = deadline.appointment
        d.original_appointment = deadline.appointment
        d.warning_at = deadline.warning_at
        d.paused_at = None
        d.resume_status = None
        return {"round": d.supplement_count, "backfilled": backfilled}

    return _apply(
        ctx,
        code,
        Action.RECEIVE_SUPPLEMENT,
        officer=officer,
        reason=backfill_reason if backfilled else "",
        at=moment,
        mutate=restart,
    )


def _finish(step: Step) -> dict[str, object]:
    d = step.dossier
    d.result_at = step.at
    d.outcome = outcome(step.calendar, d.appointment, step.at).value
    return {"outcome": d.outcome}


def refuse(
    ctx: ServiceContext, code: str, reason: str, *, officer: str | None = None
) -> DossierView:
    # A refusal counts as a result at the moment the refusal slip is confirmed (DOMAIN §4.5).
    return _apply(
        ctx,
        code,
        Action.REFUSE,
        officer=officer,
        reason=reason,
        reason_required=True,
        mutate=_finish,
    )


def stop(ctx: ServiceContext, code: str, reason: str, *, officer: str | None = None) -> DossierView:
    return _apply(ctx, code, Action.STOP, officer=officer, reason=reason, reason_required=True)


def withdraw(
    ctx: ServiceContext, code: str, reason: str, *, officer: str | None = None
) -> DossierView:
    return _apply(ctx, code, Action.WITHDRAW, officer=officer, reason=reason, reason_required=True)


def _ensure_digitised(step: Step) -> dict[str, object]:
    # Tiền Giang 2025 Art. 16: must-digitise components are digitised and signed before transfer.
    missing = missing_for_transfer(step.dossier)
    if missing:
        raise StateError(
            "transfer.not_digitised",
            "Chưa chuyển được hồ sơ: các thành phần sau phải được số hóa và ký số trước — "
            + "; ".join(missing)
            + ".",
        )
    return {}


def transfer(ctx: ServiceContext, code: str, *, officer: str | None = None) -> DossierView:
    def mark(step: Step) -> dict[str, object]:
        _ensure_digitised(step)
        step.dossier.transferred_at = step.at
        return {"to_agency": step.dossier.resolving_agency_name}

    return _apply(ctx, code, Action.TRANSFER, officer=officer, mutate=mark)


def record_result(ctx: ServiceContext, code: str, *, officer: str | None = None) -> DossierView:
    return _apply(ctx, code, Action.RECORD_RESULT, officer=officer, mutate=_finish)


def return_result(ctx: ServiceContext, code: str, *, officer: str | None = None) -> DossierView:
    def mark(step: Step) -> dict[str, object]:
        step.dossier.returned_at = step.at
        return {}

    return _apply(ctx, code, Action.RETURN_RESULT, officer=officer, mutate=mark)


def reappoint(
    ctx: ServiceContext,
    code: str,
    new_appointment: datetime,
    reason: str,
    *,
    officer: str | None = None,
) -> DossierView:
    """Apology with a new date (form 04): the original appointment is kept for statistics."""

    def move(step: Step) -> dict[str, object]:
        d, cal = step.dossier, step.calendar
        validate_reappointment(
            cal,
            d.appointment,
            new_appointment,
            count_so_far=d.reappoint_count,
            max_count=step.station.max_reappointments,
        )
        old = d.appointment
        d.appointment = new_appointment
        d.warning_at = warning_time(cal, d.clock_start, new_appointment)
        d.reappoint_count += 1
        return {"old_appointment": old.isoformat(), "new_appointment": new_appointment.isoformat()}

    return _apply(
        ctx,
        code,
        Action.REAPPOINT,
        officer=officer,
        reason=reason,
        reason_required=True,
        mutate=move,
    )
