"""Where digitised PDFs live on this workstation: content-addressed, sealed at rest.

`scans/<first two hex digits>/<sha256>.pdf.sealed` beside the database. A scanned component
carries personal data (ID cards, birth certificates), so the file is sealed with the
workstation's data key (`domain.sealing`, purpose "scan"); the SHA-256 is of the plain PDF, the
same one recorded in the database, printed in the metadata and used as the sync blob name.
Writing is write-temp, fsync, rename: a crash leaves the old state or the new file, never half.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import NotFoundError, ValidationError
from app.domain.sealing import PURPOSE_SCAN, seal, unseal
from app.services.context import ServiceContext
from app.services.keys import KeyStore, data_key, default_key_store

SCAN_DIR = "scans"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ScanStore:
    folder: Path
    key_store: KeyStore

    @classmethod
    def beside(cls, ctx: ServiceContext, key_store: KeyStore | None = None) -> ScanStore:
        """The store next to the context's database file (the data folder)."""
        data_dir = Path(str(ctx.db.engine.url.database)).parent
        return cls(data_dir / SCAN_DIR, key_store or default_key_store(data_dir))

    def path_of(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.pdf.sealed"

    def put(self, pdf: bytes) -> str:
        digest = sha256_hex(pdf)
        target = self.path_of(digest)
        if target.exists():
            return digest  # same content already stored
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(seal(pdf, PURPOSE_SCAN, key=data_key(self.key_store)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise ValidationError(
                "scan.store_write",
                f"Không ghi được tệp số hóa vào thư mục dữ liệu: {error.strerror or error}.",
            ) from None
        return digest

    def get(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        if not path.exists():
            raise NotFoundError(
                "scan.file_missing",
                "Không tìm thấy tệp số hóa trên máy này "
                "(có thể chưa tải về từ hệ thống trung tâm).",
            )
        pdf = unseal(path.read_bytes(), PURPOSE_SCAN, key=data_key(self.key_store))
        if sha256_hex(pdf) != sha256:
            raise ValidationError(
                "scan.file_damaged", "Tệp số hóa trên máy đã bị thay đổi hoặc hỏng."
            )
        return pdf

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()
