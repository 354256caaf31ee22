"""Content-addressed binary storage (scanned PDFs): resumable uploads keyed by SHA-256.

An upload is a series of PUTs of consecutive chunks (`X-Blob-Offset`, `X-Blob-Total`); HEAD says
how many bytes arrived, so a counter resumes after a cut where it stopped. A partial upload is
private to the uploading counter. When the last byte arrives the content is hashed: a match
stores the blob (readable by counters sharing an agency with the uploader), a mismatch discards
the upload. Metadata sync never waits for blobs: they travel on their own requests.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sync.server.auth import CounterAuth
from sync.server.db import utc_now
from sync.server.models import Blob, BlobChunk, CounterAgency

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_BLOB = 200 * 1024 * 1024


@dataclass(frozen=True)
class BlobState:
    received: int
    total: int | None
    complete: bool
    discarded: bool = False  # the bytes did not hash to the name: the upload starts over


class BlobError(Exception):
    def __init__(self, status: int, code: str, message: str, received: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.received = received


def _shares_agency(session: Session, auth: CounterAuth, counter: str) -> bool:
    if counter == auth.counter:
        return True
    theirs = set(
        session.scalars(
            select(CounterAgency.agency_code).where(CounterAgency.counter_code == counter)
        )
    )
    return bool(theirs & auth.agencies)


def state(session: Session, auth: CounterAuth, sha: str) -> BlobState | None:
    blob = session.get(Blob, sha)
    if blob is not None and _shares_agency(session, auth, blob.counter_code):
        return BlobState(blob.size, blob.size, True)
    if blob is not None:
        return None
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(func.length(BlobChunk.data)), 0),
            func.max(BlobChunk.total),
        ).where(BlobChunk.sha256 == sha, BlobChunk.counter_code == auth.counter)
    ).one()
    if not row[0]:
        return None
    return BlobState(int(row[1]), int(row[2]), False)


def put_chunk(
    session: Session, auth: CounterAuth, sha: str, offset: int, total: int, data: bytes
) -> BlobState:
    if not SHA256_RE.match(sha):
        raise BlobError(400, "blob.name", "Tên tệp phải là mã SHA-256 (64 ký tự hex thường).")
    if not 0 < total <= MAX_BLOB:
        raise BlobError(413, "blob.size", "Kích thước tệp không hợp lệ hoặc quá lớn.")
    if session.get(Blob, sha) is not None:
        # Content-addressed: the bytes are already here, whoever sent them.
        return BlobState(total, total, True)
    current = state(session, auth, sha)
    received = current.received if current else 0
    if offset != received or offset + len(data) > total:
        raise BlobError(
            409, "blob.offset", "Vị trí gửi tiếp không khớp phần đã nhận.", received=received
        )
    if data:
        session.add(
            BlobChunk(sha256=sha, counter_code=auth.counter, offset=offset, total=total, data=data)
        )
    received += len(data)
    if received < total:
        return BlobState(received, total, False)
    chunks = session.scalars(
        select(BlobChunk.data)
        .where(BlobChunk.sha256 == sha, BlobChunk.counter_code == auth.counter)
        .order_by(BlobChunk.offset)
    )
    content = b"".join(chunks)
    session.execute(
        delete(BlobChunk).where(BlobChunk.sha256 == sha, BlobChunk.counter_code == auth.counter)
    )
    if hashlib.sha256(content).hexdigest() != sha:
        return BlobState(0, total, False, discarded=True)
    session.add(
        Blob(
            sha256=sha,
            size=len(content),
            data=content,
            counter_code=auth.counter,
            created_at=utc_now(),
        )
    )
    return BlobState(total, total, True)


def read(session: Session, auth: CounterAuth, sha: str) -> bytes | None:
    blob = session.get(Blob, sha)
    if blob is None or not _shares_agency(session, auth, blob.counter_code):
        return None
    return blob.data
