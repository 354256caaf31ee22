"""The audit log: every change and sensitive read is chained; an attacker with the file who drops
the triggers and edits, reorders or deletes rows is caught by `verify_audit_chain`."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime

import pytest

from app.db.database import DB_FILENAME
from app.domain.audit_chain import entry_hash
from app.domain.clock import VN_TZ
from app.services import dossiers, queries
from app.services.audit import AuditFilter, list_audit, verify_audit_chain
from tests.app.services.helpers import procedure_with_unit, receive_cmd

STORED = "%Y-%m-%dT%H:%M:%S.%f"  # app.db.types' text form of a timestamp


@pytest.fixture
def flow(ctx):
    """Receive, look at, transfer and look at a dossier: changes and reads in one chain."""
    p = procedure_with_unit(ctx, "working-days", no_digitising=True)
    code = dossiers.receive_dossier(ctx, receive_cmd(p.id)).dossier.code
    queries.show_dossier(ctx, code, officer="canbo", reason="Công dân hỏi tiến độ")
    dossiers.transfer(ctx, code)
    queries.show_dossier(ctx, code, officer="giamsat")
    return code


def attacker(data_dir) -> sqlite3.Connection:
    """Someone with the data file: opens it directly and removes the append-only triggers."""
    con = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    con.execute("DROP TRIGGER events_no_update")
    con.execute("DROP TRIGGER events_no_delete")
    return con


def kinds(ctx, head: str | None = None) -> set[str]:
    report = verify_audit_chain(ctx, head)
    assert report.ok is not bool(report.problems)
    return {p.kind for p in report.problems}


def test_an_untouched_chain_verifies_and_sensitive_reads_are_recorded(ctx, flow):
    report = verify_audit_chain(ctx)
    assert report.ok and report.entries == 6  # init, fee policy, receive, view, transfer, view
    reads = list_audit(ctx, AuditFilter(action="view-dossier"), officer="giamsat")
    assert [(r.actor, r.reason, r.dossier_code) for r in reads] == [
        ("giamsat", "", flow),
        ("canbo", "Công dân hỏi tiến độ", flow),
    ]
    assert all(r.workstation == ctx.workstation for r in reads)
    # Reads are not part of the dossier's own history (what was done to it).
    assert [e.action for e in queries.show_dossier(ctx, flow).events] == ["receive", "transfer"]
    by_code = list_audit(ctx, AuditFilter(dossier_code=flow.lower()), officer="admin")
    assert len(by_code) == 5
    assert list_audit(ctx, AuditFilter(day_from=date(2026, 11, 24)), officer="admin") == []


def test_the_triggers_still_forbid_update_and_delete(ctx, flow, data_dir):
    con = sqlite3.connect(data_dir / DB_FILENAME)
    for sql in ("UPDATE events SET reason = 'x'", "DELETE FROM events WHERE seq = 3"):
        with pytest.raises(sqlite3.DatabaseError):
            con.execute(sql)
    con.close()


def test_an_edited_entry_is_detected(ctx, flow, data_dir):
    with attacker(data_dir) as con:
        con.execute("UPDATE events SET actor = 'nguoi-khac' WHERE seq = 3")
    report = verify_audit_chain(ctx)
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "edited")]
    assert "3" in report.problems[0].message


def test_an_edited_data_field_is_detected(ctx, flow, data_dir):
    with attacker(data_dir) as con:
        data = json.loads(con.execute("SELECT data FROM events WHERE seq = 3").fetchone()[0])
        data["backfilled"] = True
        con.execute("UPDATE events SET data = ? WHERE seq = 3", (json.dumps(data),))
    assert kinds(ctx) == {"edited"}


def test_reordered_entries_are_detected(ctx, flow, data_dir):
    with attacker(data_dir) as con:
        con.execute("UPDATE events SET seq = -1 WHERE seq = 4")
        con.execute("UPDATE events SET seq = 4 WHERE seq = 5")
        con.execute("UPDATE events SET seq = 5 WHERE seq = -1")
    assert {"edited", "unlinked"} <= kinds(ctx)


def test_a_deleted_entry_in_the_middle_is_detected(ctx, flow, data_dir):
    with attacker(data_dir) as con:
        con.execute("DELETE FROM events WHERE seq = 4")
    report = verify_audit_chain(ctx)
    assert {p.kind for p in report.problems} == {"missing", "unlinked"}
    assert any("số 4" in p.message for p in report.problems)


def test_a_deleted_last_change_is_detected_through_its_queued_upload(ctx, flow, data_dir):
    with attacker(data_dir) as con:
        con.execute("DELETE FROM events WHERE seq >= 5")  # the transfer and the read after it
    assert kinds(ctx) == {"orphan-outbox"}


def test_a_rewritten_chain_is_caught_by_a_head_recorded_elsewhere(ctx, flow, data_dir):
    written_down = verify_audit_chain(ctx).head  # printed by `audit verify`, kept in backups
    with attacker(data_dir) as con:
        con.execute("DELETE FROM events WHERE seq = 6")  # a read: nothing queued for upload
    assert verify_audit_chain(ctx).ok  # the chain alone cannot see a cut tail
    assert kinds(ctx, written_down) == {"anchor"}


def test_a_chain_recomputed_by_the_attacker_is_caught_by_the_head(ctx, flow, data_dir):
    written_down = verify_audit_chain(ctx).head
    with attacker(data_dir) as con:
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("SELECT * FROM events WHERE seq >= 4 ORDER BY seq")]
        prev = con.execute("SELECT hash FROM events WHERE seq = 3").fetchone()[0]
        for row in rows:
            if row["seq"] == 4:
                row["reason"] = "đã sửa"
            entry = {
                **row,
                "data": json.loads(row["data"]),
                "at": datetime.strptime(row["at"], STORED).replace(tzinfo=VN_TZ),
            }
            new_hash = entry_hash(entry, prev)
            con.execute(
                "UPDATE events SET reason = ?, prev_hash = ?, hash = ? WHERE id = ?",
                (row["reason"], prev, new_hash, row["id"]),
            )
            prev = new_hash
    assert verify_audit_chain(ctx).ok  # internally consistent again …
    assert kinds(ctx, written_down) == {"anchor"}  # … but not the chain that was written down
