"""Real dossiers (received through the services over the demo data) and a print helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.services.context import ServiceContext
from app.services.documents import PrintedDocument, PrintRequest, print_document
from app.services.dossiers import ReceiveDossier, receive_dossier
from app.services.views import DossierView
from printing import render_document

# 60+ characters each: these must wrap, never overflow or be cut.
LONG_NAME = "Tôn Nữ Hoàng Phương Thảo Nguyên Khánh Linh Bảo Ngọc Diễm Quỳnh Anh Thư"
LONG_ADDRESS = (
    "Số nhà 123, ngõ 45, ngách 67, đường Chu Văn Thịnh, tổ dân phố số 8, "
    "phường Tô Hiệu, tỉnh Sơn La"
)
MANY_COMPONENTS = "1.013831"  # 16 components in the demo catalogue, a long procedure name


@pytest.fixture
def long_dossier(ctx: ServiceContext) -> DossierView:
    cmd = ReceiveDossier(
        procedure=MANY_COMPONENTS,
        applicant_name=LONG_NAME,
        id_number="001190012345",
        address=LONG_ADDRESS,
        phone="0912345678",
        email="thao.ton@example.vn",
        sets=2,
    )
    return receive_dossier(ctx, cmd).dossier


@pytest.fixture
def simple_dossier(ctx: ServiceContext) -> DossierView:
    cmd = ReceiveDossier(
        procedure="2.001019",  # Chứng thực di chúc: 50.000 đồng, 3 components
        applicant_name="Đặng Thị Hoà",
        id_number="001190012345",
        address="Số 12, tổ 3, phường Tô Hiệu, tỉnh Sơn La",
        phone="0912345678",
    )
    return receive_dossier(ctx, cmd).dossier


PrintFn = Callable[..., PrintedDocument]


@pytest.fixture
def print_form(ctx: ServiceContext) -> PrintFn:
    def run(kind: object, code: str, **options: object) -> PrintedDocument:
        return print_document(ctx, PrintRequest(kind, code, **options), render_document)  # type: ignore[arg-type]

    return run
