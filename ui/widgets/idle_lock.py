"""Idle lock: after a configurable time without keyboard or mouse input, the screen locks.

A counter PC is shared and faces the public: a dossier left open shows a citizen's name, ID
number and address to the next person in the queue. `IdleLock` watches every input event of the
application (an event filter on QApplication, so no widget needs to cooperate) and emits `locked`
when the officer has been away `minutes`; the window then hides everything behind its sign-in
form. The time is a per-workstation preference (QSettings `security/idle_lock_minutes`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication

DEFAULT_MINUTES = 5.0
SETTING = "security/idle_lock_minutes"
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.InputMethod,  # Vietnamese input methods commit text this way
    }
)


def configured_minutes(settings: QSettings) -> float:
    try:
        value = float(str(settings.value(SETTING, DEFAULT_MINUTES)))
    except ValueError:
        return DEFAULT_MINUTES
    return value if value > 0 else DEFAULT_MINUTES


class IdleLock(QObject):
    locked = Signal()

    def __init__(self, minutes: float = DEFAULT_MINUTES, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.is_locked = False
        self.set_minutes(minutes)

    @property
    def minutes(self) -> float:
        return self._timer.interval() / 60_000

    def set_minutes(self, minutes: float) -> None:
        self._timer.setInterval(max(1, round(minutes * 60_000)))
        if self._timer.isActive():
            self._timer.start()

    def start(self) -> None:
        """Begin watching (after a sign-in); the countdown starts now."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
            app.installEventFilter(self)
        self.is_locked = False
        self._timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    def lock_now(self) -> None:
        if self.is_locked:
            return
        self.is_locked = True
        self._timer.stop()
        self.locked.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.is_locked and event.type() in _ACTIVITY:
            self._timer.start()
        return False

    def _on_timer_timeout(self) -> None:
        self.lock_now()
