"""Small builders for service tests."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.digitisation import ComponentPdf, digitisation_status, save_component
from app.services.dossiers import ReceiveDossier
from app.services.scan_store import ScanStore
from app.services.views import ProcedureView

VALID_CCCD = "001190012345"  # Hà Nội (001), female born 1990 (G=1, YY=90)


def procedure_with_unit(
    ctx: ServiceContext, unit: str, value: int | None = None, *, no_digitising: bool = False
) -> ProcedureView:
    """The first demo procedure with that duration (`no_digitising`: and no must-digitise
    component, for tests that count events across a transfer)."""
    for p in list_procedures(ctx):
        if no_digitising and any(c.must_digitise for c in p.components):
            continue
        if p.duration.unit == unit and (value is None or p.duration.value == value):
            return p
    raise AssertionError(f"demo catalogue has no procedure in {unit} {value}")


def receive_cmd(procedure: str, **changes: Any) -> ReceiveDossier:
    base = ReceiveDossier(
        procedure=procedure,
        applicant_name="Đặng Thị Hoà",
        id_number=VALID_CCCD,
        address="Số 12, tổ 3, phường Tô Hiệu, tỉnh Sơn La",
        phone="+84912345678",
        date_of_birth=None,
    )
    return replace(base, **changes)


def tiny_pdf(text: str = "Bản số hóa thử") -> bytes:
    from reportlab.pdfgen import canvas

    from printing.fonts import SERIF, register_fonts

    register_fonts()
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont(SERIF, 12)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


def digitise_required(ctx: ServiceContext, code: str) -> None:
    """Satisfy the transfer rule for tests about something else: every must-digitise component
    gets a (stand-in) signed PDF. The real pipeline and signing are tested in tests/app/scanning
    and tests/app/services/test_digitisation.py."""
    store = ScanStore.beside(ctx)
    for c in digitisation_status(ctx, code).missing:
        item = ComponentPdf(tiny_pdf(c.name), 1, "import", signer="Cán bộ thử nghiệm")
        save_component(ctx, store, code, c.component_id, item)
