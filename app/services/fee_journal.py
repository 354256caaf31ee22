"""Journal entries of fee records: every payment, receipt, refund, cash session and policy change
goes through `record_fee_change`, which appends the event and the outbox entry (with a JSON
snapshot of the row) in the caller's transaction, like `journal.record_change` does for dossiers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.models import Base
from app.services.context import ServiceContext
from app.services.journal import record_change


def snapshot(row: Base) -> dict[str, Any]:
    """The row as plain JSON values (dates and timestamps as ISO text)."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def record_fee_change(
    session: Session,
    ctx: ServiceContext,
    row: Base,
    *,
    action: str,
    actor: str,
    at: datetime,
    dossier_id: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    session.flush()
    row_data = snapshot(row)
    record_change(
        session,
        at=at,
        actor=actor,
        workstation=ctx.workstation,
        action=action,
        entity_type=str(row.__tablename__),
        entity_id=str(row_data["id"]),
        dossier_id=dossier_id,
        reason=reason,
        data=data or {},
        outbox_payload={str(row.__tablename__): row_data},
    )
