"""TLS files for a central server run by a province with its own CA: the CA bundle a counter is
given, and the server certificate and key for 127.0.0.1 (`motcua central serve --tls-cert/key`).
The CA comes from the signing tests' throw-away PKI (tests/app/scanning/pki.py)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.app.scanning.pki import CertAuthority, make_ca


@dataclass(frozen=True)
class TlsFiles:
    ca_bundle: Path  # what the province hands to its counters
    cert: Path
    key: Path


def server_certificate(
    ca: CertAuthority, host: str
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return cert, key


def write_ca_bundle(ca: CertAuthority, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    return path


def province_tls(folder: Path, host: str = "127.0.0.1") -> TlsFiles:
    ca = make_ca("CA thử nghiệm của tỉnh")
    cert, key = server_certificate(ca, host)
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TlsFiles(write_ca_bundle(ca, folder / "ca-tinh.pem"), cert_path, key_path)
