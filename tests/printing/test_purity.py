"""The printing layer renders without the database or Qt ever being loaded (the import-linter
contract allows indirect imports; this checks what a fresh interpreter actually loads)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_importing_and_rendering_loads_neither_the_store_nor_qt():
    script = (
        "import sys, printing\n"
        "from tests.printing.test_purity import _sample\n"
        "assert printing.render_document(_sample()).startswith(b'%PDF')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'PySide6') or m.startswith('app.db'))\n"
        "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert out.strip() == ""


def _sample():  # built here, without services: a minimal receipt
    from datetime import datetime

    from app.domain.clock import VN_TZ
    from app.services.document_data import DossierParticulars, Issuer, PrintMarks, ReceiptData

    at = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)
    facts = DossierParticulars(
        code="000.00.70.H52-261123-0001",
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        receiving=Issuer("UBND TỈNH SƠN LA", "Trung tâm Phục vụ hành chính công tỉnh Sơn La"),
        resolving=Issuer("", "Ủy ban nhân dân phường Tô Hiệu"),
        receiving_point="Trung tâm Phục vụ hành chính công tỉnh Sơn La",
        place="Sơn La",
        applicant_name="Lò Văn Ượi",
        id_number="001190012345",
        address="Bản Mòng, Sơn La",
        phone="",
        email="",
        submitter_name="",
        sets=1,
        duration_text="Trong ngày",
        received_at=at,
        appointment=at,
        delivery="counter",
        delivery_address="",
        book_no="q/2026",
        entry_no=1,
        officer_name="Cán bộ",
        components=(),
        fees=(),
    )
    return ReceiptData(facts, 0, (1,), "tra-cuu", PrintMarks(at))
