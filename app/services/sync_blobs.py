"""Digitised PDFs waiting to travel to the central system (sync's blob phase).

The dossier metadata (the `digitised_file` outbox entry) goes first with the ordinary upload; the
PDF follows separately, content-addressed by SHA-256 and resumable (`sync.client.put_blob`), so
metadata never waits behind megabytes. A file is marked uploaded only after the server holds all
of it; every version with the same content is marked at once.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.db.scan_models import DigitisedFile
from app.services.context import ServiceContext
from app.services.scan_store import ScanStore


def pending_blobs(ctx: ServiceContext, limit: int = 50) -> list[str]:
    """SHA-256 names of digitised PDFs not yet on the central system, oldest first."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(DigitisedFile.sha256, DigitisedFile.digitised_at)
            .where(DigitisedFile.uploaded.is_(False))
            .order_by(DigitisedFile.digitised_at)
        ).all()
    seen: list[str] = []
    for sha, _ in rows:
        if sha not in seen:
            seen.append(sha)
        if len(seen) >= limit:
            break
    return seen


def read_blob(ctx: ServiceContext, sha256: str) -> bytes:
    return ScanStore.beside(ctx).get(sha256)


def mark_blob_uploaded(ctx: ServiceContext, sha256: str) -> None:
    with ctx.db.write() as session:
        session.execute(
            update(DigitisedFile).where(DigitisedFile.sha256 == sha256).values(uploaded=True)
        )
