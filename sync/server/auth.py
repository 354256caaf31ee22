"""Counter authentication and authorisation on the central system.

An administrator enrols a counter for one or more agencies and gets a one-time enrolment token;
the counter exchanges it for a credential (a random secret) that it sends as a bearer token with
every request. Only SHA-256 hashes of tokens and credentials are stored. Revoking a counter
revokes all its credentials at once. A counter may write (and see) the dossiers whose receiving or
resolving agency is one of its agencies, and lease codes only for those agencies.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.errors import AppError, NotFoundError
from sync.protocol import AgencyRef, EnrolRequest, EnrolResponse
from sync.server.db import utc_now
from sync.server.models import (
    Agency,
    CounterAgency,
    CounterRow,
    Credential,
    EnrolmentToken,
)

TOKEN_LIFETIME = timedelta(days=7)


class AuthError(AppError):
    """Authentication failed (HTTP 401) or the request is not allowed (403)."""

    def __init__(self, code: str, message: str, *, status: int = 401) -> None:
        super().__init__(code, message)
        self.status = status


@dataclass(frozen=True)
class CounterAuth:
    """Who is calling: the counter, its credential, and what it may touch."""

    counter: str
    credential_id: str
    agencies: frozenset[str]  # agency codes
    eids: frozenset[str]  # their e-identifiers (dossier-code prefixes)

    def may_write(self, *agency_codes: str) -> bool:
        return any(code in self.agencies for code in agency_codes)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrolment_token() -> str:
    """A supervisor types or pastes it after `motcua enrol --token`: URL-safe base64 may start
    with "-", which the command line would read as an option (and refuse), so it never does."""
    token = secrets.token_urlsafe(24)
    while token.startswith("-"):
        token = secrets.token_urlsafe(24)
    return token


def enrol_counter(session: Session, counter: str, agencies: list[str], now: datetime) -> str:
    """Enrol (or re-enrol) a counter for agencies; returns a fresh one-time enrolment token."""
    row = session.get(CounterRow, counter)
    if row is None:
        raise NotFoundError(
            "counter.not_found",
            f"Không có quầy «{counter}» trong danh mục của hệ thống trung tâm.",
            field="counter",
        )
    for code in agencies:
        if session.get(Agency, code) is None:
            raise NotFoundError(
                "agency.not_found", f"Không có cơ quan «{code}» trong danh mục.", field="agency"
            )
        if session.get(CounterAgency, (counter, code)) is None:
            session.add(CounterAgency(counter_code=counter, agency_code=code))
    row.enrolled = True
    token = new_enrolment_token()
    session.add(
        EnrolmentToken(
            token_hash=digest(token),
            counter_code=counter,
            created_at=now.astimezone(UTC).isoformat(),
            expires_at=(now + TOKEN_LIFETIME).astimezone(UTC).isoformat(),
        )
    )
    return token


def redeem_token(session: Session, request: EnrolRequest, now: datetime) -> EnrolResponse:
    token = session.get(EnrolmentToken, digest(request.token))
    refused = AuthError(
        "enrol.token_invalid",
        "Mã đăng ký không hợp lệ, đã hết hạn hoặc đã được dùng. "
        "Đề nghị quản trị hệ thống trung tâm cấp mã đăng ký mới cho quầy.",
    )
    if token is None or token.expires_at < now.astimezone(UTC).isoformat():
        raise refused
    if token.used_at is not None:
        if token.used_request_id != request.request_id:
            raise refused
        # The same enrolment retried after a lost response: nobody holds the earlier credential.
        session.execute(
            update(Credential)
            .where(Credential.counter_code == token.counter_code, Credential.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
    token.used_at = utc_now()
    token.used_request_id = request.request_id
    secret = secrets.token_urlsafe(32)
    session.add(
        Credential(
            id=str(uuid.uuid4()),
            counter_code=token.counter_code,
            secret_hash=digest(secret),
            created_at=utc_now(),
        )
    )
    counter = session.get(CounterRow, token.counter_code)
    assert counter is not None  # foreign key
    agencies = session.execute(
        select(Agency.code, Agency.e_identifier)
        .join(CounterAgency, CounterAgency.agency_code == Agency.code)
        .where(CounterAgency.counter_code == counter.code)
        .order_by(Agency.code)
    ).all()
    return EnrolResponse(
        credential=secret,
        counter=counter.code,
        counter_name=counter.name,
        agencies=[AgencyRef(code=code, e_identifier=eid) for code, eid in agencies],
    )


def authenticate(session: Session, bearer: str | None) -> CounterAuth:
    if not bearer:
        raise AuthError("auth.missing", "Yêu cầu chưa kèm thông tin xác thực của quầy.")
    row = session.scalars(
        select(Credential).where(Credential.secret_hash == digest(bearer))
    ).first()
    if row is None or row.revoked_at is not None:
        raise AuthError(
            "auth.revoked",
            "Thông tin xác thực của quầy không hợp lệ hoặc đã bị thu hồi. "
            "Cần đăng ký lại quầy với hệ thống trung tâm.",
        )
    agencies = session.execute(
        select(Agency.code, Agency.e_identifier)
        .join(CounterAgency, CounterAgency.agency_code == Agency.code)
        .where(CounterAgency.counter_code == row.counter_code)
    ).all()
    return CounterAuth(
        counter=row.counter_code,
        credential_id=row.id,
        agencies=frozenset(code for code, _ in agencies),
        eids=frozenset(eid for _, eid in agencies),
    )


def revoke_counter(session: Session, counter: str) -> int:
    """Revoke every credential of a counter; returns how many were active."""
    result = session.execute(
        update(Credential)
        .where(Credential.counter_code == counter, Credential.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
