"""Encrypted backup and restore of the local database, and sealed files at rest (scans).

A backup is a consistent snapshot taken with SQLite's online backup API while the application
keeps working (WAL readers are not blocked), copied into memory, sealed with AES-256-GCM
(`domain.sealing`) and written atomically: no unencrypted copy ever touches the disk. It is sealed
with the workstation's data key (restorable on this PC's Windows account) or, with a passphrase,
restorable on any PC by whoever holds the passphrase — the one to keep off-site.

Restoring checks the copy (decryption, SQLite integrity, the audit chain) before it replaces the
database, again through the backup API, then migrates it to this version and records the restore
in the audit log. Both are audited and need a role: backing up is a bulk read of personal data.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.db.database import DB_FILENAME, Database
from app.db.models import Station
from app.domain.clock import Clock
from app.domain.errors import ValidationError
from app.domain.permissions import Permission
from app.domain.sealing import PURPOSE_BACKUP, needs_passphrase, seal, unseal
from app.services.audit import chain_head, record_read, verify_audit_chain
from app.services.authz import require
from app.services.context import ServiceContext
from app.services.journal import record_change
from app.services.keys import KeyStore, data_key, default_key_store


@dataclass(frozen=True)
class BackupResult:
    path: str
    size: int
    head: str  # audit chain head inside the backup ("SEQ:HASH")
    sealed_with: str  # data-key | passphrase
    key_store: str


@dataclass(frozen=True)
class RestoreResult:
    restored_from: str
    head: str
    chain_ok: bool
    problems: int


def write_file(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: a failed write never leaves half a file."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ValidationError(
            "output.write", f"Không ghi được tệp «{path}»: {error.strerror or error}.", field="out"
        ) from None


def _without_wal_flag(image: bytes) -> bytes:
    """The image with header bytes 18–19 (file format versions) set to 1, rollback journal.
    A snapshot of a WAL database keeps them at 2, and SQLite refuses to open such an image in
    memory; the database it is restored into is put back in WAL mode on its next connection."""
    if len(image) < 100 or image[18:20] == b"\x01\x01":
        return image
    return image[:18] + b"\x01\x01" + image[20:]


def _snapshot(database: Database) -> bytes:
    """The database as one consistent image, in memory."""
    raw = database.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        memory = sqlite3.connect(":memory:")
        try:
            source.backup(memory)
            return _without_wal_flag(memory.serialize())
        finally:
            memory.close()
    finally:
        raw.close()


def backup_database(
    ctx: ServiceContext,
    out: Path,
    *,
    officer: str | None,
    reason: str,
    passphrase: str | None = None,
    key_store: KeyStore,
) -> BackupResult:
    """Seal a snapshot into `out`. The audit entry is written first, so the backup holds the
    record of its own making."""
    now = ctx.clock.now()
    with ctx.db.write() as session:
        user = require(session, None, officer, Permission.BACKUP, now)
        record_read(
            session,
            ctx,
            user,
            PURPOSE_BACKUP,
            entity_type="database",
            entity_id=DB_FILENAME,
            reason=reason,
            data={"file": out.name, "passphrase": passphrase is not None},
        )
    with ctx.db.read() as session:
        head = str(chain_head(session))
    image = _snapshot(ctx.db)
    if passphrase is not None:
        blob = seal(image, PURPOSE_BACKUP, passphrase=passphrase)
    else:
        blob = seal(image, PURPOSE_BACKUP, key=data_key(key_store))
    write_file(out, blob)
    return BackupResult(
        str(out),
        len(blob),
        head,
        "passphrase" if passphrase is not None else "data-key",
        key_store.description,
    )


def _checked_image(blob: bytes, passphrase: str | None, key_store: KeyStore) -> sqlite3.Connection:
    key = None if needs_passphrase(blob) else data_key(key_store)
    image = unseal(blob, PURPOSE_BACKUP, key=key, passphrase=passphrase)
    memory = sqlite3.connect(":memory:")
    try:
        memory.deserialize(_without_wal_flag(image))
        check = memory.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in memory.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError:
        check, tables = None, set()
    if check != ("ok",) or not {"events", "alembic_version", "dossiers"} <= tables:
        memory.close()
        raise ValidationError(
            "backup.corrupt",
            "Bản sao lưu không phải cơ sở dữ liệu MotCua Desk hợp lệ hoặc đã hỏng.",
            field="file",
        )
    return memory


def _ensure_may_restore(data_dir: Path, now: datetime, officer: str | None) -> None:
    """On a set-up workstation only an administrator may overwrite the data; an empty data
    folder (a replacement PC) has nothing to protect yet."""
    if not (data_dir / DB_FILENAME).exists():
        return
    database = Database.open(data_dir)
    try:
        with database.write() as session:
            if session.scalars(select(Station)).first() is None:
                return
            require(session, None, officer, Permission.RESTORE, now)
    finally:
        database.close()


def restore_database(
    data_dir: Path,
    source: Path,
    *,
    officer: str | None,
    clock: Clock,
    workstation: str,
    passphrase: str | None = None,
    key_store: KeyStore | None = None,
) -> RestoreResult:
    """Replace the database in `data_dir` with the backup `source`. Nothing may have that
    database open meanwhile (the desktop application is closed)."""
    try:
        blob = source.read_bytes()
    except OSError as error:
        raise ValidationError(
            "backup.read", f"Không đọc được tệp «{source}»: {error.strerror}.", field="file"
        ) from None
    store = key_store or default_key_store(data_dir)
    memory = _checked_image(blob, passphrase, store)
    try:
        _ensure_may_restore(data_dir, clock.now(), officer)
        data_dir.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(data_dir / DB_FILENAME)
        try:
            memory.backup(target)
        finally:
            target.close()
    finally:
        memory.close()
    restored = ServiceContext(Database.open(data_dir), clock, workstation)
    try:
        with restored.db.write() as session:
            record_change(
                session,
                at=clock.now(),
                actor=officer or "system",
                workstation=workstation,
                action="restore",
                entity_type="database",
                entity_id=DB_FILENAME,
                data={"file": source.name},
            )
        report = verify_audit_chain(restored)
    finally:
        restored.db.close()
    return RestoreResult(str(source), report.head, report.ok, len(report.problems))
