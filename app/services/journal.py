"""Writes the history/audit event and the sync outbox entry of a state change.

Called inside the service's transaction, so the change, its event and its outbox entry commit or
roll back together. Sequence numbers are taken under the write lock (BEGIN IMMEDIATE), so they are
gap-free and strictly increasing on this workstation, and each event is hash-chained to the one
before it (`domain.audit_chain`) under the same lock. This is the only writer of `events`: an
event inserted any other way breaks the chain and `motcua audit verify` reports it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Event, OutboxEntry
from app.db.types import new_id
from app.domain.audit_chain import GENESIS, canonical_data, entry_hash


def _next_seq(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def _chain_head(session: Session) -> str:
    last = session.scalar(select(Event.hash).order_by(Event.seq.desc()).limit(1))
    return last or GENESIS


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
    fields: dict[str, Any] = {
        "id": new_id(),
        "seq": _next_seq(session, Event.seq),
        "at": at,
        "actor": actor,
        "workstation": workstation,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "dossier_id": dossier_id,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        # Stored exactly as hashed: JSON's view of the value (tuples as lists, keys as text).
        "data": canonical_data(data),
    }
    prev_hash = _chain_head(session)
    event = Event(**fields, prev_hash=prev_hash, hash=entry_hash(fields, prev_hash))
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
