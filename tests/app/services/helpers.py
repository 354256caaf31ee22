"""Small builders for service tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.services.catalogue import list_procedures
from app.services.context import ServiceContext
from app.services.dossiers import ReceiveDossier
from app.services.views import ProcedureView

VALID_CCCD = "001190012345"  # Hà Nội (001), female born 1990 (G=1, YY=90)


def procedure_with_unit(ctx: ServiceContext, unit: str, value: int | None = None) -> ProcedureView:
    for p in list_procedures(ctx):
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
