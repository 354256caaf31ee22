"""Printed documents: build their data from the store, and audit every print.

`prepare_print` reads a dossier and returns the data of the form asked for (frozen dataclasses of
`document_data`), already marked as a reprint when the same document was printed before;
`record_print` writes the audited event (`print-form-NN` / `reprint-form-NN`, no outbox entry: a
print changes nothing the central system holds). `print_document` does both around a render
function the caller passes in (`printing.render_document`), so services never import the printing
layer, the PDF exists before the event says it was printed, and no write lock is held while it
renders. Printing never changes the dossier; a preview is watermarked and not audited.

What counts as "the same document": form 01 of the same reception round (the first reception, or
supplement n) sharing a copy (Liên 1/2); forms 02–05 issued for the same event (a second
supplement request is a new form 02, not a reprint); form 06 once per dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db.models import Dossier, Event, ReceivingPoint
from app.domain.errors import ValidationError
from app.domain.forms import (
    DOSSIER_FORMS,
    PRINT_PREFIX,
    REPRINT_PREFIX,
    FormKind,
    parse_print_action,
    print_action,
)
from app.domain.permissions import Permission
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.document_data import (
    BOTH_COPIES,
    RECEIPT_LAYOUTS,
    DocumentData,
    LogbookDocument,
    PrintMarks,
    ReceiptLayout,
)
from app.services.document_sources import (
    control_sheet_data,
    issuer_of,
    notice_data,
    receipt_data,
)
from app.services.journal import record_change
from app.services.queries import OTHER_ACTION_LABELS, find_by_code, logbook
from app.services.station import current_station_point


@dataclass(frozen=True)
class PrintRequest:
    """A form of one dossier to print. `copies` and `layout` only matter for form 01."""

    kind: FormKind
    code: str
    copies: tuple[int, ...] = BOTH_COPIES
    layout: ReceiptLayout = "a5"
    preview: bool = False
    officer: str | None = None


@dataclass(frozen=True)
class PrintJob:
    """A prepared print: the data to render, and the identity the audit event will carry."""

    request: PrintRequest
    data: DocumentData
    dossier_id: str
    document_key: str
    reprint: bool


@dataclass(frozen=True)
class PrintedDocument:
    pdf: bytes
    data: DocumentData
    reprint: bool
    event_seq: int | None  # None: a preview, not audited
    file_name: str


@dataclass(frozen=True)
class PrintRecord:
    """One print of a dossier's form, as the dossier view lists them."""

    seq: int
    at: datetime
    actor: str
    kind: FormKind
    reprint: bool
    document_key: str
    copies: tuple[int, ...]
    layout: str


Renderer = Callable[[DocumentData], bytes]


def _validated(request: PrintRequest) -> PrintRequest:
    if request.kind not in DOSSIER_FORMS:
        raise ValidationError(
            "document.kind",
            f"Mẫu {request.kind.value} không phải là mẫu in cho một hồ sơ.",
            field="form",
        )
    if request.kind is not FormKind.RECEIPT:
        return replace(request, copies=(), layout="a5")
    if request.layout not in RECEIPT_LAYOUTS:
        raise ValidationError("document.layout", "Khổ giấy in không hợp lệ.", field="size")
    if not request.copies or any(c not in BOTH_COPIES for c in request.copies):
        raise ValidationError("document.copies", "Liên in không hợp lệ.", field="copy")
    return replace(request, copies=tuple(sorted(set(request.copies))))


def _permission(reprint: bool) -> Permission:
    return Permission.REPRINT if reprint else Permission.PRINT


def _earlier_prints(session: Session, dossier_id: str) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.dossier_id == dossier_id,
                or_(
                    Event.action.startswith(PRINT_PREFIX),
                    Event.action.startswith(REPRINT_PREFIX),
                ),
            )
            .order_by(Event.seq)
        )
    )


def _was_printed(
    earlier: list[Event], kind: FormKind, document_key: str, copies: tuple[int, ...]
) -> bool:
    for event in earlier:
        parsed = parse_print_action(event.action)
        if parsed is None or parsed[0] is not kind:
            continue
        if event.data.get("document") != document_key:
            continue
        printed = set(event.data.get("copies") or ())
        # Forms without copies print as one document; a receipt repeats if a copy repeats.
        if not copies or not printed or printed & set(copies):
            return True
    return False


def _document(
    session: Session, d: Dossier, request: PrintRequest, marks: PrintMarks
) -> tuple[DocumentData, str]:
    if request.kind is FormKind.RECEIPT:
        receipt = receipt_data(session, d, marks, copies=request.copies, layout=request.layout)
        return receipt, f"round-{receipt.supplement_round}"
    if request.kind is FormKind.CONTROL_SHEET:
        return control_sheet_data(session, d, marks), "dossier"
    notice, source_seq = notice_data(session, d, request.kind, marks)
    return notice, f"event-{source_seq}"


def prepare_print(ctx: ServiceContext, request: PrintRequest) -> PrintJob:
    """The data of the document to print (read-only), marked as a reprint when it is one."""
    request = _validated(request)
    now = ctx.clock.now()
    with ctx.db.read() as session:
        d = find_by_code(session, request.code)
        draft = PrintMarks(printed_at=now, preview=request.preview)
        data, key = _document(session, d, request, draft)
        reprint = _was_printed(_earlier_prints(session, d.id), request.kind, key, request.copies)
        # Checked before rendering too: a clerk without the right learns it before waiting.
        require(session, None, request.officer, _permission(reprint), now)
        if reprint:
            data = replace(data, marks=replace(draft, reprint=True))
        return PrintJob(request, data, d.id, key, reprint)


def record_print(ctx: ServiceContext, job: PrintJob) -> int:
    """Write the audit event of a print that has been produced; returns its sequence number."""
    if job.request.preview:
        raise ValidationError("document.preview", "Bản xem trước không được ghi là đã in.")
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, job.request.officer, _permission(job.reprint), now)
        d = session.get(Dossier, job.dossier_id)
        assert d is not None  # dossiers are never deleted
        event = record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action=print_action(job.request.kind, reprint=job.reprint),
            entity_type="dossier",
            entity_id=d.id,
            dossier_id=d.id,
            data={
                "form": job.request.kind.value,
                "document": job.document_key,
                "copies": list(job.request.copies),
                "layout": job.request.layout,
                "reprint": job.reprint,
            },
            outbox_payload=None,
        )
        return event.seq


def print_document(ctx: ServiceContext, request: PrintRequest, render: Renderer) -> PrintedDocument:
    """Prepare, render, then audit (unless a preview). A render failure records nothing."""
    job = prepare_print(ctx, request)
    pdf = render(job.data)
    seq = None if request.preview else record_print(ctx, job)
    kind = job.request.kind
    return PrintedDocument(pdf, job.data, job.reprint, seq, f"{job.request.code}_mau-{kind}.pdf")


def list_prints(ctx: ServiceContext, code: str) -> tuple[PrintRecord, ...]:
    """Every print of the dossier's forms, oldest first (what the dossier view lists)."""
    with ctx.db.read() as session:
        d = find_by_code(session, code)
        records = []
        for event in _earlier_prints(session, d.id):
            parsed = parse_print_action(event.action)
            if parsed is None:
                continue
            records.append(
                PrintRecord(
                    seq=event.seq,
                    at=event.at,
                    actor=event.actor,
                    kind=parsed[0],
                    reprint=parsed[1],
                    document_key=str(event.data.get("document", "")),
                    copies=tuple(int(c) for c in event.data.get("copies") or ()),
                    layout=str(event.data.get("layout", "")),
                )
            )
        return tuple(records)


def logbook_document(
    ctx: ServiceContext,
    day_from: date,
    day_to: date | None = None,
    receiving_point_id: str | None = None,
    *,
    preview: bool = False,
) -> LogbookDocument:
    """Form 07 for a receiving point (default: this station's) over a date range."""
    page = logbook(ctx, day_from, day_to, receiving_point_id)
    with ctx.db.read() as session:
        point = (
            session.get(ReceivingPoint, receiving_point_id)
            if receiving_point_id
            else current_station_point(session)
        )
        assert point is not None  # `logbook` has already refused an unknown point
        issuer = issuer_of(session, point.agency_id)
        marks = PrintMarks(printed_at=ctx.clock.now(), preview=preview)
        return LogbookDocument(issuer=issuer, place=point.place, page=page, marks=marks)


def print_logbook(
    ctx: ServiceContext,
    day_from: date,
    day_to: date | None = None,
    receiving_point_id: str | None = None,
    *,
    render: Renderer,
    preview: bool = False,
    officer: str | None = None,
    record: bool = True,
) -> PrintedDocument:
    """Render the logbook and audit the print (entity: the receiving point). The desktop passes
    `record=False` and calls `record_logbook_print` once the printer has the pages: a print the
    supervisor cancelled in the preview is not a print."""
    doc = logbook_document(ctx, day_from, day_to, receiving_point_id, preview=preview)
    pdf = render(doc)
    seq: int | None = None
    if record and not preview:
        seq = record_logbook_print(ctx, doc, receiving_point_id, officer)
    last = doc.page.day_to
    name = f"so-theo-doi_{doc.page.day_from.isoformat()}_{last.isoformat()}.pdf"
    return PrintedDocument(pdf, doc, False, seq, name)


def record_logbook_print(
    ctx: ServiceContext, doc: LogbookDocument, point_id: str | None, officer: str | None
) -> int:
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.PRINT, now)
        point = session.get(ReceivingPoint, point_id) if point_id else None
        point = point or current_station_point(session)
        data: dict[str, Any] = {
            "form": FormKind.LOGBOOK.value,
            "from": doc.page.day_from.isoformat(),
            "to": doc.page.day_to.isoformat(),
            "entries": doc.page.total,
        }
        event = record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action=print_action(FormKind.LOGBOOK, reprint=False),
            entity_type="receiving_point",
            entity_id=point.id,
            data=data,
            outbox_payload=None,
        )
        return event.seq


# ---- other printed papers ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentPrint:
    """A paper that is not a dossier form (a fee receipt, a VietQR slip, a report), for the
    audit: what was printed, about what, and for which dossier if any."""

    action: str  # a `print-…` key of queries.OTHER_ACTION_LABELS
    entity_type: str
    entity_id: str
    dossier_code: str | None = None
    data: dict[str, Any] | None = None


def record_document_print(ctx: ServiceContext, printed: DocumentPrint, officer: str | None) -> int:
    """Audit a printed paper once the printer has it (no outbox entry: printing changes no
    data); a dossier's papers show in its history."""
    if not printed.action.startswith("print-") or printed.action not in OTHER_ACTION_LABELS:
        raise ValueError(f"unknown print action {printed.action!r}")
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.PRINT, now)
        dossier = find_by_code(session, printed.dossier_code) if printed.dossier_code else None
        event = record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action=printed.action,
            entity_type=printed.entity_type,
            entity_id=printed.entity_id,
            dossier_id=dossier.id if dossier else None,
            data=dict(printed.data or {}),
            outbox_payload=None,
        )
        return event.seq
