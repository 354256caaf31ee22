"""The permanent connection/sync badge: online or offline, pending items and the age of the
oldest, last successful sync. In central mode the window syncs at start, every few minutes and
when asked; the sync runs on a worker thread through the op-runner and never blocks the screen."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.domain.formatting import vn_datetime
from app.services.context import ServiceContext
from app.services.sync_status import SyncStatus, sync_status
from sync.engine import SyncSummary, run_sync_once
from ui.events import AppEvents, ChangeSet
from ui.ops import OpRunner

SYNC_EVERY_MS = 5 * 60 * 1000


def _age(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} phút"
    hours = minutes // 60
    return f"{hours} giờ" if hours < 48 else f"{hours // 24} ngày"


def badge_text(status: SyncStatus, now: datetime, *, online: bool | None) -> str:
    if status.mode != "central":
        return "Chế độ độc lập: dữ liệu lưu trên máy này, không đồng bộ"
    parts = ["● Trực tuyến" if online else "○ Ngoại tuyến" if online is False else "● Chưa đồng bộ"]
    if status.pending:
        parts.append(
            f"{status.pending} mục chờ gửi (lâu nhất {_age(status.oldest_pending_at, now)})"
        )
    else:
        parts.append("không có mục chờ gửi")
    if status.rejected:
        parts.append(f"{status.rejected} mục bị từ chối")
    if status.last_success_at is not None:
        parts.append(f"đồng bộ lần cuối {vn_datetime(status.last_success_at)}")
    if status.codes_left_today is not None and status.codes_left_today < 20:
        parts.append(f"còn {status.codes_left_today} số mã hồ sơ hôm nay")
    return " · ".join(parts)


class SyncBadge(QLabel):
    def __init__(
        self,
        ctx: ServiceContext,
        runner: OpRunner,
        events: AppEvents,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._events = events
        self._online: bool | None = None
        self._syncing = False
        self.setToolTip("Kết nối và đồng bộ với hệ thống trung tâm (nhấn F9 để đồng bộ ngay)")
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.sync_now)
        self.refresh()

    def start(self) -> None:
        """Sync now and then periodically — only in central mode."""
        self._runner.run(lambda: sync_status(self._ctx), self._on_first_status)

    def _on_first_status(self, status: SyncStatus) -> None:
        self._show(status)
        if status.mode == "central":
            self.timer.start()
            self.sync_now()

    def refresh(self) -> None:
        self._runner.run(lambda: sync_status(self._ctx), self._show)

    def sync_now(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        self._runner.run(lambda: run_sync_once(self._ctx), self._on_synced, self._on_failed)

    def _on_synced(self, summary: SyncSummary) -> None:
        self._syncing = False
        self._online = summary.ok
        if summary.downloaded:
            self._events.changed.emit(ChangeSet(catalogue=True, calendar=True))
        self.refresh()

    def _on_failed(self, _error: Exception) -> None:
        self._syncing = False
        self._online = False
        self.refresh()

    def _show(self, status: SyncStatus) -> None:
        self.setText(badge_text(status, self._ctx.clock.now(), online=self._online))
