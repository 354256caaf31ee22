"""A throw-away PKI for signing tests: a root CA, officer/agency certificates, PKCS#12 files,
and a SoftHSM2 token that behaves like an officer's USB token.

The token's key pair is generated ON the token (python-pkcs11), as on a real token, and the
certificate the test CA issues for that public key is stored beside it with the same CKA_ID
and label; the CA certificate is stored too, as the CAs' tokens do.

SoftHSM2 reads `SOFTHSM2_CONF` when the module is initialised: point it at `softhsm_conf(...)`
before creating a token or signing (the signing code re-initialises the module for each call).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPublicKeyTypes
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
KEY_ID = b"\x01"
CA_CERT_ID = b"\x02"


@dataclass(frozen=True)
class CertAuthority:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class Identity:
    """A certificate with its private key (software) — for PKCS#12 files."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class SoftHsmToken:
    module_path: str
    label: str
    pin: str
    key_label: str
    cert: x509.Certificate


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_ca(
    common_name: str = "MotCua Test Root CA", *, issuer: CertAuthority | None = None
) -> CertAuthority:
    """A self-signed root, or with `issuer` a subordinate CA (as VNPT-CA, Viettel-CA… sit
    under the national root)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(common_name, "MotCua Desk tests")
    signer_key = issuer.key if issuer else key
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=0 if issuer else None), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    )
    return CertAuthority(builder.sign(signer_key, hashes.SHA256()), key)


def issue_cert(
    ca: CertAuthority,
    public_key: CertificateIssuerPublicKeyTypes,
    common_name: str,
    *,
    organisation: str = "UBND xã Tân Phước",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    """A signing certificate like the Vietnamese CAs issue: digital signature + non-repudiation,
    with the e-mail-protection / document-signing EKU."""
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )


def make_identity(
    ca: CertAuthority,
    common_name: str,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Identity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_cert(ca, key.public_key(), common_name, not_before=not_before, not_after=not_after)
    return Identity(cert, key)


def to_pkcs12(identity: Identity, ca: CertAuthority, password: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"chu-ky-so",
        identity.key,
        identity.cert,
        [ca.cert],
        BestAvailableEncryption(password.encode("utf-8")),
    )


def softhsm_conf(base_dir: Path) -> Path:
    """Write a SoftHSM2 configuration whose tokens live in `base_dir/tokens`."""
    tokens = base_dir / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = base_dir / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    return conf


def init_token(conf: Path, label: str, pin: str, so_pin: str = "87654321") -> None:
    """An empty, initialised token (like a blank USB token)."""
    command = ["softhsm2-util", "--init-token", "--free", "--label", label]
    subprocess.run(
        [*command, "--pin", pin, "--so-pin", so_pin],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )


def create_officer_token(
    conf: Path, ca: CertAuthority, common_name: str, *, label: str, pin: str, key_label: str
) -> SoftHsmToken:
    """Initialise a token holding one signing key with its certificate, plus the CA
    certificate. `SOFTHSM2_CONF` must already point at `conf` in this process."""
    assert os.environ.get("SOFTHSM2_CONF") == str(conf), "set SOFTHSM2_CONF first"
    init_token(conf, label, pin)
    cert = add_signing_key(label, pin, ca, common_name, key_label=key_label, key_id=KEY_ID)
    return SoftHsmToken(SOFTHSM_MODULE, label, pin, key_label, cert)


def add_signing_key(
    token_label: str,
    pin: str,
    ca: CertAuthority,
    common_name: str,
    *,
    key_label: str,
    key_id: bytes,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    """Generate an RSA-2048 key pair on the token and store the certificate `ca` issues for it
    (same label and CKA_ID), and `ca`'s own certificate if it is not there yet."""
    lib = pkcs11.lib(SOFTHSM_MODULE)
    lib.reinitialize()  # see tokens created since, under this process's SOFTHSM2_CONF
    try:
        token = lib.get_token(token_label=token_label)
        with token.open(rw=True, user_pin=pin) as session:
            public, _private = session.generate_keypair(
                KeyType.RSA, 2048, id=key_id, label=key_label, store=True
            )
            numbers = rsa.RSAPublicNumbers(
                int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
                int.from_bytes(public[Attribute.MODULUS], "big"),
            )
            cert = issue_cert(
                ca, numbers.public_key(), common_name, not_before=not_before, not_after=not_after
            )
            _store_cert(session, cert, key_label, key_id)
            if not list(session.get_objects({Attribute.ID: CA_CERT_ID})):
                _store_cert(session, ca.cert, "CA", CA_CERT_ID)
    finally:
        lib.finalize()
    return cert


def _store_cert(session: pkcs11.Session, cert: x509.Certificate, label: str, id_: bytes) -> None:
    session.create_object(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.LABEL: label,
            Attribute.ID: id_,
            Attribute.SUBJECT: cert.subject.public_bytes(),
            Attribute.ISSUER: cert.issuer.public_bytes(),
            Attribute.VALUE: cert.public_bytes(Encoding.DER),
        }
    )
