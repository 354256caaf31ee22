"""`motcua scan` / `motcua import-file` end to end: the real SANE `test` backend (10-page feeder),
real files, the real pipeline, PDF/A, PKCS#12 signing, the sealed store and the database."""

from __future__ import annotations

import io
import json

import pdfplumber
import pytest

from app.bootstrap import open_context
from app.cli import main
from app.scanning.model import CONVERSION_MARK_TEXT
from app.scanning.pdf_facts import inspect
from app.scanning.signing import validate
from app.services import dossiers
from app.services.digitisation import digitisation_status, read_component
from app.services.scan_store import ScanStore
from app.services.signing_setup import SigningSetup, save_signing_setup
from tests.app.scanning.pki import make_ca, make_identity, to_pkcs12
from tests.app.scanning.sample_pages import render_text_page
from tests.app.services.helpers import receive_cmd

PROCEDURE = "2.001019"  # three components, one of them must be digitised and signed


@pytest.fixture
def data(tmp_path, capsys):
    folder = tmp_path / "data"
    assert main(["init-demo", "--data-dir", str(folder)]) == 0
    capsys.readouterr()
    return folder


@pytest.fixture
def code(data):
    ctx = open_context(data)
    try:
        return dossiers.receive_dossier(ctx, receive_cmd(PROCEDURE)).dossier.code
    finally:
        ctx.db.close()


def run(capsys, data, *args):
    status = main([*args, "--data-dir", str(data), "--json"])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out.strip() else None), err


def stored(data, code, component):
    ctx = open_context(data)
    try:
        return read_component(ctx, ScanStore.beside(ctx), code, component)
    finally:
        ctx.db.close()


def test_a_ten_page_feeder_run_becomes_a_pdfa_with_mark_and_metadata(
    sane_test_config, capsys, data, code
):
    status, summary, err = run(
        capsys, data, "scan", "--dossier", code, "--component", "1",
        "--device", "test:0", "--source", "adf", "--dpi", "100", "--mode", "color",
    )  # fmt: skip
    assert status == 0, err
    assert summary["pages"] == 10 and summary["signed"] is False
    view, pdf = stored(data, code, "1")
    assert view.sha256 == summary["sha256"] and view.pages == 10
    facts = inspect(pdf, validate=True)
    assert facts.pages == 10 and facts.claims_pdfa_2b and facts.validator_passed
    assert facts.component is not None
    assert (facts.component.dossier_code, facts.component.component_position) == (code, 1)
    assert facts.component.procedure_code == PROCEDURE
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        first = doc.pages[0].extract_text() or ""
    assert CONVERSION_MARK_TEXT in first


def test_import_files_with_signing_reads_the_password_from_stdin(
    capsys, monkeypatch, tmp_path, data, code
):
    ca = make_ca()
    p12 = tmp_path / "officer.p12"
    p12.write_bytes(to_pkcs12(make_identity(ca, "Lò Thị Mai"), ca, "mat-khau"))
    root = tmp_path / "root.pem"
    from cryptography.hazmat.primitives.serialization import Encoding

    root.write_bytes(ca.cert.public_bytes(Encoding.PEM))
    save_signing_setup(data, SigningSetup("pkcs12", None, p12, (root,)))
    page = tmp_path / "trang-1.png"
    render_text_page(dpi=100, skew_deg=2.0).save(page)
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau\n"))
    ctx = open_context(data)
    try:
        required = str(digitisation_status(ctx, code).missing[0].position)
    finally:
        ctx.db.close()
    status, summary, err = run(
        capsys, data, "import-file", "--dossier", code, "--component", required, "--sign", str(page)
    )
    assert status == 0, err
    assert summary["signed"] is True and summary["signer"] == "Lò Thị Mai"
    _, pdf = stored(data, code, required)
    assert validate(pdf, [ca.cert]).ok
    ctx = open_context(data)
    try:
        assert digitisation_status(ctx, code).missing == ()
    finally:
        ctx.db.close()


def test_a_corrupt_file_is_refused_and_nothing_is_stored(capsys, tmp_path, data, code):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    status, _, err = run(
        capsys, data, "import-file", "--dossier", code, "--component", "1", str(bad)
    )
    assert status == 3
    assert "hỏng" in err or "không đọc được" in err.lower()
    ctx = open_context(data)
    try:
        assert not digitisation_status(ctx, code).components[0].digitised
    finally:
        ctx.db.close()
    assert not (data / "scans").exists() or not any((data / "scans").rglob("*.sealed"))
