"""PAdES signatures on digitised components, and their validation.

The officer signs with a USB token through its PKCS#11 module (`sign_pdf_pkcs11`), or, for
testing and stand-alone installations, with a software certificate in a PKCS#12 file
(`sign_pdf_software`). Signatures are PAdES B-B (`/ETSI.CAdES.detached`, the signer's certificate
and the chain the token holds embedded, SHA-256). There is no timestamp: a counter is often
offline and no timestamping service is configured, so the signing time is the one the signer's
computer claims (B-T would need a TSA URL: pyHanko's `HTTPTimeStamper`). The signature is an
incremental update with an invisible, print-flagged widget that leaves the XMP metadata
untouched, so a PDF/A-2b file stays PDF/A-2b and an earlier signature stays valid when a second
one (the agency's) is added.

`sign_and_verify_*` validate the result at once against the trust roots (no network) and refuse
to hand back a document whose signature does not check out.

The PIN is a parameter of each call and is never stored, logged or put into an error message.
pyHanko signs through `asyncio.run`: call these functions from a worker thread, never from the
Qt/qasync event loop thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pkcs11

# asn1crypto has no type information (pyHanko's certificate and key types come from it)
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)
from pkcs11 import Attribute, ObjectClass, TokenFlag
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.domain.errors import AppError
from app.domain.formatting import vn_date

log = logging.getLogger(__name__)

DEFAULT_REASON = "Ký số bản điện tử chuyển đổi từ văn bản giấy"
PADES_SUBFILTER = "/ETSI.CAdES.detached"
FIELD_PREFIX = "ChuKySo"
# Individual certificates carry non-repudiation; some agency certificates only digital-signature.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
)
# One PKCS#11 operation at a time: the module is initialised and finalised around each one.
_pkcs11_lock = threading.Lock()


class SignatureError(AppError):
    """Signing or validation refused. Codes: sign.pin_incorrect, sign.pin_locked,
    sign.token_missing, sign.token_ambiguous, sign.key_missing, sign.key_ambiguous,
    sign.cert_expired, sign.password_incorrect, sign.bad_pdf, sign.invalid, sign.failed."""


_MESSAGES = {
    "sign.pin_incorrect": "Mã PIN của thiết bị ký số không đúng. Xin kiểm tra và nhập lại; "
    "lưu ý thiết bị sẽ bị khóa nếu nhập sai nhiều lần.",
    "sign.pin_locked": "Mã PIN của thiết bị ký số đã bị khóa do nhập sai quá số lần cho phép. "
    "Xin liên hệ tổ chức cung cấp chứng thư số để mở khóa.",
    "sign.token_missing": "Không tìm thấy thiết bị ký số (USB token). Xin cắm thiết bị vào máy "
    "rồi thử lại; nếu vẫn không được, xin kiểm tra trình điều khiển (driver) của thiết bị.",
    "sign.token_ambiguous": "Có nhiều thiết bị ký số đang cắm vào máy. Xin chỉ để lại thiết bị "
    "của mình, hoặc chọn thiết bị trong phần cài đặt ký số.",
    "sign.key_missing": "Không tìm thấy khóa bí mật hoặc chứng thư số dùng để ký. Xin kiểm tra "
    "lại thiết bị ký số hoặc phần cài đặt ký số.",
    "sign.key_ambiguous": "Thiết bị ký số có nhiều khóa ký. Xin chọn khóa và chứng thư số dùng "
    "để ký trong phần cài đặt ký số.",
    "sign.password_incorrect": "Mật khẩu của tệp chứng thư số không đúng, hoặc tệp không phải "
    "là tệp chứng thư số (.p12, .pfx).",
    "sign.bad_pdf": "Không đọc được tệp PDF cần ký hoặc cần kiểm tra.",
    "sign.failed": "Ký số không thành công do lỗi của thiết bị ký số hoặc chứng thư số "
    "({reason}). Xin thử lại; với USB token, xin rút thiết bị ra, cắm lại rồi ký lại.",
}


def _error(code: str, **params: Any) -> SignatureError:
    return SignatureError(code, _MESSAGES[code].format(**params), **params)


@dataclass(frozen=True)
class TokenConfig:
    """Where the officer's key lives. With no labels, the token's only signing key is used
    (and the certificate with the same CKA_ID). `slot` is the PKCS#11 slot ID."""

    module_path: str  # e.g. C:\\Windows\\System32\\<vendor>_p11.dll, /usr/lib/softhsm/...
    slot: int | None = None
    token_label: str | None = None
    key_label: str | None = None
    cert_label: str | None = None


@dataclass(frozen=True)
class SignatureDetails:
    signer_name: str | None = None  # None: the certificate's common name
    reason: str = DEFAULT_REASON
    location: str | None = None  # e.g. "UBND xã Tân Phước, tỉnh Đồng Tháp"


@dataclass(frozen=True)
class SignatureCheck:
    """What validation found for one signature, in words an officer can read (`summary`)."""

    field_name: str
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is correct
    trusted: bool  # the certificate chains to a trust root and is within its validity now
    signer_name: str  # common name of the signer's certificate
    issuer_name: str  # common name of the CA that issued it
    signing_time: datetime | None  # claimed by the signer's computer (no timestamp, B-B)
    subfilter: str
    covers_whole_document: bool  # nothing was added after this signature
    later_changes_allowed: bool  # what was added after it is only signatures / form filling
    summary: str

    @property
    def ok(self) -> bool:
        changes_ok = self.covers_whole_document or self.later_changes_allowed
        return self.intact and self.valid and self.trusted and changes_ok


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    check: SignatureCheck  # the new signature's validation


# --- signing ------------------------------------------------------------------------------


def sign_pdf_pkcs11(
    pdf: bytes, token: TokenConfig, pin: str, details: SignatureDetails | None = None
) -> bytes:
    """Sign with the officer's token. Raises SignatureError (never quoting the PIN)."""
    with _token_signer(token, pin) as signer:
        return _sign(pdf, signer, details or SignatureDetails())


def sign_pdf_software(
    pdf: bytes, pkcs12_data: bytes, password: str | None, details: SignatureDetails | None = None
) -> bytes:
    """Sign with a certificate and key from a PKCS#12 (.p12/.pfx) file's bytes."""
    return _sign(pdf, _software_signer(pkcs12_data, password), details or SignatureDetails())


def sign_and_verify_pkcs11(
    pdf: bytes,
    token: TokenConfig,
    pin: str,
    trust_roots: Sequence[x509.Certificate],
    details: SignatureDetails | None = None,
) -> SignedPdf:
    signed = sign_pdf_pkcs11(pdf, token, pin, details)
    return SignedPdf(signed, verify_signed(signed, trust_roots))


def sign_and_verify_software(
    pdf: bytes,
    pkcs12_data: bytes,
    password: str | None,
    trust_roots: Sequence[x509.Certificate],
    details: SignatureDetails | None = None,
) -> SignedPdf:
    signed = sign_pdf_software(pdf, pkcs12_data, password, details)
    return SignedPdf(signed, verify_signed(signed, trust_roots))


def _sign(pdf: bytes, signer: signers.Signer, details: SignatureDetails) -> bytes:
    if signer.signing_cert is None:
        raise _error("sign.key_missing")
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    _check_cert_period(cert)
    try:
        writer = _MetadataKeepingWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError) as exc:
        raise _error("sign.bad_pdf") from exc
    meta = signers.PdfSignatureMetadata(
        field_name=_next_field_name(writer),
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=details.reason,
        location=details.location,
        name=details.signer_name or _common_name(cert.subject),
    )
    try:
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    except pkcs11.PKCS11Error as exc:
        raise _map_pkcs11_error(exc) from exc
    except PyHankoSigningError as exc:
        raise _error("sign.failed", reason=type(exc).__name__) from exc
    log.info("PAdES signature added: field=%s", meta.field_name)
    data: bytes = out.getvalue()
    return data


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the Info dictionary and the XMP packet as they are.

    pyHanko would re-serialise the XMP to set ModifyDate/Producer, renaming prefixes it does
    not know (`motcua:` becomes `ns0:`) under the PDF/A extension schema that declares them.
    The component's metadata belongs to `app.scanning.pdf`; the signature carries its own
    time (/M), and Info and XMP stay consistent because neither changes.
    """

    def _update_meta(self) -> None:
        return


def _next_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
    number = len(taken) + 1
    while f"{FIELD_PREFIX}{number}" in taken:
        number += 1
    return f"{FIELD_PREFIX}{number}"


def _check_cert_period(cert: x509.Certificate) -> None:
    now = datetime.now(UTC)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now > end:
        raise SignatureError(
            "sign.cert_expired",
            f"Chứng thư số đã hết hạn sử dụng từ ngày {vn_date(end.date())}. "
            "Xin gia hạn chứng thư số với tổ chức cung cấp rồi ký lại.",
            valid_to=end.isoformat(),
        )
    if now < start:
        raise SignatureError(
            "sign.cert_expired",
            f"Chứng thư số chưa đến thời hạn sử dụng (có hiệu lực từ ngày "
            f"{vn_date(start.date())}). Xin kiểm tra lại ngày giờ của máy tính.",
            valid_from=start.isoformat(),
        )


def _software_signer(pkcs12_data: bytes, password: str | None) -> signers.SimpleSigner:
    secret = password.encode("utf-8") if password else None
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(pkcs12_data, secret)
    except ValueError:
        # from None: the library's message may echo parts of the file, never useful to show
        raise _error("sign.password_incorrect") from None
    if key is None or cert is None:
        raise _error("sign.key_missing")
    key_der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return signers.SimpleSigner(
        signing_cert=_to_asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [_to_asn1(c) for c in chain]
        ),
    )


# --- PKCS#11 token ------------------------------------------------------------------------


@contextmanager
def _token_signer(token: TokenConfig, pin: str) -> Iterator[PKCS11Signer]:
    """Open a logged-in session and yield a pyHanko signer bound to the token's key.

    The module is finalised afterwards so the next call sees tokens plugged in (or swapped)
    meanwhile — many modules only enumerate slots at C_Initialize; re-initialising is cheap.
    """
    with _pkcs11_lock:
        try:
            lib = pkcs11.lib(token.module_path)
        except pkcs11.PKCS11Error as exc:
            log.warning("PKCS#11 module not loadable: %s", type(exc).__name__)
            raise _error("sign.token_missing") from exc
        try:
            device = _find_token(lib, token)
            try:
                session = device.open(user_pin=pin)
            except pkcs11.PKCS11Error as exc:
                raise _map_pkcs11_error(exc) from None  # from None: keep the login call out
            try:
                yield _bind_signer(session, token)
            finally:
                session.close()
        finally:
            try:
                lib.finalize()
            except pkcs11.PKCS11Error as exc:  # must not hide the error that brought us here
                log.warning("PKCS#11 finalize failed: %s", type(exc).__name__)


def _find_token(lib: Any, config: TokenConfig) -> pkcs11.Token:
    try:
        slots = lib.get_slots(token_present=True)
        if config.slot is not None:
            slots = [slot for slot in slots if slot.slot_id == config.slot]
        tokens = [slot.get_token() for slot in slots]
    except pkcs11.PKCS11Error as exc:
        raise _map_pkcs11_error(exc) from exc
    # SoftHSM and some readers show an empty, uninitialised token in a spare slot: not a choice.
    tokens = [t for t in tokens if t.flags & TokenFlag.TOKEN_INITIALIZED]
    if config.token_label is not None:
        tokens = [t for t in tokens if t.label == config.token_label]
    if not tokens:
        raise _error("sign.token_missing")
    if len(tokens) > 1:
        raise _error("sign.token_ambiguous")
    found: pkcs11.Token = tokens[0]
    return found


def _bind_signer(session: pkcs11.Session, config: TokenConfig) -> PKCS11Signer:
    try:
        key_id, key_label, cert_der = _choose_key(_key_cert_pairs(session, config))
        signer = PKCS11Signer(
            session,
            signing_cert=asn1_x509.Certificate.load(cert_der),
            key_id=key_id or None,
            key_label=None if key_id else key_label,
            other_certs_to_pull=None,  # every certificate on the token: the CA chain to embed
        )
        signer.signing_cert  # noqa: B018 — loads the key handle and chain now, errors mapped here
    except pkcs11.PKCS11Error as exc:
        raise _map_pkcs11_error(exc) from exc
    return signer


_KeyCertPair = tuple[bytes, str, bytes]  # key CKA_ID, key label, certificate DER


def _key_cert_pairs(session: pkcs11.Session, config: TokenConfig) -> list[_KeyCertPair]:
    """Each signing key with its certificate: the configured label, else the same CKA_ID (the
    PKCS#11 convention), else the key's label. A key without a certificate cannot sign PAdES."""
    key_query: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    key_query[Attribute.SIGN] = True
    if config.key_label is not None:
        key_query[Attribute.LABEL] = config.key_label
    pairs = []
    for key in list(session.get_objects(key_query)):
        key_id, key_label = bytes(key[Attribute.ID]), str(key[Attribute.LABEL])
        cert_query: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.CERTIFICATE}
        if config.cert_label is not None:
            cert_query[Attribute.LABEL] = config.cert_label
        elif key_id:
            cert_query[Attribute.ID] = key_id
        else:
            cert_query[Attribute.LABEL] = key_label
        certs = list(session.get_objects(cert_query))
        if len(certs) == 1:
            pairs.append((key_id, key_label, bytes(certs[0][Attribute.VALUE])))
    return pairs


def _choose_key(pairs: list[_KeyCertPair]) -> _KeyCertPair:
    """The only pair, or the only one whose certificate is in its validity period (a renewed
    certificate beside the expired one). With none valid, the latest, so that signing then
    says "expired" rather than "ambiguous"."""
    if not pairs:
        raise _error("sign.key_missing")
    if len(pairs) == 1:
        return pairs[0]
    now = datetime.now(UTC)
    certs = [x509.load_der_x509_certificate(der) for _id, _label, der in pairs]
    current = [
        pair
        for pair, cert in zip(pairs, certs, strict=True)
        if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
    ]
    if len(current) == 1:
        return current[0]
    if current:
        raise _error("sign.key_ambiguous")
    return max(zip(pairs, certs, strict=True), key=lambda pc: pc[1].not_valid_after_utc)[0]


def _map_pkcs11_error(exc: pkcs11.PKCS11Error) -> SignatureError:
    """The python-pkcs11 exception class says what went wrong; its text never holds the PIN,
    and we do not use it anyway."""
    if isinstance(exc, pkcs11.PinIncorrect | pkcs11.PinInvalid | pkcs11.PinLenRange):
        return _error("sign.pin_incorrect")
    if isinstance(exc, pkcs11.PinLocked):
        return _error("sign.pin_locked")
    if isinstance(
        exc,
        pkcs11.NoSuchToken
        | pkcs11.TokenNotPresent
        | pkcs11.TokenNotRecognised
        | pkcs11.DeviceRemoved
        | pkcs11.SlotIDInvalid,
    ):
        return _error("sign.token_missing")
    if isinstance(exc, pkcs11.NoSuchKey):
        return _error("sign.key_missing")
    if isinstance(exc, pkcs11.MultipleObjectsReturned):
        return _error("sign.key_ambiguous")
    log.warning("PKCS#11 signing failed: %s", type(exc).__name__)
    return _error("sign.failed", reason=type(exc).__name__)


# --- validation ---------------------------------------------------------------------------


def validate_all(
    pdf: bytes,
    trust_roots: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate] = (),
) -> list[SignatureCheck]:
    """Every signature of the document, in signing order; no network access (B-B, offline)."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError) as exc:
        raise _error("sign.bad_pdf") from exc
    context = ValidationContext(
        trust_roots=[_to_asn1(c) for c in trust_roots],
        other_certs=[_to_asn1(c) for c in intermediates],
        allow_fetching=False,
        revocation_mode="soft-fail",  # no CRL/OCSP offline; revocation is not checked
    )
    checks = []
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, context, key_usage_settings=_KEY_USAGE)
        except (SignatureValidationError, PdfError, ValueError) as exc:
            raise SignatureError(
                "sign.invalid",
                "Chữ ký số trong tệp bị hỏng, không kiểm tra được.",
                field_name=signature.field_name,
            ) from exc
        checks.append(_to_check(signature.field_name, signature.sig_object, status))
    return checks


def validate(
    pdf: bytes,
    trust_roots: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate] = (),
) -> SignatureCheck:
    """The newest signature's check. Raises SignatureError("sign.invalid") if there is none."""
    checks = validate_all(pdf, trust_roots, intermediates)
    if not checks:
        raise SignatureError("sign.invalid", "Tệp PDF chưa có chữ ký số nào.")
    return checks[-1]


def verify_signed(
    pdf: bytes,
    trust_roots: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate] = (),
) -> SignatureCheck:
    """Return the newest signature's check if it, and every earlier one, is in order;
    otherwise raise SignatureError("sign.invalid") naming what is wrong."""
    checks = validate_all(pdf, trust_roots, intermediates)
    if not checks:
        raise SignatureError("sign.invalid", "Tệp PDF chưa có chữ ký số nào.")
    newest = checks[-1]
    failed = next((c for c in checks if not c.ok), None)
    reason = failed.summary if failed is not None else ""
    if failed is None and not newest.covers_whole_document:
        failed, reason = newest, "Sau chữ ký cuối cùng, tệp có thêm nội dung chưa được ký."
    if failed is not None:
        raise SignatureError(
            "sign.invalid",
            f"Chữ ký số không đạt khi kiểm tra: {reason} Bản đã ký này không được sử dụng.",
            field_name=failed.field_name,
        )
    return newest


def _to_check(field_name: str, sig_object: Any, status: PdfSignatureStatus) -> SignatureCheck:
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    allowed = whole or bool(status.docmdp_ok)
    signer_cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    signer_name = _common_name(signer_cert.subject)
    parts = []
    if not status.intact:
        parts.append("Văn bản đã bị thay đổi sau khi ký; chữ ký không còn giá trị.")
    elif not status.valid:
        parts.append("Chữ ký không đúng về mặt mật mã.")
    elif not status.trusted:
        parts.append(
            f"Chứng thư số của {signer_name} không được tin cậy (không thuộc tổ chức chứng thực "
            "được công nhận, hoặc đã hết hạn)."
        )
    if status.intact and not allowed:
        parts.append("Văn bản có thay đổi không được phép sau khi ký.")
    if not parts:
        scope = "bao trùm toàn bộ văn bản" if whole else "sau đó chỉ có thêm chữ ký số khác"
        parts.append(
            f"Chữ ký hợp lệ: văn bản nguyên vẹn, chứng thư số của {signer_name} được tin cậy, "
            f"{scope}."
        )
    parts.append(
        "Thời điểm ký do máy tính của người ký ghi nhận (không có dấu thời gian); "
        "chưa kiểm tra thu hồi chứng thư số."
    )
    return SignatureCheck(
        field_name=field_name,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        signer_name=signer_name,
        issuer_name=_common_name(signer_cert.issuer),
        signing_time=status.signer_reported_dt,
        subfilter=str(sig_object.get("/SubFilter", "")),
        covers_whole_document=whole,
        later_changes_allowed=allowed,
        summary=" ".join(parts),
    )


def _common_name(name: x509.Name) -> str:
    names = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else name.rfc4514_string()


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
