"""The one way screens run database, printing or network work: off the UI thread.

`OpRunner.run(work, on_done, on_error)` executes `work()` on a worker thread and calls back on the
main thread. While anything runs, `busy_changed(True)` lets the window show a busy indicator.
Tests use `ImmediateOpRunner`, which runs the work synchronously so results are there at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Work = Callable[[], Any]
Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class _Relay(QObject):
    """Lives on the main thread; its signals carry results back across threads (queued)."""

    finished = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, work: Work, relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # delivered to the screen, which shows it politely
            self._relay.failed.emit(error)
        else:
            self._relay.finished.emit(result)


class OpRunner(QObject):
    busy_changed = Signal(bool)
    error_unhandled = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool.globalInstance()
        self._running = 0
        self._relays: set[_Relay] = set()

    def run(self, work: Work, on_done: Done, on_error: Failed | None = None) -> None:
        relay = _Relay()
        self._relays.add(relay)
        self._started()

        def finish(result: Any) -> None:
            self._ended(relay)
            on_done(result)

        def fail(error: Exception) -> None:
            self._ended(relay)
            if on_error is not None:
                on_error(error)
            else:
                self.error_unhandled.emit(error)

        relay.finished.connect(finish)
        relay.failed.connect(fail)
        self._pool.start(_Task(work, relay))

    @property
    def busy(self) -> bool:
        return self._running > 0

    def _started(self) -> None:
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)

    def _ended(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        self._running -= 1
        if self._running == 0:
            self.busy_changed.emit(False)


class ImmediateOpRunner(OpRunner):
    """Runs work synchronously (tests): same callbacks, no threads."""

    def run(self, work: Work, on_done: Done, on_error: Failed | None = None) -> None:
        self._running += 1
        self.busy_changed.emit(True)
        try:
            result = work()
        except Exception as error:
            self._running -= 1
            self.busy_changed.emit(False)
            if on_error is not None:
                on_error(error)
            else:
                self.error_unhandled.emit(error)
            return
        self._running -= 1
        self.busy_changed.emit(False)
        on_done(result)
