"""How this workstation signs digitised components: `signing.json` in the data folder.

    {"kind": "pkcs11", "module_path": "C:\\\\Windows\\\\System32\\\\vnpt-ca_csp11.dll",
     "slot": null, "token_label": null, "key_label": null, "cert_label": null,
     "trust_roots": ["C:\\\\MotCua\\\\ca\\\\root-ca.pem"]}
    {"kind": "pkcs12", "path": "/path/to/officer.p12", "trust_roots": [...]}

The PIN (token) or the password (PKCS#12) is never stored: the caller asks for it each time and
passes it to `signer()`. The trust roots are the CA certificates a signature must chain to (the
national root and the provider CAs in use in the province); validation runs right after signing,
so a wrongly configured station fails loudly instead of producing unverifiable files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from app.domain.errors import ConfigurationError
from app.scanning.signing import (
    TokenConfig,
    sign_and_verify_pkcs11,
    sign_and_verify_software,
)
from app.services.digitisation import Signer

FILE_NAME = "signing.json"


@dataclass(frozen=True)
class SigningSetup:
    kind: str  # pkcs11 | pkcs12
    token: TokenConfig | None
    pkcs12_path: Path | None
    trust_roots: tuple[Path, ...]

    def signer(self, secret: str) -> Signer:
        """A signer for `services.digitisation` — signs, validates, returns (PDF, signer CN)."""
        roots = [_load_cert(p) for p in self.trust_roots]

        def sign(pdf: bytes) -> tuple[bytes, str]:
            if self.token is not None:
                signed = sign_and_verify_pkcs11(pdf, self.token, secret, roots)
            else:
                assert self.pkcs12_path is not None
                signed = sign_and_verify_software(
                    pdf, self.pkcs12_path.read_bytes(), secret or None, roots
                )
            return signed.data, signed.check.signer_name

        return sign


def _not_configured(detail: str) -> ConfigurationError:
    return ConfigurationError(
        "sign.not_configured",
        f"Máy này chưa được cấu hình ký số ({detail}). "
        "Xin quản trị viên khai báo thiết bị ký số trong Cài đặt hoặc tệp signing.json.",
    )


def _load_cert(path: Path) -> x509.Certificate:
    try:
        data = path.read_bytes()
    except OSError:
        raise _not_configured(f"không đọc được chứng thư gốc {path}") from None
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_signing_setup(data_dir: Path) -> SigningSetup:
    path = data_dir / FILE_NAME
    if not path.exists():
        raise _not_configured(f"thiếu tệp {path}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _not_configured(f"tệp {path} không đúng định dạng JSON") from None
    roots = tuple(Path(p) for p in raw.get("trust_roots", []))
    if not roots:
        raise _not_configured("chưa khai báo chứng thư gốc tin cậy (trust_roots)")
    kind = raw.get("kind")
    if kind == "pkcs11" and raw.get("module_path"):
        token = TokenConfig(
            module_path=str(raw["module_path"]),
            slot=raw.get("slot"),
            token_label=raw.get("token_label"),
            key_label=raw.get("key_label"),
            cert_label=raw.get("cert_label"),
        )
        return SigningSetup("pkcs11", token, None, roots)
    if kind == "pkcs12" and raw.get("path"):
        return SigningSetup("pkcs12", None, Path(raw["path"]), roots)
    raise _not_configured("kind phải là pkcs11 (kèm module_path) hoặc pkcs12 (kèm path)")


def save_signing_setup(data_dir: Path, setup: SigningSetup) -> None:
    raw: dict[str, object] = {
        "kind": setup.kind,
        "trust_roots": [str(p) for p in setup.trust_roots],
    }
    if setup.token is not None:
        raw.update(
            module_path=setup.token.module_path,
            slot=setup.token.slot,
            token_label=setup.token.token_label,
            key_label=setup.token.key_label,
            cert_label=setup.token.cert_label,
        )
    if setup.pkcs12_path is not None:
        raw["path"] = str(setup.pkcs12_path)
    (data_dir / FILE_NAME).write_text(json.dumps(raw, ensure_ascii=False, indent=2), "utf-8")
