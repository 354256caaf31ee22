"""Digitised components (số hóa): one row per saved PDF version of a dossier component.

The PDF itself lives outside the database, content-addressed by SHA-256 and sealed with the
workstation's data key (`services.scan_store`); the row carries what DOMAIN §6 asks to record.
A new save (rescan, pages inserted, signature added) makes a new row and marks the previous one
superseded — nothing is overwritten, so the history of what was digitised and signed stays.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models import Base, pk


class DigitisedFile(Base):
    __tablename__ = "digitised_files"
    __table_args__ = (Index("ix_digitised_dossier", "dossier_id", "component_id", "current"),)
    id: Mapped[str] = pk()
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    # The checklist entry (procedure component); position/name are copied as they were.
    component_id: Mapped[str] = mapped_column(ForeignKey("procedure_components.id"))
    position: Mapped[int] = mapped_column(Integer)
    component_name: Mapped[str] = mapped_column(Text)
    original: Mapped[bool] = mapped_column(Boolean)  # bản chính / bản sao
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16))  # sane | escl | import | wia
    digitised_by: Mapped[str] = mapped_column(String(64))  # username
    digitised_at: Mapped[datetime]
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    signer: Mapped[str] = mapped_column(String(200), default="")  # certificate subject CN
    signed_at: Mapped[datetime | None]
    current: Mapped[bool] = mapped_column(Boolean, default=True)  # False once superseded
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("digitised_files.id"))
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False)  # blob on the central system
    note: Mapped[str] = mapped_column(Text, default="")
