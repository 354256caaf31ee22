"""The sync wire protocol between a counter (MotCua Desk) and the central system, version 1.

This module owns every shape that crosses the wire: upload batches of outbox entries (each with
its client UUID as idempotency key) and the per-entry results, the download change feed, code
lease requests and returns, the consistency check, per-day scope re-download, enrolment and the
error body. Models are pydantic, strict about unknown keys, and shared by the client and the
reference server so the two cannot drift. Dossiers travel with stable codes (agency, procedure,
receiving point, counter codes), never the local database's UUID foreign keys, because every
workstation imported the catalogue with its own keys. Documented in docs/SYNC.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({PROTOCOL_VERSION})
# Every request carries the protocol version in this header (GET and blob PUTs have no JSON body).
PROTOCOL_HEADER = "X-MotCua-Protocol"
AUTH_SCHEME = "Bearer"

# Resumable content-addressed blobs: PUT a chunk at an offset, HEAD to learn how much arrived.
BLOB_OFFSET_HEADER = "X-Blob-Offset"
BLOB_TOTAL_HEADER = "X-Blob-Total"
BLOB_RECEIVED_HEADER = "X-Blob-Received"
BLOB_COMPLETE_HEADER = "X-Blob-Complete"

MAX_UPLOAD_BATCH = 500
MAX_FEED_BATCH = 1000
MAX_LEASE_BLOCK = 1000

EntryStatus = Literal["applied", "retry", "rejected"]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(WireModel):
    code: str
    message: str  # Vietnamese, shown to the officer as is


class ErrorResponse(WireModel):
    error: ErrorBody


# ---- enrolment ----------------------------------------------------------------------------


class AgencyRef(WireModel):
    code: str  # catalogue id, e.g. "ttpvhcc-tinh"
    e_identifier: str


class EnrolRequest(WireModel):
    token: str
    # One id per enrolment attempt: a retry after a lost response gets a fresh credential for the
    # same counter instead of "token already used".
    request_id: str
    workstation: str = ""


class EnrolResponse(WireModel):
    credential: str
    counter: str  # counter code from the catalogue
    counter_name: str
    agencies: list[AgencyRef]


# ---- dossiers -----------------------------------------------------------------------------


class ComponentRecord(WireModel):
    round: int
    position: int
    name: str
    originals: int
    copies: int


class EventRecord(WireModel):
    """The history entry of one change (who, when, why); the server keeps it for audit."""

    id: str
    at: datetime
    actor: str
    workstation: str = ""
    action: str
    from_status: int | None = None
    to_status: int | None = None
    reason: str = ""


class DossierRecord(WireModel):
    """A full snapshot of a dossier. `row_version` counts changes; the server is the authority
    that serialises them (an update must be based on the server's current version)."""

    id: str
    code: str
    procedure_code: str
    procedure_version: int
    procedure_name: str
    receiving_point: str
    counter: str
    receiving_agency: str
    receiving_agency_eid: str
    receiving_agency_name: str
    resolving_agency: str
    resolving_agency_name: str
    channel: int
    applicant_type: int
    applicant_name: str
    applicant_name_fold: str
    applicant_id_number: str
    applicant_id_kind: str
    applicant_dob: date | None = None
    applicant_sex: str | None = None
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    submitter_name: str = ""
    submitter_id_number: str = ""
    sets: int
    delivery: str
    delivery_address: str = ""
    duration_value: int
    duration_unit: str
    received_at: datetime
    clock_start: datetime
    appointment: datetime
    original_appointment: datetime
    warning_at: datetime
    status: int
    resume_status: int | None = None
    supplement_count: int = 0
    reappoint_count: int = 0
    paused_at: datetime | None = None
    transferred_at: datetime | None = None
    result_at: datetime | None = None
    returned_at: datetime | None = None
    outcome: str | None = None
    book_no: str
    entry_no: int
    officer: str
    backfilled: bool = False
    created_at: datetime
    updated_at: datetime
    row_version: int
    components: list[ComponentRecord] = Field(default_factory=list)


# ---- upload -------------------------------------------------------------------------------


class UploadEntry(WireModel):
    id: str  # the outbox entry's UUID: the idempotency key
    seq: int  # order on the counter
    entity_type: str
    entity_id: str
    op: str  # lifecycle action for dossiers ("receive", "transfer", …)
    created_at: datetime
    dossier: DossierRecord | None = None
    event: EventRecord | None = None
    payload: dict[str, Any] = Field(default_factory=dict)  # other entity types


class UploadRequest(WireModel):
    entries: list[UploadEntry] = Field(max_length=MAX_UPLOAD_BATCH)


class EntryResult(WireModel):
    id: str
    status: EntryStatus
    code: str = ""
    message: str = ""
    row_version: int | None = None  # the server's version after applying (dossiers)
    change_seq: int | None = None  # the feed position of that version


class UploadResponse(WireModel):
    results: list[EntryResult]


# ---- code leases --------------------------------------------------------------------------


class LeaseRecord(WireModel):
    id: str
    agency_eid: str
    day: date
    first: int
    last: int  # after a return: the last number actually kept (may be first - 1)
    state: Literal["active", "returned"]


class LeaseRequest(WireModel):
    request_id: str  # a repeat of the same request gets the same block
    agency_eid: str
    day: date
    count: int = Field(ge=1, le=MAX_LEASE_BLOCK)
    # A claim: numbers first..first+count-1 were already used (standalone mode before
    # enrolment); the server records them as used so it never hands them out, or refuses.
    first: int | None = Field(default=None, ge=1)


class LeaseReturn(WireModel):
    lease_id: str
    first_unused: int  # numbers first_unused..last go back to the pool


class LeasesRequest(WireModel):
    requests: list[LeaseRequest] = Field(default_factory=list)
    returns: list[LeaseReturn] = Field(default_factory=list)


class LeaseRefusal(WireModel):
    request_id: str
    code: str
    message: str


class LeasesResponse(WireModel):
    granted: list[LeaseRecord]
    returned: list[str]  # lease ids whose return is recorded
    refused: list[LeaseRefusal] = Field(default_factory=list)


class LeaseList(WireModel):
    leases: list[LeaseRecord]


# ---- catalogue, calendar, agencies --------------------------------------------------------


class AgencyRecord(WireModel):
    code: str
    e_identifier: str
    name: str
    parent_name: str = ""
    unit: str  # unit code
    valid_from: date
    valid_to: date | None = None
    successor: str | None = None


class WorkRulesRecord(WireModel):
    unit: str | None = None  # unit code; None = province-wide default
    effective_from: date
    weekdays: list[int]
    periods: list[tuple[str, str]]  # [["07:30", "11:30"], ["13:00", "17:00"]]
    cutoff: str  # "15:00:00"
    hours_per_day: int
    note: str = ""


class CalendarDayRecord(WireModel):
    day: date
    kind: Literal["day-off", "make-up"]
    note: str
    source: str = ""
    effective_from: date | None = None


class CalendarDocument(WireModel):
    rules: list[WorkRulesRecord]
    exceptions: list[CalendarDayRecord]


# ---- change feed --------------------------------------------------------------------------


class DossierChange(WireModel):
    kind: Literal["dossier"] = "dossier"
    seq: int
    record: DossierRecord


class LeaseChange(WireModel):
    kind: Literal["lease"] = "lease"
    seq: int
    lease: LeaseRecord


class CatalogueChange(WireModel):
    kind: Literal["catalogue"] = "catalogue"
    seq: int
    version: int
    sha256: str
    document: str  # a motcua-catalogue/1 JSON document (docs/CATALOGUE_FORMAT.md)


class CalendarChange(WireModel):
    kind: Literal["calendar"] = "calendar"
    seq: int
    version: int
    sha256: str
    document: CalendarDocument


class AgencyChange(WireModel):
    kind: Literal["agency"] = "agency"
    seq: int
    agency: AgencyRecord


Change = Annotated[
    DossierChange | LeaseChange | CatalogueChange | CalendarChange | AgencyChange,
    Field(discriminator="kind"),
]


class ChangesResponse(WireModel):
    changes: list[Change]
    cursor: int  # pass back as `after`; monotonically increasing
    more: bool


# ---- consistency check and scope re-download ----------------------------------------------


class Digest(WireModel):
    """Count and sums of the server's (version, feed position) over the rows of a scope."""

    count: int = 0
    sum_version: int = 0
    sum_seq: int = 0


class LeaseDigest(WireModel):
    count: int = 0
    sum_first: int = 0
    sum_last: int = 0


class CheckRequest(WireModel):
    catalogue_version: int
    calendar_version: int
    months: dict[str, Digest]  # "2026-11" -> digest of the dossiers received that month
    leases: LeaseDigest


class CheckResponse(WireModel):
    catalogue_ok: bool
    calendar_ok: bool
    leases_ok: bool
    # Months whose digest differs, with the server's digest of each day in them ("2026-11-23").
    mismatched: dict[str, dict[str, Digest]]


class ScopedDossier(WireModel):
    seq: int
    record: DossierRecord


class ScopeResponse(WireModel):
    records: list[ScopedDossier]
    more: bool


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"
