"""Digitised components end to end over a real SQLite store: rendered pages → pipeline → PDF/A →
(software-certificate) PAdES signature → sealed file + row + event + outbox; the transfer rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from app.db.models import Event, OutboxEntry
from app.db.scan_models import DigitisedFile
from app.domain.errors import NotFoundError, StateError, ValidationError
from app.scanning.model import RawPage, ScanError
from app.scanning.pdf_facts import inspect
from app.scanning.pipeline import PROFILES
from app.scanning.signing import sign_and_verify_software, validate
from app.services import dossiers
from app.services.digitisation import (
    ComponentPdf,
    digitisation_status,
    read_component,
    save_component,
    sign_component,
)
from app.services.digitise_flow import collect, digitise_pages
from app.services.scan_store import ScanStore, sha256_hex
from tests.app.scanning.pki import make_ca, make_identity, to_pkcs12
from tests.app.scanning.sample_pages import render_text_page
from tests.app.services.helpers import receive_cmd, tiny_pdf

PROCEDURE = "2.001019"  # Chứng thực di chúc: one must-digitise component among three


@pytest.fixture(scope="module")
def pki():
    ca = make_ca()
    officer = make_identity(ca, "Nguyễn Thị Hoa")
    return ca, to_pkcs12(officer, ca, "p12-pass")


@pytest.fixture
def store(ctx) -> ScanStore:
    return ScanStore.beside(ctx)


@pytest.fixture
def code(ctx) -> str:
    return dossiers.receive_dossier(ctx, receive_cmd(PROCEDURE)).dossier.code


def _signer(pki):
    ca, p12 = pki

    def sign(pdf: bytes) -> tuple[bytes, str]:
        signed = sign_and_verify_software(pdf, p12, "p12-pass", [ca.cert])
        return signed.data, signed.check.signer_name

    return sign


def _pages(n: int, error: ScanError | None = None) -> Iterator[RawPage]:
    for i in range(1, n + 1):
        yield RawPage(render_text_page(dpi=100, skew_deg=1.5, seed=i), 100, i, "test:0")
    if error is not None:
        raise error


def _count(ctx, model) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_status_lists_received_components_and_what_blocks_the_transfer(ctx, code):
    status = digitisation_status(ctx, code)
    assert len(status.components) == 3
    assert [c.position for c in status.components] == [1, 2, 3]
    assert len(status.missing) == 1 and status.missing[0].must_digitise
    before = _count(ctx, Event)
    with pytest.raises(StateError) as refused:
        dossiers.transfer(ctx, code)
    assert refused.value.code == "transfer.not_digitised"
    assert status.missing[0].name in refused.value.message
    assert _count(ctx, Event) == before


def test_scanned_pages_become_a_pdfa_component_sealed_on_disk_with_row_event_and_outbox(
    ctx, code, store
):
    batch = collect(_pages(3), PROFILES["gray-200"])
    assert batch.error is None and len(batch.pages) == 3
    target = digitisation_status(ctx, code).missing[0]
    saved = digitise_pages(ctx, store, code, str(target.position), batch.pages, source="sane")
    assert (saved.pages, saved.signed) == (3, False)
    view, pdf = read_component(ctx, store, code, target.component_id)
    assert sha256_hex(pdf) == saved.sha256 == view.sha256
    assert view.digitised and not view.signed and view.size == len(pdf)
    facts = inspect(pdf)
    assert facts.pages == 3
    assert facts.claims_pdfa_2b
    assert facts.component is not None and facts.component.dossier_code == code
    assert b"%PDF" not in store.path_of(saved.sha256).read_bytes()[:64]  # sealed at rest
    with ctx.db.read() as s:
        event = s.scalars(select(Event).order_by(Event.seq.desc())).first()
        outbox = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq.desc())).first()
    assert event is not None and event.action == "digitise"
    assert event.data["sha256"] == saved.sha256
    assert outbox is not None and outbox.payload["digitised_file"]["sha256"] == saved.sha256
    # Digitised but unsigned still blocks the transfer.
    with pytest.raises(StateError):
        dossiers.transfer(ctx, code)


def test_signing_supersedes_the_unsigned_version_and_unblocks_the_transfer(ctx, code, store, pki):
    target = digitisation_status(ctx, code).missing[0]
    pages = collect(_pages(2)).pages
    first = digitise_pages(ctx, store, code, target.component_id, pages, source="import")
    signed = sign_component(ctx, store, code, target.component_id, _signer(pki))
    assert signed.signed and signed.component.signer == "Nguyễn Thị Hoa"
    _, pdf = read_component(ctx, store, code, target.component_id)
    check = validate(pdf, [pki[0].cert])
    assert check.ok and check.signer_name == "Nguyễn Thị Hoa"
    with ctx.db.read() as s:
        rows = s.scalars(
            select(DigitisedFile).where(DigitisedFile.component_id == target.component_id)
        ).all()
    assert {(r.sha256, r.current) for r in rows} == {(first.sha256, False), (signed.sha256, True)}
    assert digitisation_status(ctx, code).missing == ()
    assert dossiers.transfer(ctx, code).status == 4
    with pytest.raises(StateError) as again:
        sign_component(ctx, store, code, target.component_id, _signer(pki))
    assert again.value.code == "scan.already_signed"


def test_a_jam_keeps_the_pages_read_before_it():
    jam = ScanError("scan.jammed", "Kẹt giấy trong khay nạp.", pages_kept=4)
    batch = collect(_pages(4, jam))
    assert len(batch.pages) == 4
    assert batch.error is jam


def test_digitised_rows_are_never_deleted(ctx, code, store):
    target = digitisation_status(ctx, code).components[0]
    save_component(ctx, store, code, "1", ComponentPdf(tiny_pdf(), 1, "import"))
    with ctx.db.write() as s, pytest.raises(Exception, match="never deleted"):
        s.execute(text("DELETE FROM digitised_files"))
    assert digitisation_status(ctx, code).components[0].digitised
    assert target.position == 1


def test_bad_input_is_refused_and_nothing_is_recorded(ctx, code, store):
    before = (_count(ctx, Event), _count(ctx, DigitisedFile))
    with pytest.raises(ValidationError) as not_pdf:
        save_component(ctx, store, code, "1", ComponentPdf(b"GIF89a...", 1, "import"))
    assert not_pdf.value.code == "scan.not_pdf"
    with pytest.raises(NotFoundError) as unknown:
        save_component(ctx, store, code, "9", ComponentPdf(tiny_pdf(), 1, "import"))
    assert unknown.value.code == "scan.component_unknown"
    assert "không có thành phần" in unknown.value.message
    assert (_count(ctx, Event), _count(ctx, DigitisedFile)) == before


def test_a_closed_dossier_cannot_be_digitised(ctx, code, store):
    dossiers.refuse(ctx, code, "Không thuộc thẩm quyền")
    with pytest.raises(StateError) as closed:
        save_component(ctx, store, code, "1", ComponentPdf(tiny_pdf(), 1, "import"))
    assert closed.value.code == "scan.dossier_closed"
