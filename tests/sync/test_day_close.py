"""Close the day waits for the day's changes to reach the central system (real server)."""

from __future__ import annotations

import pytest

from app.domain.errors import StateError
from app.services.day_close import close_day, day_closure
from app.services.sync_port import pending_for_day
from tests.sync.conftest import NOW, Central


def test_the_day_cannot_be_closed_while_its_changes_wait_for_upload(central: Central, make_station):
    a = make_station(central, "tinh-q01")
    day = NOW.date()
    a.receive(3)
    waiting = pending_for_day(a.ctx, day)
    assert waiting >= 3
    with pytest.raises(StateError) as refused:
        close_day(a.ctx, day, officer="giamsat")
    assert refused.value.code == "day.pending_sync"
    assert f"còn {waiting} thay đổi" in refused.value.message
    assert day_closure(a.ctx, day) is None

    assert a.sync().ok
    assert pending_for_day(a.ctx, day) == 0
    closed = close_day(a.ctx, day, officer="giamsat")
    assert closed.received == 3 and closed.closed_by == "giamsat"
    assert a.sync().ok  # the closure itself is uploaded like any change
    assert pending_for_day(a.ctx, day) == 0
