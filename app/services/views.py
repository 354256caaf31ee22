"""Plain frozen results the services return (never ORM rows), read by screens, CLI, printing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DurationView:
    value: int
    unit: str
    text: str  # as printed: «05 ngày làm việc»


@dataclass(frozen=True)
class ComponentView:
    id: str
    position: int
    name: str
    originals: int
    copies: int
    must_digitise: bool


@dataclass(frozen=True)
class FeeView:
    code: str
    name: str
    kind: str
    amount: int
    unit: str
    cap: int | None
    note: str
    illustrative: bool


@dataclass(frozen=True)
class ProcedureView:
    id: str
    code: str
    version: int
    name: str
    field: str
    level: str
    resolving_agency: str
    duration: DurationView
    result: str
    result_delivery: tuple[str, ...]
    components: tuple[ComponentView, ...]
    fees: tuple[FeeView, ...]


@dataclass(frozen=True)
class DeadlineView:
    received_at: datetime
    clock_start: datetime
    appointment: datetime
    warning_at: datetime
    duration: DurationView


@dataclass(frozen=True)
class ApplicantView:
    name: str
    id_number: str
    id_kind: str
    date_of_birth: date | None
    sex: str | None
    address: str
    phone: str
    email: str


@dataclass(frozen=True)
class ReceivedComponentView:
    round: int
    position: int
    name: str
    originals: int
    copies: int


@dataclass(frozen=True)
class EventView:
    seq: int
    at: datetime
    actor: str
    action: str
    action_label: str
    from_status: int | None
    to_status: int | None
    reason: str


@dataclass(frozen=True)
class DossierView:
    id: str
    code: str
    status: int
    status_label: str
    procedure_code: str
    procedure_name: str
    receiving_agency: str
    resolving_agency: str
    receiving_point: str
    channel: int
    applicant: ApplicantView
    sets: int
    delivery: str
    delivery_address: str
    duration: DurationView
    received_at: datetime
    clock_start: datetime
    appointment: datetime
    original_appointment: datetime
    warning_at: datetime
    warning_level: str | None  # green | amber | red while the clock runs, else None
    supplement_count: int
    reappoint_count: int
    result_at: datetime | None
    returned_at: datetime | None
    outcome: str | None
    book_no: str
    entry_no: int
    officer: str
    components: tuple[ReceivedComponentView, ...]
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class DossierSummary:
    id: str
    code: str
    status: int
    status_label: str
    applicant_name: str
    applicant_id_number: str
    procedure_name: str
    received_at: datetime
    appointment: datetime
    warning_level: str | None


@dataclass(frozen=True)
class LogbookEntry:
    entry_no: int
    book_no: str
    code: str
    procedure_name: str
    sets: int
    submitter: str
    address_phone: str
    resolving_agency: str
    received_at: datetime
    appointment: datetime
    transferred_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    status: int
    note: str


@dataclass(frozen=True)
class LogbookPage:
    day_from: date
    day_to: date
    receiving_point: str
    entries: tuple[LogbookEntry, ...]

    @property
    def total(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class CalendarDayView:
    day: date
    kind: str
    note: str
    source: str
    effective_from: date | None
