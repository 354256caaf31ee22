"""Reads a dossier's rows and history into the data of its forms (01–06) for `services.documents`.

Names are those in force at reception: the dossier row keeps the agencies' names as they were,
and the agency rows it points to are the versions of that time (a merged agency is a new row
with a successor link), so a reprint years later still shows the original issuer. Each notice
(02–05) is built from the event that decided it — its time, its officer and its reason — so a
second supplement request gives a second form 02 with its own wording.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Agency, Dossier, Event, Procedure, ReceivingPoint, User
from app.domain.deadlines import Outcome
from app.domain.errors import StateError
from app.domain.forms import FormKind
from app.domain.lifecycle import TERMINAL, Action, Status
from app.domain.text import clean_text
from app.services.catalogue import duration_view
from app.services.document_data import (
    ComponentLine,
    ControlSheetData,
    DossierParticulars,
    FeeLine,
    HandOff,
    Issuer,
    NoticeData,
    PrintMarks,
    ReceiptData,
    ReceiptLayout,
)

# What the receipt's QR code carries. The national portal's look-up address is not settled for
# every province; until it is a station setting, the QR holds this address with the code.
STATUS_LOOKUP_FORMAT = "https://dichvucong.gov.vn/tra-cuu-ho-so?ma-ho-so={code}"

_ITEM_SEPARATOR = re.compile(r"[;\n]")

# The event each notice is issued for, and how the refusal reads when it is missing.
_NOTICE_SOURCES: dict[FormKind, tuple[tuple[Action, ...], str]] = {
    FormKind.SUPPLEMENT_REQUEST: ((Action.REQUEST_SUPPLEMENT,), "yêu cầu bổ sung hồ sơ"),
    FormKind.REFUSAL: ((Action.REFUSE,), "quyết định từ chối tiếp nhận giải quyết"),
    FormKind.APOLOGY: ((Action.REAPPOINT,), "việc hẹn lại ngày trả kết quả"),
    FormKind.STOP_NOTICE: ((Action.STOP, Action.WITHDRAW), "việc dừng giải quyết hoặc rút hồ sơ"),
}


def status_lookup_text(code: str) -> str:
    return STATUS_LOOKUP_FORMAT.format(code=code)


def issuer_of(session: Session, agency_id: str, name: str | None = None) -> Issuer:
    agency = session.get(Agency, agency_id)
    if agency is None:
        return Issuer("", name or "")
    return Issuer(agency.parent_name, name or agency.name)


def officer_name(session: Session, username: str) -> str:
    user = session.scalars(select(User).where(User.username == username)).first()
    return user.full_name if user and user.full_name else username


def _events(session: Session, d: Dossier, actions: tuple[Action, ...]) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.dossier_id == d.id, Event.action.in_([a.value for a in actions]))
            .order_by(Event.seq)
        )
    )


def _moment(event: Event) -> datetime:
    """When the step happened: a back-filled or dated step carries its own time in the data."""
    raw = event.data.get("at") or event.data.get("received_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else event.at


def particulars(
    session: Session,
    d: Dossier,
    *,
    components_round: int | None = None,
    received_at: datetime | None = None,
    officer: str | None = None,
) -> tuple[DossierParticulars, bool]:
    """The dossier's facts; components of one round when given (all rounds if that round has
    none of its own — the second value says so)."""
    point = session.get(ReceivingPoint, d.receiving_point_id)
    procedure = session.get(Procedure, d.procedure_id)
    rows = list(d.components)
    all_rounds = components_round is None
    if components_round is not None:
        own = [c for c in rows if c.round == components_round]
        all_rounds = not own
        rows = own or rows
    facts = DossierParticulars(
        code=d.code,
        procedure_code=d.procedure_code,
        procedure_name=d.procedure_name,
        receiving=issuer_of(session, d.receiving_agency_id, d.receiving_agency_name),
        resolving=issuer_of(session, d.resolving_agency_id, d.resolving_agency_name),
        receiving_point=point.name if point else d.receiving_agency_name,
        place=point.place if point else "",
        applicant_name=d.applicant_name,
        id_number=d.applicant_id_number,
        address=d.applicant_address,
        phone=d.applicant_phone,
        email=d.applicant_email,
        submitter_name=d.submitter_name,
        sets=d.sets,
        duration_text=duration_view(d.duration_value, d.duration_unit).text,
        received_at=received_at or d.received_at,
        appointment=d.original_appointment,
        delivery=d.delivery,
        delivery_address=d.delivery_address,
        book_no=d.book_no,
        entry_no=d.entry_no,
        officer_name=officer_name(session, officer or d.officer),
        components=tuple(
            ComponentLine(number, c.name, c.originals, c.copies)
            for number, c in enumerate(rows, start=1)
        ),
        fees=tuple(
            FeeLine(f.name, f.kind, f.amount, f.unit, f.note)
            for f in (procedure.fees if procedure else [])
        ),
    )
    return facts, all_rounds


def receipt_data(
    session: Session,
    d: Dossier,
    marks: PrintMarks,
    *,
    copies: tuple[int, ...],
    layout: ReceiptLayout,
) -> ReceiptData:
    """Form 01 of the dossier's latest reception round (a supplement is a new receipt, same code,
    with the new reception time and the restarted appointment)."""
    round_no = d.supplement_count
    received_at, officer = d.received_at, d.officer
    if round_no:
        supplements = _events(session, d, (Action.RECEIVE_SUPPLEMENT,))
        if len(supplements) >= round_no:
            event = supplements[round_no - 1]
            received_at, officer = _moment(event), event.actor
    facts, all_rounds = particulars(
        session, d, components_round=round_no, received_at=received_at, officer=officer
    )
    return ReceiptData(
        dossier=facts,
        supplement_round=round_no,
        copies=copies,
        lookup_text=status_lookup_text(d.code),
        marks=marks,
        layout=layout,
        components_all_rounds=all_rounds and round_no > 0,
    )


def notice_data(
    session: Session, d: Dossier, kind: FormKind, marks: PrintMarks
) -> tuple[NoticeData, int]:
    """Form 02–05 from the latest event that decided it; also returns that event's seq."""
    actions, missing = _NOTICE_SOURCES[kind]
    events = _events(session, d, actions)
    if not events:
        raise StateError(
            "document.not_applicable",
            f"Hồ sơ {d.code} chưa có {missing}, nên không có «{kind.label}» (mẫu {kind.value}) "
            "để in.",
            form=kind.value,
        )
    event = events[-1]
    facts, _ = particulars(session, d)
    # The officer lists what to complete separated by «;» (the reason is stored on one line).
    lines = [clean_text(line) for line in _ITEM_SEPARATOR.split(event.reason)]
    old = event.data.get("old_appointment")
    new = event.data.get("new_appointment")
    notice = NoticeData(
        kind=kind,
        dossier=facts,
        issued_at=_moment(event),
        signer_name=officer_name(session, event.actor),
        reason=clean_text(event.reason),
        items=tuple(line for line in lines if line),
        marks=marks,
        old_appointment=datetime.fromisoformat(old) if isinstance(old, str) else None,
        new_appointment=datetime.fromisoformat(new) if isinstance(new, str) else None,
    )
    return notice, event.seq


def control_sheet_data(session: Session, d: Dossier, marks: PrintMarks) -> ControlSheetData:
    """Form 06: the hand-offs so far from the history, then the ones still ahead (blank)."""
    facts, _ = particulars(session, d)
    counter, agency = facts.receiving_point, facts.resolving.name
    applicant = d.submitter_name or d.applicant_name
    rows: list[tuple[str, str, str, datetime | None, str]] = [
        ("receive", applicant, counter, d.received_at, "")
    ]
    steps = {
        Action.TRANSFER: ("transfer", counter, agency),
        Action.REQUEST_SUPPLEMENT: ("supplement-request", agency, applicant),
        Action.RECEIVE_SUPPLEMENT: ("supplement-receive", applicant, counter),
        Action.RECORD_RESULT: ("result", agency, counter),
        Action.REFUSE: ("result", counter, applicant),
        Action.RETURN_RESULT: ("return", counter, applicant),
    }
    for event in _events(session, d, tuple(steps)):
        stage, handed, received = steps[Action(event.action)]
        result = event.data.get("outcome")
        outcome = Outcome(result).label if isinstance(result, str) else ""
        rows.append((stage, handed, received, _moment(event), outcome))
    if Status(d.status) not in TERMINAL:
        # The steps still ahead, after the furthest one already taken, for filling in by hand.
        ahead = [
            ("transfer", counter, agency),
            ("result", agency, counter),
            ("return", counter, applicant),
        ]
        taken = [i for i, (stage, _, _) in enumerate(ahead) if stage in {r[0] for r in rows}]
        for stage, handed, received in ahead[max(taken, default=-1) + 1 :]:
            rows.append((stage, handed, received, None, ""))
    hand_offs = tuple(
        HandOff(step, stage, handed, received, at, outcome, "")
        for step, (stage, handed, received, at, outcome) in enumerate(rows, start=1)
    )
    return ControlSheetData(dossier=facts, hand_offs=hand_offs, marks=marks)
