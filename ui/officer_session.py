"""Who is signed in at this counter right now, for the window header and for every service call.

Screens do not keep an officer of their own: they receive `OfficerGetter` (the session's
`username`) and ask it at the moment they call a service, so after a switch of officer at a
shared counter the very next action is attributed to the new one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.services.accounts import SignedInOfficer

# Returns the acting officer's user name; None means "the station's default officer".
OfficerGetter = Callable[[], str | None]


def station_default() -> str | None:
    return None


class OfficerSession(QObject):
    officer_changed = Signal(object)  # SignedInOfficer | None

    def __init__(
        self, officer: SignedInOfficer | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.current = officer

    def username(self) -> str | None:
        return None if self.current is None else self.current.username

    def switch(self, officer: SignedInOfficer | None) -> None:
        self.current = officer
        self.officer_changed.emit(officer)
