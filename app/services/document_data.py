"""What a printed document says, as plain frozen data: built by `services.documents` from the
database, rendered by `printing/` without it.

Only dataclasses live here (and the logbook's `LogbookPage`, reused from `views`), so `printing/`
can import this module without touching SQLAlchemy or the store. Every string is NFC and every
time is Vietnam-local; the renderers format, they never look anything up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from app.domain.forms import FormKind
from app.services.views import LogbookPage

ReceiptLayout = Literal["a5", "80mm"]
RECEIPT_LAYOUTS: tuple[ReceiptLayout, ...] = ("a5", "80mm")
# Copy numbers of form 01: 1 = «Liên 1: Lưu», 2 = «Liên 2: Giao người nộp» (labels: template data).
OFFICE_COPY = 1
APPLICANT_COPY = 2
BOTH_COPIES = (OFFICE_COPY, APPLICANT_COPY)


@dataclass(frozen=True)
class Issuer:
    """The left block of the common header: parent body (may be empty) and issuing unit."""

    parent_name: str
    name: str


@dataclass(frozen=True)
class ComponentLine:
    position: int
    name: str
    originals: int
    copies: int


@dataclass(frozen=True)
class FeeLine:
    """A fee item of the procedure as catalogued; `unit`: per-dossier | per-copy | per-page."""

    name: str
    kind: str
    amount: int
    unit: str
    note: str


@dataclass(frozen=True)
class PrintMarks:
    """How this copy of the document is marked: when it was printed, whether it repeats an
    earlier print («Bản in lại»), whether it is only a preview (watermarked, not valid)."""

    printed_at: datetime
    reprint: bool = False
    preview: bool = False


@dataclass(frozen=True)
class DossierParticulars:
    """The facts of one dossier that the forms print, with the names in force at reception."""

    code: str
    procedure_code: str
    procedure_name: str
    receiving: Issuer
    resolving: Issuer
    receiving_point: str
    place: str
    applicant_name: str
    id_number: str
    address: str
    phone: str
    email: str
    submitter_name: str
    sets: int
    duration_text: str
    received_at: datetime
    appointment: datetime
    delivery: str  # counter | post | online
    delivery_address: str
    book_no: str
    entry_no: int
    officer_name: str
    components: tuple[ComponentLine, ...]
    fees: tuple[FeeLine, ...]


@dataclass(frozen=True)
class ReceiptData:
    """Form 01. `supplement_round` 0 is the first reception, n the n-th supplement («lần bổ sung:
    n»): then `dossier.received_at`/`appointment` are those of that supplement's reception."""

    dossier: DossierParticulars
    supplement_round: int
    copies: tuple[int, ...]
    lookup_text: str
    marks: PrintMarks
    layout: ReceiptLayout = "a5"
    # True when this round recorded no components of its own and the table shows all rounds.
    components_all_rounds: bool = False

    @property
    def kind(self) -> FormKind:
        return FormKind.RECEIPT

    @property
    def document_date(self) -> date:
        return self.dossier.received_at.date()


@dataclass(frozen=True)
class NoticeData:
    """Forms 02 (supplement request), 03 (refusal), 04 (apology, new appointment), 05 (stop)."""

    kind: FormKind
    dossier: DossierParticulars
    issued_at: datetime
    signer_name: str
    reason: str
    items: tuple[str, ...]  # form 02: what to complete, one line each
    marks: PrintMarks
    old_appointment: datetime | None = None  # form 04
    new_appointment: datetime | None = None  # form 04

    @property
    def document_date(self) -> date:
        return self.issued_at.date()


@dataclass(frozen=True)
class HandOff:
    """One row of the control sheet (form 06): who handed the dossier to whom, when, outcome.
    `stage` names the step (receive | transfer | supplement-request | supplement-receive | result
    | return); the printed words for it are template data."""

    step: int
    stage: str
    handed_by: str
    received_by: str
    at: datetime | None
    outcome: str  # «trước hạn» | «đúng hạn» | «quá hạn» | ""
    note: str


@dataclass(frozen=True)
class ControlSheetData:
    dossier: DossierParticulars
    hand_offs: tuple[HandOff, ...]
    marks: PrintMarks

    @property
    def kind(self) -> FormKind:
        return FormKind.CONTROL_SHEET

    @property
    def document_date(self) -> date:
        return self.dossier.received_at.date()


@dataclass(frozen=True)
class LogbookDocument:
    """Form 07: the logbook of a receiving point over a date range."""

    issuer: Issuer
    place: str
    page: LogbookPage
    marks: PrintMarks

    @property
    def kind(self) -> FormKind:
        return FormKind.LOGBOOK

    @property
    def document_date(self) -> date:
        return self.page.day_from


DocumentData = ReceiptData | NoticeData | ControlSheetData | LogbookDocument
