"""Papers that are not dossier forms (fee receipt, VietQR slip, reports) are audited when
printed: in the dossier's history when they concern one, never queued for upload."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db.models import Event, OutboxEntry
from app.domain.errors import PermissionDeniedError
from app.services.documents import DocumentPrint, record_document_print
from app.services.dossiers import receive_dossier
from app.services.queries import show_dossier
from tests.app.services.helpers import procedure_with_unit, receive_cmd


def test_a_fee_receipt_print_shows_in_the_dossier_history_and_is_not_uploaded(ctx):
    p = procedure_with_unit(ctx, "working-days")
    code = receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    with ctx.db.read() as s:
        queued_before = s.scalar(select(func.count()).select_from(OutboxEntry))
    printed = DocumentPrint(
        "print-fee-receipt", "fee_receipt", "r-1", code, {"series": "AA/26E", "number": "00000001"}
    )
    seq = record_document_print(ctx, printed, officer="canbo")
    history = show_dossier(ctx, code, officer="canbo").events
    assert history[-1].seq == seq
    assert history[-1].action_label == "In biên lai thu phí, lệ phí"
    assert history[-1].actor == "canbo"
    with ctx.db.read() as s:
        event = s.scalar(select(Event).where(Event.seq == seq))
        assert event is not None and event.data["number"] == "00000001"
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == queued_before


def test_a_report_print_without_a_dossier_is_audited_on_its_own(ctx):
    seq = record_document_print(
        ctx, DocumentPrint("print-fee-report", "fee_report", "2026-11-23"), officer="giamsat"
    )
    with ctx.db.read() as s:
        event = s.scalar(select(Event).where(Event.seq == seq))
    assert event is not None and event.dossier_id is None and event.entity_id == "2026-11-23"


def test_an_unknown_print_action_is_a_programming_error(ctx):
    with pytest.raises(ValueError):
        record_document_print(ctx, DocumentPrint("fee-refund", "x", "y"), officer="canbo")


def test_printing_needs_the_print_permission(ctx):
    # The administrator runs the installation and prints no citizen papers.
    with pytest.raises(PermissionDeniedError):
        record_document_print(ctx, DocumentPrint("print-fee-report", "fee_report", "d"), "admin")
