"""Local tables of the sync with the central system (registered on the store's one Base).

`sync_state` is this station's enrolment (server, counter, where its credential is kept, CA
bundle) and download position;
`sync_versions` remembers, per dossier, which server version the local row was last confirmed to
equal — the consistency check compares those with the server, never rows with pending uploads;
`sync_rejections` is the supervisor's list of uploads the central system refused (the outbox row
itself moves to state "rejected" and never blocks the queue).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base


class SyncState(Base):
    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    server_url: Mapped[str] = mapped_column(String(300))
    counter_code: Mapped[str] = mapped_column(String(64))
    # The bearer secret lives in the workstation key store (app.services.keys), never here: a
    # copied database or backup must not let anyone sync as this counter. `credential` is only
    # read to move a secret stored by a version before migration 0006 (then set to NULL);
    # `credential_ref` names the key-store entry (empty: not stored since that move/enrolment).
    credential: Mapped[str | None] = mapped_column(String(200), nullable=True)
    credential_ref: Mapped[str] = mapped_column(String(64), default="")
    # The province's own CA bundle (PEM) that signs the central server's TLS certificate;
    # empty: the usual public roots. A path, not a secret.
    ca_file: Mapped[str] = mapped_column(String(500), default="")
    agencies: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{code, e_identifier}]
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    catalogue_version: Mapped[int] = mapped_column(Integer, default=0)
    calendar_version: Mapped[int] = mapped_column(Integer, default=0)
    station_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class SyncVersion(Base):
    __tablename__ = "sync_versions"
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    change_seq: Mapped[int] = mapped_column(Integer)


class SyncRejection(Base):
    __tablename__ = "sync_rejections"
    outbox_id: Mapped[str] = mapped_column(ForeignKey("outbox.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
