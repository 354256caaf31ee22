"""AppEvents: the hub that tells every screen what a mutation changed (it refreshes only that)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class ChangeSet:
    dossier_codes: frozenset[str] = frozenset()
    catalogue: bool = False
    calendar: bool = False
    settings: bool = False


class AppEvents(QObject):
    changed = Signal(object)  # ChangeSet
    dossier_opened = Signal(str)  # a dossier code the user asked to see

    def dossiers_changed(self, *codes: str) -> None:
        self.changed.emit(ChangeSet(dossier_codes=frozenset(codes)))
