"""The connection/sync badge text, and the badge on a standalone station."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from app.domain.clock import VN_TZ
from app.services.sync_status import SyncStatus, sync_status
from ui.widgets.sync_badge import SyncBadge, badge_text

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)
CENTRAL = SyncStatus(
    mode="central",
    server_url="http://127.0.0.1:8000",
    pending=12,
    oldest_pending_at=NOW - timedelta(minutes=95),
    last_success_at=datetime(2026, 11, 23, 8, 15, tzinfo=VN_TZ),
    last_attempt_at=NOW,
    last_error="",
    rejected=1,
    codes_left_today=7,
)


def test_offline_badge_shows_pending_count_age_rejections_and_last_success():
    text = badge_text(CENTRAL, NOW, online=False)
    assert text.startswith("○ Ngoại tuyến")
    assert "12 mục chờ gửi (lâu nhất 1 giờ)" in text
    assert "1 mục bị từ chối" in text
    assert "đồng bộ lần cuối 08:15 23/11/2026" in text
    assert "còn 7 số mã hồ sơ hôm nay" in text


def test_online_badge_with_nothing_pending():
    status = replace(CENTRAL, pending=0, oldest_pending_at=None, rejected=0, codes_left_today=300)
    text = badge_text(status, NOW, online=True)
    assert text == "● Trực tuyến · không có mục chờ gửi · đồng bộ lần cuối 08:15 23/11/2026"


def test_standalone_station_badge_never_syncs(qtbot, ctx, runner, events):
    badge = SyncBadge(ctx, runner, events)
    qtbot.addWidget(badge)
    badge.start()
    assert sync_status(ctx).mode == "standalone"
    assert "Chế độ độc lập" in badge.text()
    assert not badge.timer.isActive()
