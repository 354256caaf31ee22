"""Document data from the store, and the audit of every print and reprint."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import Dossier, Event, OutboxEntry
from app.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.domain.forms import FormKind
from app.services import dossiers
from app.services.catalogue import get_procedure
from app.services.document_data import ReceiptData
from app.services.document_sources import status_lookup_text
from app.services.documents import (
    PrintRequest,
    list_prints,
    prepare_print,
    print_document,
    print_logbook,
)
from app.services.dossiers import receive_dossier
from app.services.queries import show_dossier
from tests.app.services.helpers import receive_cmd


def _fake_render(data) -> bytes:
    return b"%PDF-fake " + data.__class__.__name__.encode()


@pytest.fixture
def received(ctx):
    return receive_dossier(ctx, receive_cmd("1.013831", sets=2)).dossier


def _print(ctx, code, kind=FormKind.RECEIPT, **options):
    return print_document(ctx, PrintRequest(kind, code, **options), _fake_render)


def _events(ctx, dossier_id):
    with ctx.db.read() as s:
        return [
            (e.action, e.data)
            for e in s.scalars(
                select(Event).where(Event.dossier_id == dossier_id).order_by(Event.seq)
            )
        ]


def test_receipt_data_has_the_header_facts_components_fees_and_logbook_reference(ctx, received):
    job = prepare_print(ctx, PrintRequest(FormKind.RECEIPT, received.code))
    data = job.data
    assert isinstance(data, ReceiptData)
    facts = data.dossier
    assert facts.receiving.parent_name == "UBND TỈNH SƠN LA"
    assert facts.receiving.name == "Trung tâm Phục vụ hành chính công tỉnh Sơn La"
    assert facts.resolving.parent_name == "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    assert facts.place == "Sơn La"
    assert facts.receiving_point == received.receiving_point
    assert [(c.name, c.originals, c.copies) for c in facts.components] == [
        (c.name, c.originals, c.copies) for c in received.components
    ]
    assert len(facts.components) == 16
    fees = get_procedure(ctx, "1.013831").fees
    assert [(f.name, f.amount, f.unit) for f in facts.fees] == [
        (f.name, f.amount, f.unit) for f in fees
    ]
    assert (facts.book_no, facts.entry_no) == (received.book_no, received.entry_no)
    assert facts.sets == 2
    assert facts.duration_text == received.duration.text
    assert (facts.received_at, facts.appointment) == (received.received_at, received.appointment)
    assert facts.officer_name == "Cán bộ một cửa (mẫu)"
    assert data.supplement_round == 0
    assert data.copies == (1, 2)
    assert data.lookup_text == status_lookup_text(received.code)
    assert not data.marks.reprint and not data.marks.preview


def test_every_print_is_audited_without_an_outbox_entry_and_reprints_are_marked(
    ctx, clock, received
):
    with ctx.db.read() as s:
        outbox_before = s.scalar(select(func.count()).select_from(OutboxEntry))
    first = _print(ctx, received.code)
    clock.current += timedelta(minutes=5)
    again = _print(ctx, received.code, copies=(2,), layout="80mm")
    assert not first.reprint and not first.data.marks.reprint
    assert again.reprint and again.data.marks.reprint
    assert again.data.marks.printed_at == clock.current
    assert again.event_seq and first.event_seq and again.event_seq > first.event_seq
    actions = [(a, d["copies"], d["layout"]) for a, d in _events(ctx, received.id)[1:]]
    assert actions == [("print-form-01", [1, 2], "a5"), ("reprint-form-01", [2], "80mm")]
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == outbox_before


def test_copies_printed_one_at_a_time_are_each_a_first_print(ctx, received):
    assert not _print(ctx, received.code, copies=(1,)).reprint
    assert not _print(ctx, received.code, copies=(2,)).reprint
    assert _print(ctx, received.code, copies=(2,)).reprint


def test_a_scanning_clerk_may_print_but_not_reprint(ctx, received):
    first = _print(ctx, received.code, officer="sohoa")
    assert first.event_seq and _events(ctx, received.id)[-1][0] == "print-form-01"
    with pytest.raises(PermissionDeniedError):
        _print(ctx, received.code, officer="sohoa")
    assert len(_events(ctx, received.id)) == 2
    assert _print(ctx, received.code).reprint  # the counter officer may


def test_a_preview_is_watermarked_data_and_not_audited(ctx, received):
    preview = _print(ctx, received.code, preview=True)
    assert preview.event_seq is None and preview.data.marks.preview
    assert [a for a, _ in _events(ctx, received.id)] == ["receive"]
    assert not _print(ctx, received.code).reprint  # a preview is not a first print


def test_printing_never_changes_the_dossier(ctx, clock, received):
    with ctx.db.read() as s:
        before = s.get(Dossier, received.id)
        snapshot = (before.status, before.row_version, before.updated_at, before.appointment)
    clock.current += timedelta(hours=1)
    for kind in (FormKind.RECEIPT, FormKind.CONTROL_SHEET, FormKind.RECEIPT):
        _print(ctx, received.code, kind)
    with ctx.db.read() as s:
        after = s.get(Dossier, received.id)
        assert (after.status, after.row_version, after.updated_at, after.appointment) == snapshot


def test_a_failed_render_records_nothing(ctx, received):
    def broken(data):
        raise OSError("printer spooler gone")

    with pytest.raises(OSError):
        print_document(ctx, PrintRequest(FormKind.RECEIPT, received.code), broken)
    assert [a for a, _ in _events(ctx, received.id)] == ["receive"]
    assert not _print(ctx, received.code).reprint


def test_the_dossier_view_lists_the_forms_printed(ctx, received):
    _print(ctx, received.code)
    _print(ctx, received.code, FormKind.CONTROL_SHEET)
    _print(ctx, received.code, copies=(1,))
    records = list_prints(ctx, received.code)
    assert [(r.kind, r.reprint) for r in records] == [
        (FormKind.RECEIPT, False),
        (FormKind.CONTROL_SHEET, False),
        (FormKind.RECEIPT, True),
    ]
    assert records[0].actor == "canbo" and records[0].copies == (1, 2)
    labels = [e.action_label for e in show_dossier(ctx, received.code).events]
    assert "In mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in labels
    assert "In lại mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in labels


def test_a_supplement_receipt_is_a_new_document_not_a_reprint(ctx, clock, received):
    _print(ctx, received.code)
    dossiers.request_supplement(ctx, received.code, "Thiếu tờ khai lệ phí trước bạ")
    clock.current += timedelta(days=2)
    dossiers.receive_supplement(ctx, received.code)
    printed = _print(ctx, received.code)
    assert not printed.reprint
    assert printed.data.supplement_round == 1
    assert printed.data.dossier.received_at == clock.current
    assert printed.data.components_all_rounds
    assert _print(ctx, received.code).reprint


def test_a_second_supplement_request_is_a_new_form_02(ctx, clock, received):
    dossiers.request_supplement(ctx, received.code, "Thiếu bản đồ")
    assert not _print(ctx, received.code, FormKind.SUPPLEMENT_REQUEST).reprint
    assert _print(ctx, received.code, FormKind.SUPPLEMENT_REQUEST).reprint
    dossiers.receive_supplement(ctx, received.code)
    dossiers.request_supplement(ctx, received.code, "Bản đồ chưa có xác nhận")
    second = _print(ctx, received.code, FormKind.SUPPLEMENT_REQUEST)
    assert not second.reprint
    assert second.data.reason == "Bản đồ chưa có xác nhận"


@pytest.mark.parametrize(
    "request_options",
    [
        {"kind": FormKind.LOGBOOK},
        {"kind": FormKind.RECEIPT, "copies": ()},
        {"kind": FormKind.RECEIPT, "copies": (3,)},
        {"kind": FormKind.RECEIPT, "layout": "a4"},
    ],
)
def test_bad_requests_are_refused_before_anything_is_written(ctx, received, request_options):
    kind = request_options.pop("kind")
    with pytest.raises(ValidationError):
        _print(ctx, received.code, kind, **request_options)
    assert [a for a, _ in _events(ctx, received.id)] == ["receive"]


def test_an_unknown_code_is_not_found(ctx):
    with pytest.raises(NotFoundError):
        _print(ctx, "000.00.70.H52-261123-9999")


def test_logbook_prints_are_audited_against_the_receiving_point(ctx, received):
    printed = print_logbook(ctx, date(2026, 11, 23), render=_fake_render)
    assert printed.data.page.total == 1
    assert printed.file_name == "so-theo-doi_2026-11-23_2026-11-23.pdf"
    with ctx.db.read() as s:
        event = s.scalars(select(Event).where(Event.action == "print-form-07")).one()
    assert event.entity_type == "receiving_point" and event.dossier_id is None
    assert event.data == {"form": "07", "from": "2026-11-23", "to": "2026-11-23", "entries": 1}
    assert printed.data.issuer.parent_name == "UBND TỈNH SƠN LA"
    assert printed.data.place == "Sơn La"
