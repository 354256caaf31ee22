"""Digitised components of a dossier (số hóa, DOMAIN §6): what is digitised and signed, saving a
component's PDF, signing it, and the rule that blocks the transfer while a must-digitise component
is missing or unsigned (Tiền Giang 2025 Art. 16).

The PDF is built by the caller (`app.scanning` + `services.digitise_flow`); this module stores it
(`scan_store`, sealed, content-addressed), records the row, the event and the outbox entry in one
transaction, and never overwrites: a new save supersedes the previous version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Dossier, DossierComponent, ProcedureComponent, ReceivingPoint
from app.db.scan_models import DigitisedFile
from app.domain.errors import NotFoundError, StateError, ValidationError
from app.domain.lifecycle import TERMINAL, Status
from app.domain.permissions import Permission
from app.domain.text import clean_text
from app.scanning.model import ComponentMeta
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.journal import record_change
from app.services.queries import find_by_code
from app.services.scan_store import ScanStore, sha256_hex

# Largest PDF one component may have (a 100-page colour component at 200 dpi is ~40 MB).
MAX_COMPONENT_BYTES = 200 * 1024 * 1024
SOURCES = ("sane", "escl", "import", "wia")


@dataclass(frozen=True)
class ComponentScanView:
    """One checklist component of a dossier, as the scanning screen and the CLI show it."""

    component_id: str
    position: int
    name: str
    original: bool
    must_digitise: bool
    digitised: bool
    signed: bool
    pages: int
    size: int
    sha256: str
    file_name: str
    file_id: str
    digitised_by: str
    digitised_at: datetime | None
    signer: str


@dataclass(frozen=True)
class DigitisationView:
    code: str
    procedure_code: str
    procedure_name: str
    status: int
    components: tuple[ComponentScanView, ...]

    @property
    def missing(self) -> tuple[ComponentScanView, ...]:
        """Must-digitise components not yet digitised and signed: they block the transfer."""
        return tuple(c for c in self.components if c.must_digitise and not c.signed)


@dataclass(frozen=True)
class SavedComponent:
    component: ComponentScanView
    sha256: str
    size: int
    pages: int
    signed: bool


def _received_components(session: Session, dossier: Dossier) -> list[DossierComponent]:
    """The checklist components received (latest round wins for a component given again)."""
    latest: dict[str, DossierComponent] = {}
    for c in dossier.components:
        if c.component_id is not None:
            latest[c.component_id] = c
    return sorted(latest.values(), key=lambda c: c.position)


def _current_files(session: Session, dossier_id: str) -> dict[str, DigitisedFile]:
    rows = session.scalars(
        select(DigitisedFile).where(
            DigitisedFile.dossier_id == dossier_id, DigitisedFile.current.is_(True)
        )
    )
    return {r.component_id: r for r in rows}


def _component_view(
    session: Session, c: DossierComponent, current: DigitisedFile | None
) -> ComponentScanView:
    spec = session.get(ProcedureComponent, c.component_id)
    return ComponentScanView(
        component_id=c.component_id or "",
        position=c.position,
        name=c.name,
        original=c.originals > 0,
        must_digitise=bool(spec and spec.must_digitise),
        digitised=current is not None,
        signed=bool(current and current.signed),
        pages=current.pages if current else 0,
        size=current.size if current else 0,
        sha256=current.sha256 if current else "",
        file_name=current.file_name if current else "",
        file_id=current.id if current else "",
        digitised_by=current.digitised_by if current else "",
        digitised_at=current.digitised_at if current else None,
        signer=current.signer if current else "",
    )


def _view(session: Session, dossier: Dossier) -> DigitisationView:
    files = _current_files(session, dossier.id)
    return DigitisationView(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_name,
        status=dossier.status,
        components=tuple(
            _component_view(session, c, files.get(c.component_id or ""))
            for c in _received_components(session, dossier)
        ),
    )


def digitisation_status(
    ctx: ServiceContext, code: str, *, officer: str | None = None
) -> DigitisationView:
    now = ctx.clock.now()
    with ctx.db.read() as session:
        require(session, None, officer, Permission.SCAN, now)
        return _view(session, find_by_code(session, code))


def missing_for_transfer(dossier: Dossier) -> list[str]:
    """Names of must-digitise components that are not digitised and signed."""
    session = Session.object_session(dossier)
    assert session is not None
    return [c.name for c in _view(session, dossier).missing]


def _find_component(session: Session, dossier: Dossier, ref: str) -> DossierComponent:
    ref = clean_text(ref)
    for c in _received_components(session, dossier):
        if ref in (c.component_id, str(c.position)):
            return c
    raise NotFoundError(
        "scan.component_unknown",
        f"Hồ sơ {dossier.code} không có thành phần «{ref}» trong danh sách đã tiếp nhận.",
        field="component",
    )


def _ensure_open(dossier: Dossier) -> None:
    if Status(dossier.status) in TERMINAL:
        raise StateError(
            "scan.dossier_closed",
            f"Hồ sơ {dossier.code} đã kết thúc ({Status(dossier.status).label}), "
            "không số hóa thêm được.",
        )


def component_meta(
    ctx: ServiceContext, code: str, component: str, *, officer: str | None = None
) -> ComponentMeta:
    """What goes into the PDF's conversion mark and metadata, for the officer acting now."""
    now = ctx.clock.now()
    with ctx.db.read() as session:
        user = require(session, None, officer, Permission.SCAN, now)
        dossier = find_by_code(session, code)
        _ensure_open(dossier)
        c = _find_component(session, dossier, component)
        return ComponentMeta(
            dossier_code=dossier.code,
            procedure_code=dossier.procedure_code,
            component_position=c.position,
            component_name=c.name,
            original=c.originals > 0,
            digitised_by=user.full_name or user.username,
            unit_name=_unit_name(session, dossier),
            digitised_at=now,
        )


def _unit_name(session: Session, dossier: Dossier) -> str:
    point = session.get(ReceivingPoint, dossier.receiving_point_id)
    return point.name if point else dossier.receiving_agency_name


def _check_pdf(pdf: bytes) -> None:
    if not pdf.startswith(b"%PDF-"):
        raise ValidationError("scan.not_pdf", "Tệp số hóa không phải là tệp PDF.")
    if len(pdf) > MAX_COMPONENT_BYTES:
        raise ValidationError(
            "scan.too_large",
            f"Tệp số hóa quá lớn (trên {MAX_COMPONENT_BYTES // (1024 * 1024)} MB); "
            "hãy quét ở độ phân giải thấp hơn hoặc chế độ xám/đen trắng.",
        )


@dataclass(frozen=True)
class ComponentPdf:
    """A component's finished PDF and what the caller knows about it."""

    pdf: bytes
    pages: int
    source: str  # sane | escl | import | wia
    ocr: bool = False
    signer: str = ""  # certificate CN when `pdf` is already signed and validated
    note: str = ""


def save_component(
    ctx: ServiceContext,
    store: ScanStore,
    code: str,
    component: str,
    item: ComponentPdf,
    *,
    officer: str | None = None,
) -> SavedComponent:
    """Store the PDF (sealed, before the transaction: an orphan file is harmless, a row without
    its file is not), then record the new version, the event and the outbox entry."""
    # Imported here: the PDF layer (pikepdf, reportlab) is not needed to receive a dossier, and
    # dossiers.transfer imports this module for its digitisation check.
    from app.scanning.pdf import file_name

    _check_pdf(item.pdf)
    if item.source not in SOURCES or item.pages < 1:
        raise ValidationError("scan.input", "Thông tin tệp số hóa không hợp lệ.")
    digest = store.put(item.pdf)
    now = ctx.clock.now()
    signed = bool(item.signer)
    permission = Permission.SIGN_DIGITISED if signed else Permission.SCAN
    with ctx.db.write() as session:
        user = require(session, None, officer, permission, now)
        dossier = find_by_code(session, code)
        _ensure_open(dossier)
        c = _find_component(session, dossier, component)
        assert c.component_id is not None
        previous = _current_files(session, dossier.id).get(c.component_id)
        if previous is not None:
            previous.current = False
        meta = ComponentMeta(
            dossier.code,
            dossier.procedure_code,
            c.position,
            c.name,
            c.originals > 0,
            user.full_name or user.username,
            _unit_name(session, dossier),
            now,
        )
        row = DigitisedFile(
            dossier_id=dossier.id,
            component_id=c.component_id,
            position=c.position,
            component_name=c.name,
            original=c.originals > 0,
            file_name=file_name(meta),
            sha256=digest,
            size=len(item.pdf),
            pages=item.pages,
            ocr=item.ocr,
            source=item.source,
            digitised_by=user.username,
            digitised_at=now,
            signed=signed,
            signer=item.signer,
            signed_at=now if signed else None,
            current=True,
            supersedes_id=previous.id if previous else None,
            uploaded=False,
            note=clean_text(item.note),
        )
        session.add(row)
        session.flush()
        record_change(
            session,
            at=now,
            actor=user.username,
            workstation=ctx.workstation,
            action="sign-digitised" if signed else "digitise",
            entity_type="digitised_file",
            entity_id=row.id,
            dossier_id=dossier.id,
            reason=row.note,
            data={
                "component": c.position,
                "sha256": digest,
                "pages": item.pages,
                "bytes": len(item.pdf),
                "signed": signed,
                "supersedes": row.supersedes_id,
            },
            outbox_payload={"digitised_file": _snapshot(row, dossier.code)},
        )
        view = _component_view(session, c, row)
    return SavedComponent(view, digest, len(item.pdf), item.pages, signed)


def _snapshot(row: DigitisedFile, code: str) -> dict[str, object]:
    """What the central system gets (the PDF itself travels as a blob named by `sha256`)."""
    return {
        "id": row.id,
        "dossier_code": code,
        "component_id": row.component_id,
        "position": row.position,
        "component_name": row.component_name,
        "original": row.original,
        "file_name": row.file_name,
        "sha256": row.sha256,
        "size": row.size,
        "pages": row.pages,
        "ocr": row.ocr,
        "digitised_by": row.digitised_by,
        "digitised_at": row.digitised_at.isoformat(),
        "signed": row.signed,
        "signer": row.signer,
        "supersedes": row.supersedes_id,
    }


def read_component(
    ctx: ServiceContext,
    store: ScanStore,
    code: str,
    component: str,
    *,
    officer: str | None = None,
) -> tuple[ComponentScanView, bytes]:
    """The current PDF of a component (a sensitive read: it carries personal data)."""
    now = ctx.clock.now()
    with ctx.db.read() as session:
        require(session, None, officer, Permission.SCAN, now)
        dossier = find_by_code(session, code)
        c = _find_component(session, dossier, component)
        current = _current_files(session, dossier.id).get(c.component_id or "")
        if current is None:
            raise NotFoundError(
                "scan.not_digitised", f"Thành phần «{c.name}» chưa được số hóa.", field="component"
            )
        view = _component_view(session, c, current)
    return view, store.get(view.sha256)


Signer = Callable[[bytes], tuple[bytes, str]]  # PDF in → (signed and validated PDF, signer CN)


def sign_component(
    ctx: ServiceContext,
    store: ScanStore,
    code: str,
    component: str,
    sign: Signer,
    *,
    officer: str | None = None,
) -> SavedComponent:
    """Sign the current version with `sign` (PIN prompt and token live in the caller) and save
    the signed PDF as the new current version."""
    now = ctx.clock.now()
    with ctx.db.read() as session:
        require(session, None, officer, Permission.SIGN_DIGITISED, now)
    view, pdf = read_component(ctx, store, code, component, officer=officer)
    if view.signed:
        raise StateError(
            "scan.already_signed", f"Thành phần «{view.name}» đã được ký số ({view.signer})."
        )
    signed_pdf, signer = sign(pdf)
    if sha256_hex(signed_pdf) == view.sha256 or not signer:
        raise ValidationError("sign.invalid", "Ký số không thành công: tệp không thay đổi.")
    return save_component(
        ctx,
        store,
        code,
        component,
        ComponentPdf(signed_pdf, view.pages, _source_of(ctx, view.file_id), signer=signer),
        officer=officer,
    )


def _source_of(ctx: ServiceContext, file_id: str) -> str:
    with ctx.db.read() as session:
        row = session.get(DigitisedFile, file_id)
        return row.source if row else "import"
