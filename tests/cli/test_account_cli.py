"""`motcua user|login|audit|export|backup|restore`, run in-process on a real data dir; a locked
or locked-out account cannot act through the command line either."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from app.cli import main
from app.db.database import DB_FILENAME
from app.services.station import DEMO_PASSWORD


@pytest.fixture
def data(tmp_path):
    return tmp_path / "cli-data"


@pytest.fixture
def run(data, capsys, monkeypatch):
    monkeypatch.setenv("MOTCUA_KEYSTORE", "file")

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, dict | list | None, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main([*args, "--data-dir", str(data), "--json"])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip() else None), err

    assert invoke("init-demo")[0] == 0
    return invoke


def _receive(run, officer: str | None = None) -> tuple[int, dict | list | None, str]:
    _, procedures, _ = run("catalogue", "list")
    proc = next(p for p in procedures if p["duration"]["unit"] == "working-days")
    extra = ["--officer", officer] if officer else []
    return run(
        "receive",
        "--procedure",
        proc["id"],
        "--applicant-name",
        "Đặng Thị Hoà",
        "--id-number",
        "001190012345",
        *extra,
    )


def test_administrator_adds_an_officer_who_then_receives_and_is_later_locked(run, monkeypatch):
    monkeypatch.setenv("PW", "Tam-thoi-2026")
    code, made, err = run(
        "user",
        "add",
        "lan",
        "--full-name",
        "Nguyễn Thị Lan",
        "--role",
        "can_bo_mot_cua",
        "--password-env",
        "PW",
        "--officer",
        "admin",
    )
    assert code == 0, err
    assert made["role"] == "can_bo_mot_cua" and made["must_change_password"]
    code, _, err = run(
        "user",
        "add",
        "qt2",
        "--full-name",
        "X",
        "--role",
        "quan_tri",
        "--password-env",
        "PW",
        "--officer",
        "canbo",
    )
    assert code == 3 and "quản lý tài khoản cán bộ" in err
    assert _receive(run, "lan")[0] == 0
    assert run("user", "lock", "lan", "--reason", "Chuyển công tác", "--officer", "admin")[0] == 0
    code, out, err = _receive(run, "lan")
    assert code == 3
    assert out["error"]["code"] == "user.inactive" and "đã bị khóa" in err
    _, users, _ = run("user", "list", "--officer", "admin")
    assert {u["username"]: u["active"] for u in users if u["username"] == "lan"} == {"lan": False}


def test_brute_force_through_the_cli_locks_the_account_for_every_command(run):
    for _attempt in range(5):
        code, out, _ = run("login", "canbo", stdin="doan-bua\n")
        assert code == 3
    assert out["error"]["code"] == "auth.locked_out"
    code, out, _ = run("login", "canbo", stdin=DEMO_PASSWORD + "\n")
    assert out["error"]["code"] == "auth.locked_out"  # holds across processes (each run reopens)
    code, out, err = _receive(run)  # the CLI's default officer is canbo
    assert code == 3 and out["error"]["code"] == "auth.locked_out"
    assert "tạm khóa" in err
    assert run("user", "reset", "canbo", "--officer", "admin", stdin="Moi-mat-khau-1\n")[0] == 0
    assert _receive(run)[0] == 0


def test_first_login_password_change_through_the_cli(run):
    code, officer, _ = run("login", "giamsat", stdin=DEMO_PASSWORD + "\n")
    assert code == 0 and officer["must_change_password"]
    code, changed, _ = run("user", "passwd", "giamsat", stdin=f"{DEMO_PASSWORD}\nGiam-sat-2026\n")
    assert code == 0 and not changed["must_change_password"]
    assert run("login", "giamsat", stdin="Giam-sat-2026\n")[0] == 0


def test_audit_verify_detects_tampering_with_exit_code_4(run, data):
    assert _receive(run)[0] == 0
    code, report, _ = run("audit", "verify")
    assert code == 0 and report["ok"]
    head = report["head"]
    con = sqlite3.connect(data / DB_FILENAME, isolation_level=None)
    con.execute("DROP TRIGGER events_no_update")
    con.execute("UPDATE events SET actor = 'ai-do' WHERE action = 'receive'")
    con.close()
    code, report, err = run("audit", "verify", "--expect-head", head)
    assert code == 4 and not report["ok"]
    assert {p["kind"] for p in report["problems"]} >= {"edited"}
    assert "không còn toàn vẹn" in err


def test_audit_list_needs_a_supervisor_and_filters(run):
    assert _receive(run)[0] == 0
    assert run("audit", "list")[0] == 3  # the default counter officer may not
    code, rows, _ = run("audit", "list", "--action", "receive", "--officer", "giamsat")
    assert code == 0 and [r["actor"] for r in rows] == ["canbo"]


def test_export_logbook_csv_requires_a_role_and_is_audited(run, tmp_path):
    _, received, _ = _receive(run)
    out = tmp_path / "so.csv"
    day = received["received_at"][:10]
    args = ("export", "logbook", "--date", day, "--out", str(out), "--reason", "Báo cáo")
    code, _, err = run(*args)
    assert code == 3 and "xuất dữ liệu" in err and not out.exists()
    code, result, _ = run(*args, "--officer", "giamsat")
    assert code == 0 and result["rows"] == 1
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[1][2] == received["code"]
    _, entries, _ = run("audit", "list", "--action", "export-logbook", "--officer", "admin")
    assert entries[0]["reason"] == "Báo cáo"


def test_backup_and_restore_round_trip(run, data, tmp_path, monkeypatch, capsys):
    _, received, _ = _receive(run)
    out = tmp_path / "sao-luu.mcbk"
    assert run("backup", "--out", str(out))[0] == 3  # a counter officer may not take all data
    code, result, err = run("backup", "--out", str(out), "--officer", "giamsat")
    assert code == 0, err
    assert result["sealed_with"] == "data-key"
    assert b"001190012345" not in out.read_bytes()
    monkeypatch.setenv("PP", "cụm mật khẩu của đơn vị")
    off_site = tmp_path / "ngoai.mcbk"
    assert (
        run("backup", "--out", str(off_site), "--passphrase-env", "PP", "--officer", "admin")[0]
        == 0
    )
    # The data is lost; the administrator restores the passphrase copy on a new PC.
    fresh = tmp_path / "may-moi"
    code = main(["restore", str(off_site), "--passphrase-env", "PP", "--data-dir", str(fresh)])
    assert code == 0
    code = main(["show", received["code"], "--data-dir", str(fresh), "--json"])
    assert code == 0
    assert "Đặng Thị Hoà" in capsys.readouterr().out
    # Over a set-up workstation, only the administrator may restore.
    assert run("restore", str(out))[0] == 3
    code, restored, _ = run("restore", str(out), "--officer", "admin")
    assert code == 0 and restored["chain_ok"]
