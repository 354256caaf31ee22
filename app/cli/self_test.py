"""`motcua --self-test`: proves an installation (or a frozen bundle) works end to end.

Migrates a temporary database, loads the bundled demo catalogue, receives a dossier through the
real service, reads it back, renders its receipt (fonts, barcode, QR), digitises a synthetic page
for that dossier (pipeline, PDF/A, PAdES signature with a throwaway key and its validation, OCR
when tesseract is installed: `self_test_scanning`), and builds the main window offscreen. Prints a
JSON summary and exits 0, or prints what failed and exits 1. Touches nothing outside its
temporary directory.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.bootstrap import init_demo_data, open_context
from app.cli.self_test_scanning import check_digitisation
from app.services.catalogue import list_procedures
from app.services.dossiers import ReceiveDossier, receive_dossier
from app.services.queries import lookup, show_dossier


def run_self_test(*, with_ui: bool = True) -> int:
    started = time.perf_counter()
    report: dict[str, Any] = {"ok": False}
    try:
        with tempfile.TemporaryDirectory(prefix="motcua-selftest-") as tmp:
            ctx = open_context(Path(tmp))
            init_demo_data(ctx)
            procedures = list_procedures(ctx)
            received = receive_dossier(
                ctx,
                ReceiveDossier(
                    procedure=procedures[0].id,
                    applicant_name="Kiểm Tra Tự Động",
                    id_number="001190012345",
                ),
            ).dossier
            assert show_dossier(ctx, received.code).code == received.code
            assert [r.code for r in lookup(ctx, "kiem tra")] == [received.code]
            report.update(procedures=len(procedures), code=received.code)
            report["receipt_pdf_bytes"] = _render_receipt(ctx, received.code)
            steps: dict[str, Any] = {}  # filled step by step: a failure names its step
            report["digitisation"] = steps
            check_digitisation(steps, received.code, procedures[0].code)
            if with_ui:
                report["ui"] = _build_window_offscreen(ctx)
            ctx.db.close()
        report["ok"] = True
    except Exception as error:  # the point is to report any failure, whatever it is
        report["error"] = f"{type(error).__name__}: {error}"
    report["seconds"] = round(time.perf_counter() - started, 2)
    json.dump(report, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0 if report["ok"] else 1


def _render_receipt(ctx: Any, code: str) -> int:
    from app.domain.forms import FormKind
    from app.services.documents import PrintRequest, print_document
    from printing import render_document

    # A preview: rendered with fonts, barcode and QR, but not recorded as printed.
    printed = print_document(
        ctx, PrintRequest(FormKind.RECEIPT, code, preview=True), render_document
    )
    assert printed.pdf.startswith(b"%PDF"), "receipt is not a PDF"
    return len(printed.pdf)


def _build_window_offscreen(ctx: Any) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.self_check import build_main_window

    return build_main_window(ctx)
