"""Writes the history/audit event and the sync outbox entry of a state change.

Called inside the service's transaction, so the change, its event and its outbox entry commit or
roll back together. Sequence numbers are taken under the write lock (BEGIN IMMEDIATE), so they are
gap-free and strictly increasing on this workstation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Event, OutboxEntry
from app.db.types import new_id


def _next_seq(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def record_change(
    session: Session,
    *,
    at: datetime,
    actor: str,
    workstation: str,
    action: str,
    entity_type: str,
    entity_id: str,
    dossier_id: str | None = None,
    from_status: int | None = None,
    to_status: int | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    outbox_payload: dict[str, Any] | None = None,
) -> Event:
    """Append the event, and queue it for upload unless `outbox_payload` is None."""
    event = Event(
        id=new_id(),
        seq=_next_seq(session, Event.seq),
        at=at,
        actor=actor,
        workstation=workstation,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        dossier_id=dossier_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )
    session.add(event)
    if outbox_payload is not None:
        session.add(
            OutboxEntry(
                seq=_next_seq(session, OutboxEntry.seq),
                created_at=at,
                entity_type=entity_type,
                entity_id=entity_id,
                op=action,
                payload={"event_id": event.id, **outbox_payload},
            )
        )
    return event
