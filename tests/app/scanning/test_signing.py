"""PAdES signing through a real SoftHSM2 token and a PKCS#12 file, validated right after.

One token per module (key pair generated on the token); SoftHSM2 never locks a PIN, so the
locked-PIN mapping is checked on the exception python-pkcs11 raises for a locked token.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pikepdf
import pkcs11
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.scanning import signing
from app.scanning.signing import (
    DEFAULT_REASON,
    PADES_SUBFILTER,
    SignatureDetails,
    SignatureError,
    TokenConfig,
)
from tests.app.scanning import pki

OFFICER = "Nguyễn Thị Hoa"
AGENCY = "UBND xã Tân Phước"
PIN = "246810"
WRONG_PIN = "wrong-pin-97531"
P12_PASSWORD = "mật-khẩu-p12"
MARKER = b"(HO SO 000123) Tj"
Validity = tuple[datetime | None, datetime | None]  # not before, not after (None: default)


@pytest.fixture(scope="module")
def ca() -> pki.CertAuthority:
    return pki.make_ca()


@pytest.fixture(scope="module")
def sub_ca(ca: pki.CertAuthority) -> pki.CertAuthority:
    """Issues the token certificates; only `ca` is a trust root, so validation relies on the
    chain the token holds and the signature embeds."""
    return pki.make_ca("MotCua Test Sub CA", issuer=ca)


@pytest.fixture(scope="module")
def token(
    tmp_path_factory: pytest.TempPathFactory, sub_ca: pki.CertAuthority
) -> Iterator[pki.SoftHsmToken]:
    """In a private SoftHSM2 token directory: the officer's token; a blank one ("TRONG"); one
    with an expired key beside its renewal ("GIA-HAN"); one with two current keys ("HAI-KHOA").
    """
    conf = pki.softhsm_conf(tmp_path_factory.mktemp("softhsm"))
    now = datetime.now(UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        officer = pki.create_officer_token(
            conf, sub_ca, OFFICER, label="CAN-BO-01", pin=PIN, key_label="Nguyen Thi Hoa"
        )
        pki.init_token(conf, "TRONG", PIN)
        default: Validity = (None, None)
        tokens: dict[str, list[Validity]] = {
            "GIA-HAN": [(now - timedelta(days=400), now - timedelta(days=1)), default],
            "HAI-KHOA": [default, default],
        }
        for label, key_validity in tokens.items():
            pki.init_token(conf, label, PIN)
            for number, (start, end) in enumerate(key_validity, start=1):
                pki.add_signing_key(
                    label,
                    PIN,
                    sub_ca,
                    f"{OFFICER} {number}",
                    key_label=f"khoa-{number}",
                    key_id=bytes([0x10 + number]),
                    not_before=start,
                    not_after=end,
                )
        yield officer


@pytest.fixture(scope="module")
def config(token: pki.SoftHsmToken) -> TokenConfig:
    return TokenConfig(module_path=token.module_path, token_label=token.label)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """Two pages, content streams uncompressed so a test can find and change a known byte."""
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    page.setFont("Helvetica", 12)
    page.drawString(72, 750, "HO SO 000123")
    page.showPage()
    page.setFont("Helvetica", 12)
    page.drawString(72, 750, "TRANG 2")
    page.showPage()
    page.save()
    data = out.getvalue()
    assert MARKER in data
    return data


@pytest.fixture(scope="module")
def token_signed(pdf: bytes, config: TokenConfig, ca: pki.CertAuthority) -> signing.SignedPdf:
    details = SignatureDetails(location="Bộ phận Một cửa xã Tân Phước")
    return signing.sign_and_verify_pkcs11(pdf, config, PIN, [ca.cert], details)


@pytest.fixture(scope="module")
def agency_p12(ca: pki.CertAuthority) -> bytes:
    return pki.to_pkcs12(pki.make_identity(ca, AGENCY), ca, P12_PASSWORD)


def _widget_flags(pdf: bytes) -> list[int]:
    with pikepdf.open(BytesIO(pdf)) as doc:
        return [int(f.get("/F", 0)) for f in doc.Root.AcroForm.Fields]


def test_token_signature_is_intact_valid_trusted_pades_and_names_the_officer(
    token_signed: signing.SignedPdf, pdf: bytes
) -> None:
    check = token_signed.check
    assert (check.intact, check.valid, check.trusted, check.ok) == (True, True, True, True)
    assert check.signer_name == OFFICER
    assert check.issuer_name == "MotCua Test Sub CA"  # trusted through the embedded chain
    assert check.subfilter == PADES_SUBFILTER == "/ETSI.CAdES.detached"
    assert check.covers_whole_document
    assert check.field_name == "ChuKySo1"
    assert check.signing_time is not None
    assert abs(datetime.now(UTC) - check.signing_time) < timedelta(minutes=5)
    assert check.summary.startswith("Chữ ký hợp lệ") and OFFICER in check.summary
    assert "không có dấu thời gian" in check.summary
    # incremental update: the original bytes are untouched, PDF/A stays PDF/A
    assert token_signed.data.startswith(pdf)
    with pikepdf.open(BytesIO(token_signed.data)) as doc:
        sig = doc.Root.AcroForm.Fields[0].V
        assert str(sig.Reason) == DEFAULT_REASON
        assert str(sig.Name) == OFFICER
        assert str(sig.Location) == "Bộ phận Một cửa xã Tân Phước"
    # invisible widget with the Print flag and neither Hidden nor NoView (PDF/A-2 6.3.2)
    (flags,) = _widget_flags(token_signed.data)
    assert flags & 4 and not flags & (2 | 1 | 32)


def test_explicit_key_and_certificate_labels_select_the_token_key(
    pdf: bytes, token: pki.SoftHsmToken, ca: pki.CertAuthority
) -> None:
    config = TokenConfig(
        token.module_path,
        token_label=token.label,
        key_label=token.key_label,
        cert_label=token.key_label,
    )
    signed = signing.sign_pdf_pkcs11(pdf, config, PIN)
    assert signing.validate(signed, [ca.cert]).signer_name == OFFICER


def test_changed_byte_inside_the_signed_content_breaks_the_signature(
    token_signed: signing.SignedPdf, ca: pki.CertAuthority
) -> None:
    data = bytearray(token_signed.data)
    with pikepdf.open(BytesIO(bytes(data))) as doc:
        start1, len1, start2, _len2 = (int(x) for x in doc.Root.AcroForm.Fields[0].V.ByteRange)
    position = data.index(MARKER) + len(b"(HO SO 00012")  # the digit "3"
    assert start1 <= position < start1 + len1 < start2  # signed, and not in the signature hex
    data[position : position + 1] = b"4"

    check = signing.validate(bytes(data), [ca.cert])
    assert not check.intact and not check.ok
    assert check.summary.startswith("Văn bản đã bị thay đổi sau khi ký")
    with pytest.raises(SignatureError) as caught:
        signing.verify_signed(bytes(data), [ca.cert])
    assert caught.value.code == "sign.invalid"
    assert "Văn bản đã bị thay đổi sau khi ký" in caught.value.message


def test_page_content_added_in_a_later_update_is_not_allowed(
    token_signed: signing.SignedPdf, ca: pki.CertAuthority
) -> None:
    # The signed bytes stay intact; an appended revision draws over page 1 (a "shadow" edit).
    writer = IncrementalPdfFileWriter(BytesIO(token_signed.data))
    overlay = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 730 Td (HO SO 999999) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(overlay))  # type: ignore[no-untyped-call]
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]

    (check,) = signing.validate_all(out.getvalue(), [ca.cert])
    assert check.intact and check.trusted
    assert not check.covers_whole_document and not check.later_changes_allowed
    assert not check.ok
    assert "thay đổi không được phép" in check.summary
    with pytest.raises(SignatureError) as caught:
        signing.verify_signed(out.getvalue(), [ca.cert])
    assert caught.value.code == "sign.invalid"


def test_wrong_pin_is_refused_in_vietnamese_without_echoing_the_pin(
    pdf: bytes, config: TokenConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_pkcs11(pdf, config, WRONG_PIN)
    error = caught.value
    assert error.code == "sign.pin_incorrect"
    assert error.message.startswith("Mã PIN của thiết bị ký số không đúng")
    exc: BaseException | None = error
    while exc is not None:  # nowhere in the chain a traceback would print
        assert WRONG_PIN not in str(exc) and WRONG_PIN not in repr(exc.args)
        exc = exc.__cause__ or exc.__context__
    assert WRONG_PIN not in repr(error.params)
    assert all(WRONG_PIN not in record.getMessage() for record in caplog.records)


def test_locked_pin_maps_to_its_own_code() -> None:
    error = signing._map_pkcs11_error(pkcs11.PinLocked())
    assert error.code == "sign.pin_locked"
    assert "đã bị khóa" in error.message


def test_correct_pin_still_works_after_a_wrong_one(
    pdf: bytes, config: TokenConfig, ca: pki.CertAuthority
) -> None:
    with pytest.raises(SignatureError):
        signing.sign_pdf_pkcs11(pdf, config, WRONG_PIN)
    assert signing.validate(signing.sign_pdf_pkcs11(pdf, config, PIN), [ca.cert]).ok


@pytest.mark.parametrize("token_label", ["KHONG-CO", None])
def test_absent_or_ambiguous_token_is_named(
    pdf: bytes, token: pki.SoftHsmToken, token_label: str | None
) -> None:
    # Without a label two initialised tokens (officer + blank) are present: ask which one.
    config = TokenConfig(token.module_path, token_label=token_label)
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_pkcs11(pdf, config, PIN)
    expected = "sign.token_missing" if token_label else "sign.token_ambiguous"
    assert caught.value.code == expected


def test_unloadable_module_means_token_missing(pdf: bytes, tmp_path: Path) -> None:
    not_a_library = tmp_path / "vendor_p11.dll"
    not_a_library.write_bytes(b"MZ not really a library")
    for module in (str(tmp_path / "missing.so"), str(not_a_library)):
        with pytest.raises(SignatureError) as caught:
            signing.sign_pdf_pkcs11(pdf, TokenConfig(module), PIN)
        assert caught.value.code == "sign.token_missing"
        assert caught.value.message.startswith("Không tìm thấy thiết bị ký số (USB token)")


def test_renewed_certificate_is_chosen_over_the_expired_one_and_two_current_keys_ask(
    pdf: bytes, token: pki.SoftHsmToken, ca: pki.CertAuthority
) -> None:
    renewed = signing.sign_pdf_pkcs11(
        pdf, TokenConfig(token.module_path, token_label="GIA-HAN"), PIN
    )
    assert signing.validate(renewed, [ca.cert]).signer_name == f"{OFFICER} 2"
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_pkcs11(pdf, TokenConfig(token.module_path, token_label="HAI-KHOA"), PIN)
    assert caught.value.code == "sign.key_ambiguous"
    chosen = TokenConfig(token.module_path, token_label="HAI-KHOA", key_label="khoa-1")
    assert signing.validate(signing.sign_pdf_pkcs11(pdf, chosen, PIN), [ca.cert]).ok


def test_expired_key_chosen_by_label_is_refused_before_signing(
    pdf: bytes, token: pki.SoftHsmToken
) -> None:
    config = TokenConfig(token.module_path, token_label="GIA-HAN", key_label="khoa-1")
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_pkcs11(pdf, config, PIN)
    assert caught.value.code == "sign.cert_expired"
    assert caught.value.message.startswith("Chứng thư số đã hết hạn sử dụng từ ngày")


@pytest.mark.parametrize(
    ("token_label", "key_label"), [("CAN-BO-01", "khoa-khac"), ("TRONG", None)]
)
def test_token_without_the_key_gives_key_missing(
    pdf: bytes, token: pki.SoftHsmToken, token_label: str, key_label: str | None
) -> None:
    config = TokenConfig(token.module_path, token_label=token_label, key_label=key_label)
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_pkcs11(pdf, config, PIN)
    assert caught.value.code == "sign.key_missing"


def test_software_certificate_signs_and_validates_like_the_token(
    pdf: bytes, agency_p12: bytes, ca: pki.CertAuthority
) -> None:
    signed = signing.sign_and_verify_software(pdf, agency_p12, P12_PASSWORD, [ca.cert])
    check = signed.check
    assert (check.intact, check.valid, check.trusted, check.covers_whole_document) == (
        True,
        True,
        True,
        True,
    )
    assert check.signer_name == AGENCY
    assert check.subfilter == PADES_SUBFILTER
    assert signed.data.startswith(pdf)


def test_wrong_pkcs12_password_is_refused_without_echoing_it(pdf: bytes, agency_p12: bytes) -> None:
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_software(pdf, agency_p12, "sai-mat-khau")
    assert caught.value.code == "sign.password_incorrect"
    assert "sai-mat-khau" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_signing_leaves_the_pdfa_metadata_untouched(
    pdf: bytes, agency_p12: bytes, ca: pki.CertAuthority
) -> None:
    # pyHanko on its own re-serialises XMP and renames unknown prefixes (motcua: → ns0:).
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        'xmlns:motcua="http://ns.motcua-desk.vn/so-hoa/1.0/">'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        "<motcua:dossierCode>000.00.17.H12-261123-0001</motcua:dossierCode>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()
    with pikepdf.open(BytesIO(pdf)) as doc:
        doc.Root.Metadata = doc.make_stream(packet, Type=pikepdf.Name.Metadata)
        doc.Root.Metadata.Subtype = pikepdf.Name.XML
        doc.docinfo["/Producer"] = "MotCua Desk"
        out = BytesIO()
        doc.save(out, fix_metadata_version=False)  # pikepdf would rewrite the packet too
    signed = signing.sign_and_verify_software(out.getvalue(), agency_p12, P12_PASSWORD, [ca.cert])
    with pikepdf.open(BytesIO(signed.data)) as doc:
        assert doc.Root.Metadata.read_bytes() == packet
        assert str(doc.docinfo["/Producer"]) == "MotCua Desk"


def test_certificate_from_another_ca_is_intact_but_not_trusted(
    pdf: bytes, ca: pki.CertAuthority
) -> None:
    stranger_ca = pki.make_ca("Another Test CA")
    p12 = pki.to_pkcs12(pki.make_identity(stranger_ca, OFFICER), stranger_ca, P12_PASSWORD)
    signed = signing.sign_pdf_software(pdf, p12, P12_PASSWORD)

    check = signing.validate(signed, [ca.cert])
    assert (check.intact, check.valid, check.trusted, check.ok) == (True, True, False, False)
    assert "không được tin cậy" in check.summary
    assert signing.validate(signed, [stranger_ca.cert]).trusted  # same file, its own root
    with pytest.raises(SignatureError) as caught:
        signing.sign_and_verify_software(pdf, p12, P12_PASSWORD, [ca.cert])
    assert caught.value.code == "sign.invalid"


def test_second_signature_by_the_agency_keeps_the_officers_valid(
    token_signed: signing.SignedPdf, agency_p12: bytes, ca: pki.CertAuthority
) -> None:
    both = signing.sign_and_verify_software(token_signed.data, agency_p12, P12_PASSWORD, [ca.cert])
    officer, agency = signing.validate_all(both.data, [ca.cert])
    assert (officer.field_name, agency.field_name) == ("ChuKySo1", "ChuKySo2")
    assert officer.signer_name == OFFICER and agency.signer_name == AGENCY
    assert officer.intact and officer.valid and officer.trusted
    assert not officer.covers_whole_document and officer.later_changes_allowed and officer.ok
    assert agency.ok and agency.covers_whole_document
    assert both.check == agency
    assert both.data.startswith(token_signed.data)
    assert all(f & 4 for f in _widget_flags(both.data))


@pytest.mark.parametrize(
    ("validity", "words"),
    [
        ({"not_after": datetime.now(UTC) - timedelta(days=1)}, "đã hết hạn"),
        ({"not_before": datetime.now(UTC) + timedelta(days=1)}, "chưa đến thời hạn"),
    ],
)
def test_certificate_outside_its_validity_is_refused_before_signing(
    pdf: bytes, ca: pki.CertAuthority, validity: dict[str, datetime], words: str
) -> None:
    if "not_after" in validity:
        validity["not_before"] = validity["not_after"] - timedelta(days=30)
    p12 = pki.to_pkcs12(pki.make_identity(ca, OFFICER, **validity), ca, P12_PASSWORD)
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_software(pdf, p12, P12_PASSWORD)
    assert caught.value.code == "sign.cert_expired"
    assert words in caught.value.message


def test_unsigned_pdf_has_no_signature_to_validate(pdf: bytes, ca: pki.CertAuthority) -> None:
    assert signing.validate_all(pdf, [ca.cert]) == []
    with pytest.raises(SignatureError) as caught:
        signing.validate(pdf, [ca.cert])
    assert caught.value.code == "sign.invalid"


def test_not_a_pdf_is_reported(agency_p12: bytes, ca: pki.CertAuthority) -> None:
    with pytest.raises(SignatureError) as caught:
        signing.sign_pdf_software(b"not a pdf", agency_p12, P12_PASSWORD)
    assert caught.value.code == "sign.bad_pdf"
    with pytest.raises(SignatureError) as caught:
        signing.validate_all(b"not a pdf", [ca.cert])
    assert caught.value.code == "sign.bad_pdf"


def test_every_message_is_nfc_vietnamese() -> None:
    for code, text in signing._MESSAGES.items():
        assert code.startswith("sign.")
        assert unicodedata.is_normalized("NFC", text)
    assert unicodedata.is_normalized("NFC", DEFAULT_REASON)
