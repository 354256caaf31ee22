"""SIGKILL in the middle of a stream of receptions loses nothing that was reported as received."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from app.bootstrap import init_demo_data, open_context
from app.db.models import Dossier, Event, OutboxEntry

ROOT = Path(__file__).resolve().parents[3]


def test_kill_during_receptions_keeps_every_reported_dossier_complete(tmp_path):
    ctx = open_context(tmp_path)
    init_demo_data(ctx)
    ctx.db.close()
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.app.services.crash_worker", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reported: list[str] = []
    assert worker.stdout is not None
    for line in worker.stdout:
        reported.append(line.strip())
        if len(reported) >= 40:
            break
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    reopened = open_context(tmp_path)
    with reopened.db.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = {d.code: d for d in s.scalars(select(Dossier))}
        assert set(reported) <= set(stored)
        for code in reported:
            d = stored[code]
            assert d.components, code
            assert s.scalar(select(func.count()).where(Event.dossier_id == d.id)) == 1
            assert s.scalar(select(func.count()).where(OutboxEntry.entity_id == d.id)) == 1
        # Codes are gap-free: the killed, uncommitted reception consumed no number.
        seqs = sorted(int(c.rsplit("-", 1)[1]) for c in stored)
        assert seqs == list(range(1, len(seqs) + 1))
        fts = s.execute(text("SELECT count(*) FROM dossier_fts")).scalar()
        assert fts == len(stored)
    reopened.db.close()
